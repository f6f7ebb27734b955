"""The admin API: API tokens and moderator accounts (`/api/v1/admin/…`), thin views over
`service.moderation.auth`."""

from __future__ import annotations

from typing import Any

from flask import Response

from service.db import get_session, transactional
from service.http.api import api
from service.http.operations import json_response, operation
from service.kernel.clock import isoformat
from service.kernel.errors import NotFound
from service.moderation import accounts, auth
from service.moderation.api import ADMIN_TAGS, AUTH, AUTH_ERRORS
from service.moderation.models import ApiToken, Moderator
from service.moderation.schemas import (
    ModeratorIn,
    ModeratorOut,
    ModeratorPatchIn,
    ModeratorsOut,
    TokenCreatedOut,
    TokenIn,
    TokensOut,
)


def token_json(token: ApiToken, slug: str | None) -> dict[str, Any]:
    return {
        "id": token.id,
        "name": token.name,
        "site": slug,
        "scope": token.scope,
        "created_at": isoformat(token.created_at),
        "last_used_at": isoformat(token.last_used_at),
        "revoked": token.revoked_at is not None,
    }


def moderator_json(moderator: Moderator, sites: list[str]) -> dict[str, Any]:
    return {
        "id": moderator.id,
        "username": moderator.username,
        "role": moderator.role,
        "sites": sites,
        "disabled": moderator.disabled,
        "created_at": isoformat(moderator.created_at),
        "last_login_at": isoformat(moderator.last_login_at),
    }


@operation(
    api,
    "GET",
    "/admin/tokens",
    summary="Every API token (admin on every site)",
    tags=ADMIN_TAGS,
    responses={200: TokensOut},
    errors=AUTH_ERRORS,
    auth=AUTH,
)
def list_tokens() -> Response:
    auth.require("admin", all_sites=True)
    tokens = accounts.list_tokens(get_session())
    return json_response({"tokens": [token_json(t, slug) for t, slug in tokens]})


@operation(
    api,
    "POST",
    "/admin/tokens",
    summary="Create an API token (its secret is in this answer only)",
    tags=ADMIN_TAGS,
    body=TokenIn,
    responses={201: TokenCreatedOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def create_token(body: TokenIn) -> Response:
    principal = auth.require("admin", all_sites=True)
    token, secret = accounts.create_token(
        get_session(), scope=body.scope, site_slug=body.site, name=body.name, actor=principal
    )
    return json_response({"token": token_json(token, body.site), "secret": secret}, 201)


@operation(
    api,
    "DELETE",
    "/admin/tokens/{token_id}",
    summary="Revoke an API token",
    tags=ADMIN_TAGS,
    responses={204: None},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
@transactional
def revoke_token(token_id: int) -> Response:
    principal = auth.require("admin", all_sites=True)
    accounts.revoke_token(get_session(), token_id, actor=principal)
    return Response(status=204)


@operation(
    api,
    "GET",
    "/admin/moderators",
    summary="Every moderator account",
    tags=ADMIN_TAGS,
    responses={200: ModeratorsOut},
    errors=AUTH_ERRORS,
    auth=AUTH,
)
def list_moderators() -> Response:
    auth.require("admin", all_sites=True)
    rows = accounts.list_moderators(get_session())
    return json_response({"moderators": [moderator_json(m, s) for m, s in rows]})


@operation(
    api,
    "POST",
    "/admin/moderators",
    summary="Add a moderator account",
    tags=ADMIN_TAGS,
    body=ModeratorIn,
    responses={201: ModeratorOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def create_moderator(body: ModeratorIn) -> Response:
    principal = auth.require("admin", all_sites=True)
    session = get_session()
    moderator = accounts.create_moderator(
        session,
        username=body.username,
        password=body.password,
        role=body.role,
        site_slugs=body.sites,
        actor=principal,
    )
    sites = accounts.moderator_site_slugs(session, [moderator.id])[moderator.id]
    return json_response(moderator_json(moderator, sites), 201)


@operation(
    api,
    "PATCH",
    "/admin/moderators/{moderator_id}",
    summary="Change a moderator's role, sites or password, or disable the account",
    tags=ADMIN_TAGS,
    body=ModeratorPatchIn,
    responses={200: ModeratorOut},
    errors=[*AUTH_ERRORS, "not_found", "unsupported_media_type"],
    auth=AUTH,
)
@transactional
def patch_moderator(moderator_id: int, body: ModeratorPatchIn) -> Response:
    principal = auth.require("admin", all_sites=True)
    session = get_session()
    if session.get(Moderator, moderator_id) is None:
        raise NotFound("No such moderator.")
    moderator = accounts.update_moderator(
        session,
        moderator_id,
        actor=principal,
        role=body.role,
        site_slugs=body.sites,
        password=body.password,
        disabled=body.disabled,
    )
    sites = accounts.moderator_site_slugs(session, [moderator.id])[moderator.id]
    return json_response(moderator_json(moderator, sites))
