"""Settings pages (admins only): site options, rules with a dry run before saving, moderators and
API tokens (a new token is shown once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import AuditEntry, Moderator, Site
from service.moderation.rules import Rules, rules_for
from tests.factories import Factories
from tests.functional.moderate.conftest import UI, Page

RULES_FORM: dict[str, Any] = {
    "banned_words": "",
    "suspect_words": "",
    "max_links": "3",
    "report_threshold": "3",
    "first_time_threshold": "1",
    "trusted_after": "5",
    "repeat_window_hours": "24",
    "spam_score_threshold": "0.95",
    "spam_score_enabled": "1",
    "spam_shipped_model": "1",
    "spam_min_examples": "20",
}


def rules_of(session: Session, site: Site) -> Rules:
    session.expire_all()
    return rules_for(session.get_one(Site, site.id))


def checked_token(page: Page) -> str:
    (field,) = page.find("input", name="checked")
    return field["value"]


@pytest.mark.parametrize(
    "path",
    [
        "/moderate/settings",
        "/moderate/sites/blog/settings",
        "/moderate/sites/blog/rules",
        "/moderate/moderators",
        "/moderate/tokens",
    ],
)
def test_settings_are_for_admins_only(ui_for: Callable[..., UI], site: Site, path: str) -> None:
    moderator = ui_for("max", role="moderator", sites=[site])
    assert moderator.get(path).status_code == 403
    if path != "/moderate/settings":  # the index only lists
        assert moderator.post(path, {}).status_code == 403


def test_the_settings_page_lists_the_sites(ui: UI, site: Site) -> None:
    page = ui.page("/moderate/settings")
    assert page.find("a", href="/moderate/sites/blog/settings")
    assert page.find("a", href="/moderate/sites/blog/rules")


def test_saving_site_settings(ui: UI, site: Site, session: Session) -> None:
    page = ui.page("/moderate/sites/blog/settings")
    assert page.find("input", name="moderation", value="post", checked="")
    response = ui.post(
        "/moderate/sites/blog/settings",
        {
            "name": "The Blog",
            "origins": "https://blog.example\r\nhttps://www.blog.example",
            "moderation": "pre",
            "edit_window_minutes": "30",
            "max_depth": "3",
        },
    )
    assert response.status_code == 303
    session.expire_all()
    saved = session.get_one(Site, site.id)
    assert saved.moderation == "pre"
    assert saved.origins == ["https://blog.example", "https://www.blog.example"]
    assert saved.edit_window_seconds == 1800
    assert saved.max_depth == 3
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "site.update"))
    assert "Saved the settings of blog." in ui.follow(response).text


def test_invalid_site_settings_are_shown_on_the_form(ui: UI, site: Site, session: Session) -> None:
    response = ui.post(
        "/moderate/sites/blog/settings",
        {
            "name": "The Blog",
            "origins": "ftp://nope",
            "moderation": "post",
            "edit_window_minutes": "15",
            "max_depth": "5",
        },
    )
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert "Not an http(s) origin" in page.text
    assert page.find("textarea", name="origins", aria_invalid="true")
    session.expire_all()
    assert session.get_one(Site, site.id).origins == ["https://blog.example"]


def test_a_dry_run_shows_what_rules_would_catch_without_saving(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    caught = make.comment(site, body="Cheap viagra here")
    make.comment(site, body="A kind word")
    response = ui.post(
        "/moderate/sites/blog/rules", {**RULES_FORM, "banned_words": "viagra", "intent": "dry-run"}
    )
    assert response.status_code == 200
    page = Page(response.get_data(as_text=True))
    assert "Of 2 comments from the last 30 days, these rules would reject 1 and hold 0." in (
        page.text
    )
    assert f"#{caught.id}" in page.text
    assert page.find("button", value="save")
    assert rules_of(session, site).banned_words == []


def test_a_dry_run_shows_what_would_get_through_and_what_it_cannot_replay(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    held = make.comment(site, body="Buy cheap pills online")
    held.spam_score = 0.97
    session.commit()
    response = ui.post(
        "/moderate/sites/blog/rules",
        {
            **RULES_FORM,
            "spam_score_threshold": "0.99",
            "spam_min_examples": "5",
            "intent": "dry-run",
        },
    )
    page = Page(response.get_data(as_text=True))
    assert "Compared with the current rules, 1 would be treated differently, and 1 that" in (
        page.text
    )
    assert "Caught by the current rules, not by these" in page.text and f"#{held.id}" in page.text
    assert "Not shown by this dry run: spam_min_examples: Cannot be replayed" in page.text
    assert "How each rule was judged" in page.text


def test_saving_needs_the_dry_run_of_the_same_rules(
    ui: UI, make: Factories, site: Site, session: Session
) -> None:
    make.comment(site, body="Cheap viagra here")
    page = Page(
        ui.post(
            "/moderate/sites/blog/rules",
            {**RULES_FORM, "banned_words": "viagra", "intent": "dry-run"},
        ).get_data(as_text=True)
    )
    checked = checked_token(page)
    changed = ui.post(
        "/moderate/sites/blog/rules",
        {**RULES_FORM, "banned_words": "viagra\ncasino", "intent": "save", "checked": checked},
    )
    assert changed.status_code == 200
    assert "The rules changed since their dry run" in Page(changed.get_data(as_text=True)).text
    assert rules_of(session, site).banned_words == []
    saved = ui.post(
        "/moderate/sites/blog/rules",
        {**RULES_FORM, "banned_words": "viagra", "intent": "save", "checked": checked},
    )
    assert saved.status_code == 303
    assert rules_of(session, site).banned_words == ["viagra"]
    notice = ui.follow(saved)
    assert "Saved the rules of blog." in notice.text
    assert notice.find("form", action="/moderate/undo")


def test_saving_without_a_dry_run_shows_one_first(ui: UI, site: Site, session: Session) -> None:
    response = ui.post(
        "/moderate/sites/blog/rules", {**RULES_FORM, "max_links": "", "intent": "save"}
    )
    assert response.status_code == 200
    assert "Dry run" in Page(response.get_data(as_text=True)).text
    assert rules_of(session, site).max_links == 3


def test_invalid_rules_are_shown_on_the_form(ui: UI, site: Site) -> None:
    response = ui.post(
        "/moderate/sites/blog/rules",
        {**RULES_FORM, "spam_score_threshold": "7", "max_links": "many", "intent": "dry-run"},
    )
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.find("input", name="spam_score_threshold", aria_invalid="true")
    assert page.find("input", name="max_links", aria_invalid="true")
    assert page.find("input", name="max_links", value="many")


def test_adding_and_changing_a_moderator(ui: UI, site: Site, session: Session) -> None:
    response = ui.post(
        "/moderate/moderators",
        {"username": "nina", "password": "long enough pw", "role": "moderator", "sites": "blog"},
    )
    assert "Added the moderator nina." in ui.follow(response).text
    nina = session.scalar(select(Moderator).where(Moderator.username == "nina"))
    assert nina is not None and nina.role == "moderator"
    ui.post(f"/moderate/moderators/{nina.id}", {"role": "moderator", "disabled": "1"})
    session.expire_all()
    assert session.get_one(Moderator, nina.id).disabled


def test_a_bad_new_moderator_is_shown_on_the_form(ui: UI, site: Site) -> None:
    response = ui.post(
        "/moderate/moderators", {"username": "Nina!", "password": "x", "role": "moderator"}
    )
    assert response.status_code == 400
    page = Page(response.get_data(as_text=True))
    assert page.find("input", name="username", aria_invalid="true")


def test_an_admin_cannot_lock_themselves_out(ui: UI, session: Session) -> None:
    me = session.scalar(select(Moderator).where(Moderator.username == "mia"))
    assert me is not None
    page = ui.follow(ui.post(f"/moderate/moderators/{me.id}", {"role": "moderator"}))
    assert "You cannot disable or demote your own account." in page.text
    session.expire_all()
    assert session.get_one(Moderator, me.id).role == "admin"


def test_a_new_token_is_shown_once(ui: UI, client: FlaskClient, site: Site) -> None:
    response = ui.post("/moderate/tokens", {"name": "export", "scope": "read", "site": "blog"})
    assert response.status_code == 201
    page = Page(response.get_data(as_text=True))
    (field,) = page.find("input", id="secret")
    secret = field["value"]
    assert secret.startswith("snt_")
    assert response.headers["Cache-Control"] == "no-store"
    listed = ui.page("/moderate/tokens")
    assert secret not in listed.html
    assert "export" in listed.text
    queue = FlaskClient(client.application).get(
        "/api/v1/moderation/queue", headers={"Authorization": f"Bearer {secret}"}
    )
    assert queue.status_code == 200


def test_revoking_a_token(ui: UI, site: Site) -> None:
    page = Page(
        ui.post("/moderate/tokens", {"name": "old", "scope": "admin", "site": ""}).get_data(
            as_text=True
        )
    )
    secret = page.find("input", id="secret")[0]["value"]
    (form,) = [f for f in page.find("form") if f.get("action", "").endswith("/revoke")]
    ui.post(form["action"])
    assert "revoked" in ui.page("/moderate/tokens").text
    response = ui.client.application.test_client().get(
        "/api/v1/moderation/queue", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 401


def test_a_bad_token_request_is_shown_on_the_form(ui: UI, site: Site) -> None:
    response = ui.post("/moderate/tokens", {"name": "x", "scope": "moderate", "site": ""})
    assert response.status_code == 400
    assert "Only an admin token may cover every site" in Page(response.get_data(as_text=True)).text


def test_the_rules_page_shows_the_estimated_spam_rates(
    ui: UI, site: Site, session: Session
) -> None:
    from service.models import SpamClassifier

    assert "Not enough decisions yet" in ui.page("/moderate/sites/blog/rules").text
    session.add(
        SpamClassifier(
            site_id=site.id,
            spam_docs=80,
            ham_docs=120,
            threshold=0.9712,
            estimated_spam_held=0.931,
            estimated_legit_held=0.0125,
            calibrated_examples=200,
        )
    )
    session.commit()
    text = ui.page("/moderate/sites/blog/rules").text
    assert "estimated from 200 of your decisions: 0.971" in text
    assert "93.1 % of spam and 1.2 % of legitimate comments" in text
