"""Domain events, delivered synchronously inside the transaction that caused them.

The comments and moderation domains announce what happened (`comment.created`, `comment.approved`,
…); other parts (notifications, webhooks, audit) subscribe and write their own rows in the same
session, so a change and its consequences commit or roll back together (transactional outbox).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from service.comments.models import Comment
from service.comments.sites import NOTHING_KNOWN, KnownAbsent

COMMENT_EVENTS = (
    "comment.created",
    "comment.approved",
    "comment.rejected",
    "comment.deleted",
    "comment.reported",
    "comment.edited",
)


@dataclass(frozen=True)
class CommentEvent:
    name: str
    comment: Comment
    #: The status before the change, when the event is a status change.
    previous_status: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    #: What the emitter's lookup found none of (webhooks, watchers): handlers skip asking.
    known_absent: KnownAbsent = NOTHING_KNOWN


Handler = Callable[[Session, CommentEvent], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


def subscribe(name: str, handler: Handler) -> None:
    if name not in COMMENT_EVENTS:
        raise ValueError(f"unknown event {name!r}")
    if handler not in _handlers[name]:
        _handlers[name].append(handler)


def emit(session: Session, event: CommentEvent) -> None:
    for handler in _handlers.get(event.name, ()):
        handler(session, event)
