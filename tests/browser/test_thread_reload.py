"""A reload shows what is there now (issue 22): after another reader posts, reloading the page
shows their comment, not the thread the browser read before.

The page is the server's own demo article, not one served by Playwright's router: routing turns
the browser's HTTP cache off, and the cache is what this test is about.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live import LiveServer

pytestmark = pytest.mark.browser


def test_a_reload_after_another_reader_posted_shows_their_comment(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    page.goto(live_server.url + "/")
    heading = page.locator("#sidenote-thread .hd h2")
    expect(heading).to_have_text(re.compile(r"^\d+ comments?$"))
    before = int(heading.inner_text().split()[0])

    other = browser.new_page()  # another reader: their own context, nothing shared
    try:
        other.goto(live_server.url + "/")
        form = other.locator("#sidenote-thread form.cm").first
        form.locator("textarea").fill("Posted by another reader a moment ago")
        form.get_by_role("button", name="Post comment").click()
        expect(other.locator("#sidenote-thread").get_by_role("status")).to_have_text(
            "Your comment is published."
        )
    finally:
        other.close()

    page.reload()
    expect(heading).to_have_text(f"{before + 1} comments")
