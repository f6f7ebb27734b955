"""Privacy requests over the admin API: everything stored about an email address, or its
erasure (`service.privacy.requests`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from service.db import get_session, transactional
from service.http.api import api
from service.http.operations import json_response, operation
from service.moderation import audit, auth
from service.privacy import requests as privacy

TAGS = ["admin"]
AUTH = ["bearerToken", "moderatorSession"]
AUTH_ERRORS = ["unauthorized", "forbidden"]


class PrivacyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[
        str, StringConstraints(min_length=3, max_length=254), AfterValidator(_email)
    ] = Field(description="The address the request is about.")


class PrivacyExportOut(BaseModel):
    """Everything stored about the address (see docs/migrating.md, "Privacy requests")."""

    model_config = ConfigDict(extra="allow")

    format: Literal["sidenote-privacy-export"]
    version: int
    email: str
    exported_at: str
    email_address: dict[str, Any] | None
    comments: list[dict[str, Any]]
    votes: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    bans: list[dict[str, Any]]
    moderation_log: list[dict[str, Any]]


class ErasureOut(BaseModel):
    comments_anonymized: int
    subscriptions_cancelled: int
    mails_cancelled: int
    ip_hashes_dropped: int
    bans_relabelled: int
    audit_entries_redacted: int


@operation(
    api,
    "POST",
    "/admin/privacy/export",
    summary="Everything stored about an email address (admin on every site)",
    tags=TAGS,
    body=PrivacyIn,
    responses={200: PrivacyExportOut},
    errors=[*AUTH_ERRORS, "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def privacy_export(body: PrivacyIn) -> Response:
    principal = auth.require("admin", all_sites=True)
    session = get_session()
    document = privacy.export_person(session, body.email)
    audit.record(
        session,
        principal,
        "privacy.export",
        target_kind="person",
        after={"comments": len(document["comments"])},
    )
    response = json_response(document)
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "POST",
    "/admin/privacy/erase",
    summary="Erase an email address: anonymise its comments, cancel its subscriptions",
    tags=TAGS,
    body=PrivacyIn,
    responses={200: ErasureOut},
    errors=[*AUTH_ERRORS, "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def privacy_erase(body: PrivacyIn) -> Response:
    principal = auth.require("admin", all_sites=True)
    erasure = privacy.erase_person(get_session(), body.email, principal)
    return json_response(erasure.as_dict())


def _email(value: str) -> str:
    return privacy.normalize_email(value)
