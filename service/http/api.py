"""The JSON API's blueprint under /api/v1. Each feature's `api` module declares its operations on
it; `service.app.create_app` imports those modules and registers the blueprint."""

from __future__ import annotations

from flask import Blueprint, Flask

from service.http import compression, cors

api = Blueprint("api", __name__, url_prefix="/api/v1")

# The OpenAPI document's route, declared on the blueprint above.
from service.http import docs  # noqa: E402, F401


def init_app(app: Flask) -> None:
    app.register_blueprint(api)
    cors.init_app(app)
    compression.init_app(app)
