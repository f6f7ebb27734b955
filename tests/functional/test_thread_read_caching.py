"""A reload shows what is there now (issue 22): browsers revalidate every thread read with its
ETag; only CDNs may keep one for a few seconds, through the header fields meant for them alone.
Both read paths answer alike: the app, and the fast path that answers repeated reads."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.factories import Factories
from tests.functional.helpers import post_comment


def thread(slug: str) -> str:
    return f"/api/v1/comments?site={slug}&thread=/post"


def directives(value: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in value.split(","))
    return {name.lower(): number for name, _eq, number in pairs}


def browsers_revalidate(response: Any) -> bool:
    """What a browser (a private cache) reads: store it, but ask before every use."""
    control = directives(response.headers["Cache-Control"])
    stale_ok = {"max-age", "stale-while-revalidate", "stale-if-error", "immutable"}
    return "no-cache" in control and not stale_ok & control.keys() and "s-maxage" not in control


def cdns_keep_briefly(response: Any) -> bool:
    cdn = directives(response.headers["CDN-Cache-Control"])
    surrogate = directives(response.headers["Surrogate-Control"])
    return all(
        0 < int(fields["max-age"]) <= 10 and int(fields["stale-while-revalidate"]) <= 60
        for fields in (cdn, surrogate)
    )


def test_a_thread_read_is_revalidated_by_browsers_every_time(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    make.comment(site)
    first = client.get(thread(site.slug))  # the app answers
    again = client.get(thread(site.slug))  # the fast path answers from its caches
    for response in (first, again):
        assert response.status_code == 200
        assert response.headers["ETag"]
        assert browsers_revalidate(response)
        assert cdns_keep_briefly(response)


def test_the_304_carries_the_same_caching_headers(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    make.comment(site)
    etag = client.get(thread(site.slug)).headers["ETag"]
    not_modified = client.get(thread(site.slug), headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert browsers_revalidate(not_modified) and cdns_keep_briefly(not_modified)


def test_after_someone_posts_the_revalidation_brings_the_new_comment(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    make.comment(site, body="The first comment")
    before = client.get(thread(site.slug))
    assert post_comment(client, site.slug, body="A new comment").status_code == 201
    reload = client.get(thread(site.slug), headers={"If-None-Match": before.headers["ETag"]})
    assert reload.status_code == 200
    assert "A new comment" in reload.text


@pytest.mark.parametrize("path", ["/api/v1/counts?thread=/post", "/api/v1/latest?limit=5"])
def test_counts_and_latest_are_revalidated_too(
    client: FlaskClient, make: Factories, path: str
) -> None:
    site = make.site()
    make.comment(site)
    response = client.get(f"{path}&site={site.slug}")
    assert response.status_code == 200
    assert browsers_revalidate(response) and cdns_keep_briefly(response)
