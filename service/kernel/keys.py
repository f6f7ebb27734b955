"""Keyed hashes and signed tokens. Raw IPs and emails never leave this module as identifiers.

- `keyed_hash(purpose, value)`: HMAC-SHA256 under a key derived from SECRET_KEY and a purpose, so a
  hash made for one use (IP hashes, voter ids, avatars) cannot be matched against another.
- `signer(purpose)`: itsdangerous serializers for edit tokens, form tokens, mail links.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from flask import current_app, request
from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

from service.kernel.config import Settings


def settings() -> Settings:
    value: Settings = current_app.config["SIDENOTE"]
    return value


@functools.lru_cache(maxsize=64)
def _key(purpose: str, secret: str) -> bytes:
    """Derived once per purpose and secret (a post makes several keyed hashes)."""
    return hmac.new(secret.encode(), f"sidenote:{purpose}".encode(), hashlib.sha256).digest()


def keyed_hash(purpose: str, value: str, *, secret: str | None = None, length: int = 32) -> str:
    """Stable, non-reversible hex id for `value` (an IP, voter id, email, …) under `purpose`."""
    key = _key(purpose, secret if secret is not None else settings().secret_key)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]


def client_ip() -> str:
    """The client's address; ProxyFix has already applied SIDENOTE_TRUSTED_PROXIES."""
    return request.remote_addr or "0.0.0.0"  # noqa: S104 - a placeholder, never a bind address


def ip_hash(ip: str | None = None) -> str:
    return keyed_hash("ip", ip if ip is not None else client_ip())


#: A reader who sends no voter id is known by their IP hash instead (`ip:<hash>`); retention
#: forgets such keys with the IP hashes.
IP_VOTER_PREFIX = "ip:"


def signer(purpose: str) -> URLSafeSerializer:
    return _signer(settings().secret_key, purpose)


def timed_signer(purpose: str) -> URLSafeTimedSerializer:
    return _timed_signer(settings().secret_key, purpose)


@functools.lru_cache(maxsize=64)
def _signer(secret: str, purpose: str) -> URLSafeSerializer:
    """Built once per secret and purpose; serializers keep no state between calls."""
    return URLSafeSerializer(secret, salt=f"sidenote.{purpose}")


@functools.lru_cache(maxsize=64)
def _timed_signer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"sidenote.{purpose}")


def sign(purpose: str, payload: Any) -> str:
    return str(signer(purpose).dumps(payload))


def unsign(purpose: str, token: str) -> Any | None:
    """The payload of a token made by `sign(purpose, …)`, or None if it is forged or malformed."""
    ok, payload = signer(purpose).loads_unsafe(token)
    return payload if ok else None
