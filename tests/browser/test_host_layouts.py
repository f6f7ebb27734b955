"""The widget and inline comments on host pages shaped like real blog themes (issue 18).

Four small host pages, written here in the shapes that taught us these bugs (not the themes' CSS):
a Tufte CSS page (text column of 55 %, a wide right margin with sidenotes and margin notes,
footnotes), a Jekyll/Hyde blog (a fixed sidebar), a dark Hugo theme (a sticky header), and
Bootstrap's Clean Blog (a fixed header, a container touching the window's edges on phones).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from tests.browser.conftest import Reader
from tests.browser.live import Seeder
from tests.browser.test_inline_comments import (
    anchor_on,
    bubbles,
    highlighted,
    layer,
    popover,
    posted_anchors,
    select_text,
)

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
PHONE: ViewportSize = {"width": 390, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}

FILLER = " ".join(
    f"Paragraph {n} goes on about the keepers, the stores, the weather and the lamp."
    for n in range(1, 4)
)

# -- Tufte CSS: a 55 % text column, notes floated into the wide right margin ------------------

TUFTE_CSS = """
html{font-size:15px}
body{width:87.5%;max-width:1400px;margin:0 auto;padding-left:12.5%;background:#fffff8;
  color:#111;font-family:Georgia,serif}
article{position:relative;padding:3rem 0}
article p,article details,main{width:55%}
p{font-size:1.3rem;line-height:1.8}
.sidenote,.marginnote{float:right;clear:right;margin-right:-60%;width:50%;font-size:1rem;
  line-height:1.3;position:relative}
.footnote{display:block;font-size:1rem;border-top:1px solid #ccc;margin-top:1rem}
@media (max-width:760px){
  body{width:84%;padding:0 8%}
  article p,article details,main{width:100%}
  .sidenote,.marginnote{float:left;clear:both;width:95%;margin:1rem 2.5%}
}
"""
SIDENOTES = "Tufte's handouts are known for their extensive use of sidenotes."
SIDENOTE = "This is a sidenote, set in the margin."
MARGIN_WORD = "Margin notes carry no number at all."
TYPEFACE = "The body is set in a digital version of Bembo\u2019s roman, cut in 1495."
COLOPHON = "The lighthouse photographs were taken in 1843 by the resident engineer."
TUFTE = f"""<article data-sidenote-article><h1>Tufte handout</h1>
<p>{SIDENOTES}<span class="sidenote">{SIDENOTE}</span> Sidenotes are like footnotes, except
that they do not force the reader to jump to the bottom of the page.</p>
<p>Notes that sit in the margin<span class="marginnote">{MARGIN_WORD}</span> of the page are
typeset beside the line they belong to. {TYPEFACE}</p>
<details><summary>Colophon</summary><p>{COLOPHON}</p></details>
<p>{FILLER}<small class="footnote">The engineer's notebooks are kept in Edinburgh.</small></p>
</article>"""

# -- Jekyll/Hyde: a fixed sidebar on the left, the content beside it -------------------------

HYDE_CSS = """
body{margin:0;font:16px/1.5 sans-serif;color:#515151;background:#fff}
.sidebar{position:fixed;top:0;left:0;bottom:0;width:18rem;padding:2rem 1rem;color:#fff;
  background:#202020}
.content{margin-left:20rem;margin-right:2rem;max-width:38rem;padding:2rem 1rem}
@media (max-width:48em){.sidebar{position:static;width:auto}.content{margin:0}}
"""
HYDE_BEFORE = '<div class="sidebar"><h1>Hyde</h1><p>A brazen two-column theme.</p></div>'

# -- a dark Hugo theme: a sticky header, light text on a near-black page ------------------------

HUGO_CSS = """
body{margin:0;background:#1d1e20;color:#dadadb;font:18px/1.6 sans-serif}
header.top{position:sticky;top:0;z-index:10;height:64px;background:#1d1e20;
  border-bottom:1px solid #333}
header.top a{display:block;padding:18px 24px;color:#fff}
article,main{max-width:720px;margin:0 auto;padding:0 24px}
"""
HUGO_BEFORE = '<header class="top"><a href="#home">Dark Hugo</a></header>'

# -- Clean Blog: a fixed header; the container touches the window's edges on phones -------------

CLEAN_CSS = """
body{margin:0;font:20px/1.6 Lora,serif;color:#212529;background:#fff}
nav.fixed{position:fixed;top:0;left:0;right:0;z-index:1030;height:72px;background:#fff;
  border-bottom:1px solid #dee2e6}
nav.fixed a{display:block;padding:22px 16px;color:#212529;font:700 16px sans-serif}
.container{max-width:800px;margin:0 auto;padding:96px 0 0}
article,main{margin:0;padding:0}
@media (min-width:768px){.container{padding:96px 24px 0}}
"""
CLEAN_BEFORE = '<nav class="fixed"><a href="#home">Start Bootstrap</a></nav>'


def paragraphs(prefix: str, count: int) -> str:
    return "".join(
        f"<p>{prefix} paragraph {n}: the lamp was lit at dusk and trimmed at midnight, and the "
        f"log was written up before dawn by whoever kept the watch that night.</p>"
        for n in range(1, count + 1)
    )


CLEAN_PASSAGE = "The shore station signalled to the rock with a flag by day."
CLEAN = (
    '<div class="container"><article data-sidenote-article><h1>Clean Blog</h1>'
    f"<p>{CLEAN_PASSAGE} At night they used a lamp.</p>"
    f"{paragraphs('Clean', 8)}</article></div>"
)
HUGO_PASSAGE = "Keepers were relieved every six weeks when the sea allowed it."
HUGO = (
    f"<article data-sidenote-article><h1>Dark Hugo</h1><p>{HUGO_PASSAGE}</p>"
    f"{paragraphs('Hugo', 8)}</article>"
)
HYDE_LAST = "The watch ended when the lamp was put out at sunrise and its wick trimmed again."
HYDE = (
    '<div class="content"><article data-sidenote-article><h1>Hyde</h1>'
    f"{paragraphs('Hyde', 12)}<p>{HYDE_LAST}</p>{paragraphs('Later', 6)}</article></div>"
)


@pytest.fixture
def open_host(page: Page, open_thread: Open, thread_key: str) -> Callable[..., Reader]:
    """Open the thread's page laid out as a host theme: its CSS, what comes before the article."""

    def open_(
        html: str, css: str, before: str = "", viewport: ViewportSize = DESKTOP, **options: Any
    ) -> Reader:
        page.set_viewport_size(viewport)
        reader = open_thread(
            thread_key, head=f"<style>{css}</style>", before=before + html, **options
        )
        expect(layer(page)).to_be_attached()
        return reader

    return open_


def rect(page: Page, script: str) -> dict[str, float]:
    """The bounding box (viewport coordinates) of what `script` (an expression) finds."""
    box: dict[str, float] = page.evaluate(
        f"() => {{ const r = ({script}).getBoundingClientRect();"
        " return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
    )
    return box


def text_rect(page: Page, text: str) -> dict[str, float]:
    """The box of the line boxes holding `text` in the article."""
    box: dict[str, float] = page.evaluate(
        """text => {
            const root = document.querySelector("[data-sidenote-article]");
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            for (let node; (node = walker.nextNode()); ) {
                const at = node.data.indexOf(text);
                if (at < 0) continue;
                const range = document.createRange();
                range.setStart(node, at);
                range.setEnd(node, at + text.length);
                const r = range.getBoundingClientRect();
                return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
            }
            throw new Error("not in the article: " + text);
        }""",
        text,
    )
    return box


def no_horizontal_scroll(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"


# -- 1. bubbles never draw over a fixed or sticky header ----------------------------------------


@pytest.mark.parametrize(
    ("html", "css", "before", "passage", "header"),
    [
        (CLEAN, CLEAN_CSS, CLEAN_BEFORE, CLEAN_PASSAGE, "nav.fixed"),
        (HUGO, HUGO_CSS, HUGO_BEFORE, HUGO_PASSAGE, "header.top"),
    ],
    ids=["fixed", "sticky"],
)
def test_a_bubble_scrolled_under_the_hosts_header_is_hidden_and_the_header_keeps_its_clicks(
    open_host: Callable[..., Reader],
    seed: Seeder,
    thread_key: str,
    html: str,
    css: str,
    before: str,
    passage: str,
    header: str,
) -> None:
    seed.comment(thread_key, "Which flag?", anchor=anchor_on(html, passage))
    page = open_host(html, css, before).page
    bubble = bubbles(page).first
    expect(bubble).to_be_visible()

    # the passage's line slides under the header
    top = text_rect(page, passage)["top"]
    head = rect(page, f"document.querySelector('{header}')")
    was = bubble.bounding_box()
    assert was
    page.evaluate("y => scrollBy(0, y)", top - head["bottom"] / 2 + 4)
    moved = page.evaluate("scrollY")

    expect(bubble).to_be_hidden()
    box = rect(page, f"document.querySelector('{header}')")
    spot = [was["x"] + 8, was["y"] - moved + 8]  # where the bubble would be
    assert box["top"] <= spot[1] <= box["bottom"], "the bubble's place is under the header"
    assert page.evaluate(
        "([x, y, sel]) => document.elementFromPoint(x, y).closest(sel) != null", [*spot, header]
    ), "the header, not the bubble, takes a click there"

    page.evaluate("scrollTo(0, 0)")
    expect(bubble).to_be_visible()


# -- 2. bubbles sit beside the passage's text column ------------------------------------------


def test_on_a_wide_margin_page_a_bubble_sits_just_right_of_its_text_column(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Like Tufte's.", anchor=anchor_on(TUFTE, SIDENOTES))
    page = open_host(TUFTE, TUFTE_CSS).page
    bubble = bubbles(page).first
    expect(bubble).to_be_visible()

    column = rect(page, "document.querySelector('article p')")
    line = text_rect(page, SIDENOTES)
    box = rect(page, "document.querySelector('sidenote-layer').shadowRoot.querySelector('.bb')")
    assert 0 <= box["left"] - column["right"] <= 16, (box, column)
    assert abs(box["top"] - line["top"]) <= 4, (box, line)
    assert box["right"] < rect(page, "document.querySelector('.sidenote')")["left"], (
        "the bubble does not cover the sidenote beside it"
    )


TABLE_CELL = "Skerryvore, lit in 1844"
TABLE = (
    '<div class="content"><article data-sidenote-article><h1>Lights</h1>'
    f"<table><tr><td>{TABLE_CELL}</td><td>Forty-eight metres of granite, the tallest in "
    "Scotland</td></tr></table>"
    f"{paragraphs('Table', 2)}</article></div>"
)


def test_a_bubble_for_a_table_cell_sits_beside_the_table_not_over_the_next_cell(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Which year?", anchor=anchor_on(TABLE, TABLE_CELL))
    page = open_host(TABLE, HYDE_CSS, HYDE_BEFORE).page
    bubble = bubbles(page).first
    expect(bubble).to_be_visible()
    box = rect(page, "document.querySelector('sidenote-layer').shadowRoot.querySelector('.bb')")
    table = rect(page, "document.querySelector('table')")
    assert 0 <= box["left"] - table["right"] <= 16, (box, table)


def test_on_a_phone_the_bubble_stays_inside_the_window(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Like Tufte's.", anchor=anchor_on(TUFTE, SIDENOTES))
    page = open_host(TUFTE, TUFTE_CSS, viewport=PHONE).page
    bubble = bubbles(page).first
    expect(bubble).to_be_visible()
    box = bubble.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]


# -- 3. no horizontal scrollbar on a page whose container touches the window's edges ------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_comment_cards_never_make_the_page_scroll_sideways(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str, viewport: ViewportSize
) -> None:
    seed.comment(thread_key, "A plain comment on the post.", author="Ada")
    reader = open_host(
        CLEAN,
        CLEAN_CSS + "#sidenote-thread{margin:0}",
        CLEAN_BEFORE,
        viewport=viewport,
    )
    card = reader.card("A plain comment")
    expect(card).to_be_visible()
    widget = rect(reader.page, "document.querySelector('#sidenote-thread')")
    box = card.bounding_box()
    assert box and widget["left"] <= box["x"] and box["x"] + box["width"] <= widget["right"]
    no_horizontal_scroll(reader.page)


# -- 4. separate blocks by CSS are separate in quotes and selections --------------------------


def test_a_quote_into_a_footnote_shown_as_a_block_keeps_the_break(
    open_host: Callable[..., Reader],
) -> None:
    page = open_host(TUFTE, TUFTE_CSS).page
    page.evaluate(
        """() => {
            const note = document.querySelector(".footnote").firstChild;
            const text = note.parentNode.previousSibling;
            const range = document.createRange();
            range.setStart(text, text.data.lastIndexOf("the lamp."));
            range.setEnd(note, "The engineer's".length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    page.keyboard.press("Control+Alt+m")
    expect(popover(page).locator("form blockquote")).to_have_text("the lamp. The engineer's")


def test_a_quote_across_a_sidenote_keeps_the_break_between_the_text_and_the_note(
    open_host: Callable[..., Reader],
) -> None:
    page = open_host(TUFTE, TUFTE_CSS).page
    anchors = posted_anchors(page)
    page.evaluate(
        """() => {
            const p = document.querySelector("article p");
            const note = p.querySelector(".sidenote").firstChild;
            const range = document.createRange();
            range.setStart(p.firstChild, p.firstChild.data.indexOf("use of"));
            range.setEnd(note, note.data.indexOf(","));
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }"""
    )
    layer(page).get_by_role("button", name="Comment", exact=True).click()

    form = popover(page).locator("form")
    expect(form.locator("blockquote")).to_have_text("use of sidenotes. This is a sidenote")
    form.locator("textarea").fill("Glued?")
    form.get_by_role("button", name="Post comment").click()
    expect(popover(page)).to_be_hidden()
    assert anchors[0]["quote"]["exact"] == "use of sidenotes. This is a sidenote"


def test_a_selection_inside_a_margin_note_highlights_only_the_note(
    open_host: Callable[..., Reader],
) -> None:
    page = open_host(TUFTE, TUFTE_CSS).page
    select_text(page, "Margin notes carry")
    page.keyboard.press("Control+Alt+m")
    form = popover(page).locator("form")
    expect(form.locator("blockquote")).to_have_text("Margin notes carry")
    assert highlighted(page, "sidenote-active") == ["Margin notes carry"]


# -- 5. a passage in a closed <details> -----------------------------------------------------


def test_a_passage_in_a_closed_details_has_its_bubble_beside_the_summary(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Who took them?", anchor=anchor_on(TUFTE, COLOPHON))
    page = open_host(TUFTE, TUFTE_CSS).page
    bubble = bubbles(page).first
    expect(bubble).to_be_visible()

    summary = rect(page, "document.querySelector('summary')")
    box = rect(page, "document.querySelector('sidenote-layer').shadowRoot.querySelector('.bb')")
    assert abs(box["top"] - summary["top"]) <= 4, (box, summary)


def test_go_to_passage_opens_the_closed_details_and_scrolls_to_it(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Who took them?", anchor=anchor_on(TUFTE, COLOPHON))
    reader = open_host(TUFTE, TUFTE_CSS, viewport=PHONE)
    page = reader.page
    card = reader.card("Who took them?")
    card.scroll_into_view_if_needed()
    assert text_rect(page, COLOPHON)["bottom"] < 0 or not page.evaluate(
        "document.querySelector('details').open"
    )

    card.get_by_role("button", name="Go to passage").click()

    expect(page.locator("details")).to_have_attribute("open", "")
    line = text_rect(page, COLOPHON)
    assert line["top"] >= 0 and line["bottom"] <= PHONE["height"], line
    expect(bubbles(page).first).to_be_focused()

    # The layer re-places its bubbles on the next frames after the page scrolled and the
    # <details> opened: give it a moment (a slow CI machine took more than one frame). On a
    # phone it is a badge after the passage's last line (or just under it).
    def beside(box: dict[str, float], line: dict[str, float]) -> bool:
        return line["top"] <= box["top"] <= line["bottom"] + 4

    for _ in range(40):
        line = text_rect(page, COLOPHON)
        box = rect(page, "document.querySelector('sidenote-layer').shadowRoot.querySelector('.bb')")
        if beside(box, line):
            break
        page.wait_for_timeout(50)
    assert beside(box, line), "the bubble moved beside the opened passage"


# -- 6. the "Comment" button stays inside the window -------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_the_comment_button_for_a_selection_at_the_windows_bottom_stays_inside_it(
    open_host: Callable[..., Reader], viewport: ViewportSize
) -> None:
    page = open_host(HYDE, HYDE_CSS, HYDE_BEFORE, viewport=viewport).page
    # the selected line is the last one the window shows
    line = text_rect(page, HYDE_LAST)
    page.evaluate("y => scrollBy(0, y)", line["bottom"] - viewport["height"] + 2)
    assert viewport["height"] - 40 < text_rect(page, HYDE_LAST)["bottom"] <= viewport["height"]

    select_text(page, HYDE_LAST)

    adder = layer(page).get_by_role("button", name="Comment", exact=True)
    expect(adder).to_be_visible()
    box = adder.bounding_box()
    assert box and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"], box
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"], box
    adder.click()
    expect(popover(page).locator("form blockquote")).to_have_text(HYDE_LAST)


# -- 7. the default theme follows the page -----------------------------------------------------


def widget_colours(reader: Reader) -> tuple[bool, str]:
    shell = reader.widget.locator(".sn").first
    dark: bool = shell.evaluate("e => e.classList.contains('dark')")
    return dark, shell.evaluate("e => getComputedStyle(e).backgroundColor")


def test_on_a_dark_page_the_widget_is_dark_though_the_os_is_light(
    open_host: Callable[..., Reader], page: Page
) -> None:
    page.emulate_media(color_scheme="light")
    reader = open_host(HUGO, HUGO_CSS, HUGO_BEFORE)
    # dark colours over the page's own background (the widget is transparent by default)
    assert widget_colours(reader) == (True, "rgba(0, 0, 0, 0)")
    expect(layer(page).locator(".ly")).to_have_class("sn ly own dark")


def test_on_a_light_page_the_widget_is_light_though_the_os_is_dark(
    open_host: Callable[..., Reader], page: Page
) -> None:
    page.emulate_media(color_scheme="dark")
    reader = open_host(CLEAN, CLEAN_CSS, CLEAN_BEFORE)
    assert widget_colours(reader) == (False, "rgba(0, 0, 0, 0)")


def test_on_a_page_without_a_background_the_widget_follows_the_os(
    open_host: Callable[..., Reader], page: Page
) -> None:
    page.emulate_media(color_scheme="dark")
    reader = open_host(HYDE, HYDE_CSS.replace("background:#fff", "") + ".content{}")
    # the page's canvas stays white: the widget brings its own dark background to stay readable
    assert widget_colours(reader) == (True, "rgb(22, 24, 29)")


def test_the_widget_follows_the_pages_own_dark_mode_switch(
    open_host: Callable[..., Reader], page: Page
) -> None:
    page.emulate_media(color_scheme="light")
    reader = open_host(
        HUGO, HUGO_CSS.replace("background:#1d1e20;", "") + "html.dark{background:#111}"
    )
    assert widget_colours(reader)[0] is False

    page.evaluate("document.documentElement.classList.add('dark')")
    expect(reader.widget.locator(".sn").first).to_have_class("sn dark")
    page.evaluate("document.documentElement.classList.remove('dark')")
    expect(reader.widget.locator(".sn").first).to_have_class("sn")


def test_an_explicit_theme_still_wins_over_the_page(
    open_host: Callable[..., Reader], page: Page
) -> None:
    reader = open_host(HUGO, HUGO_CSS, HUGO_BEFORE, attrs={"data-sidenote-theme": "light"})
    assert widget_colours(reader)[0] is False


# -- 8. quotes as the page writes them ------------------------------------------------------


def test_a_quote_shows_the_pages_own_characters_while_the_anchor_stays_normalised(
    open_host: Callable[..., Reader], seed: Seeder, thread_key: str
) -> None:
    as_quoted = TYPEFACE.replace("\u2019", "'")  # what the anchor holds: normalised
    seed.comment(thread_key, "A fine face.", anchor=anchor_on(TUFTE, as_quoted))
    reader = open_host(TUFTE, TUFTE_CSS)
    page = reader.page
    expect(reader.card("A fine face.").locator(".iq blockquote")).to_have_text(TYPEFACE)
    bubbles(page).first.click()
    expect(popover(page).locator("blockquote").first).to_have_text(TYPEFACE)
    page.keyboard.press("Escape")

    anchors = posted_anchors(page)
    select_text(page, "Bembo\u2019s roman")
    page.keyboard.press("Control+Alt+m")
    form = popover(page).locator("form")
    expect(form.locator("blockquote")).to_have_text("Bembo\u2019s roman")
    form.locator("textarea").fill("Curly.")
    form.get_by_role("button", name="Post comment").click()
    expect(reader.card("Curly.").locator(".iq blockquote")).to_have_text("Bembo\u2019s roman")
    assert anchors[0]["quote"]["exact"] == "Bembo's roman"


def test_the_quote_picker_shows_its_matches_as_the_page_writes_them(
    open_host: Callable[..., Reader],
) -> None:
    reader = open_host(TUFTE, TUFTE_CSS)
    reader.widget.get_by_role("button", name="Comment on a passage…").click()
    popover(reader.page).get_by_role("searchbox").fill("Bembo's roman")  # typed straight
    expect(popover(reader.page).locator("mark")).to_have_text(["Bembo\u2019s roman"])
