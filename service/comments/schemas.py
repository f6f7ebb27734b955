"""Request and response models of the public API; they validate input and write the OpenAPI."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
)

from service.comments.anchors import AnchorIn
from service.comments.reading import MAX_COUNT_KEYS
from service.kernel.rendering import clean_display_name, clean_website, strip_invisible

#: Control characters, and what XML 1.0 cannot carry (U+FFFE, U+FFFF): a feed must stay valid.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff]")
_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;]{2,}$")
_VOTER = re.compile(r"[A-Za-z0-9_-]{8,128}")


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("must not contain control characters")
    return value


def _single_line(value: str) -> str:
    if "\n" in value or "\r" in value or _CONTROL.search(value):
        raise ValueError("must be a single line of text")
    return value.strip()


def _display_name(value: str) -> str:
    """Refused if not one line; then cleaned like an SSO name (invisible characters out)."""
    return clean_display_name(_single_line(value))


def _title(value: str) -> str:
    return " ".join(strip_invisible(_single_line(value)).split())


def _email(value: str) -> str:
    value = value.strip()
    if value and not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


def _required_email(value: str) -> str:
    value = _email(value)
    if not value:
        raise ValueError("give your email address")
    return value


def _website(value: str) -> str:
    cleaned = clean_website(value)
    if cleaned is None:
        raise ValueError("must be an http:// or https:// address")
    return cleaned


Slug = Annotated[str, StringConstraints(min_length=1, max_length=64)]
ThreadKey = Annotated[
    str, StringConstraints(min_length=1, max_length=500), AfterValidator(_single_line)
]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Name = Annotated[str, StringConstraints(max_length=100), AfterValidator(_display_name)]
Email = Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]
#: Where an address is the point of the request (subscribe, verify): empty is a field error.
RequiredEmail = Annotated[str, StringConstraints(max_length=254), AfterValidator(_required_email)]
Website = Annotated[str, StringConstraints(max_length=300), AfterValidator(_website)]
Body = Annotated[str, StringConstraints(max_length=100_000), AfterValidator(_no_control)]


def valid_voter_id(value: str) -> bool:
    return _VOTER.fullmatch(value) is not None


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AuthorIn(_In):
    name: Name | None = None
    email: Email | None = None
    website: Website | None = None


class CommentCreate(_In):
    site: Slug
    thread: ThreadKey
    thread_url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    thread_title: (
        Annotated[str, StringConstraints(max_length=300), AfterValidator(_title)] | None
    ) = None
    parent_id: Annotated[StrictInt, Field(ge=1, le=2**31 - 1)] | None = None
    anchor: AnchorIn | None = None
    body: Body
    author: AuthorIn | None = None
    notify: Literal["none", "replies", "thread"] | None = None
    form_token: Annotated[str, StringConstraints(max_length=1000)] | None = None
    homepage: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="Honeypot: people leave it empty."
    )


class CommentEdit(_In):
    body: Body


class VoteIn(_In):
    value: Annotated[StrictInt, Field(ge=-1, le=1, description="1 up, -1 down, 0 withdraw")]


class ReportIn(_In):
    reason: Literal["spam", "abuse", "off_topic", "other"]
    note: Annotated[str, StringConstraints(max_length=500), AfterValidator(_no_control)] = ""


class PreviewIn(_In):
    site: Slug
    body: Body


class CommentListQuery(_In):
    site: Slug
    thread: ThreadKey
    sort: Literal["oldest", "newest", "top"] = "oldest"
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    cursor: Cursor | None = None


class RepliesQuery(_In):
    cursor: Cursor | None = None


class CountsQuery(_In):
    site: Slug
    thread: Annotated[list[ThreadKey], Field(min_length=1, max_length=MAX_COUNT_KEYS)]


class LatestQuery(_In):
    site: Slug
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class FeedQuery(_In):
    site: Slug
    thread: ThreadKey | None = None


class SiteQuery(_In):
    site: Slug


# -- responses -------------------------------------------------------------------------------


class AuthorOut(BaseModel):
    name: str | None
    website: str | None
    avatar: str = Field(description="Opaque seed for a generated avatar (never an email hash).")
    verified: bool


class CommentOut(BaseModel):
    id: int
    parent_id: int | None
    depth: int
    author: AuthorOut | None = Field(description="null for a tombstone")
    html: str | None = Field(description="Sanitised HTML; null for a tombstone")
    created_at: str
    edited_at: str | None
    edited_by_moderator: bool
    upvotes: int
    downvotes: int
    anchor: AnchorIn | None
    pinned: bool
    deleted: bool = Field(description="true for a tombstone kept for its visible replies")
    status: Literal["approved", "pending"] | None = Field(
        default=None, description="Only in answers to the comment's author"
    )
    more_replies_cursor: str | None = Field(
        default=None, description="Top-level comments only: more replies than shown"
    )
    replies: list[CommentOut] | None = Field(
        default=None, description="Top-level comments only: the subtree, flat, in pre-order"
    )


class ThreadOut(BaseModel):
    key: str
    url: str | None
    title: str | None
    locked: bool
    comment_count: int


class ThreadPageOut(BaseModel):
    thread: ThreadOut
    comments: list[CommentOut]
    next_cursor: str | None


class CommentCreated(BaseModel):
    comment: CommentOut
    edit_token: str
    edit_expires_at: str


class CommentDetail(BaseModel):
    comment: CommentOut
    ancestors: list[CommentOut]
    thread: ThreadOut


class RepliesOut(BaseModel):
    replies: list[CommentOut]
    more_replies_cursor: str | None


class ScoresOut(BaseModel):
    upvotes: int
    downvotes: int


class AcceptedOut(BaseModel):
    status: Literal["accepted"] = "accepted"


class FormTokenOut(BaseModel):
    form_token: str
    min_compose_seconds: int = Field(
        description="A post sent sooner after the token was issued is held for a moderator "
        "(too_fast): the widget waits out the rest before sending."
    )


class PreviewOut(BaseModel):
    html: str


class CountsOut(BaseModel):
    counts: dict[str, int]


class ThreadRef(BaseModel):
    key: str
    url: str
    title: str


class LatestComment(CommentOut):
    thread: ThreadRef


class LatestOut(BaseModel):
    comments: list[LatestComment]


class FeaturesOut(BaseModel):
    subscriptions: bool
    sso: bool
    inline: bool


class SiteConfigOut(BaseModel):
    site: str
    name: str
    moderation: Literal["post", "pre", "first-time"]
    max_body_chars: int
    edit_window_seconds: int
    max_depth: int
    features: FeaturesOut
    sso_required: bool = Field(
        default=False, description="Only readers signed in through the site may comment"
    )
    verify_guests: bool = Field(
        default=False, description="A guest's comment appears once they confirm their email"
    )
    login_url: str | None = Field(default=None, description="The site's own sign-in page")
    logout_url: str | None = Field(default=None, description="The site's own sign-out page")
