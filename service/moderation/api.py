"""The moderation and admin API: thin views over `service.moderation` and `service.moderation.auth`.

Every route here sits under /api/v1/moderation or /api/v1/admin, where `auth.init_app`'s guard
answers 401 before anything is parsed; each view then asks `auth.require` for its exact scope on
the site it touches (403 when short). Views parse, call one domain function and serialise.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Comment, Site, Thread
from service.comments.sites import get_site
from service.comments.verdicts import Verdict
from service.db import get_session, transactional
from service.http.api import api
from service.http.context import ip_hash, settings
from service.http.operations import json_response, operation
from service.kernel import actors, clock
from service.kernel.clock import isoformat
from service.kernel.errors import Forbidden, ValidationFailed
from service.kernel.inputs import parse_id, parse_instant
from service.moderation import accounts, audit, auth, bans, decisions, queue
from service.moderation.dry_run import DRY_RUN_DAYS, dry_run
from service.moderation.rules import Rules, rules_for
from service.moderation.schemas import (
    AuditPageOut,
    AuditQuery,
    BanCreatedOut,
    BanIn,
    BanLiftedOut,
    BansOut,
    BansQuery,
    BulkDecisionIn,
    BulkDecisionOut,
    CommentPatchIn,
    CommentPatchOut,
    CountsOut,
    DecisionIn,
    DecisionOut,
    DryRunOut,
    LoginIn,
    QueuePageOut,
    QueueQuery,
    RulesOut,
    SessionOut,
    SiteFilterQuery,
    ThreadPatchIn,
    ThreadPatchOut,
    TrustIn,
    UndoIn,
    UndoneOut,
    UndoTicketOut,
)

TAGS = ["moderation"]
ADMIN_TAGS = ["admin"]
AUTH = ["bearerToken", "moderatorSession"]
AUTH_ERRORS = ["unauthorized", "forbidden"]


# -- serialisation ---------------------------------------------------------------------------


def moderation_comment_json(
    comment: Comment, site_slug: str, quote: str | None = None
) -> dict[str, Any]:
    """A comment as moderators see it: status, email, IP hash and source included."""
    return {
        "id": comment.id,
        "site": site_slug,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "status": comment.status,
        "author": {
            "name": comment.author_name,
            "email": comment.author_email,
            "website": comment.author_website,
            "avatar": comment.author_key,
            "verified": comment.identity_key is not None,
            "identity_key": comment.identity_key,
        },
        "ip_hash": comment.ip_hash,
        "html": comment.body_html,
        "body_source": comment.body_source,
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
        "edited_by_moderator": comment.edited_by_moderator,
        "pinned": comment.pinned,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "report_count": comment.report_count,
        "quote": quote,
    }


def _comment_json(session: Session, comment: Comment) -> dict[str, Any]:
    site = session.get_one(Site, comment.site_id)
    return moderation_comment_json(comment, site.slug)


def thread_json(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "key": thread.key,
        "url": thread.url,
        "title": thread.title,
        "locked": thread.locked,
        "moderation": thread.moderation,
        "settled": thread.settled_at is not None,
    }


def queue_item_json(item: queue.QueueItem) -> dict[str, Any]:
    comment = item.comment
    return {
        "comment": moderation_comment_json(
            comment, item.site.slug, item.anchor.exact if item.anchor else None
        ),
        "reasons": [
            {
                "code": r.get("code", ""),
                "message": r.get("message", ""),
                "verdict": r.get("verdict"),
            }
            for r in comment.moderation_reasons or []
        ],
        "spam_score": comment.spam_score,
        "reports": [
            {
                "id": r.id,
                "reason": r.reason,
                "note": r.note,
                "created_at": isoformat(r.created_at),
            }
            for r in item.reports
        ],
        "thread": thread_json(item.thread),
        "parent": {
            "id": item.parent.id,
            "author_name": item.parent.author_name,
            "html": item.parent.body_html,
            "status": item.parent.status,
        }
        if item.parent
        else None,
        "author_history": item.history,
    }


def _undo(batch: str) -> dict[str, Any]:
    expires = clock.now() + timedelta(seconds=settings().moderation_undo_seconds)
    return {"batch": batch, "expires_at": isoformat(expires)}


def _verdict_json(verdict: Verdict | None) -> dict[str, str] | None:
    if verdict is None:
        return None
    return {"action": verdict.action, "code": verdict.code.value, "message": verdict.message}


def _site_ids(principal: actors.Principal, slug: str | None) -> list[int] | None:
    """The sites a listing covers: the named one (if allowed) or all the caller's."""
    if slug is None:
        return principal.visible_site_ids()
    site = get_site(get_session(), slug)
    principal.require("read", site.id)
    return [site.id]


def _parse_time(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    parsed = parse_instant(value)
    if parsed is None:
        raise ValidationFailed.on(field, "Use an ISO 8601 date or time.")
    return parsed


def _int_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    before_id = parse_id(cursor)
    if before_id is None:
        raise ValidationFailed.on("cursor", "The cursor is not valid.")
    return before_id


# -- session ---------------------------------------------------------------------------------


def principal_json(principal: actors.Principal) -> dict[str, Any]:
    session = get_session()
    sites = None
    if principal.site_ids is not None:
        sites = sorted(session.scalars(select(Site.slug).where(Site.id.in_(principal.site_ids))))
    return {
        "kind": principal.kind,
        "id": principal.id,
        "label": principal.label,
        "scope": principal.scope,
        "role": principal.role,
        "sites": sites,
        "csrf_token": principal.csrf_token,
    }


@operation(
    api,
    "POST",
    "/moderation/session",
    summary="Log in as a moderator (sets the session cookie; answers the CSRF token)",
    tags=TAGS,
    body=LoginIn,
    responses={200: SessionOut},
    errors=["unauthorized", "rate_limited", "unsupported_media_type"],
)
@auth.public
@transactional
def login(body: LoginIn) -> Response:
    logged_in = auth.login(get_session(), body.username, body.password, client_key=ip_hash())
    principal = accounts.principal_for_session(get_session(), logged_in.session_token)
    assert principal is not None  # just created
    response = json_response(
        {"principal": principal_json(principal), "expires_at": isoformat(logged_in.expires_at)}
    )
    return auth.set_session_cookie(response, logged_in)


@operation(
    api,
    "GET",
    "/moderation/session",
    summary="Who the credentials belong to, their scope and sites (and the CSRF token)",
    tags=TAGS,
    responses={200: SessionOut},
    errors=AUTH_ERRORS,
    auth=AUTH,
)
def whoami() -> Response:
    response = json_response({"principal": principal_json(auth.require("read"))})
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "DELETE",
    "/moderation/session",
    summary="Log out (ends the session and clears its cookie)",
    tags=TAGS,
    responses={204: None},
    errors=AUTH_ERRORS,
    auth=["moderatorSession"],
)
@transactional
def logout() -> Response:
    principal = auth.require("read")
    if principal.kind != "moderator":
        raise Forbidden("Only a UI session can log out; revoke a token instead.")
    accounts.logout(get_session(), request.cookies.get(auth.SESSION_COOKIE))
    return auth.clear_session_cookie(Response(status=204))


# -- queue -----------------------------------------------------------------------------------


@operation(
    api,
    "GET",
    "/moderation/queue",
    summary="The moderation queue: one tab, filtered, newest first, cursor-paged",
    tags=TAGS,
    query=QueueQuery,
    responses={200: QueuePageOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def moderation_queue(query: QueueQuery) -> Response:
    principal = auth.require("read")
    page = queue.list_queue(
        get_session(),
        queue.QueueFilter(
            site_ids=_site_ids(principal, query.site),
            status=query.status,
            thread=query.thread,
            author=query.author,
            reason=query.reason,
            text=query.q,
        ),
        cursor=query.cursor,
        limit=query.limit,
    )
    response = json_response(
        {"items": [queue_item_json(i) for i in page.items], "next_cursor": page.next_cursor}
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "GET",
    "/moderation/counts",
    summary="How many comments each queue tab holds",
    tags=TAGS,
    query=SiteFilterQuery,
    responses={200: CountsOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def moderation_counts(query: SiteFilterQuery) -> Response:
    principal = auth.require("read")
    counts = queue.queue_counts(get_session(), _site_ids(principal, query.site))
    response = json_response({"counts": counts})
    response.headers["Cache-Control"] = "no-store"
    return response


# -- decisions -------------------------------------------------------------------------------


@operation(
    api,
    "POST",
    "/moderation/comments/{comment_id}/decision",
    summary="Approve, reject or mark one comment as spam",
    tags=TAGS,
    body=DecisionIn,
    responses={200: DecisionOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def decide_comment(comment_id: int, body: DecisionIn) -> Response:
    principal = auth.require("moderate")
    session = get_session()
    comment = decisions.comment_for(session, principal, comment_id)
    outcome = decisions.decide(session, principal, comment, body.action, reason=body.reason)
    return json_response(
        {
            "comment": _comment_json(session, outcome.comment),
            "previous_status": outcome.previous_status,
            "undo": _undo(outcome.batch),
        }
    )


@operation(
    api,
    "POST",
    "/moderation/decisions",
    summary="The same decision on many comments, or lock/pre-moderate their threads or trust "
    "their authors (each answered on its own; one undo)",
    tags=TAGS,
    body=BulkDecisionIn,
    responses={200: BulkDecisionOut},
    errors=[*AUTH_ERRORS, "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def decide_comments(body: BulkDecisionIn) -> Response:
    principal = auth.require("moderate")
    result = decisions.bulk_action(
        get_session(), principal, body.ids, body.action, reason=body.reason
    )
    return json_response({"results": result.results, "undo": _undo(result.batch)})


@operation(
    api,
    "PATCH",
    "/moderation/comments/{comment_id}",
    summary="Edit a comment as a moderator (marked as such) and/or pin it",
    tags=TAGS,
    body=CommentPatchIn,
    responses={200: CommentPatchOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def patch_comment(comment_id: int, body: CommentPatchIn) -> Response:
    principal = auth.require("moderate")
    session = get_session()
    config = settings()
    comment = decisions.comment_for(session, principal, comment_id)
    outcome = decisions.edit_comment(
        session,
        principal,
        comment,
        body=body.body,
        pinned=body.pinned,
        note=body.note,
        max_body_chars=config.max_body_chars,
        sanitizer=config.sanitizer,
    )
    return json_response(
        {"comment": _comment_json(session, outcome.comment), "undo": _undo(outcome.batch)}
    )


@operation(
    api,
    "POST",
    "/moderation/comments/{comment_id}/trust",
    summary="Trust (or stop trusting) the verified author of a comment on its site",
    tags=TAGS,
    body=TrustIn,
    responses={200: UndoTicketOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def trust_author(comment_id: int, body: TrustIn) -> Response:
    principal = auth.require("moderate")
    session = get_session()
    comment = decisions.comment_for(session, principal, comment_id)
    batch = decisions.set_trust(session, principal, comment, trusted=body.trusted)
    return json_response({"undo": _undo(batch)})


@operation(
    api,
    "PATCH",
    "/moderation/threads/{thread_id}",
    summary="Lock or unlock a thread, pre-moderate it, or correct its title and page URL",
    tags=TAGS,
    body=ThreadPatchIn,
    responses={200: ThreadPatchOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def patch_thread(thread_id: int, body: ThreadPatchIn) -> Response:
    principal = auth.require("moderate")
    options: dict[str, Any] = {
        "locked": body.locked,
        "title": body.title,
        "url": body.url,
        "reason": body.reason,
    }
    if body.moderation is not None:
        options["moderation"] = None if body.moderation == "site" else body.moderation
    thread, batch = decisions.update_thread(get_session(), principal, thread_id, **options)
    return json_response({"thread": thread_json(thread), "undo": _undo(batch)})


@operation(
    api,
    "POST",
    "/moderation/undo",
    summary="Revert a recent action (its undo batch), within SIDENOTE_MODERATION_UNDO_SECONDS",
    tags=TAGS,
    body=UndoIn,
    responses={200: UndoneOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def undo(body: UndoIn) -> Response:
    principal = auth.require("moderate")
    config = settings()
    undone = decisions.undo(
        get_session(),
        principal,
        body.batch,
        max_age=timedelta(seconds=config.moderation_undo_seconds),
        sanitizer=config.sanitizer,
        max_body_chars=config.max_body_chars,
    )
    return json_response({"reverted": len(undone.reverted), "batch": undone.batch})


# -- audit -----------------------------------------------------------------------------------

AUDIT_CSV_MAX_ROWS = 10_000


def _audit_filter(principal: actors.Principal, query: AuditQuery) -> audit.AuditFilter:
    return audit.AuditFilter(
        site_ids=_site_ids(principal, query.site),
        action=query.action,
        actor=query.actor,
        target_kind=query.target_kind,
        target_id=query.target_id,
        since=_parse_time(query.since, "since"),
        until=_parse_time(query.until, "until"),
    )


@operation(
    api,
    "GET",
    "/moderation/audit",
    summary="The audit log, newest first (filter by site, action, actor, target, time)",
    tags=TAGS,
    query=AuditQuery,
    responses={200: AuditPageOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def audit_log(query: AuditQuery) -> Response:
    principal = auth.require("read")
    entries = audit.query_entries(
        get_session(),
        _audit_filter(principal, query),
        before_id=_int_cursor(query.cursor),
        limit=query.limit + 1,
    )
    more = len(entries) > query.limit
    entries = entries[: query.limit]
    response = json_response(
        {
            "entries": [audit.entry_json(e) for e in entries],
            "next_cursor": str(entries[-1].id) if more else None,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "GET",
    "/moderation/audit.csv",
    summary="The audit log as CSV (same filters; at most 10,000 rows)",
    tags=TAGS,
    query=AuditQuery,
    responses={200: "text/csv"},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def audit_csv(query: AuditQuery) -> Response:
    principal = auth.require("read")
    entries = audit.query_entries(
        get_session(),
        _audit_filter(principal, query),
        before_id=_int_cursor(query.cursor),
        limit=AUDIT_CSV_MAX_ROWS,
    )
    response = Response(audit.entries_csv(entries), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="sidenote-audit.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


# -- rules -----------------------------------------------------------------------------------


@operation(
    api,
    "GET",
    "/moderation/sites/{site}/rules",
    summary="A site's moderation rules",
    tags=TAGS,
    responses={200: RulesOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def get_rules(site: str) -> Response:
    principal = auth.require("read")
    found = get_site(get_session(), site)
    principal.require("read", found.id)
    return json_response({"site": found.slug, "rules": rules_for(found).model_dump()})


@operation(
    api,
    "PUT",
    "/moderation/sites/{site}/rules",
    summary="Replace a site's moderation rules (admin scope on the site)",
    tags=TAGS,
    body=Rules,
    responses={200: RulesOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def put_rules(site: str, body: Rules) -> Response:
    principal = auth.require("admin")
    session = get_session()
    found = get_site(session, site)
    rules = decisions.change_rules(session, principal, found, body)
    return json_response({"site": found.slug, "rules": rules.model_dump()})


@operation(
    api,
    "POST",
    "/moderation/sites/{site}/rules/dry-run",
    summary="Which of the last 30 days of comments these rules would reject, hold or mark as "
    "spam, compared with the current rules (nothing is saved)",
    tags=TAGS,
    body=Rules,
    responses={200: DryRunOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
def rules_dry_run(site: str, body: Rules) -> Response:
    principal = auth.require("moderate")
    session = get_session()
    found = get_site(session, site)
    principal.require("moderate", found.id)
    result = dry_run(session, found, body)
    return json_response(
        {
            "days": DRY_RUN_DAYS,
            "scanned": result.scanned,
            "rejected": result.rejected,
            "held": result.held,
            "spam": result.spam,
            "changed": result.changed,
            "released": result.released,
            "refused": result.refused,
            "items": [
                {
                    "comment": moderation_comment_json(item.comment, found.slug),
                    "verdict": _verdict_json(item.verdict),
                    "current": _verdict_json(item.current),
                    "reasons": [_verdict_json(v) for v in item.reasons],
                    "changed": item.changed,
                }
                for item in result.items
            ],
            "released_items": [
                {
                    "comment": moderation_comment_json(item.comment, found.slug),
                    "current": _verdict_json(item.current),
                }
                for item in result.released_items
            ],
            "rules": [
                {"rule": r.rule, "replayed": r.replayed, "changed": r.changed, "note": r.note}
                for r in result.rules
            ],
        }
    )


# -- bans ------------------------------------------------------------------------------------


@operation(
    api,
    "GET",
    "/moderation/bans",
    summary="Bans, newest first (active ones unless active=false)",
    tags=TAGS,
    query=BansQuery,
    responses={200: BansOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def list_bans(query: BansQuery) -> Response:
    principal = auth.require("read")
    found = bans.list_bans(
        get_session(),
        _site_ids(principal, query.site),
        active_only=query.active,
        before_id=_int_cursor(query.cursor),
        limit=query.limit + 1,
    )
    more = len(found) > query.limit
    found = found[: query.limit]
    return json_response(
        {
            "bans": [bans.ban_json(b) for b in found],
            "next_cursor": str(found[-1].id) if more else None,
        }
    )


@operation(
    api,
    "POST",
    "/moderation/bans",
    summary="Ban a comment's author (or a value) by email, IP hash, voter id or identity",
    tags=TAGS,
    body=BanIn,
    responses={201: BanCreatedOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def create_ban(body: BanIn) -> Response:
    principal = auth.require("moderate")
    session = get_session()
    site = get_site(session, body.site) if body.site else None
    comment = (
        decisions.comment_for(session, principal, body.comment_id) if body.comment_id else None
    )
    created = bans.create_ban(
        session,
        principal,
        kind=body.kind,
        site=site,
        comment=comment,
        value=body.value,
        duration=timedelta(days=body.duration_days) if body.duration_days else None,
        reason=body.reason,
        shadow=body.shadow,
        reject_pending=body.reject_pending,
    )
    return json_response(
        {
            "ban": bans.ban_json(created.ban),
            "rejected_ids": created.rejected_ids,
            "undo": _undo(created.batch),
        },
        201,
    )


@operation(
    api,
    "DELETE",
    "/moderation/bans/{ban_id}",
    summary="Lift a ban",
    tags=TAGS,
    responses={200: BanLiftedOut},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
@transactional
def lift_ban(ban_id: int) -> Response:
    principal = auth.require("moderate")
    batch = audit.new_batch()
    ban = bans.lift_ban(get_session(), principal, ban_id, batch=batch)
    return json_response({"ban": bans.ban_json(ban), "undo": _undo(batch)})


# -- admin: tokens and moderators ------------------------------------------------------------
