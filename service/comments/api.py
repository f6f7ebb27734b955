"""The public comment API: thin views that parse, call the comments domain, and serialise."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

from flask import Response, current_app, request, url_for

from service.comments import posting, reactions, reading
from service.comments.features import FEATURES, site_features
from service.comments.form_tokens import issue_form_token
from service.comments.origins import OriginCache
from service.comments.reactions import voter_id_key
from service.comments.read_api import (
    THREAD_CACHE_HEADERS,
    ThreadAnswer,
    head_cache,
    page_key,
    response_cache,
    thread_answer,
)
from service.comments.schemas import (
    AcceptedOut,
    CommentCreate,
    CommentCreated,
    CommentDetail,
    CommentEdit,
    CommentListQuery,
    CommentOut,
    CountsOut,
    CountsQuery,
    FeedQuery,
    FormTokenOut,
    LatestOut,
    LatestQuery,
    PreviewIn,
    PreviewOut,
    RepliesOut,
    RepliesQuery,
    ReportIn,
    ScoresOut,
    SiteConfigOut,
    SiteQuery,
    ThreadPageOut,
    VoteIn,
    valid_voter_id,
)
from service.comments.serializers import (
    comment_json,
    own_comment_json,
    thread_json,
    thread_page_json,
)
from service.comments.site_identity import identity_settings
from service.comments.sites import (
    POSTING_PROBES_KEY,
    check_page_origin,
    find_posting_target,
    get_site,
)
from service.comments.verdicts import Signals
from service.db import get_session, read_first, transactional
from service.http.api import api
from service.http.compression import CachedBody
from service.http.context import ip_hash, keys, settings
from service.http.i18n import request_locale
from service.http.operations import json_bytes, json_response, operation
from service.identity import authorship
from service.identity.auth import current_reader
from service.kernel.clock import isoformat
from service.kernel.errors import RejectedByPolicy, ValidationFailed
from service.kernel.keys import IP_VOTER_PREFIX
from service.kernel.rendering import xml_safe
from service.moderation import refusals
from service.moderation.auth import api_token_principal
from service.moderation.pipeline import evaluate

CONFIG_CACHE_CONTROL = "public, max-age=60"


def _voter_key() -> str:
    """The signed-in reader's identity; else their voter id (X-Sidenote-Voter), keyed; without
    one, their IP hash stands in."""
    reader = current_reader()
    if reader is not None:
        return reader.voter_key
    voter = request.headers.get("X-Sidenote-Voter")
    if voter is None:
        return IP_VOTER_PREFIX + ip_hash()
    if not valid_voter_id(voter):
        raise ValidationFailed.on(
            "X-Sidenote-Voter", "Send 8-128 letters, digits, '-' or '_' as the voter id."
        )
    return voter_id_key(keys(), voter)


def _reporter_key() -> str:
    """Who a report counts as: the signed-in reader's identity, else the IP hash. Never the
    client-chosen voter id: minting ids must not add reporters (docs/moderation.md, Reports)."""
    reader = current_reader()
    if reader is not None:
        return reader.voter_key
    return IP_VOTER_PREFIX + ip_hash()


def _reader_identity() -> str | None:
    reader = current_reader()
    return reader.key if reader is not None else None


@operation(
    api,
    "GET",
    "/sites/{site}/config",
    summary="What the widget needs to know about a site",
    tags=["sites"],
    responses={200: SiteConfigOut},
    errors=["origin_not_allowed", "not_found"],
)
def site_config(site: str) -> Response:
    found = get_site(get_session(), site)
    check_page_origin(found, request.headers.get("Origin"))
    identity = identity_settings(found)
    response = json_response(
        {
            "site": found.slug,
            "name": found.name,
            "moderation": found.moderation,
            "max_body_chars": settings().max_body_chars,
            "edit_window_seconds": found.edit_window_seconds,
            "max_depth": found.max_depth,
            "features": site_features(current_app.extensions[FEATURES], found),
            "sso_required": identity.sso_required,
            "verify_guests": identity.verify_guests and not identity.sso_required,
            "login_url": identity.login_url,
            "logout_url": identity.logout_url,
        }
    )
    response.headers["Cache-Control"] = CONFIG_CACHE_CONTROL
    return response


@operation(
    api,
    "GET",
    "/form-token",
    summary="A form token for the composer (send it as form_token when posting)",
    tags=["comments"],
    query=SiteQuery,
    responses={200: FormTokenOut},
    errors=["not_found"],
    description=(
        "Signed, time-stamped and bound to the site; reusable until SIDENOTE_FORM_TOKEN_MAX_AGE "
        "seconds old. Anonymous posts without a valid one are held as spam; posts sent sooner "
        "than min_compose_seconds after it was issued are held for a moderator (too_fast)."
    ),
)
def form_token(query: SiteQuery) -> Response:
    get_site(get_session(), query.site)
    response = json_response(
        {
            "form_token": issue_form_token(keys(), query.site),
            "min_compose_seconds": settings().min_compose_seconds,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "GET",
    "/comments",
    summary="A page of a thread's comments with their replies",
    tags=["comments"],
    query=CommentListQuery,
    responses={200: ThreadPageOut, 304: None},
    errors=["not_found"],
    description=(
        "Top-level comments (pinned first, on the first page), each with up to 100 replies in "
        "pre-order. Conditional requests with If-None-Match get 304."
    ),
)
def list_comments(query: CommentListQuery) -> Response:
    session = get_session()
    head = reading.thread_head(session, query.site, query.thread)
    head_cache().put(query.site, head)
    etag = reading.thread_etag(
        head, page_key(query.sort, query.limit, query.cursor), settings().score_refresh_seconds
    )

    def cached_body() -> CachedBody:
        cache = response_cache()
        body = cache.get(etag)
        if body is None:
            page = reading.read_thread(
                session, head, sort=query.sort, limit=query.limit, cursor=query.cursor
            )
            body = cache.put(etag, json_bytes(thread_page_json(page, query.thread)))
        return body

    origins: OriginCache = current_app.extensions["sidenote.origins"]
    allowed = origins.for_slug(query.site) if request.environ.get("HTTP_ORIGIN") else None
    return _ExactResponse(thread_answer(request.environ, etag, allowed or frozenset(), cached_body))


class _ExactResponse(Response):
    """A thread read's answer as `thread_answer` built it: no default Content-Type, no body on
    a 304 (so no Content-Length either), headers in its order; the fast path sends the same."""

    default_mimetype = None

    def __init__(self, answer: ThreadAnswer) -> None:
        super().__init__(answer.body or None, answer.status, answer.headers)


@operation(
    api,
    "POST",
    "/comments",
    summary="Post a comment or a reply",
    tags=["comments"],
    body=CommentCreate,
    responses={201: CommentCreated},
    errors=[
        "not_found",
        "thread_locked",
        "banned",
        "rejected_by_policy",
        "unauthorized",
        "forbidden",
        "sso_required",
        "payload_too_large",
        "unsupported_media_type",
    ],
    rate_limit="post",
    description=(
        "Creates the thread on its first comment when thread_url is on one of the site's "
        "origins. The answer's edit_token (header X-Sidenote-Edit-Token) allows editing and "
        "deleting until edit_expires_at. With a reader session (Authorization: Bearer snr_…) "
        "the comment is the signed-in reader's: their name and identity, no form token needed. "
        "With an API token of the site (Authorization: Bearer snt_…) an integration posts "
        "without a form token; an unknown or revoked token is 401, another site's 403."
    ),
)
@transactional
def create_comment(body: CommentCreate) -> Response:
    config = settings()
    author = body.author
    session = get_session()
    read_first(session)  # the pipeline reads first; the SQLite write lock is taken for the insert
    # One query finds the site, the thread and what they have; the author checks use its site.
    target = find_posting_target(
        session, body.site, body.thread, current_app.extensions[POSTING_PROBES_KEY]
    )
    new = authorship.as_author(
        session,
        posting.NewComment(
            site=body.site,
            thread=body.thread,
            thread_url=body.thread_url,
            thread_title=body.thread_title,
            parent_id=body.parent_id,
            anchor=body.anchor,
            body=body.body,
            author_name=(author.name or "") if author else "",
            author_email=(author.email or "") if author else "",
            author_website=(author.website or "") if author else "",
            ip_hash=ip_hash(),
            voter_key=_voter_key(),
            signals=Signals(
                form_token=body.form_token,
                homepage=body.homepage,
                notify=body.notify,
                locale=request_locale(),
            ),
        ),
        current_reader(),
    )
    integration = api_token_principal()
    if integration is not None:
        new = authorship.sent_by_integration(session, new, integration)
    try:
        posted = posting.create_comment(
            session,
            new,
            judge=evaluate,
            max_body_chars=config.max_body_chars,
            sanitizer=config.sanitizer,
            target=target,
        )
    except RejectedByPolicy as error:
        if error.refusal is not None:  # nothing of the attempt stays but this minimal record
            session.rollback()
            refusals.record(session, error.refusal)
            session.commit()
        raise
    comment = own_comment_json(posted.comment) | {"status": posted.public_status}
    return json_response(
        {
            "comment": comment,
            "edit_token": posted.edit_token,
            "edit_expires_at": isoformat(posted.edit_expires_at),
        },
        201,
    )


@operation(
    api,
    "GET",
    "/comments/{comment_id}",
    summary="One comment with its ancestors and thread (permalinks)",
    tags=["comments"],
    responses={200: CommentDetail},
    errors=["not_found"],
)
def get_comment(comment_id: int) -> Response:
    context = reading.read_comment(get_session(), comment_id)
    return json_response(
        {
            "comment": comment_json(context.comment),
            "ancestors": [comment_json(a) for a in context.ancestors],
            "thread": thread_json(context.thread, context.thread.key),
        }
    )


@operation(
    api,
    "GET",
    "/comments/{comment_id}/replies",
    summary="More of a comment's replies, in pre-order",
    tags=["comments"],
    query=RepliesQuery,
    responses={200: RepliesOut},
    errors=["not_found"],
)
def list_replies(comment_id: int, query: RepliesQuery) -> Response:
    replies, cursor = reading.read_replies(get_session(), comment_id, query.cursor)
    return json_response(
        {"replies": [comment_json(r) for r in replies], "more_replies_cursor": cursor}
    )


@operation(
    api,
    "PATCH",
    "/comments/{comment_id}",
    summary="Edit your comment (X-Sidenote-Edit-Token or your session, within the edit window)",
    tags=["comments"],
    body=CommentEdit,
    responses={200: CommentOut},
    errors=[
        "unauthorized",
        "edit_window_closed",
        "not_found",
        "thread_locked",
        "rejected_by_policy",
        "unsupported_media_type",
    ],
)
@transactional
def edit_comment(comment_id: int, body: CommentEdit) -> Response:
    config = settings()
    comment, public_status = posting.edit_comment(
        get_session(),
        comment_id,
        request.headers.get("X-Sidenote-Edit-Token"),
        body.body,
        judge=evaluate,
        max_body_chars=config.max_body_chars,
        sanitizer=config.sanitizer,
        identity_key=_reader_identity(),
    )
    return json_response(own_comment_json(comment) | {"status": public_status})


@operation(
    api,
    "DELETE",
    "/comments/{comment_id}",
    summary="Delete your comment (X-Sidenote-Edit-Token within the edit window, or your session)",
    tags=["comments"],
    responses={204: None},
    errors=["unauthorized", "edit_window_closed", "not_found"],
)
@transactional
def delete_comment(comment_id: int) -> Response:
    posting.delete_comment(
        get_session(),
        comment_id,
        request.headers.get("X-Sidenote-Edit-Token"),
        identity_key=_reader_identity(),
    )
    return Response(status=204)


@operation(
    api,
    "POST",
    "/comments/{comment_id}/vote",
    summary="Vote on a comment (X-Sidenote-Voter, or as the signed-in reader); 0 withdraws it",
    tags=["comments"],
    body=VoteIn,
    responses={200: ScoresOut},
    errors=["not_found", "unauthorized", "unsupported_media_type"],
    rate_limit="vote",
)
@transactional
def vote(comment_id: int, body: VoteIn) -> Response:
    config = settings()
    scores = reactions.vote_on_comment(
        get_session(),
        comment_id,
        voter_key=_voter_key(),
        ip_hash=ip_hash(),
        value=body.value,
        votes_per_ip=config.votes_per_ip_per_comment,
        refresh_seconds=config.score_refresh_seconds,
    )
    response = json_response({"upvotes": scores.upvotes, "downvotes": scores.downvotes})
    response.headers["Cache-Control"] = "no-store"
    return response


@operation(
    api,
    "POST",
    "/comments/{comment_id}/report",
    summary="Report a comment to the moderators",
    tags=["comments"],
    body=ReportIn,
    responses={202: AcceptedOut},
    errors=["not_found", "unauthorized", "unsupported_media_type"],
    rate_limit="report",
)
@transactional
def report(comment_id: int, body: ReportIn) -> Response:
    reactions.report_comment(
        get_session(), comment_id, reporter_key=_reporter_key(), reason=body.reason, note=body.note
    )
    return json_response({"status": "accepted"}, 202)


@operation(
    api,
    "POST",
    "/preview",
    summary="Render Markdown exactly as a posted comment would be",
    tags=["comments"],
    body=PreviewIn,
    responses={200: PreviewOut},
    errors=["not_found", "unsupported_media_type"],
    rate_limit="preview",
)
def preview(body: PreviewIn) -> Response:
    get_site(get_session(), body.site)
    config = settings()
    _source, html = posting.render_body(
        body.body, max_chars=config.max_body_chars, backend=config.sanitizer
    )
    return json_response({"html": html})


@operation(
    api,
    "GET",
    "/counts",
    summary="Comment counts of up to 100 threads",
    tags=["comments"],
    query=CountsQuery,
    responses={200: CountsOut},
    errors=["not_found"],
)
def counts(query: CountsQuery) -> Response:
    result = reading.thread_counts(get_session(), query.site, list(dict.fromkeys(query.thread)))
    response = json_response({"counts": result})
    response.headers.update(THREAD_CACHE_HEADERS)
    return response


@operation(
    api,
    "GET",
    "/latest",
    summary="The newest approved comments of a site",
    tags=["comments"],
    query=LatestQuery,
    responses={200: LatestOut},
    errors=["not_found"],
)
def latest(query: LatestQuery) -> Response:
    _site, rows = reading.latest_comments(get_session(), query.site, query.limit)
    comments = [
        comment_json(comment) | {"thread": {"key": t.key, "url": t.url, "title": t.title}}
        for comment, t in rows
    ]
    response = json_response({"comments": comments})
    response.headers.update(THREAD_CACHE_HEADERS)
    return response


@operation(
    api,
    "GET",
    "/feed.atom",
    summary="Atom feed of a site's (or one thread's) newest comments",
    tags=["comments"],
    query=FeedQuery,
    responses={200: "application/atom+xml"},
    errors=["not_found"],
)
def feed(query: FeedQuery) -> Response:
    site, rows = reading.latest_comments(get_session(), query.site, 50, query.thread)
    base = settings().public_url  # never the request's Host (docs/deploying.md)
    feed_url = base + request.full_path.rstrip("?")
    title = f"Comments on {site.name}"
    if query.thread is not None:
        thread_title = rows[0][1].title if rows else query.thread
        title = f"Comments on {thread_title or query.thread}"
    updated = isoformat(rows[0][0].created_at) if rows else isoformat(site.created_at)
    entries = "".join(_feed_entry(comment, t.url, t.title, base) for comment, t in rows)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(xml_safe(feed_url))}</id><title>{escape(xml_safe(title))}</title>"
        f"<updated>{updated}</updated>"
        f'<link rel="self" href={quoteattr(xml_safe(feed_url))}/>{entries}</feed>'
    )
    response = Response(xml, mimetype="application/atom+xml")
    response.headers.update(THREAD_CACHE_HEADERS)
    return response


def _feed_entry(comment: Any, url: str, title: str, base: str) -> str:
    link = xml_safe(f"{url}#comment-{comment.id}")
    author = xml_safe(comment.author_name or "Anonymous")
    title = xml_safe(title or url)
    return (
        "<entry>"
        f"<id>{escape(xml_safe(base + url_for('api.get_comment', comment_id=comment.id)))}</id>"
        f"<title>{escape(author)} on {escape(title)}</title>"
        f"<author><name>{escape(author)}</name></author>"
        f"<updated>{isoformat(comment.edited_at or comment.created_at)}</updated>"
        f'<link rel="alternate" href={quoteattr(link)}/>'
        f'<content type="html">{escape(xml_safe(comment.body_html))}</content>'
        "</entry>"
    )
