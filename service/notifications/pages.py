"""The pages behind the links in mails. A GET only shows a page; only its button's POST acts.

Mail scanners fetch links to check them; if a GET confirmed or unsubscribed, they would. The one
exception to "a page first" is the RFC 8058 one-click unsubscribe, which mail clients POST
directly to the `List-Unsubscribe` URL. The token in the URL is the credential, so the pages set
`Referrer-Policy: no-referrer` and are never cached.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, render_template, request, url_for

from service.comments.models import Comment, CommentStatus, Site, Thread
from service.db import get_session, transactional
from service.http.i18n import request_locale
from service.identity.guests import sign_in_after_confirmation
from service.kernel.i18n import pick_locale, translate
from service.kernel.inputs import parse_id
from service.notifications import decide, links, subscriptions
from service.notifications.models import EmailAddress, Subscription

pages = Blueprint("notifications", __name__)

PAGE_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def page(template: str, status: int = 200, **context: Any) -> Response:
    """A private page (`action.html`, or another part's `identity/me.html`) with our headers."""
    locale = pick_locale(request_locale())
    name = template if "/" in template else f"notifications/{template}"
    response = Response(
        render_template(name, t=t, locale=locale, **context),
        status=status,
        mimetype="text/html",
    )
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def t(key: str, /, **params: object) -> str:
    return translate(pick_locale(request_locale()), key, **params)


def invalid_link() -> Response:
    return page("message.html", 404, title=t("page.invalid_title"), text=t("page.invalid_text"))


def _thread_title(thread_id: int | None) -> str:
    thread = get_session().get(Thread, thread_id) if thread_id else None
    return (thread.title or thread.key) if thread else ""


@pages.get("/subscriptions/confirm/<token>")
def confirm_page(token: str) -> Response:
    subscription = subscriptions.subscription_for_confirm_token(get_session(), token)
    if subscription is None:
        return invalid_link()
    return page(
        "action.html",
        title=t("page.confirm_title"),
        text=t("page.confirm_text", thread=_thread_title(subscription.thread_id)),
        action=request.script_root + request.path,
        button=t("page.confirm_button"),
    )


@pages.post("/subscriptions/confirm/<token>")
@transactional
def confirm(token: str) -> Response:
    session = get_session()
    subscription = subscriptions.subscription_for_confirm_token(session, token)
    if subscription is None:
        return invalid_link()
    first_time = not subscription.confirmed
    subscriptions.confirm(session, subscription)
    address = session.get_one(EmailAddress, subscription.email_id)
    return page(
        "message.html",
        title=t("page.confirmed_title"),
        text=t("page.confirmed_text", thread=_thread_title(subscription.thread_id)),
        manage_link=url_for(".manage_page", token=links.of(session).manage_token(address)),
        return_link=_sign_in_link(subscription, address) if first_time else "",
    )


def _sign_in_link(subscription: Subscription, address: EmailAddress) -> str:
    """The confirmation proved the address: offer to sign in as a verified guest (identity)."""

    session = get_session()
    thread = session.get(Thread, subscription.thread_id) if subscription.thread_id else None
    site = session.get(Site, subscription.site_id) if subscription.site_id else None
    if thread is None or site is None:
        return ""
    return sign_in_after_confirmation(session, address, site, thread.url)


def excerpt(comment: Comment | None, limit: int = 80) -> str:
    """The start of a comment's text, on one line, to name it on a page; only while it is
    visible to everyone (a hidden comment's text is nobody's to read here)."""
    if comment is None or comment.status != CommentStatus.APPROVED:
        return "…"
    flat = " ".join(comment.body_source.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def scope_text(scope: subscriptions.Scope) -> str:
    """What an unsubscribe stops, in the reader's words (see `subscriptions.Scope`)."""
    thread = (scope.thread.title or scope.thread.key) if scope.thread else ""
    if scope.kind == "replies":
        return t("page.scope_replies", comment=excerpt(scope.comment), thread=thread)
    return t(f"page.scope_{scope.kind}", thread=thread)


def _address_of(target: subscriptions.UnsubscribeTarget) -> EmailAddress | None:
    if target.address is not None:
        return target.address
    if target.subscription is not None:
        return get_session().get(EmailAddress, target.subscription.email_id)
    return None


@pages.get("/unsubscribe/<token>")
def unsubscribe_page(token: str) -> Response:
    session = get_session()
    target = subscriptions.target_for_unsubscribe_token(session, token)
    if target is None:
        return _unsubscribed_or_invalid(token)
    return page(
        "action.html",
        title=t("page.unsubscribe_title"),
        text=t("page.unsubscribe_text"),
        scope=scope_text(subscriptions.scope_of(session, target)),
        action=request.script_root + request.path,
        button=t("page.unsubscribe_button"),
    )


@pages.post("/unsubscribe/<token>")
@transactional
def unsubscribe(token: str) -> Response:
    """The page's button and RFC 8058 one-click (`List-Unsubscribe=One-Click`) both land here.

    Every mail about what the link's mail was about stops (`subscriptions.unsubscribe`); the
    page says what that was and links to the address's manage page for the rest.
    """
    session = get_session()
    target = subscriptions.target_for_unsubscribe_token(session, token)
    if target is None:
        return _unsubscribed_or_invalid(token)
    address = _address_of(target)
    scope = subscriptions.unsubscribe(session, target)
    return page(
        "message.html",
        title=t("page.unsubscribed_title"),
        text=t("page.unsubscribed_scope"),
        scope=scope_text(scope),
        manage_link=url_for(".manage_page", token=links.of(session).manage_token(address))
        if address
        else "",
    )


def _unsubscribed_or_invalid(token: str) -> Response:
    """A genuine link whose subscription is gone has done its job: say so, don't error."""
    if links.of(get_session()).read_token("unsubscribe", token, "s", "a") is None:
        return invalid_link()
    return page(
        "message.html", title=t("page.unsubscribed_title"), text=t("page.unsubscribed_text")
    )


@pages.get("/subscriptions/manage/<token>")
def manage_page(token: str) -> Response:
    session = get_session()
    address = subscriptions.address_for_manage_token(session, token)
    if address is None:
        return invalid_link()
    items = []
    for listed in subscriptions.subscriptions_of(session, address):
        subscription, thread = listed.subscription, listed.thread
        title = (thread.title or thread.key) if thread else ""
        thread_page = links.page_url(thread.url) if thread else ""
        items.append(
            {
                "id": subscription.id,
                "label": t(f"page.kind_{subscription.kind}", thread=title),
                "thread_url": thread_page,
                "thread_host": urlsplit(thread_page).netloc,
                "frequency": t(f"page.frequency_{subscription.frequency}"),
                "confirmed": subscription.confirmed,
            }
        )
    muted = [
        {
            "id": entry.mute.id,
            "label": t(
                "page.muted_comment" if entry.comment else "page.muted_thread",
                comment=excerpt(entry.comment),
                thread=(entry.thread.title or entry.thread.key) if entry.thread else "",
            ),
            "thread_url": entry.thread.url if entry.thread else "",
            "thread_host": urlsplit(entry.thread.url).netloc if entry.thread else "",
        }
        for entry in subscriptions.mutes_of(session, address)
    ]
    return page(
        "manage.html",
        title=t("page.manage_title"),
        address=address.address,
        items=items,
        muted=muted,
        author_mails=address.author_mails,
        action=request.script_root + request.path,
    )


@pages.post("/subscriptions/manage/<token>")
@transactional
def manage(token: str) -> Response:
    session = get_session()
    address = subscriptions.address_for_manage_token(session, token)
    if address is None:
        return invalid_link()
    action = request.form.get("action", "")
    if action == "cancel":
        subscription_id = parse_id(request.form.get("subscription"))
        if subscription_id is not None:
            subscriptions.cancel(session, address, subscription_id)
    elif action == "cancel_all":
        subscriptions.cancel_all(session, address)
    elif action == "unmute":
        mute_id = parse_id(request.form.get("mute"))
        if mute_id is not None:
            subscriptions.unmute(session, address, mute_id)
    elif action in {"author_on", "author_off"}:
        subscriptions.set_author_mails(session, address, action == "author_on")
    response = Response(status=303, headers={"Location": request.path})
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@pages.get("/mail/decide/<token>")
def decide_page(token: str) -> Response:
    session = get_session()
    decision = decide.decision_for_token(session, token)
    if decision is None:
        return invalid_link()
    comment = decision.comment
    thread = session.get_one(Thread, comment.thread_id)
    return page(
        "action.html",
        title=t(f"page.decide_title_{decision.action}"),
        text="",
        comment_meta=t(
            "page.decide_by",
            name=comment.author_name or t("mail.anonymous"),
            thread=thread.title or thread.key,
        ),
        comment_text=comment.body_source,
        action=request.script_root + request.path,
        button=t(f"moderation.{decision.action}"),
        danger=decision.action == "reject",
    )


@pages.post("/mail/decide/<token>")
@transactional
def decide_by_mail(token: str) -> Response:
    session = get_session()
    decision = decide.decision_for_token(session, token)
    if decision is None:
        return invalid_link()
    decide.apply(session, decision)
    return page(
        "message.html",
        title=t("page.decided_title"),
        text=t(f"page.decided_text_{decision.action}"),
    )
