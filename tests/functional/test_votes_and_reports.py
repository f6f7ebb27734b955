"""Votes (one per voter, replaceable, capped per IP) and reports (one per identity or IP hash)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import Comment, Report, Vote
from tests.factories import Factories
from tests.functional.helpers import error_of, read_thread


def vote(client: FlaskClient, comment_id: int, value: int, voter: str = "voter-aaaaaaaa"):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/comments/{comment_id}/vote",
        json={"value": value},
        headers={"X-Sidenote-Voter": voter},
    )


def test_a_vote_returns_fresh_counts(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    response = vote(client, comment.id, 1)
    assert response.status_code == 200
    assert response.json == {"upvotes": 1, "downvotes": 0}


def test_voting_again_replaces_the_vote(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    vote(client, comment.id, 1)
    assert vote(client, comment.id, -1).json == {"upvotes": 0, "downvotes": 1}
    assert vote(client, comment.id, -1).json == {"upvotes": 0, "downvotes": 1}
    assert vote(client, comment.id, 0).json == {"upvotes": 0, "downvotes": 0}


def test_each_voter_counts_once(client: FlaskClient, make: Factories, session: Session) -> None:
    comment = make.comment()
    vote(client, comment.id, 1, "voter-aaaaaaaa")
    vote(client, comment.id, 1, "voter-bbbbbbbb")
    assert vote(client, comment.id, 1, "voter-aaaaaaaa").json["upvotes"] == 2
    assert session.scalar(select(func.count()).select_from(Vote)) == 2


def test_votes_over_the_ip_cap_leave_counts_unchanged(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    for n in range(5):
        assert vote(client, comment.id, 1, f"voter-minted-{n:04d}").json["upvotes"] == n + 1
    response = vote(client, comment.id, 1, "voter-minted-9999")
    assert response.status_code == 200
    assert response.json == {"upvotes": 5, "downvotes": 0}


def test_a_capped_voter_may_still_change_an_existing_vote(
    client: FlaskClient, make: Factories
) -> None:
    comment = make.comment()
    for n in range(5):
        vote(client, comment.id, 1, f"voter-minted-{n:04d}")
    assert vote(client, comment.id, -1, "voter-minted-0000").json == {"upvotes": 4, "downvotes": 1}


@pytest.mark.parametrize("value", [2, "1", None, True])
def test_a_vote_value_outside_1_0_minus_1_is_400(
    client: FlaskClient, make: Factories, value: object
) -> None:
    comment = make.comment()
    response = client.post(
        f"/api/v1/comments/{comment.id}/vote",
        json={"value": value},
        headers={"X-Sidenote-Voter": "voter-aaaaaaaa"},
    )
    assert response.status_code == 400
    assert "value" in error_of(response)["fields"]


def test_a_malformed_voter_id_is_400(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    response = vote(client, comment.id, 1, voter="<script>")
    assert response.status_code == 400
    assert "X-Sidenote-Voter" in error_of(response)["fields"]


def test_votes_do_not_bump_the_thread_version(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment = make.comment()
    version = make.thread_of(comment).version
    vote(client, comment.id, 1)
    assert make.thread_of(comment).version == version


def test_scores_reach_readers_within_one_refresh_window(
    client: FlaskClient, make: Factories
) -> None:
    comment = make.comment()
    url = f"/api/v1/comments?site={make.slug_of(comment)}&thread=/post"
    now = clock.now()
    with clock.frozen(now) as frozen:
        etag = client.get(url).headers["ETag"]
        vote(client, comment.id, 1)
        frozen.advance(seconds=11)
        fresh = client.get(url, headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.json["comments"][0]["upvotes"] == 1


def test_a_report_is_accepted(client: FlaskClient, make: Factories, session: Session) -> None:
    comment = make.comment()
    response = client.post(
        f"/api/v1/comments/{comment.id}/report", json={"reason": "abuse", "note": "rude"}
    )
    assert response.status_code == 202
    report = session.scalars(select(Report)).one()
    assert (report.reason, report.note) == ("abuse", "rude")
    session.expire_all()
    assert session.get_one(Comment, comment.id).report_count == 1


def test_repeated_reports_by_one_reporter_are_idempotent(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment = make.comment()
    for _ in range(3):
        response = client.post(
            f"/api/v1/comments/{comment.id}/report",
            json={"reason": "spam"},
            headers={"X-Sidenote-Voter": "voter-aaaaaaaa"},
        )
        assert response.status_code == 202
    assert session.scalar(select(func.count()).select_from(Report)) == 1
    session.expire_all()
    assert session.get_one(Comment, comment.id).report_count == 1


def report_from(client: FlaskClient, comment_id: int, voter: str, address: str) -> int:
    response = client.post(
        f"/api/v1/comments/{comment_id}/report",
        json={"reason": "abuse"},
        headers={"X-Sidenote-Voter": voter},
        environ_overrides={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_reports_with_minted_voter_ids_from_one_address_count_once(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment = make.comment()
    for n in range(5):
        assert report_from(client, comment.id, f"voter-minted-{n:04d}", "203.0.113.5") == 202
    assert session.scalar(select(func.count()).select_from(Report)) == 1
    session.expire_all()
    assert session.get_one(Comment, comment.id).report_count == 1


def test_reports_from_different_addresses_count_as_different_reporters(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment = make.comment()
    for n in range(3):
        assert report_from(client, comment.id, "voter-aaaaaaaa", f"203.0.113.{n + 1}") == 202
    session.expire_all()
    assert session.get_one(Comment, comment.id).report_count == 3


def test_a_report_needs_a_known_reason(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    response = client.post(f"/api/v1/comments/{comment.id}/report", json={"reason": "ugly"})
    assert response.status_code == 400
    assert "reason" in error_of(response)["fields"]


def test_votes_on_unknown_comments_are_404(client: FlaskClient, make: Factories) -> None:
    make.site()
    assert vote(client, 424242, 1).status_code == 404


def test_preview_renders_like_posting(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.post("/api/v1/preview", json={"site": site.slug, "body": "**hi** <b>x</b>"})
    assert response.status_code == 200
    assert response.json == {"html": "<p><strong>hi</strong> &lt;b&gt;x&lt;/b&gt;</p>"}


def test_preview_of_an_empty_body_is_400(client: FlaskClient, make: Factories) -> None:
    site = make.site()
    response = client.post("/api/v1/preview", json={"site": site.slug, "body": " "})
    assert response.status_code == 400


def test_thread_scores_appear_in_reads(client: FlaskClient, make: Factories) -> None:
    comment = make.comment()
    with clock.frozen(clock.now() - timedelta(minutes=1)):
        vote(client, comment.id, -1)
    listed = read_thread(client, make.slug_of(comment))["comments"][0]
    assert (listed["upvotes"], listed["downvotes"]) == (0, 1)
