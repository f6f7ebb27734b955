"""Writing: post, reply, preview, edit, delete, vote, report, and every way a post can go wrong."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from service.http.cors import EXPOSED_HEADERS
from service.kernel import actors
from service.models import Comment, Report, Thread
from service.moderation import bans
from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]


def posted_bodies(page: Page) -> list[dict[str, object]]:
    """Record the JSON of every comment the page posts."""
    bodies: list[dict[str, object]] = []

    def record(request: object) -> None:
        if getattr(request, "method", "") == "POST" and str(getattr(request, "url", "")).endswith(
            "/api/v1/comments"
        ):
            bodies.append(json.loads(request.post_data or "{}"))  # type: ignore[attr-defined]

    page.on("request", record)
    return bodies


def test_a_reader_posts_a_comment_and_is_remembered(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    form = reader.open_composer()

    form.get_by_label("Email (optional, never shown)").fill("morag@example.org")
    reader.post("Hello from **Tiree**", name="Morag")

    card = reader.card("Hello from")
    expect(card.locator(".body strong")).to_have_text("Tiree")
    expect(card.locator(".name")).to_have_text("Morag")
    expect(card).to_be_focused()
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")
    expect(reader.widget.get_by_role("status")).to_have_text("Your comment is published.")
    expect(form.locator("textarea")).to_have_value("")
    reader.page.reload()
    form = reader.open_composer()
    expect(form.get_by_text("Posting as Morag")).to_be_visible()
    form.get_by_role("button", name="Change").click()
    expect(form.locator("input[name=name]")).to_have_value("Morag")
    expect(form.locator("input[name=email]")).to_have_value("morag@example.org")
    expect(reader.card("Hello from")).not_to_contain_text("example.org")


def test_a_reader_replies_to_a_comment(open_thread: Open, seed: Seeder, thread_key: str) -> None:
    seed.comment(thread_key, "Does anyone know the keepers' shifts?", author="Ada")
    reader = open_thread(thread_key)

    reader.card("keepers' shifts").get_by_role("button", name="Reply").click()
    reply_form = reader.widget.get_by_role("form", name="Reply to Ada")
    expect(reply_form.locator("textarea")).to_be_focused()
    reader.post("A month on, two weeks ashore.", name="Iain", within=reply_form)

    nested = reader.widget.locator(".list > li > ol.replies > li > article")
    expect(nested).to_contain_text("A month on, two weeks ashore.")
    expect(reply_form).to_have_count(0)
    expect(reader.widget.locator(".hd h2")).to_have_text("2 comments")


def test_preview_renders_markdown_on_the_server(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    form = reader.composer()
    form.locator("textarea").fill("Some **bold** words and <script>alert(1)</script>")

    form.get_by_role("tab", name="Preview").click()

    preview = form.get_by_role("tabpanel")
    expect(preview.locator("strong")).to_have_text("bold")
    expect(preview).to_contain_text("<script>alert(1)</script>")
    expect(form.locator("textarea")).to_be_hidden()
    form.get_by_role("tab", name="Write").click()
    expect(form.locator("textarea")).to_have_value(
        "Some **bold** words and <script>alert(1)</script>"
    )


def test_a_reader_edits_their_own_comment(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    reader.post("First thoughts, typo here")
    card = reader.card("First thoughts")

    card.get_by_role("button", name="Edit").click()
    form = reader.widget.get_by_role("form", name="Edit your comment")
    expect(form.locator("textarea")).to_have_value("First thoughts, typo here")
    form.locator("textarea").fill("Second thoughts, *fixed*")
    form.get_by_role("button", name="Save").click()

    edited = reader.card("Second thoughts")
    expect(edited.locator(".body em")).to_have_text("fixed")
    expect(edited.locator(".tag")).to_have_text("edited")
    expect(reader.widget.get_by_text("First thoughts")).to_have_count(0)


def test_others_cannot_edit_or_delete_a_comment(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Written by someone else")
    reader = open_thread(thread_key)

    card = reader.card("Written by someone else")
    expect(card.get_by_role("button", name="Reply")).to_be_visible()
    expect(card.get_by_role("button", name="Edit")).to_have_count(0)
    expect(card.get_by_role("button", name="Delete")).to_have_count(0)


def test_a_reader_deletes_their_own_comment(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    reader.post("A comment I regret")
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")

    reader.card("A comment I regret").get_by_role("button", name="Delete").click()
    reader.widget.get_by_role("group", name="Delete this comment for good?").get_by_role(
        "button", name="Delete"
    ).click()

    expect(reader.widget.get_by_text("A comment I regret")).to_have_count(0)
    expect(reader.widget.locator(".hd h2")).to_have_text("0 comments")
    expect(reader.widget.get_by_text("No comments yet")).to_be_visible()
    reader.page.reload()
    expect(reader.widget.get_by_text("No comments yet")).to_be_visible()


def test_deleting_a_comment_with_replies_leaves_a_tombstone(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    reader.post("Parent to be deleted")
    card = reader.card("Parent to be deleted")
    card.get_by_role("button", name="Reply").click()
    reader.post("A reply that stays", within=card.locator("form.cm"))
    expect(reader.card("A reply that stays")).to_be_visible()

    reader.card("Parent to be deleted").get_by_role("button", name="Delete").click()
    reader.widget.locator(".cfm").get_by_role("button", name="Delete").click()

    expect(reader.widget.locator(".list > li > article")).to_have_text("This comment was deleted.")
    expect(reader.card("A reply that stays")).to_be_visible()


def test_votes_count_and_the_reader_sees_their_own(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Vote on me")
    reader = open_thread(thread_key)
    card = reader.card("Vote on me")
    up = card.get_by_role("button", name="Upvote")
    down = card.get_by_role("button", name="Downvote")

    up.click()
    expect(up).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_text("▲Upvote 1")
    down.click()
    expect(down).to_have_attribute("aria-pressed", "true")
    expect(up).to_have_attribute("aria-pressed", "false")
    # a zero count is not shown
    expect(card.get_by_role("button", name="Upvote")).to_have_text("▲Upvote")
    expect(down).to_have_text("▼Downvote 1")
    reader.page.reload()
    expect(reader.card("Vote on me").get_by_role("button", name="Downvote")).to_have_attribute(
        "aria-pressed", "true"
    )
    reader.card("Vote on me").get_by_role("button", name="Downvote").click()
    expect(reader.card("Vote on me").get_by_role("button", name="Downvote")).to_have_attribute(
        "aria-pressed", "false"
    )


def test_a_reader_reports_a_comment_with_a_reason(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    comment = seed.comment(thread_key, "Buy cheap watches")
    reader = open_thread(thread_key)
    card = reader.card("Buy cheap watches")

    card.get_by_role("button", name="Report").click()
    form = card.locator("form.rep")
    form.get_by_label("Off topic").check()
    form.get_by_label("Note for the moderators (optional)").fill("Not about lighthouses")
    form.get_by_role("button", name="Send report").click()

    expect(card.get_by_role("status")).to_have_text("Thanks. The moderators will take a look.")
    expect(card.get_by_role("button", name="Report")).to_be_focused()
    report = seed.session.scalar(select(Report).where(Report.comment_id == comment.id))
    seed.done()
    assert report is not None
    assert (report.reason, report.note) == ("off_topic", "Not about lighthouses")


def test_errors_show_at_the_fields_the_api_names(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    form = reader.open_composer()
    form.get_by_label("Email (optional, never shown)").fill("not-an-email")
    form.get_by_label("Website (optional)").fill("javascript:alert(1)")

    reader.post("A perfectly fine comment")

    email = form.get_by_label("Email (optional, never shown)")
    website = form.get_by_label("Website (optional)")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("must be an email address")
    expect(website).to_have_attribute("aria-invalid", "true")
    expect(website).to_have_accessible_description("must be an http:// or https:// address")
    expect(form.get_by_label("Name")).not_to_have_attribute("aria-invalid", "true")
    expect(form.get_by_role("alert")).to_have_text("Please check the marked fields.")
    expect(email).to_be_focused()
    expect(form.locator("textarea")).to_have_value("A perfectly fine comment")
    reader.errors.clear()  # the 400 answer is logged by the browser


def test_an_empty_or_too_long_comment_is_caught_before_sending(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    bodies = posted_bodies(page)
    reader = open_thread(thread_key)
    form = reader.open_composer()
    textarea = form.locator("textarea")

    form.get_by_role("button", name="Post comment").click()
    expect(textarea).to_have_accessible_description(
        "Markdown works: **bold**, *italic*, `code`, > quote, - lists, links. "
        "0 of 10,000 characters Write something first."
    )
    textarea.fill("x" * 10_001)
    expect(form.locator(".row .over")).to_have_text("10,001 of 10,000 characters")
    form.get_by_role("button", name="Post comment").click()
    expect(form.locator(".ferr")).to_have_text(
        "Too long: comments are limited to 10,000 characters."
    )
    assert bodies == []


def test_a_draft_survives_a_reload(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    reader.composer().locator("textarea").fill("Half a thought about granite")

    reader.page.reload()

    expect(reader.composer().locator("textarea")).to_have_value("Half a thought about granite")


def test_too_many_attempts_reads_as_a_human_message(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)

    def rate_limited(route: Route) -> None:
        if route.request.method != "POST":
            route.fallback()
            return
        route.fulfill(
            status=429,
            # cross-origin: the widget reads Retry-After only because Sidenote exposes it
            headers={
                "Retry-After": "30",
                "Content-Type": "application/json",
                "Access-Control-Expose-Headers": EXPOSED_HEADERS,
            },
            body=json.dumps({"error": {"code": "rate_limited", "message": "Slow down."}}),
        )

    reader.page.route("**/api/v1/comments", rate_limited)
    reader.post("Posting too fast")

    expect(reader.composer().get_by_role("alert")).to_have_text(
        "Too many attempts. Please try again in 30 seconds."
    )
    expect(reader.composer().locator("textarea")).to_have_value("Posting too fast")
    reader.errors.clear()


def test_a_network_failure_is_retried_without_losing_the_text(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    failures = {"left": 1}

    def flaky(route: Route) -> None:
        if route.request.method == "POST" and failures["left"]:
            failures["left"] -= 1
            route.abort("connectionreset")
        else:
            route.fallback()

    reader.page.route("**/api/v1/comments", flaky)
    reader.post("Sent over a bad connection")

    expect(reader.card("Sent over a bad connection")).to_be_visible()
    assert failures["left"] == 0
    reader.errors.clear()


def test_an_unreachable_server_keeps_the_text_and_says_so(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    reader.page.route(
        "**/api/v1/comments",
        lambda route: (
            route.abort("internetdisconnected")
            if route.request.method == "POST"
            else route.fallback()
        ),
    )

    reader.post("Written on a train")

    expect(reader.composer().get_by_role("alert")).to_have_text(
        "Could not reach the server. Your text is kept; please try again.", timeout=10_000
    )
    expect(reader.composer().locator("textarea")).to_have_value("Written on a train")
    reader.page.unroute("**/api/v1/comments")
    reader.composer().get_by_role("button", name="Post comment").click()
    expect(reader.card("Written on a train")).to_be_visible()
    reader.errors.clear()


def another_reader_sees_no_comment(
    browser: Browser, live_server: LiveServer, thread_key: str, html: str, text: str
) -> None:
    """The same page in a fresh context (nothing stored) shows an empty thread without `text`."""
    other = browser.new_page()
    try:
        other.route(
            live_server.page_url + thread_key,
            lambda route: route.fulfill(body=html, content_type="text/html"),
        )
        other.goto(live_server.page_url + thread_key)
        expect(other.locator("#sidenote-thread").get_by_text("No comments yet")).to_be_visible()
        expect(other.locator("#sidenote-thread").get_by_text(text)).to_have_count(0)
    finally:
        other.close()


def test_awaiting_moderation_is_shown_only_to_its_author(
    open_thread: Open, seed: Seeder, thread_key: str, browser: Browser, live_server: LiveServer
) -> None:
    seed.site("premoderated", moderation="pre")
    reader = open_thread(thread_key, site="premoderated")

    reader.post("Please approve me")

    card = reader.card("Please approve me")
    expect(card.locator(".note")).to_have_text(
        "Awaiting moderation. Only you can see this for now."
    )
    expect(reader.widget.get_by_role("status")).to_have_text(
        "Thanks! Your comment will appear once a moderator approves it."
    )
    expect(reader.widget.locator(".hd h2")).to_have_text("0 comments")
    reader.page.reload()
    expect(reader.card("Please approve me").locator(".note")).to_be_visible()
    another_reader_sees_no_comment(
        browser, live_server, thread_key, reader.page.content(), "Please approve me"
    )


def test_a_shadow_banned_author_still_sees_their_comment_after_a_reload(
    open_thread: Open, seed: Seeder, thread_key: str, browser: Browser, live_server: LiveServer
) -> None:
    """The widget keeps the comment it was told is approved, so the ban does not give itself
    away to its author; nobody else (another browser) ever sees it."""
    email = "shadowed@example.org"
    with seed.app.app_context():
        bans.create_ban(
            seed.session, actors.CLI_ACTOR, kind="email", site=seed.demo, value=email, shadow=True
        )
    seed.done()
    reader = open_thread(thread_key)
    reader.open_composer().get_by_label("Email (optional, never shown)").fill(email)

    reader.post("Nobody else reads this")

    expect(reader.widget.get_by_role("status")).to_have_text("Your comment is published.")
    stored = seed.session.scalar(
        select(Comment).where(Comment.body_source == "Nobody else reads this")
    )
    seed.done()
    assert stored is not None and stored.status == "spam"
    reader.page.reload()
    card = reader.card("Nobody else reads this")
    expect(card).to_be_visible()
    expect(card.locator(".note")).to_have_count(0)  # no "awaiting moderation": it was "approved"
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")
    another_reader_sees_no_comment(
        browser, live_server, thread_key, reader.page.content(), "Nobody else reads"
    )


def test_a_locked_thread_offers_no_composer(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    comment = seed.comment(thread_key, "Last word before closing")
    thread = seed.session.get_one(Thread, comment.thread_id)
    thread.locked = True
    thread.version += 1
    seed.done()

    reader = open_thread(thread_key)

    expect(reader.widget.get_by_text("Comments are closed.")).to_be_visible()
    expect(reader.widget.locator("textarea")).to_have_count(0)
    expect(reader.card("Last word").get_by_role("button", name="Reply")).to_have_count(0)


def test_the_form_token_is_fetched_on_first_use_and_sent(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    token_requests: list[str] = []
    page.on("request", lambda r: "/api/v1/form-token" in r.url and token_requests.append(r.url))
    page.route(
        "**/api/v1/form-token?*",
        lambda route: route.fulfill(json={"form_token": "signed-token-123"}),
    )
    bodies = posted_bodies(page)
    reader = open_thread(thread_key)
    assert token_requests == []

    reader.composer().locator("textarea").focus()
    reader.post("With a token")

    expect(reader.card("With a token")).to_be_visible()
    assert token_requests == [reader.server.url + "/api/v1/form-token?site=demo"]
    assert bodies[0]["form_token"] == "signed-token-123"
    assert bodies[0]["homepage"] == ""


def test_without_a_form_token_endpoint_the_comment_goes_without_one(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    page.route(
        "**/api/v1/form-token?*",
        lambda route: route.fulfill(
            status=404, json={"error": {"code": "not_found", "message": "Nothing here."}}
        ),
    )
    bodies = posted_bodies(page)
    reader = open_thread(thread_key)

    reader.post("No token needed")

    expect(reader.card("No token needed")).to_be_visible()
    assert "form_token" not in bodies[0]
    reader.errors.clear()


def test_the_honeypot_is_hidden_from_people_and_assistive_technology(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    honeypot = reader.open_composer().locator("input[name=homepage]")

    assert honeypot.evaluate("el => el.closest('[aria-hidden=true]') !== null")
    expect(honeypot).to_have_attribute("tabindex", "-1")
    box = honeypot.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] < 0 or box["width"] <= 1


def offer_subscriptions(page: Page, offered: bool) -> None:
    """Answer the site config with `features.subscriptions` set as the test needs."""

    def answer(route: Route) -> None:
        config = route.fetch().json()
        config["features"]["subscriptions"] = offered
        route.fulfill(json=config)

    page.unroute("**/api/v1/sites/demo/config")
    page.route("**/api/v1/sites/demo/config", answer)


def test_notify_of_is_hidden_when_the_site_offers_no_subscriptions(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    offer_subscriptions(page, False)

    reader = open_thread(thread_key)

    expect(reader.composer().locator("textarea")).to_be_visible()
    expect(reader.composer().locator("select[name=notify]")).to_have_count(0)


def test_notify_of_is_offered_and_sent_when_the_site_has_subscriptions(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    offer_subscriptions(page, True)
    bodies = posted_bodies(page)
    reader = open_thread(thread_key)

    notify = reader.open_composer().get_by_label("Notify me of")
    expect(notify.locator("option")).to_have_text(
        ["Nothing", "Replies to my comment", "All new comments here"]
    )
    notify.select_option("replies")
    reader.composer().get_by_label("Email (optional, never shown)").fill("me@example.org")
    reader.post("Tell me about replies")

    expect(reader.card("Tell me about replies")).to_be_visible()
    assert bodies[0]["notify"] == "replies"
