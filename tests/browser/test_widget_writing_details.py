"""Writing details (issue 22): sending from the keyboard, what the form does while and after
sending, the delete confirmation and the report form, as a reader sees them."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from playwright.sync_api import Route, expect

from service.http.cors import EXPOSED_HEADERS
from tests.browser.conftest import Reader
from tests.browser.live import Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
ARTICLE = (
    "<article data-sidenote-article><h2>The shore station</h2>"
    "<p>The keepers' families waited at Hynish for news from the rock.</p></article>"
)


def hold_posts(reader: Reader) -> list[Route]:
    """Hold every comment POST until the test answers it."""
    held: list[Route] = []
    reader.page.route(
        "**/api/v1/comments",
        lambda route: held.append(route) if route.request.method == "POST" else route.fallback(),
    )
    return held


def wait_for(reader: Reader, held: list[Route], n: int = 1) -> Route:
    """The n-th held POST, once the widget has sent it (the page's event loop runs meanwhile)."""
    for _ in range(100):
        if len(held) >= n:
            return held[n - 1]
        reader.page.wait_for_timeout(100)
    raise AssertionError(f"comment POST number {n} was never sent")


def fail(route: Route, kind: str) -> None:
    if kind == "network":
        route.abort("connectionrefused")
        return
    status, code = (429, "rate_limited") if kind == "429" else (403, "forbidden")
    route.fulfill(
        status=status,
        headers={
            "Retry-After": "30",
            "Content-Type": "application/json",
            "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        },
        body=json.dumps({"error": {"code": code, "message": "No."}}),
    )


def test_ctrl_enter_in_the_textarea_sends_the_comment(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    textarea = reader.composer().locator("textarea")
    textarea.fill("Sent from the keyboard")

    textarea.press("Control+Enter")

    expect(reader.card("Sent from the keyboard")).to_be_visible()
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")


def test_the_textarea_is_read_only_while_sending_and_editable_after_a_failure(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    held = hold_posts(reader)
    textarea = reader.composer().locator("textarea")
    textarea.fill("Written on the ferry")

    textarea.press("Control+Enter")
    route = wait_for(reader, held)

    expect(textarea).not_to_be_editable()
    expect(reader.composer().locator("button[type=submit]")).to_have_text("Sending…")
    fail(route, "403")
    expect(reader.composer().get_by_role("alert")).not_to_be_empty()
    expect(textarea).to_be_editable()
    expect(textarea).to_have_value("Written on the ferry")
    reader.errors.clear()


@pytest.mark.parametrize("kind", ["429", "403", "network"])
def test_focus_stays_on_the_send_button_through_a_failed_send(
    open_thread: Open, thread_key: str, kind: str
) -> None:
    reader = open_thread(thread_key)
    held = hold_posts(reader)
    form = reader.composer()
    form.locator("textarea").fill("Keep me and my focus")
    send = form.locator("button[type=submit]")

    send.click()
    route = wait_for(reader, held)

    # aria-disabled, not disabled: a disabled button would drop the focus to the page
    expect(send).to_have_attribute("aria-disabled", "true")
    expect(send).to_be_focused()
    # a second press while sending sends nothing more
    send.press("Enter")
    fail(route, kind)
    if kind == "network":  # the widget retries a dropped connection twice
        fail(wait_for(reader, held, 2), kind)
        fail(wait_for(reader, held, 3), kind)

    expect(form.get_by_role("alert")).not_to_be_empty(timeout=10_000)
    expect(send).to_be_focused()
    expect(send).to_have_attribute("aria-disabled", "false")
    expect(send).to_have_text("Post comment")
    expect(form.locator("textarea")).to_have_value("Keep me and my focus")
    assert len(held) == (3 if kind == "network" else 1)
    reader.errors.clear()


def test_the_delete_confirmation_is_a_danger_button_without_the_focus_and_escape_closes_it(
    open_thread: Open, thread_key: str
) -> None:
    # an article on the page: inline.js (and its stylesheet) are there too
    reader = open_thread(thread_key, before=ARTICLE)
    expect(reader.page.locator("sidenote-layer")).to_be_attached()
    reader.post("A comment I may regret")
    opener = reader.card("A comment I may regret").get_by_role("button", name="Delete")

    opener.click()
    ask = reader.widget.get_by_role("group", name="Delete this comment for good?")
    delete = ask.get_by_role("button", name="Delete")
    expect(ask.get_by_role("button", name="Cancel")).to_be_focused()
    expect(delete).not_to_be_focused()
    expect(delete).to_have_css("background-color", "rgb(179, 38, 30)")
    expect(delete).to_have_css("color", "rgb(255, 255, 255)")
    # no stray "?" before the question (inline.css marks question bubbles with one)
    before = ask.evaluate("el => getComputedStyle(el, '::before').content")
    assert before in ("none", "normal")

    reader.page.keyboard.press("Escape")

    expect(ask).to_have_count(0)
    expect(opener).to_be_focused()
    expect(reader.card("A comment I may regret")).to_be_visible()


def test_report_has_no_reason_preselected_and_asks_for_one(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Buy cheap watches")
    reader = open_thread(thread_key)
    card = reader.card("Buy cheap watches")
    sent: list[str] = []
    reader.page.on("request", lambda r: r.url.endswith("/report") and sent.append(r.url))

    card.get_by_role("button", name="Report").click()
    form = card.locator("form.rep")
    for reason in ("Spam", "Abuse or harassment", "Off topic", "Something else"):
        expect(form.get_by_label(reason)).not_to_be_checked()
    form.get_by_role("button", name="Send report").click()

    expect(form.get_by_role("alert")).to_have_text("Please check the marked fields.")
    expect(
        form.get_by_role("group", name="Why should the moderators look at this?")
    ).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Spam")).to_be_focused()
    assert sent == []

    form.get_by_label("Spam").check()
    form.get_by_role("button", name="Send report").click()
    expect(card.get_by_role("status")).to_have_text("Thanks. The moderators will take a look.")


def test_the_editor_says_until_when_the_comment_can_be_changed(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    with reader.page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith("/api/v1/comments")
    ) as response:
        reader.post("First thoughts")
    expires = response.value.json()["edit_expires_at"]
    until = reader.page.evaluate(
        "iso => new Intl.DateTimeFormat('en', {dateStyle: 'long', timeStyle: 'short'})"
        ".format(new Date(iso))",
        expires,
    )

    reader.card("First thoughts").get_by_role("button", name="Edit").click()

    form = reader.widget.get_by_role("form", name="Edit your comment")
    expect(form.locator(".note")).to_have_text(f"You can change it until {until}.")
    expect(form.locator(".note")).to_be_visible()


def test_the_delete_button_reads_as_danger_in_the_dark_theme_too(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key, attrs={"data-sidenote-theme": "dark"})
    reader.post("Said in the dark")

    reader.card("Said in the dark").get_by_role("button", name="Delete").click()

    delete = reader.widget.get_by_role("group", name="Delete this comment for good?").get_by_role(
        "button", name="Delete"
    )
    # the dark danger colour (#ffb4ab) with dark text, not white on pale pink
    expect(delete).to_have_css("background-color", "rgb(255, 180, 171)")
    expect(delete).to_have_css("color", "rgb(65, 14, 11)")
