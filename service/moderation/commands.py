"""`sidenote token …` (API tokens) and `sidenote moderator add` (UI accounts).

Registered in service/cli.py. They read `SIDENOTE_DATABASE_URL` like the server; errors are one
line and a non-zero exit.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from service.db.cli import db_session
from service.kernel.clock import isoformat


@click.group("token", cls=AppGroup)
def token_group() -> None:
    """API tokens for scripts (Authorization: Bearer …)."""


@token_group.command("add")
@click.option("--site", "site", metavar="SLUG", help="The site it acts on (omit: every site).")
@click.option(
    "--scope",
    type=click.Choice(["read", "moderate", "admin"]),
    required=True,
    help="read < moderate < admin. Only admin tokens may omit --site.",
)
@click.option("--name", default="", help="What the token is for (shown in `token list`).")
def token_add(site: str | None, scope: str, name: str) -> None:
    """Create a token: its id on the first line, the token itself alone on the last line."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.moderation.accounts import create_token

    with db_session() as session:
        token, secret = create_token(session, scope=scope, site_slug=site, name=name)
    click.echo(str(token.id))
    click.echo(
        f"scope {scope} on {'site ' + site if site else 'every site'}"
        f"{f' ({name})' if name else ''}; store it now, it is not shown again:"
    )
    click.echo(secret)


@token_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
def token_list(show_all: bool) -> None:
    """One token a line: id, name, site (or *), scope, created, last used (tab-separated)."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.moderation.accounts import list_tokens

    with db_session() as session:
        rows = list_tokens(session)
    for token, slug in rows:
        if token.revoked_at is not None and not show_all:
            continue
        fields = [
            str(token.id),
            token.name or "-",
            slug or "*",
            token.scope,
            isoformat(token.created_at) or "-",
            isoformat(token.last_used_at) or "never",
        ]
        if token.revoked_at is not None:
            fields.append("revoked")
        click.echo("\t".join(fields))


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token at once (its requests answer 401 from now on)."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.moderation.accounts import revoke_token

    with db_session() as session:
        revoke_token(session, token_id)
    click.echo(f"revoked token {token_id}")


@click.group("moderator", cls=AppGroup)
def moderator_group() -> None:
    """Accounts for the moderator UI (/moderate)."""


@moderator_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["admin", "moderator"]), required=True)
@click.option(
    "--site",
    "sites",
    multiple=True,
    metavar="SLUG",
    help="A site a moderator may moderate (repeatable; admins have every site).",
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (else it is asked for).",
)
def moderator_add(username: str, role: str, sites: tuple[str, ...], password_stdin: bool) -> None:
    """Add a moderator; the password is hashed with argon2id."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.moderation.accounts import create_moderator

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with db_session() as session:
        moderator = create_moderator(
            session, username=username, password=password, role=role, site_slugs=list(sites)
        )
    where = "every site" if role == "admin" else ", ".join(sites)
    click.echo(f"added {role} {moderator.username} ({where})")
