"""Reading Sidenote's own export (`exporter.py`) back, in either shape (json or jsonl).

Threads keep their keys, comments their statuses, dates, anchors, votes, reports, moderation
reasons and where they were first imported from. Bodies are rendered again from their Markdown
source: HTML in the file is never trusted. The moderation log and subscriptions are part of the
export for the record; they are not restored (moderators, tokens and confirmed addresses belong
to the installation that made them).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import IO, Any, Literal

from pydantic import Field

from service.portability.jsonstream import JsonStream
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    Record,
    SkipRecord,
    SourceRecord,
    ThreadRecord,
    parse_datetime,
)
from service.portability.validation import Strict, validate

EXPORT_FORMAT = "sidenote-export"
SUPPORTED_VERSIONS = (1,)
_JSONL_START = re.compile(r'^\s*\{\s*"type"\s*:\s*"meta"')
_NATIVE_FIELDS = (
    "pinned",
    "edited_at",
    "edited_by_moderator",
    "status_changed_at",
    "moderation_reasons",
    "spam_score",
    "anchor",
    "votes",
    "reports",
    "report_count",
    "imported_from",
)


def read_native(stream: IO[str]) -> Iterator[Record]:
    peeked = stream.read(4096)
    rest = _Prefixed(peeked, stream)
    if _JSONL_START.match(peeked):
        yield from _read_lines(rest)
    else:
        yield from _read_document(rest)


class _Prefixed:
    """A text stream with an already read prefix put back."""

    def __init__(self, prefix: str, stream: IO[str]) -> None:
        self.prefix = prefix
        self.stream = stream

    def read(self, size: int = -1) -> str:
        if self.prefix:
            out, self.prefix = self.prefix, ""
            return out
        return self.stream.read(size)

    def __iter__(self) -> Iterator[str]:
        first = self.prefix
        self.prefix = ""
        rest_of_line = self.stream.readline() if first and not first.endswith("\n") else ""
        lines = (first + rest_of_line).splitlines(keepends=True)
        yield from lines
        yield from self.stream


def _check_meta(meta: dict[str, Any], location: str) -> None:
    if meta.get("format") != EXPORT_FORMAT:
        raise ImportFormatError(location, "not a Sidenote export (format is not sidenote-export)")
    if meta.get("version") not in SUPPORTED_VERSIONS:
        raise ImportFormatError(
            location, f"unsupported Sidenote export version {meta.get('version')!r}"
        )


def _read_lines(stream: _Prefixed) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line.rstrip("\r\n"))
        except json.JSONDecodeError as error:
            raise ImportFormatError(
                f"line {number}, column {error.colno}", f"not valid JSON ({error.msg})"
            ) from None
        if not isinstance(data, dict):
            raise ImportFormatError(f"line {number}", "expected a JSON object on each line")
        kind = data.get("type")
        if number == 1:
            _check_meta(data, "line 1")
            yield from _source(data.get("site"))
        elif kind == "thread":
            yield _thread(data, f"line {number}")
        elif kind == "comment":
            yield _comment(data, str(data.get("thread_id")), f"line {number}")


def _read_document(stream: _Prefixed) -> Iterator[Record]:
    reader = JsonStream(stream)
    if reader.peek() != "{":
        raise reader.error("not a Sidenote export (expected a JSON object)")
    meta: dict[str, Any] = {}
    for key in reader.object():
        if key in {"format", "version"}:
            meta[key] = reader.value()
            if len(meta) == 2:
                _check_meta(meta, "line 1")
        elif key == "site":
            yield from _source(reader.value())
        elif key == "threads":
            if len(meta) < 2:
                raise reader.error("not a Sidenote export (format and version come first)")
            for index in reader.array():
                location = f"thread {index + 1}"
                data = reader.value()
                if not isinstance(data, dict):
                    raise ImportFormatError(location, "a thread is not an object")
                yield _thread(data, location)
                comments = data.get("comments")
                for number, comment in enumerate(comments if isinstance(comments, list) else []):
                    if not isinstance(comment, dict):
                        raise ImportFormatError(location, f"comment {number + 1} is not an object")
                    yield _comment(
                        comment, str(data.get("id")), f"{location}, comment {number + 1}"
                    )
    reader.finish()
    if len(meta) < 2:
        raise ImportFormatError("", "not a Sidenote export (no format and version)")


def _source(site: Any) -> Iterator[SourceRecord]:
    """The exporting installation: the site's first origin, else its slug."""
    if not isinstance(site, dict):
        return
    origins = site.get("origins")
    first = origins[0] if isinstance(origins, list) and origins else None
    name = first if isinstance(first, str) and first else site.get("slug")
    if isinstance(name, str) and name:
        yield SourceRecord(name)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


class Thread(Strict):
    id: int | str
    key: str = Field(min_length=1)
    url: str = ""
    title: str = ""
    created_at: str | None = None
    locked: bool = False
    moderation: str | None = None


class Author(Strict):
    name: str = ""
    email: str | None = None
    website: str | None = None
    key: str | None = None
    identity_key: str | None = None


class Comment(Strict):
    id: int | str
    parent_id: int | str | None = None
    created_at: str
    status: Literal["pending", "approved", "rejected", "spam", "deleted"]
    body_source: str = ""
    author: Author = Author()
    upvotes: int = 0
    downvotes: int = 0


def _thread(data: dict[str, Any], location: str) -> Record:
    thread = validate(Thread, data, location)
    if isinstance(thread, SkipRecord):
        return thread
    return ThreadRecord(
        source_id=str(thread.id),
        url=thread.url,
        title=thread.title,
        created_at=parse_datetime(thread.created_at),
        locked=thread.locked,
        extra={"key": thread.key, "moderation": thread.moderation},
    )


def _comment(data: dict[str, Any], thread_id: str, location: str) -> Record:
    location = f"{location} (comment {data.get('id')})"
    comment = validate(Comment, data, location)
    if isinstance(comment, SkipRecord):
        return comment
    created_at = parse_datetime(comment.created_at)
    if created_at is None:
        return SkipRecord("invalid or missing date", location)
    extra = {name: data.get(name) for name in _NATIVE_FIELDS}
    extra["identity_key"] = comment.author.identity_key
    extra["author_key"] = comment.author.key
    return CommentRecord(
        source_id=str(comment.id),
        thread_source_id=thread_id,
        parent_source_id=str(comment.parent_id) if comment.parent_id is not None else None,
        created_at=created_at,
        status=comment.status,
        body=comment.body_source,
        body_format="markdown",
        location=location,
        author_name=comment.author.name,
        author_email=comment.author.email or "",
        author_website=comment.author.website or "",
        upvotes=comment.upvotes,
        downvotes=comment.downvotes,
        extra=extra,
    )
