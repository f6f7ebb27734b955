"""Disqus XML export: `<category>`, `<thread>` and `<post>` elements side by side, linked by
`dsq:id`. Posts may come before their thread, point to threads that no longer exist, or reply to
deleted posts; the parser yields what the file says and `importer.py` resolves the links.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterator
from typing import Literal
from xml.etree.ElementTree import Element

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
    truthy,
)
from service.portability.validation import Strict, validate
from service.portability.xmlstream import (
    ByteSource,
    attribute,
    child,
    child_text,
    iter_events,
    local_name,
)


def read_disqus(stream: ByteSource) -> Iterator[Record]:
    depth = 0
    root: Element | None = None
    number = 0
    for event, element in iter_events(stream):
        if event == "start":
            depth += 1
            if depth == 1:
                if local_name(element.tag) != "disqus":
                    raise ImportFormatError(
                        "line 1",
                        f"not a Disqus export (the root element is <{local_name(element.tag)}>)",
                    )
                root = element
            continue
        depth -= 1
        if depth != 1 or root is None:
            continue
        number += 1
        name = local_name(element.tag)
        if name in {"category", "thread"} and child_text(element, "forum"):
            # The Disqus forum (shortname) is the installation.
            yield SourceRecord(child_text(element, "forum"), definite=False)
        if name == "thread":
            yield from _thread(element)
        elif name == "post":
            yield _post(element, number)
        root.remove(element)


def _thread(element: Element) -> Iterator[ThreadRecord]:
    source_id = attribute(element, "id")
    if not source_id:
        return
    yield ThreadRecord(
        source_id=source_id,
        url=child_text(element, "link"),
        # Disqus escapes titles once more than XML needs (`&amp;#8220;`): decode that layer.
        title=html.unescape(child_text(element, "title")),
        created_at=parse_datetime(child_text(element, "createdAt")),
        locked=truthy(child_text(element, "isClosed")),
        deleted=truthy(child_text(element, "isDeleted")),
    )


XmlBool = Literal["true", "false", "1", "0", ""]


class Post(Strict):
    """The fields of a `<post>` the importer reads (XML gives text; its shape is checked)."""

    isDeleted: XmlBool = ""
    isSpam: XmlBool = ""
    isApproved: XmlBool = ""
    likes: str = Field(default="", pattern=r"^\d{0,9}$")
    dislikes: str = Field(default="", pattern=r"^\d{0,9}$")


def _post(element: Element, number: int) -> Record:
    source_id = attribute(element, "id") or child_text(element, "id")
    location = f"record {number} (post {source_id})" if source_id else f"record {number}"
    thread = child(element, "thread")
    thread_id = attribute(thread, "id") if thread is not None else ""
    if not thread_id:
        return SkipRecord("post without a thread reference", location)
    checked = validate(
        Post,
        {name: child_text(element, name).lower() for name in Post.model_fields},
        location,
    )
    if isinstance(checked, SkipRecord):
        return checked
    created_at = parse_datetime(child_text(element, "createdAt"))
    if created_at is None:
        return SkipRecord("invalid or missing date", location)
    message = child_text(element, "message")
    author = child(element, "author")
    name = child_text(author, "name") if author is not None else ""
    email = child_text(author, "email") if author is not None else ""
    if not source_id:
        # Without an id a post cannot be recognised on the next import: derive a stable one.
        basis = "|".join([thread_id, created_at.isoformat(), name, email, message])
        source_id = "sha256:" + hashlib.sha256(basis.encode()).hexdigest()[:40]
    parent = child(element, "parent")
    parent_id = attribute(parent, "id") if parent is not None else ""
    if truthy(checked.isDeleted):
        status = CommentStatus.DELETED
    elif truthy(checked.isSpam):
        status = CommentStatus.SPAM
    elif checked.isApproved and not truthy(checked.isApproved):
        status = CommentStatus.PENDING
    else:
        status = CommentStatus.APPROVED
    return CommentRecord(
        source_id=source_id,
        thread_source_id=thread_id,
        parent_source_id=parent_id or None,
        created_at=created_at,
        status=status,
        body=message,
        body_format="html",
        location=location,
        author_name=name,
        author_email=email,
        ip=child_text(element, "ipAddress") or None,
        upvotes=int(checked.likes or 0),
        downvotes=int(checked.dislikes or 0),
    )
