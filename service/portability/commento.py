"""Commento / Comentario export: `{"version": 1, "comments": [...], "commenters": [...]}`.

Comments name their author by `commenterHex` ("anonymous" for guests); the commenters come in
their own list, often after the comments, so they are staged as people and joined later. Bodies
are Markdown (`markdown`), with `html` as a fallback. Pages are `url` (a path) on `domain`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from service.portability.jsonstream import JsonStream
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    PersonRecord,
    Record,
    SkipRecord,
    ThreadRecord,
    parse_datetime,
)

STATES = {"approved": "approved", "unapproved": "pending", "flagged": "spam"}
#: What Commento writes for an anonymous commenter's missing fields.
_PLACEHOLDERS = {"undefined", "null", "anonymous"}


def read_commento(stream: IO[str]) -> Iterator[Record]:
    json = JsonStream(stream)
    if json.peek() != "{":
        raise json.error("not a Commento export (expected a JSON object)")
    for key in json.object():
        if key == "version":
            version = json.value()
            if version != 1:
                raise json.error(f"unsupported Commento export version {version!r}")
        elif key == "comments":
            for index in json.array():
                location = json.location()
                data = json.value()
                if not isinstance(data, dict):
                    raise ImportFormatError(location, f"comment {index + 1} is not an object")
                yield from _comment(data, f"comment {index + 1}")
        elif key == "commenters":
            for index in json.array():
                location = json.location()
                data = json.value()
                if not isinstance(data, dict):
                    raise ImportFormatError(location, f"commenter {index + 1} is not an object")
                yield _person(data)
    json.finish()


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or value.strip().lower() in _PLACEHOLDERS:
        return ""
    return value.strip()


def _person(data: dict[str, Any]) -> Record:
    return PersonRecord(
        source_id=_text(data, "commenterHex"),
        name=_text(data, "name"),
        email=_text(data, "email"),
        website=_text(data, "link"),
    )


def _comment(data: dict[str, Any], location: str) -> Iterator[Record]:
    comment_id = _text(data, "commentHex")
    if not comment_id:
        yield SkipRecord("comment without a commentHex", location)
        return
    location = f"{location} ({comment_id[:12]})"
    path = _text(data, "url")
    domain = _text(data, "domain")
    if not path:
        yield SkipRecord("comment without a page (url)", location)
        return
    if path.startswith(("http://", "https://")):
        url = path
    elif domain:
        url = f"https://{domain}{path if path.startswith('/') else '/' + path}"
    else:
        url = path
    created_at = parse_datetime(_text(data, "creationDate"))
    if created_at is None:
        yield SkipRecord("invalid or missing date", location)
        return
    yield ThreadRecord(source_id=url, url=url)
    markdown = data.get("markdown")
    markdown = markdown if isinstance(markdown, str) else ""
    html = data.get("html")
    html = html if isinstance(html, str) else ""
    parent = _text(data, "parentHex")
    commenter = _text(data, "commenterHex")
    score = data.get("score")
    score = score if isinstance(score, int) and abs(score) < 10**9 else 0
    status = "deleted" if data.get("deleted") is True else STATES.get(_text(data, "state"))
    yield CommentRecord(
        source_id=comment_id,
        thread_source_id=url,
        parent_source_id=parent if parent and parent != "root" else None,
        created_at=created_at,
        status=status or "pending",
        body=markdown if markdown.strip() else html,
        body_format="markdown" if markdown.strip() else "html",
        location=location,
        author_ref=commenter or None,
        upvotes=max(score, 0),
        downvotes=max(-score, 0),
    )
