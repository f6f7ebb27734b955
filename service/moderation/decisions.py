"""What moderators do to comments, threads and authors, each step audit-logged and undoable.

Every status change goes through `visibility.change_status` (counters, versions, events). Every
action writes audit rows with before/after; the rows of one request share a batch, and
`undo(batch)` reverts them (within `SIDENOTE_MODERATION_UNDO_SECONDS`), writing `undo.*` rows.
The functions take the acting `Principal` and check its scope on the comment's site themselves,
so bulk actions can report a 403 per item.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.comments import events
from service.comments.models import Comment, CommentStatus, Report, Site, Thread
from service.comments.posting import render_body
from service.comments.sites import page_url_on_site
from service.comments.visibility import bump_thread_version, change_status, change_status_many
from service.db import keys_of
from service.kernel import clock
from service.kernel.actors import Principal
from service.kernel.clock import isoformat
from service.kernel.errors import NotFound, ServiceError, ValidationFailed
from service.kernel.keys import Keys
from service.kernel.text import text_fingerprint
from service.moderation import audit, spam
from service.moderation.models import AuditEntry, Ban, TrustedAuthor
from service.moderation.rules import Rules, update_rules

DecisionAction = Literal["approve", "reject", "spam"]
ACTION_STATUS: dict[str, CommentStatus] = {
    "approve": CommentStatus.APPROVED,
    "reject": CommentStatus.REJECTED,
    "spam": CommentStatus.SPAM,
}
#: Bulk actions on what the selected comments belong to (each thread or author once).
THREAD_ACTIONS: dict[str, tuple[dict[str, Any], str]] = {
    "lock_thread": ({"locked": True}, "locked"),
    "premoderate_thread": ({"moderation": "pre"}, "premoderated"),
}
BULK_ACTIONS = (*ACTION_STATUS, *THREAD_ACTIONS, "trust_author")
MAX_BULK = 500


@dataclass(frozen=True)
class Outcome:
    comment: Comment
    previous_status: str
    batch: str


def comment_for(
    session: Session, actor: Principal, comment_id: int, scope: Any = "moderate"
) -> Comment:
    """The comment, if the actor has `scope` on its site (404 when it does not exist)."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("No such comment.")
    actor.require(scope, comment.site_id)
    return comment


def _resolve_reports(session: Session, comment: Comment) -> list[int]:
    ids = list(
        session.scalars(
            select(Report.id).where(Report.comment_id == comment.id, Report.resolved_at.is_(None))
        )
    )
    if ids:
        session.execute(
            update(Report)
            .where(Report.id.in_(ids))
            .values(resolved_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    return ids


def decide(
    session: Session,
    actor: Principal,
    comment: Comment,
    action: str,
    *,
    reason: str = "",
    batch: str | None = None,
) -> Outcome:
    """Approve, reject or mark as spam (from any status but deleted); resolves open reports."""
    if action not in ACTION_STATUS:
        raise ValidationFailed.on("action", "Use approve, reject or spam.")
    actor.require("moderate", comment.site_id)
    if comment.status == CommentStatus.DELETED:
        raise ValidationFailed.on("action", "Its author deleted this comment.")
    target = ACTION_STATUS[action]
    previous = change_status(session, comment, target)
    if previous == target:
        # No event announces a decision that changes no status ("keep" a reported comment,
        # approve a published one): it still is a moderator's judgement, and trains.
        spam.train_decision(session, comment)
    resolved = _resolve_reports(session, comment)
    batch = batch or audit.new_batch()
    audit.record(
        session,
        actor,
        f"comment.{action}",
        target_kind="comment",
        target_id=comment.id,
        site_id=comment.site_id,
        subject_key=comment.author_key,
        before={"status": previous},
        after={"status": target, "resolved_reports": resolved},
        reason=reason.strip(),
        batch=batch,
    )
    return Outcome(comment, previous, batch)


@dataclass(frozen=True)
class BulkResult:
    results: list[dict[str, Any]]
    batch: str


def decide_many(
    session: Session, actor: Principal, ids: Sequence[int], action: str, *, reason: str = ""
) -> BulkResult:
    """The same decision on many comments, answered per comment (one failing comment does not
    stop the others), set-based: what `decide` does for one comment, done for all of them in a
    fixed number of statements (one SELECT of the comments, the status change with its
    counters and events as `visibility.change_status_many`, one SELECT and one UPDATE of their
    open reports, one INSERT of the audit rows, one batch of spam training). A comment fails
    before anything changes (missing, out of the actor's scope, deleted), so no savepoint is
    needed: the rest commit or roll back together with the request."""
    if action not in ACTION_STATUS:
        raise ValidationFailed.on("action", "Use approve, reject or spam.")
    if len(ids) > MAX_BULK:
        raise ValidationFailed.on("ids", f"Decide on at most {MAX_BULK} comments at once.")
    batch = audit.new_batch()
    target = ACTION_STATUS[action]
    wanted = list(dict.fromkeys(ids))
    loaded = {c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(wanted)))}
    results: list[dict[str, Any]] = []
    chosen: list[Comment] = []
    for comment_id in wanted:
        comment = loaded.get(comment_id)
        try:
            if comment is None:
                raise NotFound("No such comment.")
            actor.require("moderate", comment.site_id)
            if comment.status == CommentStatus.DELETED:
                raise ValidationFailed.on("action", "Its author deleted this comment.")
        except ServiceError as error:
            results.append({"id": comment_id, "ok": False, "error": error.to_dict()["error"]})
            continue
        chosen.append(comment)
        results.append({"id": comment_id, "ok": True, "status": target})
    with spam.deferred_training(session):  # one batch of statements, not one per comment
        previous = change_status_many(session, chosen, target)
        for comment in chosen:
            if previous[comment.id] == target:  # no event; still a judgement (see `decide`)
                spam.train_decision(session, comment)
    resolved = _resolve_reports_many(session, [comment.id for comment in chosen])
    audit.record_many(
        session,
        actor,
        [
            {
                "action": f"comment.{action}",
                "target_kind": "comment",
                "target_id": comment.id,
                "site_id": comment.site_id,
                "subject_key": comment.author_key,
                "before": {"status": previous[comment.id]},
                "after": {"status": target, "resolved_reports": resolved.get(comment.id, [])},
                "reason": reason.strip(),
                "batch": batch,
            }
            for comment in chosen
        ],
    )
    return BulkResult(results, batch)


def _resolve_reports_many(session: Session, comment_ids: list[int]) -> dict[int, list[int]]:
    """`_resolve_reports` for many comments: one SELECT, one UPDATE; report ids per comment."""
    if not comment_ids:
        return {}
    found: dict[int, list[int]] = {}
    for report_id, comment_id in session.execute(
        select(Report.id, Report.comment_id)
        .where(Report.comment_id.in_(comment_ids), Report.resolved_at.is_(None))
        .order_by(Report.id)
    ):
        found.setdefault(comment_id, []).append(report_id)
    if found:
        session.execute(
            update(Report)
            .where(Report.id.in_([i for ids in found.values() for i in ids]))
            .values(resolved_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    return found


def _for_each_comment(
    session: Session,
    actor: Principal,
    ids: Sequence[int],
    act: Callable[[Comment], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Run `act` on each comment (once per id) in its own savepoint; answer per comment, so
    one failing comment neither stops the others nor leaves half its changes."""
    results: list[dict[str, Any]] = []
    for comment_id in dict.fromkeys(ids):
        try:
            with session.begin_nested():
                comment = comment_for(session, actor, comment_id)
                result = {"id": comment_id, "ok": True, **act(comment)}
            results.append(result)
        except ServiceError as error:
            results.append({"id": comment_id, "ok": False, "error": error.to_dict()["error"]})
    return results


def bulk_action(
    session: Session, actor: Principal, ids: Sequence[int], action: str, *, reason: str = ""
) -> BulkResult:
    """Any bulk action (`BULK_ACTIONS`) on many comments, as one undoable batch, answered per
    comment. Pin and edit have no bulk form: a pin picks one comment of a thread, and an edit is
    written for one comment."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed.on("action", "Use " + ", ".join(BULK_ACTIONS) + ".")
    if action in ACTION_STATUS:
        return decide_many(session, actor, ids, action, reason=reason)
    if len(ids) > MAX_BULK:
        raise ValidationFailed.on("ids", f"Act on at most {MAX_BULK} comments at once.")
    if action == "trust_author":
        return _trust_many(session, actor, ids)
    return _update_threads(session, actor, ids, action, reason=reason)


def _skipped(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def _update_threads(
    session: Session, actor: Principal, ids: Sequence[int], action: str, *, reason: str
) -> BulkResult:
    """Lock or pre-moderate the thread of each comment, each thread once."""
    change, state = THREAD_ACTIONS[action]
    batch = audit.new_batch()
    first_of: dict[int, int] = {}  # thread id -> the comment that handled it

    def update_one(comment: Comment) -> dict[str, Any]:
        result: dict[str, Any] = {"status": comment.status, "thread_id": comment.thread_id}
        thread = session.get(Thread, comment.thread_id)
        if comment.thread_id in first_of:
            result["skipped"] = _skipped(
                "same_thread",
                f"Its thread was handled with comment #{first_of[comment.thread_id]}.",
            )
        elif thread is not None and all(
            getattr(thread, name) == value for name, value in change.items()
        ):
            first_of[comment.thread_id] = comment.id
            label = "pre-moderated" if state == "premoderated" else state
            result["skipped"] = _skipped(f"already_{state}", f"Its thread is {label} already.")
        else:
            update_thread(session, actor, comment.thread_id, reason=reason, batch=batch, **change)
            first_of[comment.thread_id] = comment.id
        return result

    return BulkResult(_for_each_comment(session, actor, ids, update_one), batch)


def _trust_many(session: Session, actor: Principal, ids: Sequence[int]) -> BulkResult:
    """Trust the verified author of each comment on its site, each author once; a guest's
    comment is answered `ok: false` with `skipped.code` `unverified`."""
    batch = audit.new_batch()
    first_of: dict[tuple[int, str], int] = {}  # (site, identity) -> the comment that handled it

    def trust_one(comment: Comment) -> dict[str, Any]:
        result: dict[str, Any] = {"status": comment.status}
        person = (comment.site_id, comment.identity_key or "")
        if not comment.identity_key:
            error = ValidationFailed.on("comment_id", UNVERIFIED)
            result.update(
                ok=False, error=error.to_dict()["error"], skipped=_skipped("unverified", UNVERIFIED)
            )
        elif person in first_of:
            result["skipped"] = _skipped(
                "same_author", f"Its author was handled with comment #{first_of[person]}."
            )
        else:
            first_of[person] = comment.id
            if not _trust(session, actor, comment, trusted=True, batch=batch):
                result["skipped"] = _skipped("already_trusted", "Its author is trusted already.")
        return result

    return BulkResult(_for_each_comment(session, actor, ids, trust_one), batch)


def edit_comment(
    session: Session,
    actor: Principal,
    comment: Comment,
    *,
    body: str | None = None,
    pinned: bool | None = None,
    note: str = "",
    max_body_chars: int,
    sanitizer: str,
    batch: str | None = None,
) -> Outcome:
    """A moderator's edit (marked "edited by moderator", with the note in the audit log) and/or
    pin. No pipeline: the moderator is the judge."""
    actor.require("moderate", comment.site_id)
    if comment.status == CommentStatus.DELETED:
        raise ValidationFailed.on("body", "Its author deleted this comment.")
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    text_changed = body is not None and body != comment.body_source
    if text_changed and body is not None:
        source, html = render_body(body, max_chars=max_body_chars, backend=sanitizer)
        before.update(
            body_source=comment.body_source,
            edited_by_moderator=comment.edited_by_moderator,
            edited_at=isoformat(comment.edited_at),
        )
        comment.body_source = source
        comment.body_html = html
        comment.text_fingerprint = text_fingerprint(source)
        comment.edited_by_moderator = True
        comment.edited_at = clock.now()
        after.update(body_source=source, edited_by_moderator=True)
    if pinned is not None and pinned != comment.pinned:
        if pinned and comment.depth != 0:
            raise ValidationFailed.on("pinned", "Only top-level comments can be pinned.")
        before["pinned"] = comment.pinned
        comment.pinned = pinned
        after["pinned"] = pinned
    batch = batch or audit.new_batch()
    if not after:
        return Outcome(comment, comment.status, batch)
    session.flush()
    if comment.status == CommentStatus.APPROVED:
        bump_thread_version(session, comment.thread_id)
    if text_changed:
        events.emit(session, events.CommentEvent("comment.edited", comment))
    if note.strip():
        after["note"] = note.strip()[:500]
    action = "comment.edit" if text_changed else ("comment.pin" if pinned else "comment.unpin")
    audit.record(
        session,
        actor,
        action,
        target_kind="comment",
        target_id=comment.id,
        site_id=comment.site_id,
        subject_key=comment.author_key,
        before=before,
        after=after,
        reason=note.strip(),
        batch=batch,
    )
    return Outcome(comment, comment.status, batch)


_UNSET: Any = object()


def update_thread(
    session: Session,
    actor: Principal,
    thread_id: int,
    *,
    locked: bool | None = None,
    moderation: Any = _UNSET,
    title: str | None = None,
    url: str | None = None,
    reason: str = "",
    batch: str | None = None,
) -> tuple[Thread, str]:
    """Lock/unlock a thread, pre-moderate it (`moderation="pre"`; None follows the site), or
    correct its title and page URL (which settles them: posters no longer replace them)."""
    thread = session.get(Thread, thread_id)
    if thread is None:
        raise NotFound("No such thread.")
    actor.require("moderate", thread.site_id)
    if moderation is not _UNSET and moderation not in (None, "pre"):
        raise ValidationFailed.on("moderation", "Use pre, or site to follow the site's mode.")
    if title is not None:
        title = _thread_title(title)
    if url is not None:
        site = session.get_one(Site, thread.site_id)
        if len(url) > MAX_THREAD_URL:
            raise ValidationFailed.on("url", "The page URL is too long.")
        url = page_url_on_site(site, url.strip(), field="url")
    before = _thread_state(thread)
    if locked is not None:
        thread.locked = locked
    if moderation is not _UNSET:
        thread.moderation = moderation
    if title is not None:
        thread.title = title
    if url is not None:
        thread.url = url
    if (title is not None or url is not None) and thread.settled_at is None:
        thread.settled_at = clock.now()
    after = _thread_state(thread)
    batch = batch or audit.new_batch()
    if before != after:
        session.flush()
        bump_thread_version(session, thread.id)
        audit.record(
            session,
            actor,
            "thread.update",
            target_kind="thread",
            target_id=thread.id,
            site_id=thread.site_id,
            before=before,
            after=after,
            reason=reason.strip(),
            batch=batch,
        )
    return thread, batch


MAX_THREAD_TITLE = 300
MAX_THREAD_URL = 2000


def _thread_title(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > MAX_THREAD_TITLE or any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        raise ValidationFailed.on(
            "title", f"Use one line of at most {MAX_THREAD_TITLE} printable characters."
        )
    return value


def _thread_state(thread: Thread) -> dict[str, Any]:
    return {
        "locked": thread.locked,
        "moderation": thread.moderation,
        "title": thread.title,
        "url": thread.url,
    }


UNVERIFIED = "Only commenters with a verified identity can be trusted."


def trust_hash(keys: Keys, identity_key: str) -> str:
    return keys.hash("trust", identity_key, length=64)


def set_trust(
    session: Session,
    actor: Principal,
    comment: Comment,
    *,
    trusted: bool = True,
    batch: str | None = None,
) -> str:
    """Trust (or stop trusting) the verified author of `comment` on its site."""
    batch = batch or audit.new_batch()
    _trust(session, actor, comment, trusted=trusted, batch=batch)
    return batch


def _trust(
    session: Session, actor: Principal, comment: Comment, *, trusted: bool, batch: str
) -> bool:
    """`set_trust`; False when the author was in that state already (nothing recorded)."""
    actor.require("moderate", comment.site_id)
    if not comment.identity_key:
        raise ValidationFailed.on("comment_id", UNVERIFIED)
    identity_hash = trust_hash(keys_of(session), comment.identity_key)
    existing = session.scalar(
        select(TrustedAuthor).where(
            TrustedAuthor.site_id == comment.site_id,
            TrustedAuthor.identity_hash == identity_hash,
        )
    )
    if (existing is not None) == trusted:
        return False
    if trusted:
        session.add(
            TrustedAuthor(
                site_id=comment.site_id,
                identity_hash=identity_hash,
                created_by=actor.label[:120],
            )
        )
    else:
        session.delete(existing)
    session.flush()
    audit.record(
        session,
        actor,
        "author.trust" if trusted else "author.untrust",
        target_kind="author",
        target_id=identity_hash[:32],
        site_id=comment.site_id,
        subject_key=comment.author_key,
        before={"trusted": not trusted, "comment_id": comment.id},
        after={"trusted": trusted, "comment_id": comment.id},
        batch=batch,
    )
    return True


def change_rules(session: Session, actor: Principal, site: Site, rules: Rules) -> Rules:
    """Save a site's rules (admin on the site)."""
    actor.require("admin", site.id)
    return update_rules(session, site, rules, actor=actor)


# -- undo ------------------------------------------------------------------------------------

UNDOABLE = (
    "comment.approve",
    "comment.reject",
    "comment.spam",
    "comment.hold",
    "comment.edit",
    "comment.pin",
    "comment.unpin",
    "thread.update",
    "ban.add",
    "ban.lift",
    "author.trust",
    "author.untrust",
    "rules.update",
)


@dataclass(frozen=True)
class Undone:
    batch: str
    reverted: list[AuditEntry]


def undo(
    session: Session,
    actor: Principal,
    batch: str,
    *,
    max_age: timedelta,
    sanitizer: str,
    max_body_chars: int,
) -> Undone:
    """Revert every action of `batch` (newest first), if recent enough and not undone yet."""
    entries = list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.batch == batch).order_by(AuditEntry.id.desc())
        )
    )
    if not entries:
        raise NotFound("Nothing to undo under that id.")
    already = session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action.like("undo.%"), AuditEntry.reason == f"undo of {batch}"
        )
    )
    if already is not None or any(e.action.startswith("undo.") for e in entries):
        raise ValidationFailed.on("batch", "That action was undone already.")
    if clock.now() - entries[0].created_at > max_age:
        raise ValidationFailed.on("batch", "It is too late to undo that action.")
    for entry in entries:
        if entry.action not in UNDOABLE:
            raise ValidationFailed.on("batch", f"{entry.action} cannot be undone.")
        if entry.redacted_at is not None:
            raise ValidationFailed.on("batch", "That action's record was redacted.")
        if entry.site_id is None:
            actor.require("admin", all_sites=True)
        else:
            actor.require("moderate", entry.site_id)
    new_batch = audit.new_batch()
    with spam.deferred_training(session):
        for entry in entries:
            _revert(session, entry, sanitizer=sanitizer, max_body_chars=max_body_chars)
            audit.record(
                session,
                actor,
                "undo." + entry.action,
                target_kind=entry.target_kind,
                target_id=entry.target_id,
                site_id=entry.site_id,
                subject_key=entry.subject_key,
                before=entry.after,
                after=entry.before,
                reason=f"undo of {batch}",
                batch=new_batch,
            )
    return Undone(new_batch, entries)


def _revert(session: Session, entry: AuditEntry, *, sanitizer: str, max_body_chars: int) -> None:
    before = entry.before or {}
    after = entry.after or {}
    if entry.target_kind == "comment":
        comment = session.get(Comment, int(entry.target_id))
        if comment is None:
            raise NotFound("The comment no longer exists.")
        _revert_comment(session, comment, before, after, sanitizer, max_body_chars)
    elif entry.action == "thread.update":
        thread = session.get(Thread, int(entry.target_id))
        if thread is None:
            raise NotFound("The thread no longer exists.")
        thread.locked = bool(before.get("locked"))
        thread.moderation = before.get("moderation")
        thread.title = before.get("title", thread.title)
        thread.url = before.get("url", thread.url)
        session.flush()
        bump_thread_version(session, thread.id)
    elif entry.action in ("ban.add", "ban.lift"):
        ban = session.get(Ban, int(entry.target_id))
        if ban is None:
            raise NotFound("The ban no longer exists.")
        ban.lifted_at = clock.now() if entry.action == "ban.add" else None
    elif entry.action in ("author.trust", "author.untrust"):
        _revert_trust(session, entry)
    elif entry.action == "rules.update":
        site = session.get(Site, entry.site_id)
        if site is None:
            raise NotFound("The site no longer exists.")
        site.settings = {**(site.settings or {}), "rules": before}
    session.flush()


def _revert_comment(
    session: Session,
    comment: Comment,
    before: dict[str, Any],
    after: dict[str, Any],
    sanitizer: str,
    max_body_chars: int,
) -> None:
    if "status" in before and comment.status != CommentStatus.DELETED:
        change_status(session, comment, str(before["status"]))
        if before["status"] == CommentStatus.PENDING:
            spam.train_decision(session, comment)  # no event announces a return to pending
        reopened = [int(i) for i in after.get("resolved_reports", [])]
        if reopened:
            session.execute(
                update(Report)
                .where(Report.id.in_(reopened))
                .values(resolved_at=None)
                .execution_options(synchronize_session=False)
            )
    if "body_source" in before:
        source, html = render_body(
            str(before["body_source"]), max_chars=max(max_body_chars, 100_000), backend=sanitizer
        )
        comment.body_source = source
        comment.body_html = html
        comment.text_fingerprint = text_fingerprint(source)
        comment.edited_by_moderator = bool(before.get("edited_by_moderator"))
        edited_at = before.get("edited_at")
        comment.edited_at = datetime.fromisoformat(edited_at) if edited_at else None
    if "pinned" in before:
        comment.pinned = bool(before["pinned"])
    session.flush()
    if comment.status == CommentStatus.APPROVED and ("body_source" in before or "pinned" in before):
        bump_thread_version(session, comment.thread_id)


def _revert_trust(session: Session, entry: AuditEntry) -> None:
    comment = session.get(Comment, int((entry.after or {}).get("comment_id", 0)))
    if comment is None or not comment.identity_key or entry.site_id is None:
        raise NotFound("The trusted author can no longer be found.")
    identity_hash = trust_hash(keys_of(session), comment.identity_key)
    if entry.action == "author.trust":
        session.execute(
            delete(TrustedAuthor).where(
                TrustedAuthor.site_id == entry.site_id,
                TrustedAuthor.identity_hash == identity_hash,
            )
        )
    else:
        session.add(
            TrustedAuthor(site_id=entry.site_id, identity_hash=identity_hash, created_by="undo")
        )
