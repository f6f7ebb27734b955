"""Bans: who may not comment on a site (or on every site), for how long, and how.

A ban names a person by one key (`kind`): `email` (the address, lower-cased), `ip_hash` (the
keyed IP hash moderators see on cards), `voter` (the widget's voter id, keyed) or `identity` (a
verified identity). Only the keyed hash (`Keys.hash("ban:<kind>", value)`) is stored. A plain
ban refuses the person's comments with 403 `banned`; a shadow ban stores them as spam and tells
them "approved".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, bindparam, func, or_, select
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentStatus, Site
from service.comments.reactions import voter_id_key
from service.db import keys_of
from service.kernel import clock
from service.kernel.clock import isoformat
from service.kernel.errors import NotFound, ValidationFailed
from service.kernel.keys import Keys
from service.moderation import audit
from service.moderation.decisions import decide
from service.moderation.models import BAN_KINDS, Ban
from service.moderation.spam import deferred_training

if TYPE_CHECKING:
    from service.comments.verdicts import Draft
    from service.kernel.actors import Principal

#: Comments a ban with reject_pending rejects at most (the rest stay in the queue).
MAX_PENDING_REJECTED = 1000


def ban_hash(keys: Keys, kind: str, value: str) -> str:
    normalized = value.strip().lower() if kind == "email" else value.strip()
    return keys.hash(f"ban:{kind}", normalized, length=64)


def draft_keys(keys: Keys, draft: Draft) -> list[tuple[str, str]]:
    """The (kind, hash) pairs a new comment can be banned by."""
    pairs = []
    if draft.author_email.strip():
        pairs.append(("email", ban_hash(keys, "email", draft.author_email)))
    if draft.ip_hash:
        pairs.append(("ip_hash", ban_hash(keys, "ip_hash", draft.ip_hash)))
    if draft.voter_key:
        pairs.append(("voter", ban_hash(keys, "voter", draft.voter_key)))
    if draft.identity_key:
        pairs.append(("identity", ban_hash(keys, "identity", draft.identity_key)))
    return pairs


def _active(now: datetime) -> list[ColumnElement[bool]]:
    return [Ban.lifted_at.is_(None), or_(Ban.expires_at.is_(None), Ban.expires_at > now)]


#: Built once: posting asks for it on every comment, and building the expression costs more
#: than running it. Bans match on (kind, hash) pairs; the query narrows by both columns' sets
#: (the `ix_bans_kind_value` index) and `active_ban` keeps the exact pairs.
_CANDIDATE_BANS = (
    select(Ban)
    .where(
        Ban.kind.in_(bindparam("kinds", expanding=True)),
        Ban.value_hash.in_(bindparam("hashes", expanding=True)),
        or_(Ban.site_id == bindparam("site_id"), Ban.site_id.is_(None)),
        Ban.lifted_at.is_(None),
        or_(Ban.expires_at.is_(None), Ban.expires_at > bindparam("now")),
    )
    .order_by(Ban.shadow, Ban.id)
)


def active_ban(session: Session, site_id: int, keys: list[tuple[str, str]]) -> Ban | None:
    """The ban (a plain one before a shadow one) that covers any of `keys` on the site."""
    if not keys:
        return None
    wanted = set(keys)
    candidates = session.scalars(
        _CANDIDATE_BANS,
        {
            "kinds": sorted({kind for kind, _ in keys}),
            "hashes": sorted({value for _, value in keys}),
            "site_id": site_id,
            "now": clock.now(),
        },
    )
    return next((ban for ban in candidates if (ban.kind, ban.value_hash) in wanted), None)


def ban_message(ban: Ban) -> str:
    if ban.expires_at is None:
        return "You cannot comment on this site."
    return f"You cannot comment on this site until {isoformat(ban.expires_at)}."


def _key_of_comment(comment: Comment, kind: str) -> str:
    """The value a ban of `kind` on the author of `comment` is made from."""
    value: str | None
    if kind == "email":
        value = comment.author_email.strip().lower() or None
    elif kind == "ip_hash":
        value = comment.ip_hash
    elif kind == "identity":
        value = comment.identity_key
    else:
        value = comment.voter_key
    if not value:
        names = {"email": "email", "ip_hash": "IP hash", "identity": "verified identity"}
        raise ValidationFailed.on(
            "kind", f"This comment has no {names.get(kind, 'voter id')} to ban; choose another."
        )
    return value


def _raw_value(keys: Keys, kind: str, value: str) -> str:
    """A value typed by a moderator: the voter id as the widget sends it is keyed first."""
    value = value.strip()
    if not value or len(value) > 254:
        raise ValidationFailed.on("value", "Give the value to ban (1-254 characters).")
    if kind == "voter":
        return voter_id_key(keys, value)
    return value


def _pending_of(
    session: Session, site_id: int | None, kind: str, value: str, exclude: int | None
) -> list[Comment]:
    stmt = select(Comment).where(Comment.status == CommentStatus.PENDING)
    if site_id is not None:
        stmt = stmt.where(Comment.site_id == site_id)
    if kind == "email":
        stmt = stmt.where(func.lower(Comment.author_email) == value.lower())
    elif kind == "ip_hash":
        stmt = stmt.where(Comment.ip_hash == value)
    elif kind == "identity":
        stmt = stmt.where(Comment.identity_key == value)
    else:
        stmt = stmt.where(Comment.voter_key == value)
    if exclude is not None:
        stmt = stmt.where(Comment.id != exclude)
    return list(session.scalars(stmt.order_by(Comment.id).limit(MAX_PENDING_REJECTED)))


@dataclass(frozen=True)
class BanCreated:
    ban: Ban
    rejected_ids: list[int]
    batch: str


def create_ban(
    session: Session,
    actor: Principal,
    *,
    kind: str,
    site: Site | None = None,
    comment: Comment | None = None,
    value: str | None = None,
    duration: timedelta | None = None,
    reason: str = "",
    shadow: bool = False,
    reject_pending: bool = False,
    batch: str | None = None,
) -> BanCreated:
    """Ban the author of `comment` (or `value`) by `kind` on `site` (None: every site).

    With `reject_pending`, their pending comments on that site are rejected too (same batch, so
    one undo reverts it all). Needs moderate on the site; a ban on every site needs admin.
    """
    if kind not in BAN_KINDS:
        raise ValidationFailed.on("kind", "Use email, ip_hash, voter or identity.")
    if (comment is None) == (value is None):
        raise ValidationFailed.on("comment_id", "Give either comment_id or value.")
    if comment is not None and site is not None and comment.site_id != site.id:
        raise ValidationFailed.on("site", "The comment is on another site.")
    site_id = site.id if site is not None else None
    if site_id is None and comment is None:
        actor.require("admin", all_sites=True)
    elif site_id is None and comment is not None:
        site_id = comment.site_id
    if site_id is not None:
        actor.require("moderate", site_id)
    if duration is not None and duration <= timedelta(0):
        raise ValidationFailed.on("duration_days", "A ban lasts a positive time (or forever).")
    key = (
        _key_of_comment(comment, kind)
        if comment
        else _raw_value(keys_of(session), kind, value or "")
    )
    now = clock.now()
    ban = Ban(
        site_id=site_id,
        kind=kind,
        value_hash=ban_hash(keys_of(session), kind, key),
        shadow=shadow,
        reason=reason.strip()[:500],
        label=(comment.author_name if comment else "")[:200],
        comment_id=comment.id if comment else None,
        created_by=actor.label[:120],
        created_at=now,
        expires_at=now + duration if duration is not None else None,
    )
    session.add(ban)
    session.flush()
    batch = batch or audit.new_batch()
    audit.record(
        session,
        actor,
        "ban.add",
        target_kind="ban",
        target_id=ban.id,
        site_id=site_id,
        subject_key=comment.author_key if comment else None,
        before=None,
        after=ban_json(ban),
        reason=ban.reason,
        batch=batch,
    )
    rejected: list[int] = []
    if reject_pending:
        with deferred_training(session):
            for pending in _pending_of(session, site_id, kind, key, None):
                decide(session, actor, pending, "reject", reason="ban: " + ban.reason, batch=batch)
                rejected.append(pending.id)
    return BanCreated(ban, rejected, batch)


def lift_ban(session: Session, actor: Principal, ban_id: int, *, batch: str | None = None) -> Ban:
    ban = session.get(Ban, ban_id)
    if ban is None:
        raise NotFound("No such ban.")
    if ban.site_id is None:
        actor.require("admin", all_sites=True)
    else:
        actor.require("moderate", ban.site_id)
    if ban.lifted_at is None:
        before = ban_json(ban)
        ban.lifted_at = clock.now()
        session.flush()
        audit.record(
            session,
            actor,
            "ban.lift",
            target_kind="ban",
            target_id=ban.id,
            site_id=ban.site_id,
            before=before,
            after=ban_json(ban),
            batch=batch,
        )
    return ban


def list_bans(
    session: Session,
    site_ids: list[int] | None,
    *,
    active_only: bool = True,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Ban]:
    """Newest first. `site_ids` None: every ban; else those sites' bans and every-site bans."""
    stmt = select(Ban).order_by(Ban.id.desc()).limit(limit)
    if site_ids is not None:
        stmt = stmt.where(or_(Ban.site_id.in_(site_ids), Ban.site_id.is_(None)))
    if active_only:
        stmt = stmt.where(*_active(clock.now()))
    if before_id is not None:
        stmt = stmt.where(Ban.id < before_id)
    return list(session.scalars(stmt))


def ban_json(ban: Ban) -> dict[str, object]:
    now = clock.now()
    return {
        "id": ban.id,
        "site_id": ban.site_id,
        "kind": ban.kind,
        "shadow": ban.shadow,
        "label": ban.label,
        "reason": ban.reason,
        "comment_id": ban.comment_id,
        "created_by": ban.created_by,
        "created_at": isoformat(ban.created_at),
        "expires_at": isoformat(ban.expires_at),
        "lifted_at": isoformat(ban.lifted_at),
        "active": ban.lifted_at is None and (ban.expires_at is None or ban.expires_at > now),
    }
