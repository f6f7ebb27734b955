"""Inline comments (inline.js) in Chromium: select → comment → highlight and bubble, reloads and
article edits (anchored, edited, orphan), author passages, the keyboard-only quote picker, a host
that re-renders its article, and hostile quotes and questions that must stay text.

Anchors for seeded comments are computed with the Python mirror of the widget's text model
(service/demo_inline.py), on the same article HTML the page shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from service.comments.anchors import AnchorIn
from service.demo.inline import article_text, deleted_sentence_anchor, quote_anchor
from tests.browser.conftest import Reader
from tests.browser.live import Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]

HARBOUR = "Its dock could be flushed clean of sand by a reservoir behind it."
GRANITE = (
    "Every block of granite was cut and fitted on shore before it was shipped out to the reef."
)
SHIFTS = "The keepers worked a month on the rock and two weeks ashore, weather permitting."


def article(*paragraphs: str, attrs: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<article data-sidenote-article{attrs}><h2>The shore station</h2>{body}</article>"


ARTICLE = article(
    f"The harbour at Hynish was built to serve the lighthouse on Skerryvore. {HARBOUR}",
    f"{GRANITE} Stone that had been cut wrongly could not be recut on the rock.",
    f"{SHIFTS} Their families waited at the shore station for news.",
)


def anchor_on(html: str, exact: str, **options: Any) -> AnchorIn:
    return quote_anchor(article_text(html).text, exact, **options)


# -- what the page shows --------------------------------------------------------------------


def layer(page: Page) -> Locator:
    return page.locator("sidenote-layer")


def bubbles(page: Page) -> Locator:
    return layer(page).locator("button.bb")


def popover(page: Page) -> Locator:
    return layer(page).get_by_role("dialog")


def wait_for_highlight(page: Page, name: str) -> None:
    """Until the CSS custom highlight `name` holds a range (the widget paints asynchronously)."""
    page.wait_for_function("name => (CSS.highlights.get(name)?.size ?? 0) > 0", arg=name)


def highlighted(page: Page, name: str = "sidenote-1") -> list[str]:
    """The text under each range of a CSS custom highlight (empty when it is not registered)."""
    return page.evaluate(
        """name => [...(CSS.highlights.get(name) || [])].map(r => {
            const x = document.createRange();
            x.setStart(r.startContainer, r.startOffset);
            x.setEnd(r.endContainer, r.endOffset);
            return x.toString();
        })""",
        name,
    )


def select_text(page: Page, text: str) -> None:
    """Select `text` inside the article as a caret-browsing or screen-reader user would."""
    page.evaluate(
        """text => {
            const root = document.querySelector("[data-sidenote-article]");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + text.length);
                getSelection().removeAllRanges();
                getSelection().addRange(range);
                return;
            }
            throw new Error("not in the article: " + text);
        }""",
        text,
    )


def drag_over(page: Page, text: str) -> None:
    """Select `text` with the mouse: press before its first letter, release after its last."""
    box = page.evaluate(
        """text => {
            const root = document.querySelector("[data-sidenote-article]");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const rect = (i) => {
                    const r = document.createRange();
                    r.setStart(node, i);
                    r.setEnd(node, i + 1);
                    return r.getBoundingClientRect();
                };
                const first = rect(at), last = rect(at + text.length - 1);
                return {x1: first.left + 1, y1: first.top + first.height / 2,
                        x2: last.right - 1, y2: last.top + last.height / 2};
            }
            throw new Error("not in the article: " + text);
        }""",
        text,
    )
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, box["y2"], steps=4)
    page.mouse.move(box["x2"], box["y2"], steps=4)
    page.mouse.up()


def posted_anchors(page: Page) -> list[dict[str, Any]]:
    """Record the `anchor` of every comment the page posts."""
    anchors: list[dict[str, Any]] = []

    def record(request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/api/v1/comments"):
            anchors.append(json.loads(request.post_data or "{}").get("anchor"))

    page.on("request", record)
    return anchors


@pytest.fixture
def open_article(open_thread: Open, thread_key: str) -> Callable[..., Reader]:
    """Open the thread's page with an article above the discussion; wait for inline.js."""

    def open_(html: str = ARTICLE, **options: Any) -> Reader:
        reader = open_thread(thread_key, before=html, **options)
        expect(layer(reader.page)).to_be_attached()
        return reader

    return open_


# -- select, comment, reload, edit, delete ---------------------------------------------------


def test_a_reader_selects_a_sentence_comments_on_it_and_sees_it_highlighted(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article()
    page = reader.page
    anchors = posted_anchors(page)
    before = page.evaluate("document.querySelector('[data-sidenote-article]').innerHTML")

    drag_over(page, GRANITE)
    adder = layer(page).get_by_role("button", name="Comment", exact=True)
    expect(adder).to_be_visible()
    assert adder.evaluate("b => getComputedStyle(b).userSelect") == "none"
    adder.click()

    form = popover(page).locator("form")
    expect(popover(page).get_by_role("heading")).to_have_text("Comment on this passage")
    expect(form.locator("blockquote")).to_have_text(GRANITE)
    form.locator("textarea").fill("Prefabrication, in 1840!")
    form.locator("input[name=name]").fill("Priya")
    form.get_by_role("button", name="Post comment").click()

    expect(popover(page)).to_be_hidden()
    expect(bubbles(page)).to_have_count(1)
    bubble = bubbles(page).first
    expect(bubble).to_have_text("1")
    expect(bubble).to_have_accessible_name(f"1 comment on “{GRANITE[:59]}…”")
    expect(bubble).to_be_focused()
    assert highlighted(page) == [GRANITE]
    card = reader.card("Prefabrication")
    expect(card.locator(".iq blockquote")).to_have_text(GRANITE)
    expect(card.get_by_role("button", name="Go to passage")).to_be_visible()
    assert [a["kind"] for a in anchors] == ["quote"]
    assert anchors[0]["quote"]["exact"] == GRANITE
    after = page.evaluate("document.querySelector('[data-sidenote-article]').innerHTML")
    assert after == before, "the article's DOM is only read, never written"


def test_an_inline_comment_is_still_anchored_after_a_reload(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Two weeks is not long.", anchor=anchor_on(ARTICLE, SHIFTS))
    reader = open_article()

    expect(bubbles(reader.page)).to_have_count(1)
    reader.page.reload()

    expect(bubbles(reader.page)).to_have_text(["1"])
    assert highlighted(reader.page) == [SHIFTS]
    card = reader.card("Two weeks")
    expect(card.locator(".iq")).to_have_class("iq anchored")
    expect(card.locator(".tag")).to_have_count(0)


def test_a_slightly_edited_passage_keeps_its_comment_marked_edited(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "What reservoir?", anchor=anchor_on(ARTICLE, HARBOUR))
    edited = HARBOUR.replace("clean of sand", "clear of sand")
    reader = open_article(ARTICLE.replace(HARBOUR, edited))

    expect(bubbles(reader.page)).to_have_text(["1"])
    assert highlighted(reader.page) == [edited]
    card = reader.card("What reservoir?")
    expect(card.get_by_text("Passage edited since this comment")).to_be_visible()
    expect(card.locator(".iq blockquote")).to_have_text(HARBOUR)  # what the reader quoted
    card.get_by_role("button", name="Go to passage").click()
    expect(bubbles(reader.page).first).to_be_focused()


def test_the_quote_in_the_thread_takes_the_reader_to_its_passage(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    """The quote itself is a real button: a click, Enter or Space goes to the passage."""
    seed.comment(thread_key, "Long shifts.", anchor=anchor_on(ARTICLE, SHIFTS))
    reader = open_article()
    quote = reader.card("Long shifts.").locator(".iq blockquote").get_by_role("button")
    expect(quote).to_have_accessible_name(SHIFTS)

    quote.click()

    expect(bubbles(reader.page).first).to_be_focused()
    wait_for_highlight(reader.page, "sidenote-active")  # painted on the next frame
    assert highlighted(reader.page, "sidenote-active") == [SHIFTS]
    quote.focus()
    reader.page.keyboard.press("Space")
    expect(bubbles(reader.page).first).to_be_focused()


def test_a_deleted_passage_leaves_its_comment_in_the_thread_as_an_orphan(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    comment = seed.comment(thread_key, "What reservoir?", anchor=anchor_on(ARTICLE, HARBOUR))
    seed.comment(thread_key, "The one behind the dock.", parent=comment)
    reader = open_article(ARTICLE.replace(" " + HARBOUR, ""))

    card = reader.card("What reservoir?")
    expect(card.get_by_text("Passage no longer in the article")).to_be_visible()
    expect(card.locator(".iq blockquote")).to_have_text(HARBOUR)
    expect(card.locator(".iq blockquote")).to_have_class("q gone")
    expect(card.get_by_role("button", name="Go to passage")).to_have_count(0)
    expect(card.locator(".iq blockquote button")).to_have_count(0)
    expect(reader.card("The one behind the dock.")).to_be_visible()
    expect(bubbles(reader.page)).to_have_count(0)
    assert highlighted(reader.page) == []


def test_a_quote_that_was_never_in_the_article_is_not_shown_as_its_words(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    forged = deleted_sentence_anchor(
        article_text(ARTICLE).text, HARBOUR, "The harbour was built by giants in one night."
    )
    seed.comment(thread_key, "Citation needed.", anchor=forged)
    reader = open_article()

    card = reader.card("Citation needed.")
    expect(card.get_by_text("Passage no longer in the article")).to_be_visible()
    expect(card.locator(".iq blockquote")).to_have_class("q gone")


# -- bubbles, popover, overlapping passages ---------------------------------------------------


def test_a_bubble_opens_its_comments_where_readers_reply_and_vote(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    root = seed.comment(
        thread_key, "Who flushed it?", author="Ada", anchor=anchor_on(ARTICLE, HARBOUR)
    )
    seed.comment(thread_key, "The harbour master.", author="Iain", parent=root)
    reader = open_article()
    page = reader.page
    bubble = bubbles(page).first
    expect(bubble).to_have_text("2")

    bubble.click()

    dialog = popover(page)
    expect(dialog.get_by_role("heading", name="2 comments")).to_be_focused()
    expect(bubble).to_have_attribute("aria-expanded", "true")
    expect(dialog.locator("blockquote").first).to_have_text(HARBOUR)
    expect(dialog.locator("article.card")).to_have_count(2)
    assert highlighted(page, "sidenote-active") == [HARBOUR]
    dialog.locator("article.card", has_text="Who flushed it?").get_by_role(
        "button", name="Upvote"
    ).click()
    expect(dialog.get_by_role("button", name="Upvote").first).to_have_attribute(
        "aria-pressed", "true"
    )
    reply_button = dialog.locator("article.card", has_text="The harbour master.").get_by_role(
        "button", name="Reply"
    )
    reply_button.click()
    reply = dialog.get_by_role("form", name="Reply to Iain")
    reply.locator("textarea").press("Escape")  # cancels the reply, not the dialog
    expect(reply).to_have_count(0)
    expect(reply_button).to_be_focused()
    reply_button.click()
    reader.post("Thank you both.", within=reply)
    expect(dialog.locator("article.card", has_text="Thank you both.")).to_be_visible()
    expect(bubble).to_have_text("3")

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(bubble).to_be_focused()
    expect(bubble).to_have_attribute("aria-expanded", "false")


def test_bubbles_stay_beside_their_passage_when_the_text_reflows(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "On the shifts.", anchor=anchor_on(ARTICLE, SHIFTS))
    reader = open_article()
    page = reader.page
    # This unstyled page's article fills the window, leaving no room beside it: the bubble is a
    # badge after the paragraph's last line (test_inline_mobile.py: it covers no word).
    level = """() => {
        const p = [...document.querySelectorAll("[data-sidenote-article] p")].pop();
        const r = document.createRange();
        r.selectNodeContents(p);
        const line = [...r.getClientRects()].pop();
        const b = document.querySelector("sidenote-layer").shadowRoot.querySelector(".bb")
            .getBoundingClientRect();
        return b.top <= line.bottom + 4 && line.top - 4 <= b.bottom
            && (b.left >= line.right || b.top >= line.bottom);
    }"""

    for width in (1280, 420):
        page.set_viewport_size({"width": width, "height": 700})
        page.wait_for_function(level)
        box = bubbles(page).first.bounding_box()
        assert box and box["x"] + box["width"] <= width

    page.mouse.wheel(0, 300)
    page.wait_for_function("() => scrollY > 0")
    assert page.evaluate(level)


def test_overlapping_passages_are_shaded_by_depth_without_nesting(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    inner = "fitted on shore before it was shipped"
    seed.comment(thread_key, "The whole sentence.", anchor=anchor_on(ARTICLE, GRANITE))
    seed.comment(thread_key, "Just this part.", anchor=anchor_on(ARTICLE, inner))
    reader = open_article()

    expect(bubbles(reader.page)).to_have_text(["2"])
    assert highlighted(reader.page, "sidenote-2") == [inner]
    assert highlighted(reader.page, "sidenote-1") == GRANITE.split(inner)


def test_the_passages_list_reaches_every_bubble_from_the_discussion(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "On the harbour.", anchor=anchor_on(ARTICLE, HARBOUR))
    seed.comment(thread_key, "On the shifts.", anchor=anchor_on(ARTICLE, SHIFTS))
    reader = open_article()
    page = reader.page

    reader.widget.get_by_role("button", name="Passages with comments (2)").click()

    items = popover(page).get_by_role("listitem")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_have_text(f"1 comment on “{HARBOUR[:59]}…”")
    items.nth(1).get_by_role("button").click()
    expect(popover(page).locator("article.card .body")).to_have_text(["On the shifts."])
    expect(bubbles(page).nth(1)).to_have_attribute("aria-expanded", "true")


# -- author passages -------------------------------------------------------------------------

QUESTION = "Was a month on the rock too long?"
PASSAGE_ARTICLE = ARTICLE.replace(
    f"<p>{SHIFTS}",
    f'<p data-sidenote-passage="shifts" data-sidenote-question="{QUESTION}">{SHIFTS}',
)


def test_an_author_passage_shows_its_question_and_invites_feedback(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article(PASSAGE_ARTICLE)
    page = reader.page
    anchors = posted_anchors(page)
    marker = bubbles(page).first
    expect(marker).to_have_text("")
    expect(marker).to_have_accessible_name(f"0 comments on the author's question: {QUESTION}")
    assert marker.evaluate("b => getComputedStyle(b, '::before').content") == '"? " / ""'
    assert highlighted(page, "sidenote-passage") == [
        f"{SHIFTS} Their families waited at the shore station for news."
    ]

    marker.click()
    dialog = popover(page)
    expect(dialog.get_by_role("heading", name=QUESTION)).to_be_visible()
    reader.post("Not if the weather held.", within=dialog.locator("form"))

    expect(marker).to_have_text("1")
    card = reader.card("Not if the weather held.")
    expect(card.locator(".iq")).to_contain_text(f"The author asks: {QUESTION}")
    assert anchors[0]["kind"] == "passage"
    assert anchors[0]["passage"] == {"key": "shifts", "question": QUESTION}


def test_an_edited_passage_keeps_its_comments_by_key_and_a_removed_marker_by_text(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    text = article_text(PASSAGE_ARTICLE)
    start, end, question = text.passages["shifts"]
    anchor = quote_anchor(text.text, text.text[start:end], passage=("shifts", question))
    seed.comment(thread_key, "Kept by its key.", anchor=anchor)

    reader = open_article(PASSAGE_ARTICLE.replace("waited at the shore", "waited ashore at the"))
    expect(bubbles(reader.page)).to_have_text(["1"])
    expect(bubbles(reader.page)).to_have_class([re.compile(r"\bask\b")])
    expect(reader.card("Kept by its key.").locator(".iq")).to_have_class("iq anchored")

    reader = open_article(ARTICLE)  # the marker is gone, the words are still there
    expect(
        reader.card("Kept by its key.").get_by_text("Passage edited since this comment")
    ).to_be_visible()
    expect(bubbles(reader.page)).to_have_text(["1"])


# -- keyboard only ---------------------------------------------------------------------------


def test_a_keyboard_alone_comments_on_a_passage_through_the_quote_picker(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article()
    page = reader.page
    anchors = posted_anchors(page)
    picker = reader.widget.get_by_role("button", name="Comment on a passage…")
    for _ in range(30):
        if picker.evaluate("b => b.getRootNode().activeElement === b"):
            break
        page.keyboard.press("Tab")
    expect(picker).to_be_focused()

    page.keyboard.press("Enter")
    search = popover(page).get_by_role("searchbox", name="Type words from the passage")
    expect(search).to_be_focused()
    page.keyboard.type("cut wrongly")
    expect(popover(page).get_by_role("button", name="cut wrongly")).to_have_count(1)
    page.keyboard.press("Enter")

    form = popover(page).locator("form")
    expect(form.locator("textarea")).to_be_focused()
    expect(form.locator("blockquote")).to_have_text("cut wrongly")
    page.keyboard.type("So they measured twice.")
    form.get_by_role("button", name="Post comment").focus()
    page.keyboard.press("Enter")

    expect(bubbles(page)).to_have_text(["1"])
    expect(bubbles(page).first).to_be_focused()
    assert anchors[0]["quote"]["exact"] == "cut wrongly"
    assert highlighted(page) == ["cut wrongly"]


def test_the_shortcut_comments_on_a_keyboard_selection_and_is_ignored_while_typing(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article()
    page = reader.page
    reader.composer().locator("textarea").focus()
    page.keyboard.press("Control+Alt+KeyM")
    expect(popover(page)).to_be_hidden()

    page.evaluate("document.querySelector('#sidenote-thread').shadowRoot.activeElement.blur()")
    select_text(page, SHIFTS)
    expect(reader.widget.get_by_role("status")).to_have_text(
        "Comment on the selection: press Ctrl+Alt+M"
    )
    page.keyboard.press("Control+Alt+KeyM")

    form = popover(page).locator("form")
    expect(form.locator("textarea")).to_be_focused()
    expect(form.locator("blockquote")).to_have_text(SHIFTS)
    page.keyboard.press("Escape")
    expect(popover(page)).to_be_hidden()


def test_without_a_selection_the_shortcut_opens_the_quote_picker(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article()
    reader.page.locator("h1").click()
    reader.page.keyboard.press("Control+Alt+KeyM")
    expect(popover(reader.page).get_by_role("searchbox")).to_be_focused()
    reader.page.keyboard.type("xyzzy plugh")
    expect(popover(reader.page).get_by_role("status")).to_have_text("No passage matches.")


# -- the host page changes its article --------------------------------------------------------


def test_a_host_that_re_renders_its_article_calls_refresh_and_the_highlight_follows(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "On the harbour.", anchor=anchor_on(ARTICLE, HARBOUR))
    reader = open_article()
    page = reader.page
    expect(bubbles(page)).to_have_count(1)
    top = bubbles(page).first.bounding_box()

    page.evaluate(
        """() => {
            const old = document.querySelector("[data-sidenote-article]");
            const fresh = document.createElement("article");
            fresh.setAttribute("data-sidenote-article", "");
            fresh.innerHTML = "<p>A new introduction, long enough to push everything down a line"
                + " or two on any screen this test runs on.</p>" + old.innerHTML;
            old.replaceWith(fresh);
            Sidenote.refresh(document.getElementById("sidenote-thread"));
        }"""
    )

    expect(bubbles(page)).to_have_count(1)
    page.wait_for_function(
        "() => [...CSS.highlights.get('sidenote-1')].every(r => r.startContainer.isConnected)"
    )
    assert highlighted(page) == [HARBOUR]
    moved = bubbles(page).first.bounding_box()
    assert top and moved and moved["y"] > top["y"]
    expect(reader.card("On the harbour.").locator(".iq")).to_have_class("iq anchored")


# -- hostile text ----------------------------------------------------------------------------

HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_hostile_quotes_and_questions_render_as_text(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str, page: Page
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    escaped = HOSTILE.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    html = article(
        f"Someone wrote {escaped} on the harbour wall.",
        f"{GRANITE} Stone that had been cut wrongly could not be recut on the rock.",
        attrs="",
    ).replace(
        "<p>Someone", f'<p data-sidenote-passage="wall" data-sidenote-question="{escaped}">Someone'
    )
    seed.comment(thread_key, "Quoting it.", anchor=anchor_on(html, f"wrote {HOSTILE} on"))
    reader = open_article(html)

    expect(reader.card("Quoting it.").locator(".iq blockquote")).to_have_text(f"wrote {HOSTILE} on")
    marker = bubbles(reader.page).first
    expect(marker).to_have_accessible_name(f"0 comments on the author's question: {HOSTILE}")
    marker.click()
    expect(popover(reader.page).get_by_role("heading")).to_have_text(HOSTILE)
    reader.page.wait_for_timeout(200)
    assert dialogs == []
    assert (
        reader.page.evaluate(
            """() => [document, document.querySelector("sidenote-layer").shadowRoot,
                  document.querySelector("#sidenote-thread").shadowRoot]
                 .flatMap(root => [...root.querySelectorAll("img, script:not([src])")])
                 .filter(el => !el.closest("[data-sidenote-article]")).length"""
        )
        == 0
    )


# -- touch screens ---------------------------------------------------------------------------


@pytest.mark.browser_context_args(
    viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True
)
def test_on_a_phone_the_button_sits_below_the_selection_and_the_form_is_a_bottom_sheet(
    open_article: Callable[..., Reader],
) -> None:
    reader = open_article()
    page = reader.page
    select_text(page, GRANITE)
    adder = layer(page).get_by_role("button", name="Comment", exact=True)
    expect(adder).to_be_visible()
    selection = page.evaluate(
        "() => [...getSelection().getRangeAt(0).getClientRects()].pop().bottom"
    )
    box = adder.bounding_box()
    assert box and box["y"] >= selection + 8
    assert box["height"] >= 44

    adder.tap()
    sheet = popover(page)
    expect(sheet.locator("textarea")).to_be_visible()
    sheet_box = sheet.bounding_box()
    assert sheet_box and abs(sheet_box["y"] + sheet_box["height"] - 800) < 2
    assert sheet.evaluate("el => getComputedStyle(el).position") == "fixed"


# -- the demo article ------------------------------------------------------------------------


def test_the_demo_articles_seeded_comments_anchor_as_seeded(page: Page, live_server: Any) -> None:
    """The Python mirror of the text model (service/demo_inline.py) and the widget agree."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(live_server.page_url + "/")

    expect(bubbles(page)).to_have_count(6)
    widget = page.locator("#sidenote-thread")
    expect(widget.locator(".iq.anchored")).to_have_count(5)
    expect(widget.locator("article.card", has_text="Was anyone hurt").locator(".iq")).to_have_class(
        "iq edited"
    )
    orphan = widget.locator("article.card", has_text="salt spray")
    expect(orphan.locator(".iq")).to_have_class("iq orphan")
    expect(orphan).to_contain_text("Passage no longer in the article")
    expect(widget.locator(".iq.orphan")).to_have_count(1)
    assert errors == []


def test_axe_finds_nothing_serious_in_the_popover_and_the_quote_picker(
    open_article: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    from tests.browser.test_widget_accessibility import axe_problems

    seed.comment(thread_key, "On the harbour.", anchor=anchor_on(ARTICLE, HARBOUR))
    reader = open_article(PASSAGE_ARTICLE)
    bubbles(reader.page).first.click()
    expect(popover(reader.page).locator("article.card")).to_have_count(1)
    assert axe_problems(reader.page) == []

    reader.page.keyboard.press("Escape")
    reader.widget.get_by_role("button", name="Comment on a passage…").click()
    popover(reader.page).get_by_role("searchbox").fill("granite")
    expect(popover(reader.page).get_by_role("listitem")).to_have_count(1)
    assert axe_problems(reader.page) == []
