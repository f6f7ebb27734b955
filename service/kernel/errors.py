"""One error type and one JSON envelope for every failure the service reports.

Domain code raises a `ServiceError` subclass; the edge turns it into
`{"error": {"code", "message", "fields"?}}` with the matching status. The codes are a public
contract (widget, integrators and outside tests rely on them): add one only together with its entry
in `ERROR_CODES`, which the OpenAPI document lists.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

ERROR_CODES: dict[str, tuple[int, str]] = {
    "validation_failed": (400, "The request is malformed or a field is invalid."),
    "unauthorized": (401, "Credentials are missing or invalid."),
    "sso_required": (401, "This site requires signing in through its own accounts."),
    "sso_invalid": (401, "The single sign-on token is invalid."),
    "forbidden": (403, "The credentials do not allow this."),
    "confirmation_required": (403, "Confirm this on the device first."),
    "edit_window_closed": (403, "The time to edit or delete this comment has passed."),
    "thread_locked": (403, "This discussion is closed for new comments."),
    "banned": (403, "You cannot comment on this site."),
    "origin_not_allowed": (403, "This page's origin is not one of the site's origins."),
    "not_found": (404, "Nothing here."),
    "method_not_allowed": (405, "This method is not allowed here."),
    "payload_too_large": (413, "The request is too large."),
    "unsupported_media_type": (415, "Send JSON with Content-Type: application/json."),
    "rejected_by_policy": (422, "The comment was not accepted. Please revise it."),
    "rate_limited": (429, "Too many requests. Please wait a moment."),
    "internal_error": (500, "Something went wrong on our side."),
    "service_unavailable": (503, "The service is briefly unavailable. Please retry."),
}

STATUS_CODES = {
    400: "validation_failed",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "rejected_by_policy",
    429: "rate_limited",
    503: "service_unavailable",
}


class ServiceError(Exception):
    """Base of every error the service reports to a caller."""

    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str | None = None,
        *,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = ERROR_CODES[self.code][0]
        self.message = message or ERROR_CODES[self.code][1]
        self.fields = dict(fields) if fields else None
        self.headers = dict(headers or {})
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class ValidationFailed(ServiceError):
    code = "validation_failed"

    @classmethod
    def on(cls, field: str, message: str) -> ValidationFailed:
        return cls(message, fields={field: message})


class Unauthorized(ServiceError):
    code = "unauthorized"


class ConfirmationRequired(ServiceError):
    """The request acts on someone's behalf from another browser than theirs: ask the reader
    first; `fields["confirm"]` is the question to show, `"confirm": true` the answer."""

    code = "confirmation_required"


class SsoRequired(ServiceError):
    code = "sso_required"


class SsoInvalid(ServiceError):
    code = "sso_invalid"


class Forbidden(ServiceError):
    code = "forbidden"


class EditWindowClosed(ServiceError):
    code = "edit_window_closed"


class ThreadLocked(ServiceError):
    code = "thread_locked"


class Banned(ServiceError):
    code = "banned"


class OriginNotAllowed(ServiceError):
    """A page on an origin the site does not list asked for the site's configuration.

    Readable by any origin (the widget on that page must be able to say what is wrong), so it
    names only what the page sent: its origin and the slug, never the site's data or origins.
    """

    code = "origin_not_allowed"

    def __init__(self, origin: str, slug: str) -> None:
        super().__init__(
            f"this page's origin {origin} is not one of site '{slug}''s origins; "
            f"add it with `sidenote site update {slug} --origin …`",
            headers={"Access-Control-Allow-Origin": "*"},
        )


class NotFound(ServiceError):
    code = "not_found"


class MethodNotAllowed(ServiceError):
    code = "method_not_allowed"


class PayloadTooLarge(ServiceError):
    code = "payload_too_large"


class UnsupportedMediaType(ServiceError):
    code = "unsupported_media_type"


class RejectedByPolicy(ServiceError):
    code = "rejected_by_policy"
    #: What the pipeline refused (`service.moderation.refusals.Refusal`), to be recorded.
    refusal: Any = None


class RateLimited(ServiceError):
    code = "rate_limited"


class ServiceUnavailable(ServiceError):
    code = "service_unavailable"


def fields_from_pydantic(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Dotted field paths (`author.website`, `anchor.quote.exact`) to the first message of each."""
    fields: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        parts = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
        path = ".".join(([prefix] if prefix else []) + parts) or "body"
        message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        fields.setdefault(path, message)
    return fields


def validation_error(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    fields = fields_from_pydantic(exc, prefix)
    first = next(iter(fields.items()))
    return ValidationFailed(f"{first[0]}: {first[1]}", fields=fields)


def all_error_classes() -> list[type[ServiceError]]:
    return [ServiceError, *ServiceError.__subclasses__()]


def database_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The database is briefly unavailable. Please retry.", headers={"Retry-After": "5"}
    )


def is_connection_error(exc: BaseException) -> bool:
    """True for errors that mean 'the database is not reachable', not 'this query is wrong'."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig).lower()
        return any(
            marker in text
            for marker in (
                "connection",
                "server closed",
                "terminating",
                "database is locked",
                "could not connect",
                "shutting down",
                "the database system is",
            )
        )
    return False
