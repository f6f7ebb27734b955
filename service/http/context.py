"""What a request's edge code reads from the app serving it: its settings, its keys, the client.

Only edges (a feature's `api`, `pages`, `ui`, `commands`) use these; domain code is handed the
same objects (`service.db.settings_of` / `keys_of` on the session it is given, or arguments).
"""

from __future__ import annotations

from flask import current_app, request

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
