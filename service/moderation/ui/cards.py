"""What the UI adds to `queue.cards`: which authors are trusted and which ban kinds each card can
offer (one query per page), and banning the authors of several comments as one undoable batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.http.context import keys
from service.kernel.actors import Principal
from service.kernel.errors import ServiceError, ValidationFailed
from service.moderation import audit, bans, decisions
from service.moderation.models import TrustedAuthor
from service.moderation.queue import QueueItem

BAN_KIND_LABELS = {
    "email": "Email address",
    "ip_hash": "IP address group",
    "voter": "Browser (voter id)",
    "identity": "Verified identity",
}
#: Offered ban lengths in days (None: until lifted).
BAN_DURATIONS: list[tuple[str, str]] = [
    ("1", "1 day"),
    ("7", "7 days"),
    ("30", "30 days"),
    ("365", "1 year"),
    ("", "Until lifted"),
]


@dataclass(frozen=True)
class Card:
    item: QueueItem
    trusted: bool
    ban_kinds: list[str]


def card_details(session: Session, items: Sequence[QueueItem]) -> list[Card]:
    if not items:
        return []
    hashes = {
        i.comment.id: decisions.trust_hash(keys(), i.comment.identity_key)
        for i in items
        if i.comment.identity_key
    }
    trusted: set[tuple[int, str]] = set()
    if hashes:
        trusted = {
            (site_id, identity_hash)
            for site_id, identity_hash in session.execute(
                select(TrustedAuthor.site_id, TrustedAuthor.identity_hash).where(
                    TrustedAuthor.site_id.in_({i.comment.site_id for i in items}),
                    TrustedAuthor.identity_hash.in_(set(hashes.values())),
                )
            )
        }
    cards = []
    for item in items:
        comment = item.comment
        kinds = []
        if comment.author_email.strip():
            kinds.append("email")
        if comment.ip_hash:
            kinds.append("ip_hash")
        if comment.voter_key:
            kinds.append("voter")
        if comment.identity_key:
            kinds.append("identity")
        key = hashes.get(comment.id)
        cards.append(Card(item, key is not None and (comment.site_id, key) in trusted, kinds))
    return cards


@dataclass(frozen=True)
class BulkBan:
    results: list[dict[str, Any]]
    batch: str


def ban_authors(
    session: Session,
    actor: Principal,
    comment_ids: Sequence[int],
    *,
    kind: str,
    duration: timedelta | None,
    reason: str = "",
    shadow: bool = False,
    reject_pending: bool = False,
) -> BulkBan:
    """Ban the author of each comment (each person once), all in one undoable batch; a comment
    whose author cannot be banned that way is answered on its own, like a bulk decision."""
    if len(comment_ids) > decisions.MAX_BULK:
        raise ValidationFailed.on("ids", f"Ban at most {decisions.MAX_BULK} authors at once.")
    batch = audit.new_batch()
    results: list[dict[str, Any]] = []
    done: set[tuple[int, str]] = set()
    for comment_id in dict.fromkeys(comment_ids):
        try:
            with session.begin_nested():
                comment = decisions.comment_for(session, actor, comment_id)
                person = (comment.site_id, _person_key(comment, kind))
                if person in done:
                    results.append({"id": comment_id, "ok": True, "ban_id": None})
                    continue
                created = bans.create_ban(
                    session,
                    actor,
                    kind=kind,
                    comment=comment,
                    duration=duration,
                    reason=reason,
                    shadow=shadow,
                    reject_pending=reject_pending,
                    batch=batch,
                )
                done.add(person)
            results.append({"id": comment_id, "ok": True, "ban_id": created.ban.id})
        except ServiceError as error:
            results.append({"id": comment_id, "ok": False, "error": error.to_dict()["error"]})
    return BulkBan(results, batch)


def _person_key(comment: Comment, kind: str) -> str:
    if kind == "email":
        return comment.author_email.strip().lower() or f"#{comment.id}"
    if kind == "ip_hash":
        return comment.ip_hash or f"#{comment.id}"
    if kind == "identity":
        return comment.identity_key or f"#{comment.id}"
    return comment.voter_key or f"#{comment.id}"
