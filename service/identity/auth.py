"""The signed-in reader of the current request (`Authorization: Bearer snr_…`).

`init_app` resolves the token before the view and the rate limiter run, so limits count per
identity (`g.rate_identity`). A token that was sent but is unknown or expired makes
`current_reader()` answer 401, so the widget learns its session ended instead of posting as a
guest by mistake. Sessions themselves are `service.identity.sessions`.
"""

from __future__ import annotations

from flask import Flask, g, request

from service.db import get_session
from service.identity.sessions import Reader, resolve, session_refused
from service.kernel.actors import READER_TOKEN_PREFIX, is_protected
from service.kernel.errors import Unauthorized


def bearer_reader_token() -> str | None:
    """The reader token of `Authorization: Bearer snr_…`, if that is what was sent."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    if scheme.lower() != "bearer" or not value.startswith(READER_TOKEN_PREFIX):
        return None
    return value


def current_reader() -> Reader | None:
    """The signed-in reader, None for a guest; 401 if a reader token was sent but has ended."""
    if "sidenote_reader" not in g:
        raw = bearer_reader_token()
        g.sidenote_reader = resolve(get_session(), raw) if raw else None
        g.sidenote_reader_sent = raw is not None
    reader: Reader | None = g.sidenote_reader
    if reader is None and g.get("sidenote_reader_sent"):
        raise session_refused("Your session has ended. Sign in again.")
    return reader


def require_reader() -> Reader:
    reader = current_reader()
    if reader is None:
        raise Unauthorized("Sign in first: send 'Authorization: Bearer <session_token>'.")
    return reader


def init_app(app: Flask) -> None:
    """Resolve a reader token before the view (and its rate limit, which counts per identity)."""

    @app.before_request
    def _load_reader() -> None:
        if request.method == "OPTIONS" or not request.path.startswith("/api/v1/"):
            return
        if is_protected(request.path) or bearer_reader_token() is None:
            return
        try:
            reader = current_reader()
        except Unauthorized:
            return  # the view that needs it says so; a read does not care
        if reader is not None:
            g.rate_identity = reader.key
