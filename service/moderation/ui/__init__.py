"""The moderator web UI at /moderate: server-rendered pages and small framework-free JS on top of
`service.moderation` and `service.moderation.auth` (docs/moderation.md, "Moderator UI").

Every page is sent with a strict Content-Security-Policy (no inline script or style, nothing from
another origin), so even a sanitiser bug in a comment could not run script here. Everything a
reader wrote is rendered as text, except a comment's stored, sanitised HTML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request

from service.kernel import clock
from service.kernel.errors import ServiceError, ValidationFailed
from service.moderation.ui import (  # noqa: F401 - importing declares their routes
    login,
    queue_views,
    report_views,
    settings_views,
)
from service.moderation.ui.blueprint import moderate
from service.moderation.ui.common import page

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)


def web_href(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL (fit for an href), else None."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def when(value: datetime | None) -> str:
    return clock.utc(value).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def ago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = max(0, int((clock.now() - clock.utc(value)).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def iso(value: datetime | None) -> str:
    return clock.utc(value).isoformat() if value else ""


@moderate.context_processor
def _helpers() -> dict[str, Any]:
    return {"web_href": web_href, "when": when, "ago": ago, "iso": iso}


@moderate.before_request
def _refuse_nul_characters() -> None:
    """No text of the UI can hold a NUL (PostgreSQL refuses it in any string): 400, not 500."""
    sources = [request.args, request.form] if request.method == "POST" else [request.args]
    for source in sources:
        for _name, values in source.lists():
            if any("\x00" in value for value in values):
                raise ValidationFailed("The request holds a NUL character.")


@moderate.errorhandler(ServiceError)
def _error_page(error: ServiceError) -> Response:

    response = page("error.html", error.status, error=error)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _is_ui(path: str) -> bool:
    return path == "/moderate" or path.startswith("/moderate/")


def init_app(app: Flask) -> None:

    app.register_blueprint(moderate)

    @app.after_request
    def _lock_down_ui_pages(response: Response) -> Response:
        if _is_ui(request.path):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["X-Robots-Tag"] = "noindex"
        return response


__all__ = ["CONTENT_SECURITY_POLICY", "init_app", "moderate"]
