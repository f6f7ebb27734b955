"""Serving under a path prefix (`https://example.com/comments/` behind a proxy).

The prefix reaches the app as WSGI's `SCRIPT_NAME`: gunicorn takes it from its `SCRIPT_NAME`
environment variable, and ProxyFix from a trusted proxy's `X-Forwarded-Prefix`
(`SIDENOTE_TRUSTED_PROXIES`). Views and templates speak in app paths (`/moderate/queue`); this
module adds the prefix where a browser sees them:

- templates write `{{ root }}/moderate/…` in every href, src and form action;
- a redirect to an app path (`Location: /moderate/login`) gets the prefix here, in one place;
- cookie paths come from `cookie_path()`; the moderation script reads the prefix from
  `<meta name="sidenote-root">`;
- mail links start with `SIDENOTE_PUBLIC_URL`, which names the prefix (`https://example.com/comments`).

`next` parameters stay app paths (they are checked against `/moderate/…`), and become URLs only
through a redirect, which adds the prefix.
"""

from __future__ import annotations

from flask import Flask, Response, has_request_context, request


def root() -> str:
    """The prefix the app is served under, without a trailing slash ("" at the top, and outside a
    request: mails rendered by the worker link through SIDENOTE_PUBLIC_URL, never `root`)."""
    return request.script_root if has_request_context() else ""


def cookie_path(path: str = "/") -> str:
    """`path` (an app path) as the browser sees it under the prefix."""
    prefix = root()
    if not prefix:
        return path
    return prefix if path == "/" else prefix + path


def _prefix_redirect(response: Response) -> Response:
    location = response.headers.get("Location")
    prefix = root()
    if (
        prefix
        and location
        and location.startswith("/")
        and not location.startswith("//")
        and location != prefix
        and not location.startswith(prefix + "/")
    ):
        response.headers["Location"] = prefix + location
    return response


def init_app(app: Flask) -> None:
    app.after_request(_prefix_redirect)

    @app.context_processor
    def _root() -> dict[str, str]:
        return {"root": root()}
