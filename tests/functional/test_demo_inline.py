"""`make run` seeds the demo article with inline comments: real anchors on its text, replies,
an author passage and exactly one orphan, once."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.demo import seed_demo
from service.demo.inline import INLINE_CONVERSATION, demo_article_text
from service.models import CommentAnchor


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"env": "development"}


def test_the_demo_article_gets_its_inline_comments_once(
    app: Flask, session: Session, client: FlaskClient
) -> None:
    with app.app_context():
        first = list(seed_demo(session, port=8000))
        again = list(seed_demo(session, port=8000))
        session.commit()
        text = demo_article_text().text

    assert any("inline demo comments" in line for line in first)
    assert not any("inline demo comments" in line for line in again)
    anchored = [seed for seed in INLINE_CONVERSATION if not seed.reply_to]
    assert session.scalar(select(func.count()).select_from(CommentAnchor)) == len(anchored)

    page = client.get("/api/v1/comments", query_string={"site": "demo", "thread": "/"}).json
    anchors = [c["anchor"] for c in page["comments"] if c["anchor"]]
    assert len(anchors) == len(anchored)
    assert {a["kind"] for a in anchors} == {"quote", "passage"}
    missing = [a["quote"]["exact"] for a in anchors if a["quote"]["exact"] not in text]
    assert len(missing) == 2  # the orphan, and the quote worded before the article's edit
    assert sum(1 for c in page["comments"] if c["anchor"] and c["replies"]) >= 4
