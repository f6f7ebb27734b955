"""What the checks need to know from the database, read ahead so that the checks stay pure.

`History` is the snapshot; `for_draft` reads it for one comment being posted or edited (only
what its checks can use: posting asks nothing it need not, docs/performance.md), and
`for_stored` reads it for every comment of a rules' dry run in a constant number of queries,
as the database said when each was posted (by the statuses of today).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, literal, null, or_, select
from sqlalchemy.orm import Session, aliased

from service.comments.form_tokens import FormTokenCheck, check_form_token
from service.comments.models import Comment, CommentStatus, Site, Thread
from service.comments.verdicts import Draft
from service.db import keys_of, settings_of, table_of
from service.kernel import clock
from service.kernel.text import fold, text_fingerprint
from service.moderation import bans, spam
from service.moderation.decisions import trust_hash
from service.moderation.models import Ban, SpamClassifier, TrustedAuthor
from service.moderation.rules import Rules

#: Statuses that count against trusting an author.
REFUSED = (CommentStatus.REJECTED, CommentStatus.SPAM)


@dataclass(frozen=True)
class History:
    """What the database says about a draft's author and text, at the moment it is judged.

    A field the checks did not need reads as "nothing" (no ban, no earlier comments)."""

    #: When the comment is judged: now for a new one, its posting time in a dry run.
    at: datetime
    #: The ban covering its author on the site (a plain one before a shadow one).
    ban: Ban | None = None
    #: The verified author's approved comments on the site (before this one).
    approved_before: int = 0
    #: The verified author's rejected and spam comments on the site (before this one).
    refused_before: int = 0
    #: A moderator trusts the verified author on the site.
    explicitly_trusted: bool = False
    #: When the same author posted the same text within the repeat window (None: they did not).
    same_text_at: datetime | None = None
    #: The site's spam score of the text (None: not scored).
    spam_score: float | None = None
    #: The site's calibrated spam threshold (None: the rules' `spam_score_threshold` applies).
    spam_threshold: float | None = None
    #: Reports counted against the reports threshold.
    reports: int = 0
    #: What the comment form's token the request sent proves (None: not asked: the post is
    #: vouched for, or a dry run, which has no request to ask about).
    form_token: FormTokenCheck | None = None
    #: `SIDENOTE_FORM_TOKEN_REQUIRED`: a missing or bad token is spam, not only a reason.
    form_token_required: bool = False


# -- one draft, when it is posted or edited --------------------------------------------------

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
    select(_same_text.c.created_at)
    .where(
        _same_text.c.created_at >= bindparam("since"),
        _same_text.c.status != CommentStatus.DELETED.value,
        or_(
            _same_text.c.identity_key == bindparam("identity_key"),
            _same_text.c.author_email == bindparam("author_email"),
            _same_text.c.ip_hash == bindparam("ip_hash"),
        ),
        _same_text.c.id != bindparam("exclude_id"),
    )
    .limit(1)
)


def for_draft(session: Session, draft: Draft, rules: Rules) -> History:
    """What the checks of `draft` need, read now: only what they can use (a guest has no
    counts, a site without bans or a trained score is not asked about them)."""
    now = clock.now()
    site = draft.site
    config = settings_of(session)
    ban = None
    if not draft.known_absent.bans:
        ban = bans.active_ban(session, site.id, bans.draft_keys(keys_of(session), draft))
    approved = refused = 0
    trusted = False
    if draft.identity_key:
        trusted = bool(_explicitly_trusted(session, site, [draft.identity_key]))
        if site.moderation == "first-time" or (rules.trusted_after and not trusted):
            approved, refused = _status_counts(session, site, draft.identity_key)
    score = threshold = None
    if rules.spam_score_enabled:
        # The shipped model scores a site from its first comment; its own decisions blend in.
        untrained = draft.known_absent.spam_classifier
        score = spam.score(
            session,
            site.id,
            draft.body_source,
            min_examples=rules.spam_min_examples,
            model=spam.shipped_model(rules),
            untrained=untrained,
        )
        # No classifier row: no calibration either (and no query).
        threshold = (
            calibrated_threshold(session, site) if score is not None and not untrained else None
        )
    return History(
        at=now,
        ban=ban,
        approved_before=approved,
        refused_before=refused,
        explicitly_trusted=trusted,
        same_text_at=_same_text_at(session, draft, rules, now),
        spam_score=score,
        spam_threshold=threshold,
        form_token=(
            check_form_token(keys_of(session), config, draft.signals.form_token, site.slug)
            if draft.anonymous
            else None
        ),
        form_token_required=config.form_token_required,
    )


def _status_counts(session: Session, site: Site, identity_key: str) -> tuple[int, int]:
    counts = dict(
        session.execute(
            select(Comment.status, func.count())
            .where(Comment.site_id == site.id, Comment.identity_key == identity_key)
            .group_by(Comment.status)
        ).all()
    )
    return counts.get(CommentStatus.APPROVED, 0), sum(counts.get(s, 0) for s in REFUSED)


def _same_text_at(session: Session, draft: Draft, rules: Rules, now: datetime) -> datetime | None:
    """The same text again from the same person (identity, email or IP hash) within the window:
    equal folded text, compared by its fingerprint (one indexed lookup)."""
    window = repeat_window(draft, rules)
    if window is None:
        return None
    author = {
        "identity_key": draft.identity_key or None,
        "author_email": draft.author_email if draft.author_email.strip() else None,
        "ip_hash": draft.ip_hash or None,
    }
    if not any(author.values()):
        return None
    found: datetime | None = session.scalar(
        _SAME_TEXT_BEFORE,
        {
            **author,
            "site_id": draft.site.id,
            "fingerprint": text_fingerprint(draft.body_source),
            "since": now - window,
            "exclude_id": draft.editing.id if draft.editing is not None else 0,
        },
    )
    return found


def calibrated_threshold(session: Session, site: Site) -> float | None:
    """The site's calibrated threshold (the classifier row `spam.score` loaded: no query)."""
    classifier = session.get(SpamClassifier, site.id)
    return classifier.threshold if classifier is not None else None


def _explicitly_trusted(session: Session, site: Site, identity_keys: Sequence[str]) -> set[str]:
    """The identity keys among `identity_keys` that a moderator trusts on the site (one query)."""

    hashes = {trust_hash(keys_of(session), key): key for key in identity_keys}
    if not hashes:
        return set()
    found = session.scalars(
        select(TrustedAuthor.identity_hash).where(
            TrustedAuthor.site_id == site.id, TrustedAuthor.identity_hash.in_(list(hashes))
        )
    )
    return {hashes[h] for h in found}


# -- many stored comments, for the rules' dry run ----------------------------------------------


@dataclass(frozen=True)
class Needs:
    """Which parts of the history the rules compared can use (the rest is not read)."""

    counts: bool
    repeats: bool


def stored_comments(site: Site, since: datetime, limit: int, needs: Needs) -> Select[Any]:
    """The site's comments since `since` (newest first, at most `limit`), each with its thread
    and what stored data says about the moment it was posted: one query for all of them."""
    return (
        select(Comment, Thread, *_history_columns(needs))
        .join(Thread, Thread.id == Comment.thread_id)
        .where(
            Comment.site_id == site.id,
            Comment.created_at >= since,
            Comment.status != CommentStatus.DELETED.value,
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(limit)
    )


def _history_columns(needs: Needs) -> list[Any]:
    """Correlated subqueries that read each comment's past; a constant where not needed."""
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
        count_of(CommentStatus.APPROVED).label("approved_before") if needs.counts else literal(0),
        count_of(*REFUSED).label("refused_before") if needs.counts else literal(0),
    ]
    if needs.repeats:
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
                earlier.status != CommentStatus.DELETED.value,
                same_author,
            )
            .scalar_subquery()
            .label("same_text_at")
        )
    else:
        columns.append(null())
    return columns


def for_stored(
    session: Session, site: Site, rows: Sequence[Any], *, spam_threshold: float | None
) -> list[tuple[Comment, Draft, History]]:
    """Each row of `stored_comments` as the draft it was and its history: the score it was
    given when posted, its reports, the site's trusted authors of today (one query, whatever
    the number of rows) and its calibrated spam threshold (`spam_threshold`)."""
    trusted = _explicitly_trusted(
        session, site, sorted({row[0].identity_key for row in rows if row[0].identity_key})
    )
    judged = []
    for comment, thread, approved_before, refused_before, same_text_at in rows:
        history = History(
            at=comment.created_at,
            approved_before=int(approved_before or 0),
            refused_before=int(refused_before or 0),
            explicitly_trusted=comment.identity_key in trusted,
            same_text_at=same_text_at,
            spam_score=comment.spam_score,
            spam_threshold=spam_threshold,
            reports=comment.report_count,
        )
        judged.append((comment, Draft.of_comment(site, thread, comment), history))
    return judged


def repeat_window(draft: Draft, rules: Rules) -> timedelta | None:
    """How far back the same text counts as a repeat (None: the check is off, or the text is
    too short to matter); `history` looks that far back only then."""
    window = rules.repeat_window_hours
    if window == 0 or len(fold(draft.body_source)) < REPEAT_MIN_CHARS:
        return None
    return timedelta(hours=window)


#: Shorter comments ("Thanks!", "+1") may repeat without being spam.
REPEAT_MIN_CHARS = 12
