"""Sign-in for readers: SSO sessions, verified guests, and a reader's own data (`/api/v1/me`).

Thin views over `service.identity`. Sessions travel as `Authorization: Bearer snr_…`; the widget
sends `site` with each call so the answer carries the site's CORS headers.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Response, request
from pydantic import BaseModel, Field, StringConstraints

from service.comments.schemas import AcceptedOut, Name, RequiredEmail, Slug, _In
from service.comments.sites import get_site
from service.db import get_session, transactional
from service.http.api import api
from service.http.context import ip_hash, keys
from service.http.i18n import request_locale
from service.http.operations import json_response, operation
from service.identity import guests, sso
from service.identity.auth import bearer_reader_token, require_reader
from service.identity.models import Identity
from service.identity.pages import export_response
from service.identity.sessions import (
    OpenedSession,
    browser_key,
    end_session,
    redeem_login_code,
)
from service.kernel.clock import isoformat
from service.kernel.errors import Unauthorized
from service.notifications import links
from service.privacy import reader_data as data

Token = Annotated[str, StringConstraints(min_length=1, max_length=8192)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Url = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class SsoSessionIn(_In):
    site: Slug
    token: Token = Field(description="The JWT (HS256) the site signed for its signed-in reader")


class GuestSessionIn(_In):
    site: Slug
    code: Code = Field(description="The one-time code from the verification page's link")
    confirm: bool = Field(
        default=False,
        description=(
            "The reader confirmed signing in on this device. Needed when the code is redeemed "
            "from another browser than the one whose X-Sidenote-Voter asked for it "
            "(403 confirmation_required otherwise, with the question in fields.confirm)"
        ),
    )


class OptionalSite(_In):
    """The site the widget is on: only so the answer carries that site's CORS headers."""

    site: Slug | None = None


class GuestVerifyIn(_In):
    site: Slug
    thread_url: Url = Field(description="The page to come back to, on one of the site's origins")
    email: RequiredEmail
    name: Name | None = None


class NameIn(_In):
    name: Name
    site: Slug | None = None


class UserOut(BaseModel):
    name: str | None
    avatar: str = Field(description="Opaque avatar seed, as on the reader's comments")
    verified: bool = Field(description="true for the site's SSO users")
    kind: Literal["sso", "guest"]


class ReaderSessionOut(BaseModel):
    """A reader's session (SSO user or verified guest); the moderators' is SessionOut."""

    session_token: str = Field(description="Send as 'Authorization: Bearer <session_token>'")
    expires_at: str
    user: UserOut


class UserEnvelope(BaseModel):
    user: UserOut


class MyThread(BaseModel):
    key: str
    url: str
    title: str


class MyAuthor(BaseModel):
    name: str
    email: str
    website: str


class MyComment(BaseModel):
    id: int
    site: str
    thread: MyThread
    url: str
    parent_id: int | None
    status: str
    created_at: str | None
    edited_at: str | None
    author: MyAuthor
    body_source: str
    body_html: str
    upvotes: int
    downvotes: int


class MySubscription(BaseModel):
    id: int
    site: str | None
    kind: str
    thread: MyThread | None
    comment_id: int | None
    frequency: str
    confirmed: bool
    created_at: str | None


class MeOut(BaseModel):
    user: UserOut
    comments: list[MyComment] = Field(description="Newest first, up to 200")
    subscriptions: list[MySubscription]


class ExportOut(BaseModel):
    format: Literal["sidenote-reader-data"]
    version: int
    exported_at: str | None
    profile: dict[str, Any]
    comments: list[dict[str, Any]]
    subscriptions: list[dict[str, Any]]
    votes: list[dict[str, Any]]


class DeletedOut(BaseModel):
    deleted: int


class LinkOut(BaseModel):
    url: str = Field(description="The reader's data page; the URL is the credential")
    expires_at: str | None


def user_json(identity: Identity) -> dict[str, Any]:
    return {
        "name": identity.display_name or None,
        "avatar": data.avatar(keys(), data.Subject(identity, None)),
        "verified": identity.kind == "sso",
        "kind": identity.kind,
    }


def _session_json(opened: OpenedSession) -> dict[str, Any]:
    identity = opened.identity
    return {
        "session_token": opened.token,
        "expires_at": isoformat(opened.expires_at),
        "user": user_json(identity),
    }


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "POST",
    "/sso/session",
    summary="Exchange a site's SSO token (JWT) for a reader session",
    tags=["identity"],
    body=SsoSessionIn,
    responses={200: ReaderSessionOut},
    errors=["validation_failed", "not_found", "sso_invalid", "unsupported_media_type"],
    rate_limit="login",
    description=(
        "The token is HS256, signed with one of the site's active SSO secrets; `aud` must be "
        "the site's slug, `sub` and `exp` are required, `iat` is optional. Expired, forged, "
        "and wrong-site tokens answer 401 `sso_invalid` saying which; a token that cannot be "
        "read (not a JWT, a `crit` header, a non-string `kid`, a time claim that is not whole "
        "seconds) is 400 `validation_failed` on `token`."
    ),
)
@transactional
def sso_session(body: SsoSessionIn) -> Response:
    signed_in = sso.sign_in(get_session(), body.site, body.token)
    return _no_store(json_response(_session_json(signed_in.session)))


@operation(
    api,
    "POST",
    "/sso/logout",
    summary="End the reader session sent as Authorization: Bearer",
    tags=["identity"],
    body=OptionalSite,
    responses={204: None},
    errors=["unauthorized", "unsupported_media_type"],
    auth=["bearerToken"],
    description="Ends an SSO or verified-guest session. An ended session answers 204 again.",
)
@transactional
def sso_logout(body: OptionalSite) -> Response:
    raw = bearer_reader_token()
    if raw is None:
        raise Unauthorized("Send the session as 'Authorization: Bearer <session_token>'.")
    end_session(get_session(), raw)
    return _no_store(Response(status=204))


@operation(
    api,
    "POST",
    "/guest/verify",
    summary="Mail a guest a link that verifies their address and signs them in",
    tags=["identity"],
    body=GuestVerifyIn,
    responses={202: AcceptedOut},
    errors=["not_found", "sso_required", "unsupported_media_type"],
    rate_limit="subscribe",
    description=(
        "Always 202 (nothing is revealed about the address); no mail beyond "
        "SIDENOTE_RATELIMIT_CONFIRM_MAIL per address and requester."
    ),
)
@transactional
def guest_verify(body: GuestVerifyIn) -> Response:
    guests.request_verification(
        get_session(),
        site_slug=body.site,
        thread_url=body.thread_url,
        email=body.email,
        name=body.name or "",
        ip_hash=ip_hash(),
        locale=request_locale(),
        browser=browser_key(keys(), request.headers.get("X-Sidenote-Voter")),
    )
    return json_response({"status": "accepted"}, 202)


@operation(
    api,
    "POST",
    "/guest/session",
    summary="Exchange a verified guest's one-time sign-in code for a reader session",
    tags=["identity"],
    body=GuestSessionIn,
    responses={200: ReaderSessionOut},
    errors=["not_found", "unauthorized", "confirmation_required", "unsupported_media_type"],
    rate_limit="login",
    description=(
        "The code signs in by itself only from the browser that asked for the verification "
        "mail (the same X-Sidenote-Voter); elsewhere the reader must confirm (confirm: true)."
    ),
)
@transactional
def guest_session(body: GuestSessionIn) -> Response:
    session = get_session()
    site = get_site(session, body.site)
    opened = redeem_login_code(
        session,
        site.id,
        body.code,
        browser=browser_key(keys(), request.headers.get("X-Sidenote-Voter")),
        confirmed=body.confirm,
        locale=request_locale(),
    )
    return _no_store(json_response(_session_json(opened)))


# -- the reader's own data ------------------------------------------------------------------


@operation(
    api,
    "GET",
    "/me",
    summary="The signed-in reader: profile, comments (newest 200) and subscriptions",
    tags=["identity"],
    query=OptionalSite,
    responses={200: MeOut},
    errors=["unauthorized"],
    auth=["bearerToken"],
)
def me(query: OptionalSite) -> Response:
    session = get_session()
    reader = require_reader()
    subject = data.subject_for_reader(session, reader)
    return _no_store(
        json_response(
            {
                "user": user_json(reader.identity),
                "comments": [
                    data.comment_json(*row) for row in data.comments_of(session, subject, 200)
                ],
                "subscriptions": [
                    data.subscription_json(*row) for row in data.subscriptions_of(session, subject)
                ],
            }
        )
    )


@operation(
    api,
    "PATCH",
    "/me",
    summary="Change the signed-in reader's name (on their comments too)",
    tags=["identity"],
    body=NameIn,
    responses={200: UserEnvelope},
    errors=["unauthorized", "unsupported_media_type"],
    auth=["bearerToken"],
)
@transactional
def rename_me(body: NameIn) -> Response:
    session = get_session()
    reader = require_reader()
    data.rename(session, data.subject_for_reader(session, reader), body.name)
    return _no_store(json_response({"user": user_json(reader.identity)}))


@operation(
    api,
    "GET",
    "/me/export",
    summary="Download everything about the signed-in reader (JSON attachment)",
    tags=["identity"],
    query=OptionalSite,
    responses={200: ExportOut},
    errors=["unauthorized"],
    auth=["bearerToken"],
)
def export_me(query: OptionalSite) -> Response:
    session = get_session()
    return export_response(data.export(session, data.subject_for_reader(session, require_reader())))


@operation(
    api,
    "DELETE",
    "/me/comments",
    summary="Delete every comment of the signed-in reader (replies keep a tombstone)",
    tags=["identity"],
    query=OptionalSite,
    responses={200: DeletedOut},
    errors=["unauthorized"],
    auth=["bearerToken"],
)
@transactional
def delete_my_comments(query: OptionalSite) -> Response:
    session = get_session()
    deleted = data.delete_all(session, data.subject_for_reader(session, require_reader()))
    return _no_store(json_response({"deleted": deleted}))


@operation(
    api,
    "POST",
    "/me/link",
    summary="A short-lived link to the signed-in reader's data page (the widget's menu)",
    tags=["identity"],
    body=OptionalSite,
    responses={200: LinkOut},
    errors=["unauthorized", "unsupported_media_type"],
    auth=["bearerToken"],
)
def my_data_link(body: OptionalSite) -> Response:
    reader = require_reader()
    url, expires_at = data.page_link(links.of(get_session()), reader.identity)
    return _no_store(json_response({"url": url, "expires_at": isoformat(expires_at)}))
