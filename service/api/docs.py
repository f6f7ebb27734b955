"""The OpenAPI 3.1 document, built once per process from the declared operations."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response

from service.api import api
from service.api.openapi import build_document, json_response
from service.api.schemas import ErrorOut


@functools.cache
def openapi_document() -> dict[str, Any]:
    return build_document(ErrorOut)


@api.get("/openapi.json")
def openapi() -> Response:
    response = json_response(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
