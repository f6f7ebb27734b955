"""The OpenAPI 3.1 document, built once per process from the declared operations (served by
`service.http.api` at /api/v1/openapi.json)."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

from service.http.operations import build_document


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str] | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


@functools.cache
def openapi_document() -> dict[str, Any]:
    return build_document(ErrorOut)
