"""The OpenAPI 3.1 document, built once per process from the declared operations."""

from __future__ import annotations

import functools
from typing import Any

from flask import Response
from pydantic import BaseModel

from service.http.api import api
from service.http.operations import build_document, json_response


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


@functools.cache
def openapi_document() -> dict[str, Any]:
    return build_document(ErrorOut)


@api.get("/openapi.json")
def openapi() -> Response:
    response = json_response(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
