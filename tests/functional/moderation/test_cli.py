"""`sidenote token …` and `sidenote moderator add`, run as real processes on a real database."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest
from argon2 import PasswordHasher

SIDENOTE = [sys.executable, "-m", "service.cli"]


def sidenote(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SIDENOTE, *args], env=env, capture_output=True, text=True, input=stdin, timeout=60
    )


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("cli") / "cli.db"
    values = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    values.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{database}",
        SIDENOTE_SECRET_KEY="cli-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
    )
    for command in (
        ["db", "upgrade"],
        ["site", "add", "blog", "--name", "Blog", "--origin", "https://blog.example"],
    ):
        result = sidenote(values, *command)
        assert result.returncode == 0, result.stderr
    values["DB_PATH"] = str(database)
    return values


def query(env: dict[str, str], sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(env["DB_PATH"]) as connection:
        return connection.execute(sql, args).fetchall()


def test_token_add_prints_the_id_first_and_the_token_alone_last(env: dict[str, str]) -> None:
    result = sidenote(env, "token", "add", "--site", "blog", "--scope", "moderate", "--name", "ci")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    token_id, secret = int(lines[0]), lines[-1]
    assert secret.startswith("snt_") and " " not in secret
    stored = query(env, "SELECT scope, name, token_hash FROM api_tokens WHERE id = ?", token_id)
    assert stored == [("moderate", "ci", hashlib.sha256(secret.encode()).hexdigest())]


def test_an_admin_token_without_site_covers_every_site(env: dict[str, str]) -> None:
    result = sidenote(env, "token", "add", "--scope", "admin")
    assert result.returncode == 0, result.stderr
    token_id = int(result.stdout.splitlines()[0])
    assert query(env, "SELECT site_id FROM api_tokens WHERE id = ?", token_id) == [(None,)]


def test_a_site_less_token_below_admin_is_refused(env: dict[str, str]) -> None:
    result = sidenote(env, "token", "add", "--scope", "read")
    assert result.returncode != 0
    assert "--site" in result.stderr and "Traceback" not in result.stderr


def test_token_list_and_revoke(env: dict[str, str]) -> None:
    added = sidenote(env, "token", "add", "--site", "blog", "--scope", "read", "--name", "lister")
    token_id = added.stdout.splitlines()[0]
    listed = sidenote(env, "token", "list")
    rows = [line.split("\t") for line in listed.stdout.splitlines()]
    row = next(r for r in rows if r[0] == token_id)
    assert row[1:4] == ["lister", "blog", "read"] and row[5] == "never" and len(row) == 6
    assert all(len(r) == 6 for r in rows)
    revoked = sidenote(env, "token", "revoke", token_id)
    assert revoked.returncode == 0, revoked.stderr
    after = [line.split("\t")[0] for line in sidenote(env, "token", "list").stdout.splitlines()]
    assert token_id not in after
    assert sidenote(env, "token", "revoke", "99999").returncode != 0


def test_moderator_add_reads_the_password_from_stdin(env: dict[str, str]) -> None:
    result = sidenote(
        env,
        "moderator", "add", "Mia", "--role", "moderator", "--site", "blog", "--password-stdin",
        stdin="a long passphrase\n",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    [(_username, role, password_hash)] = query(
        env, "SELECT username, role, password_hash FROM moderators WHERE username = 'mia'"
    )
    assert role == "moderator" and str(password_hash).startswith("$argon2id$")
    assert PasswordHasher().verify(str(password_hash), "a long passphrase")
    assert "a long passphrase" not in result.stdout


def test_moderator_add_refuses_a_short_password_and_an_unknown_site(env: dict[str, str]) -> None:
    short = sidenote(
        env, "moderator", "add", "bo", "--role", "admin", "--password-stdin", stdin="short\n"
    )
    assert short.returncode != 0 and "password" in short.stderr
    unknown = sidenote(
        env,
        "moderator", "add", "cy", "--role", "moderator", "--site", "nope", "--password-stdin",
        stdin="long enough pw\n",
    )  # fmt: skip
    assert unknown.returncode != 0 and "nope" in unknown.stderr
