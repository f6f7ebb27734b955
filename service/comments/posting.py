"""Writing comments: create, edit and delete (by their author, with an edit token)."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Sequence,
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.orm import Session, make_transient_to_detached, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from service.comments import events
from service.comments.anchors import AnchorIn, anchor_row
from service.comments.models import PATH_WIDTH, Comment, CommentStatus, Site, Thread
from service.comments.sites import (
    PostingTarget,
    find_posting_target,
    get_or_create_thread,
    page_url_on_site,
    replace_unsettled_details,
)
from service.comments.verdicts import Decision, Draft, Signals
from service.comments.visibility import apply_visibility, bump_thread_version, change_status
from service.db import begin_writes, keys_of, table_of
from service.kernel import clock
from service.kernel.errors import (
    EditWindowClosed,
    NotFound,
    ThreadLocked,
    Unauthorized,
    ValidationFailed,
)
from service.kernel.keys import Keys
from service.kernel.rendering import render_markdown, strip_invisible
from service.kernel.text import text_fingerprint

#: Deeper replies than this are refused; the widget shows `site.max_depth` levels and then a
#: "continue this thread" view, so this only bounds the stored path.
MAX_NESTING = 64


#: What decides a new or edited comment's status: the moderation pipeline, handed in by the
#: caller, so that comments know no check (moderation sits above them).
Judge = Callable[[Session, Draft], Decision]


@dataclass
class NewComment:
    site: str
    thread: str
    thread_url: str
    body: str
    thread_title: str | None = None
    parent_id: int | None = None
    anchor: AnchorIn | None = None
    author_name: str = ""
    author_email: str = ""
    author_website: str = ""
    identity_key: str | None = None
    ip_hash: str | None = None
    voter_key: str | None = None
    signals: Signals = field(default_factory=Signals)


@dataclass(frozen=True)
class Posted:
    comment: Comment
    public_status: str
    edit_token: str
    edit_expires_at: datetime
    decision: Decision


def render_body(source: str, *, max_chars: int, backend: str) -> tuple[str, str]:
    """Validate and render a comment body; return (source, html). Invisible characters are
    stripped first (`rendering.strip_invisible`): a body made only of them is empty."""
    source = strip_invisible(source)
    if not source.strip():
        raise ValidationFailed.on("body", "Write something first.")
    if len(source) > max_chars:
        raise ValidationFailed.on("body", f"Comments are limited to {max_chars} characters.")
    return source, render_markdown(source, backend)


def author_key(
    keys: Keys, identity_key: str | None, email: str, name: str, ip_hash: str | None
) -> str:
    """Opaque avatar seed: keyed, so it reveals neither an email nor an IP."""
    basis = identity_key or (email.strip().lower() and f"email:{email.strip().lower()}")
    return keys.hash("avatar", basis or f"guest:{name.strip()}|{ip_hash or ''}", length=16)


def edit_expires_at(site: Site, comment: Comment) -> datetime:
    return comment.created_at + timedelta(seconds=site.edit_window_seconds)


def create_comment(
    session: Session,
    new: NewComment,
    *,
    judge: Judge,
    max_body_chars: int,
    sanitizer: str,
    target: PostingTarget | None = None,
) -> Posted:
    """Judge and store a new comment. `judge` is the moderation pipeline
    (`service.moderation.pipeline.evaluate`); `target` is `find_posting_target(new.site,
    new.thread)` when the caller looked it up already."""
    if new.signals.notify in {"replies", "thread"} and not new.author_email.strip():
        # Asking to be mailed without an address would post the comment and mail nobody.
        raise ValidationFailed.on(
            "author.email", "Give your email address to be notified, or choose not to be."
        )
    source, html = render_body(new.body, max_chars=max_body_chars, backend=sanitizer)
    target = target or find_posting_target(session, new.site, new.thread)
    site = target.site
    # A new thread is only built here; it is stored with the comment, after the checks.
    thread = thread_for_comment(site, target.thread, new)
    if thread.locked:
        raise ThreadLocked()
    parent = _parent_for_reply(session, thread, new)

    decision = judge(
        session,
        Draft(
            site=site,
            thread=thread,
            body_source=source,
            body_html=html,
            author_name=new.author_name,
            author_email=new.author_email,
            author_website=new.author_website,
            identity_key=new.identity_key,
            ip_hash=new.ip_hash,
            voter_key=new.voter_key,
            parent=parent,
            signals=new.signals,
            known_absent=target.known_absent,
        ),
    )
    begin_writes(session)
    if inspect(thread).transient:
        thread = get_or_create_thread(session, site, new.thread, new.thread_url, new.thread_title)
    else:
        replace_unsettled_details(session, site, thread, new.thread_url, new.thread_title)
    now = clock.now()
    comment = Comment(
        site_id=site.id,
        thread_id=thread.id,
        parent_id=parent.id if parent else None,
        depth=parent.depth + 1 if parent else 0,
        status=decision.status,
        author_name=new.author_name,
        author_email=new.author_email,
        author_website=new.author_website,
        identity_key=new.identity_key,
        author_key=author_key(
            keys_of(session), new.identity_key, new.author_email, new.author_name, new.ip_hash
        ),
        ip_hash=new.ip_hash,
        body_source=source,
        body_html=html,
        created_at=now,
        status_changed_at=now,
        moderation_reasons=decision.reasons,
        spam_score=decision.spam_score,
        anchor=anchor_row(new.anchor, thread_id=thread.id) if new.anchor else None,
        voter_key=new.voter_key[:64] if new.voter_key else None,
        # Visible at once: its readers are told now (`comment.created`), never again.
        notified_at=now if decision.status == CommentStatus.APPROVED else None,
    )
    insert_comment(session, comment, parent)
    events.emit(
        session,
        events.CommentEvent(
            "comment.created",
            comment,
            data={"notify": new.signals.notify, "locale": new.signals.locale},
            known_absent=target.known_absent,
        ),
    )
    return Posted(
        comment=comment,
        public_status=decision.public_status,
        edit_token=keys_of(session).sign("edit", {"c": comment.id}),
        edit_expires_at=edit_expires_at(site, comment),
        decision=decision,
    )


def thread_for_comment(site: Site, existing: Thread | None, new: NewComment) -> Thread:
    """The thread the comment goes to: the existing one, or a new (not yet stored) one if the
    page URL is on one of the site's origins."""
    if existing is not None:
        return existing
    url = page_url_on_site(site, new.thread_url)
    return Thread(site_id=site.id, key=new.thread, url=url, title=new.thread_title or "")


_comments = table_of(Comment)
#: Written by `insert_comment` from the new id itself, in the INSERT.
_PLACE_COLUMNS = ("id", "path", "root_id")


def _next_comment_id(dialect: str) -> ColumnElement[int]:
    """The id the next comment gets: drawn from the table's sequence on PostgreSQL; on SQLite one
    past the highest, as SQLite picks it itself (no AUTOINCREMENT; writers hold the write lock)."""
    if dialect == "postgresql":
        return Sequence("comments_id_seq").next_value()
    return select(func.coalesce(func.max(_comments.c.id), 0) + 1).scalar_subquery()


def _zero_padded(dialect: str, number: ColumnElement[int]) -> ColumnElement[str]:
    """`number` in PATH_WIDTH digits (ids are 32-bit integers: ten digits at most)."""
    if dialect == "postgresql":
        return func.lpad(cast(number, Text), PATH_WIDTH, "0")
    return func.printf(f"%0{PATH_WIDTH}d", number)


@functools.cache
def _insert_comment_statement(dialect: str) -> Insert:
    """Built once per database: one INSERT that takes the new id and writes the comment's place
    (`path`, `root_id`) from it, so the row is written whole (a second UPDATE of the indexed
    `path` would write every index of the table again)."""
    new = select(_next_comment_id(dialect).label("id")).subquery("new")
    values = [column for column in _comments.c if column.key not in _PLACE_COLUMNS]
    source = select(
        new.c.id,
        bindparam("path_prefix", type_=String) + _zero_padded(dialect, new.c.id),
        func.coalesce(bindparam("parent_root_id", type_=Integer), new.c.id),
        *(bindparam(column.key, type_=column.type) for column in values),
    )
    return (
        insert(_comments)
        .from_select([*_PLACE_COLUMNS, *(column.key for column in values)], source)
        .returning(*(_comments.c[name] for name in _PLACE_COLUMNS))
    )


def _fill_defaults(comment: Comment) -> dict[str, Any]:
    """Give a new comment a value for every column (its default, or None) it was not given, so
    that none is left to load later; return them all but its place."""
    for column in _comments.c:
        if column.key in _PLACE_COLUMNS or comment.__dict__.get(column.key) is not None:
            continue
        default, value = column.default, None
        if default is not None:  # callables are wrapped to take an (unused) execution context
            value = default.arg(None) if default.is_callable else default.arg  # type: ignore[attr-defined]
        setattr(comment, column.key, value)
    return {
        column.key: comment.__dict__.get(column.key)
        for column in _comments.c
        if column.key not in _PLACE_COLUMNS
    }


def insert_comment(session: Session, comment: Comment, parent: Comment | None) -> None:
    """Add a new comment row under `parent` and count it if it is visible.

    The one place a comment enters a thread's tree (posting and imports alike): it sets `depth`,
    `path` (fixed-width ids, so sorting paths is pre-order) and `root_id`, and an approved comment
    updates the thread's count and its ancestors' `visible_descendants`. Emits no event.

    One Core statement writes the row (the unit of work's INSERT cost more than twice as much
    per post); `comment` then joins the session as the persistent object of that row.
    """
    comment.parent_id = parent.id if parent else None
    comment.depth = parent.depth + 1 if parent else 0
    comment.text_fingerprint = text_fingerprint(comment.body_source)
    anchor = comment.anchor
    values = _fill_defaults(comment)
    session.flush()  # a Core statement does not autoflush: a new thread must be written first
    dialect = session.get_bind().dialect.name
    comment.id, comment.path, comment.root_id = session.execute(
        _insert_comment_statement(dialect),
        {
            **values,
            "path_prefix": f"{parent.path}/" if parent else "",
            "parent_root_id": parent.root_id if parent else None,
        },
    ).one()
    # Every column is set, so the object joins the session loaded, as if read back.
    make_transient_to_detached(comment)
    session.add(comment)
    if anchor is not None:
        anchor.comment_id = comment.id
        session.add(anchor)
    set_committed_value(comment, "anchor", anchor)
    if comment.status == CommentStatus.APPROVED:
        apply_visibility(session, comment, +1)


def _parent_for_reply(session: Session, thread: Thread, new: NewComment) -> Comment | None:
    if new.parent_id is None:
        return None
    if new.anchor is not None:
        raise ValidationFailed.on("anchor", "Only top-level comments can quote a passage.")
    parent = session.get(Comment, new.parent_id)
    if parent is None or parent.thread_id != thread.id or parent.status != CommentStatus.APPROVED:
        raise ValidationFailed.on("parent_id", "You can only reply to a visible comment here.")
    if parent.depth + 1 > MAX_NESTING:
        raise ValidationFailed.on("parent_id", "This conversation is nested too deeply.")
    return parent


def comment_for_author(
    session: Session,
    comment_id: int,
    edit_token: str | None,
    *,
    identity_key: str | None = None,
    deleting: bool = False,
    with_anchor: bool = False,
) -> Comment:
    """The comment an edit token proves authorship of, while its edit window is open.

    A signed-in author (`identity_key`, from their session) needs no edit token: they may edit
    their own comment within the window from any device, and delete it at any time.
    """
    options = [selectinload(Comment.anchor)] if with_anchor else []
    comment = session.get(Comment, comment_id, options=options)
    if comment is None or comment.status == CommentStatus.DELETED:
        raise NotFound("No such comment.")
    if identity_key is not None and comment.identity_key == identity_key:
        if not deleting and clock.now() > edit_expires_at(
            session.get_one(Site, comment.site_id), comment
        ):
            raise EditWindowClosed()
        return comment
    if not edit_token:
        raise Unauthorized("The X-Sidenote-Edit-Token header is missing.")
    payload = keys_of(session).unsign("edit", edit_token)
    if not isinstance(payload, dict) or not hmac.compare_digest(
        str(payload.get("c")), str(comment.id)
    ):
        raise Unauthorized("The edit token is not valid for this comment.")
    site = session.get_one(Site, comment.site_id)
    if clock.now() > edit_expires_at(site, comment):
        raise EditWindowClosed()
    return comment


def edit_comment(
    session: Session,
    comment_id: int,
    edit_token: str | None,
    body: str,
    *,
    judge: Judge,
    max_body_chars: int,
    sanitizer: str,
    identity_key: str | None = None,
) -> tuple[Comment, str]:
    """Replace the text; the pipeline judges it again and may hold it (then it is hidden).

    Returns the comment and the status its author is told (approved or pending).
    """
    comment = comment_for_author(
        session, comment_id, edit_token, identity_key=identity_key, with_anchor=True
    )
    source, html = render_body(body, max_chars=max_body_chars, backend=sanitizer)
    site = session.get_one(Site, comment.site_id)
    thread = session.get_one(Thread, comment.thread_id)
    if thread.locked:
        raise ThreadLocked()
    parent = session.get(Comment, comment.parent_id) if comment.parent_id else None
    decision = judge(
        session,
        Draft(
            site=site,
            thread=thread,
            body_source=source,
            body_html=html,
            author_name=comment.author_name,
            author_email=comment.author_email,
            author_website=comment.author_website,
            identity_key=comment.identity_key,
            ip_hash=comment.ip_hash,
            parent=parent,
            editing=comment,
        ),
    )
    comment.body_source = source
    comment.body_html = html
    comment.text_fingerprint = text_fingerprint(source)
    comment.edited_at = clock.now()
    comment.moderation_reasons = decision.reasons
    if decision.spam_score is not None:
        comment.spam_score = decision.spam_score
    if decision.status != CommentStatus.APPROVED:
        # An edit can hold an approved comment, never approve a held one by itself.
        change_status(session, comment, decision.status)
    elif comment.status == CommentStatus.APPROVED:
        bump_thread_version(session, comment.thread_id)
    session.flush()
    events.emit(session, events.CommentEvent("comment.edited", comment))
    shown_as_approved = comment.status == CommentStatus.APPROVED or (
        comment.status == CommentStatus.SPAM and decision.public_status == CommentStatus.APPROVED
    )
    return comment, CommentStatus.APPROVED if shown_as_approved else CommentStatus.PENDING


def delete_comment(
    session: Session, comment_id: int, edit_token: str | None, identity_key: str | None = None
) -> None:
    """The author removes their comment: its text and name go; replies keep a tombstone."""
    comment = comment_for_author(
        session, comment_id, edit_token, identity_key=identity_key, deleting=True
    )
    erase_content(comment)
    change_status(session, comment, CommentStatus.DELETED)


def erase_content(comment: Comment) -> None:
    comment.body_source = ""
    comment.body_html = ""
    comment.author_name = ""
    comment.author_email = ""
    comment.author_website = ""
