"""The `sidenote` command line: serve, migrate, manage sites, seed the demo.

Errors are one clear line on stderr and a non-zero exit; every command has `--help`. Commands read
the same settings as the server (`SIDENOTE_*`, `SIDENOTE_CONFIG`).

The commands are Flask `AppGroup`s and `with_appcontext` commands: Flask builds the app the first
time a command needs it, from the `ScriptInfo` this group puts in the click context
(`script_info` below). Each feature's `commands.py` defines its own commands without importing
this module; this module only adds them to `sidenote`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click
from flask import Flask, current_app
from flask.cli import AppGroup, ScriptInfo
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from service import __version__
from service.app import create_app
from service.db.cli import db_session
from service.http.context import settings
from service.identity.commands import sso_command
from service.kernel.config import ConfigError
from service.moderation.commands import moderator_group, token_group
from service.notifications.commands import alerts_group
from service.portability.commands import export_command, import_command
from service.privacy.commands import privacy_group, purge_command
from service.worker import worker_command

F = TypeVar("F", bound=Callable[..., Any])


def app_from_settings() -> Flask:
    """The app the settings describe (`SIDENOTE_*`, `SIDENOTE_CONFIG`); a bad setting is one
    line and exit 1."""
    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(f"configuration error: {error}") from None


def script_info() -> ScriptInfo:
    """What `with_appcontext` loads the app from (Flask's debug flag stays the app's own)."""
    return ScriptInfo(create_app=app_from_settings, set_debug_flag=False)


@click.group(cls=AppGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", "-V", prog_name="sidenote", message="%(prog)s %(version)s"
)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Sidenote: self-hosted, moderated comments.

    Settings come from SIDENOTE_* environment variables or the TOML file named by SIDENOTE_CONFIG.
    """
    if not isinstance(ctx.obj, ScriptInfo):
        ctx.obj = script_info()  # what every command's `with_appcontext` builds its app from


# -- serve -----------------------------------------------------------------------------------


@cli.command("serve", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--threads",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Threads per worker (helps only when the database is far away).",
)
@click.option("--timeout", default=30, show_default=True, type=click.IntRange(1, 3600))
def serve(host: str, port: int, workers: int, threads: int, timeout: int) -> None:
    """Serve the app with gunicorn (production server)."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.server import run_gunicorn

    run_gunicorn(host=host, port=port, workers=workers, threads=threads, timeout=timeout)


@cli.command("run")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--debug/--no-debug",
    default=False,
    show_default=True,
    help="Flask's debug mode (template reloading). Never the interactive debugger.",
)
def run_development_server(host: str, port: int, debug: bool) -> None:
    """Serve with Flask's development server (what `make run` uses).

    Werkzeug's interactive debugger is never served: it runs Python typed into a browser page,
    and `make run` may well listen on an address others reach."""
    current_app.run(
        host=host, port=port, debug=debug, use_debugger=False, use_reloader=False, threaded=True
    )


# -- db --------------------------------------------------------------------------------------


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (creates the database on first run).

    Says so when there is nothing to do; refuses a database a newer Sidenote migrated.
    """
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.db import make_engine
    from service.db.migrate import SchemaNewerThanCode, upgrade_database

    url = settings().sqlalchemy_url
    engine = make_engine(url)
    try:
        result = upgrade_database(url, engine)
    except SchemaNewerThanCode as error:
        raise click.ClickException(str(error)) from None
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise click.ClickException(f"database error: {reason}") from None
    finally:
        engine.dispose()
    click.echo(result.describe())


# -- check -----------------------------------------------------------------------------------


@cli.command("check")
def check() -> None:
    """Is this installation ready? Database, migrations, Redis, SMTP, public URL, secrets.

    Prints each problem on one line and exits 1 if there is any; run it after every change.
    """
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.doctor import run_checks

    problems = run_checks(settings())
    for problem in problems:
        click.echo(f"problem: {problem}")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) found")
    click.echo("sidenote check: everything is ready")


cli.add_command(check, "doctor")


# -- sites -----------------------------------------------------------------------------------


@cli.group("site")
def site_group() -> None:
    """Manage sites (the websites that embed Sidenote)."""


def _site_options(require: bool) -> Callable[[F], F]:
    def decorate(command: F) -> F:
        options = [
            click.option("--name", required=require, help="Display name of the site."),
            click.option(
                "--origin",
                "origins",
                multiple=True,
                required=require,
                help="An origin whose pages may embed the site (repeatable; replaces the set).",
            ),
            click.option(
                "--moderation",
                type=click.Choice(["post", "pre", "first-time"]),
                default="post" if require else None,
                show_default=require,
                help="post: publish at once; pre: review all; first-time: review newcomers.",
            ),
            click.option("--edit-window", type=click.IntRange(0, 604800), help="Seconds."),
            click.option("--max-depth", type=click.IntRange(1, 20), help="Shown reply depth."),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@site_group.command("add")
@click.argument("slug")
@_site_options(require=True)
def site_add(
    slug: str,
    name: str,
    origins: tuple[str, ...],
    moderation: str,
    edit_window: int | None,
    max_depth: int | None,
) -> None:
    """Add a site."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.comments.sites import create_site

    with db_session() as session:
        site = create_site(
            session,
            slug=slug,
            name=name,
            origins=list(origins),
            moderation=moderation,
            edit_window_seconds=edit_window,
            max_depth=max_depth,
        )
        click.echo(f"added site {site.slug}")


@site_group.command("update")
@click.argument("slug")
@_site_options(require=False)
def site_update(
    slug: str,
    name: str | None,
    origins: tuple[str, ...],
    moderation: str | None,
    edit_window: int | None,
    max_depth: int | None,
) -> None:
    """Change a site's settings; --origin replaces the whole set."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.comments.sites import get_site, update_site

    with db_session() as session:
        site = update_site(
            session,
            get_site(session, slug),
            name=name,
            origins=list(origins) or None,
            moderation=moderation,
            edit_window_seconds=edit_window,
            max_depth=max_depth,
        )
        click.echo(f"updated site {site.slug}")


@site_group.command("list")
def site_list() -> None:
    """One site a line: slug, moderation, origins."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.comments.models import Site

    with db_session() as session:
        for site in session.scalars(select(Site).order_by(Site.slug)):
            click.echo(f"{site.slug} {site.moderation} {' '.join(site.origins)}")


# -- demo ------------------------------------------------------------------------------------


@cli.command("demo")
@click.option("--port", default=8000, type=click.IntRange(1, 65535), help="Port of the demo.")
def demo(port: int) -> None:
    """Seed the demo site and article (idempotent; development mode only)."""
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.demo import seed_demo

    if settings().env == "production":
        # The demo adds a site for localhost origins and, in development, a moderator whose
        # password is printed: nothing a production database should get by a slip of the hand.
        raise click.ClickException(
            "the demo is for development: set SIDENOTE_ENV=development (make run does)"
        )
    with db_session() as session:
        for line in seed_demo(session, port=port):
            click.echo(line)


# -- the features' commands (each feature's commands.py) -------------------------------------

cli.add_command(worker_command)  # the worker process (service/worker.py)
cli.add_command(alerts_group)  # notifications: `alerts`
cli.add_command(import_command)  # portability: `import`, `export`
cli.add_command(export_command)
cli.add_command(privacy_group)  # privacy: `privacy`, `purge`
cli.add_command(purge_command)
cli.add_command(token_group)  # moderation: `token`, `moderator`
cli.add_command(moderator_group)
site_group.add_command(sso_command)  # identity: `site sso`


def main(argv: list[str] | None = None) -> None:
    """Entry point of the `sidenote` script: configuration errors are one line, exit 2."""
    try:
        cli.main(args=argv, prog_name="sidenote")
    except ConfigError as error:
        click.echo(f"sidenote: configuration error: {error}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
