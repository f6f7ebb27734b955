"""The widget on a page of another origin than Sidenote's, as sites deploy it (issue 18): every
reader action works there, and a page on an origin the site does not list says so politely in
the widget and exactly in the console."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from playwright.sync_api import Response, expect
from sqlalchemy import select

from service.identity.sso import active_secrets
from service.models import Comment, Report, Subscription, Vote
from tests.browser.conftest import Reader
from tests.browser.live import Seeder
from tests.browser.test_inline_comments import ARTICLE, GRANITE, bubbles, drag_over, layer, popover

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]


def sso_token(seed: Seeder, **claims: Any) -> str:
    """What the demo site's own server signs for its logged-in reader (docs/sso.md)."""
    seed.session.expire_all()
    secret = active_secrets(seed.session, seed.demo.id)[0].secret
    seed.done()
    payload = {"aud": "demo", "sub": "grace", "name": "Grace Hopper", "exp": int(time.time()) + 300}
    return jwt.encode({**payload, **claims}, secret, algorithm="HS256")


def api_answers(reader: Reader) -> list[Response]:
    answers: list[Response] = []
    reader.page.on("response", lambda r: "/api/v1/" in r.url and answers.append(r))
    return answers


def test_a_reader_on_another_origin_posts_replies_votes_reports_subscribes_and_signs_in(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    ada = seed.comment(thread_key, "The keepers worked a month on the rock.", author="Ada")
    reader = open_thread(thread_key, before=ARTICLE, wait=False)
    answers = api_answers(reader)
    page, server = reader.page, reader.server
    assert page.evaluate("location.origin") == server.page_url != server.url
    reader.widget.locator(".hd h2").wait_for()

    # post, subscribing to replies
    form = reader.open_composer()
    form.get_by_label("Notify me of").select_option("replies")
    form.get_by_label("Email (optional, never shown)").fill("reader@example.org")
    reader.post("Posted from the blog's own origin", name="Reader")
    expect(reader.card("Posted from the blog's own origin")).to_be_visible()

    # reply
    reader.card("a month on the rock").get_by_role("button", name="Reply").click()
    reply_form = reader.widget.get_by_role("form", name="Reply to Ada")
    reader.post("Two weeks ashore, too.", name="Iain", within=reply_form)
    expect(reader.widget.locator("ol.replies article")).to_contain_text("Two weeks ashore, too.")

    # vote
    upvote = reader.card("a month on the rock").get_by_role("button", name="Upvote")
    upvote.click()
    expect(upvote).to_have_attribute("aria-pressed", "true")

    # report
    card = reader.card("a month on the rock")
    card.get_by_role("button", name="Report").click()
    card.locator("form.rep").get_by_label("Off topic").check()
    card.locator("form.rep").get_by_role("button", name="Send report").click()
    expect(card.get_by_role("status")).to_have_text("Thanks. The moderators will take a look.")

    # comment on a passage (inline.js, loaded from Sidenote's origin)
    expect(layer(page)).to_be_attached()
    page.evaluate("scrollTo(0, 0)")
    drag_over(page, GRANITE)
    layer(page).get_by_role("button", name="Comment", exact=True).click()
    passage_form = popover(page).locator("form")
    reader.post("Prefabrication, across origins.", name="Priya", within=passage_form)
    expect(bubbles(page)).to_have_count(1)
    expect(reader.card("Prefabrication, across origins.").locator(".iq blockquote")).to_have_text(
        GRANITE
    )

    # sign in with the site's SSO token and post as that reader
    page.evaluate("token => window.Sidenote.login(token)", sso_token(seed))
    expect(reader.widget.locator("p.note", has_text="Signed in as Grace Hopper")).to_be_visible()
    reader.post("Signed in on the blog, commenting on Sidenote")
    expect(reader.card("Signed in on the blog").locator(".name")).to_have_text("Grace Hopper")

    # every answer came from Sidenote's origin, readable by the page's origin only
    assert answers, "the widget called the API"
    assert {a.url.split("/api/")[0] for a in answers} == {server.url}
    assert {a.headers.get("access-control-allow-origin") for a in answers} == {server.page_url}

    seed.session.expire_all()
    mine = seed.session.scalar(
        select(Comment).where(Comment.body_source == "Posted from the blog's own origin")
    )
    assert mine is not None
    subscription = seed.session.scalar(
        select(Subscription).where(Subscription.comment_id == mine.id)
    )
    assert subscription is not None and subscription.kind == "replies"
    assert seed.session.scalar(select(Vote).where(Vote.comment_id == ada.id)) is not None
    assert seed.session.scalar(select(Report).where(Report.comment_id == ada.id)) is not None
    seed.done()


def test_a_page_on_an_unlisted_origin_gets_a_polite_notice_and_a_console_hint(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key, origin="http://blog.example", wait=False)
    warnings: list[str] = []
    reader.page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    reader.page.reload()

    notice = reader.widget.get_by_role("alert")
    expect(notice).to_have_text("Comments are not enabled for this address.")
    expect(reader.widget.get_by_text("Could not reach the server")).to_have_count(0)
    assert (
        "Sidenote: this page's origin http://blog.example is not one of site 'demo''s origins; "
        "add it with `sidenote site update demo --origin …`"
    ) in warnings
    # The browser itself reports the thread read it refused to show this page: expected here.
    assert all("CORS" in error or "Failed to load" in error for error in reader.errors)
    reader.errors.clear()


def test_the_widget_still_works_on_sidenotes_own_origin(open_thread: Open, thread_key: str) -> None:
    """Same-origin is the exception now, and must keep working (a site served by Sidenote)."""
    reader = open_thread(thread_key, same_origin=True)
    assert reader.page.evaluate("location.origin") == reader.server.url
    reader.post("Posted next door to the API", name="Neighbour")
    expect(reader.card("Posted next door to the API")).to_be_visible()
