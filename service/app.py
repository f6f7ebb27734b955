"""The app factory: config, then the parts in dependency order, then the feature edges. No I/O."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service import db, ops, web
from service.comments import api as comments_api
from service.comments import fast_reads, read_api
from service.comments.events import BUS, BatchHandler, EventBus, Handler
from service.comments.features import FEATURES, default_features
from service.comments.origins import OriginCache
from service.comments.sites import POSTING_PROBES_KEY
from service.http import api, limits, metrics, mount, request_checks
from service.http import errors as http_errors
from service.http.access_log import AccessLog
from service.http.context import KEYS
from service.http.operations import OPERATIONS, collect_operations
from service.identity import api as identity_api
from service.identity import guests
from service.identity import wiring as identity_wiring
from service.kernel.config import Settings, load_settings
from service.kernel.keys import Keys
from service.moderation import admin_api, auth, hooks
from service.moderation import api as moderation_api
from service.moderation import models as moderation_models
from service.moderation import ui as moderate
from service.notifications import api as notifications_api
from service.notifications import fanout, webhook_api
from service.notifications import models as notifications_models
from service.notifications import wiring as notifications_wiring
from service.notifications.compose import COMPOSERS
from service.portability import api as portability_api
from service.privacy import api as privacy_api
from service.worker import ensure_inline_worker

#: The web edges that declare operations on the `api` blueprint when imported.
API_EDGES = (
    comments_api,
    identity_api,
    moderation_api,
    admin_api,
    notifications_api,
    webhook_api,
    portability_api,
    privacy_api,
)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers. Connects to nothing.

    Everything an app is wired with lives on the app (`app.extensions["sidenote.…"]`): its
    event bus, features, mail templates, API operations, metrics and database listeners.
    Importing a module registers nothing, so two apps in one process never share any of it.
    """
    settings = settings or load_settings()
    app = Flask("service")
    app.config.update(
        SIDENOTE=settings,
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        TESTING=settings.env == "test",
    )
    # Inside ProxyFix: the logged path carries the prefix a trusted proxy declared.
    app.wsgi_app = AccessLog(  # type: ignore[method-assign]
        app.wsgi_app, trust_incoming_id=settings.trusted_proxies > 0
    )
    if settings.trusted_proxies:
        hops = settings.trusted_proxies
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )

    app.extensions[POSTING_PROBES_KEY] = (
        moderation_models.POSTING_PROBES + notifications_models.POSTING_PROBES
    )
    bus = app.extensions[BUS] = EventBus()
    subscribe_handlers(bus)
    app.extensions[FEATURES] = default_features()
    app.extensions[COMPOSERS] = {}
    keys = app.extensions[KEYS] = Keys(settings.secret_key)
    db.init_app(
        app,
        settings.sqlalchemy_url,
        durable_commits=settings.durable_commits,
        info={BUS: bus, db.SETTINGS_INFO: settings, db.KEYS_INFO: keys},
    )
    http_errors.register_error_handlers(app)
    mount.init_app(app)
    request_checks.init_app(app)  # before auth: nothing unstorable reaches a query
    metrics.init_app(app)  # before the read fast path, which counts into them
    read_api.init_app(app)
    auth.init_app(app)
    api.init_app(app, OriginCache())
    fast_reads.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    notifications_wiring.init_app(app)
    identity_wiring.init_app(app)
    moderate.init_app(app)
    app.extensions[OPERATIONS] = collect_operations(app)  # after every blueprint
    limits.init_app(app)  # after every blueprint: it wraps their rate-limited views
    if settings.worker == "inline":
        app.before_request(lambda: ensure_inline_worker(app))
    return app


def subscribe_handlers(bus: EventBus) -> None:
    """Every handler of the comment events, in the order each event calls them.

    For each event, moderation reacts first where it reacts at all (a reported comment may be
    held again, decisions train the spam score), then notifications write their outbox rows
    (mails, webhooks) for what the comment has become; a new comment from an unverified guest
    also asks them to confirm their address. The third column is a handler's batch form for
    a bulk decision (`emit_many`), where it has one.
    """
    handlers: list[tuple[str, Handler, BatchHandler | None]] = [
        ("comment.created", fanout.on_created, None),
        ("comment.created", guests.on_comment_created, None),
        ("comment.approved", hooks.train_on_decision, None),
        ("comment.approved", fanout.on_approved, fanout.on_approved_many),
        ("comment.rejected", hooks.train_on_decision, None),
        ("comment.rejected", fanout.on_rejected, fanout.on_rejected_many),
        ("comment.deleted", hooks.train_on_decision, None),
        ("comment.deleted", fanout.on_deleted, None),
        ("comment.reported", hooks.hold_when_reported, None),
        ("comment.reported", fanout.on_reported, None),
        ("comment.edited", fanout.on_edited, None),
    ]
    for name, handler, many in handlers:
        bus.subscribe(name, handler, many=many)
