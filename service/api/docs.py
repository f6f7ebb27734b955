"""The OpenAPI 3.1 document, built once per app from the operations its views declare."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app

from service.api import api
from service.api.openapi import DOCUMENT, app_operations, build_document, json_response
from service.api.schemas import ErrorOut


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] | None = current_app.extensions.get(DOCUMENT)
    if document is None:  # two requests may both build it: the same document, harmlessly
        document = current_app.extensions[DOCUMENT] = build_document(app_operations(), ErrorOut)
    return document


@api.get("/openapi.json")
def openapi() -> Response:
    response = json_response(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
