"""Imports into a real database: the real sample exports, threading, statuses, idempotency,
remapping, dry runs, interrupted runs, and hostile bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.kernel import clock
from service.kernel.actors import SYSTEM_ACTOR
from service.kernel.config import Settings
from service.models import Comment, ImportedComment, Site, Thread
from service.portability import importer
from service.portability.import_run import ImportHooks
from service.portability.importer import page_key
from service.privacy.retention import purge
from tests import corpora
from tests.allowlist import allowlist_violations
from tests.functional.portability.conftest import ORIGIN, Importer, assert_consistent
from tests.functional.portability.exports import (
    disqus_post,
    disqus_thread,
    write_disqus,
    write_file,
)

IMPORTS = corpora.CORPORA / "imports"
needs_corpora = pytest.mark.skipif(
    not IMPORTS.is_dir(), reason="../shared/corpora is not beside us"
)

#: Every host of the sample files, mapped onto the test site.
SAMPLE_HOSTS = (
    "http://example.org",
    "http://localhost:4000",
    "http://radio-t.umputun.com",
    "https://radio-t.com",
    "http://example.tld",
    "https://realmenweardress.es",
    "https://playground.internal",
    "http://test.wordpress.org",
    "https://wpthemetestdata.wordpress.com",
    "https://example.com",
    "http://localhost",
)
REMAP = tuple((host, ORIGIN) for host in SAMPLE_HOSTS)

# file: (format, threads created, {status: comments}, skipped)
SAMPLES = {
    "isso__tests__disqus.xml": ("disqus", 2, {"approved": 4, "deleted": 1}, 1),
    "isso__tests__generic.json": ("isso", 2, {"approved": 2}, 0),
    "isso__tests__wordpress.xml": ("wordpress", 1, {"approved": 7}, 1),
    "remark42__migrator_native_test_go__native_backup_sample.jsonl": (
        "remark42", 2, {"approved": 2}, 0,
    ),
    "remark42__migrator_testdata__commento.json": ("commento", 2, {"approved": 3}, 0),
    "remark42__migrator_testdata__disqus-deleted-post.xml": (
        "disqus", 2, {"approved": 3, "spam": 1, "deleted": 1}, 1,
    ),
    "remark42__migrator_testdata__disqus-deleted-thread.xml": ("disqus", 1, {"approved": 2}, 4),
    "remark42__migrator_testdata__disqus.xml": ("disqus", 2, {"approved": 4, "spam": 1}, 1),
    "remark42__migrator_wordpress_test_go__xmlTestWP.xml": (
        "wordpress", 1, {"approved": 2, "pending": 1}, 1,
    ),
    "remark42__rest_api_testdata__commento.json": ("commento", 1, {"deleted": 7}, 0),
    "wordpress-importer__e2e_fixtures_wxr-comprehensive.xml": ("wordpress", 1, {"approved": 1}, 0),
    "wordpress-importer__phpunit_data_slashes.xml": ("wordpress", 1, {"approved": 1}, 0),
    "wordpress-importer__phpunit_data_test-serialized-comment-meta.xml": (
        "wordpress", 1, {"approved": 1}, 0,
    ),
    "wordpress-importer__phpunit_data_theme-unit-test-data.xml": (
        "wordpress", 7, {"approved": 26, "pending": 3}, 4,
    ),
    "wordpress-importer__phpunit_data_valid-wxr-1.1.xml": ("wordpress", 1, {"approved": 1}, 0),
}  # fmt: skip


def count(session: Session, model: type, site: Site) -> int:
    return int(
        session.scalar(select(func.count()).select_from(model).where(model.site_id == site.id)) or 0
    )


@needs_corpora
def test_every_sample_file_is_covered() -> None:
    assert sorted(path.name for path in IMPORTS.iterdir()) == sorted(SAMPLES)


@needs_corpora
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_real_sample_export_is_imported(
    name: str, run_import_file: Importer, blog: Site, session: Session
) -> None:
    source, threads, statuses, skipped = SAMPLES[name]
    summary = run_import_file(source, IMPORTS / name, blog, remap=REMAP)
    assert summary.threads_created == threads
    assert {k: v for k, v in summary.comments.items() if v} == statuses
    assert summary.skipped_total == skipped
    assert count(session, Comment, blog) == sum(statuses.values())
    assert count(session, ImportedComment, blog) == sum(statuses.values())
    assert_consistent(session, blog)


@needs_corpora
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_importing_the_same_file_twice_adds_nothing(
    name: str, run_import_file: Importer, blog: Site, session: Session
) -> None:
    source = SAMPLES[name][0]
    first = run_import_file(source, IMPORTS / name, blog, remap=REMAP)
    before = count(session, Comment, blog), count(session, Thread, blog)
    second = run_import_file(source, IMPORTS / name, blog, remap=REMAP)
    assert (count(session, Comment, blog), count(session, Thread, blog)) == before
    assert second.imported == 0 and second.threads_created == 0
    assert second.already_imported == first.imported
    assert second.threads_unchanged == first.threads_created


@needs_corpora
def test_disqus_threading_deleted_parents_and_orphans(
    run_import_file: Importer, blog: Site, session: Session
) -> None:
    summary = run_import_file("disqus", IMPORTS / "isso__tests__disqus.xml", blog, remap=REMAP)
    assert {k: v.examples for k, v in summary.skipped.items()} == {
        "its page (thread 1337) is not in the file": ["record 6 (post 6)"]
    }
    origin = {row.source_id: row.comment_id for row in session.scalars(select(ImportedComment))}
    reply = session.get_one(Comment, origin["5"])
    assert reply.parent_id == origin["4"] and reply.body_html == "<p>Hello, World.</p>"
    deleted = session.get_one(Comment, origin["9"])
    # The deleted post keeps its reply under it, as a tombstone without its author or text.
    assert deleted.status == "deleted" and deleted.is_listed
    assert (deleted.author_name, deleted.author_email, deleted.body_source) == ("", "", "")
    assert session.get_one(Comment, origin["11"]).parent_id == deleted.id
    thread = session.get_one(Thread, reply.thread_id)
    assert (thread.key, thread.url, thread.title) == ("/", f"{ORIGIN}/", "Hello, World!")
    assert thread.created_at == datetime(2012, 12, 12, 12, 12, 12, tzinfo=UTC)
    assert reply.created_at == datetime(2013, 10, 11, 6, 51, 33, tzinfo=UTC)


def test_replies_are_kept_at_any_depth_whatever_their_order_in_the_file(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    start = datetime(2021, 5, 1, tzinfo=UTC)
    chain = [
        disqus_post(f"c{n}", "t1", f"level {n}", parent_id=f"c{n - 1}" if n else None,
                    created=start + timedelta(minutes=n))
        for n in range(30)
    ]  # fmt: skip
    siblings = [
        disqus_post(f"s{n}", "t1", f"sibling {n}", parent_id="c0",
                    created=start + timedelta(hours=1, minutes=-n))
        for n in range(3)
    ]  # fmt: skip
    path = write_file(
        tmp_path / "deep.xml",
        [*reversed(chain), *siblings, disqus_thread("t1", f"{ORIGIN}/deep/")],
    )
    summary = run_import_file("disqus", path, blog)
    assert summary.imported == 33 and not summary.reparented
    by_body = {c.body_source: c for c in session.scalars(select(Comment))}
    assert by_body["level 29"].depth == 29
    assert by_body["level 0"].visible_descendants == 32
    # Siblings oldest first: path order is the order of their dates.
    ordered = session.scalars(
        select(Comment.body_source).where(Comment.parent_id == by_body["level 0"].id)
        .order_by(Comment.path)
    ).all()  # fmt: skip
    assert ordered == ["level 1", "sibling 2", "sibling 1", "sibling 0"]
    assert_consistent(session, blog)


def test_reply_whose_parent_is_missing_becomes_top_level_with_a_reason(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = write_file(
        tmp_path / "orphan.xml",
        [
            disqus_thread("t1", f"{ORIGIN}/a/"),
            disqus_post("r1", "t1", "reply to nothing", parent_id="gone"),
            disqus_post("x1", "t1", "a cycle", parent_id="x2"),
            disqus_post("x2", "t1", "the other half", parent_id="x1"),
        ],
    )
    summary = run_import_file("disqus", path, blog)
    assert summary.imported == 3
    assert summary.reparented.examples == [
        "record 2 (post r1) (parent missing)",
        "record 3 (post x1) (reply cycle)",
    ]
    comments = {c.body_source: c for c in session.scalars(select(Comment))}
    assert comments["reply to nothing"].parent_id is None
    assert comments["the other half"].parent_id == comments["a cycle"].id
    assert_consistent(session, blog)


def test_statuses_map_to_sidenote_statuses(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    def comment(number: int, approved: str) -> str:
        return (
            f"<wp:comment><wp:comment_id>{number}</wp:comment_id>"
            f"<wp:comment_author>A</wp:comment_author>"
            f"<wp:comment_date_gmt>2020-01-0{number} 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content>text {number}</wp:comment_content>"
            f"<wp:comment_approved>{approved}</wp:comment_approved>"
            f"<wp:comment_parent>0</wp:comment_parent></wp:comment>"
        )

    path = write_file(
        tmp_path / "wxr.xml",
        [
            f"<item><title>T</title><link>{ORIGIN}/?p=12</link>",
            *(comment(n, a) for n, a in enumerate(["1", "0", "spam", "trash"], start=1)),
            "</item>",
        ],
        head='<rss xmlns:wp="http://wordpress.org/export/1.2/"><channel>',
        tail="</channel></rss>",
    )
    run_import_file("wordpress", path, blog)
    rows = session.execute(select(Comment.body_source, Comment.status).order_by(Comment.id)).all()
    assert [tuple(row) for row in rows] == [
        ("text 1", "approved"),
        ("text 2", "pending"),
        ("text 3", "spam"),
        ("", "deleted"),
    ]
    thread = session.scalars(select(Thread)).one()
    assert thread.key == "/?p=12" and thread.approved_count == 1


def test_pages_off_the_site_are_skipped_until_remapped(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = write_file(
        tmp_path / "old.xml",
        [
            disqus_thread("t1", "http://old.example/2011/post.html?utm_source=x#comments"),
            disqus_post("p1", "t1", "hello"),
        ],
    )
    skipped = run_import_file("disqus", path, blog)
    reason = (
        "its page is on http://old.example, not on the site's origins "
        f"(add --remap http://old.example={ORIGIN})"
    )
    assert {k: v.examples for k, v in skipped.skipped.items()} == {reason: ["record 2 (post p1)"]}
    assert count(session, Comment, blog) == 0
    run_import_file("disqus", path, blog, remap=(("http://old.example", ORIGIN + "/blog"),))
    thread = session.scalars(select(Thread)).one()
    assert thread.url == f"{ORIGIN}/blog/2011/post.html?utm_source=x"
    assert thread.key == "/blog/2011/post.html"


def test_thread_keys_are_paths_percent_encoded_like_a_browser() -> None:
    assert page_key("https://radio-t.com/p/Радио/?x=1") == "/p/%D0%A0%D0%B0%D0%B4%D0%B8%D0%BE/"
    assert page_key("https://blog.example") == "/"
    assert page_key("https://blog.example/?page_id=7&utm=x") == "/?page_id=7"


def test_dry_run_writes_nothing_and_reports_what_it_would_do(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = write_disqus(tmp_path / "d.xml", threads=3, posts_per_thread=4)
    dry = run_import_file("disqus", path, blog, dry_run=True)
    assert count(session, Comment, blog) == 0 and count(session, Thread, blog) == 0
    assert dry.lines()[0].endswith("(dry run: nothing was written)")
    real = run_import_file("disqus", path, blog)
    assert (dry.imported, dry.threads_created) == (real.imported, real.threads_created) == (12, 3)


def test_interrupted_import_keeps_whole_pages_and_a_second_run_completes_it(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = write_disqus(tmp_path / "d.xml", threads=4, posts_per_thread=6)

    def stop_after_two_pages(index: int) -> None:
        if index == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_import_file("disqus", path, blog, hooks=ImportHooks(page_done=stop_after_two_pages))
    per_thread = session.execute(
        select(Thread.key, func.count(Comment.id)).join(Comment).group_by(Thread.key)
    ).all()
    assert sorted(n for _, n in per_thread) == [6, 6]
    assert_consistent(session, blog)
    rest = run_import_file("disqus", path, blog)
    assert (rest.already_imported, rest.imported, rest.threads_created) == (12, 12, 2)
    assert count(session, Comment, blog) == 24
    assert_consistent(session, blog)


def test_a_page_that_fails_midway_leaves_none_of_its_comments(
    run_import_file: Importer,
    blog: Site,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_file(
        tmp_path / "d.xml",
        [
            disqus_thread("t1", f"{ORIGIN}/one/"),
            disqus_thread("t2", f"{ORIGIN}/two/"),
            disqus_post("a", "t1", "fine"),
            disqus_post("b", "t2", "fine too"),
            disqus_post("c", "t2", "the crash comes here"),
        ],
    )
    real_insert = importer.insert_comment

    def insert_then_crash(session: Session, comment: Comment, parent: Comment | None) -> None:
        if comment.body_source == "the crash comes here":
            raise OSError("disk full")  # the process dies halfway through page two
        real_insert(session, comment, parent)

    monkeypatch.setattr(importer, "insert_comment", insert_then_crash)
    with pytest.raises(OSError, match="disk full"):
        run_import_file("disqus", path, blog)
    assert session.scalars(select(Comment.body_source)).all() == ["fine"]
    assert count(session, ImportedComment, blog) == 1
    monkeypatch.undo()
    rest = run_import_file("disqus", path, blog)
    assert (rest.imported, rest.already_imported) == (2, 1)


def test_ip_hashes_are_kept_only_inside_the_retention_window(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    now = datetime(2026, 6, 1, tzinfo=UTC)
    path = write_file(
        tmp_path / "d.xml",
        [
            disqus_thread("t1", f"{ORIGIN}/a/"),
            disqus_post("new", "t1", "new", created=now - timedelta(days=10)),
            disqus_post("old", "t1", "old", created=now - timedelta(days=200)),
        ],
    )
    with clock.frozen(now):
        run_import_file("disqus", path, blog, retain_ip_hash_days=90)
    hashes = {
        row[0]: row[1] for row in session.execute(select(Comment.body_source, Comment.ip_hash))
    }
    assert hashes["new"] is not None and len(hashes["new"]) == 32
    assert hashes["old"] is None


def test_votes_of_formats_that_have_them_are_kept(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "commento.json"
    path.write_text(
        '{"version": 1, "comments": ['
        '{"commentHex": "a", "domain": "blog.example", "url": "/p", "commenterHex": "anonymous",'
        ' "markdown": "**up**", "html": "", "parentHex": "root", "score": 5,'
        ' "state": "approved", "creationDate": "2021-03-12T11:21:56Z", "deleted": false},'
        '{"commentHex": "b", "domain": "blog.example", "url": "/p", "commenterHex": "anonymous",'
        ' "markdown": "down", "html": "", "parentHex": "a", "score": -2,'
        ' "state": "unapproved", "creationDate": "2021-03-12T11:22:56Z", "deleted": false}'
        '], "commenters": []}'
    )
    run_import_file("commento", path, blog)
    rows = session.execute(
        select(Comment.body_html, Comment.upvotes, Comment.downvotes, Comment.status)
        .order_by(Comment.id)
    ).all()  # fmt: skip
    assert [tuple(row) for row in rows] == [
        ("<p><strong>up</strong></p>", 5, 0, "approved"),
        ("<p>down</p>", 0, 2, "pending"),
    ]


@needs_corpora
def test_hostile_html_in_imported_bodies_is_sanitised(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    # Every payload goes through the converter and renderer in the unit tests; here an evenly
    # spread sample goes through the whole import path.
    payloads = corpora.sample(corpora.xss_payloads(), 1000)
    hostile_name = '<img src=x onerror=alert(1)>"'
    path = write_file(
        tmp_path / "xss.xml",
        [
            disqus_thread("t1", f"{ORIGIN}/xss/"),
            *(
                disqus_post(f"x{n}", "t1", payload.replace("\x00", ""), name=hostile_name,
                            email=f"n{n}@example.org")
                for n, payload in enumerate(payloads)
            ),
        ],
    )  # fmt: skip
    summary = run_import_file("disqus", path, blog)
    assert summary.imported == len(payloads)
    stored = session.scalars(select(Comment.body_html)).all()
    problems = {html: allowlist_violations(html) for html in stored}
    assert {html: found for html, found in problems.items() if found} == {}
    names = set(session.scalars(select(Comment.author_name)))
    assert names <= {hostile_name, ""}


def test_nul_bytes_and_lone_surrogates_do_not_break_the_database(
    run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "isso.json"
    path.write_text(
        '[{"id": "/p/", "title": "t\\u0000", "comments": [{"id": 1, "author": "a\\ud800b",'
        ' "email": "", "website": "", "remote_addr": "", "created": "2020-01-01 00:00:00",'
        ' "text": "x\\u0000y \\udfff"}]}]'
    )
    run_import_file("isso", path, blog)
    comment = session.scalars(select(Comment)).one()
    assert comment.body_source == "xy ?" and comment.author_name == "a?b"


def test_imported_comments_are_not_announced(
    app: Flask, run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    from service.comments import events

    seen: list[str] = []

    def record(_session: Session, event: events.CommentEvent) -> None:
        seen.append(event.name)

    app.extensions[events.BUS].subscribe("comment.created", record)
    run_import_file("disqus", write_disqus(tmp_path / "d.xml", threads=1, posts_per_thread=3), blog)
    assert seen == [] and count(session, Comment, blog) == 3


def test_a_comment_purged_since_the_last_import_is_not_imported_again(
    app: Flask, run_import_file: Importer, blog: Site, session: Session, tmp_path: Path
) -> None:
    path = write_file(
        tmp_path / "d.xml",
        [
            disqus_thread("t1", f"{ORIGIN}/a/"),
            disqus_post("spam", "t1", "buy now", spam=True),
            disqus_post("fine", "t1", "a comment"),
        ],
    )
    run_import_file("disqus", path, blog)
    with app.app_context():
        purge(session, Settings(env="test", secret_key="x" * 20), SYSTEM_ACTOR)
        session.commit()
    assert session.scalars(select(Comment.body_source)).all() == ["a comment"]
    again = run_import_file("disqus", path, blog)
    assert (again.imported, again.already_imported) == (0, 2)
    assert session.scalars(select(Comment.body_source)).all() == ["a comment"]
