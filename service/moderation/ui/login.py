"""Logging in and out of the moderator UI.

The login form is the one view under /moderate that answers without credentials, so the auth
guard's CSRF check cannot cover it (there is no session yet). It carries its own: a signed
double submit. The form GET sets a random value in a SameSite=Strict, HttpOnly cookie and puts
its keyed hash in the form; the POST must bring both, and they must match. A cross-site page can
neither read the cookie nor make the browser send it, so it cannot log a victim in to an
attacker's account (login CSRF).
"""

from __future__ import annotations

import hmac
import secrets

from flask import Response, redirect, request

from service.http.context import ip_hash, keys, settings
from service.http.mount import cookie_path
from service.kernel.errors import ServiceError
from service.moderation import accounts, auth
from service.moderation.ui.blueprint import moderate
from service.moderation.ui.common import HOME, act, page, safe_next

LOGIN_CSRF_COOKIE = "sidenote_login_csrf"
LOGIN_CSRF_PURPOSE = "moderate.login-csrf"
LOGIN_CSRF_SECONDS = 3 * 3600


def _login_token(nonce: str) -> str:
    return keys().hash(LOGIN_CSRF_PURPOSE, nonce, length=64)


def _login_csrf_ok() -> bool:
    nonce = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    sent = request.form.get("login_token", "")
    if not nonce or not sent or len(nonce) > 100 or len(sent) > 100:
        return False
    return hmac.compare_digest(sent, _login_token(nonce))


def _login_page(
    next_path: str,
    *,
    status: int = 200,
    error: str = "",
    username: str = "",
    headers: dict[str, str] | None = None,
) -> Response:
    nonce = secrets.token_urlsafe(24)
    response = page(
        "login.html",
        status,
        next_path=next_path,
        login_token=_login_token(nonce),
        error=error,
        username=username,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        nonce,
        max_age=LOGIN_CSRF_SECONDS,
        path=cookie_path("/moderate/login"),
        httponly=True,
        secure=request.is_secure or settings().public_url.startswith("https://"),
        samesite="Strict",
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@moderate.get("/login")
@auth.public
def login_form() -> Response:
    next_path = safe_next(request.args.get("next"))
    if auth.current_principal() is not None:
        return redirect(next_path, 303)  # type: ignore[return-value]
    return _login_page(next_path)


@moderate.post("/login")
@auth.public
def login_submit() -> Response:
    next_path = safe_next(request.form.get("next"))
    username = (request.form.get("username") or "").strip()[:64]
    password = (request.form.get("password") or "")[:1024]
    if not _login_csrf_ok():
        return _login_page(
            next_path,
            status=400,
            error="This login form had expired. Please try again.",
            username=username,
        )
    if not username or not password:
        return _login_page(
            next_path, status=400, error="Enter your username and password.", username=username
        )
    logged_in = act(lambda session: auth.login(session, username, password, client_key=ip_hash()))
    if isinstance(logged_in, ServiceError):
        return _login_page(
            next_path,
            status=logged_in.status,
            error=logged_in.message,
            username=username,
            headers=logged_in.headers,
        )
    response: Response = redirect(next_path, 303)  # type: ignore[assignment]
    auth.set_session_cookie(response, logged_in)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=cookie_path("/moderate/login"))
    return response


@moderate.post("/logout")
def logout() -> Response:
    auth.require("read")
    act(lambda session: accounts.logout(session, request.cookies.get(auth.SESSION_COOKIE)))
    response: Response = redirect("/moderate/login", 303)  # type: ignore[assignment]
    return auth.clear_session_cookie(response)


@moderate.get("/")
def home() -> Response:
    auth.require("read")
    return redirect(HOME, 303)  # type: ignore[return-value]
