"""Isso: its SQLite database file (`comments.db`) or its JSON import format.

The database has `threads(id, uri, title)` and `comments(tid, id, parent, created, mode, …)`;
`mode` is 1 (accepted), 2 (waiting for moderation) or 4 (deleted, kept for its replies). Bodies
are Markdown, as Isso stores them, except that Isso's own Disqus and WordPress importers store the
HTML they read: a body with HTML tags in it (`body_format`) is converted like the other HTML
sources. Every row is checked by a typed model; a row of the wrong shape is skipped with the field
that is wrong (an author object is not a name, `"mode": "1"` is not a mode). The JSON format is a
list of pages `{"id": uri, "title", "comments": [{id, author, email, website, remote_addr,
created, text}]}` whose comment ids count per page.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from service.comments.models import CommentStatus
from service.portability.jsonstream import JsonStream
from service.portability.records import (
    BodyFormat,
    CommentRecord,
    ImportFormatError,
    Record,
    SkipRecord,
    ThreadRecord,
    parse_datetime,
)
from service.portability.validation import Strict, validate

MODES = {1: CommentStatus.APPROVED, 2: CommentStatus.PENDING, 4: CommentStatus.DELETED}
Mode = Literal[1, 2, 4]
#: Tags Isso's importers leave in bodies (Disqus and WordPress HTML); Markdown has no such text.
_HTML_TAG = re.compile(
    r"</?(?:p|br|a|b|i|em|strong|blockquote|pre|code|ul|ol|li|div|span|img|hr|del|s|u)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_BLOCK_TAG = re.compile(r"<(?:p|br|div|blockquote|pre|ul|ol)\b", re.IGNORECASE)


class DatabaseComment(Strict):
    id: int
    tid: int
    parent: int | None = None
    created: float
    text: str | None = None
    mode: Mode | None = 1
    author: str | None = None
    email: str | None = None
    website: str | None = None
    remote_addr: str | None = None
    likes: int | None = 0
    dislikes: int | None = 0


class JsonComment(Strict):
    id: int | str
    parent: int | str | None = None
    created: str
    text: str = ""
    mode: Mode = 1
    author: str | None = None
    email: str | None = None
    website: str | None = None
    remote_addr: str | None = None
    likes: int = 0
    dislikes: int = 0


def body_format(text: str) -> BodyFormat:
    """Markdown, or HTML if Isso's importers stored HTML (with or without paragraph tags)."""
    if not _HTML_TAG.search(text):
        return "markdown"
    return "html" if _BLOCK_TAG.search(text) else "html_text"


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
    comment = validate(DatabaseComment, row, location)
    if isinstance(comment, SkipRecord):
        return comment
    try:
        created_at = datetime.fromtimestamp(comment.created, UTC)
    except (ValueError, OverflowError, OSError):
        return SkipRecord("invalid or missing date", location)
    text = comment.text or ""
    return CommentRecord(
        source_id=str(comment.id),
        thread_source_id=str(comment.tid),
        parent_source_id=str(comment.parent) if comment.parent else None,
        created_at=created_at,
        status=MODES[comment.mode or 1],
        body=text,
        body_format=body_format(text),
        location=location,
        author_name=comment.author or "",
        author_email=comment.email or "",
        author_website=comment.website or "",
        ip=comment.remote_addr or None,
        upvotes=_count(comment.likes),
        downvotes=_count(comment.dislikes),
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
            value = json.value()
            if not isinstance(value, str):
                raise ImportFormatError(f"page {number}", 'the page\'s "id" (its URI) is not text')
            uri = value
            # Comments read before the page's id wait for it: their ids count per page.
            for comment in waiting:
                yield _json_comment(comment, source_id, uri, number)
            waiting = []
        elif key == "title":
            value = json.value()
            title = value if isinstance(value, str) else ""
        elif key == "comments":
            for _ in json.array():
                json.peek()  # the position of the record itself, not of the space before it
                location = json.location()
                comment = json.value()
                count += 1
                if not isinstance(comment, dict):
                    yield SkipRecord(
                        "comment is not an object", f"page {number}, comment {count} ({location})"
                    )
                    continue
                comment["_location"] = f"page {number}, comment {count} ({location})"
                if uri is None:
                    waiting.append(comment)
                else:
                    yield _json_comment(comment, source_id, uri, number)
    if uri is None:
        raise ImportFormatError(f"page {number}", 'the page has no "id" (its URI)')
    yield ThreadRecord(source_id=source_id, url=uri, title=title)


def _json_comment(comment: dict[str, Any], thread_id: str, uri: str, page: int) -> Record:
    location = str(comment.pop("_location", f"page {page}"))
    checked = validate(JsonComment, comment, location)
    if isinstance(checked, SkipRecord):
        return checked
    created_at = parse_datetime(checked.created)
    if created_at is None:
        return SkipRecord("invalid or missing date", location)
    parent = checked.parent
    return CommentRecord(
        source_id=f"{uri}#{checked.id}",
        thread_source_id=thread_id,
        parent_source_id=f"{uri}#{parent}" if parent not in (None, "") else None,
        created_at=created_at,
        status=MODES[checked.mode],
        body=checked.text,
        body_format=body_format(checked.text),
        location=location,
        author_name=checked.author or "",
        author_email=checked.email or "",
        author_website=checked.website or "",
        ip=checked.remote_addr or None,
        upvotes=_count(checked.likes),
        downvotes=_count(checked.dislikes),
    )


def _count(value: int | None) -> int:
    return value if value is not None and 0 <= value < 10**9 else 0
