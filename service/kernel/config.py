"""The one configuration loader: typed defaults, then a TOML file, then `SIDENOTE_*` environment.

Every setting is a field of `Settings`. Its environment name is `SIDENOTE_` + the field name in
upper case; its TOML key (in the file named by `SIDENOTE_CONFIG`) is the field name. The
environment wins over the file. Everything is validated once, at start, and a bad value is a
one-line `ConfigError`: operators should read what is wrong, not a traceback ten minutes later.
"""

from __future__ import annotations

import difflib
import importlib.util
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
#: `SIDENOTE_*` environment variables that are not settings but are set on purpose: the TOML
#: file's path, and the Python the widget build (Makefile `embed`, embed/scripts/allowlist.mjs,
#: tests/unit/test_widget_build.py) runs to read the sanitiser's allowlist. Neither is warned about.
NOT_SETTINGS = frozenset({ENV_PREFIX + "CONFIG", ENV_PREFIX + "PYTHON"})
DEV_SECRET_FILE = Path("var") / "secret_key"
#: Where `make run` (and `sidenote run` by default) serves: development's `SIDENOTE_PUBLIC_URL`.
DEV_PUBLIC_URL = "http://127.0.0.1:8000"


class ConfigError(Exception):
    """A setting is missing, malformed or unknown. The message is one line for the operator."""


class Settings(BaseModel):
    """All settings, with their defaults. Later features add theirs here, the same way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    env: Literal["production", "development", "test"] = "production"
    database_url: str = "sqlite:///var/sidenote.db"
    #: Wait for the disk before a commit returns (docs/deploying.md, "Durability"): an answered
    #: write survives a power cut. `false` trades the last fraction of a second of writes on a
    #: machine crash (never corruption) for speed.
    durable_commits: bool = True
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
    #: Failed moderator logins per address, and per username and address (issue 19).
    ratelimit_login_failures: str = "10/minute;50/hour"
    ratelimit_login_failures_user: str = "5/minute;20/hour"
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
    # Imports: a comment body longer than this is skipped (docs/migrating.md).
    import_max_body_chars: int = Field(default=100_000, ge=1, le=10_000_000)
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
    #: The longest an SSO token may live (`exp` - `iat`, or `exp` - now): tokens sit in pages.
    sso_max_lifetime_seconds: int = Field(default=3_600, ge=60, le=86_400)
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
        if scheme != "sqlite" and not _importable("psycopg"):
            raise ValueError("PostgreSQL needs psycopg: pip install 'sidenote[postgres]'")
        return value

    @field_validator("ratelimit_storage_uri")
    @classmethod
    def _ratelimit_storage(cls, value: str) -> str:
        """Refuse at start what flask-limiter would only refuse with a traceback at app setup."""
        return check_ratelimit_storage(value)

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
        if info.field_name == "redis_url" and not _importable("redis"):
            raise ValueError("Redis needs the redis package: pip install 'sidenote[redis]'")
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

    @model_validator(mode="after")
    def _production_needs_public_url(self) -> Settings:
        """Links in mails are built from it, never from a request's Host (which anyone forges)."""
        if self.env == "production" and not self.public_url:
            raise ValueError(
                "SIDENOTE_PUBLIC_URL is required in production (the service's public base URL, "
                "e.g. https://comments.example.org: every link in mails starts with it)"
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


def check_ratelimit_storage(uri: str) -> str:
    """`uri` must name a storage of the `limits` library that keeps a moving window (the strategy
    service/http/limits.py uses; memcached cannot) and whose client library is installed."""
    import limits.storage

    storages: dict[str, type[limits.storage.Storage]] = {}
    for export in limits.storage.__all__:
        storage = getattr(limits.storage, export)
        if (
            isinstance(storage, type)
            and issubclass(storage, limits.storage.Storage)
            and issubclass(storage, limits.storage.MovingWindowSupport)
        ):
            storages.update(dict.fromkeys(getattr(storage, "STORAGE_SCHEME", None) or [], storage))
    usable = sorted(storages)
    parts = urlsplit(uri)
    if parts.scheme not in usable or "://" not in uri:
        shown = ", ".join(f"{scheme}://" for scheme in usable)
        raise ValueError(f"must be a rate limit storage URL: one of {shown}")
    hosts = parts.netloc.rpartition("@")[2].split(",")  # sentinel and cluster take several
    for host in hosts:
        try:
            urlsplit(f"//{host}").port  # noqa: B018 - validates the port
        except ValueError:
            raise ValueError(f"has an invalid port in {host!r}") from None
    if parts.scheme.endswith("+sentinel") and not parts.path.strip("/"):
        raise ValueError("needs the sentinel service name as its path (…:26379/mymaster)")
    needs = storages[parts.scheme].DEPENDENCIES  # a list, or by client: {"redis": …, "valkey": …}
    valkey = parts.scheme.startswith("valkey")
    modules = [n for n in needs if isinstance(needs, list) or n.startswith("valkey") == valkey]
    missing = [name for name in modules if not _importable(name)]
    if missing:
        package = missing[0].split(".")[0]
        raise ValueError(
            f"needs the Python package {package!r}, not installed"
            + (": pip install 'sidenote[redis]'" if package == "redis" else "")
        )
    return uri


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a missing parent package of a dotted name
        return False


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
        if not name.startswith(ENV_PREFIX) or name in NOT_SETTINGS:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key not in known:
            # A warning, not an error: environments carry settings of other versions (issue 2).
            close = _closest(key, known)
            hint = "not used by this version"
            if close:
                hint = f"did you mean {ENV_PREFIX}{close.upper()}?"
            log.warning("ignoring unknown setting %s (%s)", name, hint)
            continue
        values[key] = raw
    values.update(overrides or {})

    if values.get("env") == "development" and not values.get("secret_key"):
        values["secret_key"] = _development_secret()
    if values.get("env") == "development" and not values.get("public_url"):
        values["public_url"] = DEV_PUBLIC_URL
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None


def _closest(key: str, known: set[str]) -> str | None:
    """The setting a typo probably meant, so that it does not go unnoticed."""
    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.8)
    return close[0] if close else None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"SIDENOTE_CONFIG: no such file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    known = set(Settings.model_fields)
    unknown = sorted(set(data) - known)
    if unknown:
        close = _closest(unknown[0], known)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise ConfigError(f"{path}: unknown setting {unknown[0]!r}{hint}")
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
        return f"{name}: {message} (got {_without_password(got)!r})"
    return f"{name}: {message}" if location else message


def _without_password(value: object) -> object:
    """A URL's password never reaches a log line: `redis://:pw@host` is shown as `redis://:***@host`."""
    if not isinstance(value, str) or "://" not in value:
        return value
    scheme, _, rest = value.partition("://")
    netloc, slash, path = rest.partition("/")
    credentials, at, host = netloc.rpartition("@")
    user, colon, _password = credentials.partition(":")
    hidden = f"{user}{colon}{'***' if colon else ''}{at}"
    return f"{scheme}://{hidden}{host}{slash}{path}"
