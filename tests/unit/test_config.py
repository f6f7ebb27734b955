"""Settings: defaults, TOML file, environment on top, one-line errors for bad values."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from service.config import ConfigError, load_settings

SECRET = {"SIDENOTE_SECRET_KEY": "s" * 32}


def test_defaults_are_the_documented_ones() -> None:
    settings = load_settings(SECRET)
    assert settings.env == "production"
    assert settings.database_url == "sqlite:///var/sidenote.db"
    assert settings.sanitizer == "bleach"
    assert (settings.max_body_chars, settings.max_request_bytes) == (10_000, 65_536)
    assert settings.trusted_proxies == 0


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_SECRET_KEY is required"):
        load_settings({})


def test_environment_values_are_parsed() -> None:
    settings = load_settings(
        {**SECRET, "SIDENOTE_MAX_BODY_CHARS": "500", "SIDENOTE_SANITIZER": "nh3"}
    )
    assert settings.max_body_chars == 500
    assert settings.sanitizer == "nh3"


def test_a_malformed_value_is_a_one_line_error() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({**SECRET, "SIDENOTE_MAX_BODY_CHARS": "lots"})
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith("SIDENOTE_MAX_BODY_CHARS:")
    assert "'lots'" in message


def test_an_unknown_sanitizer_is_refused() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_SANITIZER"):
        load_settings({**SECRET, "SIDENOTE_SANITIZER": "regex"})


def test_a_database_url_of_another_kind_is_refused() -> None:
    with pytest.raises(ConfigError, match="SIDENOTE_DATABASE_URL"):
        load_settings({**SECRET, "SIDENOTE_DATABASE_URL": "mysql://x"})


def test_postgresql_urls_use_psycopg_3() -> None:
    settings = load_settings({**SECRET, "SIDENOTE_DATABASE_URL": "postgresql://u@h/db"})
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"


def test_an_unknown_environment_setting_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        load_settings({**SECRET, "SIDENOTE_FROM_THE_FUTURE": "1"})
    assert "SIDENOTE_FROM_THE_FUTURE" in caplog.text


def test_the_toml_file_is_read_and_the_environment_wins(tmp_path: Path) -> None:
    path = tmp_path / "sidenote.toml"
    path.write_text('secret_key = "from-the-file-0123456789"\nmax_body_chars = 700\n')
    settings = load_settings({"SIDENOTE_CONFIG": str(path), "SIDENOTE_MAX_BODY_CHARS": "800"})
    assert settings.secret_key == "from-the-file-0123456789"
    assert settings.max_body_chars == 800


def test_an_unknown_key_in_the_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "sidenote.toml"
    path.write_text('secret_key = "from-the-file-0123456789"\nmax_bodychars = 700\n')
    with pytest.raises(ConfigError, match="unknown setting 'max_bodychars'"):
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
