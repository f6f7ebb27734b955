"""What every feature's `commands.py` shares: the app the commands run in, and their session.

The commands are Flask `AppGroup`s and `with_appcontext` commands: the `sidenote` group
(service/cli.py) puts a `ScriptInfo` whose factory is `app_from_settings` in the click context,
and Flask builds the app from it the first time a command needs it. Nothing here imports
service/cli.py, so the commands and the entry point form no import cycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import Flask
from flask.cli import ScriptInfo
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from service.db import get_db
from service.kernel.config import ConfigError
from service.kernel.errors import ServiceError


def app_from_settings() -> Flask:
    """The app the settings describe (`SIDENOTE_*`, `SIDENOTE_CONFIG`); a bad setting is one
    line and exit 1."""
    # Deferred: the app factory sits on top of every feature that uses this module.
    from service import create_app

    try:
        return create_app()
    except ConfigError as error:
        raise click.ClickException(f"configuration error: {error}") from None


def script_info() -> ScriptInfo:
    """What `with_appcontext` loads the app from (Flask's debug flag stays the app's own)."""
    return ScriptInfo(create_app=app_from_settings, set_debug_flag=False)


@contextmanager
def db_session() -> Iterator[Session]:
    """A session that commits when the command succeeds; domain errors become one-line errors."""
    session = get_db().session(write=True)
    try:
        yield session
        session.commit()
    except ServiceError as error:
        session.rollback()
        field = next(iter(error.fields), None) if error.fields else None
        detail = error.fields[field] if error.fields and field else error.message
        raise click.ClickException(f"{field}: {detail}" if field else detail) from None
    except (OperationalError, ProgrammingError) as error:
        session.rollback()
        # Unreachable, or not migrated yet: one line, with the likely fix, not a traceback.
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise click.ClickException(
            f"database error: {reason} (is the database reachable? a new one needs "
            "'sidenote db upgrade')"
        ) from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
