"""WordPress WXR (1.0 to 1.2; also what wpDiscuz exports): `rss/channel/item` pages, each with
its `wp:comment`s. Comments are read and freed one at a time; an item's own content (the post)
is dropped as soon as the item ends.

Comment bodies are WordPress text: HTML where newlines are line breaks (WordPress adds the
paragraph tags when it displays them). Pingbacks and trackbacks are not comments and are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from pydantic import Field, field_validator

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
from service.portability.xmlstream import ByteSource, child_text, iter_events, local_name

STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "approved": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.DELETED,
    "post-trashed": CommentStatus.DELETED,
}
COMMENT_TYPES = {"", "comment"}


def _is_wp(tag: str) -> bool:
    return "wordpress.org/export" in tag


def read_wordpress(stream: ByteSource) -> Iterator[Record]:
    depth = 0
    channel: Element | None = None
    item: Element | None = None
    items = 0
    comments = 0
    for event, element in iter_events(stream):
        name = local_name(element.tag)
        if event == "start":
            depth += 1
            if depth == 1 and name != "rss":
                raise ImportFormatError(
                    "line 1", f"not a WordPress export (the root element is <{name}>)"
                )
            if depth == 2 and name == "channel":
                channel = element
            elif depth == 3 and name == "item" and channel is not None:
                item = element
                items += 1
            continue
        depth -= 1
        if depth == 3 and item is not None and name == "comment" and _is_wp(element.tag):
            comments += 1
            yield _comment(element, f"item{items}", comments)
            item.remove(element)
        elif depth == 2 and channel is not None:
            if element is item:
                yield _thread(element, f"item{items}")
                item = None
            elif name == "base_blog_url" and _is_wp(element.tag):
                # The installation: ids restart at 1 in every WordPress blog.
                yield SourceRecord((element.text or "").strip())
            elif element.tag == "link":
                yield SourceRecord((element.text or "").strip(), definite=False)
            channel.remove(element)


def _thread(item: Element, source_id: str) -> ThreadRecord:
    return ThreadRecord(
        source_id=source_id,
        url=child_text(item, "link"),
        title=child_text(item, "title"),
        created_at=parse_datetime(child_text(item, "post_date_gmt"))
        or parse_datetime(child_text(item, "post_date")),
        locked=child_text(item, "comment_status") == "closed",
    )


class Comment(Strict):
    """The fields of a `wp:comment` the importer reads (XML gives text; its shape is checked)."""

    comment_id: str = Field(pattern=r"^\d{1,20}$")
    comment_parent: str = Field(default="", pattern=r"^\d{0,20}$")
    comment_approved: str = ""

    @field_validator("comment_approved")
    @classmethod
    def _known_status(cls, value: str) -> str:
        if value.lower() not in STATUSES and value != "":
            raise ValueError(f"unknown comment_approved {value[:40]!r}")
        return value.lower()


def _comment(element: Element, thread_id: str, number: int) -> Record:
    comment_id = child_text(element, "comment_id")
    location = f"comment {number} (id {comment_id})" if comment_id else f"comment {number}"
    kind = child_text(element, "comment_type").lower()
    if kind in {"pingback", "trackback"}:
        return SkipRecord(f"{kind}s are links from other sites, not comments", location)
    if kind not in COMMENT_TYPES:
        return SkipRecord(f"comment type {kind!r} is not a reader comment", location)
    if not comment_id:
        return SkipRecord("comment without a comment_id", location)
    checked = validate(
        Comment,
        {
            "comment_id": comment_id,
            "comment_parent": child_text(element, "comment_parent"),
            "comment_approved": child_text(element, "comment_approved"),
        },
        location,
    )
    if isinstance(checked, SkipRecord):
        return checked
    created_at = parse_datetime(child_text(element, "comment_date_gmt")) or parse_datetime(
        child_text(element, "comment_date")
    )
    if created_at is None:
        return SkipRecord("invalid or missing date", location)
    parent = checked.comment_parent
    return CommentRecord(
        source_id=comment_id,
        thread_source_id=thread_id,
        parent_source_id=parent if parent.strip("0") else None,
        created_at=created_at,
        status=STATUSES.get(checked.comment_approved, CommentStatus.PENDING),
        body=child_text(element, "comment_content"),
        body_format="html_text",
        location=location,
        author_name=child_text(element, "comment_author"),
        author_email=child_text(element, "comment_author_email"),
        author_website=child_text(element, "comment_author_url"),
        ip=child_text(element, "comment_author_IP") or None,
    )
