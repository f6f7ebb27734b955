"""The spam score learns on every site, in the default `post` mode too: published comments that
stay published train as legitimate after `spam_ham_after_hours`, moderators' decisions (also on
comments that are already published) train as they decide, and a changed mind moves the training.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment, Site, SpamClassifier, SpamTraining
from service.moderation import spam, spam_model
from service.worker import Worker
from tests.factories import Factories
from tests.functional.helpers import post_comment

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "spam"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@lru_cache(maxsize=1)
def psy_comments() -> tuple[list[str], list[str]]:
    """(legitimate, spam) texts of one video of the YouTube Spam Collection, distinct."""
    legit: list[str] = []
    spammy: list[str] = []
    path = next(CORPUS.glob("*Psy.csv"))
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            text = row["CONTENT"].strip()
            bucket = spammy if row["CLASS"] == "1" else legit
            if len(text) >= 20 and text not in bucket:
                bucket.append(text)
    return legit, spammy


def trained(session: Session, site: Site) -> tuple[int, int]:
    """(spam, legitimate) documents the site's score has learned."""
    session.expire_all()
    classifier = session.get(SpamClassifier, site.id)
    return (classifier.spam_docs, classifier.ham_docs) if classifier else (0, 0)


def label_of(session: Session, comment_id: int) -> str | None:
    session.expire_all()
    record = session.get(SpamTraining, comment_id)
    return record.label if record else None


def decide(client: FlaskClient, headers: dict[str, str], ids: list[int], action: str) -> None:
    response = client.post(
        "/api/v1/moderation/decisions", json={"ids": ids, "action": action}, headers=headers
    )
    assert response.status_code == 200, response.json
    assert all(result["ok"] for result in response.json["results"]), response.json


def run_worker(app: Flask) -> None:
    Worker(app, "settler").run_once()


def test_a_post_mode_site_gets_a_working_score_after_ordinary_use(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    session: Session,
    headers: dict[str, str],
    site: Site,
    rules: Callable[..., None],
) -> None:
    rules(site, spam_shipped_model=False)  # the site's own learning alone
    legit, spammy = psy_comments()
    assert site.moderation == "post"
    with clock.frozen(START) as frozen:
        published = []
        for n, body in enumerate(legit[:40] + spammy[:25]):
            answer = post_comment(
                client, site.slug, body=body, author={"name": f"r{n}"}, thread=f"/p{n}"
            )
            assert answer.status_code == 201 and answer.json["comment"]["status"] == "approved"
            published.append(answer.json["comment"]["id"])
        decide(client, headers, published[40:], "spam")  # a moderator cleans up the spam
        assert trained(session, site) == (25, 0)  # no legitimate example yet: no score
        fresh = post_comment(client, site.slug, body=spammy[30], author={"name": "x"}, thread="/n0")
        assert fresh.json["comment"]["status"] == "approved"
        assert session.get_one(Comment, fresh.json["comment"]["id"]).spam_score is None

        frozen.advance(hours=73)  # the published comments stayed up, unreported
        run_worker(app)
        assert trained(session, site) == (25, 41)  # the 40 and the fresh one

        held = post_comment(client, site.slug, body=spammy[40], author={"name": "y"}, thread="/n1")
        fine = post_comment(client, site.slug, body=legit[50], author={"name": "z"}, thread="/n2")
    session.expire_all()
    held_comment = session.get_one(Comment, held.json["comment"]["id"])
    fine_comment = session.get_one(Comment, fine.json["comment"]["id"])
    assert held.json["comment"]["status"] == "pending" and held_comment.spam_score is not None
    assert held_comment.spam_score >= 0.95
    assert fine.json["comment"]["status"] == "approved" and fine_comment.spam_score is not None
    assert fine_comment.spam_score < 0.5


def test_a_published_comment_trains_as_legitimate_only_once_it_has_stayed_published(
    app: Flask, make: Factories, session: Session, site: Site
) -> None:
    with clock.frozen(START) as frozen:
        comment = make.comment(site, body="The keepers lit the lamp at dusk every night.")
        frozen.advance(hours=71)
        run_worker(app)
        assert label_of(session, comment.id) is None and trained(session, site) == (0, 0)
        frozen.advance(hours=2)
        run_worker(app)
        assert label_of(session, comment.id) == "ham" and trained(session, site) == (0, 1)


def test_each_published_comment_trains_once_however_often_the_job_runs(
    session: Session, make: Factories, site: Site
) -> None:
    with clock.frozen(START) as frozen:
        make.comment(site, body="The granite came by boat from the quarry.")
        frozen.advance(hours=80)
        assert spam.train_settled(session, site.id, after_hours=72) == 1
        assert spam.train_settled(session, site.id, after_hours=72) == 0
        session.commit()
    assert trained(session, site) == (0, 1)


def test_a_reported_comment_waits_for_a_moderator_who_keeps_it(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    session: Session,
    headers: dict[str, str],
    site: Site,
) -> None:
    with clock.frozen(START) as frozen:
        comment = make.comment(site, body="I think the lens was French, not English.")
        report = client.post(f"/api/v1/comments/{comment.id}/report", json={"reason": "spam"})
        assert report.status_code == 202
        frozen.advance(hours=100)
        run_worker(app)
        assert label_of(session, comment.id) is None  # an open report: not settled
        decide(client, headers, [comment.id], "approve")  # "keep" it: already published
    assert label_of(session, comment.id) == "ham"
    assert trained(session, site) == (0, 1)


def test_approving_a_published_comment_trains_it_as_legitimate(
    client: FlaskClient, make: Factories, session: Session, headers: dict[str, str], site: Site
) -> None:
    comment = make.comment(site, body="Thanks, the tide tables were exactly what I needed.")
    response = client.post(
        f"/api/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve"},
        headers=headers,
    )
    assert response.status_code == 200
    assert label_of(session, comment.id) == "ham"


def test_a_settled_comment_that_turns_out_spam_moves_to_spam(
    session: Session,
    make: Factories,
    site: Site,
    client: FlaskClient,
    headers: dict[str, str],
    rules: Callable[..., None],
) -> None:
    rules(site, spam_shipped_model=False)  # it must get published first
    with clock.frozen(START) as frozen:
        comment = make.comment(site, body="Great video! visit my page for free gift cards")
        frozen.advance(hours=80)
        spam.train_settled(session, site.id, after_hours=72)
        session.commit()
        assert trained(session, site) == (0, 1)
        decide(client, headers, [comment.id], "spam")
        assert label_of(session, comment.id) == "spam" and trained(session, site) == (1, 0)
        frozen.advance(hours=80)
        assert spam.train_settled(session, site.id, after_hours=72) == 0  # never again as ham
    session.commit()
    features = spam_model.features(comment.body_source)
    counts = dict(
        session.execute(
            spam._TOKEN_COUNTS.with_only_columns(spam._tokens.c.token, spam._tokens.c.ham),
            {"site_id": site.id, "tokens": features},
        ).all()
    )
    assert set(counts.values()) == {0}  # its legitimate counts were taken back


def test_a_rejection_trains_as_spam(
    client: FlaskClient, make: Factories, session: Session, headers: dict[str, str], site: Site
) -> None:
    comment = make.comment(site, body="Buy followers cheap, DM me", status="pending")
    decide(client, headers, [comment.id], "reject")
    assert label_of(session, comment.id) == "spam" and trained(session, site) == (1, 0)


def test_undoing_a_bulk_approval_takes_its_training_back(
    client: FlaskClient, make: Factories, session: Session, headers: dict[str, str], site: Site
) -> None:
    ids = [
        make.comment(site, body=f"Held comment number {n}", status="pending").id for n in range(3)
    ]
    response = client.post(
        "/api/v1/moderation/decisions", json={"ids": ids, "action": "approve"}, headers=headers
    )
    assert trained(session, site) == (0, 3)
    undo = client.post(
        "/api/v1/moderation/undo", json={"batch": response.json["undo"]["batch"]}, headers=headers
    )
    assert undo.status_code == 200, undo.json
    assert trained(session, site) == (0, 0)


def test_a_bulk_decision_trains_only_the_comments_it_decided(
    client: FlaskClient, make: Factories, session: Session, headers: dict[str, str], site: Site
) -> None:
    ours = make.comment(site, body="Spam spam spam, click here", status="pending")
    elsewhere = make.comment(make.site(), body="Not your site to judge", status="pending")
    response = client.post(
        "/api/v1/moderation/decisions",
        json={"ids": [ours.id, elsewhere.id], "action": "spam"},
        headers=headers,
    )
    assert [r["ok"] for r in response.json["results"]] == [True, False]
    assert label_of(session, ours.id) == "spam" and label_of(session, elsewhere.id) is None


def test_settling_is_off_at_zero_hours(
    app: Flask, make: Factories, session: Session, site: Site, rules: Callable[..., None]
) -> None:
    rules(site, spam_ham_after_hours=0)
    with clock.frozen(START) as frozen:
        comment = make.comment(site, body="Lovely photographs of the old tower.")
        frozen.advance(days=30)
        run_worker(app)
    assert label_of(session, comment.id) is None


def test_a_pile_of_spam_marks_cannot_make_the_prior_favour_spam() -> None:
    assert spam_model.prior_log_odds(60, 0) == 0.0
    assert spam_model.prior_log_odds(60, 60) == 0.0
    assert spam_model.prior_log_odds(10, 990) == pytest.approx(-4.595, abs=1e-3)


# -- calibration -----------------------------------------------------------------------------


def train_site(make: Factories, site: Site, spam_count: int, legit_count: int) -> None:
    legit, spammy = psy_comments()
    for n, body in enumerate(spammy[:spam_count]):
        make.comment(site, body=body, status="spam", thread=f"/s{n}", author=f"s{n}")
    for n, body in enumerate(legit[:legit_count]):
        make.comment(site, body=body, thread=f"/h{n}", author=f"h{n}")
    # published comments train once they have settled: as if they had
    for comment in make.session.query(Comment).filter_by(site_id=site.id, status="approved"):
        spam.train(make.session, comment, "ham")
    make.session.commit()


def test_the_threshold_is_estimated_from_the_sites_decisions_for_the_accepted_rate(
    app: Flask, make: Factories, session: Session, site: Site, rules: Callable[..., None]
) -> None:
    rules(site, spam_min_examples=10, spam_legit_held_rate=0.05)
    train_site(make, site, 40, 60)
    run_worker(app)
    session.expire_all()
    classifier = session.get_one(SpamClassifier, site.id)
    assert classifier.threshold is not None and 0.5 <= classifier.threshold <= 1
    assert classifier.calibrated_examples == 100
    assert classifier.estimated_legit_held is not None and classifier.estimated_legit_held <= 0.05
    assert classifier.estimated_spam_held is not None and classifier.estimated_spam_held > 0.5


def test_without_enough_decisions_the_site_threshold_applies(
    make: Factories, session: Session, site: Site
) -> None:
    train_site(make, site, 3, 3)
    classifier = spam.calibrate(session, site.id, legit_held_rate=0.02, min_examples=20)
    assert classifier is not None and classifier.threshold is None
    assert spam.site_threshold(session, site.id, 0.95) == 0.95


def test_new_comments_are_held_at_the_calibrated_threshold(
    client: FlaskClient, make: Factories, session: Session, site: Site, rules: Callable[..., None]
) -> None:
    rules(site, spam_min_examples=3)
    train_site(make, site, 10, 10)
    body = "I love this song so much, it never gets old"
    first = post_comment(client, site.slug, body=body, thread="/a")
    assert first.json["comment"]["status"] == "approved"
    score = session.get_one(Comment, first.json["comment"]["id"]).spam_score
    assert score is not None and score < 0.95
    classifier = session.get_one(SpamClassifier, site.id)
    classifier.threshold = score / 2  # as if the site's history called for a low one
    session.commit()
    second = post_comment(client, site.slug, body=body + " really", thread="/b")
    assert second.json["comment"]["status"] == "pending"
    held = session.get_one(Comment, second.json["comment"]["id"])
    assert [r["code"] for r in held.moderation_reasons] == ["spam_score"]
