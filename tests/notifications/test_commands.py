"""`sidenote alerts …` manages moderators' alert mails from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from service import create_app
from service.cli import cli
from service.db import get_db
from service.db.migrate import upgrade
from service.models import Subscription
from service.moderation import accounts
from tests.conftest import TEST_SECRET, make_settings


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    upgrade(url)
    app = create_app(make_settings(url))
    with app.app_context(), get_db(app).session(write=True) as session:
        accounts.create_moderator(
            session, username="mia", password="correct horse battery", role="admin", site_slugs=[]
        )
        session.commit()
    yield url
    get_db(app).dispose()


def run(database: str, *args: str) -> str:
    result = CliRunner().invoke(
        cli,
        list(args),
        env={
            "SIDENOTE_DATABASE_URL": database,
            "SIDENOTE_SECRET_KEY": TEST_SECRET,
            "SIDENOTE_ENV": "test",
        },
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return result.output


def subscriptions(database: str) -> list[tuple[str, str]]:
    app = create_app(make_settings(database))
    try:
        with app.app_context(), get_db(app).session() as session:
            return [
                (s.kind, s.frequency)
                for s in session.scalars(select(Subscription).order_by(Subscription.id))
            ]
    finally:
        get_db(app).dispose()


def test_alerts_set_list_and_off(database: str) -> None:
    assert run(database, "alerts", "set", "mia", "--email", "mia@mods.example") == (
        "alerts for mia: immediate\n"
    )
    run(database, "alerts", "set", "mia", "--email", "mia@mods.example", "--frequency", "daily")
    assert run(database, "alerts", "list") == "mia daily mia@mods.example\n"
    assert subscriptions(database) == [("moderation", "daily")]
    assert run(database, "alerts", "off", "mia") == "alerts for mia: off\n"
    assert subscriptions(database) == []


def test_alerts_for_an_unknown_moderator_fail_in_one_line(database: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["alerts", "set", "nobody", "--email", "x@mods.example"],
        env={
            "SIDENOTE_DATABASE_URL": database,
            "SIDENOTE_SECRET_KEY": TEST_SECRET,
            "SIDENOTE_PUBLIC_URL": "https://comments.example",
        },
    )
    assert result.exit_code == 1
    assert result.output.strip() == "Error: No moderator 'nobody'."
