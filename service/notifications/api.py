"""`POST /api/v1/subscriptions`: a reader asks for mail about a thread or a comment's replies."""

from __future__ import annotations

from typing import Annotated, Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from service.comments.schemas import AcceptedOut, RequiredEmail, Slug, ThreadKey
from service.db import get_session, transactional
from service.http.api import api
from service.http.context import ip_hash
from service.http.i18n import request_locale
from service.http.operations import json_response, operation
from service.notifications import subscriptions


class SubscriptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    site: Slug
    thread: ThreadKey
    email: RequiredEmail
    kind: Literal["replies", "thread"] = Field(
        description="replies: new replies anywhere below comment_id; thread: every new comment."
    )
    comment_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    frequency: Literal["immediate", "daily"] = "immediate"
    locale: Annotated[str, StringConstraints(max_length=16)] | None = Field(
        default=None, description="Language of the mails (else the browser's, else the site's)."
    )


@operation(
    api,
    "POST",
    "/subscriptions",
    summary="Subscribe an address (double opt-in: a confirmation mail comes first)",
    tags=["subscriptions"],
    body=SubscriptionCreate,
    responses={202: AcceptedOut},
    errors=["not_found", "unsupported_media_type"],
    rate_limit="subscribe",
    description=(
        "Always 202 with the same body, whether the address is new, known, confirmed or limited: "
        "the answer reveals nothing about it. Nothing is mailed to an address before its owner "
        "confirms it; once confirmed, later subscriptions start at once."
    ),
)
@transactional
def create_subscription(body: SubscriptionCreate) -> Response:
    subscriptions.subscribe(
        get_session(),
        subscriptions.SubscriptionRequest(
            site=body.site,
            thread=body.thread,
            email=body.email,
            kind=body.kind,
            comment_id=body.comment_id,
            frequency=body.frequency,
            locale=body.locale or request_locale(),
            ip_hash=ip_hash(),
        ),
    )
    return json_response({"status": "accepted"}, 202)
