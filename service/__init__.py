"""Sidenote: self-hosted, moderated comments with inline comments and an embeddable widget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings, load_settings

if TYPE_CHECKING:
    from service.events import EventBus

#: The one place the version is written: pyproject.toml reads it (`dynamic`), `sidenote --version`
#: and the start-up log line print it.
__version__ = "0.1.0"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers. Connects to nothing.

    Everything an app is wired with lives on the app (`app.extensions["sidenote.…"]`): its
    event bus, features, mail templates, API operations and database listeners. Importing a
    module registers nothing, so two apps in one process never share any of it.
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SIDENOTE=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        TESTING=settings.env == "test",
    )
    from service.access_log import AccessLog

    # Inside ProxyFix: the logged path carries the prefix a trusted proxy declared.
    app.wsgi_app = AccessLog(  # type: ignore[method-assign]
        app.wsgi_app, trust_incoming_id=settings.trusted_proxies > 0
    )
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    from service import (
        api,
        auth,
        caching,
        db,
        errors,
        identity,
        inputs,
        moderate,
        mount,
        notifications,
        ops,
        web,
    )
    from service.abuse import limits
    from service.api.openapi import OPERATIONS, collect_operations
    from service.events import BUS, EventBus
    from service.features import FEATURES, default_features
    from service.notifications.compose import COMPOSERS

    bus = app.extensions[BUS] = EventBus()
    subscribe_handlers(bus)
    app.extensions[FEATURES] = default_features()
    app.extensions[COMPOSERS] = {}
    db.init_app(
        app, settings.sqlalchemy_url, durable_commits=settings.durable_commits, info={BUS: bus}
    )
    errors.register_error_handlers(app)
    mount.init_app(app)
    inputs.init_app(app)  # before auth: nothing unstorable reaches a query
    caching.init_app(app)
    auth.init_app(app)
    api.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    notifications.init_app(app)
    identity.init_app(app)
    moderate.init_app(app)
    app.extensions[OPERATIONS] = collect_operations(app)  # after every blueprint
    limits.init_app(app)  # after every blueprint: it wraps their rate-limited views
    return app


def subscribe_handlers(bus: EventBus) -> None:
    """Every handler of the comment events, in the order each event calls them.

    Moderation reacts first (a reported comment may be held again, decisions train the spam
    score), then notifications write their outbox rows (mails, webhooks) for what the comment
    has become, then identity asks an unverified guest to confirm their address.
    """
    from service.identity import guests
    from service.moderation import hooks
    from service.notifications import fanout

    handlers = [
        ("comment.created", fanout.on_created),
        ("comment.created", guests.on_comment_created),
        ("comment.approved", hooks.train_on_decision),
        ("comment.approved", fanout.on_approved),
        ("comment.rejected", hooks.train_on_decision),
        ("comment.rejected", fanout.on_rejected),
        ("comment.deleted", hooks.train_on_decision),
        ("comment.deleted", fanout.on_deleted),
        ("comment.reported", hooks.hold_when_reported),
        ("comment.reported", fanout.on_reported),
        ("comment.edited", fanout.on_edited),
    ]
    for name, handler in handlers:
        bus.subscribe(name, handler)
