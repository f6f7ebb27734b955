"""The moderation guard: who is calling a moderation or admin route, and what they may do.

Two kinds of credentials make a `Principal`:
- `Authorization: Bearer <api token>` (`sidenote token add`): scope read < moderate < admin, on one
  site or (admin tokens only) on every site. Only the token's SHA-256 is stored.
- The moderator UI's session cookie (`sidenote_session`, HttpOnly, SameSite=Lax, Secure under
  https) from a username/password login (argon2id; `SIDENOTE_RATELIMIT_LOGIN` per IP hash and per
  username, through `service.http.limits.check_limit`).
  Role admin acts with scope admin on every site; role moderator with scope moderate on its
  assigned sites. Unsafe methods (POST, PUT, PATCH, DELETE) with a session must carry the CSRF
  token in `X-CSRF-Token` or the form field `csrf_token`.

`init_app` installs a guard in front of every route under `/api/v1/moderation`, `/api/v1/admin`
and `/moderate`: without valid credentials the answer is 401 `unauthorized` (HTML pages under
/moderate redirect to the login page instead), before any input is parsed. Views then call
`require(scope, site=...)` for the exact scope, which answers 403 `forbidden` when it is short.
A view that must work without credentials (the login form) is marked with `@public`. Accounts,
sessions and tokens themselves are `service.moderation.accounts`.

Readers who signed in (SSO users, verified guests) carry a different bearer token, `snr_…`,
resolved by `service.identity.sessions` on the public API only; here it is refused with a message
that says so, never mistaken for an API token.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

from flask import Flask, Response, g, redirect, request
from sqlalchemy.orm import Session

from service.comments.models import Site
from service.db import get_session
from service.http.context import settings
from service.http.limits import check_failures, count_failure
from service.http.mount import cookie_path
from service.kernel.actors import READER_TOKEN_PREFIX, Principal, Scope, is_protected
from service.kernel.errors import Forbidden, Unauthorized
from service.moderation import accounts
from service.moderation.accounts import LoggedIn

LOGIN_PATH = "/moderate/login"
SESSION_COOKIE = "sidenote_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# -- logging in ------------------------------------------------------------------------------


def login(session: Session, username: str, password: str, *, client_key: str) -> LoggedIn:
    """Check a moderator's password and open a session. `client_key` is the caller's IP hash.

    Unknown user, wrong password and disabled account all answer the same 401, in the same time.
    Failed attempts are limited per address (`SIDENOTE_RATELIMIT_LOGIN_FAILURES`) and per
    username and address (`SIDENOTE_RATELIMIT_LOGIN_FAILURES_USER`); the 429 comes before the
    slow hash. Nothing is counted per username alone, so failures from other addresses never
    lock a moderator out.
    """
    name = username.strip().lower()[:64]
    address, pair = f"ip:{client_key}", f"user:{name}|ip:{client_key}"
    check_failures("login_failures", [address])
    check_failures("login_failures_user", [pair])
    moderator = accounts.check_password(session, name, password)
    if moderator is None:
        count_failure("login_failures", [address])
        count_failure("login_failures_user", [pair])
        raise Unauthorized("Wrong username or password.")
    return accounts.open_session(session, moderator)


def _cookie_secure() -> bool:
    return request.is_secure or settings().public_url.startswith("https://")


def set_session_cookie(response: Response, logged_in: LoggedIn) -> Response:
    response.set_cookie(
        SESSION_COOKIE,
        logged_in.session_token,
        expires=logged_in.expires_at,
        path=cookie_path("/"),
        httponly=True,
        secure=_cookie_secure(),
        samesite="Lax",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def clear_session_cookie(response: Response) -> Response:
    response.delete_cookie(
        SESSION_COOKIE,
        path=cookie_path("/"),
        httponly=True,
        secure=_cookie_secure(),
        samesite="Lax",
    )
    return response


# -- the current principal -------------------------------------------------------------------


def _authenticate() -> Principal | None:
    header = request.headers.get("Authorization")
    session = get_session()
    if header is not None:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Use 'Authorization: Bearer <token>'.")
        if value.strip().startswith(READER_TOKEN_PREFIX):
            raise Unauthorized("A reader's session token does not open moderation or admin routes.")
        principal = accounts.token_principal(
            session, value.strip(), commit_use=request.method not in UNSAFE_METHODS
        )
        if principal is None:
            raise Unauthorized("The API token is unknown or revoked.")
        return principal
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw or len(raw) > 200:
        return None
    principal = accounts.principal_for_session(session, raw)
    if principal is None:
        return None
    if request.method in UNSAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.mimetype in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            sent = request.form.get(CSRF_FIELD)
        if not sent or not hmac.compare_digest(sent, principal.csrf_token or ""):
            raise Forbidden("The CSRF token is missing or wrong. Reload the page and try again.")
    return principal


def api_token_principal() -> Principal | None:
    """The caller's API token (`Authorization: Bearer snt_…`) on a public route; None when the
    request carries none (a reader session or nothing). An unknown or revoked one is 401."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not value.strip().startswith(accounts.TOKEN_PREFIX):
        return None
    return current_principal()


def current_principal() -> Principal | None:
    """The caller's principal, or None without credentials. Bad credentials raise 401/403."""
    if "sidenote_principal" not in g:
        g.sidenote_principal = _authenticate()
    principal: Principal | None = g.sidenote_principal
    return principal


def require(scope: Scope, site: Site | int | None = None, *, all_sites: bool = False) -> Principal:
    """The caller's principal if it has `scope` on `site` (on every site with `all_sites`; on
    at least one site when neither is given). 401 without credentials, 403 when short."""
    principal = current_principal()
    if principal is None:
        raise Unauthorized("Log in or send 'Authorization: Bearer <token>'.")
    site_id = site.id if isinstance(site, Site) else site
    principal.require(scope, site_id, all_sites=all_sites)
    return principal


P = ParamSpec("P")
R = TypeVar("R")


def requires(scope: Scope) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: the view needs `scope` on at least one site (check the exact site inside)."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            require(scope)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def public(view: Callable[P, R]) -> Callable[P, R]:
    """Mark a view under a protected prefix as reachable without credentials (login only)."""
    view.sidenote_public = True  # type: ignore[attr-defined]
    return view


def _wants_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"


def init_app(app: Flask) -> None:
    """Guard every protected route: credentials first, before any input is parsed; and mark
    every answer under those prefixes `Cache-Control: no-store` (they hold private data)."""
    accounts.dummy_hash()  # now, so the first login for an unknown user is not slower than others

    @app.before_request
    def _require_credentials() -> Any:
        if request.method == "OPTIONS" or not is_protected(request.path):
            return None
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "sidenote_public", False):
            return None
        if current_principal() is not None:
            return None
        if request.path.startswith("/moderate") and request.method == "GET" and _wants_html():
            return redirect(f"{LOGIN_PATH}?next={quote(request.full_path.rstrip('?'))}", 303)
        raise Unauthorized("Log in or send 'Authorization: Bearer <token>'.")

    @app.after_request
    def _never_cache_private_answers(response: Response) -> Response:
        if is_protected(request.path):
            response.headers["Cache-Control"] = "no-store"
        return response
