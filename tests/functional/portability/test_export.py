"""The site export: its schema, its two shapes, the admin API, and export -> import round trips."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.comments.reactions import report_comment, vote_on_comment
from service.comments.sites import create_site
from service.db import get_db
from service.db.migrate import upgrade
from service.kernel import clock
from service.models import AuditEntry, Comment, CommentAnchor, ImportedComment, Site, Thread
from service.portability.exporter import export_site
from service.portability.import_run import ImportOptions
from service.portability.importer import run_import
from tests.allowlist import allowlist_violations
from tests.conftest import make_settings
from tests.factories import Factories
from tests.functional.moderation.conftest import Credentials
from tests.functional.portability.conftest import ORIGIN, Importer, assert_consistent
from tests.functional.portability.exports import disqus_post, disqus_thread, write_file

SCHEMA = json.loads((Path(__file__).parents[3] / "docs" / "export.schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
LINE_VALIDATOR = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/line"})


def exported(app: Flask, session: Session, site: Site, **options: Any) -> str:
    with app.app_context():
        return "".join(export_site(session, site.slug, **options))


@pytest.fixture
def rich_site(
    app: Flask, make: Factories, session: Session, run_import_file: Importer, tmp_path: Path
) -> Site:
    """A site with every kind of thing an export carries."""
    site = make.site("blog", origins=[ORIGIN])
    with clock.frozen(datetime(2026, 3, 1, 12, tzinfo=UTC)):
        root = make.comment(site, "/post", body="Root *one*", author="Ann", email="ann@example.org")
        reply = make.comment(site, "/post", body="A reply", parent=root, author="Bob")
        make.comment(
            site,
            "/post",
            body="Deeper",
            parent=reply,
            author="Cy",
            author_website="https://cy.example",
        )
        held = make.comment(site, "/post", body="Held back", status="pending")
        make.comment(site, "/post", body="Buy pills", status="spam")
        gone = make.comment(site, "/other", body="Will go", author="Dee")
        make.comment(site, "/other", body="Answer to a deleted one", parent=gone)
    with app.app_context():
        from service.comments.posting import erase_content
        from service.comments.visibility import change_status

        gone = session.get_one(Comment, gone.id)
        erase_content(gone)
        change_status(session, gone, "deleted")
        for voter, value in (("voter-aaaaaaaa", 1), ("voter-bbbbbbbb", 1), ("voter-cccccccc", -1)):
            vote_on_comment(session, root.id, voter_key=voter, ip_hash=None, value=value,
                            votes_per_ip=10, refresh_seconds=10)  # fmt: skip
        report_comment(session, reply.id, reporter_key="reporter-1", reason="abuse", note="rude")
        session.add(
            CommentAnchor(
                comment_id=root.id, thread_id=root.thread_id, kind="quote", norm=1,
                exact="quoted words", quote_len=12, prefix="before ", suffix=" after",
                pos_start=10, pos_end=22, doc_len=500, doc_fp="0123456789abcdef",
            )
        )  # fmt: skip
        held = session.get_one(Comment, held.id)
        held.moderation_reasons = [{"code": "links", "message": "Many links", "verdict": "hold"}]
        held.pinned = True
        thread = session.get_one(Thread, root.thread_id)
        thread.locked = True
        session.commit()
    path = write_file(
        tmp_path / "d.xml",
        [disqus_thread("t9", f"{ORIGIN}/imported/"), disqus_post("p9", "t9", "<p>From Disqus</p>")],
    )
    run_import_file("disqus", path, site)
    return site


def test_json_export_follows_the_published_schema(
    app: Flask, session: Session, rich_site: Site
) -> None:
    document = json.loads(exported(app, session, rich_site))
    VALIDATOR.validate(document)
    assert document["format"] == "sidenote-export" and document["version"] == 1
    comments = [c for thread in document["threads"] for c in thread["comments"]]
    assert len(comments) == 8
    root = next(c for c in comments if c["body_source"] == "Root *one*")
    assert root["author"]["email"] == "ann@example.org"
    assert root["anchor"]["exact"] == "quoted words"
    assert sorted(v["value"] for v in root["votes"]) == [-1, 1, 1]
    assert (root["upvotes"], root["downvotes"]) == (2, 1)
    imported = next(c for c in comments if c["body_source"] == "From Disqus")
    assert imported["imported_from"] == [{"source": "disqus", "source_id": "p9"}]


def test_jsonl_export_carries_the_same_records_one_per_line(
    app: Flask, session: Session, rich_site: Site
) -> None:
    document = json.loads(exported(app, session, rich_site))
    lines = [
        json.loads(line) for line in exported(app, session, rich_site, shape="jsonl").splitlines()
    ]
    for line in lines:
        LINE_VALIDATOR.validate(line)
    assert lines[0]["type"] == "meta" and lines[0]["site"] == document["site"]
    threads = [line for line in lines if line["type"] == "thread"]
    comments = [line for line in lines if line["type"] == "comment"]
    assert [t["key"] for t in threads] == [t["key"] for t in document["threads"]]
    assert [c["id"] for c in comments] == [
        c["id"] for t in document["threads"] for c in t["comments"]
    ]
    # Each comment follows its own thread.
    current = None
    for line in lines[1:]:
        if line["type"] == "thread":
            current = line["id"]
        elif line["type"] == "comment":
            assert line["thread_id"] == current


def test_export_without_emails_holds_no_address(
    app: Flask, session: Session, rich_site: Site
) -> None:
    text = exported(app, session, rich_site, include_emails=False)
    assert "@example.org" not in text
    VALIDATOR.validate(json.loads(text))


def test_exports_never_carry_ip_hashes_or_edit_secrets(
    app: Flask, session: Session, rich_site: Site
) -> None:
    hashes = [h for h in session.scalars(select(Comment.ip_hash)) if h]
    assert hashes
    text = exported(app, session, rich_site)
    assert not any(value in text for value in hashes) and "ip_hash" not in text


def canonical(document: dict[str, Any]) -> dict[str, Any]:
    """The export without what an installation assigns: ids, export time, the site row."""
    threads = {}
    for thread in document["threads"]:
        ids = {comment["id"]: index for index, comment in enumerate(thread["comments"])}
        comments = []
        for comment in thread["comments"]:
            kept = {k: v for k, v in comment.items() if k not in {"id", "thread_id", "parent_id"}}
            kept["parent"] = ids.get(comment["parent_id"])
            comments.append(kept)
        threads[thread["key"]] = {
            **{k: v for k, v in thread.items() if k not in {"id", "comments"}},
            "comments": comments,
        }
    return threads


@pytest.fixture
def empty_app(tmp_path: Path) -> Iterator[Flask]:
    """A second installation with a freshly migrated, empty database."""
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    upgrade(url)
    app = create_empty_app(url)
    yield app
    get_db(app).dispose()


def create_empty_app(url: str) -> Flask:
    from service import create_app

    app = create_app(make_settings(url))
    with app.app_context():
        session = get_db(app).session(write=True)
        create_site(session, slug="blog", name="A blog", origins=[ORIGIN])
        session.commit()
        session.close()
    return app


@pytest.mark.parametrize("shape", ["json", "jsonl"])
def test_export_then_import_into_an_empty_database_reproduces_the_data(
    app: Flask, session: Session, rich_site: Site, empty_app: Flask, tmp_path: Path, shape: str
) -> None:
    original = json.loads(exported(app, session, rich_site))
    path = tmp_path / f"export.{shape}"
    path.write_text(exported(app, session, rich_site, shape=shape))
    with empty_app.app_context():
        database = get_db(empty_app)
        summary = run_import(database, "sidenote", path, ImportOptions(site="blog"))
        assert summary.imported == 8 and not summary.skipped and not summary.reparented
        copy_session = database.session()
        site = copy_session.scalars(select(Site)).one()
        copy = json.loads("".join(export_site(copy_session, "blog")))
        assert_consistent(copy_session, site)
        again = run_import(database, "sidenote", path, ImportOptions(site="blog"))
        assert again.imported == 0 and again.already_imported == 8
        copy_session.close()
    assert canonical(copy) == canonical(original)


def test_a_sidenote_import_remembers_where_comments_first_came_from(
    app: Flask, session: Session, rich_site: Site, empty_app: Flask, tmp_path: Path
) -> None:
    export = tmp_path / "export.json"
    export.write_text(exported(app, session, rich_site))
    disqus = write_file(
        tmp_path / "d.xml",
        [disqus_thread("t9", f"{ORIGIN}/imported/"), disqus_post("p9", "t9", "<p>From Disqus</p>")],
    )
    with empty_app.app_context():
        database = get_db(empty_app)
        run_import(database, "sidenote", export, ImportOptions(site="blog"))
        summary = run_import(database, "disqus", disqus, ImportOptions(site="blog"))
        assert summary.imported == 0 and summary.already_imported == 1
        with database.session() as check:
            assert (
                check.scalar(
                    select(ImportedComment.source_id).where(ImportedComment.source == "disqus")
                )
                == "p9"
            )


def test_html_in_an_export_is_never_trusted(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    line = {
        "type": "comment", "id": 1, "thread_id": 1, "parent_id": None,
        "created_at": "2026-01-01T00:00:00.000Z", "status": "approved",
        "author": {"name": "<b>x</b>", "email": None, "website": "javascript:alert(1)",
                   "identity_key": None, "key": "k"},
        "body_source": "<script>alert(1)</script> [x](javascript:alert(1))",
        "body_html": "<script>alert(1)</script>",
    }  # fmt: skip
    meta = {"type": "meta", "format": "sidenote-export", "version": 1, "site": {}}
    thread = {"type": "thread", "id": 1, "key": "/x", "url": f"{ORIGIN}/x", "title": "X"}
    path = tmp_path / "export.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in (meta, thread, line)) + "\n")
    run_import_file("sidenote", path, blog)
    comment = session.scalars(select(Comment)).one()
    assert comment.body_html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1))</p>"
    )
    assert allowlist_violations(comment.body_html) == []
    assert comment.author_website == ""


def test_an_export_of_another_version_is_refused(
    run_import_file: Importer, blog: Site, tmp_path: Path
) -> None:
    from service.portability.records import ImportFormatError

    path = tmp_path / "export.json"
    path.write_text('{"format": "sidenote-export", "version": 2, "threads": []}')
    with pytest.raises(ImportFormatError, match="unsupported Sidenote export version 2"):
        run_import_file("sidenote", path, blog)


# -- the admin API ---------------------------------------------------------------------------


def test_export_api_needs_credentials(client: FlaskClient, blog: Site) -> None:
    response = client.get(f"/api/v1/admin/sites/{blog.slug}/export")
    assert response.status_code == 401 and response.json["error"]["code"] == "unauthorized"


def test_export_api_needs_the_admin_scope_on_the_site(
    client: FlaskClient, blog: Site, creds: Credentials, make: Factories
) -> None:
    moderator = creds.headers(blog, "moderate")
    assert (
        client.get(f"/api/v1/admin/sites/{blog.slug}/export", headers=moderator).status_code == 403
    )
    other_admin = creds.headers(make.site("other"), "admin")
    response = client.get(f"/api/v1/admin/sites/{blog.slug}/export", headers=other_admin)
    assert response.status_code == 403


def test_export_api_streams_the_export_and_logs_it(
    client: FlaskClient, rich_site: Site, creds: Credentials, session: Session
) -> None:
    headers = creds.headers(rich_site, "admin")
    response = client.get(f"/api/v1/admin/sites/{rich_site.slug}/export", headers=headers)
    assert response.status_code == 200 and response.mimetype == "application/json"
    VALIDATOR.validate(json.loads(response.get_data(as_text=True)))
    lines = client.get(
        f"/api/v1/admin/sites/{rich_site.slug}/export?format=jsonl&emails=false", headers=headers
    )
    assert lines.mimetype == "application/x-ndjson"
    assert "@example.org" not in lines.get_data(as_text=True)
    session.expire_all()
    actions = session.scalars(select(AuditEntry.action).where(AuditEntry.action == "site.export"))
    assert len(actions.all()) == 2


def test_export_api_answers_404_for_an_unknown_site(
    client: FlaskClient, creds: Credentials
) -> None:
    headers = creds.headers(None, "admin")
    response = client.get("/api/v1/admin/sites/nope/export", headers=headers)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_found"
