"""The rules dry run replays every rule that stored data can answer (one test per rule kind),
says which rules it cannot replay, and lists what the new rules would let through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.kernel.actors import SYSTEM_ACTOR
from service.kernel.text import text_fingerprint
from service.models import Comment, RefusedAttempt, Site
from service.privacy import retention
from tests.factories import Factories
from tests.functional.helpers import post_comment
from tests.functional.moderation.conftest import Credentials

API = "/api/v1/moderation"


@pytest.fixture
def dry_run(client: FlaskClient, creds: Credentials, site: Site) -> Callable[..., dict[str, Any]]:
    headers = creds.headers(site, "moderate")

    def run(rules: dict[str, Any], on: Site | None = None) -> dict[str, Any]:
        target = on or site
        response = client.post(
            f"{API}/sites/{target.slug}/rules/dry-run",
            json=rules,
            headers=creds.headers(target, "moderate") if on else headers,
        )
        assert response.status_code == 200, response.json
        return dict(response.json)

    return run


def stored(session: Session, comment: Comment, **values: Any) -> None:
    """Set what the service stored on a comment (a score, a report count) directly."""
    for name, value in values.items():
        setattr(comment, name, value)
    session.commit()


def verdicts(result: dict[str, Any]) -> dict[int, str]:
    return {item["comment"]["id"]: item["verdict"]["code"] for item in result["items"]}


def rule(result: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in result["rules"] if r["rule"] == name)


def test_a_lower_spam_score_threshold_holds_comments_by_their_stored_score(
    make: Factories, site: Site, session: Session, dry_run: Callable[..., dict[str, Any]]
) -> None:
    suspicious = make.comment(site, body="buy now, best prices")
    stored(session, suspicious, spam_score=0.8)
    stored(session, make.comment(site, body="a fine reply", thread="/b"), spam_score=0.1)
    result = dry_run({"spam_score_threshold": 0.7})
    assert verdicts(result) == {suspicious.id: "spam_score"}
    assert result["held"] == 1 and result["changed"] == 1
    (item,) = result["items"]
    assert item["changed"] is True and item["current"] is None
    threshold = rule(result, "spam_score_threshold")
    assert threshold["replayed"] is True and threshold["changed"] is True


def test_turning_the_spam_score_off_lists_what_it_no_longer_holds(
    make: Factories, site: Site, session: Session, dry_run: Callable[..., dict[str, Any]]
) -> None:
    held = make.comment(site, body="buy now, best prices")
    stored(session, held, spam_score=0.97)
    result = dry_run({"spam_score_enabled": False})
    assert result["items"] == [] and result["held"] == 0
    assert result["released"] == 1 and result["changed"] == 1
    (item,) = result["released_items"]
    assert item["comment"]["id"] == held.id and item["current"]["code"] == "spam_score"


def test_a_lower_report_threshold_holds_comments_by_their_reports(
    make: Factories, site: Site, session: Session, dry_run: Callable[..., dict[str, Any]]
) -> None:
    reported = make.comment(site, body="you are all wrong")
    stored(session, reported, report_count=2)
    make.comment(site, body="calm words", thread="/b")
    result = dry_run({"report_threshold": 2})
    assert verdicts(result) == {reported.id: "reports_threshold"}
    assert dry_run({"report_threshold": 0})["items"] == []


def test_a_longer_repeat_window_marks_the_same_text_again_as_spam(
    make: Factories, site: Site, dry_run: Callable[..., dict[str, Any]]
) -> None:
    text = "Lovely photos of the harbour at dawn"
    make.comment(
        site, body=text, email="rep@example.org", created_at=clock.now() - timedelta(hours=30)
    )
    again = make.comment(site, body=text, email="rep@example.org", thread="/b")
    assert again.status == "approved"  # 30 hours apart: not a repeat within 24 hours
    result = dry_run({"repeat_window_hours": 48})
    assert verdicts(result) == {again.id: "repeated_comment"}
    assert result["spam"] == 1 and result["held"] == 0
    assert dry_run({"repeat_window_hours": 24})["items"] == []


def test_a_higher_first_time_threshold_holds_authors_with_fewer_approved_comments(
    make: Factories, session: Session, dry_run: Callable[..., dict[str, Any]]
) -> None:
    site = make.site(moderation="first-time")
    first = make.comment(site, identity_key="sso:ann", created_at=clock.now() - timedelta(days=2))
    make.set_status(first, "approved")
    second = make.comment(site, identity_key="sso:ann", body="my second word", thread="/b")
    assert second.status == "approved"
    guest = make.comment(site, body="a guest's word", thread="/c")
    result = dry_run({"first_time_threshold": 2}, on=site)
    assert verdicts(result) == {
        first.id: "first_time_commenter",
        second.id: "first_time_commenter",
        guest.id: "first_time_commenter",  # a guest is always first-time
    }
    changed = {item["comment"]["id"]: item["changed"] for item in result["items"]}
    assert changed == {first.id: False, second.id: True, guest.id: False}
    assert rule(result, "first_time_threshold")["replayed"] is True


def test_a_lower_trusted_after_lets_an_established_author_skip_holds(
    make: Factories,
    site: Site,
    rules: Callable[..., None],
    dry_run: Callable[..., dict[str, Any]],
) -> None:
    rules(site, suspect_words=["dubious"])
    for n in range(2):
        make.comment(
            site,
            identity_key="sso:ann",
            body=f"earlier word {n}",
            created_at=clock.now() - timedelta(days=3 - n),
        )
    held = make.comment(site, identity_key="sso:ann", body="a dubious claim", thread="/b")
    assert held.status == "pending"
    result = dry_run({"suspect_words": ["dubious"], "trusted_after": 2})
    assert result["items"] == [] and result["released"] == 1
    assert result["released_items"][0]["current"]["code"] == "suspect_word"


def test_rules_that_cannot_be_replayed_say_so(
    site: Site, dry_run: Callable[..., dict[str, Any]]
) -> None:
    result = dry_run({"spam_min_examples": 5, "first_time_threshold": 3})
    examples = rule(result, "spam_min_examples")
    assert examples["replayed"] is False and examples["changed"] is True
    assert "Cannot be replayed" in examples["note"]
    assert "0 spam and 0 legitimate" in examples["note"]
    first_time = rule(result, "first_time_threshold")
    assert first_time["replayed"] is False and "first-time mode" in first_time["note"]
    assert rule(result, "banned_words") == {
        "rule": "banned_words",
        "replayed": True,
        "changed": False,
        "note": "Matched against each comment's current text and author; comments refused "
        "at posting are counted by the word that refused them.",
    }


def test_a_dry_run_costs_the_same_queries_whatever_the_number_of_comments(
    app: Flask,
    make: Factories,
    session: Session,
    count_queries: Any,
) -> None:
    from service.moderation.dry_run import dry_run
    from service.moderation.rules import Rules

    site = make.site(moderation="first-time")
    proposed = Rules(trusted_after=1, repeat_window_hours=48, spam_min_examples=3)

    def cost() -> int:
        session.expire_all()
        before = count_queries.count
        with app.app_context():
            dry_run(session, session.get_one(Site, site.id), proposed)
        return int(count_queries.count - before)

    make.comment(site, identity_key="sso:a", body="one comment here")
    few = cost()
    for n in range(6):
        make.comment(site, identity_key=f"sso:{n % 2}", body=f"more words {n}", thread=f"/t{n}")
    assert cost() == few


# -- one implementation ---------------------------------------------------------------------


def acting(reasons: list[dict[str, str]]) -> list[str]:
    """The codes of the stored reasons that acted: a trusted commenter's holds were lifted."""
    trusted = any(r["verdict"] == "trust" for r in reasons)
    return [
        r["code"]
        for r in reasons
        if r["verdict"] != "trust" and not (trusted and r["verdict"] == "hold")
    ]


def test_the_dry_run_of_the_current_rules_judges_comments_as_the_pipeline_did_when_posted(
    make: Factories,
    rules: Callable[..., None],
    dry_run: Callable[..., dict[str, Any]],
) -> None:
    site = make.site(moderation="first-time")
    rules(site, suspect_words=["dubious"], max_links=1, trusted_after=2, repeat_window_hours=24)
    decided: dict[int, tuple[str, list[str]]] = {}

    def post(**fields: Any) -> Comment:
        comment = make.comment(site, thread=f"/t{len(decided)}", **fields)
        decided[comment.id] = (comment.status, acting(comment.moderation_reasons))
        return comment

    first = post(identity_key="sso:ann", body="My first words here")
    make.set_status(first, "approved")
    post(identity_key="sso:ann", body="A second thought")
    post(identity_key="sso:ann", body="A dubious claim: www.a.example and www.b.example")
    post(email="guest@example.org", body="Guest words that come twice")
    post(email="guest@example.org", body="Guest words that come twice")
    post(identity_key="sso:bob", body="Some dubious news")
    statuses = [status for status, _ in decided.values()]
    assert statuses == ["pending", "approved", "approved", "pending", "spam", "pending"]

    result = dry_run(make.site_of(first).settings["rules"], on=site)

    status_of = {None: "approved", "hold": "pending", "spam": "spam"}
    replayed = {comment_id: ("approved", []) for comment_id in decided}
    for item in result["items"]:
        codes = [reason["code"] for reason in item["reasons"]]
        replayed[item["comment"]["id"]] = (status_of[item["verdict"]["action"]], codes)
        assert item["current"] == item["verdict"] and item["changed"] is False
    assert replayed == decided
    assert (result["changed"], result["released"]) == (0, 0)


# -- comments refused at posting -------------------------------------------------------------


def refuse(client: FlaskClient, site: Site, body: str) -> None:
    response = post_comment(client, site.slug, body=body)
    assert response.status_code == 422, response.json


def test_a_refused_comment_leaves_only_its_fingerprint_reason_and_rule(
    client: FlaskClient, site: Site, rules: Callable[..., None], session: Session
) -> None:
    rules(site, banned_words=["viagra"])
    refuse(client, site, "Cheap V1AGRA here")
    [attempt] = session.scalars(select(RefusedAttempt)).all()
    assert (attempt.site_id, attempt.reason, attempt.rule) == (site.id, "banned_word", "viagra")
    assert attempt.text_fingerprint == text_fingerprint("Cheap V1AGRA here")
    assert session.scalars(select(Comment).where(Comment.site_id == site.id)).all() == []


def test_the_dry_run_counts_refused_comments_a_change_would_let_through(
    client: FlaskClient,
    site: Site,
    rules: Callable[..., None],
    dry_run: Callable[..., dict[str, Any]],
) -> None:
    rules(site, banned_words=["viagra", "casino"])
    refuse(client, site, "Cheap viagra here")
    refuse(client, site, "Best casino in town")
    result = dry_run({"banned_words": ["casino"]})
    assert (result["refused"], result["released"], result["rejected"]) == (2, 1, 1)
    assert result["changed"] == 1
    same = dry_run({"banned_words": ["viagra", "casino"]})
    assert (same["refused"], same["released"], same["rejected"], same["changed"]) == (2, 0, 2, 0)


def test_refused_attempts_are_forgotten_after_the_rejected_retention(
    app: Flask, client: FlaskClient, site: Site, rules: Callable[..., None], session: Session
) -> None:
    rules(site, banned_words=["viagra"])
    refuse(client, site, "Cheap viagra here")
    days = app.config["SIDENOTE"].retain_rejected_days
    with clock.frozen(clock.now() + timedelta(days=days + 1)), app.app_context():
        purged = retention.purge(session, app.config["SIDENOTE"], SYSTEM_ACTOR)
    assert purged.refused_attempts == 1
    assert session.scalars(select(RefusedAttempt)).all() == []
