"""The queue in Chromium: log in, decide with the keyboard, bulk actions, ban, undo, edit; focus
always lands on a card; and the page still works with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from service.demo import DEMO_MODERATOR, DEMO_PASSWORD
from service.models import Ban
from tests.browser.live import LiveServer, Seeder
from tests.browser.moderate.conftest import Moderator, pending

pytestmark = pytest.mark.browser


def test_logging_in_leads_to_the_page_asked_for(moderator: Moderator, thread_key: str) -> None:
    page = moderator.page
    page.context.clear_cookies()
    page.goto(f"{moderator.server.url}/moderate/queue?thread={thread_key}")
    assert "/moderate/login?next=/moderate/queue" in page.url
    page.get_by_label("Username").fill(DEMO_MODERATOR)
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong username or password.")
    moderator.errors.clear()  # the 401 answer is logged as a failed resource
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    assert page.url.endswith(f"/moderate/queue?thread={thread_key}")


def test_approving_with_the_keyboard_moves_focus_to_the_next_card(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    newest_last = pending(seed, thread_key, "First comment", "Second comment", "Third comment")
    third, second, first = newest_last[2], newest_last[1], newest_last[0]
    moderator.queue(thread_key)
    expect(moderator.cards()).to_have_count(3)
    before = int(moderator.page.locator('[data-count="pending"]').inner_text())
    moderator.press("j")
    moderator.expect_focus_on(third)
    moderator.press("j", "k")
    moderator.expect_focus_on(third)
    moderator.press("a")
    expect(moderator.card(third)).to_have_count(0)
    moderator.expect_focus_on(second)
    expect(moderator.toast()).to_contain_text("Approved")
    expect(moderator.page.locator('[data-count="pending"]')).to_have_text(str(before - 1))
    assert moderator.status(third) == "approved"
    moderator.press("r")
    expect(moderator.card(second)).to_have_count(0)
    moderator.expect_focus_on(first)
    moderator.press("s")
    expect(moderator.cards()).to_have_count(0)
    expect(moderator.page.locator("#queue .empty")).to_be_focused()
    assert [moderator.status(c) for c in (second, first)] == ["rejected", "spam"]


def test_undo_brings_the_card_back_with_focus(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    older, newer = pending(seed, thread_key, "Keep me pending", "Another one")
    moderator.queue(thread_key)
    moderator.press("j", "r")
    expect(moderator.card(newer)).to_have_count(0)
    assert moderator.status(newer) == "rejected"
    moderator.press("u")
    expect(moderator.card(newer)).to_have_count(1)
    moderator.expect_focus_on(newer)
    assert moderator.status(newer) == "pending"
    moderator.press("j", "a")
    expect(moderator.card(older)).to_have_count(0)
    moderator.toast().get_by_role("button", name="Undo").click()
    expect(moderator.card(older)).to_be_focused()
    assert moderator.status(older) == "pending"
    assert moderator.page.locator("#queue article.card").evaluate_all(
        "cards => cards.map(c => c.dataset.id)"
    ) == [str(newer.id), str(older.id)]


def test_bulk_reject_with_x(moderator: Moderator, seed: Seeder, thread_key: str) -> None:
    a, b, c = pending(seed, thread_key, "Bulk one", "Bulk two", "Bulk three")
    moderator.queue(thread_key)
    moderator.press("j", "x", "j", "x")
    expect(moderator.page.locator('[data-js="picked"]')).to_have_text("2 comments selected.")
    moderator.page.get_by_role("button", name="Reject selected").click()
    expect(moderator.cards()).to_have_count(1)
    expect(moderator.card(a)).to_have_count(1)
    assert [moderator.status(x) for x in (c, b, a)] == ["rejected", "rejected", "pending"]
    expect(moderator.toast()).to_contain_text("Rejected: 2 comments.")
    moderator.press("u")
    expect(moderator.cards()).to_have_count(3)
    assert [moderator.status(x) for x in (c, b)] == ["pending", "pending"]


def test_banning_the_author_from_the_keyboard(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    troll = f"troll-{thread_key.split('/')[-1][:20]}@example.org"
    first, second = pending(seed, thread_key, "Rude one", "Rude two", email=troll, author="Troll")
    (bystander,) = pending(seed, thread_key, "Kind words", email="kind@example.org")
    moderator.queue(thread_key)
    moderator.press("j", "j")  # the second newest: "Rude two"
    moderator.expect_focus_on(second)
    moderator.press("b")
    panel = moderator.card(second).locator("details.ban")
    expect(panel).to_have_attribute("open", "")
    expect(panel.get_by_label("Email address")).to_be_focused()
    panel.get_by_label("Duration").select_option("7")
    panel.get_by_label("Reason (for the log)").fill("insults")
    panel.get_by_role("button", name="Ban Troll").click()
    expect(moderator.cards()).to_have_count(1)
    moderator.expect_focus_on(bystander)
    expect(moderator.toast()).to_contain_text("Banned Troll and rejected 2 pending comments.")
    assert [moderator.status(x) for x in (first, second)] == ["rejected", "rejected"]
    ban = moderator.read(select(Ban).where(Ban.reason == "insults"))
    assert ban.kind == "email" and ban.expires_at is not None


def test_editing_from_the_keyboard(moderator: Moderator, seed: Seeder, thread_key: str) -> None:
    (comment,) = pending(seed, thread_key, "Visit http://spam.example for pills")
    moderator.queue(thread_key)
    moderator.press("j", "e")
    editor = moderator.card(comment).get_by_label("Comment text (Markdown)")
    expect(editor).to_be_focused()
    editor.fill("Visit *a pharmacy* for pills")
    moderator.card(comment).get_by_label("Note for the audit log").fill("removed a spam link")
    moderator.card(comment).get_by_role("button", name="Save the edit").click()
    card = moderator.card(comment)
    expect(card.locator(".comment-body em")).to_have_text("a pharmacy")
    expect(card.locator(".badges")).to_contain_text("edited by a moderator")
    moderator.expect_focus_on(comment)
    expect(card.locator("details.edit")).not_to_have_attribute("open", "")
    moderator.press("u")
    expect(moderator.card(comment).locator(".comment-body")).to_contain_text("spam.example")


def test_escape_closes_an_editor_and_returns_to_its_card(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    (comment,) = pending(seed, thread_key, "Escape me")
    moderator.queue(thread_key)
    moderator.press("j", "e")
    expect(moderator.card(comment).locator("textarea")).to_be_focused()
    moderator.press("Escape")
    moderator.expect_focus_on(comment)
    expect(moderator.card(comment).locator("details.edit")).not_to_have_attribute("open", "")


def test_the_help_dialog(moderator: Moderator, seed: Seeder, thread_key: str) -> None:
    pending(seed, thread_key, "Help me")
    moderator.queue(thread_key)
    moderator.press("j", "?")
    dialog = moderator.page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Approve")
    moderator.press("a")  # keys do nothing while the help is open
    moderator.press("Escape")
    expect(dialog).to_be_hidden()
    assert moderator.focused_id() is not None


def test_thread_and_pin_actions_redraw_the_cards(
    moderator: Moderator, seed: Seeder, thread_key: str
) -> None:
    first, second = pending(seed, thread_key, "On a thread", "Same thread")
    moderator.queue(thread_key)
    card = moderator.card(second)
    card.locator("details.more summary").click()
    card.get_by_role("button", name="Lock the thread").click()
    expect(moderator.card(first).locator(".where")).to_contain_text("thread locked")
    expect(moderator.card(second).locator(".where")).to_contain_text("thread locked")
    moderator.press("u")
    expect(moderator.card(first).locator(".where")).not_to_contain_text("thread locked")


def test_the_queue_works_without_javascript(
    browser: Browser, live_server: LiveServer, seed: Seeder, thread_key: str
) -> None:
    (comment,) = pending(seed, thread_key, "No script needed")
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"/moderate/login?next=/moderate/queue%3Fthread%3D{thread_key}")
        page.get_by_label("Username").fill(DEMO_MODERATOR)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.locator(f'article[data-id="{comment.id}"]').get_by_role(
            "button", name="Approve"
        ).click()
        expect(page.locator(".notice")).to_contain_text(f"Approved: comment #{comment.id}")
        expect(page.locator(f'article[data-id="{comment.id}"]')).to_have_count(0)
        page.locator(".notice").get_by_role("button", name="Undo").click()
        expect(page.locator(".notice")).to_contain_text("Undone")
        expect(page.locator(f'article[data-id="{comment.id}"]')).to_have_count(1)
    finally:
        context.close()
