"""The composer is honest with fast pasters, "Verify email" and "Notify me of" (issue 22)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import PAGE, Reader
from tests.browser.live import LiveServer, start_server, stop_server

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
EMAIL = "Email (optional, never shown)"


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that wants a form token and holds posts sent within 2 s of getting it."""
    process, server = start_server(
        Path(tmp_path_factory.mktemp("strict")),
        form_token_required="true",
        min_compose_seconds="2",
    )
    try:
        yield server
    finally:
        stop_server(process)


def open_on(page: Page, server: LiveServer, path: str) -> None:
    """The thread's page on another origin of the demo site (localhost), as sites embed it."""
    html = PAGE.format(
        lang="en",
        title=escape(path),
        head="",
        before="",
        attrs="",
        site="demo",
        sidenote=server.url,
    )
    page.route(
        lambda url: urlsplit(url).path == path,
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(server.page_url + path)
    page.locator("#sidenote-thread .hd h2").wait_for()


def test_a_reader_who_pastes_and_sends_at_once_is_published_after_sending(
    page: Page, strict_server: LiveServer, thread_key: str
) -> None:
    open_on(page, strict_server, thread_key)
    widget = page.locator("#sidenote-thread")
    form = widget.locator("form.cm").first
    form.locator("textarea").focus()  # the form token is fetched now
    form.locator("textarea").fill("Pasted in one go")
    send = form.get_by_role("button", name="Post comment")
    send.click()

    expect(form.get_by_role("button", name="Sending…")).to_be_visible()
    expect(widget.get_by_role("status")).to_have_text("Your comment is published.", timeout=8000)
    expect(widget.locator("article.card", has_text="Pasted in one go")).to_be_visible()


def test_verify_email_is_disabled_until_the_email_looks_like_an_address(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    reader.open_composer()
    verify = reader.composer().get_by_role("button", name="Verify email")
    email = reader.composer().get_by_label(EMAIL)
    email.fill("")
    expect(verify).to_be_disabled()
    email.fill("ada@example")
    expect(verify).to_be_disabled()
    email.fill("ada@example.org")
    expect(verify).to_be_enabled()
    verify.click()
    expect(reader.composer().get_by_role("alert")).to_have_text("Check your inbox for our link.")


def test_a_server_error_is_said_once(open_thread: Open, thread_key: str, page: Page) -> None:
    page.route(
        "**/api/v1/guest/verify",
        lambda route: route.fulfill(
            status=500,
            json={
                "error": {"code": "internal_error", "message": "Something went wrong on our side."}
            },
        ),
    )
    reader = open_thread(thread_key)
    reader.open_composer().get_by_label(EMAIL).fill("ada@example.org")
    reader.composer().get_by_role("button", name="Verify email").click()
    alert = reader.composer().get_by_role("alert")
    expect(alert).to_have_text("Something went wrong (HTTP 500). Please try again.")
    reader.errors.clear()  # the console reports the 500


def offer_subscriptions(page: Page) -> None:
    def answer(route: Route) -> None:
        config = route.fetch().json()
        config["features"]["subscriptions"] = True
        route.fulfill(json=config)

    page.route("**/api/v1/sites/demo/config", answer)


def test_notify_me_needs_an_email_and_then_says_to_click_the_mails_link(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    offer_subscriptions(page)
    reader = open_thread(thread_key)
    form = reader.open_composer()
    notify = form.get_by_label("Notify me of")
    notify.select_option("replies")
    form.get_by_label(EMAIL).fill("")
    # not test_widget_writing's text: the same text again from the same address is held
    reader.post("Notify me when someone answers")

    field_error = form.locator(".ferr")
    expect(field_error).to_have_text("Give your email address to be notified, or choose not to be.")
    expect(form.get_by_label(EMAIL)).to_have_attribute("aria-invalid", "true")
    expect(reader.widget.locator("article.card", has_text="Notify me when")).to_have_count(0)
    reader.errors.clear()  # the console reports the 400

    form.get_by_label(EMAIL).fill("me@example.org")
    form.get_by_role("button", name="Post comment").click()

    expect(reader.card("Notify me when someone answers")).to_be_visible()
    expect(reader.widget.get_by_role("status")).to_have_text(
        "Your comment is published. Check your inbox for our link."
    )
    expect(notify).to_have_value("none")
