"""The queue: tabs with counts, filters, cards, and every action a card or a selection offers.

Each action is a plain form POST that answers 303 back to the queue with a notice (and an Undo
button for the action's batch). `moderate.js` sends the same actions to the JSON moderation API
instead and updates the page in place; it fetches `/moderate/cards/<id>` to redraw one card.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

from flask import Response, request
from sqlalchemy.orm import Session

from service.comments.models import Comment, Site
from service.comments.sites import get_site
from service.comments.verdicts import ReasonCode
from service.db import get_session
from service.http.context import settings
from service.kernel import actors
from service.kernel.errors import ServiceError, ValidationFailed
from service.kernel.inputs import MAX_ID
from service.moderation import audit, auth, bans, decisions, queue
from service.moderation.ui.blueprint import moderate
from service.moderation.ui.cards import BAN_DURATIONS, BAN_KIND_LABELS, ban_authors, card_details
from service.moderation.ui.common import (
    Notice,
    act,
    back,
    flag,
    int_field,
    page,
    refused,
    safe_next,
    text_field,
    visible_sites,
)

PAGE_SIZE = 25
TABS: list[tuple[str, str]] = [
    ("pending", "Pending"),
    ("reported", "Reported"),
    ("spam", "Spam"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
#: Reason codes a moderator can filter by: those a stored comment can carry (docs/moderation.md
#: explains each; their labels are `verdicts.REASON_LABELS`).
REASON_CODES = tuple(code for code in ReasonCode if code.stored)
DONE = {"approve": "Approved", "reject": "Rejected", "spam": "Marked as spam"}
#: Bulk actions on the selected comments' threads and authors: what each one changes.
BULK_TARGETS = {
    "lock_thread": "Locked {n} thread{s}.",
    "premoderate_thread": "Pre-moderated {n} thread{s}.",
    "trust_author": "Now trusting {n} more author{s}.",
}
#: How the notice counts the comments a bulk action skipped, by `skipped.code`.
SKIP_LABELS = {
    "same_thread": "on a thread already handled",
    "already_locked": "on a thread locked already",
    "already_premoderated": "on a thread pre-moderated already",
    "same_author": "by an author already handled",
    "already_trusted": "by an author trusted already",
    "unverified": "by a guest without a verified identity (only those can be trusted)",
}


@dataclass(frozen=True)
class QueueArgs:
    """The queue page's query: tab, filters and cursor (all optional)."""

    tab: str = "pending"
    site: str = ""
    thread: str = ""
    author: str = ""
    reason: str = ""
    q: str = ""
    cursor: str = ""

    LIMITS: ClassVar[dict[str, int]] = {
        "site": 64,
        "thread": 500,
        "author": 254,
        "reason": 64,
        "q": 200,
        "cursor": 200,
    }

    @classmethod
    def from_request(cls) -> QueueArgs:
        args = request.args
        tab = args.get("tab", "pending")
        if tab not in queue.QUEUE_STATUSES:
            raise ValidationFailed.on("tab", "Use pending, reported, spam, approved or rejected.")
        values: dict[str, str] = {}
        for name, limit in cls.LIMITS.items():
            value = (args.get(name) or "").strip()
            if len(value) > limit:
                raise ValidationFailed.on(name, f"Use at most {limit} characters.")
            values[name] = value
        return cls(tab=tab, **values)

    def url(self, **changes: str) -> str:
        """The queue URL with these changes (a changed tab or filter starts at the first page)."""
        if "cursor" not in changes:
            changes["cursor"] = ""
        merged = replace(self, **changes)
        pairs = [(name, getattr(merged, name)) for name in ("tab", *self.LIMITS)]
        return "/moderate/queue?" + urlencode([(k, v) for k, v in pairs if v])

    @property
    def filtered(self) -> bool:
        return any((self.thread, self.author, self.reason, self.q))


def _site_ids(session: Session, who: actors.Principal, slug: str) -> list[int] | None:
    if not slug:
        return who.visible_site_ids()
    site = get_site(session, slug)
    who.require("read", site.id)
    return [site.id]


def card_context(tab: str) -> dict[str, Any]:
    return {
        "tab": tab,
        "ban_kind_labels": BAN_KIND_LABELS,
        "ban_durations": BAN_DURATIONS,
    }


@moderate.get("/queue")
def queue_page() -> Response:
    who = auth.require("read")
    session = get_session()
    args = QueueArgs.from_request()
    site_ids = _site_ids(session, who, args.site)
    listing = queue.list_queue(
        session,
        queue.QueueFilter(
            site_ids=site_ids,
            status=args.tab,
            thread=args.thread or None,
            author=args.author or None,
            reason=args.reason or None,
            text=args.q or None,
        ),
        cursor=args.cursor or None,
        limit=PAGE_SIZE,
    )
    return page(
        "queue.html",
        args=args,
        tabs=TABS,
        counts=queue.queue_counts(session, site_ids),
        cards=card_details(session, listing.items),
        next_cursor=listing.next_cursor,
        sites=visible_sites(session, who),
        reason_codes=REASON_CODES,
        **card_context(args.tab),
    )


@moderate.get(f"/cards/<int(max={MAX_ID}):comment_id>")
def card_fragment(comment_id: int) -> Response:
    """One card, as the queue page draws it (the script swaps it in after an action)."""
    who = auth.require("read")
    session = get_session()
    comment = decisions.comment_for(session, who, comment_id, "read")
    tab = request.args.get("tab", "pending")
    if tab not in queue.QUEUE_STATUSES:
        tab = "pending"
    return page(
        "card.html",
        card=card_details(session, queue.cards(session, [comment]))[0],
        next_path=safe_next(request.args.get("next")),
        **card_context(tab),
    )


# -- actions on one comment ------------------------------------------------------------------


def _who(comment: Comment) -> str:
    name = comment.author_name.strip() or "a guest"
    return f"#{comment.id} by {name[:60]}"


@moderate.post(f"/comments/<int(max={MAX_ID}):comment_id>/decision")
def decide(comment_id: int) -> Response:
    who = auth.require("moderate")
    action = request.form.get("action", "")
    reason = text_field(request.form, "reason", max_chars=500)

    def run(session: Session) -> decisions.Outcome:
        comment = decisions.comment_for(session, who, comment_id)
        return decisions.decide(session, who, comment, action, reason=reason)

    outcome = act(run)
    if isinstance(outcome, ServiceError):
        return refused(outcome)
    return back(Notice(f"{DONE[action]}: comment {_who(outcome.comment)}.", outcome.batch))


@moderate.post(f"/comments/<int(max={MAX_ID}):comment_id>/edit")
def edit(comment_id: int) -> Response:
    who = auth.require("moderate")
    config = settings()
    body = request.form.get("body", "").replace("\r\n", "\n")  # browsers send CRLF
    note = text_field(request.form, "note", max_chars=500)

    def run(session: Session) -> decisions.Outcome:
        comment = decisions.comment_for(session, who, comment_id)
        return decisions.edit_comment(
            session,
            who,
            comment,
            body=body,
            note=note,
            max_body_chars=config.max_body_chars,
            sanitizer=config.sanitizer,
        )

    outcome = act(run)
    if isinstance(outcome, ServiceError):
        return refused(outcome)
    return back(Notice(f"Edited comment {_who(outcome.comment)}.", outcome.batch))


@moderate.post(f"/comments/<int(max={MAX_ID}):comment_id>/pin")
def pin(comment_id: int) -> Response:
    who = auth.require("moderate")
    config = settings()
    pinned = flag(request.form, "pinned")

    def run(session: Session) -> decisions.Outcome:
        comment = decisions.comment_for(session, who, comment_id)
        return decisions.edit_comment(
            session,
            who,
            comment,
            pinned=pinned,
            max_body_chars=config.max_body_chars,
            sanitizer=config.sanitizer,
        )

    outcome = act(run)
    if isinstance(outcome, ServiceError):
        return refused(outcome)
    verb = "Pinned" if pinned else "Unpinned"
    return back(Notice(f"{verb} comment {_who(outcome.comment)}.", outcome.batch))


@moderate.post(f"/comments/<int(max={MAX_ID}):comment_id>/trust")
def trust(comment_id: int) -> Response:
    who = auth.require("moderate")
    trusted = flag(request.form, "trusted")

    def run(session: Session) -> tuple[Comment, str]:
        comment = decisions.comment_for(session, who, comment_id)
        return comment, decisions.set_trust(session, who, comment, trusted=trusted)

    result = act(run)
    if isinstance(result, ServiceError):
        return refused(result)
    comment, batch = result
    verb = "Trusting" if trusted else "No longer trusting"
    return back(Notice(f"{verb} the author of comment {_who(comment)}.", batch))


def _ban_options() -> dict[str, Any]:
    form = request.form
    kind = form.get("kind", "")
    if kind not in BAN_KIND_LABELS:
        raise ValidationFailed.on("kind", "Choose what to ban the author by.")
    days = int_field(form, "duration_days", low=1, high=36_500)
    return {
        "kind": kind,
        "duration": timedelta(days=days) if days else None,
        "reason": text_field(form, "reason", max_chars=500),
        "shadow": flag(form, "shadow"),
        "reject_pending": flag(form, "reject_pending"),
    }


def _ban_notice(count: int, rejected: int, batch: str) -> Notice:
    authors = "the author" if count == 1 else f"{count} authors"
    text = f"Banned {authors}"
    if rejected:
        text += f" and rejected {rejected} pending comment{'s' if rejected != 1 else ''}"
    return Notice(text + ".", batch)


@moderate.post(f"/comments/<int(max={MAX_ID}):comment_id>/ban")
def ban(comment_id: int) -> Response:
    who = auth.require("moderate")
    try:
        options = _ban_options()
    except ServiceError as error:
        return refused(error)

    def run(session: Session) -> bans.BanCreated:
        comment = decisions.comment_for(session, who, comment_id)
        return bans.create_ban(session, who, comment=comment, **options)

    created = act(run)
    if isinstance(created, ServiceError):
        return refused(created)
    return back(_ban_notice(1, len(created.rejected_ids), created.batch))


@moderate.post(f"/threads/<int(max={MAX_ID}):thread_id>")
def thread(thread_id: int) -> Response:
    who = auth.require("moderate")
    form = request.form
    options: dict[str, Any] = {}
    if "locked" in form:
        options["locked"] = flag(form, "locked")
    if "moderation" in form:
        if form["moderation"] not in ("pre", "site"):
            return refused(ValidationFailed.on("moderation", "Use pre or site."))
        options["moderation"] = "pre" if form["moderation"] == "pre" else None
    if "title" in form:
        options["title"] = form["title"]
    if "url" in form:
        options["url"] = form["url"]
    result = act(lambda session: decisions.update_thread(session, who, thread_id, **options))
    if isinstance(result, ServiceError):
        return refused(result)
    changed, batch = result
    state = "locked" if changed.locked else "open"
    mode = "pre-moderated" if changed.moderation == "pre" else "following the site's mode"
    title = changed.title.strip() or changed.key
    if "title" in options or "url" in options:
        return back(Notice(f"The thread is now “{title[:80]}” at {changed.url[:200]}.", batch))
    return back(Notice(f"The thread “{title[:80]}” is {state}, {mode}.", batch))


# -- many comments at once -------------------------------------------------------------------


@moderate.post("/bulk")
def bulk() -> Response:
    who = auth.require("moderate")
    form = request.form
    action = form.get("action", "")
    try:
        ids = [int(i) for i in form.getlist("ids")]
    except ValueError:
        ids = [0]
    if any(not 1 <= i <= MAX_ID for i in ids):
        return refused(ValidationFailed.on("ids", "Those are not comment ids."))
    if not ids:
        return refused(ValidationFailed.on("ids", "Select at least one comment first."))
    if action == "ban":
        try:
            options = _ban_options()
        except ServiceError as error:
            return refused(error)
        banned = act(lambda session: ban_authors(session, who, ids, **options))
        if isinstance(banned, ServiceError):
            return refused(banned)
        ok = [r for r in banned.results if r["ok"] and r.get("ban_id")]
        notice = _ban_notice(len(ok), 0, banned.batch)
        failed = [r for r in banned.results if not r["ok"]]
        if failed:
            notice = Notice(
                notice.text + f" {len(failed)} could not be banned that way: "
                f"{failed[0]['error']['message']}",
                banned.batch,
            )
        return back(notice)
    if action not in DONE and action not in BULK_TARGETS:
        return refused(
            ValidationFailed.on(
                "action",
                "Use approve, reject, spam, ban, lock_thread, premoderate_thread or trust_author.",
            )
        )
    reason = text_field(form, "reason", max_chars=500)
    result = act(lambda session: decisions.bulk_action(session, who, ids, action, reason=reason))
    if isinstance(result, ServiceError):
        return refused(result)
    if action in BULK_TARGETS:
        changed = any(r["ok"] and not r.get("skipped") for r in result.results)
        text = _bulk_target_text(action, result.results)
        return back(Notice(text, result.batch if changed else None))
    done = sum(1 for r in result.results if r["ok"])
    text = f"{DONE[action]}: {done} comment{'s' if done != 1 else ''}."
    failed = [r for r in result.results if not r["ok"]]
    if failed:
        text += f" {len(failed)} failed: {failed[0]['error']['message']}"
    return back(Notice(text, result.batch))


def _bulk_target_text(action: str, results: list[dict[str, Any]]) -> str:
    """What happened, e.g. "Locked 1 thread. Skipped 2: 2 on a thread already handled."."""
    changed = sum(1 for r in results if r["ok"] and not r.get("skipped"))
    text = BULK_TARGETS[action].format(n=changed, s="s" if changed != 1 else "")
    skipped = [r["skipped"] for r in results if r.get("skipped")]
    if skipped:
        by_reason: dict[str, int] = {}
        for item in skipped:
            by_reason[item["code"]] = by_reason.get(item["code"], 0) + 1
        parts = [f"{count} {SKIP_LABELS.get(code, code)}" for code, count in by_reason.items()]
        text += f" Skipped {len(skipped)}: " + ", ".join(parts) + "."
    failed = [r for r in results if not r["ok"] and not r.get("skipped")]
    if failed:
        text += f" {len(failed)} failed: {failed[0]['error']['message']}"
    return text


@moderate.post("/undo")
def undo() -> Response:
    who = auth.require("moderate")
    batch = text_field(request.form, "batch", max_chars=32, required=True)
    config = settings()
    result = act(
        lambda session: decisions.undo(
            session,
            who,
            batch,
            max_age=timedelta(seconds=config.moderation_undo_seconds),
            sanitizer=config.sanitizer,
            max_body_chars=config.max_body_chars,
        )
    )
    if isinstance(result, ServiceError):
        return refused(result)
    count = len(result.reverted)
    return back(Notice(f"Undone ({count} change{'s' if count != 1 else ''} reverted)."))


# -- bans ------------------------------------------------------------------------------------


@moderate.get("/bans")
def bans_page() -> Response:
    who = auth.require("read")
    session = get_session()
    sites = visible_sites(session, who)
    show_all = request.args.get("show") == "all"
    found = bans.list_bans(session, who.visible_site_ids(), active_only=not show_all, limit=200)
    return page(
        "bans.html",
        bans=[bans.ban_json(b) for b in found],
        show_all=show_all,
        sites=sites,
        site_slugs={s.id: s.slug for s in sites},
        ban_kind_labels=BAN_KIND_LABELS,
        ban_durations=BAN_DURATIONS,
    )


@moderate.post("/bans")
def add_ban() -> Response:
    who = auth.require("moderate")
    form = request.form
    try:
        options = _ban_options()
        value = text_field(form, "value", max_chars=254, required=True)
        slug = form.get("site", "")
    except ServiceError as error:
        return refused(error, "/moderate/bans")

    def run(session: Session) -> bans.BanCreated:
        site: Site | None = get_site(session, slug) if slug else None
        return bans.create_ban(session, who, site=site, value=value, **options)

    created = act(run)
    if isinstance(created, ServiceError):
        return refused(created, "/moderate/bans")
    return back(_ban_notice(1, len(created.rejected_ids), created.batch), "/moderate/bans")


@moderate.post(f"/bans/<int(max={MAX_ID}):ban_id>/lift")
def lift_ban(ban_id: int) -> Response:
    who = auth.require("moderate")
    batch = audit.new_batch()
    result = act(lambda session: bans.lift_ban(session, who, ban_id, batch=batch))
    if isinstance(result, ServiceError):
        return refused(result, "/moderate/bans")
    return back(Notice(f"Lifted ban #{ban_id}.", batch), "/moderate/bans")
