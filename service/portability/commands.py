"""`sidenote import` and `sidenote export` (privacy requests and `purge`: `privacy.commands`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import with_appcontext

from service.db.cli import db_session
from service.http.context import settings
from service.portability.importer import FORMATS


def _parse_remap(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(
                f"{value!r} is not OLD=NEW (e.g. http://old.example=https://new.example)"
            )
        pairs.append((old.strip(), new.strip()))
    return tuple(pairs)


class _Bars:
    """Progress bars on a terminal (stderr): bytes while reading, comments while writing."""

    def __init__(self, path: Path) -> None:
        self.enabled = sys.stderr.isatty()
        self.size = path.stat().st_size
        self.read_bar: Any = None
        self.write_bar: Any = None

    def reading(self, size: int) -> None:
        if not self.enabled:
            return
        if self.read_bar is None:
            self.read_bar = click.progressbar(
                length=self.size,
                label="Reading ",
                file=sys.stderr,
                show_eta=True,
                show_percent=True,
            )
            self.read_bar.__enter__()
        self.read_bar.update(size)

    def writing(self, total: int) -> None:
        if not self.enabled:
            return
        if self.read_bar is not None:
            self.read_bar.__exit__(None, None, None)
            self.read_bar = None
        self.write_bar = click.progressbar(
            length=max(total, 1),
            label="Importing",
            file=sys.stderr,
            show_eta=True,
            show_pos=True,
            item_show_func=None,
        )
        self.write_bar.__enter__()

    def written(self, count: int) -> None:
        if self.write_bar is not None:
            self.write_bar.update(count)

    def close(self) -> None:
        for bar in (self.read_bar, self.write_bar):
            if bar is not None:
                bar.__exit__(None, None, None)
        self.read_bar = self.write_bar = None


@click.command("import")
@click.argument("source", metavar="FORMAT", type=click.Choice(FORMATS))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--site", required=True, help="Slug of the site to import into.")
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@click.option(
    "--remap",
    multiple=True,
    metavar="OLD=NEW",
    callback=_parse_remap,
    help="Rewrite page URLs starting with OLD to start with NEW (repeatable).",
)
@click.option(
    "--source",
    "source_name",
    default="",
    metavar="NAME",
    help="Name of the installation the file comes from (default: the site or base URL the "
    "export names). Needed to import two Isso databases into one site.",
)
@with_appcontext
def import_command(
    source: str,
    file: Path,
    site: str,
    dry_run: bool,
    remap: tuple[tuple[str, str], ...],
    source_name: str,
) -> None:
    """Import comments from FORMAT's export FILE (gzip is fine) into a site.

    FORMAT is disqus, wordpress (WXR, also wpDiscuz), isso (comments.db or its JSON import
    format), remark42 (backup), commento (also Commento++, and Comentario's versions 1 and 3) or
    sidenote (our own export). Importing the same file again adds nothing; an interrupted import
    keeps whole pages and a second run completes it. A run that imports nothing from a file
    holding comments exits 1 with the reason.
    """
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.db import get_db
    from service.kernel.errors import ServiceError
    from service.portability.import_run import ImportHooks, ImportOptions
    from service.portability.importer import run_import
    from service.portability.records import ImportFormatError

    config = settings()
    bars = _Bars(file)
    hooks = ImportHooks(reading=bars.reading, writing=bars.writing, written=bars.written)
    options = ImportOptions(
        site=site,
        remap=remap,
        dry_run=dry_run,
        sanitizer=config.sanitizer,
        retain_ip_hash_days=config.retain_ip_hash_days,
        source_name=source_name,
        max_body_chars=config.import_max_body_chars,
    )
    try:
        summary = run_import(get_db(), source, file, options, hooks)
    except ImportFormatError as error:
        raise click.ClickException(f"{file}: {error}") from None
    except ServiceError as error:
        raise click.ClickException(error.message) from None
    except KeyboardInterrupt:
        bars.close()
        click.echo(
            "\nInterrupted: the pages written so far are kept; run the same command again to "
            "import the rest.",
            err=True,
        )
        sys.exit(130)
    finally:
        bars.close()
    for line in summary.lines():
        click.echo(line)
    failure = summary.failure()
    if failure is not None:
        raise click.ClickException(f"{file}: {failure}")


@click.command("export")
@click.option("--site", required=True, help="Slug of the site to export.")
@click.option(
    "--format",
    "shape",
    type=click.Choice(["json", "jsonl"]),
    default="json",
    show_default=True,
    help="One JSON document, or one record a line.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
@click.option(
    "--without-emails", is_flag=True, help="Leave commenters' and subscribers' emails out."
)
@with_appcontext
def export_command(site: str, shape: str, output: Path | None, without_emails: bool) -> None:
    """Export a site: threads, comments, votes, reports, moderation log, subscriptions.

    The format is described by docs/export.schema.json; `sidenote import sidenote FILE` reads it.
    """
    # Deferred for start-up cost: only this command needs it (`sidenote --help` stays quick).
    from service.portability.exporter import export_site

    with db_session() as session:
        chunks = export_site(
            session,
            site,
            shape="jsonl" if shape == "jsonl" else "json",
            include_emails=not without_emails,
        )
        if output is None:
            _write(chunks, sys.stdout)
            return
        partial = output.with_name(output.name + ".partial")
        with partial.open("w", encoding="utf-8") as handle:
            _write(chunks, handle)
        partial.replace(output)
        click.echo(f"exported site {site} to {output}", err=True)


def _write(chunks: Any, handle: IO[str]) -> None:
    for chunk in chunks:
        handle.write(chunk)
    handle.flush()
