"""A scratch SQLite file between the parser and the database: records in, pages out.

Exports list comments in any order: Disqus puts all threads first and the posts of one page all
over the file, Commento lists its authors last. Holding the file in memory would grow with it;
instead every record goes into an indexed temporary table as it is read, and the importer then
reads back one page at a time, with its comments and their authors. Memory stays flat whatever
the file's size; disk use is about the file's size.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from service.portability.records import (
    CommentRecord,
    PersonRecord,
    Record,
    SourceRecord,
    ThreadRecord,
    clean_text,
    installation_name,
)

MAX_SOURCE_ID = 200
_SCHEMA = """
CREATE TABLE threads (
    ordinal INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    title TEXT NOT NULL,
    created_at TEXT,
    locked INTEGER NOT NULL,
    deleted INTEGER NOT NULL,
    extra TEXT NOT NULL,
    page_key TEXT,
    page_url TEXT,
    problem TEXT
);
CREATE TABLE comments (
    ordinal INTEGER PRIMARY KEY,
    source_id TEXT NOT NULL UNIQUE,
    thread_source_id TEXT NOT NULL,
    author_ref TEXT,
    payload TEXT NOT NULL
);
CREATE TABLE people (source_id TEXT PRIMARY KEY, name TEXT, email TEXT, website TEXT);
CREATE TABLE skipped (ordinal INTEGER PRIMARY KEY, reason TEXT NOT NULL, location TEXT NOT NULL);
CREATE TABLE source (one INTEGER PRIMARY KEY CHECK (one = 1), installation TEXT, definite INTEGER);
"""


def source_key(value: str) -> str:
    """An id short enough to store: long ones (page URIs with a counter) are hashed."""
    if len(value) <= MAX_SOURCE_ID:
        return value
    return "sha256:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


@dataclass
class StagedThread:
    source_ids: list[str]
    key: str
    url: str
    title: str
    created_at: datetime | None
    locked: bool
    extra: dict[str, Any]


class Staging:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(str(path))
        self.db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
        self._pending = 0

    def close(self) -> None:
        self.db.close()

    def reset(self) -> None:
        """Forget everything read so far (the file is read again, repaired)."""
        self.db.executescript(
            "DELETE FROM threads; DELETE FROM comments; DELETE FROM people; DELETE FROM skipped;"
            "DELETE FROM source;"
        )

    # -- writing ---------------------------------------------------------------------------

    def add(self, record: Record) -> None:
        if isinstance(record, CommentRecord):
            self._add_comment(record)
        elif isinstance(record, ThreadRecord):
            self._add_thread(record)
        elif isinstance(record, PersonRecord):
            if record.source_id:
                self.db.execute(
                    "INSERT OR REPLACE INTO people VALUES (?, ?, ?, ?)",
                    (
                        clean_text(record.source_id),
                        clean_text(record.name),
                        clean_text(record.email),
                        clean_text(record.website),
                    ),
                )
        elif isinstance(record, SourceRecord):
            self._add_source(record)
        else:
            self.skip(record.reason, record.location)
        self._pending += 1
        if self._pending >= 5_000:
            self.db.commit()
            self._pending = 0

    def skip(self, reason: str, location: str) -> None:
        self.db.execute("INSERT INTO skipped (reason, location) VALUES (?, ?)", (reason, location))

    def _add_source(self, record: SourceRecord) -> None:
        name = installation_name(record.installation)
        if not name:
            return
        self.db.execute(
            "INSERT INTO source VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET"
            " installation = excluded.installation, definite = 1"
            " WHERE excluded.definite = 1 AND source.definite = 0",
            (name, int(record.definite)),
        )

    def installation(self) -> str:
        """The installation the file named ("" if none)."""
        row = self.db.execute("SELECT installation FROM source").fetchone()
        return str(row[0]) if row else ""

    def _add_thread(self, record: ThreadRecord) -> None:
        self.db.execute(
            "INSERT INTO threads (source_id, url, title, created_at, locked, deleted, extra)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (source_id) DO UPDATE SET"
            " title = CASE WHEN threads.title = '' THEN excluded.title ELSE threads.title END,"
            " locked = MAX(threads.locked, excluded.locked)",
            (
                source_key(clean_text(record.source_id)),
                clean_text(record.url),
                clean_text(record.title),
                record.created_at.isoformat() if record.created_at else None,
                int(record.locked),
                int(record.deleted),
                json.dumps(record.extra),
            ),
        )

    def _add_comment(self, record: CommentRecord) -> None:
        record.source_id = source_key(clean_text(record.source_id))
        record.thread_source_id = source_key(clean_text(record.thread_source_id))
        if record.parent_source_id is not None:
            record.parent_source_id = source_key(clean_text(record.parent_source_id))
        if record.author_ref is not None:
            record.author_ref = clean_text(record.author_ref)
        payload = asdict(record)
        payload["created_at"] = record.created_at.isoformat()
        try:
            self.db.execute(
                "INSERT INTO comments (source_id, thread_source_id, author_ref, payload)"
                " VALUES (?, ?, ?, ?)",
                (
                    record.source_id,
                    record.thread_source_id,
                    record.author_ref,
                    json.dumps(payload),  # ASCII: a lone surrogate survives until cleaned
                ),
            )
        except sqlite3.IntegrityError:
            self.skip(f"duplicate comment id {record.source_id!r} in the file", record.location)

    def finish(self) -> None:
        self.db.executescript(
            "CREATE INDEX ix_comments_thread ON comments (thread_source_id, ordinal);"
            "CREATE INDEX ix_threads_key ON threads (page_key);"
        )
        self.db.commit()

    # -- pages -----------------------------------------------------------------------------

    def threads(self) -> Iterator[tuple[int, str, str, bool, dict[str, Any]]]:
        """(ordinal, source id, url, deleted, extra) of every staged page."""
        rows = self.db.execute(
            "SELECT ordinal, source_id, url, deleted, extra FROM threads ORDER BY ordinal"
        ).fetchall()
        for ordinal, source_id, url, deleted, extra in rows:
            yield ordinal, source_id, url, bool(deleted), json.loads(extra)

    def resolve(
        self, ordinal: int, *, key: str | None, url: str | None, problem: str | None
    ) -> None:
        self.db.execute(
            "UPDATE threads SET page_key = ?, page_url = ?, problem = ? WHERE ordinal = ?",
            (key, url, problem, ordinal),
        )

    def skip_unplaceable(self) -> None:
        """Record why comments of pages that cannot be imported, or of no page, are left out."""
        self.db.execute(
            "INSERT INTO skipped (reason, location)"
            " SELECT t.problem, json_extract(c.payload, '$.location') FROM comments c"
            " JOIN threads t ON t.source_id = c.thread_source_id"
            " WHERE t.problem IS NOT NULL ORDER BY c.ordinal"
        )
        self.db.execute(
            "INSERT INTO skipped (reason, location)"
            " SELECT 'its page (thread ' || c.thread_source_id || ') is not in the file',"
            " json_extract(c.payload, '$.location') FROM comments c"
            " LEFT JOIN threads t ON t.source_id = c.thread_source_id"
            " WHERE t.ordinal IS NULL ORDER BY c.ordinal"
        )
        self.db.commit()

    def comment_total(self) -> int:
        row = self.db.execute(
            "SELECT COUNT(*) FROM comments c JOIN threads t ON t.source_id = c.thread_source_id"
            " WHERE t.page_key IS NOT NULL"
        ).fetchone()
        return int(row[0])

    def pages(self, *, include_empty: bool) -> Iterator[tuple[StagedThread, list[CommentRecord]]]:
        """Each page to write (pages sharing a key are one), with its comments in file order."""
        keys = self.db.execute(
            "SELECT page_key FROM threads WHERE page_key IS NOT NULL"
            " GROUP BY page_key ORDER BY MIN(ordinal)"
        ).fetchall()
        for (key,) in keys:
            rows = self.db.execute(
                "SELECT source_id, page_url, title, created_at, locked, extra FROM threads"
                " WHERE page_key = ? ORDER BY ordinal",
                (key,),
            ).fetchall()
            source_ids = [row[0] for row in rows]
            comments = list(self._comments(source_ids))
            if not comments and not include_empty:
                continue
            dates = [datetime.fromisoformat(row[3]) for row in rows if row[3]]
            yield (
                StagedThread(
                    source_ids=source_ids,
                    key=key,
                    url=rows[0][1],
                    title=next((row[2] for row in rows if row[2]), ""),
                    created_at=min(dates) if dates else None,
                    locked=any(row[4] for row in rows),
                    extra=json.loads(rows[0][5]),
                ),
                comments,
            )

    def _comments(self, thread_source_ids: list[str]) -> Iterator[CommentRecord]:
        marks = ", ".join("?" for _ in thread_source_ids)
        rows = self.db.execute(
            "SELECT c.payload, p.name, p.email, p.website FROM comments c"  # noqa: S608
            " LEFT JOIN people p ON p.source_id = c.author_ref"
            f" WHERE c.thread_source_id IN ({marks}) ORDER BY c.ordinal",
            thread_source_ids,
        )
        for payload, name, email, website in rows:
            data = json.loads(payload)
            data["created_at"] = datetime.fromisoformat(data["created_at"])
            record = CommentRecord(**data)
            if record.author_ref is not None and name is not None:
                record.author_name = record.author_name or name
                record.author_email = record.author_email or email
                record.author_website = record.author_website or website
            yield record

    def skipped(self) -> Iterator[tuple[str, str]]:
        yield from self.db.execute("SELECT reason, location FROM skipped ORDER BY ordinal")
