"""Webhook management: `/api/v1/moderation/sites/{site}/webhooks…` (admins manage, moderators
see the delivery log and send test events)."""

from __future__ import annotations

from typing import Annotated, Literal, get_args

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.comments.events import COMMENT_EVENTS
from service.comments.sites import get_site
from service.db import get_session, transactional
from service.http.api import api
from service.http.operations import json_response, operation
from service.kernel.clock import isoformat
from service.moderation import auth
from service.notifications import webhooks
from service.notifications.models import OutboxItem, Webhook

EventName = Literal[
    "comment.created",
    "comment.approved",
    "comment.rejected",
    "comment.deleted",
    "comment.reported",
    "comment.edited",
]
assert set(get_args(EventName)) == set(COMMENT_EVENTS)

AUTH = ["bearerToken", "moderatorSession"]
ERRORS = ["unauthorized", "forbidden", "not_found"]


class WebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    events: list[EventName] = Field(
        default_factory=lambda: list(get_args(EventName)), min_length=1, max_length=6
    )
    description: Annotated[str, StringConstraints(max_length=200)] = ""
    secret: Annotated[str, StringConstraints(min_length=16, max_length=128)] | None = Field(
        default=None, description="Leave out to have one generated (returned once, here)."
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    description: str
    created_at: str
    secret: str | None = Field(
        default=None, description="Only in the answer that created the webhook."
    )


class WebhookList(BaseModel):
    webhooks: list[WebhookOut]


class DeliveryOut(BaseModel):
    id: str = Field(description="The delivery id (X-Sidenote-Delivery).")
    event: str
    status: Literal["pending", "sent", "failed", "cancelled"]
    attempts: int
    last_error: str | None
    created_at: str
    sent_at: str | None
    next_attempt_at: str | None


class DeliveryList(BaseModel):
    deliveries: list[DeliveryOut]
    next_before: int | None = Field(description="Pass as `before` for older deliveries.")


class DeliveriesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    before: int | None = Field(default=None, ge=1, le=2**31 - 1)
    limit: int = Field(default=50, ge=1, le=200)


class WebhookDelivery(BaseModel):
    """The body of every webhook POST (see docs/notifications.md for the headers)."""

    id: str
    event: str
    created_at: str
    site: str
    comment: dict[str, object] | None
    data: dict[str, object] | None = None


def webhook_json(webhook: Webhook, *, secret: bool = False) -> dict[str, object]:
    return {
        "id": webhook.id,
        "url": webhook.url,
        "events": webhook.events,
        "active": webhook.active,
        "description": webhook.description,
        "created_at": isoformat(webhook.created_at),
        **({"secret": webhook.secret} if secret else {}),
    }


def delivery_json(item: OutboxItem) -> dict[str, object]:
    return {
        "id": item.uid,
        "event": item.event,
        "status": item.status,
        "attempts": item.attempts,
        "last_error": item.last_error,
        "created_at": isoformat(item.created_at),
        "sent_at": isoformat(item.sent_at),
        "next_attempt_at": isoformat(item.next_attempt_at) if item.status == "pending" else None,
    }


@operation(
    api,
    "GET",
    "/moderation/sites/{site}/webhooks",
    summary="List a site's webhooks (moderate scope; secrets are never listed)",
    tags=["webhooks"],
    responses={200: WebhookList},
    errors=ERRORS,
    auth=AUTH,
)
def list_webhooks(site: str) -> Response:
    session = get_session()
    found = get_site(session, site)
    auth.require("moderate", found)
    return json_response(
        {"webhooks": [webhook_json(w) for w in webhooks.list_webhooks(session, found)]}
    )


@operation(
    api,
    "POST",
    "/moderation/sites/{site}/webhooks",
    summary="Add a webhook (admin scope); the answer holds its secret, shown once",
    tags=["webhooks"],
    body=WebhookCreate,
    responses={201: WebhookOut},
    documents=[WebhookDelivery],  # the body of the POSTs the webhook receives
    errors=[*ERRORS, "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def create_webhook(site: str, body: WebhookCreate) -> Response:
    session = get_session()
    found = get_site(session, site)
    principal = auth.require("admin", found)
    webhook = webhooks.create_webhook(
        session,
        principal,
        found,
        url=body.url,
        events=list(body.events),
        description=body.description,
        secret=body.secret,
    )
    return json_response(webhook_json(webhook, secret=True), 201)


@operation(
    api,
    "DELETE",
    "/moderation/sites/{site}/webhooks/{webhook_id}",
    summary="Remove a webhook and its delivery log (admin scope)",
    tags=["webhooks"],
    responses={204: None},
    errors=ERRORS,
    auth=AUTH,
)
@transactional
def delete_webhook(site: str, webhook_id: int) -> Response:
    session = get_session()
    found = get_site(session, site)
    principal = auth.require("admin", found)
    webhooks.delete_webhook(session, principal, found, webhook_id)
    return Response(status=204)


@operation(
    api,
    "POST",
    "/moderation/sites/{site}/webhooks/{webhook_id}/test",
    summary="Queue a signed test delivery (event `ping`, comment null)",
    tags=["webhooks"],
    responses={202: DeliveryOut},
    errors=ERRORS,
    auth=AUTH,
)
@transactional
def test_webhook(site: str, webhook_id: int) -> Response:
    session = get_session()
    found = get_site(session, site)
    auth.require("moderate", found)
    item = webhooks.enqueue_test(session, found, webhooks.get_webhook(session, found, webhook_id))
    return json_response(delivery_json(item), 202)


@operation(
    api,
    "GET",
    "/moderation/sites/{site}/webhooks/{webhook_id}/deliveries",
    summary="A webhook's delivery log, newest first: status, attempts, last error",
    tags=["webhooks"],
    query=DeliveriesQuery,
    responses={200: DeliveryList},
    errors=ERRORS,
    auth=AUTH,
)
def list_deliveries(site: str, webhook_id: int, query: DeliveriesQuery) -> Response:
    session = get_session()
    found = get_site(session, site)
    auth.require("moderate", found)
    webhook = webhooks.get_webhook(session, found, webhook_id)
    items = webhooks.deliveries(session, webhook, limit=query.limit + 1, before=query.before)
    more = len(items) > query.limit
    items = items[: query.limit]
    return json_response(
        {
            "deliveries": [delivery_json(item) for item in items],
            "next_before": items[-1].id if more and items else None,
        }
    )
