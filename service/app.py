"""The app factory: config, then the parts in dependency order, then the feature edges. No I/O."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service import db, identity, notifications, ops, web
from service.comments import api as comments_api
from service.comments import caching, fast_reads
from service.comments.origins import OriginCache
from service.comments.sites import POSTING_PROBES_KEY
from service.http import api, limits, metrics, mount, request_checks
from service.http import errors as http_errors
from service.http.access_log import AccessLog
from service.identity import api as identity_api
from service.kernel.config import Settings, load_settings
from service.moderation import api as moderation_api
from service.moderation import auth
from service.moderation import models as moderation_models
from service.moderation import ui as moderate
from service.notifications import api as notifications_api
from service.notifications import models as notifications_models
from service.notifications import webhook_api
from service.portability import api as portability_api

#: The web edges that declare operations on the `api` blueprint when imported.
API_EDGES = (
    comments_api,
    identity_api,
    moderation_api,
    notifications_api,
    webhook_api,
    portability_api,
)


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers. Connects to nothing."""
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
    db.init_app(app, settings.sqlalchemy_url, durable_commits=settings.durable_commits)
    http_errors.register_error_handlers(app)
    mount.init_app(app)
    request_checks.init_app(app)  # before auth: nothing unstorable reaches a query
    metrics.init_app(app)  # before the read fast path, which counts into them
    caching.init_app(app)
    auth.init_app(app)
    api.init_app(app, OriginCache())
    fast_reads.init_app(app)
    web.init_app(app)
    ops.init_app(app)
    notifications.init_app(app)
    identity.init_app(app)
    moderate.init_app(app)
    limits.init_app(app)  # after every blueprint: it wraps their rate-limited views
    return app
