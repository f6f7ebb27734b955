"""The OpenAPI 3.1 document, built once per app from the operations its views declare (served by
`service.http.api` at /api/v1/openapi.json)."""

from __future__ import annotations

from typing import Any

from flask import current_app
from pydantic import BaseModel

from service.http.operations import DOCUMENT, app_operations, build_document


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] | None = current_app.extensions.get(DOCUMENT)
    if document is None:  # two requests may both build it: the same document, harmlessly
        document = current_app.extensions[DOCUMENT] = build_document(app_operations(), ErrorOut)
    return document
