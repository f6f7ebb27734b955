"""Commento, Commento++ and Comentario exports: one JSON object with a `version`.

Version 1 is Commento's format (`{"version": 1, "comments": [...], "commenters": [...]}`), which
Commento++ writes unchanged and Comentario 2.x writes with its own names for two fields:

- a comment names its page by `url` (a path, Commento) or `path` (Comentario), on `domain`
  (Commento) or `host` (Comentario); authors are `commenterHex`, with "anonymous" (Commento) or
  64 zeros (Comentario) for guests; bodies are `markdown` (`html` as a fallback);
- a commenter's site is `link` (Commento) or `websiteUrl` (Comentario).

Version 3 is Comentario 3.x (`{"version": 3, "pages": [...], "comments": [...],
"commenters": [...]}`): pages have a UUID `id` and a `path`, comments `id`, `parentId`, `pageId`,
`markdown`, `createdTime`, `userCreated`, `authorName` and the flags `isApproved`, `isPending`,
`isDeleted`; commenters `id`, `name`, `email`, `websiteUrl`. Comentario never wrote a version 2.

Commenters often come after the comments: they are staged as people and joined later. Every
record is checked by its model (`validation.py`); a record of the wrong shape is skipped with the
field that is wrong.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from service.comments.models import CommentStatus
from service.portability.jsonstream import JsonStream
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    PersonRecord,
    Record,
    SkipRecord,
    SourceRecord,
    ThreadRecord,
    parse_datetime,
)
from service.portability.validation import Strict, validate

STATES = {
    "approved": CommentStatus.APPROVED,
    "unapproved": CommentStatus.PENDING,
    "flagged": CommentStatus.SPAM,
}
#: What Commento writes for an anonymous commenter's missing fields.
_PLACEHOLDERS = {"undefined", "null", "anonymous"}
#: Guests: Commento's "anonymous", Comentario 2.x's 64 zeros, Comentario 3.x's nil UUID.
ANONYMOUS = {"anonymous", "0" * 64, "00000000-0000-0000-0000-000000000000"}
ANONYMOUS_OR_ROOT = {None, "", "root", "00000000-0000-0000-0000-000000000000"}
#: Export versions: what wrote them.
VERSIONS = {
    1: "Commento, Commento++ and Comentario 2.x",
    3: "Comentario 3.x",
}


class CommentV1(Strict):
    commentHex: str
    commenterHex: str = "anonymous"
    domain: str = ""
    host: str = ""
    url: str = ""
    path: str = ""
    markdown: str = ""
    html: str = ""
    parentHex: str = "root"
    score: int = 0
    state: str = ""
    creationDate: str
    deleted: bool = False


class CommenterV1(Strict):
    commenterHex: str
    email: str = ""
    name: str = ""
    link: str = ""
    websiteUrl: str = ""


class PageV3(Strict):
    id: str
    domainId: str = ""
    path: str
    title: str = ""
    isReadonly: bool = False
    createdTime: str | None = None


class CommentV3(Strict):
    id: str
    parentId: str | None = None
    pageId: str
    markdown: str = ""
    html: str = ""
    score: int = 0
    isApproved: bool = False
    isPending: bool = False
    isDeleted: bool = False
    createdTime: str
    userCreated: str | None = None
    authorName: str = ""


class CommenterV3(Strict):
    id: str
    email: str = ""
    name: str = ""
    websiteUrl: str = ""


def read_commento(stream: IO[str]) -> Iterator[Record]:
    json = JsonStream(stream)
    if json.peek() != "{":
        raise json.error("not a Commento or Comentario export (expected a JSON object)")
    version: int | None = None
    for key in json.object():
        if key == "version":
            json.peek()  # the position of the record itself, not of the space before it
            location = json.location()
            value = json.value()
            if value not in VERSIONS:
                known = "; ".join(f"{number} ({who})" for number, who in VERSIONS.items())
                raise ImportFormatError(
                    location,
                    f"unsupported Commento/Comentario export version {value!r} "
                    f"(supported: {known})",
                )
            version = value
        elif key in {"pages", "comments", "commenters"}:
            for index in json.array():
                json.peek()  # the position of the record itself, not of the space before it
                location = json.location()
                data = json.value()
                yield from _record(key, version, data, f"{key[:-1]} {index + 1}", location)
    json.finish()
    if version is None:
        raise ImportFormatError("", 'not a Commento or Comentario export (no "version")')


def _record(
    kind: str, version: int | None, data: Any, label: str, position: str
) -> Iterator[Record]:
    if not isinstance(data, dict):
        yield SkipRecord(f"{kind[:-1]} is not an object", f"{label} ({position})")
        return
    if version is None:
        # Exporters write the version first; a file that does not is read by its records' shape.
        version = 3 if ("pageId" in data or ("path" in data and "id" in data)) else 1
    location = f"{label} ({position})"
    if kind == "pages":
        page = validate(PageV3, data, location)
        if isinstance(page, SkipRecord):
            yield page
        else:
            if page.domainId:
                yield SourceRecord(f"comentario domain {page.domainId}", definite=False)
            yield ThreadRecord(
                source_id=page.id,
                url=page.path,
                title=page.title,
                created_at=parse_datetime(page.createdTime),
                locked=page.isReadonly,
            )
    elif kind == "comments":
        yield from (_comment_v3 if version == 3 else _comment_v1)(data, location)
    elif version == 3:
        person = validate(CommenterV3, data, location)
        if isinstance(person, SkipRecord):
            yield person
        else:
            yield PersonRecord(
                source_id=person.id,
                name=_text(person.name),
                email=_text(person.email),
                website=_text(person.websiteUrl),
            )
    else:
        commenter = validate(CommenterV1, data, location)
        if isinstance(commenter, SkipRecord):
            yield commenter
        else:
            yield PersonRecord(
                source_id=_text(commenter.commenterHex),
                name=_text(commenter.name),
                email=_text(commenter.email),
                website=_text(commenter.link) or _text(commenter.websiteUrl),
            )


def _text(value: str) -> str:
    return "" if value.strip().lower() in _PLACEHOLDERS else value.strip()


def _comment_v1(data: dict[str, Any], location: str) -> Iterator[Record]:
    comment = validate(CommentV1, data, location)
    if isinstance(comment, SkipRecord):
        yield comment
        return
    comment_id = _text(comment.commentHex)
    if not comment_id:
        yield SkipRecord("comment without a commentHex", location)
        return
    location = f"{location.split(' (')[0]} ({comment_id[:12]})"
    path = _text(comment.url) or _text(comment.path)
    domain = _text(comment.domain) or _text(comment.host)
    if not path:
        yield SkipRecord("comment without a page (url or path)", location)
        return
    if path.startswith(("http://", "https://")):
        url = path
    elif domain:
        url = f"https://{domain}{path if path.startswith('/') else '/' + path}"
    else:
        url = path if path.startswith("/") else "/" + path
    created_at = parse_datetime(comment.creationDate)
    if created_at is None:
        yield SkipRecord("invalid or missing date", location)
        return
    if domain:
        yield SourceRecord(domain, definite=False)
    yield ThreadRecord(source_id=url, url=url)
    markdown = comment.markdown if comment.markdown.strip() != "[deleted]" else ""
    commenter = _text(comment.commenterHex)
    if comment.deleted or comment.markdown.strip() == "[deleted]":
        status = CommentStatus.DELETED
    else:
        status = STATES.get(_text(comment.state), CommentStatus.PENDING)
    parent = _text(comment.parentHex)
    yield CommentRecord(
        source_id=comment_id,
        thread_source_id=url,
        parent_source_id=parent if parent and parent != "root" else None,
        created_at=created_at,
        status=status,
        body=markdown if markdown.strip() else comment.html,
        body_format="markdown" if markdown.strip() else "html",
        location=location,
        author_ref=commenter if commenter and commenter not in ANONYMOUS else None,
        upvotes=max(comment.score, 0),
        downvotes=max(-comment.score, 0),
    )


def _comment_v3(data: dict[str, Any], location: str) -> Iterator[Record]:
    comment = validate(CommentV3, data, location)
    if isinstance(comment, SkipRecord):
        yield comment
        return
    location = f"{location.split(' (')[0]} ({comment.id[:12]})"
    created_at = parse_datetime(comment.createdTime)
    if created_at is None:
        yield SkipRecord("invalid or missing date", location)
        return
    if comment.isDeleted:
        status = CommentStatus.DELETED
    elif comment.isApproved:
        status = CommentStatus.APPROVED
    elif comment.isPending:
        status = CommentStatus.PENDING
    else:
        status = CommentStatus.REJECTED
    author = comment.userCreated or ""
    yield CommentRecord(
        source_id=comment.id,
        thread_source_id=comment.pageId,
        parent_source_id=comment.parentId if comment.parentId not in ANONYMOUS_OR_ROOT else None,
        created_at=created_at,
        status=status,
        body=comment.markdown if comment.markdown.strip() else comment.html,
        body_format="markdown" if comment.markdown.strip() else "html",
        location=location,
        author_name=_text(comment.authorName),
        author_ref=author if author and author not in ANONYMOUS else None,
        upvotes=max(comment.score, 0),
        downvotes=max(-comment.score, 0),
    )
