"""The `sidenote` command line, run as a real process against a real database file."""

from __future__ import annotations

import ast
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from service.cli import cli

SIDENOTE = [sys.executable, "-m", "service.cli"]
ROOT = Path(__file__).resolve().parents[2]


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group under `group`, as the words that invoke it."""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    values.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        SIDENOTE_SECRET_KEY="cli-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
    )
    return values


def sidenote(
    env: dict[str, str], *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SIDENOTE, *args], env=env, capture_output=True, text=True, input=stdin, timeout=60
    )


@pytest.fixture
def migrated(env: dict[str, str]) -> dict[str, str]:
    result = sidenote(env, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    return env


def test_help_lists_the_commands(env: dict[str, str]) -> None:
    result = sidenote(env, "--help")
    assert result.returncode == 0
    for command in ("serve", "db", "site", "demo"):
        assert command in result.stdout


@pytest.mark.parametrize("path", [(), *command_paths(cli)], ids=" ".join)
def test_every_command_and_group_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"], prog_name="sidenote")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: {' '.join(('sidenote', *path))} ")


def test_the_command_tree_is_walked() -> None:
    """The help test above covers nested commands too (a broken walk would test nothing)."""
    paths = command_paths(cli)
    assert {("db", "upgrade"), ("site", "add"), ("site", "list"), ("demo",)} <= set(paths)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_imports_the_entry_point() -> None:
    """`sidenote` (service/cli.py) adds the features' commands; they never import it back."""
    modules = [path for path in (ROOT / "service").rglob("*.py") if path.name != "cli.py"]
    assert len([path for path in modules if path.name == "commands.py"]) >= 4
    importers = [path for path in modules if "service.cli" in imported_modules(path)]
    assert importers == []


def test_sites_are_added_updated_and_listed(migrated: dict[str, str]) -> None:
    added = sidenote(
        migrated,
        "site", "add", "blog", "--name", "My blog",
        "--origin", "https://blog.example", "--origin", "https://www.blog.example",
        "--moderation", "pre",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    listed = sidenote(migrated, "site", "list")
    assert listed.stdout.splitlines() == ["blog pre https://blog.example https://www.blog.example"]
    updated = sidenote(
        migrated,
        "site",
        "update",
        "blog",
        "--origin",
        "https://new.example",
        "--moderation",
        "post",
    )
    assert updated.returncode == 0, updated.stderr
    assert sidenote(migrated, "site", "list").stdout.splitlines() == [
        "blog post https://new.example"
    ]


def test_adding_a_site_twice_is_a_one_line_error(migrated: dict[str, str]) -> None:
    args = ("site", "add", "blog", "--name", "B", "--origin", "https://b.example")
    assert sidenote(migrated, *args).returncode == 0
    again = sidenote(migrated, *args)
    assert again.returncode != 0
    assert len(again.stderr.strip().splitlines()) == 1
    assert "exists already" in again.stderr


def test_a_bad_origin_is_a_one_line_error(migrated: dict[str, str]) -> None:
    result = sidenote(migrated, "site", "add", "blog", "--name", "B", "--origin", "ftp://x")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Error: origins: Not an http(s) origin: 'ftp://x'."
    ]


def test_updating_an_unknown_site_fails_clearly(migrated: dict[str, str]) -> None:
    result = sidenote(migrated, "site", "update", "nope", "--name", "X")
    assert result.returncode != 0
    assert "No site 'nope'" in result.stderr


def test_a_database_never_migrated_is_a_one_line_error(env: dict[str, str]) -> None:
    result = sidenote(env, "site", "list")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert "sidenote db upgrade" in line


def test_a_bad_setting_is_a_one_line_error(env: dict[str, str]) -> None:
    result = sidenote({**env, "SIDENOTE_MAX_BODY_CHARS": "many"}, "site", "list")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "SIDENOTE_MAX_BODY_CHARS" in result.stderr


def test_a_wrong_rate_limit_storage_is_a_one_line_error(env: dict[str, str]) -> None:
    """flask-limiter would refuse it too, but with a traceback while building the app."""
    bad = {**env, "SIDENOTE_RATELIMIT_STORAGE_URI": "redsi://127.0.0.1/0"}
    result = sidenote(bad, "db", "upgrade")
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        "Error: configuration error: SIDENOTE_RATELIMIT_STORAGE_URI: must be a rate limit"
    )


def test_the_demo_is_refused_in_production(migrated: dict[str, str]) -> None:
    result = sidenote(migrated, "demo", "--port", "8123")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Error: the demo is for development: set SIDENOTE_ENV=development (make run does)"
    ]
    database = migrated["SIDENOTE_DATABASE_URL"].removeprefix("sqlite:///")
    with closing(sqlite3.connect(database)) as db:
        assert db.execute("SELECT count(*) FROM sites").fetchone() == (0,)


def test_the_demo_is_seeded_once(migrated: dict[str, str]) -> None:
    env = {**migrated, "SIDENOTE_ENV": "development"}
    first = sidenote(env, "demo", "--port", "8123")
    assert first.returncode == 0, first.stderr
    assert "seeded" in first.stdout
    second = sidenote(env, "demo", "--port", "8123")
    assert second.returncode == 0
    assert "already" in second.stdout
    listed = sidenote(env, "site", "list").stdout
    assert "demo post http://127.0.0.1:8123 http://localhost:8123" in listed


@pytest.mark.parametrize("flags", [[], ["--debug"]])
def test_run_never_serves_the_interactive_debugger(env: dict[str, str], flags: list[str]) -> None:
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = env | {"SIDENOTE_ENV": "development", "SIDENOTE_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = subprocess.Popen(
        [*SIDENOTE, "run", "--port", str(port), *flags],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/?__debugger__=yes&cmd=resource&f=debugger.js"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    body, kind = response.read(), response.headers.get("Content-Type", "")
                break
            except urllib.error.HTTPError as error:
                body, kind = error.read(), error.headers.get("Content-Type", "")
                break
            except OSError:
                assert time.monotonic() < deadline, "sidenote run did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(10)
    assert "javascript" not in kind
    assert b"debugger" not in body.lower() or b"__debugger__" not in body
