"""The intermediate records every import parser yields, whatever the format it reads.

A parser reads its file once, front to back, and yields these in file order; it never needs to
hold more than one record. Replies may come before their parents and comments before their page:
`staging.py` sorts that out on disk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

#: How a body is written: HTML; HTML whose newlines are line breaks (WordPress); or Markdown.
BodyFormat = Literal["html", "html_text", "markdown"]


class ImportFormatError(Exception):
    """The file cannot be read as the format it claims to be. One line, with a location."""

    def __init__(self, location: str, message: str) -> None:
        self.location = location
        self.message = message
        super().__init__(f"{location}: {message}" if location else message)


@dataclass(slots=True)
class ThreadRecord:
    """A page with comments. `source_id` is how the file's comments refer to it."""

    source_id: str
    url: str
    title: str = ""
    created_at: datetime | None = None
    locked: bool = False
    #: The page was deleted in the source system; its comments are skipped with a reason.
    deleted: bool = False
    #: Fields only Sidenote's own format carries (key, moderation).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CommentRecord:
    """One comment, with its status already mapped to a Sidenote status."""

    source_id: str
    thread_source_id: str
    parent_source_id: str | None
    created_at: datetime
    status: str
    body: str
    body_format: BodyFormat
    location: str
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    #: Commento keeps authors apart: the id of a `PersonRecord` that fills in the author.
    author_ref: str | None = None
    ip: str | None = None
    upvotes: int = 0
    downvotes: int = 0
    #: Fields only Sidenote's own format carries (votes, reports, anchor, reasons, …).
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class PersonRecord:
    """An author described apart from their comments (Commento's `commenters`)."""

    source_id: str
    name: str = ""
    email: str = ""
    website: str = ""


@dataclass(slots=True)
class SkipRecord:
    """Something the parser read and leaves out, with the reason the summary gives."""

    reason: str
    location: str


@dataclass(slots=True)
class SourceRecord:
    """Which installation the file comes from: its site or base URL, or its Disqus forum.

    `definite` values (WordPress's base_blog_url) win over the first indefinite one read.
    """

    installation: str
    definite: bool = True


Record = ThreadRecord | CommentRecord | PersonRecord | SkipRecord | SourceRecord

_SQL_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")


def parse_datetime(value: str | None) -> datetime | None:
    """ISO 8601 / RFC 3339 (any offset, `Z`, fractions) or `YYYY-MM-DD HH:MM:SS` (taken as UTC).

    Returns None for an empty or unreadable value (the caller decides what that means).
    """
    if value is None:
        return None
    text = value.strip()
    if not text or text.startswith("0000-00-00"):
        return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    # Go writes up to 9 fractional digits; Python reads at most 6.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        if not _SQL_DATETIME.match(text):
            return None
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1990:
        return None
    return parsed.astimezone(UTC)


def clean_text(value: str, limit: int | None = None) -> str:
    """Text a database accepts (no NUL, no lone surrogates); with `limit`, one line, cut."""
    value = value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if limit is not None:
        value = " ".join(value.split())[:limit]
    return value


def installation_name(value: str) -> str:
    """An installation as recorded: a URL without its trailing slash, scheme and host lowercase."""
    value = " ".join(clean_text(value).split())
    if "://" in value:
        scheme, _, rest = value.partition("://")
        host, slash, path = rest.partition("/")
        value = f"{scheme.lower()}://{host.lower()}{slash}{path}".rstrip("/")
    return value[:300]


def truthy(value: str | None) -> bool:
    """XML booleans as exporters write them: `true`, `1`, `yes` (any case)."""
    return (value or "").strip().lower() in {"true", "1", "yes"}
