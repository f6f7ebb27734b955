"""Domain events, delivered synchronously inside the transaction that caused them.

The comments and moderation domains announce what happened (`comment.created`, `comment.approved`,
…); other parts (notifications, webhooks, audit) subscribe and write their own rows in the same
session, so a change and its consequences commit or roll back together (transactional outbox).

Subscribers live on each app's `EventBus`, never in this module: `create_app` subscribes them all
in one list (`service.app.subscribe_handlers`), and `emit` finds the bus from the session (the app's
`Database` puts it in `session.info`), so emitting code needs no bus argument and two apps in one
process hear only their own handlers.
"""

from __future__ import annotations

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
BatchHandler = Callable[[Session, list[CommentEvent]], None]

#: Where an app keeps its bus: `app.extensions[BUS]`, and `session.info[BUS]` on the sessions
#: its `Database` makes (so domain code finds it from the session it already has).
BUS = "sidenote.bus"


class EventBus:
    """One app's subscribers, by event name, called in the order they were subscribed.

    Each app builds its own (`create_app` subscribes every handler in one list,
    `service.app.subscribe_handlers`), so two apps in one process never share handlers.
    """

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = {}
        #: A handler's form for many events of one kind at once (`emit_many`), where it has one.
        self._batch_forms: dict[Handler, BatchHandler] = {}

    def subscribe(self, name: str, handler: Handler, *, many: BatchHandler | None = None) -> None:
        """Call `handler` for each `name` event; `many`, if given, handles a batch of them
        (`emit_many`) with the same outcome as `handler` on each, in fewer statements."""
        if name not in COMMENT_EVENTS:
            raise ValueError(f"unknown event {name!r}")
        handlers = self._handlers.setdefault(name, [])
        if handler not in handlers:
            handlers.append(handler)
        if many is not None:
            self._batch_forms[handler] = many

    def unsubscribe(self, name: str, handler: Handler) -> None:
        handlers = self._handlers.get(name, [])
        if handler in handlers:
            handlers.remove(handler)
            if not any(handler in others for others in self._handlers.values()):
                self._batch_forms.pop(handler, None)

    def handlers(self, name: str) -> tuple[Handler, ...]:
        return tuple(self._handlers.get(name, ()))

    def subscriptions(self) -> list[tuple[str, Handler]]:
        """Every (event, handler) pair, in delivery order: what tests compare."""
        return [
            (name, handler) for name, handlers in self._handlers.items() for handler in handlers
        ]

    def emit(self, session: Session, event: CommentEvent) -> None:
        for handler in self.handlers(event.name):
            handler(session, event)

    def emit_many(self, session: Session, batch: list[CommentEvent]) -> None:
        """Emit many events (a bulk decision): per kind, in order, each handler once with all
        of them if it has a batch form, else once per event."""
        by_name: dict[str, list[CommentEvent]] = {}
        for event in batch:
            by_name.setdefault(event.name, []).append(event)
        for name, found in by_name.items():
            for handler in self.handlers(name):
                many = self._batch_forms.get(handler)
                if many is not None:
                    many(session, found)
                else:
                    for event in found:
                        handler(session, event)


def bus_of(session: Session) -> EventBus:
    """The bus of the app whose database made `session`. A session made any other way has none,
    and emitting on it is a programming error: an event nobody could hear would silently lose
    its mails and webhooks."""
    bus = session.info.get(BUS)
    if isinstance(bus, EventBus):
        return bus
    raise RuntimeError("no event bus: use a session of the app's Database")


def emit(session: Session, event: CommentEvent) -> None:
    bus_of(session).emit(session, event)


def emit_many(session: Session, batch: list[CommentEvent]) -> None:
    bus_of(session).emit_many(session, batch)
