"""The widget in two chunks: embed.js (the reading core) paints the thread alone; write.js (the
composer and the cards' forms) follows, and nothing a reader does before it arrives is lost."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Page, Response, Route, expect

from tests.browser.conftest import PAGE, Reader
from tests.browser.live import LiveServer, Seeder

WRITE_JS = re.compile(r"/write\.js\?v=[0-9a-f]{12}$")
IMMUTABLE = "public, max-age=31536000, immutable"


def hold_write_js(page: Page) -> Callable[[], None]:
    """Keep write.js from arriving until the returned function lets it through."""
    held: list[Route] = []
    page.route(WRITE_JS, lambda route: held.append(route))

    def release() -> None:
        while not held:  # the request is on its way: the handler runs as Playwright pumps events
            page.wait_for_timeout(20)
        for route in held:
            route.continue_()

    return release


def open_while_write_js_is_held(page: Page, live_server: LiveServer, path: str) -> Reader:
    """Like `open_thread`, without waiting for the page's load event (which waits for write.js)."""
    reader = Reader(page, live_server)
    page.on("pageerror", lambda error: reader.errors.append(f"page error: {error}"))
    html = PAGE.format(
        sidenote=live_server.url, lang="en", title="Held", head="", before="", attrs="", site="demo"
    )
    page.route(
        lambda url: urlsplit(url).path == path,
        lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8", body=html),
    )
    page.goto(live_server.page_url + path, wait_until="domcontentloaded")
    reader.widget.locator(".hd h2").wait_for()
    return reader


def test_the_thread_paints_without_the_writing_chunk(
    seed: Seeder, thread_key: str, page: Page, live_server: LiveServer
) -> None:
    seed.comment(thread_key, "Readable before any form exists")
    hold_write_js(page)

    reader = open_while_write_js_is_held(page, live_server, thread_key)

    expect(reader.card("Readable before any form exists")).to_be_visible()
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")
    line = reader.widget.get_by_role("textbox", name="Your comment")
    expect(line).to_have_attribute("placeholder", "Join the discussion…")
    expect(reader.widget.locator("textarea")).to_have_count(0)
    assert reader.errors == []


def test_a_reader_who_types_into_the_line_before_write_js_arrives_loses_nothing(
    thread_key: str, page: Page, live_server: LiveServer
) -> None:
    release = hold_write_js(page)
    reader = open_while_write_js_is_held(page, live_server, thread_key)

    reader.widget.get_by_placeholder("Join the discussion…").click()
    page.keyboard.type("Typed before the composer")
    release()

    textarea = reader.composer().locator("textarea")
    expect(textarea).to_be_focused()
    expect(textarea).to_have_value("Typed before the composer")
    page.keyboard.type(", and after it")  # the caret is at the end
    expect(textarea).to_have_value("Typed before the composer, and after it")
    reader.composer().locator("button[type=submit]").click()
    expect(reader.card("Typed before the composer, and after it")).to_be_visible()
    expect(reader.widget.locator("input.join")).to_have_count(0)  # the stand-in is gone
    assert reader.errors == []


def test_a_click_on_reply_before_write_js_arrives_opens_the_reply_form(
    seed: Seeder, thread_key: str, page: Page, live_server: LiveServer
) -> None:
    seed.comment(thread_key, "Answer me quickly")
    release = hold_write_js(page)
    reader = open_while_write_js_is_held(page, live_server, thread_key)

    card = reader.card("Answer me quickly")
    card.get_by_role("button", name="Reply").click()
    expect(card.locator("textarea")).to_have_count(0)
    release()

    reply = card.locator("form.cm textarea")
    expect(reply).to_be_focused()
    expect(reply).to_have_accessible_name(re.compile(r"^Reply to "))
    assert reader.errors == []


def test_the_writing_chunk_comes_with_its_content_hash_and_a_year_of_cache_under_strict_csp(
    page: Page, live_server: LiveServer
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(
        "addEventListener('securitypolicyviolation',"
        " e => console.error('CSP: ' + e.violatedDirective))"
    )
    with page.expect_response(WRITE_JS) as answer:
        page.goto(live_server.page_url + "/csp")
    response: Response = answer.value

    assert response.url.startswith(live_server.url + "/write.js?v=")
    assert response.status == 200
    assert response.headers["cache-control"] == IMMUTABLE
    widget = page.locator("#sidenote-thread")
    widget.locator("textarea").first.fill("Written with write.js under a strict policy")
    widget.locator("button[type=submit]").first.click()
    expect(widget.locator("article.card", has_text="under a strict policy")).to_be_visible()
    assert errors == []
