"""Isso: its SQLite database file (`comments.db`) or its JSON import format.

The database has `threads(id, uri, title)` and `comments(tid, id, parent, created, mode, …)`;
`mode` is 1 (accepted), 2 (waiting for moderation) or 4 (deleted, kept for its replies). Bodies
are Markdown, as Isso stores them. The JSON format is a list of pages
`{"id": uri, "title", "comments": [{id, author, email, website, remote_addr, created, text}]}`
whose comment ids count per page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from service.portability.jsonstream import JsonStream
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    Record,
    SkipRecord,
    ThreadRecord,
    parse_datetime,
)

MODES = {1: "approved", 2: "pending", 4: "deleted"}


def read_isso_database(path: Path) -> Iterator[Record]:
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise ImportFormatError("", f"cannot open the Isso database ({error})") from None
    try:
        yield from _read_database(connection)
    except sqlite3.DatabaseError as error:
        raise ImportFormatError("", f"not a readable Isso database ({error})") from None
    finally:
        connection.close()


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}


def _read_database(connection: sqlite3.Connection) -> Iterator[Record]:
    threads = _columns(connection, "threads")
    comments = _columns(connection, "comments")
    needed = {"id", "tid", "parent", "created", "text"}
    if not {"id", "uri"} <= threads or not needed <= comments:
        raise ImportFormatError("", "not an Isso database (no threads and comments tables)")
    title = "title" if "title" in threads else "''"
    for thread_id, uri, thread_title in connection.execute(
        f"SELECT id, uri, {title} FROM threads ORDER BY id"  # noqa: S608 - fixed column names
    ):
        yield ThreadRecord(source_id=str(thread_id), url=str(uri or ""), title=thread_title or "")
    optional = [
        name
        for name in ("mode", "author", "email", "website", "remote_addr", "likes", "dislikes")
        if name in comments
    ]
    select = ", ".join(["id", "tid", "parent", "created", "text", *optional])
    cursor = connection.execute(f"SELECT {select} FROM comments ORDER BY id")  # noqa: S608
    names = ["id", "tid", "parent", "created", "text", *optional]
    for values in cursor:
        row = dict(zip(names, values, strict=True))
        yield _database_comment(row)


def _database_comment(row: dict[str, Any]) -> Record:
    location = f"comment id {row['id']}"
    try:
        created_at = datetime.fromtimestamp(float(row["created"]), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return SkipRecord("invalid or missing date", location)
    mode = row.get("mode", 1)
    return CommentRecord(
        source_id=str(row["id"]),
        thread_source_id=str(row["tid"]),
        parent_source_id=str(row["parent"]) if row["parent"] else None,
        created_at=created_at,
        status=MODES.get(mode if isinstance(mode, int) else 1, "pending"),
        body=str(row["text"] or ""),
        body_format="markdown",
        location=location,
        author_name=str(row.get("author") or ""),
        author_email=str(row.get("email") or ""),
        author_website=str(row.get("website") or ""),
        ip=str(row.get("remote_addr") or "") or None,
        upvotes=_count(row.get("likes")),
        downvotes=_count(row.get("dislikes")),
    )


def read_isso_json(stream: IO[str]) -> Iterator[Record]:
    json = JsonStream(stream)
    if json.peek() != "[":
        raise json.error("not an Isso JSON import (expected a list of pages)")
    for index in json.array():
        yield from _json_page(json, index + 1)
    json.finish()


def _json_page(json: JsonStream, number: int) -> Iterator[Record]:
    if json.peek() != "{":
        raise json.error(f"page {number}: expected an object")
    source_id = f"page{number}"
    uri: str | None = None
    title = ""
    waiting: list[dict[str, Any]] = []
    count = 0
    for key in json.object():
        if key == "id":
            uri = str(json.value() or "")
            # Comments read before the page's id wait for it: their ids count per page.
            for comment in waiting:
                yield _json_comment(comment, source_id, uri, number)
            waiting = []
        elif key == "title":
            title = str(json.value() or "")
        elif key == "comments":
            for _ in json.array():
                location = json.location()
                comment = json.value()
                count += 1
                if not isinstance(comment, dict):
                    raise ImportFormatError(location, f"page {number}: a comment is not an object")
                comment["_location"] = f"page {number}, comment {count}"
                if uri is None:
                    waiting.append(comment)
                else:
                    yield _json_comment(comment, source_id, uri, number)
    if uri is None:
        raise ImportFormatError(f"page {number}", 'the page has no "id" (its URI)')
    yield ThreadRecord(source_id=source_id, url=uri, title=title)


def _json_comment(comment: dict[str, Any], thread_id: str, uri: str, page: int) -> Record:
    location = str(comment.get("_location", f"page {page}"))
    created_at = parse_datetime(str(comment.get("created") or ""))
    if created_at is None:
        return SkipRecord("invalid or missing date", location)
    comment_id = comment.get("id")
    if comment_id is None:
        return SkipRecord("comment without an id", location)
    parent = comment.get("parent")
    mode = comment.get("mode", 1)
    return CommentRecord(
        source_id=f"{uri}#{comment_id}",
        thread_source_id=thread_id,
        parent_source_id=f"{uri}#{parent}" if parent not in (None, "") else None,
        created_at=created_at,
        status=MODES.get(mode if isinstance(mode, int) else 1, "pending"),
        body=str(comment.get("text") or ""),
        body_format="markdown",
        location=location,
        author_name=str(comment.get("author") or ""),
        author_email=str(comment.get("email") or ""),
        author_website=str(comment.get("website") or ""),
        ip=str(comment.get("remote_addr") or "") or None,
        upvotes=_count(comment.get("likes")),
        downvotes=_count(comment.get("dislikes")),
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and 0 <= value < 10**9 else 0
