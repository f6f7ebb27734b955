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

from service.comments.sites import NOTHING_KNOWN, KnownAbsent
from service.models import Comment

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
BatchHandler = Callable[[Session, list[CommentEvent]], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)
#: A handler's form for many events of one kind at once (`emit_many`), where it has one.
_batch_forms: dict[Handler, BatchHandler] = {}


def subscribe(name: str, handler: Handler, *, many: BatchHandler | None = None) -> None:
    """Call `handler` for each `name` event; `many`, if given, handles a batch of them
    (`emit_many`) with the same outcome as `handler` on each, in fewer statements."""
    if name not in COMMENT_EVENTS:
        raise ValueError(f"unknown event {name!r}")
    if handler not in _handlers[name]:
        _handlers[name].append(handler)
    if many is not None:
        _batch_forms[handler] = many


def emit(session: Session, event: CommentEvent) -> None:
    for handler in _handlers.get(event.name, ()):
        handler(session, event)


def emit_many(session: Session, batch: list[CommentEvent]) -> None:
    """Emit many events (a bulk decision): per kind, in order, each handler once with all of
    them if it has a batch form, else once per event."""
    by_name: dict[str, list[CommentEvent]] = defaultdict(list)
    for event in batch:
        by_name[event.name].append(event)
    for name, found in by_name.items():
        for handler in _handlers.get(name, ()):
            many = _batch_forms.get(handler)
            if many is not None:
                many(session, found)
            else:
                for event in found:
                    handler(session, event)
