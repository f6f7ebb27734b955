"""`sidenote check` (alias `sidenote doctor`): is this installation ready to serve?

Each check connects to what the settings name (database, Redis, SMTP) or reads a setting, and
yields one `Problem` per thing that is wrong, in words an operator can act on. No problem, no
output but the summary. Run it after every change (docs/deploying.md).
"""

from __future__ import annotations

import smtplib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.db import make_engine
from service.db.migrate import current_revision, head_revision, known_revision
from service.kernel.config import ENV_PREFIX, Settings
from service.notifications.transport import SmtpTransport

#: The shortest secret the service accepts in production (config.py refuses shorter ones there).
MIN_SECRET_LENGTH = 16


@dataclass(frozen=True)
class Problem:
    setting: str
    message: str

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}"


def run_checks(settings: Settings, *, timeout: float = 5.0) -> list[Problem]:
    return [
        *_secrets(settings),
        *_public_url(settings),
        *_database(settings),
        *_redis(settings, timeout),
        *_smtp(settings, timeout),
    ]


def _first_line(error: BaseException) -> str:
    orig = getattr(error, "orig", None)
    text_ = str(orig if orig is not None else error).strip()
    return (text_.splitlines() or [type(error).__name__])[0]


def _secrets(settings: Settings) -> Iterator[Problem]:
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        yield Problem(
            ENV_PREFIX + "SECRET_KEY",
            f"not set or shorter than {MIN_SECRET_LENGTH} characters (it signs tokens and keys "
            "IP hashes; keep it stable)",
        )


def _public_url(settings: Settings) -> Iterator[Problem]:
    if not settings.public_url:
        yield Problem(
            ENV_PREFIX + "PUBLIC_URL",
            "not set: links in mails and moderation pages need the address readers use "
            "(e.g. https://comments.example.org)",
        )


def _database(settings: Settings) -> Iterator[Problem]:
    url = settings.sqlalchemy_url
    setting = ENV_PREFIX + "DATABASE_URL"
    try:
        engine = make_engine(url)
    except Exception as error:  # a missing driver, a malformed URL: whatever it is, say it
        yield Problem(setting, f"cannot use it: {_first_line(error)}")
        return
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = current_revision(engine)
    except SQLAlchemyError as error:
        yield Problem(setting, f"unreachable: {_first_line(error)}")
        return
    finally:
        engine.dispose()
    head = head_revision(url)
    if current == head:
        return
    if not known_revision(url, current):
        yield Problem(
            "migrations",
            f"the database is at {current}, newer than this version of Sidenote ({head}): "
            "install the version that upgraded it",
        )
    else:
        yield Problem(
            "migrations",
            f"the database is at {current or 'no revision (empty)'}, the code at {head}: "
            "run 'sidenote db upgrade'",
        )


def _redis(settings: Settings, timeout: float) -> Iterator[Problem]:
    urls = {ENV_PREFIX + "REDIS_URL": settings.redis_url}
    if settings.ratelimit_storage_uri.startswith(("redis://", "rediss://")):
        urls[ENV_PREFIX + "RATELIMIT_STORAGE_URI"] = settings.ratelimit_storage_uri
    for setting, url in urls.items():
        if not url:
            continue
        try:
            import redis
        except ImportError:
            yield Problem(setting, "needs the redis package: pip install 'sidenote[redis]'")
            continue
        try:
            client = redis.Redis.from_url(
                url, socket_connect_timeout=timeout, socket_timeout=timeout
            )
            client.ping()
            client.close()
        except redis.RedisError as error:
            yield Problem(setting, f"Redis unreachable: {_first_line(error)}")


def _smtp(settings: Settings, timeout: float) -> Iterator[Problem]:
    """Connects, says EHLO (and STARTTLS, login when the URL asks for them), then quits."""
    if not settings.smtp_url:
        return

    transport = SmtpTransport(settings.smtp_url, timeout=timeout)
    try:
        connection = transport._connect()
        connection.ehlo()
        connection.quit()
    except (OSError, smtplib.SMTPException) as error:
        host = urlsplit(settings.smtp_url).hostname
        yield Problem(
            ENV_PREFIX + "SMTP_URL",
            f"SMTP server {host}:{transport.port} not usable: {_first_line(error)}",
        )
