"""Settings: defaults, TOML file, environment on top, one-line errors for bad values."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from service.kernel import config
from service.kernel.config import NOT_SETTINGS, ConfigError, load_settings, setting_names

#: What production requires.
PRODUCTION = {"SIDENOTE_SECRET_KEY": "s" * 32, "SIDENOTE_PUBLIC_URL": "https://comments.example"}


def test_defaults_are_the_documented_ones() -> None:
    settings = load_settings(PRODUCTION)
    assert settings.env == "production"
    assert settings.database_url == "sqlite:///var/sidenote.db"
    assert settings.sanitizer == "bleach"
    assert (settings.max_body_chars, settings.max_request_bytes) == (10_000, 65_536)
    assert settings.trusted_proxies == 0


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_SECRET_KEY is required"):
        load_settings({})


def test_production_requires_a_public_url_in_one_line() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"SIDENOTE_SECRET_KEY": "s" * 32})
    assert str(error.value).startswith("SIDENOTE_PUBLIC_URL is required in production")
    assert "\n" not in str(error.value)


def test_development_links_default_to_where_make_run_serves() -> None:
    settings = load_settings({"SIDENOTE_ENV": "development", "SIDENOTE_SECRET_KEY": "s" * 32})
    assert settings.public_url == "http://127.0.0.1:8000"
    given = {"SIDENOTE_ENV": "development", "SIDENOTE_SECRET_KEY": "s" * 32}
    given["SIDENOTE_PUBLIC_URL"] = "http://127.0.0.1:9000/"
    assert load_settings(given).public_url == "http://127.0.0.1:9000"


def test_environment_values_are_parsed() -> None:
    settings = load_settings(
        {**PRODUCTION, "SIDENOTE_MAX_BODY_CHARS": "500", "SIDENOTE_SANITIZER": "nh3"}
    )
    assert settings.max_body_chars == 500
    assert settings.sanitizer == "nh3"


def test_a_malformed_value_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**PRODUCTION, "SIDENOTE_MAX_BODY_CHARS": "lots"})
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("SIDENOTE_MAX_BODY_CHARS:")
    assert "'lots'" in message


def test_an_unknown_sanitizer_is_refused() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_SANITIZER"):
        load_settings({**PRODUCTION, "SIDENOTE_SANITIZER": "regex"})


def test_a_database_url_of_another_kind_is_refused() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_DATABASE_URL"):
        load_settings({**PRODUCTION, "SIDENOTE_DATABASE_URL": "mysql://x"})


def test_postgresql_urls_use_psycopg_3() -> None:
    settings = load_settings({**PRODUCTION, "SIDENOTE_DATABASE_URL": "postgresql://u@h/db"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"


def test_an_unknown_environment_setting_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        load_settings({**PRODUCTION, "SIDENOTE_FROM_THE_FUTURE": "1"})
    assert "SIDENOTE_FROM_THE_FUTURE" in caplog.text


def test_a_misspelt_environment_setting_names_the_one_it_resembles(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        load_settings({**PRODUCTION, "SIDENOTE_MAX_BODY_CHAR": "500"})
    assert "did you mean SIDENOTE_MAX_BODY_CHARS?" in caplog.text


@pytest.mark.parametrize("name", sorted(NOT_SETTINGS))
def test_variables_that_are_not_settings_are_not_warned_about(
    name: str, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """SIDENOTE_PYTHON (the widget build's Python) and SIDENOTE_CONFIG are set on purpose."""
    path = tmp_path / "sidenote.toml"
    path.write_text("")
    with caplog.at_level(logging.WARNING):
        load_settings({**PRODUCTION, name: str(path)})
    assert caplog.text == ""


def test_a_public_url_must_be_http_or_https() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_PUBLIC_URL: must be a http/https URL"):
        load_settings({**PRODUCTION, "SIDENOTE_PUBLIC_URL": "comments.example.org"})


def test_a_public_url_loses_its_trailing_slash() -> None:
    """Links in mails are built as PUBLIC_URL + "/path"; a trailing slash would double it."""
    settings = load_settings({**PRODUCTION, "SIDENOTE_PUBLIC_URL": "https://comments.example/"})
    assert settings.public_url == "https://comments.example"


def test_a_redis_url_must_be_redis_or_rediss() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_REDIS_URL: must be a redis/rediss URL"):
        load_settings({**PRODUCTION, "SIDENOTE_REDIS_URL": "http://127.0.0.1:6379/0"})


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("smtps//mail.example", "must be smtp://"),
        ("imap://mail.example", "must be smtp://"),
        ("smtp://mail.example:twenty-five", "has an invalid port"),
    ],
)
def test_a_wrong_smtp_url_is_refused(url: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"SIDENOTE_SMTP_URL: {problem}"):
        load_settings({**PRODUCTION, "SIDENOTE_SMTP_URL": url})


def test_a_password_in_a_refused_url_is_not_repeated() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**PRODUCTION, "SIDENOTE_SMTP_URL": "smtp://me:hunter2@mail.example:x"})
    assert "hunter2" not in str(error.value)
    assert "smtp://me:***@mail.example:x" in str(error.value)


def test_a_misspelt_rate_limit_storage_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**PRODUCTION, "SIDENOTE_RATELIMIT_STORAGE_URI": "redsi://127.0.0.1:6379/0"})
    message = str(error.value)
    assert message.startswith("SIDENOTE_RATELIMIT_STORAGE_URI: must be a rate limit storage URL")
    assert "redis://" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "uri",
    [
        "memory://",
        "redis://127.0.0.1:6379/0",
        "rediss://:secret@redis.internal:6380/1",
        "redis+unix:///run/redis.sock",
        "redis+sentinel://s1:26379,s2:26379/mymaster",
        "redis+cluster://c1:7000,c2:7001",
    ],
)
def test_rate_limit_storages_the_limiter_can_use_are_accepted(uri: str) -> None:
    settings = load_settings({**PRODUCTION, "SIDENOTE_RATELIMIT_STORAGE_URI": uri})
    assert settings.ratelimit_storage_uri == uri


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        ("memory", "must be a rate limit storage URL"),
        ("memcached://127.0.0.1:11211", "must be a rate limit storage URL"),  # no moving window
        ("redis://127.0.0.1:six/0", "invalid port"),
        ("redis+sentinel://s1:26379", "sentinel service name"),
    ],
)
def test_rate_limit_storages_the_limiter_cannot_use_are_refused(uri: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=f"SIDENOTE_RATELIMIT_STORAGE_URI: .*{problem}"):
        load_settings({**PRODUCTION, "SIDENOTE_RATELIMIT_STORAGE_URI": uri})


def test_a_rate_limit_storage_whose_client_is_missing_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(config, "_importable", lambda module: module != "redis")
    with pytest.raises(ConfigError, match="needs the Python package 'redis', not installed"):
        load_settings({**PRODUCTION, "SIDENOTE_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"})


def test_every_setting_is_documented() -> None:
    """docs/deploying.md says where each setting is described; none may be missing there."""
    root = Path(__file__).resolve().parents[2]
    text = "\n".join(p.read_text() for p in [root / "README.md", *root.glob("docs/*.md")])
    # README groups the rate limits as `RATELIMIT_POST` / `_VOTE` / …
    undocumented = [
        name
        for name in setting_names()
        if f"`{name.upper()}`" not in text
        and f"SIDENOTE_{name.upper()}" not in text
        and f"`_{name.upper().removeprefix('RATELIMIT_')}`" not in text
    ]
    assert undocumented == []


def test_the_toml_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "sidenote.toml"
    path.write_text(
        'secret_key = "from-the-file-0123456789"\npublic_url = "https://c.example"\n'
        "max_body_chars = 700\n"
    )
    settings = load_settings({"SIDENOTE_CONFIG": str(path), "SIDENOTE_MAX_BODY_CHARS": "800"})
    assert settings.secret_key == "from-the-file-0123456789"
    assert settings.max_body_chars == 800


def test_an_unknown_key_in_the_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sidenote.toml"
    path.write_text('secret_key = "from-the-file-0123456789"\nmax_bodychars = 700\n')
    with pytest.raises(
        ConfigError, match="unknown setting 'max_bodychars' \\(did you mean 'max_body_chars'\\?\\)"
    ):
        load_settings({"SIDENOTE_CONFIG": str(path)})


def test_a_malformed_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sidenote.toml"
    path.write_text("secret_key = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings({"SIDENOTE_CONFIG": str(path)})


def test_a_missing_file_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings({"SIDENOTE_CONFIG": "/nonexistent/sidenote.toml"})


def test_development_keeps_a_generated_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    first = load_settings({"SIDENOTE_ENV": "development"})
    second = load_settings({"SIDENOTE_ENV": "development"})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
