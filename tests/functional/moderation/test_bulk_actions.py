"""Bulk actions on the selected comments' threads and authors through the API: each thread or
author once, skips reported per comment, audit rows, and one undo for the whole batch."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEntry, Site, Thread, TrustedAuthor
from tests.factories import Factories

API = "/api/v1/moderation"


def bulk(client: FlaskClient, headers: dict[str, str], ids: list[int], action: str) -> Any:
    response = client.post(f"{API}/decisions", json={"ids": ids, "action": action}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def thread(session: Session, thread_id: int) -> Thread:
    session.expire_all()
    return session.get_one(Thread, thread_id)


def skips(answer: Any) -> dict[int, str | None]:
    return {r["id"]: (r.get("skipped") or {}).get("code") for r in answer["results"]}


def test_bulk_lock_locks_each_thread_once_and_undoes_together(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    a1 = make.comment(site, thread="/a")
    a2 = make.comment(site, thread="/a", body="same thread")
    b = make.comment(site, thread="/b")
    answer = bulk(client, headers, [a1.id, a2.id, b.id], "lock_thread")
    assert all(r["ok"] for r in answer["results"])
    assert skips(answer) == {a1.id: None, a2.id: "same_thread", b.id: None}
    assert thread(session, a1.thread_id).locked and thread(session, b.thread_id).locked
    rows = session.scalars(select(AuditEntry).where(AuditEntry.action == "thread.update")).all()
    assert len(rows) == 2 and {r.batch for r in rows} == {answer["undo"]["batch"]}
    undone = client.post(f"{API}/undo", json={"batch": answer["undo"]["batch"]}, headers=headers)
    assert undone.status_code == 200 and undone.json["reverted"] == 2
    assert not thread(session, a1.thread_id).locked and not thread(session, b.thread_id).locked


def test_bulk_premoderate_skips_threads_that_are_premoderated_already(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    already = make.comment(site, thread="/a")
    open_one = make.comment(site, thread="/b")
    client.patch(f"{API}/threads/{already.thread_id}", json={"moderation": "pre"}, headers=headers)
    answer = bulk(client, headers, [already.id, open_one.id], "premoderate_thread")
    assert skips(answer) == {already.id: "already_premoderated", open_one.id: None}
    assert thread(session, open_one.thread_id).moderation == "pre"
    assert answer["results"][1]["thread_id"] == open_one.thread_id


def test_bulk_thread_actions_answer_a_forbidden_comment_on_its_own(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    mine = make.comment(site)
    elsewhere = make.comment(status="pending")
    answer = bulk(client, headers, [mine.id, elsewhere.id], "lock_thread")
    results = {r["id"]: r for r in answer["results"]}
    assert results[mine.id]["ok"] and results[elsewhere.id]["error"]["code"] == "forbidden"
    assert not thread(session, elsewhere.thread_id).locked


def test_bulk_trust_trusts_each_verified_author_once_and_skips_guests(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    ann = make.comment(site, identity_key="sso:ann", status="pending")
    ann_again = make.comment(site, identity_key="sso:ann", body="again", thread="/b")
    guest = make.comment(site, status="pending", thread="/c")
    answer = bulk(client, headers, [ann.id, ann_again.id, guest.id], "trust_author")
    results = {r["id"]: r for r in answer["results"]}
    assert skips(answer) == {ann.id: None, ann_again.id: "same_author", guest.id: "unverified"}
    assert results[ann.id]["ok"] and results[ann_again.id]["ok"]
    assert results[guest.id]["ok"] is False
    assert results[guest.id]["error"]["code"] == "validation_failed"
    assert len(session.scalars(select(TrustedAuthor)).all()) == 1
    client.post(f"{API}/undo", json={"batch": answer["undo"]["batch"]}, headers=headers)
    session.expire_all()
    assert session.scalars(select(TrustedAuthor)).all() == []


def test_bulk_trust_skips_an_author_trusted_already(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str], session: Session
) -> None:
    ann = make.comment(site, identity_key="sso:ann")
    client.post(f"{API}/comments/{ann.id}/trust", json={"trusted": True}, headers=headers)
    answer = bulk(client, headers, [ann.id], "trust_author")
    assert skips(answer) == {ann.id: "already_trusted"}
    trusts = session.scalars(select(AuditEntry).where(AuditEntry.action == "author.trust"))
    assert len(trusts.all()) == 1


def test_bulk_pin_and_edit_are_not_actions(
    client: FlaskClient, make: Factories, site: Site, headers: dict[str, str]
) -> None:
    comment = make.comment(site)
    for action in ("pin", "edit"):
        response = client.post(
            f"{API}/decisions", json={"ids": [comment.id], "action": action}, headers=headers
        )
        assert response.status_code == 400


def test_the_openapi_document_lists_the_bulk_actions(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    schema = document["components"]["schemas"]["BulkDecisionIn"]["properties"]["action"]
    assert set(schema["enum"]) == {
        "approve",
        "reject",
        "spam",
        "lock_thread",
        "premoderate_thread",
        "trust_author",
    }
    result = document["components"]["schemas"]["BulkResultOut"]["properties"]
    assert "skipped" in result and "thread_id" in result
