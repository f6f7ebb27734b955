"""The dry run of a site's rules: the last days' comments judged again by the live pipeline's
checks (`pipeline.judge`, `verdicts.combine`) under the proposed rules, to show what would be
held, released or refused before the rules are saved (docs/moderation.md, "Dry run")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from service.comments.models import Comment, Site
from service.comments.verdicts import ReasonCode, Verdict
from service.kernel import clock
from service.kernel.text import fold
from service.moderation import history, pipeline, refusals
from service.moderation.checks import check_reports
from service.moderation.models import SpamClassifier
from service.moderation.rules import Rules, rules_for

DRY_RUN_DAYS = 30
#: A dry run judges at most this many of the newest comments of the period.
DRY_RUN_MAX_COMMENTS = 5_000
DRY_RUN_MAX_ITEMS = 200


@dataclass(frozen=True)
class DryRunItem:
    comment: Comment
    verdict: Verdict
    #: What the current rules say about the same comment (None: nothing).
    current: Verdict | None
    #: Every verdict of the new rules (`verdict` is the strongest).
    reasons: tuple[Verdict, ...] = ()
    #: The new rules treat it differently from the current ones (another action, or none).
    changed: bool = False


@dataclass(frozen=True)
class ReleasedItem:
    """A comment the current rules catch and the new ones would let through."""

    comment: Comment
    current: Verdict


@dataclass(frozen=True)
class RuleReplay:
    """How the dry run judged one rule: from stored data, or not at all (and why)."""

    rule: str
    replayed: bool
    changed: bool
    note: str


@dataclass(frozen=True)
class DryRun:
    scanned: int
    rejected: int
    held: int
    items: list[DryRunItem]
    spam: int = 0
    changed: int = 0
    released: int = 0
    released_items: list[ReleasedItem] = field(default_factory=list)
    rules: list[RuleReplay] = field(default_factory=list)
    #: Comments refused at posting in the period (counted in `rejected`, `changed` and
    #: `released` as the new rules would treat them; not in `scanned` or the item lists).
    refused: int = 0


def _action(verdict: Verdict | None) -> str | None:
    return verdict.action if verdict is not None else None


def dry_run(session: Session, site: Site, rules: Rules, *, days: int = DRY_RUN_DAYS) -> DryRun:
    """Which of the last `days` days of comments `rules` would reject, mark as spam or hold,
    and which the current rules catch that these would not (nothing is changed).

    The pipeline's replayable checks (`pipeline.REPLAYABLE`) judge each comment again from
    stored data (its `History` as of when it was posted), once with `rules` and once with the
    current ones, and their verdicts combine as when posting; the reports threshold, which acts
    on published comments, is judged after them (trust does not lift it). `DryRun.rules` says
    how each rule was judged, or why it could not be. Judges the newest DRY_RUN_MAX_COMMENTS at
    most, in at most four queries whatever their number (the last reads the attempts refused at
    posting: `DryRun.refused`).
    """

    since = clock.now() - timedelta(days=days)
    current_rules = rules_for(site)
    both = (rules, current_rules)
    needs = history.Needs(
        counts=site.moderation == "first-time" or any(r.trusted_after for r in both),
        repeats=any(r.repeat_window_hours for r in both),
    )
    rows = session.execute(history.stored_comments(site, since, DRY_RUN_MAX_COMMENTS, needs)).all()
    classifier = session.get(SpamClassifier, site.id)
    checks = [check for check in pipeline.CHECKS if check in pipeline.REPLAYABLE]

    def judged(draft: pipeline.Draft, seen: history.History, by: Rules) -> pipeline.Combined:
        later = [v for v in (check_reports(by, seen.reports),) if v is not None]
        return pipeline.combine(pipeline.judge(draft, by, seen, checks), later)

    scanned = rejected = held = spam = changed = released = unscored = 0
    caught: list[DryRunItem] = []
    released_items: list[ReleasedItem] = []
    threshold = classifier.threshold if classifier is not None else None
    for comment, draft, seen in history.for_stored(session, site, rows, spam_threshold=threshold):
        scanned += 1
        unscored += comment.spam_score is None
        new = judged(draft, seen, rules)
        verdict = new.strongest
        current = judged(draft, seen, current_rules).strongest
        differs = _action(verdict) != _action(current)
        changed += differs
        if verdict is None:
            if current is not None:
                released += 1
                if len(released_items) < DRY_RUN_MAX_ITEMS:
                    released_items.append(ReleasedItem(comment, current))
            continue
        if verdict.action == "reject":
            rejected += 1
        elif verdict.action == "spam":
            spam += 1
        else:
            held += 1
        caught.append(DryRunItem(comment, verdict, current, new.caught, differs))
    refused = refusals.since(session, site.id, since)
    still, freed = _replay_refused(refused, rules, current_rules)
    rejected += still
    released += freed
    changed += freed
    return DryRun(
        scanned=scanned,
        rejected=rejected,
        held=held,
        items=_first_items(caught),
        spam=spam,
        changed=changed,
        released=released,
        released_items=released_items,
        rules=_rule_replays(classifier, site, rules, current_rules, scanned, unscored),
        refused=len(refused),
    )


def _replay_refused(
    refused: list[tuple[str, str]], rules: Rules, current: Rules
) -> tuple[int, int]:
    """(still refused, let through) of the refused attempts, from the rule that refused each:
    only its fingerprint is kept, so one refused by a banned word the new rules keep stays
    refused, and one whose word they drop counts as let through (another new rule might still
    catch it; its text is not kept to know)."""
    new = {fold(entry) for entry in rules.banned_words}
    now = {fold(entry) for entry in current.banned_words}
    still = freed = 0
    for reason, rule in refused:
        if reason != ReasonCode.BANNED_WORD or fold(rule) not in now:
            continue  # the current rules no longer refuse it either
        if fold(rule) in new:
            still += 1
        else:
            freed += 1
    return still, freed


def _first_items(caught: list[DryRunItem]) -> list[DryRunItem]:
    """At most DRY_RUN_MAX_ITEMS, the changed ones first, shown newest first."""
    order = {id(item): n for n, item in enumerate(caught)}
    chosen = [i for i in caught if i.changed][:DRY_RUN_MAX_ITEMS]
    chosen += [i for i in caught if not i.changed][: DRY_RUN_MAX_ITEMS - len(chosen)]
    return sorted(chosen, key=lambda item: order[id(item)])


def _rule_replays(
    classifier: SpamClassifier | None,
    site: Site,
    rules: Rules,
    current: Rules,
    scanned: int,
    unscored: int,
) -> list[RuleReplay]:
    """How the dry run judged each rule: replayed from what (and how far it can be trusted), or
    not at all and why. Site and thread modes, bans and bot checks are not rules."""
    calibrated = classifier.threshold if classifier is not None else None
    by_status_today = "by their status today"
    notes: dict[str, tuple[bool, str]] = {
        "banned_words": (
            True,
            "Matched against each comment's current text and author; comments refused at "
            "posting are counted by the word that refused them.",
        ),
        "suspect_words": (True, "Matched against each comment's current text and author."),
        "allowed_words": (True, "Taken out of each comment's current text before matching."),
        "rule_wildcard_max": (True, "Applied to the word rules matched above."),
        "max_links": (True, "Links counted in each comment's current text."),
        "report_threshold": (
            True,
            "Compared with the reports each comment received (resolved ones included).",
        ),
        "trusted_after": (
            True,
            "Each verified author's earlier comments on the site are counted, "
            f"{by_status_today}; trust lifts every hold but the reports threshold.",
        ),
        "repeat_window_hours": (
            True,
            "Compared with the same author's earlier comments of the same text (by identity, "
            "email or IP group), however old.",
        ),
        "spam_score_threshold": (
            True,
            "Compared with the spam score stored on each comment when it was posted; "
            f"{unscored} of the {scanned} comments have none (posted while the score was off "
            "or still learning) and are not judged by it."
            + (
                f" The site's calibrated threshold ({calibrated:.2f}) applies instead, as it does "
                "for new comments."
                if calibrated is not None
                else ""
            ),
        ),
    }
    if site.moderation == "first-time":
        notes["first_time_threshold"] = (
            True,
            f"Each verified author's earlier approved comments are counted, {by_status_today}; "
            "guests are always first-time.",
        )
    else:
        notes["first_time_threshold"] = (
            False,
            f"Not used: the site's mode is “{site.moderation}”, and this counts only in "
            "first-time mode (site settings).",
        )
    notes["spam_score_enabled"] = notes["spam_score_threshold"]
    note = (
        "Cannot be replayed: how many decisions the classifier had learned from when each "
        "comment was posted is not recorded."
    )
    if rules.spam_min_examples != current.spam_min_examples:
        spam_docs, ham_docs = (classifier.spam_docs, classifier.ham_docs) if classifier else (0, 0)
        ready = min(spam_docs, ham_docs) >= rules.spam_min_examples
        note += (
            f" Today it has {spam_docs} spam and {ham_docs} legitimate ones, so with "
            f"{rules.spam_min_examples} the site's own decisions "
            f"{'would' if ready else 'would not'} join the score for new comments."
        )
    notes["spam_min_examples"] = (False, note)
    notes["spam_shipped_model"] = (
        False,
        "Not replayed: it changes how new comments are scored; the scores stored on past "
        "comments are what the threshold is replayed against.",
    )
    notes["spam_legit_held_rate"] = (
        False,
        "Not replayed: it sets the threshold the worker estimates from the site's decisions "
        "(shown on the rules page), used for new comments once estimated.",
    )
    notes["spam_ham_after_hours"] = (
        False,
        "Not replayed: it changes what the spam score learns from, not how a comment is judged.",
    )
    return [
        RuleReplay(
            rule=name,
            replayed=notes[name][0],
            changed=getattr(rules, name) != getattr(current, name),
            note=notes[name][1],
        )
        for name in Rules.model_fields
    ]
