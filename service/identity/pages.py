"""Server pages of the identity part: a guest's address verification and a reader's data page.

Like the pages behind the notifications' mail links (and with their `page()` helper: no
scripts, a strict CSP, `no-referrer`, `no-store`, `noindex`): a GET only shows, a POST acts, and
the token in the URL is the credential.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Blueprint, Response, request, url_for

from service.comments.models import CommentStatus, Thread
from service.db import get_session, transactional
from service.identity import guests
from service.kernel.clock import isoformat
from service.kernel.errors import ServiceError
from service.kernel.inputs import parse_id
from service.notifications import links
from service.notifications.pages import invalid_link, page, t
from service.privacy import reader_data as data

identity_pages = Blueprint("identity", __name__)

#: Comments listed on a data page (the download has them all).
LISTED = 200


@identity_pages.get("/verify/<token>")
def verify_page(token: str) -> Response:
    session = get_session()
    verification = guests.verification_for_token(session, token)
    if verification is None:
        return invalid_link()
    held = []
    for comment in guests.held_comments(session, verification.site.id, verification.address):
        thread = session.get_one(Thread, comment.thread_id)
        held.append(
            {"meta": t("me.on", thread=thread.title or thread.key), "text": comment.body_source}
        )
    return page(
        "identity/verify.html",
        title=t("page.verify_title"),
        text=t(
            "page.verify_text",
            address=verification.address.address,
            site=verification.site.name,
        ),
        held=held,
        name=request.args.get("name", "")[:100],
        action=request.script_root + request.path,
    )


@identity_pages.post("/verify/<token>")
@transactional
def verify(token: str) -> Response:
    session = get_session()
    verification = guests.verification_for_token(session, token)
    if verification is None:
        return invalid_link()
    name = request.form.get("name", "")
    try:
        name = data.clean_name(name) if name.strip() else ""
    except ServiceError:
        name = ""
    verified = guests.confirm(session, verification, name)
    return page(
        "notifications/message.html",
        title=t("page.verified_title"),
        text=t("page.verified_text", site=verification.site.name),
        return_link=verified.return_link,
    )


def _status_label(status: str) -> str:
    if status == CommentStatus.APPROVED:
        return ""
    return t("me.status_pending") if status == CommentStatus.PENDING else t("me.status_hidden")


@identity_pages.get("/me/<token>")
def data_page(token: str) -> Response:
    session = get_session()
    subject = data.subject_for_token(session, token)
    if subject is None:
        return invalid_link()
    name = data.display_name(session, subject)
    comments = [
        {
            "id": comment.id,
            "on": t("me.on", thread=thread.title or thread.key),
            "url": links.comment_url(thread.url, comment.id) if comment.is_visible else "",
            "when": (isoformat(comment.created_at) or "")[:10],
            "status": _status_label(comment.status),
            "text": comment.body_source,
        }
        for comment, thread, _site in data.comments_of(session, subject, limit=LISTED)
    ]
    subscriptions = []
    for subscription, thread, _site in data.subscriptions_of(session, subject):
        title = (thread.title or thread.key) if thread else ""
        host = urlsplit(thread.url).netloc if thread else ""
        label = t(f"page.kind_{subscription.kind}", thread=title)
        subscriptions.append(f"{label} ({host})" if host else label)
    address = data.subscription_address(session, subject)
    intro = (
        t("me.intro_email", address=subject.address.address)
        if subject.address is not None
        else t("me.intro_identity", name=name or t("mail.anonymous"))
    )
    return page(
        "identity/me.html",
        title=t("me.title"),
        intro=intro,
        name=name,
        comments=comments,
        subscriptions=subscriptions,
        manage_link=url_for(
            "notifications.manage_page", token=links.of(session).manage_token(address)
        )
        if address is not None and subject.address is not None
        else "",
        export_link=url_for(".data_export", token=token),
        action=request.script_root + request.path,
    )


@identity_pages.post("/me/<token>")
@transactional
def data_action(token: str) -> Response:
    session = get_session()
    subject = data.subject_for_token(session, token)
    if subject is None:
        return invalid_link()
    action = request.form.get("action", "")
    try:
        if action == "rename":
            data.rename(session, subject, request.form.get("name", ""))
        elif action == "delete" and (comment_id := parse_id(request.form.get("comment"))):
            data.delete_comment(session, subject, comment_id)
        elif action == "delete_all":
            data.delete_all(session, subject)
    except ServiceError:
        pass  # a stale form (the comment is gone, an empty name): show the page as it is
    response = Response(status=303, headers={"Location": request.path})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@identity_pages.get("/me/<token>/export.json")
def data_export(token: str) -> Response:
    session = get_session()
    subject = data.subject_for_token(session, token)
    if subject is None:
        return invalid_link()
    return export_response(data.export(session, subject))


def export_response(document: dict[str, object]) -> Response:
    response = Response(
        json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = 'attachment; filename="sidenote-my-data.json"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
