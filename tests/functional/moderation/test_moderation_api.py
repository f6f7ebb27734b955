"""The moderation API: queue, decisions, edits, threads, trust, undo, audit, rules, bans, admin."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import actors, clock
from service.models import AuditEntry, Ban, Comment, Report, Site, Thread
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment
from tests.functional.moderation.conftest import Credentials

API = "/api/v1/moderation"


def refreshed(session: Session, comment: Comment) -> Comment:
    session.expire_all()
    session.refresh(comment)
    return comment


def decide(client: FlaskClient, headers: dict[str, str], comment_id: int, action: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/comments/{comment_id}/decision", json={"action": action}, headers=headers
    )


# -- queue -----------------------------------------------------------------------------------


def test_the_queue_lists_pending_comments_with_moderator_fields(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending", email="ann@example.org", author="Ann")
    make.comment(site, body="already fine")
    response = client.get(f"{API}/queue", query_string={"site": site.slug}, headers=headers)
    assert response.status_code == 200
    items = response.json["items"]
    assert [i["comment"]["id"] for i in items] == [comment.id]
    item = items[0]
    assert item["comment"]["status"] == "pending"
    assert item["comment"]["author"]["email"] == "ann@example.org"
    assert item["comment"]["ip_hash"]
    assert item["thread"]["key"] == "/post"
    assert item["author_history"]["pending"] == 1
    assert set(item) >= {"reasons", "spam_score", "reports"}


def test_the_queue_pages_with_a_cursor(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    ids = [make.comment(site, body=f"c{n}", status="pending", thread=f"/t{n}").id for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"site": site.slug, "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get(f"{API}/queue", query_string=params, headers=headers).json
        seen += [i["comment"]["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)


def test_a_bad_cursor_is_400(client: FlaskClient, site: Site, headers: dict[str, str]) -> None:
    response = client.get(
        f"{API}/queue", query_string={"site": site.slug, "cursor": "!!"}, headers=headers
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    ("param", "value"),
    [("author", "Zed"), ("author", "zed@example.org"), ("q", "needle"), ("thread", "/zed")],
)
def test_the_queue_filters(
    client: FlaskClient,
    make: Factories,
    site: Site,
    headers: dict[str, str],
    param: str,
    value: str,
) -> None:
    wanted = make.comment(
        site,
        body="a needle here",
        author="Zed",
        email="zed@example.org",
        status="pending",
        thread="/zed",
    )
    make.comment(site, body="other text", author="Amy", status="pending")
    response = client.get(
        f"{API}/queue", query_string={"site": site.slug, param: value}, headers=headers
    )
    assert [i["comment"]["id"] for i in response.json["items"]] == [wanted.id]


def test_the_queue_filters_by_reason(
    client: FlaskClient,
    make: Factories,
    site: Site,
    headers: dict[str, str],
    rules: Callable[..., None],
) -> None:
    rules(site, suspect_words=["hmm"])
    held = make.comment(site, body="hmm, well")
    make.comment(site, body="plain", status="pending")
    response = client.get(
        f"{API}/queue",
        query_string={"site": site.slug, "reason": "suspect_word"},
        headers=headers,
    )
    items = response.json["items"]
    assert [i["comment"]["id"] for i in items] == [held.id]
    assert items[0]["reasons"][0]["code"] == "suspect_word"


def test_the_reported_tab_lists_comments_with_open_reports(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    client.post(
        f"/api/v1/comments/{comment.id}/report",
        json={"reason": "spam", "note": "ad"},
        headers={"X-Sidenote-Voter": "reporter-aaaaaaaa"},
    )
    page = client.get(
        f"{API}/queue", query_string={"site": site.slug, "status": "reported"}, headers=headers
    ).json
    assert [i["comment"]["id"] for i in page["items"]] == [comment.id]
    assert page["items"][0]["reports"][0]["note"] == "ad"
    decide(client, headers, comment.id, "approve")
    page = client.get(
        f"{API}/queue", query_string={"site": site.slug, "status": "reported"}, headers=headers
    ).json
    assert page["items"] == []


def test_counts_per_tab(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    make.comment(site, status="pending")
    make.comment(site, body="two", status="spam")
    make.comment(site, body="three")
    counts = client.get(f"{API}/counts", query_string={"site": site.slug}, headers=headers).json[
        "counts"
    ]
    assert counts == {"pending": 1, "reported": 0, "spam": 1, "approved": 1, "rejected": 0}


# -- decisions -------------------------------------------------------------------------------


def test_approving_publishes_and_audits(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site, status="pending")
    response = decide(client, headers, comment.id, "approve")
    assert response.status_code == 200
    assert response.json["comment"]["status"] == "approved"
    assert response.json["previous_status"] == "pending"
    assert response.json["undo"]["batch"]
    assert make.thread_of(comment).approved_count == 1
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.approve"))
    assert entry is not None and entry.before == {"status": "pending"}
    assert entry.after is not None and entry.after["status"] == "approved"


@pytest.mark.parametrize("start", ["rejected", "spam", "approved"])
def test_any_status_can_be_decided_again(
    client: FlaskClient,
    make: Factories,
    site: Site,
    headers: dict[str, str],
    session: Session,
    start: str,
) -> None:
    comment = make.comment(site, status=start)
    target = {"rejected": "approve", "spam": "approve", "approved": "spam"}[start]
    assert decide(client, headers, comment.id, target).status_code == 200
    assert refreshed(session, comment).status == ("spam" if target == "spam" else "approved")


def test_deciding_on_a_missing_comment_is_404(client: FlaskClient, headers: dict[str, str]) -> None:
    assert decide(client, headers, 999_999, "approve").status_code == 404


def test_a_bad_action_is_400(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending")
    assert decide(client, headers, comment.id, "delete").status_code == 400


def test_bulk_decisions_answer_per_comment(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    first = make.comment(site, status="pending")
    second = make.comment(site, body="second", status="pending")
    elsewhere = make.comment(status="pending")
    response = client.post(
        f"{API}/decisions",
        json={"ids": [first.id, second.id, elsewhere.id, 999_999], "action": "reject"},
        headers=headers,
    )
    assert response.status_code == 200
    results = {r["id"]: r for r in response.json["results"]}
    assert results[first.id]["ok"] and results[second.id]["ok"]
    assert results[elsewhere.id]["error"]["code"] == "forbidden"
    assert results[999_999]["error"]["code"] == "not_found"
    assert refreshed(session, first).status == "rejected"
    assert refreshed(session, elsewhere).status == "pending"


def test_undo_reverts_a_bulk_decision(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    first = make.comment(site, status="pending")
    second = make.comment(site, body="second")
    response = client.post(
        f"{API}/decisions", json={"ids": [first.id, second.id], "action": "spam"}, headers=headers
    )
    batch = response.json["undo"]["batch"]
    undone = client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    assert undone.status_code == 200 and undone.json["reverted"] == 2
    assert refreshed(session, first).status == "pending"
    assert refreshed(session, second).status == "approved"
    again = client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    assert again.status_code == 400


def test_undo_reopens_resolved_reports(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site)
    client.post(
        f"/api/v1/comments/{comment.id}/report",
        json={"reason": "spam"},
        headers={"X-Sidenote-Voter": "reporter-aaaaaaaa"},
    )
    batch = decide(client, headers, comment.id, "approve").json["undo"]["batch"]
    client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    session.expire_all()
    report = session.scalar(select(Report).where(Report.comment_id == comment.id))
    assert report is not None and report.resolved_at is None


def test_undo_is_refused_when_too_late(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending")
    batch = decide(client, headers, comment.id, "approve").json["undo"]["batch"]
    with clock.frozen(clock.now() + timedelta(hours=1)):
        response = client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    assert response.status_code == 400


def test_undo_of_an_unknown_batch_is_404(client: FlaskClient, headers: dict[str, str]) -> None:
    assert client.post(f"{API}/undo", json={"batch": "nope"}, headers=headers).status_code == 404


# -- edit, pin, thread, trust ----------------------------------------------------------------


def test_a_moderator_edit_is_marked_and_noted(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site, body="Buy at spam.example")
    response = client.patch(
        f"{API}/comments/{comment.id}",
        json={"body": "[link removed]", "note": "no ads"},
        headers=headers,
    )
    assert response.status_code == 200
    assert response.json["comment"]["edited_by_moderator"] is True
    public = client.get(f"/api/v1/comments/{comment.id}").json["comment"]
    assert public["edited_by_moderator"] is True and "link removed" in public["html"]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.edit"))
    assert entry is not None and entry.reason == "no ads"
    assert entry.before is not None and entry.before["body_source"] == "Buy at spam.example"


def test_a_moderator_edit_is_sanitised(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.patch(
        f"{API}/comments/{comment.id}",
        json={"body": "<script>alert(1)</script> [x](javascript:alert(1))"},
        headers=headers,
    )
    html = response.json["comment"]["html"]
    assert "<script" not in html and 'href="javascript' not in html


def test_undo_restores_an_edited_text(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site, body="original words")
    batch = client.patch(
        f"{API}/comments/{comment.id}", json={"body": "changed"}, headers=headers
    ).json["undo"]["batch"]
    client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    restored = refreshed(session, comment)
    assert restored.body_source == "original words" and not restored.edited_by_moderator


def test_pinning_a_top_level_comment(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site)
    response = client.patch(f"{API}/comments/{comment.id}", json={"pinned": True}, headers=headers)
    assert response.status_code == 200 and response.json["comment"]["pinned"] is True


def test_a_reply_cannot_be_pinned(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    parent = make.comment(site)
    reply = make.comment(site, parent=parent, body="reply")
    response = client.patch(f"{API}/comments/{reply.id}", json={"pinned": True}, headers=headers)
    assert response.status_code == 400


def test_locking_a_thread_refuses_new_comments(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.patch(
        f"{API}/threads/{comment.thread_id}", json={"locked": True}, headers=headers
    )
    assert response.status_code == 200 and response.json["thread"]["locked"] is True
    assert error_of(post_comment(client, site.slug, body="late"))["code"] == "thread_locked"


def test_premoderating_a_thread_holds_its_new_comments(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    client.patch(f"{API}/threads/{comment.thread_id}", json={"moderation": "pre"}, headers=headers)
    assert post_comment(client, site.slug, body="new").json["comment"]["status"] == "pending"
    client.patch(f"{API}/threads/{comment.thread_id}", json={"moderation": "site"}, headers=headers)
    assert post_comment(client, site.slug, body="newer").json["comment"]["status"] == "approved"


def test_undo_unlocks_a_thread(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    comment = make.comment(site)
    batch = client.patch(
        f"{API}/threads/{comment.thread_id}", json={"locked": True}, headers=headers
    ).json["undo"]["batch"]
    client.post(f"{API}/undo", json={"batch": batch}, headers=headers)
    session.expire_all()
    thread = session.get(Thread, comment.thread_id)
    assert thread is not None and thread.locked is False


def test_trusting_a_guest_is_400(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.post(f"{API}/comments/{comment.id}/trust", json={}, headers=headers)
    assert response.status_code == 400


def test_trusting_a_verified_author_skips_premoderation(
    client: FlaskClient, make: Factories, headers: dict[str, str], creds: Credentials
) -> None:
    site = make.site(moderation="pre")
    comment = make.comment(site, identity_key="sso:ann", status="pending")
    response = client.post(
        f"{API}/comments/{comment.id}/trust",
        json={"trusted": True},
        headers=creds.headers(site, "moderate"),
    )
    assert response.status_code == 200
    assert make.comment(site, identity_key="sso:ann", body="again").status == "approved"


# -- audit -----------------------------------------------------------------------------------


def test_the_audit_log_lists_actions_newest_first(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending")
    decide(client, headers, comment.id, "approve")
    decide(client, headers, comment.id, "reject")
    entries = client.get(f"{API}/audit", query_string={"site": site.slug}, headers=headers).json[
        "entries"
    ]
    assert [e["action"] for e in entries][:2] == ["comment.reject", "comment.approve"]
    assert entries[0]["actor"]["kind"] == "token"


def test_the_audit_log_filters_by_action(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending")
    decide(client, headers, comment.id, "approve")
    client.patch(f"{API}/comments/{comment.id}", json={"pinned": True}, headers=headers)
    entries = client.get(
        f"{API}/audit", query_string={"site": site.slug, "action": "comment.pin"}, headers=headers
    ).json["entries"]
    assert [e["action"] for e in entries] == ["comment.pin"]


def test_the_audit_log_exports_csv_safely(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, status="pending")
    client.post(
        f"{API}/comments/{comment.id}/decision",
        json={"action": "reject", "reason": '=HYPERLINK("http://evil")'},
        headers=headers,
    )
    response = client.get(f"{API}/audit.csv", query_string={"site": site.slug}, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0]["action"] == "comment.reject"
    assert rows[0]["reason"].startswith("'=")


def test_the_audit_log_refuses_changes(app: Flask, session: Session, site: Site) -> None:
    from sqlalchemy import update
    from sqlalchemy.exc import DBAPIError

    from service.moderation import audit

    with app.app_context():
        audit.record(session, actors.CLI_ACTOR, "site.update", target_kind="site", site_id=site.id)
        session.commit()
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(update(AuditEntry).values(action="tampered"))
    with pytest.raises(DBAPIError), session.begin_nested():
        session.execute(AuditEntry.__table__.delete())
    assert session.scalar(select(AuditEntry.action)) == "site.update"


def test_a_redaction_blanks_personal_data_and_says_so(
    app: Flask,
    client: FlaskClient,
    make: Factories,
    site: Site,
    headers: dict[str, str],
    session: Session,
) -> None:
    from service.moderation import audit

    comment = make.comment(site, body="my secret text", author="Ann")
    client.patch(f"{API}/comments/{comment.id}", json={"body": "edited"}, headers=headers)
    with app.app_context():
        redacted = audit.redact_subject(
            session, actors.CLI_ACTOR, subject_keys=[comment.author_key]
        )
        session.commit()
    assert redacted == 1
    session.expire_all()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.edit"))
    assert entry is not None and entry.redacted_at is not None
    assert entry.before is not None and entry.before["body_source"] == "[redacted]"
    note = session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy.redact"))
    assert note is not None and note.after == {"redacted_rows": 1}


# -- rules -----------------------------------------------------------------------------------


def test_rules_round_trip_with_an_admin_token(
    client: FlaskClient, site: Site, creds: Credentials
) -> None:
    admin = creds.headers(site, "admin")
    response = client.put(
        f"{API}/sites/{site.slug}/rules",
        json={"banned_words": ["scam"], "max_links": 2},
        headers=admin,
    )
    assert response.status_code == 200
    rules = client.get(f"{API}/sites/{site.slug}/rules", headers=admin).json["rules"]
    assert rules["banned_words"] == ["scam"] and rules["max_links"] == 2
    assert rules["report_threshold"] == 3  # defaults fill the rest


def test_changing_rules_needs_admin(
    client: FlaskClient, site: Site, headers: dict[str, str]
) -> None:
    response = client.put(
        f"{API}/sites/{site.slug}/rules", json={"banned_words": ["x"]}, headers=headers
    )
    assert response.status_code == 403


def test_invalid_rules_are_400(client: FlaskClient, site: Site, creds: Credentials) -> None:
    response = client.put(
        f"{API}/sites/{site.slug}/rules",
        json={"max_links": -1, "surprise": True},
        headers=creds.headers(site, "admin"),
    )
    assert response.status_code == 400


def test_a_dry_run_shows_what_new_rules_would_catch_without_saving(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    caught = make.comment(site, body="what a scam this is")
    held = make.comment(site, body="hmm, dubious", thread="/b")
    make.comment(site, body="lovely article", thread="/c")
    with clock.frozen(clock.now() - timedelta(days=40)):
        make.comment(site, body="an old scam", thread="/d")
    response = client.post(
        f"{API}/sites/{site.slug}/rules/dry-run",
        json={"banned_words": ["scam"], "suspect_words": ["dubious"]},
        headers=headers,
    )
    assert response.status_code == 200
    result = response.json
    assert result["scanned"] == 3 and result["rejected"] == 1 and result["held"] == 1
    verdicts = {item["comment"]["id"]: item["verdict"]["code"] for item in result["items"]}
    assert verdicts == {caught.id: "banned_word", held.id: "suspect_word"}
    assert all(item["current"] is None for item in result["items"])
    rules = client.get(f"{API}/sites/{site.slug}/rules", headers=headers).json["rules"]
    assert rules["banned_words"] == []


# -- bans ------------------------------------------------------------------------------------


def test_banning_an_author_from_a_comment(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, email="troll@example.org", author="Troll")
    response = client.post(
        f"{API}/bans",
        json={"comment_id": comment.id, "kind": "email", "duration_days": 7, "reason": "abuse"},
        headers=headers,
    )
    assert response.status_code == 201
    ban = response.json["ban"]
    assert ban["kind"] == "email" and ban["label"] == "Troll" and ban["active"]
    assert ban["expires_at"] is not None
    listed = client.get(f"{API}/bans", query_string={"site": site.slug}, headers=headers).json
    assert [b["id"] for b in listed["bans"]] == [ban["id"]]
    refused = post_comment(client, site.slug, body="hi", author={"email": "troll@example.org"})
    assert refused.status_code == 403


def test_a_ban_can_reject_all_pending_comments_and_be_undone(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    first = make.comment(site, email="t@example.org", status="pending")
    second = make.comment(site, email="t@example.org", body="more", status="pending")
    other = make.comment(site, email="ok@example.org", body="fine", status="pending")
    response = client.post(
        f"{API}/bans",
        json={"comment_id": first.id, "kind": "email", "reject_pending": True},
        headers=headers,
    )
    assert sorted(response.json["rejected_ids"]) == sorted([first.id, second.id])
    assert refreshed(session, second).status == "rejected"
    assert refreshed(session, other).status == "pending"
    batch = response.json["undo"]["batch"]
    assert client.post(f"{API}/undo", json={"batch": batch}, headers=headers).status_code == 200
    assert refreshed(session, second).status == "pending"
    session.expire_all()
    ban = session.get(Ban, response.json["ban"]["id"])
    assert ban is not None and ban.lifted_at is not None


def test_lifting_a_ban(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site, email="t@example.org")
    ban_id = client.post(
        f"{API}/bans", json={"comment_id": comment.id, "kind": "email"}, headers=headers
    ).json["ban"]["id"]
    response = client.delete(f"{API}/bans/{ban_id}", headers=headers)
    assert response.status_code == 200 and response.json["ban"]["active"] is False
    allowed = post_comment(client, site.slug, body="back", author={"email": "t@example.org"})
    assert allowed.status_code == 201


def test_banning_by_a_missing_key_is_400(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    response = client.post(
        f"{API}/bans", json={"comment_id": comment.id, "kind": "email"}, headers=headers
    )
    assert response.status_code == 400


def test_a_ban_on_every_site_needs_a_global_admin(
    client: FlaskClient, headers: dict[str, str], creds: Credentials
) -> None:
    body = {"kind": "email", "value": "t@example.org"}
    assert client.post(f"{API}/bans", json=body, headers=headers).status_code == 403
    response = client.post(f"{API}/bans", json=body, headers=creds.headers(None, "admin"))
    assert response.status_code == 201 and response.json["ban"]["site_id"] is None


def test_lifting_a_missing_ban_is_404(client: FlaskClient, headers: dict[str, str]) -> None:
    assert client.delete(f"{API}/bans/999999", headers=headers).status_code == 404


# -- admin -----------------------------------------------------------------------------------


def test_admin_routes_need_a_global_admin(
    client: FlaskClient, site: Site, creds: Credentials
) -> None:
    assert (
        client.get("/api/v1/admin/tokens", headers=creds.headers(site, "admin")).status_code == 403
    )


def test_an_admin_creates_lists_and_revokes_tokens(
    client: FlaskClient, site: Site, creds: Credentials
) -> None:
    admin = creds.headers(None, "admin")
    created = client.post(
        "/api/v1/admin/tokens",
        json={"site": site.slug, "scope": "read", "name": "bot"},
        headers=admin,
    )
    assert created.status_code == 201
    secret = created.json["secret"]
    token_id = created.json["token"]["id"]
    assert (
        client.get(f"{API}/queue", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    listed = client.get("/api/v1/admin/tokens", headers=admin).json["tokens"]
    assert any(t["id"] == token_id and t["site"] == site.slug for t in listed)
    assert client.delete(f"/api/v1/admin/tokens/{token_id}", headers=admin).status_code == 204
    assert (
        client.get(f"{API}/queue", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_an_admin_manages_moderators(client: FlaskClient, site: Site, creds: Credentials) -> None:
    admin = creds.headers(None, "admin")
    created = client.post(
        "/api/v1/admin/moderators",
        json={
            "username": "kim",
            "password": "long enough pw",
            "role": "moderator",
            "sites": [site.slug],
        },
        headers=admin,
    )
    assert created.status_code == 201 and created.json["sites"] == [site.slug]
    patched = client.patch(
        f"/api/v1/admin/moderators/{created.json['id']}", json={"disabled": True}, headers=admin
    )
    assert patched.status_code == 200 and patched.json["disabled"] is True
    login = client.post(f"{API}/session", json={"username": "kim", "password": "long enough pw"})
    assert login.status_code == 401


def test_the_openapi_document_has_the_moderation_routes(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/moderation/queue"]["get"]
    assert {"bearerToken": []} in operation["security"]
    assert "401" in operation["responses"] and "403" in operation["responses"]
    for path in [
        "/api/v1/moderation/comments/{comment_id}/decision",
        "/api/v1/moderation/decisions",
        "/api/v1/moderation/comments/{comment_id}",
        "/api/v1/moderation/threads/{thread_id}",
        "/api/v1/moderation/audit",
        "/api/v1/moderation/sites/{site}/rules",
        "/api/v1/moderation/sites/{site}/rules/dry-run",
        "/api/v1/moderation/bans",
        "/api/v1/moderation/bans/{ban_id}",
    ]:
        assert path in document["paths"], path


def test_a_queue_page_costs_the_same_queries_whatever_its_size(
    make: Factories, site: Site, session: Session, app: Flask, count_queries: Any
) -> None:
    from service.moderation import queue

    for n in range(6):
        parent = make.comment(site, body=f"root {n}", thread=f"/q{n}")
        make.comment(site, parent=parent, body=f"reply {n}", status="pending", thread=f"/q{n}")

    def page_cost(limit: int) -> int:
        session.expire_all()
        before = count_queries.count
        with app.app_context():
            page = queue.list_queue(session, queue.QueueFilter(site_ids=[site.id]), limit=limit)
        assert len(page.items) == limit
        return int(count_queries.count - before)

    assert page_cost(1) == page_cost(5)


def test_site_settings_changes_are_audited(
    app: Flask, make: Factories, site: Site, session: Session
) -> None:
    from service.moderation.rules import update_site_settings

    with app.app_context():
        update_site_settings(session, site, actor=actors.CLI_ACTOR, moderation="pre")
        session.commit()
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "site.update"))
    assert entry is not None
    assert entry.before is not None and entry.before["moderation"] == "post"
    assert entry.after is not None and entry.after["moderation"] == "pre"
