"""Request and response models of the moderation and admin API (they write its OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StringConstraints

from service.moderation.rules import Rules

#: A row id as clients send it: a positive 32-bit integer (larger ids match nothing).
CommentId = Annotated[StrictInt, Field(ge=1, le=2**31 - 1)]

Slug = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Reason = Annotated[str, StringConstraints(max_length=500)]
Cursor = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- session ---------------------------------------------------------------------------------


class LoginIn(_In):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class PrincipalOut(BaseModel):
    kind: Literal["moderator", "token"]
    id: int
    label: str
    scope: Literal["read", "moderate", "admin"]
    role: str | None
    sites: list[str] | None = Field(description="Slugs the caller may act on; null: every site")
    csrf_token: str | None = Field(
        description="Send it as X-CSRF-Token (or form field csrf_token) on unsafe requests; "
        "null for API tokens, which need none"
    )


class SessionOut(BaseModel):
    principal: PrincipalOut
    expires_at: str | None = None


# -- queue -----------------------------------------------------------------------------------


class QueueQuery(_In):
    site: Slug | None = None
    status: Literal["pending", "reported", "spam", "approved", "rejected"] = "pending"
    thread: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None
    author: Annotated[str, StringConstraints(min_length=1, max_length=254)] | None = Field(
        default=None,
        description="Author key (avatar), verified identity, IP hash, email or exact name",
    )
    reason: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    q: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    cursor: Cursor | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = 25


class SiteFilterQuery(_In):
    site: Slug | None = None


class ModAuthorOut(BaseModel):
    name: str
    email: str
    website: str
    avatar: str = Field(description="The author key: groups one person's comments")
    verified: bool
    identity_key: str | None


class ModThreadOut(BaseModel):
    id: int
    key: str
    url: str
    title: str
    locked: bool
    moderation: str | None
    settled: bool = Field(
        description="A visible comment or a moderator fixed the title and URL; until then the "
        "next poster's replace them"
    )


class ModCommentOut(BaseModel):
    id: int
    site: str
    thread_id: int
    parent_id: int | None
    depth: int
    status: str
    author: ModAuthorOut
    ip_hash: str | None
    html: str
    body_source: str
    created_at: str
    edited_at: str | None
    edited_by_moderator: bool
    pinned: bool
    upvotes: int
    downvotes: int
    report_count: int
    quote: str | None = Field(description="The passage an inline comment quotes")


class ReasonOut(BaseModel):
    code: str
    message: str
    verdict: str | None = None


class ReportOut(BaseModel):
    id: int
    reason: str
    note: str
    created_at: str


class ParentOut(BaseModel):
    id: int
    author_name: str
    html: str
    status: str


class QueueItemOut(BaseModel):
    comment: ModCommentOut
    reasons: list[ReasonOut]
    spam_score: float | None
    reports: list[ReportOut]
    thread: ModThreadOut
    parent: ParentOut | None
    author_history: dict[str, int]


class QueuePageOut(BaseModel):
    items: list[QueueItemOut]
    next_cursor: str | None


class CountsOut(BaseModel):
    counts: dict[str, int]


# -- decisions -------------------------------------------------------------------------------


class UndoOut(BaseModel):
    batch: str = Field(description="POST it to /moderation/undo to revert this action")
    expires_at: str


class DecisionIn(_In):
    action: Literal["approve", "reject", "spam"]
    reason: Reason = ""


class DecisionOut(BaseModel):
    comment: ModCommentOut
    previous_status: str
    undo: UndoOut


class BulkDecisionIn(_In):
    ids: Annotated[list[CommentId], Field(min_length=1, max_length=500)]
    action: Literal[
        "approve", "reject", "spam", "lock_thread", "premoderate_thread", "trust_author"
    ] = Field(
        description="approve, reject or spam each comment; lock_thread or premoderate_thread "
        "each comment's thread (once per thread); trust_author each comment's verified author "
        "(once per author)"
    )
    reason: Reason = ""


class SkippedOut(BaseModel):
    code: Literal[
        "same_thread",
        "already_locked",
        "already_premoderated",
        "same_author",
        "already_trusted",
        "unverified",
    ]
    message: str


class BulkResultOut(BaseModel):
    id: int
    ok: bool
    status: str | None = None
    error: dict[str, Any] | None = None
    thread_id: int | None = Field(default=None, description="For the thread actions")
    skipped: SkippedOut | None = Field(
        default=None,
        description="Why nothing changed for this comment (its thread or author was handled "
        "already, or needs no change; `unverified`, with ok false: a guest cannot be trusted)",
    )


class BulkDecisionOut(BaseModel):
    results: list[BulkResultOut]
    undo: UndoOut


class CommentPatchIn(_In):
    body: Annotated[str, StringConstraints(min_length=1, max_length=100_000)] | None = None
    pinned: bool | None = None
    note: Reason = ""


class CommentPatchOut(BaseModel):
    comment: ModCommentOut
    undo: UndoOut


class TrustIn(_In):
    trusted: bool = True


class UndoTicketOut(BaseModel):
    undo: UndoOut


class ThreadPatchIn(_In):
    locked: bool | None = None
    moderation: Literal["pre", "site"] | None = Field(
        default=None, description="pre: hold every new comment; site: follow the site's mode"
    )
    title: Annotated[str, StringConstraints(max_length=300)] | None = Field(
        default=None, description="The thread's title (settles it: posters no longer replace it)"
    )
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = Field(
        default=None, description="The page URL, on one of the site's origins (settles it too)"
    )
    reason: Reason = ""


class ThreadPatchOut(BaseModel):
    thread: ModThreadOut
    undo: UndoOut


class UndoIn(_In):
    batch: Annotated[str, StringConstraints(min_length=1, max_length=32)]


class UndoneOut(BaseModel):
    reverted: int
    batch: str = Field(description="The batch of the undo's own audit rows")


# -- audit -----------------------------------------------------------------------------------


class AuditQuery(_In):
    site: Slug | None = None
    action: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    actor: Annotated[str, StringConstraints(min_length=1, max_length=120)] | None = None
    target_kind: Annotated[str, StringConstraints(min_length=1, max_length=32)] | None = None
    target_id: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
    since: Annotated[str, StringConstraints(min_length=10, max_length=40)] | None = Field(
        default=None, description="ISO 8601 date or time (UTC when no zone)"
    )
    until: Annotated[str, StringConstraints(min_length=10, max_length=40)] | None = None
    cursor: Cursor | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 50


class AuditEntryOut(BaseModel):
    id: int
    site_id: int | None
    actor: dict[str, Any]
    action: str
    target: dict[str, Any]
    subject_key: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    reason: str
    batch: str
    created_at: str
    redacted: bool


class AuditPageOut(BaseModel):
    entries: list[AuditEntryOut]
    next_cursor: str | None


# -- rules -----------------------------------------------------------------------------------


class RulesOut(BaseModel):
    site: str
    rules: Rules


class ContentVerdictOut(BaseModel):
    action: str
    code: str
    message: str


class DryRunItemOut(BaseModel):
    comment: ModCommentOut
    verdict: ContentVerdictOut = Field(description="The strongest verdict of the new rules")
    current: ContentVerdictOut | None = Field(description="What the current rules say")
    reasons: list[ContentVerdictOut] = Field(description="Every verdict of the new rules")
    changed: bool = Field(description="The new rules act differently from the current ones")


class ReleasedItemOut(BaseModel):
    comment: ModCommentOut
    current: ContentVerdictOut = Field(description="What the current rules say")


class RuleReplayOut(BaseModel):
    rule: str = Field(description="A field of the rules")
    replayed: bool = Field(description="Whether the dry run could judge comments by it")
    changed: bool = Field(description="The new value differs from the current one")
    note: str = Field(description="What it was judged from, or why it could not be")


class DryRunOut(BaseModel):
    days: int
    scanned: int
    rejected: int
    held: int
    items: list[DryRunItemOut] = Field(
        description="Comments the new rules catch (at most 200; those they treat differently "
        "first), newest first"
    )
    spam: int = Field(description="Comments the new rules would store as spam")
    changed: int = Field(description="Comments the new rules treat differently")
    released: int = Field(description="Comments the current rules catch and the new ones not")
    released_items: list[ReleasedItemOut] = Field(description="Those comments (at most 200)")
    rules: list[RuleReplayOut] = Field(description="How the dry run judged each rule")
    refused: int = Field(
        description="Comments refused at posting in the period: counted in rejected, changed "
        "and released by the banned word that refused them"
    )


# -- bans ------------------------------------------------------------------------------------


class BansQuery(_In):
    site: Slug | None = None
    active: bool = True
    cursor: Cursor | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = 100


class BanIn(_In):
    site: Slug | None = Field(
        default=None, description="Defaults to the comment's site; none and no comment: every site"
    )
    kind: Literal["email", "ip_hash", "voter", "identity"]
    comment_id: CommentId | None = None
    value: Annotated[str, StringConstraints(min_length=1, max_length=254)] | None = Field(
        default=None,
        description="Instead of comment_id: the email, IP hash, voter id or identity key",
    )
    duration_days: Annotated[float, Field(gt=0, le=36_500)] | None = Field(
        default=None, description="null: until lifted"
    )
    reason: Reason = ""
    shadow: bool = False
    reject_pending: bool = False


class BanOut(BaseModel):
    id: int
    site_id: int | None
    kind: str
    shadow: bool
    label: str
    reason: str
    comment_id: int | None
    created_by: str
    created_at: str | None
    expires_at: str | None
    lifted_at: str | None
    active: bool


class BansOut(BaseModel):
    bans: list[BanOut]
    next_cursor: str | None


class BanCreatedOut(BaseModel):
    ban: BanOut
    rejected_ids: list[int]
    undo: UndoOut


class BanLiftedOut(BaseModel):
    ban: BanOut
    undo: UndoOut


# -- admin -----------------------------------------------------------------------------------


class TokenIn(_In):
    site: Slug | None = Field(default=None, description="null: every site (admin scope only)")
    scope: Literal["read", "moderate", "admin"]
    name: Annotated[str, StringConstraints(max_length=100)] = ""


class TokenOut(BaseModel):
    id: int
    name: str
    site: str | None
    scope: str
    created_at: str | None
    last_used_at: str | None
    revoked: bool


class TokensOut(BaseModel):
    tokens: list[TokenOut]


class TokenCreatedOut(BaseModel):
    token: TokenOut
    secret: str = Field(description="The bearer token; shown only here")


class ModeratorIn(_In):
    username: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)]
    role: Literal["admin", "moderator"]
    sites: Annotated[list[Slug], Field(max_length=1000)] = []


class ModeratorPatchIn(_In):
    role: Literal["admin", "moderator"] | None = None
    sites: Annotated[list[Slug], Field(max_length=1000)] | None = None
    password: Annotated[str, StringConstraints(min_length=8, max_length=1024)] | None = None
    disabled: bool | None = None


class ModeratorOut(BaseModel):
    id: int
    username: str
    role: str
    sites: list[str]
    disabled: bool
    created_at: str | None
    last_login_at: str | None


class ModeratorsOut(BaseModel):
    moderators: list[ModeratorOut]
