"""Sidenote: self-hosted, moderated comments with inline comments and an embeddable widget."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from service.config import Settings, load_settings

#: The one place the version is written: pyproject.toml reads it (`dynamic`), `sidenote --version`
#: and the start-up log line print it.
__version__ = "0.1.0"


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers. Connects to nothing."""
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

    db.init_app(app, settings.sqlalchemy_url, durable_commits=settings.durable_commits)
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
    limits.init_app(app)  # after every blueprint: it wraps their rate-limited views
    return app
