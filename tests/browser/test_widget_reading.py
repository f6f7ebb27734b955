"""Reading a discussion: counts, nesting, sorting, paging, permalinks, continuing, live news."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, Request, Response, expect

from service.models import Comment
from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def chain(seed: Seeder, thread: str, length: int) -> list[Comment]:
    """A top-level comment and a line of replies, each to the one before (depths 0..length-1)."""
    comments: list[Comment] = []
    for depth in range(length):
        parent = comments[-1] if comments else None
        comments.append(seed.comment(thread, f"Level {depth} says hello", parent=parent))
    return comments


def test_a_thread_shows_its_count_and_nested_replies(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    first = seed.comment(thread_key, "First **top-level** comment", author="Morag")
    reply = seed.comment(thread_key, "A reply to it", parent=first, author="Iain")
    seed.comment(thread_key, "A reply to the reply", parent=reply, author="Ada")
    seed.comment(thread_key, "Second top-level comment", author="Priya")

    reader = open_thread(thread_key)

    expect(reader.widget.locator(".hd h2")).to_have_text("4 comments")
    expect(reader.card("First").locator(".body strong")).to_have_text("top-level")
    nested = reader.widget.locator(".list > li").first.locator("ol.replies ol.replies article")
    expect(nested).to_contain_text("A reply to the reply")
    expect(reader.widget.locator(".list > li")).to_have_count(2)
    expect(reader.card("Second").locator(".name")).to_have_text("Priya")


def test_cards_mark_pinned_edited_and_deleted_comments_and_give_exact_times(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "An ordinary comment", created_at=T0)
    pinned = seed.comment(thread_key, "The moderators like this one", created_at=T0)
    seed.pin(pinned)
    edited = seed.comment(thread_key, "Tidied by a moderator", created_at=T0)
    gone = seed.comment(thread_key, "Soon to vanish", created_at=T0)
    seed.comment(thread_key, "A reply that keeps its parent's place", parent=gone)
    with seed.app.app_context():
        row = seed.session.get_one(Comment, edited.id)
        row.edited_at, row.edited_by_moderator = T0 + timedelta(hours=1), True
        seed.make.set_status(seed.session.get_one(Comment, gone.id), "deleted")
    seed.done()

    reader = open_thread(thread_key)

    top_level = reader.widget.locator(".list > li > article")
    expect(top_level.first).to_contain_text("The moderators like this one")
    expect(reader.card("The moderators like").locator(".tag")).to_have_text("Pinned")
    expect(reader.card("Tidied by").locator(".tag")).to_have_text("edited by a moderator")
    expect(reader.widget.get_by_text("This comment was deleted.")).to_be_visible()
    expect(reader.widget.get_by_text("Soon to vanish")).to_have_count(0)
    time = reader.card("An ordinary comment").locator("time")
    expect(time).to_have_attribute("datetime", "2026-01-05T12:00:00.000Z")
    expect(time).to_have_attribute("title", re.compile(r"^January 5, 2026 at \d{1,2}:00 [AP]M$"))


def test_an_empty_thread_invites_the_first_comment(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)

    expect(reader.widget.locator(".hd h2")).to_have_text("0 comments")
    expect(reader.widget.get_by_text("No comments yet")).to_be_visible()


def test_an_unknown_site_says_the_comments_are_unavailable(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key, site="no-such-site", wait=False)

    expect(reader.widget.get_by_role("alert")).to_have_text("The comments could not be loaded.")
    reader.errors.clear()  # the browser logs the 404


def test_the_canonical_url_names_the_thread(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key + "-canonical", "Filed under the canonical path")

    reader = open_thread(thread_key, head=f'<link rel="canonical" href="{thread_key}-canonical">')

    expect(reader.card("Filed under the canonical path")).to_be_visible()


def test_sorting_reorders_the_thread(
    open_thread: Open, seed: Seeder, thread_key: str, live_server: LiveServer
) -> None:
    _oldest, middle, _newest = (
        seed.comment(thread_key, body, created_at=T0 + timedelta(hours=hours))
        for hours, body in enumerate(["Oldest words", "Middle words", "Newest words"])
    )
    vote = urllib.request.Request(
        f"{live_server.url}/api/v1/comments/{middle.id}/vote",
        data=json.dumps({"value": 1}).encode(),
        headers={"Content-Type": "application/json", "X-Sidenote-Voter": "sorting-voter-1"},
    )
    urllib.request.urlopen(vote).close()
    reader = open_thread(thread_key)
    bodies = reader.widget.locator(".list > li > article .body")
    sort = reader.widget.get_by_label("Sort by")

    expect(bodies).to_have_text(["Oldest words", "Middle words", "Newest words"])
    sort.select_option("newest")
    expect(bodies).to_have_text(["Newest words", "Middle words", "Oldest words"])
    sort.select_option("top")
    expect(bodies.first).to_have_text("Middle words")


def test_the_sort_option_sets_the_initial_order(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Earlier", created_at=T0)
    seed.comment(thread_key, "Later", created_at=T0 + timedelta(minutes=5))

    reader = open_thread(thread_key, attrs={"data-sidenote-sort": "newest"})

    expect(reader.widget.locator(".list > li > article .body")).to_have_text(["Later", "Earlier"])


def test_load_more_brings_the_next_page_of_top_level_comments(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    for i in range(55):
        seed.comment(thread_key, f"Top-level number {i:02d}", created_at=T0 + timedelta(minutes=i))
    reader = open_thread(thread_key)
    top_level = reader.widget.locator(".list > li")

    expect(top_level).to_have_count(50)
    reader.widget.get_by_role("button", name="Load more comments").click()

    expect(top_level).to_have_count(55)
    expect(top_level.last).to_contain_text("Top-level number 54")
    expect(reader.widget.get_by_role("button", name="Load more comments")).to_be_hidden()
    expect(reader.widget.locator(".hd h2")).to_have_text("55 comments")


def test_show_more_replies_completes_a_long_subtree(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    root = seed.comment(thread_key, "A popular comment")
    for i in range(103):
        seed.comment(thread_key, f"Reply number {i:03d}", parent=root)
    reader = open_thread(thread_key)
    replies = reader.widget.locator(".list > li > ol.replies > li")

    expect(replies).to_have_count(100)
    reader.widget.get_by_role("button", name="Show more replies").click()

    expect(replies).to_have_count(103)
    expect(replies.last).to_contain_text("Reply number 102")


def test_continue_this_thread_opens_the_deep_replies_and_comes_back(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    for i in range(30):
        seed.comment(thread_key, f"Filler comment {i}", created_at=T0 - timedelta(days=1))
    levels = chain(seed, thread_key, 8)  # the demo site shows depths 0..5
    reader = open_thread(thread_key)
    page = reader.page

    expect(reader.widget.get_by_text("Level 5 says hello")).to_be_visible()
    expect(reader.widget.get_by_text("Level 6 says hello")).to_have_count(0)
    more = reader.widget.get_by_role("button", name="Continue this thread (2 more replies)")
    more.scroll_into_view_if_needed()
    scrolled_to = page.evaluate("scrollY")
    more.click()

    expect(reader.widget.get_by_text("Level 7 says hello")).to_be_visible()
    expect(reader.widget.get_by_text("Filler comment 3")).to_be_hidden()
    focused_card = reader.widget.locator("article.card", has_text="Level 5 says hello")
    expect(focused_card).to_be_focused()
    reader.widget.get_by_role("button", name="Back to the discussion").click()

    expect(more).to_be_focused()
    expect(reader.widget.get_by_text("Filler comment 3")).to_be_visible()
    assert abs(page.evaluate("scrollY") - scrolled_to) < 5
    assert levels[7].depth == 7


def test_a_permalink_on_the_page_scrolls_to_and_highlights_the_comment(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    for i in range(20):
        seed.comment(thread_key, f"Comment {i} of many")
    target = seed.comment(thread_key, "The linked comment")

    reader = open_thread(thread_key, fragment=f"#comment-{target.id}")

    card = reader.card("The linked comment")
    expect(card).to_have_class("card hl")
    expect(card).to_be_focused()
    expect(card).to_be_in_viewport()


def test_a_deep_permalink_loads_the_comment_with_its_ancestors(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    levels = chain(seed, thread_key, 9)
    target = levels[8]
    seed.comment(thread_key, "A reply below the target", parent=target)

    reader = open_thread(thread_key, fragment=f"#comment-{target.id}")

    expect(reader.card("Level 8 says hello")).to_have_class("card hl")
    context = reader.widget.locator(".ctx > li")
    expect(context).to_have_count(8)
    expect(context.first).to_contain_text("Level 0 says hello")
    expect(reader.widget.get_by_text("A reply below the target")).to_be_visible()
    reader.widget.get_by_role("button", name="View all comments").click()
    expect(reader.widget.locator(".list > li")).to_have_count(1)
    expect(reader.widget.locator(".ctx")).to_have_count(0)


def test_following_a_permalink_inside_the_widget_highlights_it(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    linked = seed.comment(thread_key, "Link to me")
    reader = open_thread(thread_key)

    reader.card("Link to me").locator("a.when").click()

    expect(reader.card("Link to me")).to_have_class("card hl")
    assert reader.page.url.endswith(f"{thread_key}#comment-{linked.id}")


def test_new_comments_wait_behind_a_button_until_the_reader_asks(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Already here")
    page.clock.install()
    reader = open_thread(thread_key)

    def revalidation(response: Response) -> bool:
        request: Request = response.request
        return "/api/v1/comments?" in request.url and bool(request.headers.get("if-none-match"))

    with page.expect_response(revalidation) as unchanged:
        page.clock.run_for(31_000)
    assert unchanged.value.status == 304

    seed.comment(thread_key, "Fresh from another reader")
    seed.comment(thread_key, "And another one")
    with page.expect_response(revalidation) as changed:
        page.clock.run_for(31_000)
    assert changed.value.status == 200

    button = reader.widget.get_by_role("button", name="2 new comments")
    expect(button).to_be_visible()
    expect(reader.widget.get_by_text("Fresh from another reader")).to_have_count(0)
    button.click()
    expect(reader.card("Fresh from another reader")).to_have_class("card new")
    expect(reader.widget.locator(".hd h2")).to_have_text("3 comments")
    expect(button).to_be_hidden()


def test_count_js_fills_every_counter_on_the_page(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key + "-a", "One")
    seed.comment(thread_key + "-a", "Two")
    seed.comment(thread_key + "-b", "Three")
    counters = "".join(
        f'<span data-sidenote-count="{key}">?</span>'
        for key in (thread_key + "-a", thread_key + "-b", thread_key + "-none", thread_key + "-a")
    )

    reader = open_thread(
        thread_key,
        head='<script async src="/count.js" data-sidenote-site="demo"></script>',
        before=f"<p id=counts>{counters}</p>",
    )

    expect(reader.page.locator("#counts span")).to_have_text(["2", "1", "0", "2"])


def test_count_js_asks_for_at_most_100_keys_a_request(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    keys = [f"{thread_key}/{i}" for i in range(230)]
    seed.comment(keys[0], "In the first batch")
    seed.comment(keys[150], "In the second batch")
    seed.comment(keys[150], "Also in the second batch")
    seed.comment(keys[229], "In the third batch")
    asked: list[list[str]] = []
    page.on(
        "request",
        lambda r: (
            "/api/v1/counts?" in r.url and asked.append(parse_qs(urlsplit(r.url).query)["thread"])
        ),
    )

    reader = open_thread(
        thread_key,
        head='<script async src="/count.js" data-sidenote-site="demo"></script>',
        before="<p id=counts>" + "".join(f'<span data-sidenote-count="{k}">?</span>' for k in keys),
    )

    expected = ["1" if i in (0, 229) else "2" if i == 150 else "0" for i in range(230)]
    expect(reader.page.locator("#counts span")).to_have_text(expected)
    assert sorted(len(batch) for batch in asked) == [30, 100, 100]
    assert sorted(key for batch in asked for key in batch) == sorted(keys)


def test_strings_come_in_the_page_language_loaded_on_demand(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    seed.comment(thread_key, "Guten Tag")
    locale_requests: list[str] = []
    page.on("request", lambda r: "/locales/" in r.url and locale_requests.append(r.url))

    reader = open_thread(thread_key, lang="de-DE")

    expect(reader.widget.locator(".hd h2")).to_have_text("1 Kommentar")
    line = reader.widget.get_by_role("textbox", name="Ihr Kommentar")
    expect(line).to_have_attribute("placeholder", "An der Diskussion teilnehmen…")
    line.click()
    expect(reader.widget.get_by_role("button", name="Kommentar senden")).to_be_visible()
    assert [url.rsplit("/", 1)[1] for url in locale_requests] == ["de.json"]


def test_english_needs_no_locale_file(open_thread: Open, thread_key: str, page: Page) -> None:
    locale_requests: list[str] = []
    page.on("request", lambda r: "/locales/" in r.url and locale_requests.append(r.url))

    open_thread(thread_key, attrs={"data-sidenote-lang": "en"}, lang="fr")

    assert locale_requests == []


def test_the_lang_option_wins_over_the_page_language(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key, attrs={"data-sidenote-lang": "ja"}, lang="de")

    expect(reader.widget.locator(".hd h2")).to_have_text("コメント 0 件")


def test_the_dark_theme_darkens_the_widget(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key, attrs={"data-sidenote-theme": "dark"})

    background = reader.widget.locator("section.sn").evaluate(
        "el => getComputedStyle(el).backgroundColor"
    )
    assert background == "rgb(22, 24, 29)"


def test_auto_theme_follows_the_reader_preference(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    page.emulate_media(color_scheme="dark")
    reader = open_thread(thread_key)
    shell = reader.widget.locator("section.sn")

    # a page without a background: the widget's own dark background, not the page's white
    expect(shell).to_have_class("sn own dark")
    page.emulate_media(color_scheme="light")
    expect(shell).to_have_class("sn")


def test_the_js_api_mounts_unmounts_and_refreshes(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key + "-spa", "Rendered by mount()")
    reader = open_thread(thread_key)
    page = reader.page
    page.evaluate(
        """key => { const el = document.createElement('div'); el.id = 'spa';
        document.body.append(el); return Sidenote.mount(el, {thread: key, sort: 'newest'}); }""",
        thread_key + "-spa",
    )
    spa = page.locator("#spa")

    expect(spa.locator("article.card .body")).to_have_text(["Rendered by mount()"])
    seed.comment(thread_key + "-spa", "Arrived before refresh()")
    page.evaluate("Sidenote.refresh(document.getElementById('spa'))")
    expect(spa.locator(".list > li > article .body").first).to_have_text("Arrived before refresh()")
    page.evaluate("Sidenote.unmount(document.getElementById('spa'))")
    assert page.evaluate("document.getElementById('spa').shadowRoot.childNodes.length") == 0


@pytest.mark.parametrize("path", ["/", "/csp"])
def test_the_demo_article_works_with_and_without_a_strict_csp(
    page: Page, live_server: LiveServer, path: str
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(
        "addEventListener('securitypolicyviolation',"
        " e => console.error('CSP: ' + e.violatedDirective))"
    )

    response = page.goto(live_server.page_url + path)
    assert response is not None
    widget = page.locator("#sidenote-thread")
    expect(widget.locator("article.card").first).to_be_visible()
    widget.locator("textarea").first.fill(f"Posted on {path} under its policy")
    widget.locator("button[type=submit]").first.click()

    expect(widget.locator("article.card", has_text=f"Posted on {path}")).to_be_visible()
    expect(page.locator("[data-sidenote-count='/']")).not_to_have_text("…")
    if path == "/csp":  # cross-origin: the strict policy names Sidenote's origin, nothing more
        policy = response.headers["content-security-policy"]
        assert f"script-src 'self' {live_server.url};" in policy
        assert f"connect-src 'self' {live_server.url};" in policy
    assert errors == []


def test_loading_the_widget_moves_nothing_on_the_page(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    for i in range(3):
        seed.comment(thread_key, f"Comment {i} arriving late")
    page.add_init_script(
        """window.__shifts = [];
        new PerformanceObserver(list => list.getEntries().forEach(
            e => e.hadRecentInput || window.__shifts.push(e.value)))
          .observe({type: "layout-shift", buffered: true});"""
    )
    page.route("**/api/v1/comments?*", lambda route: (page.wait_for_timeout(300), route.fallback()))

    reader = open_thread(thread_key, before="<p>An introduction above the discussion.</p>")
    expect(reader.widget.locator("article.card")).to_have_count(3)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 100)))")

    assert page.evaluate("window.__shifts") == []


def test_right_to_left_pages_indent_replies_on_the_right(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    parent = seed.comment(thread_key, "مرحبا")
    seed.comment(thread_key, "أهلا وسهلا", parent=parent)

    reader = open_thread(thread_key, attrs={"dir": "rtl"})

    replies = reader.widget.locator("ol.replies")
    expect(replies).to_contain_text("أهلا وسهلا")
    border = replies.evaluate(
        "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]"
    )
    assert border == ["2px", "0px"]


def test_including_the_script_twice_still_mounts_one_discussion(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page, live_server: LiveServer
) -> None:
    seed.comment(thread_key, "Only once, please")
    thread_requests: list[str] = []
    page.on("request", lambda r: "/api/v1/comments?" in r.url and thread_requests.append(r.url))

    reader = open_thread(
        thread_key,
        head=f'<script async src="{live_server.url}/embed.js" data-sidenote-site="demo"></script>',
    )

    expect(reader.card("Only once, please")).to_be_visible()
    scripts = page.evaluate("Array.from(document.scripts, s => new URL(s.src).pathname)")
    assert sorted(scripts) == ["/embed.js", "/embed.js", "/write.js"]  # write.js once
    expect(reader.widget.locator("section.sn")).to_have_count(1)
    assert len(thread_requests) == 1
