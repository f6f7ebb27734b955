"""The shipped spam model: a new site's score from day one, blended with its own decisions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.models import Comment, Site
from service.moderation import shipped, spam
from tests.factories import Factories
from tests.functional.helpers import post_comment

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "spam"
OBVIOUS_SPAM = "Check out my channel and SUBSCRIBE!! free money http://bit.ly/win-cash-now"
PLAIN = "I read the second chapter twice; the part about the harbour at dawn is lovely."


def test_a_brand_new_site_holds_obvious_spam_from_its_first_comment(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, body=OBVIOUS_SPAM)
    assert response.status_code == 201 and response.json["comment"]["status"] == "pending"
    comment = session.get_one(Comment, response.json["comment"]["id"])
    assert comment.spam_score is not None and comment.spam_score >= 0.95
    assert [r["code"] for r in comment.moderation_reasons] == ["spam_score"]


def test_a_brand_new_site_publishes_a_plain_comment_with_its_score(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    site = make.site()
    response = post_comment(client, site.slug, body=PLAIN)
    assert response.status_code == 201 and response.json["comment"]["status"] == "approved"
    comment = session.get_one(Comment, response.json["comment"]["id"])
    assert comment.spam_score is not None and comment.spam_score < 0.95


def test_a_site_can_turn_the_shipped_model_off(
    client: FlaskClient, make: Factories, session: Session, rules: Callable[..., None]
) -> None:
    site = make.site()
    rules(site, spam_shipped_model=False)
    response = post_comment(client, site.slug, body=OBVIOUS_SPAM)
    assert response.json["comment"]["status"] == "approved"
    assert session.get_one(Comment, response.json["comment"]["id"]).spam_score is None


def _decide_many(make: Factories, site: Site, count: int, start: int) -> None:
    """`count` spam and `count` legitimate decisions; on this site, "subscribe to the
    newsletter" is what readers legitimately say."""
    for n in range(start, start + count):
        spam_comment = make.comment(
            site, body=f"cheap replica watches {n} order today", status="pending"
        )
        make.set_status(spam_comment, "spam")
        ham = make.comment(
            site, body=f"Subscribe to the newsletter for issue {n} news", status="pending"
        )
        make.set_status(ham, "approved")


def test_the_blend_moves_towards_the_sites_own_decisions_as_they_accrue(
    make: Factories, session: Session
) -> None:
    site = make.site()
    text = "subscribe to the newsletter please"
    model = shipped.load()

    def score() -> float:
        found = spam.score(session, site.id, text, min_examples=20, model=model)
        assert found is not None
        return found

    scores = [score()]
    for start in (0, 20, 60, 140):
        _decide_many(make, site, 20 if start < 20 else start, start)
        session.commit()
        scores.append(score())
    own = spam.score(session, site.id, text, min_examples=20, model=None)
    assert own is not None and own < 0.2
    assert scores[0] > 0.5  # the shipped model alone: "subscribe" is YouTube spam's word
    assert scores == sorted(scores, reverse=True) and scores[-1] < scores[1] < scores[0]
    assert abs(scores[-1] - own) < abs(scores[1] - own)


def test_the_sites_weight_is_n_over_n_plus_k_of_its_rarer_kind() -> None:
    assert spam.site_weight(19, 500, 20) == 0.0
    assert spam.site_weight(50, 500, 20) == pytest.approx(50 / (50 + spam.SITE_WEIGHT_K))
    assert spam.blend(2.0, -2.0, 0.25) == pytest.approx(1.0)
    assert spam.blend(2.0, None, 0.5) == 2.0 and spam.blend(None, -1.0, 0.3) == -1.0


def test_the_shipped_model_loads_from_the_package_with_its_licence() -> None:
    model = shipped.load()
    assert model.spam_docs + model.ham_docs == 1956 and len(model.counts) > 1000
    assert model.meta["license"] == "CC-BY-4.0" and "TubeSpam" in model.meta["attribution"]
    assert all(spam_n + ham_n >= shipped.MIN_DOCUMENTS for spam_n, ham_n in model.counts.values())


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs shared/corpora/spam")
def test_the_shipped_model_is_what_the_script_builds_from_the_corpus() -> None:
    from bench.train_shipped_model import OUTPUT, build_text

    assert OUTPUT.read_text(encoding="utf-8") == build_text(CORPUS)
