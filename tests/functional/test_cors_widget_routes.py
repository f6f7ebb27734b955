"""CORS on every route the widget (embed.js), count.js and inline.js call, taken from the OpenAPI
document: readable by the site's listed origins and by no other, whatever carries the site (the
`{site}` path argument, `?site=`, the JSON body, a comment id); preflights included.

A page on an origin the site does not list learns only that (`origin_not_allowed`, readable
everywhere on purpose), never the site's data.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from service.comments import origins
from service.models import Comment, Site
from tests.conftest import QueryCounter
from tests.factories import ORIGIN, Factories

#: Another site's origin: listed, but not for this site.
OTHER_SITE_ORIGIN = "https://other.example"
#: No site lists it.
STRANGER = "https://stranger.example"
WIDGET_HEADERS = "Content-Type, Authorization, X-Sidenote-Edit-Token, X-Sidenote-Voter"

#: (method, OpenAPI path) of every call in embed/src (api.ts callers, count.ts, inline/), and
#: where the site comes from: "path", "query", "body" or "comment".
WIDGET_ROUTES: dict[tuple[str, str], str] = {
    ("get", "/api/v1/sites/{site}/config"): "path",  # widget.ts start()
    ("get", "/api/v1/comments"): "query",  # api.page(): first load, polling, "load more"
    ("post", "/api/v1/comments"): "body",  # composer.ts: post, reply, passage comment, notify
    ("get", "/api/v1/comments/{comment_id}"): "comment",  # widget.ts: a linked comment
    ("patch", "/api/v1/comments/{comment_id}"): "comment",  # composer.ts: edit
    ("delete", "/api/v1/comments/{comment_id}"): "comment",  # thread.ts: delete
    ("get", "/api/v1/comments/{comment_id}/replies"): "comment",  # thread.ts, widget.ts
    ("post", "/api/v1/comments/{comment_id}/vote"): "comment",  # thread.ts
    ("post", "/api/v1/comments/{comment_id}/report"): "comment",  # thread.ts
    ("get", "/api/v1/form-token"): "query",  # widget.ts: the form token
    ("post", "/api/v1/preview"): "body",  # composer.ts: Preview tab
    ("get", "/api/v1/counts"): "query",  # count.ts
    ("post", "/api/v1/sso/session"): "body",  # widget.ts: SSO sign-in
    ("post", "/api/v1/sso/logout"): "body",  # widget.ts: sign out
    ("post", "/api/v1/guest/verify"): "body",  # composer.ts: verified guests
    ("post", "/api/v1/guest/session"): "body",  # widget.ts: a guest's login code
    ("post", "/api/v1/me/link"): "body",  # widget.ts: "My comments and data"
}


@pytest.fixture
def openapi(client: FlaskClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/api/v1/openapi.json").json  # type: ignore[assignment]
    return document


def widget_operations(document: dict[str, Any]) -> list[tuple[str, str]]:
    found = [
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if (method, path) in WIDGET_ROUTES
    ]
    assert sorted(found) == sorted(WIDGET_ROUTES), "a widget route is missing from the document"
    return found


def call(
    client: FlaskClient, method: str, path: str, site: Site, comment: Comment, origin: str
) -> TestResponse:
    url = path.replace("{site}", site.slug).replace("{comment_id}", str(comment.id))
    headers = {"Origin": origin, "X-Sidenote-Voter": "voter-aaaaaaaa"}
    if WIDGET_ROUTES[(method, path)] == "query":
        url += f"?site={site.slug}&thread=/a"
    if method == "get":
        return client.get(url, headers=headers)
    body = {"site": site.slug} if WIDGET_ROUTES[(method, path)] == "body" else {}
    return client.open(url, method=method.upper(), json=body, headers=headers)


def preflight(
    client: FlaskClient, method: str, path: str, site: Site, comment: Comment, origin: str
) -> TestResponse:
    url = path.replace("{site}", site.slug).replace("{comment_id}", str(comment.id))
    if WIDGET_ROUTES[(method, path)] == "query":
        url += f"?site={site.slug}&thread=/a"
    return client.options(
        url,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method.upper(),
            "Access-Control-Request-Headers": WIDGET_HEADERS.lower().replace(" ", ""),
        },
    )


@pytest.fixture
def world(make: Factories) -> tuple[Site, Comment]:
    site = make.site()
    make.site(origins=[OTHER_SITE_ORIGIN])
    return site, make.comment(site, "/a")


def test_every_widget_route_is_readable_by_a_listed_origin(
    client: FlaskClient, openapi: dict[str, Any], world: tuple[Site, Comment]
) -> None:
    refused = []
    for method, path in widget_operations(openapi):
        response = call(client, method, path, *world, ORIGIN)
        if response.headers.get("Access-Control-Allow-Origin") != ORIGIN:
            refused.append(f"{method.upper()} {path} ({response.status_code})")
        assert "Origin" in response.headers["Vary"]
    assert refused == []


@pytest.mark.parametrize("origin", [OTHER_SITE_ORIGIN, STRANGER])
def test_no_widget_route_is_readable_by_an_unlisted_origin(
    client: FlaskClient, openapi: dict[str, Any], world: tuple[Site, Comment], origin: str
) -> None:
    granted = []
    for method, path in widget_operations(openapi):
        response = call(client, method, path, *world, origin)
        allowed = response.headers.get("Access-Control-Allow-Origin")
        if path == "/api/v1/sites/{site}/config":
            assert response.status_code == 403 and allowed == "*"
        elif allowed is not None:
            granted.append(f"{method.upper()} {path}: {allowed}")
    assert granted == []


def test_every_widget_route_grants_a_preflight_to_a_listed_origin(
    client: FlaskClient, openapi: dict[str, Any], world: tuple[Site, Comment]
) -> None:
    for method, path in widget_operations(openapi):
        response = preflight(client, method, path, *world, ORIGIN)
        assert response.status_code == 204, path
        assert response.headers.get("Access-Control-Allow-Origin") == ORIGIN, (method, path)
        assert method.upper() in response.headers["Access-Control-Allow-Methods"]
        allowed = {
            name.strip().lower()
            for name in response.headers["Access-Control-Allow-Headers"].split(",")
        }
        assert {name.strip().lower() for name in WIDGET_HEADERS.split(",")} <= allowed


def test_a_preflight_from_an_origin_no_site_lists_is_refused_everywhere(
    client: FlaskClient, openapi: dict[str, Any], world: tuple[Site, Comment]
) -> None:
    for method, path in widget_operations(openapi):
        response = preflight(client, method, path, *world, STRANGER)
        assert "Access-Control-Allow-Origin" not in response.headers, (method, path)


def test_a_preflight_naming_the_site_refuses_another_sites_origin(
    client: FlaskClient, openapi: dict[str, Any], world: tuple[Site, Comment]
) -> None:
    """Only routes whose site is in the JSON body (which a preflight does not carry) grant a
    preflight to any site's origin; their response is then unreadable (test above)."""
    for method, path in widget_operations(openapi):
        response = preflight(client, method, path, *world, OTHER_SITE_ORIGIN)
        granted = "Access-Control-Allow-Origin" in response.headers
        assert granted == (WIDGET_ROUTES[(method, path)] == "body"), (method, path)


def test_the_config_route_follows_the_site_in_its_path(
    client: FlaskClient, world: tuple[Site, Comment]
) -> None:
    site, _ = world
    response = client.get(f"/api/v1/sites/{site.slug}/config", headers={"Origin": ORIGIN})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_an_unlisted_origin_learns_what_to_do_and_nothing_about_the_site(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site("blog", name="A private name", origins=["https://blog.example"])
    response = client.get("/api/v1/sites/blog/config", headers={"Origin": "https://x.example"})
    assert response.status_code == 403
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json == {
        "error": {
            "code": "origin_not_allowed",
            "message": "this page's origin https://x.example is not one of site 'blog''s "
            "origins; add it with `sidenote site update blog --origin …`",
        }
    }
    assert site.name not in response.text and "blog.example" not in response.text


def test_a_request_without_origin_still_reads_the_config(
    client: FlaskClient, world: tuple[Site, Comment]
) -> None:
    """Same-origin reads and servers send no Origin: nothing changes for them."""
    site, _ = world
    assert client.get(f"/api/v1/sites/{site.slug}/config").status_code == 200


def test_an_unknown_comment_is_a_readable_404_for_a_sites_origin(
    client: FlaskClient, world: tuple[Site, Comment]
) -> None:
    """The widget sees "not found", not a network failure, for a comment deleted meanwhile."""
    response = client.get("/api/v1/comments/999999999", headers={"Origin": ORIGIN})
    assert response.status_code == 404
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    response = client.get("/api/v1/comments/999999999", headers={"Origin": STRANGER})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_the_site_of_a_comment_is_remembered_without_a_query(
    client: FlaskClient, world: tuple[Site, Comment], count_queries: QueryCounter
) -> None:
    _, comment = world
    url = f"/api/v1/comments/{comment.id}/replies"
    client.get(url, headers={"Origin": ORIGIN})  # learns the comment's site and its origins
    before = count_queries.count
    client.get(url)
    without_origin = count_queries.count - before
    response = client.get(url, headers={"Origin": ORIGIN})
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert count_queries.count - before == 2 * without_origin


def test_made_up_slugs_cannot_grow_the_origin_cache_without_bound(
    app: Flask, client: FlaskClient, world: tuple[Site, Comment], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(origins, "SLUG_CACHE_SIZE", 5)
    for number in range(20):
        client.get(f"/api/v1/counts?site=made-up-{number}&thread=/a", headers={"Origin": ORIGIN})
    assert len(app.extensions["sidenote.origins"]._by_slug) <= 5
