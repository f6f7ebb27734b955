"""The policy checks of the moderation issue, registered in `pipeline.CHECKS`.

Each is `(session, draft) -> Verdict | None` and reads the site's rules (`rules_for`). Their
reason codes are listed in docs/moderation.md.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from service import clock
from service.db import table_of
from service.models import Comment, TrustedAuthor
from service.moderation import bans, spam
from service.moderation.rules import (
    CommentText,
    ContentVerdict,
    judge_banned_words,
    judge_links,
    judge_suspect_words,
    rules_for,
)
from service.moderation.text import fold, text_fingerprint
from service.moderation.verdicts import Draft, Verdict

#: Shorter comments ("Thanks!", "+1") may repeat without being spam.
REPEAT_MIN_CHARS = 12


def _verdict(found: ContentVerdict | None) -> Verdict | None:
    if found is None:
        return None
    return Verdict(found.action, found.code, found.message, rule=found.rule)  # type: ignore[arg-type]


def check_banned_identity(session: Session, draft: Draft) -> Verdict | None:
    """A banned email, IP hash, voter id or identity: 403 banned, or stored as spam (shadow)."""
    if draft.known_absent.bans:
        return None
    ban = bans.active_ban(session, draft.site.id, bans.draft_keys(draft))
    if ban is None:
        return None
    if ban.shadow:
        return Verdict("shadow_ban", "shadow_ban", "Shadow-banned: stored as spam, unseen.")
    return Verdict("ban", "banned", bans.ban_message(ban))


def _text_of(draft: Draft) -> CommentText:
    return CommentText(draft.body_source, draft.body_html, draft.author_name, draft.author_website)


def check_banned_words(session: Session, draft: Draft) -> Verdict | None:
    return _verdict(judge_banned_words(_text_of(draft), rules_for(draft.site)))


def check_suspect_words(session: Session, draft: Draft) -> Verdict | None:
    return _verdict(judge_suspect_words(_text_of(draft), rules_for(draft.site)))


def check_links(session: Session, draft: Draft) -> Verdict | None:
    return _verdict(judge_links(draft.body_source, draft.body_html, rules_for(draft.site)))


_comments = table_of(Comment)
#: The site's comments with the same text, found by (site_id, text_fingerprint) alone; the time,
#: status and author conditions then filter those few. MATERIALIZED keeps the planner from
#: starting anywhere else: given the poster's IP hash and nothing else, PostgreSQL took the
#: `ip_hash` index whenever that hash was missing from its statistics (every hash is, until
#: ANALYZE sees it often), and read every comment ever posted from that address: 17,284 rows and
#: 9 ms per post in `make bench`, growing with each post from it.
_same_text = (
    select(
        _comments.c.id,
        _comments.c.created_at,
        _comments.c.status,
        _comments.c.identity_key,
        _comments.c.author_email,
        _comments.c.ip_hash,
    )
    .where(
        _comments.c.site_id == bindparam("site_id"),
        _comments.c.text_fingerprint == bindparam("fingerprint"),
    )
    .cte("same_text")
    .prefix_with("MATERIALIZED")
)
#: Built once, as Core (posting runs it for every comment). An absent author key is bound as
#: NULL, which equals nothing; `exclude_id` 0 (no comment has it) when nothing is being edited.
_SAME_TEXT_BEFORE = (
    select(_same_text.c.id)
    .where(
        _same_text.c.created_at >= bindparam("since"),
        _same_text.c.status != "deleted",
        or_(
            _same_text.c.identity_key == bindparam("identity_key"),
            _same_text.c.author_email == bindparam("author_email"),
            _same_text.c.ip_hash == bindparam("ip_hash"),
        ),
        _same_text.c.id != bindparam("exclude_id"),
    )
    .limit(1)
)


def check_repeated(session: Session, draft: Draft) -> Verdict | None:
    """The same text again from the same person (identity, email or IP hash) within the window.

    "The same" is equal folded text, compared by its fingerprint: one indexed lookup.
    """
    window = rules_for(draft.site).repeat_window_hours
    if window == 0 or len(fold(draft.body_source)) < REPEAT_MIN_CHARS:
        return None
    author = {
        "identity_key": draft.identity_key or None,
        "author_email": draft.author_email if draft.author_email.strip() else None,
        "ip_hash": draft.ip_hash or None,
    }
    if not any(author.values()):
        return None
    found = session.scalar(
        _SAME_TEXT_BEFORE,
        {
            **author,
            "site_id": draft.site.id,
            "fingerprint": text_fingerprint(draft.body_source),
            "since": clock.now() - timedelta(hours=window),
            "exclude_id": draft.editing.id if draft.editing is not None else 0,
        },
    )
    if found is not None:
        return Verdict("spam", "repeated_comment", "The same comment was posted before.")
    return None


def check_trusted(session: Session, draft: Draft) -> Verdict | None:
    """Verified commenters a moderator trusts, or with enough approved and none rejected,
    skip every hold (not bans, spam or rejects)."""
    if not draft.identity_key:
        return None
    from service.moderation.decisions import trust_hash

    explicit = session.scalar(
        select(TrustedAuthor.id).where(
            TrustedAuthor.site_id == draft.site.id,
            TrustedAuthor.identity_hash == trust_hash(draft.identity_key),
        )
    )
    if explicit is not None:
        return Verdict("trust", "trusted_commenter", "A moderator trusts this commenter.")
    needed = rules_for(draft.site).trusted_after
    if needed == 0:
        return None
    counts = dict(
        session.execute(
            select(Comment.status, func.count())
            .where(Comment.site_id == draft.site.id, Comment.identity_key == draft.identity_key)
            .group_by(Comment.status)
        ).all()
    )
    if (
        counts.get("approved", 0) >= needed
        and not counts.get("rejected")
        and not counts.get("spam")
    ):
        return Verdict(
            "trust",
            "trusted_commenter",
            f"{counts['approved']} approved comments and none rejected.",
        )
    return None


def check_spam_score(session: Session, draft: Draft) -> Verdict | None:
    """The site's naive Bayes score (the shipped model blended with the site's own): holds at
    the site's calibrated threshold (its `spam_score_threshold` until it has one), never
    rejects."""
    rules = rules_for(draft.site)
    if not rules.spam_score_enabled:
        return None
    score = spam.score(
        session,
        draft.site.id,
        draft.body_source,
        min_examples=rules.spam_min_examples,
        model=spam.shipped_model(rules),
        untrained=draft.known_absent.spam_classifier,
    )
    if score is None:
        return None
    threshold = (
        rules.spam_score_threshold
        if draft.known_absent.spam_classifier  # no row: no calibration either (and no query)
        else spam.site_threshold(session, draft.site.id, rules.spam_score_threshold)
    )
    if score >= threshold:
        return Verdict("hold", "spam_score", f"Looks like spam (score {score:.2f}).", score=score)
    return Verdict("allow", "spam_score", "", score=score)
