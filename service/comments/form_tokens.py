"""Form tokens: signed, time-stamped, site-bound proof that a person loaded the composer.

The widget fetches one when the composer is first used (a separate call, so thread reads stay
cacheable) and sends it with the post. A missing, forged or expired token, or one used sooner than a
person could write (`SIDENOTE_MIN_COMPOSE_SECONDS`), marks the post as spam: bots learn nothing,
because the poster is told "awaiting moderation" either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from service.kernel import clock
from service.kernel.config import Settings
from service.kernel.keys import Keys

SALT = "sidenote.form"


class ClockSigner(TimestampSigner):
    """Timestamps from the service clock, so token ages are testable with a frozen clock."""

    def get_timestamp(self) -> int:
        return int(clock.timestamp())


def _serializer(keys: Keys) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(keys.secret, salt=SALT, signer=ClockSigner)


def issue_form_token(keys: Keys, site_slug: str) -> str:
    return str(_serializer(keys).dumps({"s": site_slug}))


Outcome = Literal["ok", "missing", "invalid", "expired", "too_fast"]


@dataclass(frozen=True)
class FormTokenCheck:
    outcome: Outcome
    age_seconds: float | None = None


def check_form_token(
    keys: Keys, config: Settings, token: str | None, site_slug: str
) -> FormTokenCheck:
    if not token:
        return FormTokenCheck("missing")
    serializer = _serializer(keys)
    try:
        payload, issued = serializer.loads(
            token, max_age=config.form_token_max_age, return_timestamp=True
        )
    except SignatureExpired:
        return FormTokenCheck("expired")
    except BadSignature:
        return FormTokenCheck("invalid")
    if not isinstance(payload, dict) or payload.get("s") != site_slug:
        return FormTokenCheck("invalid")
    age = clock.timestamp() - issued.timestamp()
    if config.min_compose_seconds and age < config.min_compose_seconds:
        return FormTokenCheck("too_fast", age)
    return FormTokenCheck("ok", age)
