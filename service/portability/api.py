"""Admin API for data portability: a site's export, and privacy requests for an email address.

Under /api/v1/admin, so `auth`'s guard answers 401 before anything is parsed. A site export
needs the admin scope on that site; privacy requests span every site and need an admin of every
site. Each of them is written to the audit log (never with the address itself).
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Response, stream_with_context
from pydantic import BaseModel, ConfigDict, Field

from service.comments.sites import get_site
from service.db import get_session
from service.http.api import api
from service.http.operations import operation
from service.moderation import audit, auth
from service.portability import exporter

TAGS = ["admin"]
AUTH = ["bearerToken", "moderatorSession"]
AUTH_ERRORS = ["unauthorized", "forbidden"]


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["json", "jsonl"] = Field(
        default="json", description="`json`: one document; `jsonl`: one record a line."
    )
    emails: bool = Field(default=True, description="Include commenters' and subscribers' emails.")


#: The export's two shapes, as the OpenAPI document describes them: `format=json` is one
#: document (its full schema is docs/export.schema.json), `format=jsonl` one record a line.
EXPORT_CONTENT: dict[str, Any] = {
    "application/json": {
        "type": "object",
        "description": "One document; its full schema is docs/export.schema.json.",
        "required": [
            "format",
            "version",
            "exported_at",
            "includes_emails",
            "site",
            "threads",
            "moderation_log",
            "subscriptions",
        ],
        "properties": {
            "format": {"const": "sidenote-export"},
            "version": {"const": 1},
            "threads": {"type": "array"},
        },
    },
    "application/x-ndjson": {
        "type": "string",
        "description": "format=jsonl: one JSON record a line, each with a `type` "
        "(docs/export.schema.json, $defs/line).",
    },
}


@operation(
    api,
    "GET",
    "/admin/sites/{site}/export",
    summary="Export a site: threads, comments, votes, reports, moderation log, subscriptions",
    description=(
        "Streams Sidenote's export format (docs/export.schema.json); `sidenote import sidenote` "
        "reads it back. Needs the admin scope on the site."
    ),
    tags=TAGS,
    query=ExportQuery,
    responses={200: EXPORT_CONTENT},
    errors=[*AUTH_ERRORS, "not_found"],
    auth=AUTH,
)
def export_site(site: str, query: ExportQuery) -> Response:
    principal = auth.require("admin")
    session = get_session()
    found = get_site(session, site)
    principal.require("admin", found.id)
    chunks = exporter.export_site(
        session, found.slug, shape=query.format, include_emails=query.emails
    )
    # Logged (and committed) before the first byte: an export of personal data leaves a trace.
    audit.record(
        session,
        principal,
        "site.export",
        target_kind="site",
        target_id=found.id,
        site_id=found.id,
        after={"format": query.format, "emails": query.emails},
    )
    session.commit()
    response = Response(
        stream_with_context(chunks),
        mimetype="application/x-ndjson" if query.format == "jsonl" else "application/json",
    )
    extension = "jsonl" if query.format == "jsonl" else "json"
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sidenote-{found.slug}.{extension}"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response
