"""Reading details (issue 22): a failed load recovers, the loading placeholder and the sort menu
say what they are, votes and actions read well to a screen reader, "continue this thread" keeps
its context."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Reader
from tests.browser.live import Seeder
from tests.browser.test_inline_comments import ARTICLE, SHIFTS, anchor_on, bubbles
from tests.browser.test_widget_reading import Open, chain

pytestmark = pytest.mark.browser

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
API = "**/api/v1/**"


def open_unreachable(open_thread: Open, thread_key: str, page: Page, before: str = "") -> Reader:
    """The thread's page while the API cannot be reached (the reader's network or the server)."""
    page.route(API, lambda route: route.abort())
    reader = open_thread(thread_key, wait=False, before=before)
    expect(reader.widget.get_by_role("alert")).to_have_text("The comments could not be loaded.")
    page.unroute(API)
    reader.errors.clear()  # the browser logs the failed requests
    return reader


def test_a_failed_load_says_so_and_offers_to_try_again(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Here all along")
    reader = open_unreachable(open_thread, thread_key, page)

    expect(reader.widget).not_to_contain_text("Your text is kept")
    reader.widget.get_by_role("button", name="Try again").click()

    expect(reader.card("Here all along")).to_be_visible()
    expect(reader.widget.locator(".hd h2")).to_have_text("1 comment")
    expect(reader.widget.get_by_role("button", name="Try again")).to_have_count(0)


def test_a_failed_load_tries_again_when_the_browser_is_back_online(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Waiting for the network")
    reader = open_unreachable(open_thread, thread_key, page)

    page.context.set_offline(True)
    page.context.set_offline(False)

    expect(reader.card("Waiting for the network")).to_be_visible()


def test_a_failed_load_tries_again_when_the_tab_is_shown_again(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Back in the tab")
    reader = open_unreachable(open_thread, thread_key, page)

    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")

    expect(reader.card("Back in the tab")).to_be_visible()


def test_inline_comments_come_once_the_thread_loads_after_a_failure(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Two weeks is not long.", anchor=anchor_on(ARTICLE, SHIFTS))
    reader = open_unreachable(open_thread, thread_key, page, before=ARTICLE)
    expect(bubbles(page)).to_have_count(0)

    reader.widget.get_by_role("button", name="Try again").click()

    expect(reader.card("Two weeks is not long.")).to_be_visible()
    expect(bubbles(page)).to_have_count(1)


def test_the_loading_placeholder_is_visible_and_named(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Worth the wait")
    page.route("**/api/v1/comments?*", lambda route: (page.wait_for_timeout(800), route.fallback()))

    reader = open_thread(thread_key, wait=False)
    placeholder = reader.widget.get_by_role("progressbar", name="Loading comments…")

    expect(placeholder).to_be_visible()
    box = placeholder.bounding_box()
    assert box and box["height"] > 100
    shade = placeholder.evaluate(
        "el => [getComputedStyle(el).backgroundImage, getComputedStyle(el).opacity]"
    )
    assert "rgb(" in shade[0] and float(shade[1]) > 0.05  # drawn in the text's colour, faintly
    expect(reader.card("Worth the wait")).to_be_visible()
    expect(placeholder).to_have_count(0)


def test_sort_by_hides_on_an_empty_thread_until_there_is_something_to_sort(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    sort = reader.widget.get_by_label("Sort by")

    expect(sort).to_be_hidden()
    reader.post("The very first word", name="Ada")
    expect(reader.card("The very first word")).to_be_visible()
    expect(sort).to_be_visible()


def test_the_chosen_sort_is_remembered_on_the_site(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    for key in (thread_key, thread_key + "-next"):
        seed.comment(key, "Earlier", created_at=T0)
        seed.comment(key, "Later", created_at=T0 + timedelta(minutes=5))
    reader = open_thread(thread_key)
    reader.widget.get_by_label("Sort by").select_option("newest")

    reader = open_thread(thread_key + "-next")

    expect(reader.widget.get_by_label("Sort by")).to_have_value("newest")
    expect(reader.widget.locator(".list > li > article .body")).to_have_text(["Later", "Earlier"])


def test_zero_vote_counts_are_not_shown(open_thread: Open, seed: Seeder, thread_key: str) -> None:
    seed.comment(thread_key, "Nobody voted yet")
    reader = open_thread(thread_key)
    card = reader.card("Nobody voted yet")
    upvote = card.get_by_role("button", name="Upvote", exact=True)

    expect(upvote).to_have_text("▲Upvote")
    expect(card.get_by_role("button", name="Downvote", exact=True)).to_have_text("▼Downvote")
    upvote.click()
    expect(card.get_by_role("button", name="Upvote 1")).to_be_visible()


def test_reply_and_report_buttons_name_the_author(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Morag's thoughts", author="Morag")
    seed.comment(thread_key, "Iain's thoughts", author="Iain")
    reader = open_thread(thread_key)
    card = reader.card("Morag's thoughts")

    expect(card.get_by_role("button", name="Reply to Morag")).to_have_text("Reply")
    expect(card.get_by_role("button", name="Report Morag's comment")).to_have_text("Report")
    expect(reader.widget.get_by_role("button", name="Reply to Iain")).to_have_count(1)


def test_continue_this_thread_shows_the_comment_being_answered_above(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    chain(seed, thread_key, 8)  # the demo site shows depths 0..5
    reader = open_thread(thread_key)

    reader.widget.get_by_role("button", name="Continue this thread (2 more replies)").click()

    view = reader.widget.locator(".focus")
    expect(view.locator(".ctx article.card")).to_have_count(1)
    expect(view.locator(".ctx")).to_contain_text("Level 4 says hello")
    cards = view.locator("article.card .body")
    expect(cards).to_have_text([f"Level {depth} says hello" for depth in range(4, 8)])


def shell_look(reader: Reader) -> dict[str, str]:
    return reader.widget.locator("section.sn").evaluate(
        """el => { const s = getComputedStyle(el), n = el.querySelector('.name');
        return {background: s.backgroundColor, color: s.color, font: s.fontFamily,
                size: s.fontSize, name: n && getComputedStyle(n).color} }"""
    )


HOST = "<style>body{{background:{bg};color:{fg};font:18px Georgia,serif}}</style>"


def test_the_widget_takes_the_host_pages_look_by_default(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "In the page's own type", author="Morag")
    reader = open_thread(thread_key, head=HOST.format(bg="#fdf6e3", fg="#3a2f1f"))
    expect(reader.card("In the page's own type")).to_be_visible()

    assert shell_look(reader) == {
        "background": "rgba(0, 0, 0, 0)",
        "color": "rgb(58, 47, 31)",
        "font": "Georgia, serif",
        "size": "18px",
        "name": "rgb(58, 47, 31)",
    }


def test_a_dark_host_page_gives_its_text_colour_to_the_widget(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Read at night")
    reader = open_thread(thread_key, head=HOST.format(bg="#101418", fg="#dde3ea"))

    expect(reader.widget.locator("section.sn")).to_have_class("sn dark")
    look = shell_look(reader)
    assert (look["background"], look["color"]) == ("rgba(0, 0, 0, 0)", "rgb(221, 227, 234)")


def test_the_sites_custom_properties_win_over_the_host_look(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(
        thread_key,
        head=HOST.format(bg="#fdf6e3", fg="#3a2f1f")
        + "<style>#sidenote-thread{--sidenote-bg:#ffffff;--sidenote-fg:#111111;"
        "--sidenote-font:Arial;--sidenote-font-size:15px}</style>",
    )

    look = shell_look(reader)
    assert (look["background"], look["color"], look["font"], look["size"]) == (
        "rgb(255, 255, 255)",
        "rgb(17, 17, 17)",
        "Arial",
        "15px",
    )
