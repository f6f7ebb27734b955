"""Non-API pages: the widget's static files and, in development, the demo article."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    render_template,
    request,
    send_from_directory,
)

from service.demo import DEMO_SITE
from service.demo.sso_site import demo_token
from service.http.context import settings

web = Blueprint("web", __name__)

#: Built by `make embed` from embed/ into service/static/ (committed); inline.js once it exists.
#: embed.js loads write.js and inline.js itself, as `NAME?v=HASH` (see `chunk_version`).
WIDGET_FILES = ("embed.js", "count.js", "write.js", "inline.js")
#: A versioned chunk never changes under its URL: browsers and CDNs keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
DEMO_THEMES = ("light", "dark", "auto")
DEMO_LANGUAGES = ("en", "de", "fr", "es", "ko", "ja")
#: The /csp demo page proves the widget needs nothing a strict policy forbids: no inline script
#: or style, no eval, no host but Sidenote's own in script-src and connect-src (styles go through
#: adoptedStyleSheets). `{sidenote}` is Sidenote's origin (SIDENOTE_PUBLIC_URL) when it has one.
STRICT_CSP = (
    "default-src 'none'; script-src 'self'{sidenote}; connect-src 'self'{sidenote}; "
    "style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)


@lru_cache(maxsize=16)
def _content_version(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def chunk_version(static_folder: str, name: str) -> str:
    """The version embed.js asks for: the first 12 hex digits of the file's SHA-256, as
    embed/scripts/build.mjs computes it when it compiles the chunk's URL into embed.js."""
    path = Path(static_folder) / name
    stat = path.stat()
    return _content_version(path, stat.st_mtime_ns, stat.st_size)


@web.get("/embed.js")
@web.get("/count.js")
@web.get("/write.js")
@web.get("/inline.js")
def widget_script() -> Response:
    """The widget's scripts, cacheable for five minutes (the page names embed.js and count.js
    without a version); a chunk asked for with its current `?v=` content hash, for a year."""
    name = request.path.lstrip("/")
    static_folder = current_app.static_folder
    assert static_folder is not None
    response = send_from_directory(static_folder, name, max_age=300)
    version = request.args.get("v")
    chunk = name in ("write.js", "inline.js")
    if version and chunk and version == chunk_version(static_folder, name):
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers.pop("Expires", None)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _demo_page(strict: bool) -> str:
    if not settings().is_development:
        abort(404)
    theme = request.args.get("theme", "auto")
    lang = request.args.get("lang", "")
    return render_template(
        "demo.html",
        # The widget comes from SIDENOTE_PUBLIC_URL: opened on another origin (localhost for
        # 127.0.0.1), the page embeds Sidenote cross-origin, as a real site does.
        sidenote=settings().public_url,
        strict=strict,
        theme=theme if theme in DEMO_THEMES else "auto",
        lang=lang if lang in DEMO_LANGUAGES else "",
    )


#: The demo page's "sign in as a demo user" switch signs in as this reader of the demo site.
DEMO_READER = {"sub": "demo-reader", "name": "Demo Reader", "url": "https://example.org/"}


@web.post("/demo/sso-token")
def demo_sso_token() -> Response:
    """Development only: what a real site's server does for its logged-in reader (docs/sso.md):
    sign a short JWT with the site's SSO secret, for the widget to exchange."""
    if not settings().is_development:
        abort(404)

    response = jsonify({"token": demo_token(DEMO_SITE, DEMO_READER)})
    response.headers["Cache-Control"] = "no-store"
    return response


@web.get("/")
def demo_article() -> str:
    return _demo_page(strict=False)


@web.get("/csp")
def demo_article_strict_csp() -> Response:
    response = Response(_demo_page(strict=True))
    public_url = settings().public_url
    response.headers["Content-Security-Policy"] = STRICT_CSP.format(
        sidenote=f" {public_url}" if public_url else ""
    )
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(web)

    @app.after_request
    def _static_is_public(response: Response) -> Response:
        if request.endpoint == "static":
            response.headers["Access-Control-Allow-Origin"] = "*"
        return response
