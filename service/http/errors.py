"""The one JSON error envelope on the wire: every `ServiceError`, HTTP error and unexpected
exception becomes `{"error": {"code", "message", "fields"}}` with its status (the error types
themselves are `service.kernel.errors`)."""

from __future__ import annotations

import json
import logging

from flask import Flask, Response, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from service.kernel.errors import (
    STATUS_CODES,
    ServiceError,
    all_error_classes,
    database_unavailable,
    is_connection_error,
    validation_error,
)

log = logging.getLogger(__name__)


def error_response(error: ServiceError) -> Response:
    response = Response(
        json.dumps(error.to_dict(), separators=(",", ":")),
        status=error.status,
        mimetype="application/json",
    )
    for name, value in error.headers.items():
        response.headers[name] = value
    response.headers["Cache-Control"] = "no-store"
    return response


def _from_http_exception(exc: HTTPException) -> ServiceError:
    status = exc.code or 500
    code = STATUS_CODES.get(status, "internal_error" if status >= 500 else "validation_failed")
    error_class = next(c for c in all_error_classes() if c.code == code)
    message = None
    if status == 413:
        message = "The request is larger than this server accepts."
    elif status == 400 and exc.description:
        message = str(exc.description)
    error = error_class(message)
    if status == 405 and exc.response is None:
        allowed = getattr(exc, "valid_methods", None)
        if allowed:
            error.headers["Allow"] = ", ".join(allowed)
    return error


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def _service_error(error: ServiceError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return error_response(_from_http_exception(exc))

    @app.errorhandler(ValidationError)
    def _pydantic_error(exc: ValidationError) -> Response:
        return error_response(validation_error(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if is_connection_error(exc):
            log.warning("database unavailable: %s", exc)
            return error_response(database_unavailable())
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(ServiceError())
