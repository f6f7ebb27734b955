"""Reader text at input: invisible characters (bidi controls, zero-width) are stripped from names,
bodies and titles; characters XML 1.0 cannot carry are refused; feeds stay valid XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from service.models import Comment, Site
from tests.factories import Factories
from tests.functional.helpers import error_of, post_comment


@pytest.fixture
def site(make: Factories) -> Site:
    return make.site()


def posted(client: FlaskClient, site: Site, **fields: object) -> dict[str, object]:
    response = post_comment(client, site.slug, **fields)
    assert response.status_code == 201, response.json
    comment: dict[str, object] = response.json["comment"]
    return comment


def stored(session: Session, comment_id: object) -> Comment:
    session.expire_all()
    return session.get_one(Comment, comment_id)


# -- look-alike names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Ann\u202egnp.exe", "Anngnp.exe"),  # right-to-left override
        ("\u2066Moderator\u2069", "Moderator"),  # isolates
        ("Ad\u200bmin", "Admin"),  # zero-width space
        ("Ad\u200dmin", "Admin"),  # a joiner between Latin letters only disguises
        ("\ufeffAda   \u00a0 Lovelace\u200e", "Ada Lovelace"),  # BOM, spaces, LRM
    ],
)
def test_a_guest_name_loses_invisible_characters_and_extra_spaces(
    client: FlaskClient, site: Site, session: Session, sent: str, kept: str
) -> None:
    comment = posted(client, site, author={"name": sent})
    assert stored(session, comment["id"]).author_name == kept


def test_joiners_that_spell_a_script_or_an_emoji_are_kept(
    client: FlaskClient, site: Site, session: Session
) -> None:
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"  # ZWNJ in a Persian word
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one emoji through ZWJ
    comment = posted(client, site, author={"name": persian}, body=f"{persian} {family}")
    row = stored(session, comment["id"])
    assert row.author_name == persian
    assert row.body_source == f"{persian} {family}"


# -- bodies ----------------------------------------------------------------------------------


def test_bidi_controls_and_zero_width_characters_are_removed_from_a_body(
    client: FlaskClient, site: Site, session: Session
) -> None:
    comment = posted(client, site, body="Visit \u202eexe.live\u202c now\u200b!")
    row = stored(session, comment["id"])
    assert row.body_source == "Visit exe.live now!"
    assert "\u202e" not in row.body_html and "\u200b" not in row.body_html


@pytest.mark.parametrize("body", ["\u200b\u200b", "\u202e \u2066\u2069", "\ufeff\n\u200d"])
def test_a_body_of_only_invisible_characters_is_empty(
    client: FlaskClient, site: Site, body: str
) -> None:
    response = post_comment(client, site.slug, body=body)
    assert response.status_code == 400
    assert error_of(response)["fields"]["body"] == "Write something first."


def test_an_edit_to_only_invisible_characters_is_empty(client: FlaskClient, site: Site) -> None:
    created = post_comment(client, site.slug, body="Fine")
    token = created.json["edit_token"]
    response = client.patch(
        f"/api/v1/comments/{created.json['comment']['id']}",
        json={"body": "\u200b"},
        headers={"X-Sidenote-Edit-Token": token},
    )
    assert response.status_code == 400
    assert "body" in error_of(response)["fields"]


# -- XML 1.0 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\ufffe", "\uffff", "\x01", "\x1b"])
@pytest.mark.parametrize("field", ["body", "author.name", "thread_title"])
def test_characters_xml_cannot_carry_are_refused_at_input(
    client: FlaskClient, site: Site, field: str, bad: str
) -> None:
    fields: dict[str, object] = {
        "body": {"body": f"a{bad}b"},
        "author.name": {"author": {"name": f"a{bad}b"}},
        "thread_title": {"thread_title": f"a{bad}b"},
    }[field]
    response = post_comment(client, site.slug, **fields)
    assert response.status_code == 400
    assert field in error_of(response)["fields"]


def test_the_feed_stays_valid_xml_whatever_is_stored(
    client: FlaskClient, make: Factories, session: Session
) -> None:
    comment = make.comment(thread_title="Title\ufffe\x01")
    session.execute(  # as an older version or an import might have stored them
        update(Comment)
        .where(Comment.id == comment.id)
        .values(author_name="Ann\x01\uffff", body_html="<p>hi\x0b\ufffe</p>")
    )
    session.commit()
    response = client.get("/api/v1/feed.atom", query_string={"site": make.slug_of(comment)})
    assert response.status_code == 200
    root = ET.fromstring(response.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entry = root.find("a:entry", ns)
    assert entry is not None
    assert entry.findtext("a:author/a:name", namespaces=ns) == "Ann"
    assert entry.findtext("a:content", namespaces=ns) == "<p>hi</p>"
