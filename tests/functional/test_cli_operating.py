"""Operating an installation: `sidenote --version`, `db upgrade`'s answers, `sidenote check`."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from service import __version__
from tests.notifications.conftest import SmtpServer, free_port, smtp_server  # noqa: F401

SIDENOTE = [sys.executable, "-m", "service.cli"]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    values.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        SIDENOTE_SECRET_KEY="cli-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example.org",
    )
    return values


def sidenote(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SIDENOTE, *args], env=env, capture_output=True, text=True, timeout=60)


def set_revision(env: dict[str, str], revision: str) -> None:
    path = env["SIDENOTE_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def test_version_is_printed(env: dict[str, str]) -> None:
    result = sidenote(env, "--version")
    assert result.returncode == 0
    assert result.stdout == f"sidenote {__version__}\n"


def test_the_first_upgrade_says_what_it_did(env: dict[str, str]) -> None:
    result = sidenote(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("database upgraded from empty to 00")


def test_upgrading_an_up_to_date_database_says_so(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    result = sidenote(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("database is up to date (revision 00")
    assert "nothing to do" in result.stdout


def test_a_database_newer_than_the_code_is_refused_in_one_line(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    set_revision(env, "0099_from_the_future")
    result = sidenote(env, "db", "upgrade")
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert "0099_from_the_future" in result.stderr
    assert "newer Sidenote" in result.stderr


def test_check_passes_on_a_ready_installation(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    result = sidenote(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == "sidenote check: everything is ready\n"


def test_doctor_is_the_same_command(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    assert sidenote(env, "doctor").stdout == "sidenote check: everything is ready\n"


def test_check_names_a_database_that_needs_its_migrations(env: dict[str, str]) -> None:
    result = sidenote(env, "check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "problem: migrations: the database is at no revision (empty), the code at "
        f"{head(env)}: run 'sidenote db upgrade'"
    ]


def test_check_names_a_database_newer_than_the_code(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    set_revision(env, "0099_from_the_future")
    result = sidenote(env, "check")
    assert result.returncode == 1
    assert "problem: migrations: the database is at 0099_from_the_future, newer" in result.stdout


def test_check_names_an_unreachable_database(env: dict[str, str]) -> None:
    env["SIDENOTE_DATABASE_URL"] = f"postgresql://nobody@127.0.0.1:{free_port()}/none"
    result = sidenote(env, "check")
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("problem: SIDENOTE_DATABASE_URL: unreachable: ")


def test_check_names_each_missing_or_unreachable_part_on_one_line(env: dict[str, str]) -> None:
    sidenote(env, "db", "upgrade")
    env.update(
        SIDENOTE_ENV="development",  # development accepts a short secret; check does not
        SIDENOTE_SECRET_KEY="short",
        SIDENOTE_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        SIDENOTE_SMTP_URL=f"smtp://127.0.0.1:{free_port()}",
    )
    result = sidenote(env, "check")
    assert result.returncode == 1
    problems = result.stdout.splitlines()
    assert [line.split(":")[1].strip() for line in problems] == [
        "SIDENOTE_SECRET_KEY",
        "SIDENOTE_REDIS_URL",
        "SIDENOTE_SMTP_URL",
    ]
    assert all(line.startswith("problem: ") for line in problems)
    assert result.stderr.strip() == "Error: 3 problem(s) found"


def test_check_in_production_without_a_public_url_says_so_in_one_line(
    env: dict[str, str],
) -> None:
    env.update(SIDENOTE_ENV="production", SIDENOTE_PUBLIC_URL="")
    result = sidenote(env, "check")
    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "SIDENOTE_PUBLIC_URL is required in production" in line


def test_check_reaches_real_redis_and_smtp(
    env: dict[str, str],
    smtp_server: SmtpServer,  # noqa: F811
) -> None:
    sidenote(env, "db", "upgrade")
    env.update(
        SIDENOTE_REDIS_URL=REDIS_URL,
        SIDENOTE_RATELIMIT_STORAGE_URI=REDIS_URL,
        SIDENOTE_SMTP_URL=f"smtp://127.0.0.1:{smtp_server.port}",
    )
    result = sidenote(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr


def head(env: dict[str, str]) -> str:
    from service.db.migrate import head_revision

    revision = head_revision(env["SIDENOTE_DATABASE_URL"])
    assert revision is not None
    return revision
