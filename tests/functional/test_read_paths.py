"""One read path: the fast path in front of Flask and the Flask view answer a thread read with
the same bytes (status line, every header in order, body), because both take their answer from
`comments.read_api.thread_answer`. The fast path only decides whether it can answer."""

from __future__ import annotations

import gzip
import json
import logging
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from service import create_app
from service.comments.fast_reads import FastThreadReads
from service.db import get_db
from service.models import Site
from tests.conftest import make_settings
from tests.factories import ORIGIN, Factories

ELSEWHERE = "https://elsewhere.example"
#: Both apps trust one proxy, which names the request id: then even X-Request-Id is the same.
REQUEST_ID = "read-path-parity"


@dataclass
class Wire:
    """What a WSGI server would send: the status line, the header list in order, the body."""

    status: str
    headers: list[tuple[str, str]]
    body: bytes


def call(app: Flask, slug: str, headers: dict[str, str]) -> Wire:
    environ = EnvironBuilder(
        path="/api/v1/comments",
        query_string=f"site={slug}&thread=/post",
        headers={"X-Request-Id": REQUEST_ID, **headers},
    ).get_environ()
    sent: dict[str, Any] = {}

    def start_response(status: str, header_list: list[tuple[str, str]], _exc: Any = None) -> Any:
        sent.update(status=status, headers=list(header_list))

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return Wire(sent["status"], sent["headers"], body)


def fast_path_of(app: Flask) -> FastThreadReads:
    layer: Any = app.wsgi_app
    while not isinstance(layer, FastThreadReads):
        layer = layer.app
    return layer


@pytest.fixture
def apps(database_url: str, connection: Any) -> tuple[Flask, Flask]:
    """(with the fast path, without it) on the same data. The fast path keeps heads for a
    minute: a slow moment between two requests must not send the second to the app."""
    fast = create_app(make_settings(database_url, trusted_proxies=1, head_cache_seconds=60))
    slow = create_app(make_settings(database_url, trusted_proxies=1, head_cache_seconds=0))
    for app in (fast, slow):
        get_db(app).bind_to(connection)
    return fast, slow


def only_the_fast_path(app: Flask) -> None:
    """From here on the app behind the fast path fails the test if it is asked."""

    def asked(environ: dict[str, Any], start_response: Any) -> Any:
        raise AssertionError(f"the app answered {environ['QUERY_STRING']}")

    fast_path_of(app).wsgi_app = asked


def a_site_with_a_comment(make: Factories) -> Site:
    site = make.site()
    make.comment(site, body="Long enough to be worth compressing. " * 40)
    return site


@pytest.mark.parametrize("origin", [None, ORIGIN, ELSEWHERE], ids=["no-origin", "allowed", "other"])
@pytest.mark.parametrize("encoding", ["identity", "gzip"])
@pytest.mark.parametrize("revalidation", [False, True], ids=["200", "304"])
def test_both_paths_send_the_same_bytes(
    apps: tuple[Flask, Flask],
    make: Factories,
    origin: str | None,
    encoding: str,
    revalidation: bool,
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    headers = {"Accept-Encoding": encoding}
    if origin:
        headers["Origin"] = origin
    first = call(fast, site.slug, headers)  # the app answers and fills the caches
    if revalidation:
        headers["If-None-Match"] = dict(first.headers)["ETag"]
    only_the_fast_path(fast)
    from_the_fast_path = call(fast, site.slug, headers)
    from_the_app = call(slow, site.slug, headers)
    assert from_the_fast_path == from_the_app
    assert from_the_fast_path.status == ("304 NOT MODIFIED" if revalidation else "200 OK")


def test_the_app_answers_a_first_read_with_the_same_bytes_the_fast_path_repeats(
    apps: tuple[Flask, Flask], make: Factories
) -> None:
    fast, _slow = apps
    site = a_site_with_a_comment(make)
    headers = {"Origin": ORIGIN, "Accept-Encoding": "gzip"}
    from_the_app = call(fast, site.slug, headers)
    only_the_fast_path(fast)
    assert call(fast, site.slug, headers) == from_the_app


def test_a_304_has_the_200s_caching_cors_and_vary_headers_and_no_entity_headers(
    apps: tuple[Flask, Flask], make: Factories
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    full = call(slow, site.slug, {"Origin": ORIGIN})
    revalidate = {"Origin": ORIGIN, "If-None-Match": dict(full.headers)["ETag"]}
    for app in (slow, fast):
        not_modified = call(app, site.slug, revalidate)
        assert not_modified.body == b""
        entity = {"Content-Type", "Content-Length", "Content-Encoding"}
        assert [h for h in full.headers if h[0] not in entity] == not_modified.headers


@pytest.mark.parametrize("accept", ["gzip;q=0", "identity", "br"])
def test_a_client_that_refuses_gzip_gets_identity_on_both_paths(
    apps: tuple[Flask, Flask], make: Factories, accept: str
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    call(fast, site.slug, {"Accept-Encoding": accept})
    only_the_fast_path(fast)
    for app in (fast, slow):
        answer = call(app, site.slug, {"Accept-Encoding": accept})
        assert "Content-Encoding" not in dict(answer.headers)
        assert json.loads(answer.body)["comments"]


@pytest.mark.parametrize("accept", ["gzip, deflate, br", "*", "deflate;q=0.5, gzip;q=0.1"])
def test_a_client_that_accepts_gzip_gets_it_on_both_paths(
    apps: tuple[Flask, Flask], make: Factories, accept: str
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    call(fast, site.slug, {"Accept-Encoding": accept})
    only_the_fast_path(fast)
    for app in (fast, slow):
        answer = call(app, site.slug, {"Accept-Encoding": accept})
        assert dict(answer.headers)["Content-Encoding"] == "gzip"
        assert json.loads(gzip.decompress(answer.body))["comments"]


@pytest.mark.parametrize(
    "if_none_match",
    ['W/"{etag}"', '"other", "{etag}"', "*", '"x", W/"{etag}"'],
    ids=["weak", "in-a-list", "star", "weak-in-a-list"],
)
def test_if_none_match_is_read_alike_on_both_paths(
    apps: tuple[Flask, Flask], make: Factories, if_none_match: str
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    etag = dict(call(fast, site.slug, {}).headers)["ETag"].strip('"')
    only_the_fast_path(fast)
    header = {"If-None-Match": if_none_match.format(etag=etag)}
    assert call(fast, site.slug, header) == call(slow, site.slug, header)
    assert call(fast, site.slug, header).status == "304 NOT MODIFIED"


@pytest.mark.parametrize(
    "if_none_match", ['"other"', '"{etag}x"', '"x,{etag}"'], ids=["other", "longer", "comma"]
)
def test_a_tag_that_is_not_this_pages_gets_the_page_on_both_paths(
    apps: tuple[Flask, Flask], make: Factories, if_none_match: str
) -> None:
    fast, slow = apps
    site = a_site_with_a_comment(make)
    etag = dict(call(fast, site.slug, {}).headers)["ETag"].strip('"')
    header = {"If-None-Match": if_none_match.format(etag=etag)}
    for app in (fast, slow):
        assert call(app, site.slug, header).status == "200 OK"


def test_a_304_on_the_fast_path_needs_no_cached_body(
    apps: tuple[Flask, Flask], make: Factories
) -> None:
    fast, _slow = apps
    site = a_site_with_a_comment(make)
    etag = dict(call(fast, site.slug, {}).headers)["ETag"]
    only_the_fast_path(fast)
    fast_path_of(fast).bodies = None  # type: ignore[assignment]  # any use of it would fail
    assert call(fast, site.slug, {"If-None-Match": etag}).status == "304 NOT MODIFIED"


def test_a_fast_path_answer_is_logged_with_its_request_id(
    database_url: str, connection: Any, make: Factories, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(make_settings(database_url, head_cache_seconds=60))
    get_db(app).bind_to(connection)
    site = a_site_with_a_comment(make)
    client = app.test_client()
    client.get(f"/api/v1/comments?site={site.slug}&thread=/post")
    only_the_fast_path(app)
    with caplog.at_level(logging.INFO, logger="sidenote.access"):
        answer = client.get(f"/api/v1/comments?site={site.slug}&thread=/post")
    (record,) = [r for r in caplog.records if r.name == "sidenote.access"]
    assert answer.headers["X-Request-Id"] in record.getMessage()
    assert "GET /api/v1/comments 200" in record.getMessage()
