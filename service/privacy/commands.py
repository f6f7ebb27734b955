"""`sidenote privacy export|erase` and `sidenote purge` (retention)."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from service.db.cli import db_session
from service.http.context import settings


@click.group("privacy", cls=AppGroup)
def privacy_group() -> None:
    """Privacy requests for one email address."""


@privacy_group.command("export")
@click.argument("email")
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: stdout)."
)
def privacy_export(email: str, output: Path | None) -> None:
    """Print everything stored about EMAIL as JSON."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.privacy.requests import export_person

    with db_session() as session:
        document = json.dumps(export_person(session, email), ensure_ascii=False, indent=2)
    if output is None:
        click.echo(document)
    else:
        output.write_text(document + "\n", encoding="utf-8")


@privacy_group.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def privacy_erase(email: str, yes: bool) -> None:
    """Erase EMAIL: anonymise its comments, cancel its subscriptions, drop its IP hashes."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.kernel.actors import CLI_ACTOR
    from service.privacy.requests import erase_person

    if not yes:
        click.confirm(f"Erase every trace of {email}? This cannot be undone", abort=True)
    with db_session() as session:
        erasure = erase_person(session, email, CLI_ACTOR)
    for name, count in erasure.as_dict().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Apply retention: drop old IP hashes, delete old rejected and spam comments."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.kernel.actors import SYSTEM_ACTOR
    from service.privacy.retention import purge

    with db_session() as session:
        purged = purge(session, settings(), SYSTEM_ACTOR)
    for name, count in purged.as_dict().items():
        click.echo(f"{name.replace('_', ' ')}: {count}")
