"""Alembic, driven from code: `sidenote db upgrade`, `sidenote check`, the tests and the health
check use this.

The migrations live in the repository's top-level `migrations/` folder. An installed package
carries them inside itself as `service/migrations/` (setup.py maps the folder there), so an
installed Sidenote never looks at the working directory or a checkout; a checkout (editable
install or PYTHONPATH) reads the top-level folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

#: The `service` package (this module is `service/db/migrate.py`).
_PACKAGE = Path(__file__).resolve().parent.parent


def migrations_dir() -> Path:
    """The folder of env.py and versions/: inside the installed package, else the checkout's."""
    for candidate in (_PACKAGE / "migrations", _PACKAGE.parent / "migrations"):
        if (candidate / "env.py").is_file():
            return candidate
    raise RuntimeError(f"the migrations are missing (looked in {_PACKAGE / 'migrations'})")


class SchemaNewerThanCode(Exception):
    """The database was migrated by a newer Sidenote: this one must not touch it."""


@dataclass(frozen=True)
class UpgradeResult:
    before: str | None
    after: str | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    def describe(self) -> str:
        if not self.changed:
            return f"database is up to date (revision {self.after}); nothing to do"
        return f"database upgraded from {self.before or 'empty'} to {self.after}"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def known_revision(url: str, revision: str | None) -> bool:
    """Whether this code's migrations know `revision` (None, an empty database, is known)."""
    if revision is None:
        return True
    script = ScriptDirectory.from_config(alembic_config(url))
    return revision in {migration.revision for migration in script.walk_revisions()}


def upgrade_database(url: str, engine: Engine) -> UpgradeResult:
    """`sidenote db upgrade`: refuse a database a newer Sidenote migrated, else bring it to head."""
    before = current_revision(engine)
    if not known_revision(url, before):
        raise SchemaNewerThanCode(
            f"the database is at revision {before}, which this version of Sidenote does not "
            f"know (its newest is {head_revision(url)}): it was upgraded by a newer Sidenote; "
            "install that version (downgrades are not supported)"
        )
    if before != head_revision(url):
        upgrade(url)
    return UpgradeResult(before=before, after=current_revision(engine))


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
