"""The JSON API under /api/v1: public comments (and, from their modules, moderation and admin)."""

from __future__ import annotations

from flask import Blueprint, Flask

api = Blueprint("api", __name__, url_prefix="/api/v1")


def init_app(app: Flask) -> None:
    from service.api import (  # noqa: F401 - importing registers the routes
        compression,
        cors,
        docs,
        fast_reads,
        moderation,
        portability,
        public,
        sso,
        subscriptions,
        webhooks,
    )

    app.register_blueprint(api)
    cors.init_app(app)
    compression.init_app(app)
    fast_reads.init_app(app)
