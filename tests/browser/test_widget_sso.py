"""Single sign-on in the widget: the host page passes its reader's token, the reader comments
under their site identity with the verified mark, signs out and is a guest again."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from service.comments.site_identity import update_settings
from service.db import keys_of
from service.identity.identities import guest_identity
from service.identity.sessions import browser_key, issue_login_code
from service.identity.sso import active_secrets
from service.models import EmailAddress, OutboxItem
from service.notifications import links
from service.notifications.subscriptions import get_or_create_address
from tests.browser.conftest import Reader
from tests.browser.live import LiveServer, Seeder

pytestmark = pytest.mark.browser

Open = Callable[..., Reader]


def demo_token(seed: Seeder, **claims: Any) -> str:
    """What the demo site's server would sign for its logged-in reader."""
    seed.session.expire_all()
    secret = active_secrets(seed.session, seed.demo.id)[0].secret
    seed.done()
    now = int(time.time())
    payload = {"aud": "demo", "sub": "grace", "name": "Grace Hopper", "exp": now + 300, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def account(reader: Reader) -> Any:
    return reader.widget.locator("p.note", has_text="Signed in as")


def test_the_host_page_signs_its_reader_in_and_they_post_as_themselves(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    reader = open_thread(thread_key, attrs={"data-sidenote-sso": demo_token(seed)})
    expect(account(reader)).to_contain_text("Signed in as Grace Hopper")
    expect(account(reader).locator(".tag.ok")).to_have_attribute("title", "Verified")
    expect(reader.composer().locator("input[name=name]")).to_have_count(0)

    reader.post("Signed in and commenting")
    card = reader.card("Signed in and commenting")
    expect(card.locator(".name")).to_have_text("Grace Hopper")
    expect(card.locator(".tag.ok")).to_be_visible()

    # The session survives a reload without a second exchange of the same token.
    exchanges: list[str] = []
    reader.page.on("request", lambda r: "sso/session" in r.url and exchanges.append(r.url))
    reader.page.reload()
    expect(account(reader)).to_be_visible()
    assert exchanges == []

    account(reader).get_by_role("button", name="Sign out").click()
    expect(account(reader)).to_have_count(0)
    form = reader.open_composer()
    expect(form.locator("input[name=name]")).to_be_visible()
    reader.post("Now a guest again", name="Guest Grace")
    guest_card = reader.card("Now a guest again")
    expect(guest_card.locator(".name")).to_have_text("Guest Grace")
    expect(guest_card.locator(".tag.ok")).to_have_count(0)
    assert reader.page.evaluate("localStorage.getItem('sidenote:session:demo')") is None


def test_sidenote_login_and_logout_from_the_hosts_script(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    expect(reader.open_composer().locator("input[name=name]")).to_be_visible()
    reader.page.evaluate(
        "token => window.Sidenote.login(token)", demo_token(seed, sub="ada", name="Ada")
    )
    expect(account(reader)).to_contain_text("Signed in as Ada")
    reader.page.evaluate("() => window.Sidenote.logout()")
    expect(account(reader)).to_have_count(0)
    expect(reader.open_composer().locator("input[name=name]")).to_be_visible()


def test_a_refused_token_rejects_login_and_leaves_a_guest(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    reader = open_thread(thread_key)
    error = reader.page.evaluate(
        "token => window.Sidenote.login(token).then(() => 'ok', (e) => e.code)",
        demo_token(seed, aud="another-site"),
    )
    assert error == "sso_invalid"
    expect(account(reader)).to_have_count(0)
    # The refused exchange is the one expected console error (Chromium logs every 401).
    assert len(reader.errors) == 1 and "401" in reader.errors[0]
    reader.errors.clear()


def test_an_empty_token_from_the_host_ends_the_sso_session(
    open_thread: Open, seed: Seeder, thread_key: str, page: Page
) -> None:
    reader = open_thread(thread_key, attrs={"data-sidenote-sso": demo_token(seed)})
    expect(account(reader)).to_be_visible()
    page.unroute_all()
    reader = open_thread(thread_key, attrs={"data-sidenote-sso": ""})
    expect(reader.open_composer().locator("input[name=name]")).to_be_visible()
    expect(account(reader)).to_have_count(0)


def test_a_guest_gets_the_sites_sign_in_link(
    open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    update_settings(seed.session, seed.demo, login_url="https://login.example/?next=/")
    seed.done()
    try:
        reader = open_thread(thread_key)
        link = reader.widget.get_by_role("link", name="Sign in")
        expect(link).to_have_attribute("href", "https://login.example/?next=/")
    finally:
        update_settings(seed.session, seed.demo, login_url="")
        seed.done()


def test_the_demo_page_switch_signs_the_demo_reader_in_and_out(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(live_server.page_url + "/")
    switch = page.locator("#demo-sso")
    expect(switch).to_have_text("Sign in as a demo user")
    switch.click()
    widget = page.locator("#sidenote-thread")
    expect(widget.locator("p.note", has_text="Signed in as Demo Reader")).to_be_visible()
    expect(switch).to_have_text("Sign out the demo user")
    switch.click()
    expect(widget.locator("p.note", has_text="Signed in as")).to_have_count(0)
    expect(switch).to_have_text("Sign in as a demo user")


#: The widget's random browser id, as it keeps it in the host page's localStorage.
VERAS_BROWSER = "veras-browser-0001"


def vera_code(seed: Seeder, browser: str | None = None) -> str:
    """A login code for the verified guest Vera, asked for from `browser` (None: unknown)."""
    with seed.app.app_context():
        address = get_or_create_address(seed.session, "vera@example.org")
        identity = guest_identity(seed.session, address, "Verified Vera")
        code = issue_login_code(
            seed.session, identity, seed.demo.id, browser_key(keys_of(seed.session), browser)
        )
        seed.done()
    return code


def in_veras_browser(page: Page) -> None:
    page.add_init_script(f"localStorage.setItem('sidenote:voter', '\"{VERAS_BROWSER}\"')")


def test_a_verified_guests_link_back_in_the_browser_that_asked_signs_in_without_a_question(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    in_veras_browser(page)
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    reader = open_thread(thread_key, fragment="#sidenote-login=" + vera_code(seed, VERAS_BROWSER))
    expect(account(reader)).to_contain_text("Signed in as Verified Vera")
    assert questions == []


def test_a_link_back_opened_in_another_browser_signs_in_only_once_the_reader_confirms(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    reader = open_thread(thread_key, fragment="#sidenote-login=" + vera_code(seed, VERAS_BROWSER))
    for _ in range(100):
        if questions:
            break
        page.wait_for_timeout(50)
    assert questions == ["Sign in as Verified Vera on this device?"]
    expect(reader.composer()).to_be_visible()
    expect(account(reader)).to_have_count(0)  # declined: still a guest
    assert "sidenote-login" not in page.url
    assert len(reader.errors) == 1 and "403" in reader.errors[0]  # the browser logs the question
    reader.errors.clear()


def test_a_verified_guests_link_back_signs_them_in_and_opens_their_data(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    reader = open_thread(thread_key, fragment="#sidenote-login=" + vera_code(seed))
    expect(account(reader)).to_contain_text("Signed in as Verified Vera")
    assert questions == ["Sign in as Verified Vera on this device?"]
    assert len(reader.errors) == 1 and "403" in reader.errors[0]  # the browser logs the question
    reader.errors.clear()
    expect(account(reader).locator(".tag.ok")).to_have_count(0)  # a guest's name is not vouched for
    assert "sidenote-login" not in reader.page.url

    reader.post("Posted as a verified guest")
    expect(reader.card("Posted as a verified guest").locator(".name")).to_have_text("Verified Vera")
    with reader.page.context.expect_page() as popup:
        account(reader).get_by_role("button", name="My data").click()
    data_page = popup.value
    expect(data_page.locator("h1")).to_have_text("Your comments and data")
    expect(data_page.locator("main")).to_contain_text("Posted as a verified guest")
    data_page.close()


def test_a_guest_verifying_from_the_widget_is_signed_in_by_the_link_back_in_that_browser(
    page: Page, open_thread: Open, seed: Seeder, thread_key: str
) -> None:
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    reader = open_thread(thread_key)
    form = reader.open_composer()
    form.locator("input[name=email]").fill("eve.verifies@example.org")
    with page.expect_request(lambda request: request.url.endswith("/guest/verify")) as sent:
        form.get_by_role("button", name="Verify email").click()
    expect(form).to_contain_text("Check your inbox for our link.")
    browser_id = json.loads(page.evaluate("localStorage.getItem('sidenote:voter')"))
    assert sent.value.headers["x-sidenote-voter"] == browser_id
    with seed.app.app_context():  # the mail's link, as the worker would write it
        seed.session.expire_all()
        items = seed.session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        payload = [i.payload for i in items if i.payload.get("template") == "verify"][-1]
        assert payload["browser"] == browser_key(keys_of(seed.session), browser_id)
        address = seed.session.get_one(EmailAddress, payload["email_id"])
        link = links.of(seed.session).verify_url(
            reader.server.url,
            address,
            payload["site_id"],
            payload["return_url"],
            None,
            payload["browser"],
        )
        seed.done()
    page.goto(link)
    page.locator("input[name=name]").fill("Eve")
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("link", name="Back to the discussion, signed in").click()
    expect(account(reader)).to_contain_text("Signed in as Eve")
    assert questions == []
