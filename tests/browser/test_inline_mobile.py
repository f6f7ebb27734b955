"""Inline bubbles on narrow screens and for keyboard users (issue 22): a bubble or badge never
covers a word of the article at 390, 768 or 1280 px, stays big enough to tap, and Tab reaches a
passage's bubble right after the passage, not at the end of the page.

"A word of the article" is every line box of its text nodes (Range.getClientRects), so a bubble
over a single letter counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder
from tests.browser.test_host_layouts import (
    CLEAN,
    CLEAN_BEFORE,
    CLEAN_CSS,
    CLEAN_PASSAGE,
    SIDENOTES,
    TUFTE,
    TUFTE_CSS,
)
from tests.browser.test_inline_comments import ARTICLE, GRANITE, HARBOUR, anchor_on, bubbles

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
WIDTHS = (390, 768, 1280)

#: Every shown bubble's box, every article line box it overlaps, and the window's width.
OVERLAPS = """() => {
    const root = document.querySelector("[data-sidenote-article]");
    const lines = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode()); ) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects())
            if (r.width > 0 && r.height > 0) lines.push({r, text: node.data.trim().slice(0, 40)});
    }
    const layer = document.querySelector("sidenote-layer").shadowRoot;
    const marks = [...layer.querySelectorAll("button.bb")].filter((b) => !b.hidden);
    const box = (r) => ({left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                         width: r.width, height: r.height});
    return {
        width: innerWidth,
        marks: marks.map((b) => box(b.getBoundingClientRect())),
        overlaps: marks.flatMap((b) => {
            const m = b.getBoundingClientRect();
            return lines
                .filter(({r}) => m.left < r.right && r.left < m.right && m.top < r.bottom
                                 && r.top < m.bottom)
                .map(({r, text}) => ({bubble: b.getAttribute("aria-label"), line: box(r), text}));
        }),
    };
}"""


def settled(page: Page) -> None:
    """Two animation frames: the layer places its bubbles on the next frame after a change."""
    for _ in range(2):
        page.evaluate("() => new Promise((done) => requestAnimationFrame(done))")


def assert_no_bubble_covers_text(page: Page, expected: int) -> None:
    expect(bubbles(page)).to_have_count(expected)
    settled(page)
    found: dict[str, Any] = page.evaluate(OVERLAPS)
    assert len(found["marks"]) == expected, "every bubble is shown"
    assert found["overlaps"] == [], found["overlaps"]
    for mark in found["marks"]:
        assert mark["width"] >= 24 and mark["height"] >= 24, mark
        assert mark["left"] >= 0 and mark["right"] <= found["width"], mark


@pytest.mark.parametrize("width", WIDTHS)
def test_on_the_demo_article_no_bubble_covers_a_word(
    page: Page, live_server: LiveServer, width: int
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(live_server.page_url + "/")

    assert_no_bubble_covers_text(page, 6)
    # the demo's text column leaves 48 px beside it at 768 px, 16 at 390: badges there
    badges = page.locator("sidenote-layer").locator("button.bb.bd")
    expect(badges).to_have_count(0 if width == 1280 else 6)
    assert errors == []


@pytest.mark.parametrize("width", WIDTHS)
def test_on_a_blog_whose_container_touches_the_window_no_bubble_covers_a_word(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str, width: int
) -> None:
    seed.comment(thread_key, "Which flag?", anchor=anchor_on(CLEAN, CLEAN_PASSAGE))
    seed.comment(thread_key, "Every night?", anchor=anchor_on(CLEAN, "Clean paragraph 2"))
    page.set_viewport_size({"width": width, "height": 900})
    reader = open_thread(
        thread_key, head=f"<style>{CLEAN_CSS}</style>", before=CLEAN_BEFORE + CLEAN
    )

    assert_no_bubble_covers_text(reader.page, 2)


@pytest.mark.parametrize("width", WIDTHS)
def test_on_a_tufte_page_no_bubble_covers_a_word_of_the_text_or_its_notes(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str, width: int
) -> None:
    seed.comment(thread_key, "Like Tufte's.", anchor=anchor_on(TUFTE, SIDENOTES))
    seed.comment(
        thread_key, "Bembo!", anchor=anchor_on(TUFTE, "typeset beside the line they belong to")
    )
    page.set_viewport_size({"width": width, "height": 900})
    reader = open_thread(thread_key, head=f"<style>{TUFTE_CSS}</style>", before=TUFTE)

    assert_no_bubble_covers_text(reader.page, 2)


PHONE: ViewportSize = {"width": 390, "height": 800}


@pytest.mark.browser_context_args(viewport=PHONE, has_touch=True, is_mobile=True)
def test_on_a_phone_a_badge_after_the_paragraph_opens_its_comments(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Who flushed it?", author="Ada", anchor=anchor_on(ARTICLE, HARBOUR))
    reader = open_thread(thread_key, before=ARTICLE)
    page = reader.page
    badge = bubbles(page).first
    expect(badge).to_have_class("pri bb bd")
    expect(badge).to_have_accessible_name(f"1 comment on “{HARBOUR[:59]}…”")
    settled(page)
    paragraph = page.locator("[data-sidenote-article] p").first.bounding_box()
    box = badge.bounding_box()
    assert paragraph and box
    assert box["y"] >= paragraph["y"] + paragraph["height"] - box["height"] - 12, (
        "the badge marks the paragraph's end, level with or just under its last line"
    )

    badge.tap()
    expect(page.locator("sidenote-layer").get_by_role("dialog")).to_contain_text("Who flushed it?")


# -- keyboard: Tab takes each bubble right after its passage ----------------------------------

LINKED = (
    "<a id='before' href='#top'>Skip to the top</a>"
    "<article data-sidenote-article><h2>The shore station</h2>"
    f"<p>{HARBOUR} See <a href='#map'>the map</a>.</p>"
    f"<p>Nothing was commented here. See <a href='#plans'>the plans</a>.</p>"
    f"<p>{GRANITE} See <a href='#yard'>the yard</a> and <a href='#quay'>the quay</a>.</p>"
    "</article>"
)

#: What has the focus, however deep in shadow roots: a bubble's or control's accessible name.
FOCUSED = """() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    return el.getAttribute("aria-label") || el.textContent.trim().slice(0, 40);
}"""


def test_tab_reaches_each_bubble_right_after_its_passage_and_shift_tab_goes_back(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "On the harbour.", anchor=anchor_on(LINKED, HARBOUR))
    seed.comment(thread_key, "On the granite.", anchor=anchor_on(LINKED, GRANITE))
    reader = open_thread(thread_key, before=LINKED)
    page = reader.page
    expect(bubbles(page)).to_have_count(2)
    harbour = f"1 comment on “{HARBOUR[:59]}…”"
    granite = f"1 comment on “{GRANITE[:59]}…”"
    order = ["Skip to the top", "the map", harbour, "the plans", "the yard", "the quay", granite]

    page.locator("#before").focus()
    seen = [page.evaluate(FOCUSED)]
    for _ in order[1:]:
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen == order

    page.keyboard.press("Tab")
    after = page.evaluate(FOCUSED)
    assert after not in order, "after the last bubble Tab goes on into the rest of the page"
    expect(page.locator("sidenote-layer").locator(":focus")).to_have_count(0)

    back = [after]
    for _ in order:
        page.keyboard.press("Shift+Tab")
        back.append(page.evaluate(FOCUSED))
    assert back[1:] == order[::-1]


def test_a_bubble_reached_by_tab_opens_with_enter_and_escape_returns_to_it(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "On the harbour.", anchor=anchor_on(LINKED, HARBOUR))
    reader = open_thread(thread_key, before=LINKED)
    page = reader.page
    expect(bubbles(page)).to_have_count(1)
    page.get_by_role("link", name="the map").focus()

    page.keyboard.press("Tab")
    expect(bubbles(page).first).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.locator("sidenote-layer").get_by_role("dialog")
    expect(dialog).to_contain_text("On the harbour.")
    page.keyboard.press("Escape")
    expect(bubbles(page).first).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "the plans"
