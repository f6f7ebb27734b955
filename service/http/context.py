"""What a request's edge code reads from the app serving it: its settings, its keys, the client.

Only edges (a feature's `api`, `pages`, `ui`, `commands`) use these; domain code is handed the
same objects (`service.db.settings_of` / `keys_of` on the session it is given, or arguments).
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from service.kernel.config import Settings
from service.kernel.keys import Keys

#: Where `create_app` keeps the app's `Keys` (`app.extensions[KEYS]`).
KEYS = "sidenote.keys"


def settings() -> Settings:
    value: Settings = current_app.config["SIDENOTE"]
    return value


def keys() -> Keys:
    value: Keys = current_app.extensions[KEYS]
    return value


def client_ip() -> str:
    """The client's address; ProxyFix has already applied SIDENOTE_TRUSTED_PROXIES."""
    return request.remote_addr or "0.0.0.0"  # noqa: S104 - a placeholder, never a bind address


def ip_hash(ip: str | None = None) -> str:
    return keys().ip_hash(ip if ip is not None else client_ip())


# -- transitional: the current app's keys, while domain modules move to `keys_of(session)` -----


def keyed_hash(purpose: str, value: str, *, length: int = 32) -> str:
    return keys().hash(purpose, value, length=length)


def signer(purpose: str) -> URLSafeSerializer:
    return keys().signer(purpose)


def timed_signer(purpose: str) -> URLSafeTimedSerializer:
    return keys().timed_signer(purpose)


def sign(purpose: str, payload: Any) -> str:
    return keys().sign(purpose, payload)


def unsign(purpose: str, token: str) -> Any | None:
    return keys().unsign(purpose, token)
