"""Remark42 backup (JSON Lines, often gzipped): a metadata line, then one comment per line.

The metadata line lists `posts` (`url`, `read_only`) and users (their blocks are not imported).
A comment is `{id, pid, text (HTML), user{name, id, ip}, locator{url}, score, votes, time,
delete?}`. Remark42 stores IPs already hashed with its own secret, which makes them useless
here: they are dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    Record,
    SkipRecord,
    SourceRecord,
    ThreadRecord,
    parse_datetime,
)


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


def _comment(data: dict[str, Any], location: str) -> Iterator[Record]:
    comment_id = data.get("id")
    locator = data.get("locator") if isinstance(data.get("locator"), dict) else {}
    url = locator.get("url") if isinstance(locator, dict) else None
    if not isinstance(comment_id, str) or not comment_id:
        yield SkipRecord("comment without an id", location)
        return
    if not isinstance(url, str) or not url:
        yield SkipRecord("comment without a page (locator.url)", location)
        return
    created_at = parse_datetime(data.get("time") if isinstance(data.get("time"), str) else None)
    if created_at is None:
        yield SkipRecord("invalid or missing date", location)
        return
    site = locator.get("site") if isinstance(locator, dict) else None
    if isinstance(site, str) and site:
        yield SourceRecord(site, definite=False)
    title = data.get("title")
    yield ThreadRecord(source_id=url, url=url, title=title if isinstance(title, str) else "")
    user = data.get("user") if isinstance(data.get("user"), dict) else {}
    assert isinstance(user, dict)
    up, down = _votes(data)
    parent = data.get("pid")
    yield CommentRecord(
        source_id=comment_id,
        thread_source_id=url,
        parent_source_id=parent if isinstance(parent, str) and parent else None,
        created_at=created_at,
        status="deleted" if data.get("delete") is True else "approved",
        body=_string(data, "text"),
        body_format="html",
        location=f"{location} (comment {comment_id})",
        author_name=_string(user, "name"),
        upvotes=up,
        downvotes=down,
    )


def _votes(data: dict[str, Any]) -> tuple[int, int]:
    votes = data.get("votes")
    if isinstance(votes, dict) and votes:
        up = sum(1 for value in votes.values() if value is True)
        return up, len(votes) - up
    score = data.get("score")
    if isinstance(score, int) and abs(score) < 10**9:
        return max(score, 0), max(-score, 0)
    return 0, 0


def _string(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""
