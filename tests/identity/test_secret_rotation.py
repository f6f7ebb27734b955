"""Secret rotation: two secrets while sites move to the new one; the old one until retired."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys

import pytest
from flask.testing import FlaskClient

from service.identity import sso
from service.kernel.errors import ValidationFailed
from tests.identity.conftest import SsoSite, exchange

SIDENOTE = [sys.executable, "-m", "service.cli"]


def test_tokens_of_the_old_and_the_new_secret_both_work_during_a_rotation(
    client: FlaskClient, sso_site: SsoSite
) -> None:
    old = sso_site.secret
    new = sso_site.add_secret()
    assert exchange(client, sso_site.slug, sso_site.token(secret=old)).status_code == 200
    assert exchange(client, sso_site.slug, sso_site.token(secret=new)).status_code == 200


def test_the_old_secret_stops_working_once_retired(client: FlaskClient, sso_site: SsoSite) -> None:
    old = sso_site.secret
    new = sso_site.add_secret()
    sso_site.retire_old()
    response = exchange(client, sso_site.slug, sso_site.token(secret=old))
    assert response.status_code == 401 and "signature" in response.json["error"]["message"]
    assert exchange(client, sso_site.slug, sso_site.token(secret=new)).status_code == 200


def test_a_third_secret_waits_until_the_old_one_is_retired(sso_site: SsoSite) -> None:
    sso_site.add_secret()
    with sso_site.app.app_context(), pytest.raises(ValidationFailed, match="retire"):
        sso.add_secret(sso_site.session, sso_site.site)


def test_retiring_keeps_the_newest_secret(sso_site: SsoSite) -> None:
    sso_site.retire_old()
    with sso_site.app.app_context():
        assert [s.secret for s in sso.active_secrets(sso_site.session, sso_site.site.id)] == [
            sso_site.secret
        ]


def test_a_secret_is_long_enough_for_hs256(sso_site: SsoSite) -> None:
    assert len(sso_site.secret.encode()) >= 32


# -- the command line, as a real process on a real database ---------------------------------


def sidenote(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*SIDENOTE, *args], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    database = tmp_path_factory.mktemp("sso-cli") / "cli.db"
    values = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    values.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{database}",
        SIDENOTE_SECRET_KEY="cli-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
    )
    for command in (
        ["db", "upgrade"],
        ["site", "add", "news", "--name", "News", "--origin", "https://news.example"],
    ):
        result = sidenote(values, *command)
        assert result.returncode == 0, result.stderr
    values["DB_PATH"] = str(database)
    return values


def stored_secrets(env: dict[str, str]) -> list[tuple[int, str, object]]:
    with sqlite3.connect(env["DB_PATH"]) as connection:
        rows = connection.execute("SELECT id, secret, retired_at FROM sso_secrets ORDER BY id")
        return [(int(row[0]), str(row[1]), row[2]) for row in rows]


def test_the_cli_rotates_secrets_printing_each_new_one_alone_on_the_last_line(
    env: dict[str, str],
) -> None:
    first = sidenote(env, "site", "sso", "news", "--new-secret")
    assert first.returncode == 0, first.stderr
    first_secret = first.stdout.splitlines()[-1]
    assert len(first_secret) >= 43 and " " not in first_secret

    second = sidenote(env, "site", "sso", "news", "--new-secret")
    assert second.returncode == 0, second.stderr
    second_secret = second.stdout.splitlines()[-1]
    assert [(s, r) for _i, s, r in stored_secrets(env)] == [
        (first_secret, None),
        (second_secret, None),
    ]
    # Listings name secrets by id and date, never by value.
    listing = sidenote(env, "site", "sso", "news")
    assert first_secret not in listing.stdout and second_secret not in listing.stdout
    assert listing.stdout.count("secret ") == 2

    third = sidenote(env, "site", "sso", "news", "--new-secret")
    assert third.returncode != 0 and "retire" in third.stderr

    retired = sidenote(env, "site", "sso", "news", "--retire-old")
    assert retired.returncode == 0, retired.stderr
    assert [(s, r is None) for _i, s, r in stored_secrets(env)] == [
        (first_secret, False),
        (second_secret, True),
    ]


def test_the_cli_switches_require_login_urls_and_guest_verification(env: dict[str, str]) -> None:
    result = sidenote(
        env,
        "site",
        "sso",
        "news",
        "--require",
        "--login-url",
        "https://news.example/login",
        "--logout-url",
        "https://news.example/logout",
    )
    assert result.returncode == 0, result.stderr
    assert "sso required\tyes" in result.stdout
    assert "login url\thttps://news.example/login" in result.stdout
    allowed = sidenote(env, "site", "sso", "news", "--allow-guests", "--login-url", "")
    assert "sso required\tno (guests allowed)" in allowed.stdout
    assert "login url\t-" in allowed.stdout
    assert "logout url\thttps://news.example/logout" in allowed.stdout
    verify = sidenote(env, "site", "sso", "news", "--verify-guests")
    assert "verify guests\tyes" in verify.stdout


def test_the_cli_refuses_a_login_url_that_is_not_http(env: dict[str, str]) -> None:
    result = sidenote(env, "site", "sso", "news", "--login-url", "javascript:alert(1)")
    assert result.returncode != 0 and "login_url" in result.stderr


def test_the_cli_names_an_unknown_site(env: dict[str, str]) -> None:
    result = sidenote(env, "site", "sso", "nope", "--new-secret")
    assert result.returncode != 0 and "nope" in result.stderr
