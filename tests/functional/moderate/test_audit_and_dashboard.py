"""The audit log page (filters, paging, CSV export) and the dashboard (comments per day, queue
size, median time to a decision)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy.orm import Session

from service.kernel import clock
from service.kernel.actors import CLI_ACTOR, Principal
from service.models import Comment, Site
from service.moderation import decisions
from service.moderation.ui.stats import comments_per_day, dashboard, describe_wait
from tests.factories import Factories
from tests.functional.moderate.conftest import UI, Page


def table_text(page: Page) -> str:
    """The text of the audit table only (the filter's options name every action too)."""
    return Page(page.html.split('<table class="list audit">')[1]).text


MODERATOR = Principal(kind="moderator", id=1, label="mia", scope="admin", site_ids=None)


def test_the_audit_log_shows_actions_newest_first(ui: UI, make: Factories, site: Site) -> None:
    first = make.comment(site, status="pending")
    second = make.comment(site, status="pending")
    ui.post(f"/moderate/comments/{first.id}/decision", {"action": "approve"})
    ui.post(f"/moderate/comments/{second.id}/decision", {"action": "spam", "reason": "ad"})
    page = ui.page("/moderate/audit")
    text = table_text(page)
    assert text.index("comment.spam") < text.index("comment.approve")
    assert f"comment {second.id}" in text
    assert "mia (moderator)" in text
    assert '"status": "spam"' in page.html.replace("&#34;", '"')


def test_the_audit_log_filters_and_exports_the_same(ui: UI, make: Factories, site: Site) -> None:
    comment = make.comment(site, status="pending")
    ui.post(f"/moderate/comments/{comment.id}/decision", {"action": "approve"})
    ui.post(f"/moderate/comments/{comment.id}/pin", {"pinned": "1"})
    today = clock.now().date().isoformat()
    page = ui.page(f"/moderate/audit?action=comment.pin&site=blog&since={today}&until={today}")
    assert "comment.pin" in table_text(page)
    assert "comment.approve" not in table_text(page)
    (link,) = [a for a in page.find("a") if a.get("href", "").startswith("/api/v1/")]
    url = urlsplit(link["href"])
    assert url.path == "/api/v1/moderation/audit.csv"
    query = parse_qs(url.query)
    assert query["action"] == ["comment.pin"]
    assert query["site"] == ["blog"]
    assert query["until"] == [(clock.now().date() + timedelta(days=1)).isoformat()]
    csv = ui.get(link["href"])
    assert csv.status_code == 200
    assert csv.mimetype == "text/csv"
    lines = csv.get_data(as_text=True).strip().splitlines()
    assert len(lines) == 2 and "comment.pin" in lines[1]


def test_the_audit_log_pages(ui: UI, make: Factories, site: Site) -> None:
    comments = [make.comment(site, status="pending") for _ in range(51)]
    ids = [str(c.id) for c in comments]
    ui.post("/moderate/bulk", {"action": "reject", "ids": ids})
    first = ui.page("/moderate/audit?action=comment.reject")
    (older,) = first.find("a", rel="next")
    assert "comment.reject" in table_text(ui.page(older["href"]))


def test_a_bad_audit_filter_is_a_400_page(ui: UI) -> None:
    response = ui.get("/moderate/audit?since=yesterday")
    assert response.status_code == 400
    assert "Use a date like" in response.get_data(as_text=True)


def test_the_dashboard_shows_the_queue_and_the_chart(ui: UI, make: Factories, site: Site) -> None:
    make.comment(site, status="pending")
    make.comment(site)
    page = ui.page("/moderate/dashboard")
    assert "1 pending" in page.text
    assert "2 comments in 30 days" in page.text
    assert page.find("svg", role="img", aria_labelledby="chart-title chart-desc")
    assert len([1 for t, a in page.elements if t == "rect" and a.get("class") == "approved"]) == 1
    assert "median time to a decision (no decisions in 30 days)" in page.text


def test_the_median_time_to_a_decision(
    app: object, make: Factories, site: Site, session: Session
) -> None:
    start = datetime(2026, 11, 20, 9, tzinfo=UTC)
    waits = [timedelta(minutes=10), timedelta(hours=2), timedelta(hours=30)]
    for n, wait in enumerate(waits):
        comment = make.comment(site, status="pending", created_at=start + timedelta(hours=n))
        with clock.frozen(comment.created_at + wait), app.app_context():  # type: ignore[attr-defined]
            row = session.get_one(Comment, comment.id)
            decisions.decide(session, MODERATOR, row, "approve")
            decisions.decide(session, MODERATOR, row, "reject")  # only the first decision counts
            session.commit()
    auto = make.comment(site, status="pending", created_at=start)
    with clock.frozen(start + timedelta(days=3)), app.app_context():  # type: ignore[attr-defined]
        decisions.decide(session, CLI_ACTOR, session.get_one(Comment, auto.id), "approve")
        session.commit()
        figures = dashboard(session, [site.id])
    assert figures.decisions == 3
    assert figures.median_wait == timedelta(hours=2)
    assert describe_wait(figures.median_wait) == "2.0 h"


def test_comments_per_day_split_approved_and_held(
    make: Factories, site: Site, session: Session
) -> None:
    day = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    make.comment(site, created_at=day)
    make.comment(site, status="spam", created_at=day)
    make.comment(site, status="pending", created_at=day + timedelta(hours=1))
    with clock.frozen(datetime(2026, 11, 22, 12, tzinfo=UTC)):
        days = comments_per_day(session, [site.id], days=5)
    assert [(d.day.isoformat(), d.approved, d.held) for d in days] == [
        ("2026-11-18", 0, 0),
        ("2026-11-19", 0, 0),
        ("2026-11-20", 1, 1),
        ("2026-11-21", 0, 1),
        ("2026-11-22", 0, 0),
    ]


def test_describing_waits() -> None:
    assert describe_wait(None) == "no decisions yet"
    assert describe_wait(timedelta(seconds=42)) == "42 s"
    assert describe_wait(timedelta(minutes=12)) == "12 min"
    assert describe_wait(timedelta(days=3)) == "3.0 days"
