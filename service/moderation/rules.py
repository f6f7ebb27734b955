"""A site's moderation rules: word lists, link limit, thresholds. Stored in
`Site.settings["rules"]` (one JSON object; no table), validated by `Rules`, changed only through
`update_rules` (audit-logged), and tried out first with `dry_run`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from sqlalchemy import and_, func, literal, null, or_, select
from sqlalchemy.orm import Session, aliased

from service import clock
from service.auth import Principal
from service.comments.sites import update_site
from service.models import Comment, Site, SpamClassifier, TrustedAuthor
from service.moderation import audit, refusals
from service.moderation.text import find_rule, fold, readings

log = logging.getLogger(__name__)

RULES_KEY = "rules"
DRY_RUN_DAYS = 30
#: A dry run judges at most this many of the newest comments of the period.
DRY_RUN_MAX_COMMENTS = 5_000
DRY_RUN_MAX_ITEMS = 200

WordEntry = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Rules(BaseModel):
    """Every rule a site can set (docs/moderation.md explains each)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    banned_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that reject a comment (422). `*` stands for up to "
        "`rule_wildcard_max` letters.",
    )
    suspect_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that hold a comment for review.",
    )
    allowed_words: list[WordEntry] = Field(
        default_factory=list,
        max_length=2000,
        description="Words or phrases that never match a banned or suspect word "
        "(“Scunthorpe”, “cum laude”).",
    )
    rule_wildcard_max: int = Field(
        default=2,
        ge=0,
        le=20,
        description="Letters a `*` in a banned or suspect word stands for, at most "
        "(inside one word).",
    )
    max_links: int | None = Field(
        default=3, ge=0, le=100, description="Hold comments with more links; null: no limit."
    )
    report_threshold: int = Field(
        default=3, ge=0, le=1000, description="Open reports that hold an approved comment; 0: off."
    )
    first_time_threshold: int = Field(
        default=1, ge=1, le=100, description="Approved comments that end first-time review."
    )
    trusted_after: int = Field(
        default=5,
        ge=0,
        le=1000,
        description="Approved comments (none rejected) that make a verified commenter trusted; "
        "0: only explicit trust.",
    )
    repeat_window_hours: int = Field(
        default=24, ge=0, le=24 * 90, description="Identical comments within it are spam; 0: off."
    )
    spam_score_threshold: float = Field(
        default=0.95, gt=0, le=1, description="Hold comments whose spam score reaches it."
    )
    spam_score_enabled: bool = True
    spam_shipped_model: bool = Field(
        default=True,
        description="Start from the shipped spam model (trained on a public corpus) and blend "
        "in the site's own decisions as they accrue; false: only the site's own decisions.",
    )
    spam_legit_held_rate: float = Field(
        default=0.02,
        gt=0,
        le=0.5,
        description="Share of legitimate comments the site accepts to see held by the spam "
        "score: its threshold is estimated from the site's decisions for it (until there are "
        "enough, spam_score_threshold applies).",
    )
    spam_min_examples: int = Field(
        default=20,
        ge=1,
        le=100_000,
        description="Spam and legitimate decisions each needed before the site's own decisions "
        "join the score (before that: the shipped model alone, if on).",
    )
    spam_ham_after_hours: int = Field(
        default=72,
        ge=0,
        le=24 * 365,
        description="A published comment neither reported nor removed for this long trains the "
        "spam score as legitimate; 0: only moderators' approvals do.",
    )


@lru_cache(maxsize=512)
def _parse(raw: str) -> Rules:
    return Rules.model_validate_json(raw)


def rules_for(site: Site) -> Rules:
    """The site's rules (defaults for what it has not set; defaults if the stored JSON is bad)."""
    settings = site.settings or {}
    raw: Any = settings.get(RULES_KEY) or {}
    if "first_time_threshold" in settings and "first_time_threshold" not in raw:
        raw = {**raw, "first_time_threshold": settings["first_time_threshold"]}
    try:
        return _parse(json.dumps(raw, sort_keys=True))
    except ValidationError:
        log.warning("site %s has invalid moderation rules; using the defaults", site.slug)
        return Rules()


def update_rules(session: Session, site: Site, rules: Rules, *, actor: Principal) -> Rules:
    before = rules_for(site).model_dump()
    after = rules.model_dump()
    site.settings = {**(site.settings or {}), RULES_KEY: after}
    session.flush()
    audit.record(
        session,
        actor,
        "rules.update",
        target_kind="site",
        target_id=site.id,
        site_id=site.id,
        before=before,
        after=after,
    )
    return rules


def update_site_settings(session: Session, site: Site, *, actor: Principal, **options: Any) -> Site:
    """Change a site's name, origins, mode, edit window or depth (audit-logged)."""
    fields = ("name", "origins", "moderation", "edit_window_seconds", "max_depth")
    before = {name: getattr(site, name) for name in fields}
    update_site(session, site, **options)
    after = {name: getattr(site, name) for name in fields}
    if before != after:
        audit.record(
            session,
            actor,
            "site.update",
            target_kind="site",
            target_id=site.id,
            site_id=site.id,
            before=before,
            after=after,
        )
    return site


# -- content rules (shared by the pipeline and the dry run) ----------------------------------

_HREF = re.compile(r"<a\s[^>]*href=", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def count_links(source: str, html: str) -> int:
    """Links in the rendered comment, or bare addresses in its text if that finds more."""
    return max(len(_HREF.findall(html)), len(_URL.findall(source)))


@dataclass(frozen=True)
class ContentVerdict:
    action: str
    code: str
    message: str
    #: The rule that matched, as the site wrote it (word rules).
    rule: str = ""


@dataclass(frozen=True)
class CommentText:
    """What word rules read of a comment: what readers see of it and of its author."""

    source: str
    html: str = ""
    author_name: str = ""
    author_website: str = ""

    def readings(self) -> list[str]:
        return readings(self.source, self.html, self.author_name, self.author_website)


def _find_words(text: CommentText, entries: list[str], rules: Rules) -> tuple[str, str] | None:
    """The entry of `entries` that `text` contains, and the (folded) words that matched it."""
    if not entries:
        return None
    found = find_rule(
        text.readings(),
        entries,
        allowed=rules.allowed_words,
        wildcard_max=rules.rule_wildcard_max,
    )
    return (found[0].source, found[1]) if found else None


def judge_banned_words(text: CommentText, rules: Rules) -> ContentVerdict | None:
    found = _find_words(text, rules.banned_words, rules)
    if found is None:
        return None
    return ContentVerdict(
        "reject",
        "banned_word",
        f"This site does not allow “{found[0]}” in comments or names. Please rephrase.",
        found[0],
    )


def judge_suspect_words(text: CommentText, rules: Rules) -> ContentVerdict | None:
    found = _find_words(text, rules.suspect_words, rules)
    if found is None:
        return None
    entry, words = found
    quoted = f"“{words}”" if fold(entry) == words else f"“{words}” (rule “{entry}”)"
    return ContentVerdict(
        "hold", "suspect_word", f"Contains {quoted}, which moderators review.", entry
    )


def judge_links(source: str, html: str, rules: Rules) -> ContentVerdict | None:
    if rules.max_links is None:
        return None
    links = count_links(source, html)
    if links <= rules.max_links:
        return None
    return ContentVerdict(
        "hold", "too_many_links", f"Has {links} links (more than {rules.max_links})."
    )


def judge_content(text: CommentText, rules: Rules) -> ContentVerdict | None:
    """The strongest verdict of the word and link rules."""
    return (
        judge_banned_words(text, rules)
        or judge_suspect_words(text, rules)
        or judge_links(text.source, text.html, rules)
    )


# -- dry run ---------------------------------------------------------------------------------

#: The dry run's verdicts, by strength (as in the pipeline: reject > spam > hold).
_DRY_STRENGTH = {"hold": 1, "spam": 3, "reject": 5}


@dataclass(frozen=True)
class DryRunItem:
    comment: Comment
    verdict: ContentVerdict
    #: What the current rules say about the same comment (None: nothing).
    current: ContentVerdict | None
    #: Every verdict of the new rules (`verdict` is the strongest).
    reasons: tuple[ContentVerdict, ...] = ()
    #: The new rules treat it differently from the current ones (another action, or none).
    changed: bool = False


@dataclass(frozen=True)
class ReleasedItem:
    """A comment the current rules catch and the new ones would let through."""

    comment: Comment
    current: ContentVerdict


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


@dataclass(frozen=True)
class _History:
    """What stored data says about the moment a comment was posted."""

    approved_before: int = 0
    #: Earlier comments of the author that were rejected or marked as spam.
    refused_before: int = 0
    #: When the same author last posted the same text before it (None: never).
    same_text_at: datetime | None = None
    explicitly_trusted: bool = False


def _replay(comment: Comment, seen: _History, rules: Rules, site_mode: str) -> list[ContentVerdict]:
    """Every verdict `rules` give `comment`, replayed from stored data in the pipeline's order;
    a trusted author's holds are lifted (not the reports threshold, which acts afterwards)."""
    from service.moderation.checks import REPEAT_MIN_CHARS

    found: list[ContentVerdict] = []
    verified = comment.identity_key is not None
    if site_mode == "first-time" and (
        not verified or seen.approved_before < rules.first_time_threshold
    ):
        found.append(
            ContentVerdict(
                "hold", "first_time_commenter", "First comments are reviewed before they appear."
            )
        )
    trusted = verified and (
        seen.explicitly_trusted
        or (
            rules.trusted_after > 0
            and seen.approved_before >= rules.trusted_after
            and seen.refused_before == 0
        )
    )
    text = CommentText(
        comment.body_source, comment.body_html, comment.author_name, comment.author_website
    )
    for judged in (
        judge_banned_words(text, rules),
        judge_suspect_words(text, rules),
        judge_links(comment.body_source, comment.body_html, rules),
    ):
        if judged is not None:
            found.append(judged)
    window = rules.repeat_window_hours
    if (
        window
        and seen.same_text_at is not None
        and comment.created_at - seen.same_text_at <= timedelta(hours=window)
        and len(fold(comment.body_source)) >= REPEAT_MIN_CHARS
    ):
        found.append(
            ContentVerdict("spam", "repeated_comment", "The same comment was posted before.")
        )
    score = comment.spam_score
    if rules.spam_score_enabled and score is not None and score >= rules.spam_score_threshold:
        found.append(ContentVerdict("hold", "spam_score", f"Looks like spam (score {score:.2f})."))
    if trusted:
        found = [v for v in found if v.action != "hold"]
    if rules.report_threshold and comment.report_count >= rules.report_threshold:
        found.append(
            ContentVerdict(
                "hold", "reports_threshold", f"{comment.report_count} readers reported it."
            )
        )
    return found


def _strongest(verdicts: list[ContentVerdict]) -> ContentVerdict | None:
    return max(verdicts, key=lambda v: _DRY_STRENGTH[v.action], default=None)


def _action(verdict: ContentVerdict | None) -> str | None:
    return verdict.action if verdict is not None else None


def _history_columns(needs_counts: bool, needs_repeats: bool) -> list[Any]:
    """Correlated subqueries that read each comment's past (one query for the whole scan);
    a constant where the rules compared do not need it."""
    earlier = aliased(Comment)
    before = and_(
        earlier.site_id == Comment.site_id,
        or_(
            earlier.created_at < Comment.created_at,
            and_(earlier.created_at == Comment.created_at, earlier.id < Comment.id),
        ),
    )

    def count_of(*statuses: str) -> Any:
        return (
            select(func.count())
            .select_from(earlier)
            .where(before, earlier.identity_key == Comment.identity_key)
            .where(earlier.status.in_(statuses))
            .scalar_subquery()
        )

    columns: list[Any] = [
        count_of("approved").label("approved_before") if needs_counts else literal(0),
        count_of("rejected", "spam").label("refused_before") if needs_counts else literal(0),
    ]
    if needs_repeats:
        same_author = or_(
            earlier.identity_key == Comment.identity_key,
            and_(Comment.author_email != "", earlier.author_email == Comment.author_email),
            and_(Comment.ip_hash != "", earlier.ip_hash == Comment.ip_hash),
        )
        columns.append(
            select(func.max(earlier.created_at))
            .where(
                before,
                earlier.text_fingerprint == Comment.text_fingerprint,
                earlier.status != "deleted",
                same_author,
            )
            .scalar_subquery()
            .label("same_text_at")
        )
    else:
        columns.append(null())
    return columns


def dry_run(session: Session, site: Site, rules: Rules, *, days: int = DRY_RUN_DAYS) -> DryRun:
    """Which of the last `days` days of comments `rules` would reject, mark as spam or hold,
    and which the current rules catch that these would not (nothing is changed).

    Every rule that stored data can answer is replayed against each comment and compared with
    the current rules; `DryRun.rules` says how each rule was judged, or why it could not be.
    Judges the newest DRY_RUN_MAX_COMMENTS at most, in at most four queries whatever their
    number (the fourth reads the attempts refused at posting: `DryRun.refused`).
    """
    since = clock.now() - timedelta(days=days)
    current_rules = rules_for(site)
    both = (rules, current_rules)
    needs_counts = site.moderation == "first-time" or any(r.trusted_after for r in both)
    needs_repeats = any(r.repeat_window_hours for r in both)
    rows = session.execute(
        select(Comment, *_history_columns(needs_counts, needs_repeats))
        .where(
            Comment.site_id == site.id,
            Comment.created_at >= since,
            Comment.status != "deleted",
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(DRY_RUN_MAX_COMMENTS)
    ).all()
    trusted = _explicitly_trusted(session, site, [row[0] for row in rows])
    scanned = rejected = held = spam = changed = released = unscored = 0
    caught: list[DryRunItem] = []
    released_items: list[ReleasedItem] = []
    for comment, approved_before, refused_before, same_text_at in rows:
        scanned += 1
        unscored += comment.spam_score is None
        seen = _History(
            approved_before=int(approved_before or 0),
            refused_before=int(refused_before or 0),
            same_text_at=same_text_at,
            explicitly_trusted=comment.identity_key in trusted,
        )
        reasons = _replay(comment, seen, rules, site.moderation)
        verdict = _strongest(reasons)
        current = _strongest(_replay(comment, seen, current_rules, site.moderation))
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
        caught.append(DryRunItem(comment, verdict, current, tuple(reasons), differs))
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
        rules=_rule_replays(session, site, rules, current_rules, scanned, unscored),
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
        if reason != "banned_word" or fold(rule) not in now:
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


def _explicitly_trusted(session: Session, site: Site, comments: list[Comment]) -> set[str]:
    """The identity keys among `comments` that a moderator trusts on the site (one query)."""
    from service.moderation.decisions import trust_hash

    hashes = {trust_hash(c.identity_key): c.identity_key for c in comments if c.identity_key}
    if not hashes:
        return set()
    found = session.scalars(
        select(TrustedAuthor.identity_hash).where(
            TrustedAuthor.site_id == site.id, TrustedAuthor.identity_hash.in_(list(hashes))
        )
    )
    return {hashes[h] for h in found}


def _rule_replays(
    session: Session, site: Site, rules: Rules, current: Rules, scanned: int, unscored: int
) -> list[RuleReplay]:
    """How the dry run judged each rule: replayed from what (and how far it can be trusted), or
    not at all and why. Site and thread modes, bans and bot checks are not rules."""
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
            "or still learning) and are not judged by it.",
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
        classifier = session.get(SpamClassifier, site.id)
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
