"""The JSON API's blueprint under /api/v1. Each feature's `api` module declares its operations on
it; `service.app.create_app` imports those modules and registers the blueprint."""

from __future__ import annotations

from flask import Blueprint, Flask, Response

from service.http import compression, cors, docs
from service.http.operations import json_response

api = Blueprint("api", __name__, url_prefix="/api/v1")


@api.get("/openapi.json")
def openapi() -> Response:
    response = json_response(docs.openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def init_app(app: Flask, origins: cors.OriginLookup) -> None:
    app.register_blueprint(api)
    cors.init_app(app, origins)
    compression.init_app(app)
