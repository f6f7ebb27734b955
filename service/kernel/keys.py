"""Keyed hashes and signed tokens under the app's secret. Raw IPs and emails never leave this
module as identifiers.

The secret is passed in: an app builds one `Keys(settings.secret_key)` and hands it to what needs
it (requests get it from `service.http.context.keys()`, domain code from `service.db.keys_of`).

- `Keys.hash(purpose, value)`: HMAC-SHA256 under a key derived from the secret and a purpose, so a
  hash made for one use (IP hashes, voter ids, avatars) cannot be matched against another.
- `Keys.signer(purpose)` / `Keys.sign` / `Keys.unsign`: itsdangerous serializers for edit tokens,
  form tokens, mail links.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from itsdangerous import URLSafeSerializer, URLSafeTimedSerializer

#: A reader who sends no voter id is known by their IP hash instead (`ip:<hash>`); retention
#: forgets such keys with the IP hashes.
IP_VOTER_PREFIX = "ip:"


@dataclass(frozen=True)
class Keys:
    """Everything derived from one secret. Cheap to build; derived keys are cached per secret."""

    secret: str

    def hash(self, purpose: str, value: str, *, length: int = 32) -> str:
        """Stable, non-reversible hex id for `value` (an IP, voter id, email, …) under `purpose`."""
        key = _key(purpose, self.secret)
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:length]

    def ip_hash(self, ip: str) -> str:
        return self.hash("ip", ip)

    def signer(self, purpose: str) -> URLSafeSerializer:
        return _signer(self.secret, purpose)

    def timed_signer(self, purpose: str) -> URLSafeTimedSerializer:
        return _timed_signer(self.secret, purpose)

    def sign(self, purpose: str, payload: Any) -> str:
        return str(self.signer(purpose).dumps(payload))

    def unsign(self, purpose: str, token: str) -> Any | None:
        """The payload of a token made by `sign(purpose, …)`, or None if forged or malformed."""
        ok, payload = self.signer(purpose).loads_unsafe(token)
        return payload if ok else None


@functools.lru_cache(maxsize=64)
def _key(purpose: str, secret: str) -> bytes:
    """Derived once per purpose and secret (a post makes several keyed hashes)."""
    return hmac.new(secret.encode(), f"sidenote:{purpose}".encode(), hashlib.sha256).digest()


@functools.lru_cache(maxsize=64)
def _signer(secret: str, purpose: str) -> URLSafeSerializer:
    """Built once per secret and purpose; serializers keep no state between calls."""
    return URLSafeSerializer(secret, salt=f"sidenote.{purpose}")


@functools.lru_cache(maxsize=64)
def _timed_signer(secret: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=f"sidenote.{purpose}")
