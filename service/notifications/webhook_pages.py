"""The moderator UI's webhook pages: `/moderate/webhooks` and `/moderate/sites/<site>/webhooks`.

The first (in the moderator navigation) lists the sites the moderator may moderate, each linking
to the second, which lists a site's webhooks with their delivery log (status, attempts, last
error), a "send test event" button, and (admins) forms to add and remove webhooks. Plain HTML
forms, no script. The auth guard in front of `/moderate` already demands a session (or token)
and, for a session, the CSRF token in each form; the views check the exact scope on the site.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from service.comments.events import COMMENT_EVENTS
from service.comments.models import Site
from service.comments.sites import get_site
from service.db import get_session
from service.http.context import settings
from service.kernel import actors
from service.kernel.clock import isoformat
from service.kernel.errors import ServiceError, ValidationFailed
from service.kernel.inputs import parse_id
from service.moderation import auth
from service.notifications import webhooks
from service.notifications.pages import PAGE_CSP

webhook_pages = Blueprint("notification_webhooks", __name__, url_prefix="/moderate")

LOG_ROWS = 20


def _render(site: Site, principal: actors.Principal, status: int = 200, **extra: Any) -> Response:
    session = get_session()
    hooks = []
    for hook in webhooks.list_webhooks(session, site):
        hooks.append(
            {
                "id": hook.id,
                "url": hook.url,
                "events": hook.events,
                "description": hook.description,
                "deliveries": [
                    {
                        "id": item.uid,
                        "event": item.event,
                        "status": item.status,
                        "attempts": item.attempts,
                        "last_error": item.last_error or "",
                        "created_at": isoformat(item.created_at),
                    }
                    for item in webhooks.deliveries(session, hook, limit=LOG_ROWS)
                ],
            }
        )
    response = Response(
        render_template(
            "notifications/webhooks.html",
            locale="en",
            title=f"Webhooks of {site.name}",
            site=site,
            hooks=hooks,
            events=COMMENT_EVENTS,
            can_manage=principal.can("admin", site.id),
            csrf_token=principal.csrf_token or "",
            **extra,
        ),
        status=status,
        mimetype="text/html",
    )
    response.headers["Content-Security-Policy"] = PAGE_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


@webhook_pages.get("/webhooks")
def webhook_sites() -> Response:
    """Where the navigation's "Webhooks" leads: a link per site the moderator may moderate."""
    principal = auth.require("moderate")
    ids = principal.visible_site_ids()
    query = select(Site).order_by(Site.slug)
    if ids is not None:
        query = query.where(Site.id.in_(ids))
    sites = [s for s in get_session().scalars(query) if principal.can("moderate", s.id)]
    html = render_template(
        "notifications/webhook_sites.html",
        me=principal,
        csrf_token=principal.csrf_token,
        here=request.path,
        notice=None,
        undo_seconds=settings().moderation_undo_seconds,
        section="webhooks",
        sites=sites,
    )
    return Response(html, mimetype="text/html", headers={"Cache-Control": "no-store"})


@webhook_pages.get("/sites/<site>/webhooks")
def webhooks_page(site: str) -> Response:
    found = get_site(get_session(), site)
    return _render(found, auth.require("moderate", found))


@webhook_pages.post("/sites/<site>/webhooks")
def webhooks_action(site: str) -> Response:
    """One form per action: add, delete, test. Refusals are shown on the page, not raised."""
    session = get_session()
    found = get_site(session, site)
    principal = auth.require("moderate", found)
    action = request.form.get("action", "")
    extra: dict[str, Any] = {}
    try:
        if action == "test":
            hook = webhooks.get_webhook(session, found, _id(request.form.get("webhook")))
            webhooks.enqueue_test(session, found, hook)
            extra["notice"] = "A test event is on its way; reload to see its delivery."
        elif action == "delete":
            principal.require("admin", found.id)
            webhooks.delete_webhook(session, principal, found, _id(request.form.get("webhook")))
            extra["notice"] = "Webhook removed."
        elif action == "add":
            principal.require("admin", found.id)
            hook = webhooks.create_webhook(
                session,
                principal,
                found,
                url=request.form.get("url", "")[:2000],
                events=request.form.getlist("events"),
                description=request.form.get("description", "")[:200],
            )
            extra["notice"] = "Webhook added. Copy its secret now: it is not shown again."
            extra["new_secret"] = hook.secret
        else:
            raise ValidationFailed.on("action", "Unknown action.")
        session.commit()
    except ServiceError as error:
        session.rollback()
        message = " ".join(error.fields.values()) if error.fields else error.message
        return _render(found, principal, error.status, error=message)
    return _render(found, principal, **extra)


def _id(raw: str | None) -> int:
    webhook_id = parse_id(raw)
    if webhook_id is None:
        raise ValidationFailed.on("webhook", "Unknown webhook.")
    return webhook_id
