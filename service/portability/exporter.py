"""Sidenote's own export: everything a site holds, in a versioned format others can read.

The format is documented by `docs/export.schema.json` (JSON Schema) and `docs/migrating.md`.
Two shapes carry the same records:

- `json`: one document `{format, version, exported_at, includes_emails, site, threads: [{…,
  comments: […]}], moderation_log: […], subscriptions: […]}`;
- `jsonl`: one record per line, each with a `type` (`meta` first, then each `thread` followed by
  its `comment`s, then `moderation_log` and `subscription` lines).

Both are produced as a stream of text chunks, one page at a time, so exporting a large site
needs no more memory than its largest page. IP hashes, edit tokens and link nonces are never
exported; emails are left out on request. `import sidenote` reads either shape back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.models import Comment, CommentAnchor, Report, Site, Thread, Vote
from service.comments.sites import get_site
from service.kernel import clock
from service.kernel.clock import isoformat
from service.moderation.audit import entry_json
from service.moderation.models import AuditEntry
from service.notifications.models import EmailAddress, Subscription
from service.portability.models import ImportedComment

EXPORT_FORMAT = "sidenote-export"
EXPORT_VERSION = 1
ExportShape = Literal["json", "jsonl"]


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def site_json(site: Site) -> dict[str, Any]:
    return {
        "slug": site.slug,
        "name": site.name,
        "origins": list(site.origins),
        "moderation": site.moderation,
        "edit_window_seconds": site.edit_window_seconds,
        "max_depth": site.max_depth,
        "settings": site.settings,
        "created_at": isoformat(site.created_at),
    }


def thread_json(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "key": thread.key,
        "url": thread.url,
        "title": thread.title,
        "locked": thread.locked,
        "moderation": thread.moderation,
        "approved_count": thread.approved_count,
        "created_at": isoformat(thread.created_at),
    }


def anchor_json(anchor: CommentAnchor) -> dict[str, Any]:
    return {
        "kind": anchor.kind,
        "norm": anchor.norm,
        "exact": anchor.exact,
        "exact_end": anchor.exact_end,
        "quote_len": anchor.quote_len,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "pos_start": anchor.pos_start,
        "pos_end": anchor.pos_end,
        "doc_len": anchor.doc_len,
        "doc_fp": anchor.doc_fp,
        "scope_id": anchor.scope_id,
        "passage_key": anchor.passage_key,
        "passage_question": anchor.passage_question,
    }


def comment_json(
    comment: Comment,
    *,
    include_emails: bool,
    anchor: CommentAnchor | None = None,
    votes: list[Vote] | None = None,
    reports: list[Report] | None = None,
    origins: list[ImportedComment] | None = None,
) -> dict[str, Any]:
    return {
        "id": comment.id,
        "thread_id": comment.thread_id,
        "parent_id": comment.parent_id,
        "created_at": isoformat(comment.created_at),
        "edited_at": isoformat(comment.edited_at),
        "edited_by_moderator": comment.edited_by_moderator,
        "status": comment.status,
        "status_changed_at": isoformat(comment.status_changed_at),
        "author": {
            "name": comment.author_name,
            "email": comment.author_email if include_emails else None,
            "website": comment.author_website,
            "identity_key": comment.identity_key,
            "key": comment.author_key,
        },
        "body_source": comment.body_source,
        "body_html": comment.body_html,
        "pinned": comment.pinned,
        "upvotes": comment.upvotes,
        "downvotes": comment.downvotes,
        "spam_score": comment.spam_score,
        "moderation_reasons": comment.moderation_reasons,
        "report_count": comment.report_count,
        "anchor": anchor_json(anchor) if anchor is not None else None,
        "votes": [
            {"voter_key": v.voter_key, "value": v.value, "created_at": isoformat(v.created_at)}
            for v in votes or []
        ],
        "reports": [
            {
                "reporter_key": r.reporter_key,
                "reason": r.reason,
                "note": r.note,
                "created_at": isoformat(r.created_at),
                "resolved_at": isoformat(r.resolved_at),
            }
            for r in reports or []
        ],
        "imported_from": [
            {"source": o.source, "source_id": o.source_id}
            | ({"installation": o.installation} if o.installation else {})
            for o in origins or []
            if o.source != "sidenote"
        ],
    }


def _by_comment(rows: Any) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row.comment_id].append(row)
    return grouped


def thread_comments(
    session: Session, thread: Thread, *, include_emails: bool
) -> list[dict[str, Any]]:
    """The page's comments, parents before replies (path order), with what hangs off them."""
    in_thread = select(Comment.id).where(Comment.thread_id == thread.id)
    anchors = {
        a.comment_id: a
        for a in session.scalars(select(CommentAnchor).where(CommentAnchor.thread_id == thread.id))
    }
    votes = _by_comment(
        session.scalars(
            select(Vote).where(Vote.comment_id.in_(in_thread)).order_by(Vote.comment_id, Vote.id)
        )
    )
    reports = _by_comment(
        session.scalars(
            select(Report)
            .where(Report.comment_id.in_(in_thread))
            .order_by(Report.comment_id, Report.id)
        )
    )
    origins = _by_comment(
        session.scalars(
            select(ImportedComment)
            .where(ImportedComment.comment_id.in_(in_thread))
            .order_by(ImportedComment.comment_id, ImportedComment.id)
        )
    )
    comments = session.scalars(
        select(Comment).where(Comment.thread_id == thread.id).order_by(Comment.path, Comment.id)
    )
    return [
        comment_json(
            comment,
            include_emails=include_emails,
            anchor=anchors.get(comment.id),
            votes=votes.get(comment.id),
            reports=reports.get(comment.id),
            origins=origins.get(comment.id),
        )
        for comment in comments
    ]


def moderation_log(session: Session, site: Site) -> Iterator[dict[str, Any]]:
    """The site's audit log, oldest first (moderators' actions and settings changes)."""
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.site_id == site.id)
        .order_by(AuditEntry.id)
        .execution_options(yield_per=500)
    )
    for entry in rows:
        yield entry_json(entry)


def subscriptions(
    session: Session, site: Site, *, include_emails: bool
) -> Iterator[dict[str, Any]]:
    """Readers' and moderators' subscriptions of the site (never their link nonces)."""
    rows = session.execute(
        select(Subscription, EmailAddress.address, Thread.key)
        .join(EmailAddress, EmailAddress.id == Subscription.email_id)
        .outerjoin(Thread, Thread.id == Subscription.thread_id)
        .where(Subscription.site_id == site.id)
        .order_by(Subscription.id)
    )
    for subscription, address, thread_key in rows:
        yield {
            "id": subscription.id,
            "kind": subscription.kind,
            "email": address if include_emails else None,
            "thread_key": thread_key,
            "comment_id": subscription.comment_id,
            "frequency": subscription.frequency,
            "locale": subscription.locale,
            "confirmed_at": isoformat(subscription.confirmed_at),
            "created_at": isoformat(subscription.created_at),
        }


def meta_json(site: Site, *, include_emails: bool) -> dict[str, Any]:
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": isoformat(clock.now()),
        "includes_emails": include_emails,
        "site": site_json(site),
    }


def export_site(
    session: Session, slug: str, *, shape: ExportShape = "json", include_emails: bool = True
) -> Iterator[str]:
    """The site's export as text chunks. Raises NotFound for an unknown site before any chunk."""
    site = get_site(session, slug)
    return _export(session, site, shape=shape, include_emails=include_emails)


def _export(
    session: Session, site: Site, *, shape: ExportShape, include_emails: bool
) -> Iterator[str]:
    meta = meta_json(site, include_emails=include_emails)
    threads = list(
        session.scalars(select(Thread).where(Thread.site_id == site.id).order_by(Thread.id))
    )
    if shape == "jsonl":
        yield _dumps({"type": "meta", **meta}) + "\n"
        for thread in threads:
            yield _dumps({"type": "thread", **thread_json(thread)}) + "\n"
            for comment in thread_comments(session, thread, include_emails=include_emails):
                yield _dumps({"type": "comment", **comment}) + "\n"
        for entry in moderation_log(session, site):
            yield _dumps({"type": "moderation_log", **entry}) + "\n"
        for subscription in subscriptions(session, site, include_emails=include_emails):
            yield _dumps({"type": "subscription", **subscription}) + "\n"
        return
    yield _dumps(meta)[:-1] + ',\n"threads":['
    for index, thread in enumerate(threads):
        document = thread_json(thread)
        document["comments"] = thread_comments(session, thread, include_emails=include_emails)
        yield ("\n" if index == 0 else ",\n") + _dumps(document)
    yield '\n],\n"moderation_log":['
    for index, entry in enumerate(moderation_log(session, site)):
        yield ("\n" if index == 0 else ",\n") + _dumps(entry)
    yield '\n],\n"subscriptions":['
    for index, subscription in enumerate(
        subscriptions(session, site, include_emails=include_emails)
    ):
        yield ("\n" if index == 0 else ",\n") + _dumps(subscription)
    yield "\n]}\n"
