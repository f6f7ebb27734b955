"""Remark42 backup (JSON Lines, often gzipped): a metadata line, then one comment per line.

The metadata line lists `posts` (`url`, `read_only`) and users (their blocks are not imported).
A comment is `{id, pid, text (HTML), user{name, id, ip}, locator{url}, score, votes, time,
delete?}`, checked by a typed model (a record of the wrong shape is skipped with the field that
is wrong). Remark42 stores IPs already hashed with its own secret, which makes them useless
here: they are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from pydantic import Field

from service.comments.models import CommentStatus
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


def read_remark42(stream: IO[str]) -> Iterator[Record]:
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
        if number == 1 and "id" not in data:
            yield from _metadata(data)
            continue
        yield from _comment(data, f"line {number}")


def _metadata(data: dict[str, Any]) -> Iterator[Record]:
    version = data.get("version")
    if version not in (None, 1):
        raise ImportFormatError("line 1", f"unsupported remark42 backup version {version!r}")
    posts = data.get("posts") or []
    for post in posts if isinstance(posts, list) else []:
        if isinstance(post, dict) and isinstance(post.get("url"), str):
            yield ThreadRecord(
                source_id=post["url"], url=post["url"], locked=post.get("read_only") is True
            )


class User(Strict):
    name: str = ""
    id: str = ""


class Locator(Strict):
    site: str = ""
    url: str


class Comment(Strict):
    id: str = Field(min_length=1)
    pid: str = ""
    text: str = ""
    user: User = User()
    locator: Locator
    score: int = 0
    votes: dict[str, bool] | None = None
    time: str
    delete: bool = False
    title: str = ""


def _comment(data: dict[str, Any], location: str) -> Iterator[Record]:
    comment = validate(Comment, data, location)
    if isinstance(comment, SkipRecord):
        yield comment
        return
    location = f"{location} (comment {comment.id})"
    url = comment.locator.url
    if not url:
        yield SkipRecord("comment without a page (locator.url)", location)
        return
    created_at = parse_datetime(comment.time)
    if created_at is None:
        yield SkipRecord("invalid or missing date", location)
        return
    if comment.locator.site:
        yield SourceRecord(comment.locator.site, definite=False)
    yield ThreadRecord(source_id=url, url=url, title=comment.title)
    up, down = _votes(comment)
    yield CommentRecord(
        source_id=comment.id,
        thread_source_id=url,
        parent_source_id=comment.pid or None,
        created_at=created_at,
        status=CommentStatus.DELETED if comment.delete else CommentStatus.APPROVED,
        body=comment.text,
        body_format="html",
        location=location,
        author_name=comment.user.name,
        upvotes=up,
        downvotes=down,
    )


def _votes(comment: Comment) -> tuple[int, int]:
    if comment.votes:
        up = sum(1 for value in comment.votes.values() if value)
        return up, len(comment.votes) - up
    if abs(comment.score) < 10**9:
        return max(comment.score, 0), max(-comment.score, 0)
    return 0, 0
