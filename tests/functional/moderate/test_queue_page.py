"""The queue page: tabs with counts, what each card shows, filters, roles and paging."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.models import Comment, CommentAnchor, Site
from service.moderation.ui.queue_views import REASON_CODES
from tests.factories import Factories
from tests.functional.moderate.conftest import UI, Page


def report(client: FlaskClient, comment: Comment, reason: str, note: str, address: str) -> None:
    """A report from a reader at `address` (reporters are counted by address, not voter id)."""
    response = client.post(
        f"/api/v1/comments/{comment.id}/report",
        json={"reason": reason, "note": note},
        environ_overrides={"REMOTE_ADDR": address},
    )
    assert response.status_code in (200, 201, 202, 204), response.json


def add_anchor(session: Session, comment: Comment, exact: str) -> None:
    session.add(
        CommentAnchor(
            comment_id=comment.id,
            thread_id=comment.thread_id,
            kind="quote",
            exact=exact,
            quote_len=len(exact),
            pos_start=0,
            pos_end=len(exact),
            doc_len=1000,
            doc_fp="0123456789abcdef",
        )
    )
    session.commit()


def card_of(page: Page, comment: Comment) -> dict[str, str]:
    (card,) = page.find("article", data_id=str(comment.id))
    return card


def test_tabs_show_live_counts(ui: UI, make: Factories, site: Site) -> None:
    for _ in range(2):
        make.comment(site, status="pending")
    make.comment(site, status="spam")
    make.comment(site)
    page = ui.page("/moderate/queue")
    counts = {a["data-count"]: a for a in page.find("span") if "data-count" in a}
    assert set(counts) == {"pending", "reported", "spam", "approved", "rejected"}
    assert "Pending 2" in page.text
    assert "Spam 1" in page.text
    assert "Approved 1" in page.text
    assert page.find("a", href="/moderate/queue?tab=pending", aria_current="page")


def test_each_tab_lists_its_comments_newest_first(ui: UI, make: Factories, site: Site) -> None:
    older = make.comment(site, status="pending")
    newer = make.comment(site, status="pending")
    spam = make.comment(site, status="spam")
    assert ui.page("/moderate/queue").cards() == [newer.id, older.id]
    assert ui.page("/moderate/queue?tab=spam").cards() == [spam.id]


def test_a_card_shows_the_author_the_thread_and_the_context(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    parent = make.comment(
        site, body="The *parent* says hello.", author="Pat", thread_title="Lighthouses of Scotland"
    )
    comment = make.comment(
        site,
        body="A **reply** with a [link](https://example.org/x).",
        parent=parent,
        author="Ann Reader",
        email="ann@example.org",
        author_website="https://ann.example/blog",
        status="pending",
    )
    make.comment(site, author="Ann Reader", email="ann@example.org", body="An older one.")
    page = ui.page("/moderate/queue")
    html = page.html
    assert card_of(page, comment)["data-status"] == "pending"
    assert "Ann Reader" in page.text
    assert "ann@example.org" in page.text
    assert page.find("a", href="https://ann.example/blog", rel="nofollow noopener noreferrer ugc")
    assert comment.ip_hash and comment.ip_hash[:12] in page.text
    assert "<strong>reply</strong>" in html  # the stored, sanitised HTML
    assert "The <em>parent</em> says hello." in html
    assert "In reply to Pat" in page.text
    assert page.find("a", href="https://blog.example/post", rel="noopener noreferrer")
    assert "On Lighthouses of Scotland · this thread only" in page.text
    assert "1 approved" in page.text and "1 pending" in page.text
    history = f"/moderate/queue?tab=approved&site={site.slug}&author={comment.author_key}"
    assert page.find("a", href=history)
    assert page.find("textarea", name="body")
    assert comment.body_source in page.text  # the editor holds the Markdown source


def test_a_card_shows_the_passage_reasons_score_and_reports(
    ui: UI, client: FlaskClient, make: Factories, site: Site, session: Session
) -> None:
    comment = make.comment(site)
    add_anchor(session, comment, "the keepers lived on the rock")
    row = session.get_one(Comment, comment.id)
    row.moderation_reasons = [
        {
            "code": "suspect_word",
            "message": "Contains “rock”, which moderators review.",
            "verdict": "hold",
        }
    ]
    row.spam_score = 0.4242
    session.commit()
    report(client, comment, "abuse", "rude to the keeper", "198.51.100.1")
    report(client, comment, "spam", "", "198.51.100.2")
    page = ui.page("/moderate/queue?tab=reported")
    assert page.cards() == [comment.id]
    assert "On the passage the keepers lived on the rock" in page.text
    assert "suspect_word Contains “rock”, which moderators review." in page.text
    assert "Spam score 0.42" in page.text
    assert "Open reports (2)" in page.text
    assert "abuse: rude to the keeper" in page.text


def test_a_moderator_sees_only_their_sites(
    ui_for: Callable[..., UI], make: Factories, site: Site
) -> None:
    other = make.site("other")
    mine = make.comment(site, status="pending")
    make.comment(other, status="pending")
    ui = ui_for("max", role="moderator", sites=[site])
    page = ui.page("/moderate/queue")
    assert page.cards() == [mine.id]
    assert "Pending 1" in page.text
    assert [o["value"] for o in page.find("option") if o.get("value") in ("blog", "other")] == [
        "blog"
    ]
    assert ui.get("/moderate/queue?site=other").status_code == 403
    assert not page.find("a", href="/moderate/settings")
    assert not page.find("a", href="/moderate/tokens")


def test_an_admin_sees_every_site_and_the_settings(ui: UI, make: Factories, site: Site) -> None:
    other = make.site("other")
    ids = {make.comment(s, status="pending").id for s in (site, other)}
    page = ui.page("/moderate/queue")
    assert set(page.cards()) == ids
    for path in ("/moderate/settings", "/moderate/moderators", "/moderate/tokens"):
        assert page.find("a", href=path)


def test_the_queue_filters(ui: UI, make: Factories, site: Site) -> None:
    other = make.site("other")
    by_ann = make.comment(site, "/a", author="Ann", body="about granite", status="pending")
    on_b = make.comment(site, "/b", author="Bob", body="about towers", status="pending")
    elsewhere = make.comment(other, "/a", author="Cy", body="about granite", status="pending")
    assert ui.page("/moderate/queue?site=other").cards() == [elsewhere.id]
    assert set(ui.page("/moderate/queue?thread=/a").cards()) == {by_ann.id, elsewhere.id}
    assert ui.page("/moderate/queue?author=bob").cards() == [on_b.id]
    assert ui.page(f"/moderate/queue?author={by_ann.ip_hash}").cards() == [
        elsewhere.id,
        on_b.id,
        by_ann.id,
    ]
    assert ui.page("/moderate/queue?q=granite&site=blog").cards() == [by_ann.id]


def test_the_queue_filters_by_reason(ui: UI, make: Factories, site: Site, session: Session) -> None:
    held = make.comment(site, status="pending")
    make.comment(site, status="pending")
    session.get_one(Comment, held.id).moderation_reasons = [
        {"code": "too_many_links", "message": "Has 5 links.", "verdict": "hold"}
    ]
    session.commit()
    page = ui.page("/moderate/queue?reason=too_many_links")
    assert page.cards() == [held.id]
    assert page.find("option", value="too_many_links", selected="")


def test_a_filtered_empty_tab_says_so(ui: UI, make: Factories, site: Site) -> None:
    make.comment(site, status="pending")
    page = ui.page("/moderate/queue?q=nothing-like-this")
    assert page.cards() == []
    assert "No pending comments match these filters." in page.text


def test_bad_filters_answer_a_page_not_a_crash(ui: UI) -> None:
    for query in ("reason=<script>", "tab=everything", "cursor=!!!", "site=nope"):
        response = ui.get(f"/moderate/queue?{query}")
        assert response.status_code in (400, 404), query
        assert response.mimetype == "text/html"
        assert "<script>" not in response.get_data(as_text=True)


def test_the_queue_pages_with_a_cursor(ui: UI, make: Factories, site: Site) -> None:
    start = datetime(2026, 11, 1, tzinfo=UTC)
    ids = [
        make.comment(site, status="pending", created_at=start + timedelta(minutes=n)).id
        for n in range(27)
    ]
    first = ui.page("/moderate/queue")
    assert first.cards() == ids[::-1][:25]
    (older,) = first.find("a", rel="next")
    second = ui.page(older["href"])
    assert second.cards() == ids[1::-1]
    assert not second.find("a", rel="next")
    assert second.find("a", href="/moderate/queue?tab=pending")


def test_a_card_can_be_fetched_alone(ui: UI, make: Factories, site: Site) -> None:
    comment = make.comment(site, status="pending")
    response = ui.get(f"/moderate/cards/{comment.id}?tab=pending&next=/moderate/queue%3Fq%3Dx")
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert page.cards() == [comment.id]
    assert page.find("input", name="next", value="/moderate/queue?q=x")


def test_a_card_of_another_site_is_not_shown(
    ui_for: Callable[..., UI], make: Factories, site: Site
) -> None:
    foreign = make.comment(make.site("other"), status="pending")
    ui = ui_for("max", role="moderator", sites=[site])
    assert ui.get(f"/moderate/cards/{foreign.id}").status_code == 403


def test_the_help_dialog_and_the_docs_list_the_same_keys(ui: UI, site: Site) -> None:
    page = ui.page("/moderate/queue")
    dialog = page.html.split('<dialog id="keys"')[1].split("</dialog>")[0]
    shown = set(re.findall(r"<kbd>([^<]+)</kbd>", dialog))
    docs = (Path(__file__).resolve().parents[3] / "docs" / "moderation.md").read_text()
    table = docs.split("**Keyboard**")[1].split("\n\n")[1]
    documented = set(re.findall(r"^\| `([^`]+)`(?: / `([^`]+)`)?", table, re.M))
    assert shown == {key for pair in documented for key in pair if key}
    assert {"j", "k", "a", "r", "s", "e", "b", "x", "?"} <= shown


def test_the_queue_page_costs_the_same_queries_whatever_its_size(
    ui: UI, make: Factories, site: Site, count_queries: Any
) -> None:
    for n in range(6):
        parent = make.comment(site, thread=f"/q{n}", email=f"p{n}@example.org")
        make.comment(
            site, thread=f"/q{n}", parent=parent, status="pending", identity_key=f"sso:{n}"
        )

    def cost(thread: str) -> int:
        before = count_queries.count
        page = ui.page(f"/moderate/queue?{thread}")
        assert page.cards()
        return int(count_queries.count - before)

    assert cost("thread=/q0") == cost("")


def test_every_stored_reason_code_of_the_docs_can_be_filtered_by() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "moderation.md").read_text()
    table = docs.split("### Reason codes")[1].split("\n\n")[1]
    documented = set(re.findall(r"`([a-z_]+)`", "\n".join(re.findall(r"^\| [^|]+", table, re.M))))
    never_stored = {"banned", "banned_word"}  # a 403 or 422: nothing reaches the queue
    assert documented - never_stored == set(REASON_CODES)
