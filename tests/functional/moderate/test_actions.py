"""Every card and bulk action as a plain form POST (the page works without JavaScript): it acts
through the moderation domain, answers 303 back to the page with a notice, and offers Undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.models import AuditEntry, Ban, Comment, Site, Thread, TrustedAuthor
from tests.factories import Factories
from tests.functional.moderate.conftest import UI, Page

NEXT = "/moderate/queue?tab=pending&site=blog"


def status_of(session: Session, comment: Comment) -> str:
    session.expire_all()
    return session.get_one(Comment, comment.id).status


def card_html(page: Page, comment: Comment) -> str:
    return page.html.split(f'data-id="{comment.id}"')[1].split("</article>")[0]


def undo_batch(page: Page) -> str:
    (field,) = page.find("input", name="batch")
    return field["value"]


def test_approving_goes_back_with_a_notice_and_undo(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending", author="Ann")
    response = ui.post(
        f"/moderate/comments/{comment.id}/decision", {"action": "approve", "next": NEXT}
    )
    assert response.status_code == 303
    assert response.headers["Location"].startswith(NEXT + "&notice=")
    assert status_of(session, comment) == "approved"
    page = ui.follow(response)
    assert f"Approved: comment #{comment.id} by Ann." in page.text
    assert page.find("form", action="/moderate/undo")
    assert page.cards() == []


def test_undo_reverts_the_action(ui: UI, make: Factories, site: Site, session: Session) -> None:
    comment = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(f"/moderate/comments/{comment.id}/decision", {"action": "reject", "next": NEXT})
    )
    response = ui.post("/moderate/undo", {"batch": undo_batch(page), "next": NEXT})
    assert status_of(session, comment) == "pending"
    after = ui.follow(response)
    assert "Undone (1 change reverted)." in after.text
    assert after.cards() == [comment.id]


def test_an_old_notice_cannot_undo_twice(ui: UI, make: Factories, site: Site) -> None:
    comment = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(f"/moderate/comments/{comment.id}/decision", {"action": "spam", "next": NEXT})
    )
    batch = undo_batch(page)
    ui.post("/moderate/undo", {"batch": batch, "next": NEXT})
    again = ui.follow(ui.post("/moderate/undo", {"batch": batch, "next": NEXT}))
    assert "That action was undone already." in again.text
    assert again.find("div", role="alert")


def test_rejected_and_spam_comments_can_be_approved(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    for status, action in (("rejected", "reject"), ("spam", "spam")):
        comment = make.comment(site, status=status)
        card = card_html(ui.page(f"/moderate/queue?tab={status}"), comment)
        assert 'value="approve"' in card
        assert f'value="{action}"' not in card
        ui.post(f"/moderate/comments/{comment.id}/decision", {"action": "approve"})
        assert status_of(session, comment) == "approved"


def test_an_edit_is_marked_and_its_note_logged(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending", body="Buy pills at spam.example")
    response = ui.post(
        f"/moderate/comments/{comment.id}/edit",
        {"body": "Removed a link.\r\nSecond line.", "note": "link to a pharmacy", "next": NEXT},
    )
    assert response.status_code == 303
    session.expire_all()
    edited = session.get_one(Comment, comment.id)
    assert edited.body_source == "Removed a link.\nSecond line."
    assert edited.edited_by_moderator
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "comment.edit"))
    assert entry is not None and entry.reason == "link to a pharmacy"
    assert "edited by a moderator" in ui.follow(response).text


def test_an_empty_edit_is_refused_with_a_notice(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending", body="Keep me")
    page = ui.follow(ui.post(f"/moderate/comments/{comment.id}/edit", {"body": "  "}))
    assert "Write something first." in page.text
    session.expire_all()
    assert session.get_one(Comment, comment.id).body_source == "Keep me"


def test_pinning_and_unpinning(ui: UI, make: Factories, site: Site, session: Session) -> None:
    comment = make.comment(site)
    ui.post(f"/moderate/comments/{comment.id}/pin", {"pinned": "1"})
    session.expire_all()
    assert session.get_one(Comment, comment.id).pinned
    page = ui.page("/moderate/queue?tab=approved")
    assert page.find("input", name="pinned", value="0")
    ui.post(f"/moderate/comments/{comment.id}/pin", {"pinned": "0"})
    session.expire_all()
    assert not session.get_one(Comment, comment.id).pinned


def test_banning_the_author_rejects_their_pending_comments(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    first = make.comment(site, status="pending", email="troll@example.org")
    second = make.comment(site, status="pending", email="troll@example.org", body="again")
    bystander = make.comment(site, status="pending", email="kind@example.org")
    response = ui.post(
        f"/moderate/comments/{first.id}/ban",
        {
            "kind": "email",
            "duration_days": "7",
            "reason": "trolling",
            "reject_pending": "1",
            "next": NEXT,
        },
    )
    page = ui.follow(response)
    assert "Banned the author and rejected 2 pending comments." in page.text
    ban = session.scalar(select(Ban))
    assert ban is not None and ban.kind == "email" and ban.reason == "trolling"
    assert ban.expires_at is not None
    assert abs(ban.expires_at - (clock.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert [status_of(session, c) for c in (first, second, bystander)] == [
        "rejected",
        "rejected",
        "pending",
    ]
    assert page.cards() == [bystander.id]


def test_a_ban_by_a_key_the_comment_lacks_is_explained(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(f"/moderate/comments/{comment.id}/ban", {"kind": "identity", "next": NEXT})
    )
    assert "verified identity to ban; choose another." in page.text
    assert session.scalar(select(Ban)) is None


def test_a_card_offers_only_the_ban_kinds_it_has(ui: UI, make: Factories, site: Site) -> None:
    comment = make.comment(site, status="pending", email="a@example.org")
    page = ui.page("/moderate/queue")
    (form,) = page.find("form", action=f"/moderate/comments/{comment.id}/ban")
    html = card_html(page, comment).split('data-js="ban"')[1].split("</form>")[0]
    assert 'value="email"' in html and 'value="ip_hash"' in html
    assert 'value="identity"' not in html
    assert form["data-js"] == "ban"


def test_locking_and_premoderating_the_thread(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(f"/moderate/threads/{comment.thread_id}", {"locked": "1", "next": NEXT})
    )
    assert "is locked" in page.text
    ui.post(f"/moderate/threads/{comment.thread_id}", {"moderation": "pre"})
    session.expire_all()
    thread = session.get_one(Thread, comment.thread_id)
    assert thread.locked and thread.moderation == "pre"
    page = ui.page("/moderate/queue")
    assert "thread locked" in page.text and "thread pre-moderated" in page.text
    ui.post(f"/moderate/threads/{comment.thread_id}", {"moderation": "site", "locked": "0"})
    session.expire_all()
    thread = session.get_one(Thread, comment.thread_id)
    assert not thread.locked and thread.moderation is None


def test_correcting_the_threads_title_and_url_from_the_card(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending", thread_title="FREE GIFT CARDS")
    page = ui.page("/moderate/queue")
    assert page.find("form", class_="thread-details")
    assert page.find("input", name="title", value="FREE GIFT CARDS")
    url = f"{site.origins[0]}/post"
    page = ui.follow(
        ui.post(
            f"/moderate/threads/{comment.thread_id}",
            {"title": "The real article", "url": url, "next": NEXT},
        )
    )
    assert f"The thread is now “The real article” at {url}." in page.text
    session.expire_all()
    thread = session.get_one(Thread, comment.thread_id)
    assert (thread.title, thread.settled_at is not None) == ("The real article", True)
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "thread.update"))


def test_trusting_a_verified_author(ui: UI, make: Factories, site: Site, session: Session) -> None:
    comment = make.comment(site, status="pending", identity_key="sso:ann")
    guest = make.comment(site, status="pending")
    page = ui.page("/moderate/queue")
    assert page.find("form", action=f"/moderate/comments/{comment.id}/trust")
    assert not page.find("form", action=f"/moderate/comments/{guest.id}/trust")
    ui.post(f"/moderate/comments/{comment.id}/trust", {"trusted": "1"})
    assert session.scalar(select(TrustedAuthor)) is not None
    page = ui.page("/moderate/queue")
    assert "trusted" in page.text
    assert page.find("input", name="trusted", value="0")


def test_bulk_reject_is_one_undoable_batch(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comments = [make.comment(site, status="pending") for _ in range(3)]
    response = ui.post(
        "/moderate/bulk",
        {"action": "reject", "ids": [str(c.id) for c in comments[:2]], "next": NEXT},
    )
    page = ui.follow(response)
    assert "Rejected: 2 comments." in page.text
    assert [status_of(session, c) for c in comments] == ["rejected", "rejected", "pending"]
    ui.post("/moderate/undo", {"batch": undo_batch(page)})
    assert [status_of(session, c) for c in comments] == ["pending"] * 3


def test_bulk_ban_bans_each_author_once(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    a = make.comment(site, status="pending", email="a@example.org")
    a2 = make.comment(site, status="pending", email="A@example.org")
    b = make.comment(site, status="pending", email="b@example.org")
    page = ui.follow(
        ui.post(
            "/moderate/bulk",
            {
                "action": "ban",
                "ids": [str(a.id), str(a2.id), str(b.id)],
                "kind": "email",
                "duration_days": "",
                "next": NEXT,
            },
        )
    )
    assert "Banned 2 authors." in page.text
    bans = list(session.scalars(select(Ban)))
    assert len(bans) == 2 and all(ban.expires_at is None for ban in bans)
    ui.post("/moderate/undo", {"batch": undo_batch(page)})
    session.expire_all()
    assert all(ban.lifted_at is not None for ban in session.scalars(select(Ban)))


def test_bulk_lock_locks_each_selected_thread_once(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    a1 = make.comment(site, thread="/a", status="pending")
    a2 = make.comment(site, thread="/a", status="pending", body="same thread")
    b = make.comment(site, thread="/b", status="pending")
    ids = [str(c.id) for c in (a1, a2, b)]
    page = ui.follow(ui.post("/moderate/bulk", {"action": "lock_thread", "ids": ids, "next": NEXT}))
    assert "Locked 2 threads. Skipped 1: 1 on a thread already handled." in page.text
    session.expire_all()
    assert (
        session.get_one(Thread, a1.thread_id).locked and session.get_one(Thread, b.thread_id).locked
    )
    ui.post("/moderate/undo", {"batch": undo_batch(page)})
    session.expire_all()
    assert not session.get_one(Thread, a1.thread_id).locked


def test_bulk_premoderate_premoderates_the_selected_threads(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(
            "/moderate/bulk",
            {"action": "premoderate_thread", "ids": [str(comment.id)], "next": NEXT},
        )
    )
    assert "Pre-moderated 1 thread." in page.text
    session.expire_all()
    assert session.get_one(Thread, comment.thread_id).moderation == "pre"
    assert page.find("input", name="batch")


def test_bulk_trust_trusts_verified_authors_and_lists_the_guests_skipped(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    ann = make.comment(site, status="pending", identity_key="sso:ann")
    guest = make.comment(site, status="pending")
    page = ui.follow(
        ui.post(
            "/moderate/bulk",
            {"action": "trust_author", "ids": [str(ann.id), str(guest.id)], "next": NEXT},
        )
    )
    assert "Now trusting 1 more author. Skipped 1: 1 by a guest" in page.text
    assert session.scalar(select(TrustedAuthor)) is not None
    ui.post("/moderate/undo", {"batch": undo_batch(page)})
    session.expire_all()
    assert session.scalar(select(TrustedAuthor)) is None


def test_the_bulk_bar_offers_the_thread_and_author_actions(ui: UI, site: Site) -> None:
    page = ui.page("/moderate/queue")
    (form,) = page.find("form", id="bulk")
    values = {b["value"] for b in page.find("button", name="action")}
    assert {"lock_thread", "premoderate_thread", "trust_author"} <= values
    assert form["action"] == "/moderate/bulk"


def test_bulk_without_a_selection_says_so(ui: UI, site: Site) -> None:
    page = ui.follow(ui.post("/moderate/bulk", {"action": "approve", "next": NEXT}))
    assert "Select at least one comment first." in page.text


def test_actions_need_the_csrf_token(
    client: FlaskClient, ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending")
    response = client.post(
        f"/moderate/comments/{comment.id}/decision",
        data={"action": "approve"},
        headers={"Accept": "text/html"},
    )
    assert response.status_code == 403
    assert "CSRF" in response.get_data(as_text=True)
    assert status_of(session, comment) == "pending"


def test_a_moderator_cannot_act_on_another_sites_comment(
    ui_for: Callable[..., UI], make: Factories, site: Site, session: Session
) -> None:
    foreign = make.comment(make.site("other"), status="pending")
    ui = ui_for("max", role="moderator", sites=[site])
    page = ui.follow(ui.post(f"/moderate/comments/{foreign.id}/decision", {"action": "approve"}))
    assert "This needs the moderate scope on this site." in page.text
    assert status_of(session, foreign) == "pending"


def test_the_notice_cannot_be_forged(ui: UI) -> None:
    page = ui.page("/moderate/queue?notice=eyJ0IjoiPGI-aGk8L2I-In0.forged")
    assert not [a for t, a in page.elements if "notice" in a.get("class", "").split()]


def test_the_bans_page_lists_and_lifts_bans(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site, status="pending", author="Troll", email="t@example.org")
    ui.post(f"/moderate/comments/{comment.id}/ban", {"kind": "email", "reason": "abuse"})
    page = ui.page("/moderate/bans")
    assert "Troll" in page.text and "abuse" in page.text
    ban = session.scalar(select(Ban))
    assert ban is not None
    after = ui.follow(ui.post(f"/moderate/bans/{ban.id}/lift", {"next": "/moderate/bans"}))
    assert f"Lifted ban #{ban.id}." in after.text
    assert "No active bans." in after.text
    assert "Troll" in ui.page("/moderate/bans?show=all").text


def test_banning_a_value_from_the_bans_page(ui: UI, site: Site, session: Session) -> None:
    response = ui.post(
        "/moderate/bans",
        {"value": "spammer@example.org", "kind": "email", "site": "blog", "duration_days": "30"},
    )
    assert response.status_code == 303
    ban = session.scalar(select(Ban))
    assert ban is not None and ban.site_id == site.id and ban.kind == "email"
    assert "spammer" not in ban.value_hash


def test_out_of_range_ids_are_refused_not_crashed(ui: UI, site: Site) -> None:
    huge = "9" * 25
    assert ui.post(f"/moderate/comments/{huge}/decision", {"action": "approve"}).status_code in (
        401,
        404,
    )
    page = ui.follow(ui.post("/moderate/bulk", {"action": "approve", "ids": [huge]}))
    assert "Those are not comment ids." in page.text
    assert ui.get(f"/moderate/audit?cursor={huge}").status_code == 400
