"""The composer as a reader meets it (issue 22): one line until used, "Posting as NAME · Change"
once known, compact replies, field errors in their cells, the editor in the comment's place, and
a new comment in a long or paged thread shown where the reader is."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder
from tests.browser.test_widget_chunks import hold_write_js, open_while_write_js_is_held

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]
EMAIL = "Email (optional, never shown)"


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not on screen"
    return found


@pytest.mark.parametrize("width", [390, 1280])
def test_the_composer_is_one_line_until_it_is_used(
    open_thread: Open, thread_key: str, page: Page, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    reader = open_thread(thread_key)
    form = reader.composer()
    line = reader.widget.get_by_role("textbox", name="Your comment")

    expect(line).to_have_attribute("placeholder", "Join the discussion…")
    assert box(line)["height"] < 50
    for hidden in (
        form.get_by_role("tab", name="Preview"),
        form.get_by_label("Name"),
        form.get_by_role("button", name="Post comment"),
    ):
        expect(hidden).to_be_hidden()

    line.click()

    expect(line).to_be_focused()
    assert box(line)["height"] > 90
    for shown in (
        form.get_by_role("tab", name="Preview"),
        form.get_by_label("Name"),
        form.get_by_label(EMAIL),
        form.get_by_label("Website (optional)"),
        form.get_by_role("button", name="Post comment"),
    ):
        expect(shown).to_be_visible()


def test_the_line_opens_where_it_is_so_the_text_box_does_not_move(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    line = reader.widget.get_by_role("textbox", name="Your comment")
    before = box(line)

    line.click()

    after = box(line)
    assert abs(after["y"] - before["y"]) < 1
    assert after["x"] == before["x"] and after["width"] == before["width"]


def test_a_keyboard_opens_the_one_line_composer_and_escape_folds_it(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Opening remark")
    reader = open_thread(thread_key)
    form = reader.composer()
    send = form.get_by_role("button", name="Post comment")

    for _ in range(10):
        if form.locator("textarea").evaluate("el => el.getRootNode().activeElement === el"):
            break
        reader.page.keyboard.press("Tab")
    expect(form.locator("textarea")).to_be_focused()
    expect(send).to_be_visible()

    reader.page.keyboard.press("Escape")
    expect(send).to_be_hidden()
    reader.page.keyboard.type("Typed straight into the line")
    expect(send).to_be_visible()


def test_the_one_line_composer_replaces_the_stand_in_without_moving_anything(
    seed: Seeder, thread_key: str, page: Page, live_server: LiveServer
) -> None:
    seed.comment(thread_key, "Readable before any form exists")
    release = hold_write_js(page)
    reader = open_while_write_js_is_held(page, live_server, thread_key)
    stand_in = box(reader.widget.locator("input.join"))
    card = box(reader.card("Readable before any form exists"))

    release()

    line = reader.composer().locator("textarea")
    expect(line).to_be_visible()
    expect(reader.widget.locator("input.join")).to_have_count(0)
    now = box(line)
    assert abs(now["y"] - stand_in["y"]) < 1 and abs(now["height"] - stand_in["height"]) < 1
    assert abs(box(reader.card("Readable before any form exists"))["y"] - card["y"]) < 1


def test_after_a_first_post_the_author_fields_become_posting_as_name(
    open_thread: Open, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    form = reader.open_composer()
    form.get_by_label(EMAIL).fill("morag@example.org")
    reader.post("First words", name="Morag")
    expect(reader.card("First words")).to_be_visible()

    reader.open_composer()
    posting_as = form.locator(".as")
    expect(posting_as).to_have_text("Posting as Morag · Change")
    expect(form.get_by_label("Name")).to_be_hidden()
    expect(form.get_by_label(EMAIL)).to_be_hidden()

    reader.page.reload()
    form = reader.open_composer()
    expect(form.locator(".as")).to_have_text("Posting as Morag · Change")
    form.get_by_role("button", name="Change").click()

    expect(form.get_by_label("Name")).to_be_focused()
    expect(form.get_by_label("Name")).to_have_value("Morag")
    expect(form.get_by_label(EMAIL)).to_have_value("morag@example.org")
    expect(form.locator(".as")).to_be_hidden()
    form.get_by_label("Name").fill("Morag M.")
    reader.post("Second words")
    expect(reader.card("Second words").locator(".name")).to_have_text("Morag M.")
    expect(form.locator(".as")).to_have_text("Posting as Morag M. · Change")


def test_the_remembered_author_belongs_to_its_site(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.site("elsewhere")
    reader = open_thread(thread_key)
    reader.post("On the demo site", name="Morag")
    expect(reader.card("On the demo site")).to_be_visible()

    other = open_thread(thread_key + "-elsewhere", site="elsewhere")
    form = other.open_composer()

    expect(form.get_by_label("Name")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_value("")
    expect(form.locator(".as")).to_be_hidden()


def test_a_reply_uses_the_remembered_author_without_the_fields(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Does anyone know the keepers' shifts?", author="Ada")
    reader = open_thread(thread_key)
    reader.post("Not me, sorry", name="Iain")
    expect(reader.card("Not me, sorry")).to_be_visible()

    reader.card("keepers' shifts").get_by_role("button", name="Reply").click()
    reply = reader.widget.get_by_role("form", name="Reply to Ada")

    expect(reply.locator("textarea")).to_be_focused()
    expect(reply.locator(".as")).to_have_text("Posting as Iain · Change")
    for name in ("name", "email", "website"):
        expect(reply.locator(f"input[name={name}]")).to_be_hidden()
    reader.post("Four weeks on the rock, then ashore.", within=reply)

    answer = reader.card("Four weeks on the rock")
    expect(answer.locator(".name")).to_have_text("Iain")


def test_a_reply_from_a_reader_not_known_yet_asks_only_for_a_name(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    seed.comment(thread_key, "Who kept the light in 1955?", author="Ada")
    reader = open_thread(thread_key)

    reader.card("Who kept the light").get_by_role("button", name="Reply").click()
    reply = reader.widget.get_by_role("form", name="Reply to Ada")

    expect(reply.get_by_label("Name")).to_be_visible()
    expect(reply.locator("input[name=email]")).to_be_hidden()
    expect(reply.locator("input[name=website]")).to_be_hidden()
    expect(reply.locator(".as")).to_be_hidden()
    reader.post("My grandfather did.", name="Calum", within=reply)
    expect(reader.card("My grandfather did.").locator(".name")).to_have_text("Calum")


def test_a_reply_asks_for_the_email_where_the_site_requires_it(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    site = seed.site("guests-verify-email")
    site.settings = {"identity": {"verify_guests": True}}
    seed.done()
    seed.comment(thread_key, "Tell us what you saw", site=site, author="Ada")
    reader = open_thread(thread_key, site="guests-verify-email")

    reader.card("Tell us what you saw").get_by_role("button", name="Reply").click()
    reply = reader.widget.get_by_role("form", name="Reply to Ada")
    email = reply.get_by_label("Email (never shown)")

    expect(reply.get_by_label("Name")).to_be_visible()
    expect(email).to_be_visible()
    expect(reply.locator("input[name=website]")).to_be_hidden()
    reader.post("A light on the water", name="Calum", within=reply)

    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(
        "Give your email address: guests' comments appear once it is confirmed."
    )
    reader.errors.clear()  # the 400 answer is logged by the browser


def test_a_field_error_sits_in_its_cell_without_moving_the_other_fields(
    open_thread: Open, thread_key: str, page: Page
) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    reader = open_thread(thread_key)
    form = reader.open_composer()
    name, email, website = (
        form.get_by_label("Name"),
        form.get_by_label(EMAIL),
        form.get_by_label("Website (optional)"),
    )
    before = [box(field) for field in (name, email, website)]
    assert before[0]["y"] == before[1]["y"] == before[2]["y"]  # one row of three cells
    email.fill("not-an-email")

    reader.post("A comment with a bad address")

    error = form.locator(".ferr")
    expect(error).to_have_text("must be an email address")
    expect(email).to_have_accessible_description("must be an email address")
    assert [box(field) for field in (name, email, website)] == before
    cell = box(email.locator("xpath=.."))
    shown = box(error)
    assert cell["x"] <= shown["x"] and shown["x"] + shown["width"] <= cell["x"] + cell["width"]
    assert cell["y"] <= shown["y"] and shown["y"] + shown["height"] <= cell["y"] + cell["height"]
    assert error.evaluate("(el) => el.parentElement.querySelector('input[name=email]') !== null")
    reader.errors.clear()  # the 400 answer is logged by the browser


def test_the_editor_takes_the_comments_place(open_thread: Open, thread_key: str) -> None:
    reader = open_thread(thread_key)
    reader.post("Early thoughts, with a tpyo")
    expect(reader.card("Early thoughts")).to_be_focused()
    reader.post("A later comment below it")
    expect(reader.card("A later comment below it")).to_be_focused()  # the page is settled
    card = reader.card("Early thoughts")
    body = box(card.locator(":scope > .body"))
    below = box(reader.card("A later comment below it"))

    card.get_by_role("button", name="Edit").click()

    editor = card.get_by_role("form", name="Edit your comment")
    expect(editor.locator("textarea")).to_be_focused()
    expect(card.locator(":scope > .body")).to_be_hidden()
    expect(card.get_by_role("button", name="Reply")).to_be_hidden()
    expect(editor.locator(".note")).to_contain_text("You can change it until")
    assert abs(box(editor)["y"] - body["y"]) < 16
    assert box(reader.card("A later comment below it"))["y"] > below["y"]

    editor.get_by_role("button", name="Cancel").click()
    expect(card.locator(":scope > .body")).to_be_visible()
    expect(card.get_by_role("button", name="Edit")).to_be_focused()
    card.get_by_role("button", name="Edit").click()
    editor.locator("textarea").fill("Second thoughts")
    editor.get_by_role("button", name="Save").click()
    edited = reader.card("Second thoughts")
    expect(edited.locator(":scope > .body")).to_be_visible()
    expect(edited.get_by_role("form")).to_have_count(0)


LONG = "\n\n".join(f"Paragraph {n} of a long remark about the keepers." for n in range(10))


def test_a_new_comment_at_the_end_of_a_long_thread_is_announced_where_the_reader_is(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    for n in range(48):
        seed.comment(thread_key, f"Remark {n}.\n\n{LONG}")
    page.set_viewport_size({"width": 1280, "height": 900})
    reader = open_thread(thread_key)
    expect(reader.widget.locator("article.card")).to_have_count(48)
    assert page.evaluate("document.documentElement.scrollHeight") > 20_000
    form = reader.open_composer()
    at = page.evaluate("scrollY")

    reader.post("Late to the discussion")

    notice = reader.widget.locator(".pub")
    expect(notice).to_have_text("Your comment is published. Show it in the thread")
    show = notice.get_by_role("button", name="Show it in the thread")
    expect(show).to_be_focused()
    assert abs(page.evaluate("scrollY") - at) < 50
    assert box(notice)["y"] - box(form)["y"] < 300  # right under the composer
    mine = reader.card("Late to the discussion")
    expect(reader.widget.locator(".list > li").last).to_contain_text("Late to the discussion")

    show.click()

    expect(mine).to_be_focused()
    expect(mine).to_be_in_viewport()
    assert page.evaluate("scrollY") > 15_000
    expect(notice).to_have_count(0)


def test_a_new_comment_in_a_paged_thread_waits_for_its_page(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    for n in range(1, 53):
        seed.comment(thread_key, f"Comment number {n}")
    reader = open_thread(thread_key)
    cards = reader.widget.locator(".list > li > article")
    expect(cards).to_have_count(50)

    reader.post("Mine comes last")

    notice = reader.widget.locator(".pub")
    expect(notice).to_contain_text("Your comment is published.")
    expect(cards).to_have_count(50)  # not appended before the two unloaded ones
    expect(cards.last).to_contain_text("Comment number 50")
    expect(reader.widget.locator(".hd h2")).to_have_text("53 comments")

    notice.get_by_role("button", name="Show it in the thread").click()
    expect(reader.card("Mine comes last")).to_be_focused()
    reader.widget.get_by_role("button", name="View all comments").click()

    reader.widget.get_by_role("button", name="Load more comments").click()
    expect(cards).to_have_count(53)
    expect(cards.nth(51)).to_contain_text("Comment number 52")
    expect(cards.last).to_contain_text("Mine comes last")

    reader.page.reload()
    expect(cards).to_have_count(50)
    expect(cards.last).to_contain_text("Comment number 50")
    expect(reader.widget.locator(".hd h2")).to_have_text("53 comments")  # counted once
    expect(reader.widget.get_by_text("Mine comes last")).to_have_count(0)
