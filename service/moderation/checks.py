"""The policy checks of the moderation issue, registered in `pipeline.CHECKS`.

Each is a pure function `(draft, rules, history) -> Verdict | None` of the comment, the site's
rules and what the database said (`history.History`): the live pipeline reads the history of one
draft, the rules' dry run that of many stored comments, and both run these same checks. Their
reason codes are listed in docs/moderation.md.
"""

from __future__ import annotations

import re

from service.comments.verdicts import Draft, ReasonCode, Verdict
from service.kernel.text import find_rule, fold, readings
from service.moderation import bans
from service.moderation.history import History, repeat_window
from service.moderation.rules import Rules


def check_banned_identity(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    """A banned email, IP hash, voter id or identity: 403 banned, or stored as spam (shadow)."""
    ban = history.ban
    if ban is None:
        return None
    if ban.shadow:
        return Verdict(
            "shadow_ban", ReasonCode.SHADOW_BAN, "Shadow-banned: stored as spam, unseen."
        )
    return Verdict("ban", ReasonCode.BANNED, bans.ban_message(ban))


def check_first_time(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    """In first-time mode, authors with fewer approved comments than the threshold wait; only
    a verified identity has a history, so a guest is always first-time."""
    if draft.site.moderation != "first-time":
        return None
    if draft.identity_key is not None and history.approved_before >= rules.first_time_threshold:
        return None
    return Verdict(
        "hold",
        ReasonCode.FIRST_TIME_COMMENTER,
        "First comments are reviewed before they appear.",
    )


def check_trusted(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    """Verified commenters a moderator trusts, or with enough approved and none rejected,
    skip every hold (not bans, spam or rejects)."""
    if not draft.identity_key:
        return None
    if history.explicitly_trusted:
        return Verdict("trust", ReasonCode.TRUSTED_COMMENTER, "A moderator trusts this commenter.")
    needed = rules.trusted_after
    if needed and history.approved_before >= needed and not history.refused_before:
        return Verdict(
            "trust",
            ReasonCode.TRUSTED_COMMENTER,
            f"{history.approved_before} approved comments and none rejected.",
        )
    return None


# -- content: words and links ------------------------------------------------------------------

_HREF = re.compile(r"<a\s[^>]*href=", re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def count_links(source: str, html: str) -> int:
    """Links in the rendered comment, or bare addresses in its text if that finds more."""
    return max(len(_HREF.findall(html)), len(_URL.findall(source)))


def _find_words(draft: Draft, entries: list[str], rules: Rules) -> tuple[str, str] | None:
    """The entry of `entries` that the draft contains (what readers see of it and of its
    author), and the (folded) words that matched it."""
    if not entries:
        return None
    found = find_rule(
        readings(draft.body_source, draft.body_html, draft.author_name, draft.author_website),
        entries,
        allowed=rules.allowed_words,
        wildcard_max=rules.rule_wildcard_max,
    )
    return (found[0].source, found[1]) if found else None


def check_banned_words(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    found = _find_words(draft, rules.banned_words, rules)
    if found is None:
        return None
    return Verdict(
        "reject",
        ReasonCode.BANNED_WORD,
        f"This site does not allow “{found[0]}” in comments or names. Please rephrase.",
        rule=found[0],
    )


def check_suspect_words(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    found = _find_words(draft, rules.suspect_words, rules)
    if found is None:
        return None
    entry, words = found
    quoted = f"“{words}”" if fold(entry) == words else f"“{words}” (rule “{entry}”)"
    return Verdict(
        "hold", ReasonCode.SUSPECT_WORD, f"Contains {quoted}, which moderators review.", rule=entry
    )


def check_links(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    if rules.max_links is None:
        return None
    links = count_links(draft.body_source, draft.body_html)
    if links <= rules.max_links:
        return None
    return Verdict(
        "hold", ReasonCode.TOO_MANY_LINKS, f"Has {links} links (more than {rules.max_links})."
    )


# -- repeats, score and reports ----------------------------------------------------------------


def check_repeated(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    """The same text again from the same person (identity, email or IP hash) within the window."""
    window = repeat_window(draft, rules)
    seen = history.same_text_at
    if window is None or seen is None or history.at - seen > window:
        return None
    return Verdict("spam", ReasonCode.REPEATED_COMMENT, "The same comment was posted before.")


def check_spam_score(draft: Draft, rules: Rules, history: History) -> Verdict | None:
    """The site's naive Bayes score: holds at the site's calibrated threshold (its
    `spam_score_threshold` until it has one), never rejects."""
    score = history.spam_score
    if not rules.spam_score_enabled or score is None:
        return None
    threshold = history.spam_threshold
    if score >= (rules.spam_score_threshold if threshold is None else threshold):
        return Verdict(
            "hold", ReasonCode.SPAM_SCORE, f"Looks like spam (score {score:.2f}).", score=score
        )
    return Verdict("allow", ReasonCode.SPAM_SCORE, "", score=score)


def check_reports(rules: Rules, reports: int) -> Verdict | None:
    """Readers' reports reaching the site's threshold hold a published comment (checked when a
    report comes in, so a trusted commenter's comment too)."""
    threshold = rules.report_threshold
    if threshold == 0 or reports < threshold:
        return None
    return Verdict("hold", ReasonCode.REPORTS_THRESHOLD, f"{reports} readers reported it.")
