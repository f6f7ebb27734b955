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

COMMENT_EVENTS = (
    "comment.created",
    "comment.approved",
    "comment.rejected",
    "comment.deleted",
    "comment.reported",
    "comment.edited",
)


@dataclass(frozen=True)
class KnownAbsent:
    """What a lookup found none of, so the rest of the same request need not ask again.

    A flag is True only when nothing of its kind existed when the lookup ran; False means "not
    known: ask". Posting asks for bans, the spam classifier, webhooks and the thread's watchers
    on every comment, and on most sites most of them find nothing; each skipped question is a
    round trip saved (docs/performance.md).
    """

    #: No ban that was not lifted (expired ones still count) on the site or on every site.
    bans: bool = False
    #: The site's spam score has never been trained.
    spam_classifier: bool = False
    #: The site has no active webhook.
    webhooks: bool = False
    #: Nobody has a confirmed subscription to the thread or to a comment in it.
    watchers: bool = False


NOTHING_KNOWN = KnownAbsent()


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
