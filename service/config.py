"""The one configuration loader: typed defaults, then a TOML file, then `SIDENOTE_*` environment.

Every setting is a field of `Settings`. Its environment name is `SIDENOTE_` + the field name in
upper case; its TOML key (in the file named by `SIDENOTE_CONFIG`) is the field name. The
environment wins over the file. Everything is validated once, at start, and a bad value is a
one-line `ConfigError`: operators should read what is wrong, not a traceback ten minutes later.
"""

from __future__ import annotations

import logging
import os
import secrets
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

log = logging.getLogger(__name__)

ENV_PREFIX = "SIDENOTE_"
DEV_SECRET_FILE = Path("var") / "secret_key"


class ConfigError(Exception):
    """A setting is missing, malformed or unknown. The message is one line for the operator."""


class Settings(BaseModel):
    """All settings, with their defaults. Later features add theirs here, the same way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: Literal["production", "development", "test"] = "production"
    database_url: str = "sqlite:///var/sidenote.db"
    secret_key: str = ""
    sanitizer: Literal["bleach", "nh3"] = "bleach"
    trusted_proxies: int = Field(default=0, ge=0, le=10)
    max_body_chars: int = Field(default=10_000, ge=1, le=100_000)
    max_request_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    public_url: str = ""

    # Abuse controls (flask-limiter strings; "" disables one limit).
    ratelimit_enabled: bool = True
    ratelimit_storage_uri: str = "memory://"
    ratelimit_post: str = "5/minute;50/day"
    ratelimit_vote: str = "60/minute"
    ratelimit_report: str = "10/minute"
    ratelimit_preview: str = "30/minute"
    ratelimit_login: str = "10/minute"
    ratelimit_subscribe: str = "10/hour"
    ratelimit_confirm_mail: str = "3/hour"
    form_token_required: bool = True
    form_token_max_age: int = Field(default=7_200, ge=60)
    min_compose_seconds: int = Field(default=3, ge=0)
    votes_per_ip_per_comment: int = Field(default=5, ge=1)
    score_refresh_seconds: int = Field(default=10, ge=1, le=3_600)
    response_cache_entries: int = Field(default=512, ge=0)
    #: How long a process trusts a thread's version for its read fast path; 0 turns it off.
    head_cache_seconds: float = Field(default=1.0, ge=0, le=60)
    redis_url: str = ""
    #: Bearer token for /metrics; unset switches /metrics off.
    metrics_token: str = ""

    # Moderation (docs/moderation.md).
    moderator_session_hours: int = Field(default=12, ge=1, le=24 * 30)
    moderation_undo_seconds: int = Field(default=300, ge=5, le=86_400)

    # Privacy: how long personal traces are kept (`sidenote purge` applies it; docs/migrating.md).
    retain_ip_hash_days: int = Field(default=90, ge=1, le=36_500)
    retain_rejected_days: int = Field(default=30, ge=1, le=36_500)  # rejected and spam comments

    # Notifications: mail and webhooks leave through the outbox (docs/notifications.md).
    mail_from: str = "sidenote@localhost"
    smtp_url: str = ""  # smtp://, smtps:// or smtp+starttls://user:pass@host:port; "" = console
    smtp_timeout_seconds: int = Field(default=20, ge=1, le=300)
    worker: Literal["inline", "off"] = "off"  # inline: the web process drains the outbox
    worker_poll_seconds: float = Field(default=2.0, gt=0, le=300)
    outbox_batch_size: int = Field(default=20, ge=1, le=1000)
    outbox_lease_seconds: int = Field(default=120, ge=5, le=86_400)
    outbox_max_attempts: int = Field(default=8, ge=1, le=100)
    outbox_retry_base_seconds: int = Field(default=30, ge=1, le=86_400)
    outbox_retry_max_seconds: int = Field(default=6 * 3600, ge=1, le=7 * 86_400)
    outbox_retention_days: int = Field(default=30, ge=1, le=3650)
    webhook_timeout_seconds: int = Field(default=10, ge=1, le=120)
    #: Webhook URLs on loopback/private networks; unset: allowed except in production.
    webhook_allow_private: bool | None = None
    digest_hours: int = Field(default=24, ge=1, le=168)
    mail_locale: str = "en"
    confirm_link_max_age: int = Field(default=7 * 86_400, ge=300)
    moderation_link_max_age: int = Field(default=3 * 86_400, ge=300)

    # Identity: single sign-on, reader sessions, verified guests (docs/sso.md).
    sso_leeway_seconds: int = Field(default=60, ge=0, le=3_600)
    reader_session_days: int = Field(default=30, ge=1, le=365)
    data_link_max_age: int = Field(default=30 * 86_400, ge=300)

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if not value:
            return value
        parts = urlsplit(value)
        if parts.scheme not in {"smtp", "smtps", "smtp+starttls"} or not parts.hostname:
            raise ValueError("must be smtp://, smtps:// or smtp+starttls://[user:pass@]host[:port]")
        try:
            parts.port  # noqa: B018 - validates the port
        except ValueError:
            raise ValueError("has an invalid port") from None
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str) -> str:
        value = value.strip()
        local, _, domain = value.partition("@")
        if not local or not domain or any(c in value for c in " <>\r\n\"',;"):
            raise ValueError("must be a plain address like comments@example.org")
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        scheme = urlsplit(value).scheme.split("+")[0]
        if scheme not in {"sqlite", "postgresql", "postgres"}:
            raise ValueError("must start with sqlite:// or postgresql://")
        return value

    @field_validator("public_url", "redis_url")
    @classmethod
    def _http_or_empty(cls, value: str, info: Any) -> str:
        if not value:
            return value
        allowed = {"public_url": {"http", "https"}, "redis_url": {"redis", "rediss"}}[
            info.field_name
        ]
        parts = urlsplit(value)
        if parts.scheme not in allowed or not parts.netloc:
            raise ValueError(f"must be a {'/'.join(sorted(allowed))} URL")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _lease_outlasts_a_send(self) -> Settings:
        slowest = max(self.smtp_timeout_seconds, self.webhook_timeout_seconds)
        if self.outbox_lease_seconds < 2 * slowest:
            raise ValueError(
                "SIDENOTE_OUTBOX_LEASE_SECONDS must be at least twice the SMTP and webhook "
                f"timeouts ({2 * slowest}), or a slow send could be taken over and sent twice"
            )
        return self

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production" and len(self.secret_key) < 16:
            raise ValueError(
                "SIDENOTE_SECRET_KEY is required in production (at least 16 characters)"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The URL for SQLAlchemy: `postgresql://` means psycopg 3."""
        url = self.database_url
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def is_development(self) -> bool:
        return self.env == "development"


def setting_names() -> list[str]:
    return list(Settings.model_fields)


def load_settings(
    environ: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """Build `Settings` from defaults, the TOML file, the environment and explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}

    config_path = environ.get(ENV_PREFIX + "CONFIG")
    if config_path:
        values.update(_read_toml(Path(config_path)))

    known = set(Settings.model_fields)
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or name == ENV_PREFIX + "CONFIG":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in known:
            log.warning("ignoring unknown setting %s (not used by this version)", name)
            continue
        values[key] = raw
    values.update(overrides or {})

    if values.get("env") == "development" and not values.get("secret_key"):
        values["secret_key"] = _development_secret()
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"SIDENOTE_CONFIG: no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r}")
    return data


def _development_secret() -> str:
    """A secret generated once and kept in var/, so tokens and IP hashes survive restarts."""
    if DEV_SECRET_FILE.exists():
        return DEV_SECRET_FILE.read_text().strip()
    DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(32)
    DEV_SECRET_FILE.write_text(secret + "\n")
    DEV_SECRET_FILE.chmod(0o600)
    return secret


def _one_line(exc: ValidationError) -> str:
    error = exc.errors()[0]
    location = ".".join(str(part) for part in error["loc"])
    name = ENV_PREFIX + location.upper() if location else "configuration"
    message = str(error["msg"]).removeprefix("Value error, ")
    got = error.get("input")
    if location and isinstance(got, str | int | float | bool):
        return f"{name}: {message} (got {got!r})"
    return f"{name}: {message}" if location else message
