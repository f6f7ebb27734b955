"""What every feature's `commands.py` shares: the session a command runs with.

The commands are Flask `AppGroup`s and `with_appcontext` commands: the `sidenote` group
(service/cli.py) puts a `ScriptInfo` whose factory is `app_from_settings` in the click context,
and Flask builds the app from it the first time a command needs it. Nothing here imports
service/cli.py, so the commands and the entry point form no import cycle.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from service.db import get_db
from service.kernel.errors import ServiceError


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
