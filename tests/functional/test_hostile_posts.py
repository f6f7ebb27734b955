"""Every XSS payload and Markdown case of the corpora through the real posting path: stored HTML
stays in the allowlist."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Comment
from tests import corpora
from tests.allowlist import allowlist_violations
from tests.factories import ORIGIN, Factories

pytestmark = pytest.mark.skipif(
    not corpora.available(), reason="../shared/corpora is not beside the project"
)

#: PostgreSQL gets an evenly spread sample (a few hundred in all); SQLite gets every payload.
POSTGRES_SAMPLE = {"xss": 300, "markdown": 100}
CORPUS = {"xss": corpora.xss_payloads, "markdown": corpora.markdown_cases}


def payloads_for(corpus: str, database_url: str) -> list[str]:
    everything = CORPUS[corpus]()
    if database_url.startswith("postgresql"):
        return corpora.sample(everything, POSTGRES_SAMPLE[corpus])
    return list(everything)


@pytest.mark.parametrize("corpus", ["xss", "markdown"])
def test_stored_html_of_every_payload_is_inside_the_allowlist(
    client: FlaskClient, make: Factories, session: Session, database_url: str, corpus: str
) -> None:
    """The XSS corpus, and the Markdown cases of corpora/markdown/ (CommonMark, GFM and
    markdown-it fixtures: the constructs a renderer gets wrong), through the API."""
    site = make.site()
    payloads = payloads_for(corpus, database_url)
    refused = []
    for number, payload in enumerate(payloads):
        response = client.post(
            "/api/v1/comments",
            json={
                "site": site.slug,
                "thread": f"/t{number // 500}",
                "thread_url": f"{ORIGIN}/t{number // 500}",
                "body": payload,
                "author": {"name": payload[:100].replace("\n", " ").replace("\r", " ")},
            },
        )
        if response.status_code != 201:
            refused.append((payload, response.status_code))
            assert response.status_code in {400, 422}, response.json
    stored = session.scalars(select(Comment.body_html)).all()
    assert len(stored) + len(refused) == len(payloads)
    assert len(stored) > 0.95 * len(payloads)
    problems = {html: allowlist_violations(html) for html in stored}
    assert {html: p for html, p in problems.items() if p} == {}


def test_hostile_names_are_stored_and_served_as_plain_text(
    client: FlaskClient, make: Factories
) -> None:
    site = make.site()
    name = '<img src=x onerror=alert(1)>"'
    created = client.post(
        "/api/v1/comments",
        json={
            "site": site.slug,
            "thread": "/p",
            "thread_url": f"{ORIGIN}/p",
            "body": "hi",
            "author": {"name": name},
        },
    ).json["comment"]
    assert created["author"]["name"] == name
    listed = client.get(f"/api/v1/comments?site={site.slug}&thread=/p").json["comments"][0]
    assert listed["author"]["name"] == name
