"""The format parsers on the real sample exports, and on hostile or broken input."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from pathlib import Path

import pytest

from service.portability.importer import read_records
from service.portability.jsonstream import JsonStream
from service.portability.records import (
    CommentRecord,
    ImportFormatError,
    PersonRecord,
    Record,
    SkipRecord,
    ThreadRecord,
)
from service.portability.xmlstream import (
    ContentCap,
    RepairingReader,
    content_cap_bytes,
    iter_events,
)
from tests import corpora

IMPORTS = corpora.CORPORA / "imports"
pytestmark = pytest.mark.skipif(not IMPORTS.is_dir(), reason="../shared/corpora is not beside us")


def records(source: str, path: Path, *, repair: bool = False) -> list[Record]:
    return list(read_records(source, path, repair=repair))


def comments(items: list[Record]) -> list[CommentRecord]:
    return [item for item in items if isinstance(item, CommentRecord)]


def skips(items: list[Record]) -> list[str]:
    return [item.reason for item in items if isinstance(item, SkipRecord)]


def test_disqus_posts_keep_threads_parents_statuses_and_html() -> None:
    items = records("disqus", IMPORTS / "isso__tests__disqus.xml")
    threads = {item.source_id: item for item in items if isinstance(item, ThreadRecord)}
    posts = {item.source_id: item for item in comments(items)}
    assert set(threads) == {"2", "3", "7"}
    assert threads["2"].url == "http://example.org/" and threads["2"].title == "Hello, World!"
    assert set(posts) == {"4", "5", "6", "8", "9", "11"}
    assert posts["5"].parent_source_id == "4" and posts["5"].body == "<p>Hello, World.</p>"
    assert posts["9"].status == "deleted" and posts["11"].parent_source_id == "9"
    assert posts["6"].thread_source_id == "1337"  # the orphan: resolved (skipped) later
    assert posts["5"].author_name == "user" and posts["5"].author_email == "foo@bar.com"
    assert posts["5"].created_at.isoformat() == "2013-10-11T06:51:33+00:00"


def test_sloppy_disqus_export_fails_strictly_with_its_location() -> None:
    with pytest.raises(ImportFormatError) as caught:
        records("disqus", IMPORTS / "remark42__migrator_testdata__disqus.xml")
    assert str(caught.value).startswith("line 1, column 1: malformed XML")


def test_sloppy_disqus_export_reads_after_repair() -> None:
    items = records("disqus", IMPORTS / "remark42__migrator_testdata__disqus.xml", repair=True)
    posts = comments(items)
    assert len(posts) == 5
    assert {post.status for post in posts} == {"approved", "spam"}
    # The post with the unquoted attribute also has a broken date and `<isSpam>123</isSpam>`:
    # skipped, with the first of those reasons its typed check finds.
    assert skips(items) == ["wrong value: isSpam: Input should be 'true', 'false', '1', '0' or ''"]
    no_id = next(post for post in posts if post.body == "This comment had no ID")
    assert no_id.source_id == "12345678890"


@pytest.mark.parametrize("size", [1, 7, 64, 4096, 1 << 20])
def test_repair_gives_the_same_bytes_whatever_the_read_size(size: int) -> None:
    raw = (IMPORTS / "remark42__migrator_testdata__disqus.xml").read_bytes()
    reader = RepairingReader(io.BytesIO(raw))
    out = b"".join(iter(lambda: reader.read(size), b""))
    assert out == raw[1:].replace(b"dsq:id=247937687/>", b'dsq:id="247937687"/>')
    assert reader.repairs == [
        "removed stray text before the XML declaration",
        "line 147: quoted an attribute value",
    ]


def test_repair_leaves_text_cdata_and_comments_alone() -> None:
    raw = b"<a x=1><![CDATA[<b y=2>]]><!-- z=3 -->w=4<c v='5'/></a>"
    reader = RepairingReader(io.BytesIO(raw))
    assert reader.read(1000) == b"<a x=\"1\"><![CDATA[<b y=2>]]><!-- z=3 -->w=4<c v='5'/></a>"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<disqus><post><message>&lol3;</message></post></disqus>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE disqus [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<disqus><post><message>&xxe;</message></post></disqus>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd"><rss><channel/></rss>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, XXE, EXTERNAL_DTD])
@pytest.mark.parametrize("repair", [False, True])
def test_dtds_and_entities_are_refused(document: bytes, repair: bool) -> None:
    source = RepairingReader(io.BytesIO(document)) if repair else io.BytesIO(document)
    with pytest.raises(ImportFormatError) as caught:
        list(iter_events(source))
    assert "refuse DTDs and entities" in str(caught.value)


def test_wordpress_theme_unit_test_comments_pingbacks_and_statuses() -> None:
    items = records(
        "wordpress", IMPORTS / "wordpress-importer__phpunit_data_theme-unit-test-data.xml"
    )
    posts = comments(items)
    assert len(posts) + len(skips(items)) == 33
    assert sorted(skips(items)) == [
        "pingbacks are links from other sites, not comments",
        "pingbacks are links from other sites, not comments",
        "trackbacks are links from other sites, not comments",
        "trackbacks are links from other sites, not comments",
    ]
    assert sum(post.status == "pending" for post in posts) == 3
    assert sum(post.parent_source_id is not None for post in posts) == 10
    assert all(post.body_format == "html_text" for post in posts)


def test_wordpress_values_are_trimmed_and_a_missing_local_date_uses_gmt() -> None:
    posts = {
        p.source_id: p
        for p in comments(records("wordpress", IMPORTS / "isso__tests__wordpress.xml"))
    }
    assert posts["2"].author_email == "test@example.org"
    assert posts["7"].created_at.isoformat() == "2014-04-29T15:21:35+00:00"
    assert posts["10"].created_at.isoformat() == "2022-06-06T02:13:14+00:00"  # GMT, not local


def test_wordpress_unapproved_comment_is_pending() -> None:
    items = records("wordpress", IMPORTS / "remark42__migrator_wordpress_test_go__xmlTestWP.xml")
    assert sorted(post.status for post in comments(items)) == ["approved", "approved", "pending"]


def test_commento_comments_name_their_authors_by_commenter() -> None:
    items = records("commento", IMPORTS / "remark42__migrator_testdata__commento.json")
    people = {item.source_id: item for item in items if isinstance(item, PersonRecord)}
    posts = comments(items)
    assert len(posts) == 3 and len(people) == 2
    reply = next(post for post in posts if post.parent_source_id)
    assert people[reply.author_ref or ""].name == "Saturnin Uf"
    assert reply.thread_source_id == "https://example.com/blog/post/1"


def test_commento_placeholder_values_of_anonymous_authors_are_dropped() -> None:
    items = records("commento", IMPORTS / "remark42__rest_api_testdata__commento.json")
    person = next(item for item in items if isinstance(item, PersonRecord))
    assert (person.email, person.website) == ("", "")


def test_isso_json_comments_wait_for_their_page_id() -> None:
    items = records("isso", IMPORTS / "isso__tests__generic.json")
    posts = comments(items)
    assert [post.source_id for post in posts] == ["/posts/0001/#0", "/posts/0007/#0"]
    assert posts[0].body_format == "markdown" and posts[0].author_website.startswith("http://")


def test_isso_database_is_read_with_modes_votes_and_replies(tmp_path: Path) -> None:
    database = tmp_path / "comments.db"
    with sqlite3.connect(database) as connection:
        connection.executescript(ISSO_SCHEMA)
        connection.execute("INSERT INTO threads (id, uri, title) VALUES (1, '/post/', 'Post')")
        connection.executemany(
            "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
            " author, email, website, likes, dislikes, voters, notification)"
            " VALUES (1, ?, ?, ?, NULL, ?, '127.0.0.0', ?, 'Ann', 'ann@example.org', NULL, ?, 0,"
            " x'00', 0)",
            [
                (1, None, 1.6e9, 1, "*hi*", 3),
                (2, 1, 1.6e9 + 60, 2, "held", 0),
                (3, 1, 1.6e9 + 90, 4, "", 0),
            ],
        )
    posts = comments(records("isso", database))
    assert [(p.source_id, p.parent_source_id, p.status) for p in posts] == [
        ("1", None, "approved"),
        ("2", "1", "pending"),
        ("3", "1", "deleted"),
    ]
    assert posts[0].upvotes == 3 and posts[0].body == "*hi*" and posts[0].body_format == "markdown"


def test_a_file_that_is_not_an_isso_database_is_refused(tmp_path: Path) -> None:
    database = tmp_path / "other.db"
    with sqlite3.connect(database) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER)")
    with pytest.raises(ImportFormatError, match="not an Isso database"):
        records("isso", database)


def test_remark42_backup_is_read_gzipped_too(tmp_path: Path) -> None:
    plain = IMPORTS / "remark42__migrator_native_test_go__native_backup_sample.jsonl"
    zipped = tmp_path / "backup.gz"
    zipped.write_bytes(gzip.compress(plain.read_bytes()))
    assert records("remark42", zipped) == records("remark42", plain)
    posts = comments(records("remark42", zipped))
    assert [post.parent_source_id for post in posts] == [None, "1234"]
    assert posts[0].body.startswith('some text, <a href="http://radio-t.com"')


def test_broken_json_is_reported_with_line_and_column(tmp_path: Path) -> None:
    broken = tmp_path / "commento.json"
    broken.write_text('{"version": 1,\n "comments": [\n  {"commentHex": "a",}\n]}')
    with pytest.raises(ImportFormatError) as caught:
        records("commento", broken)
    assert str(caught.value).startswith("line 3, column 22: not valid JSON")


def test_broken_json_line_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "backup.jsonl"
    broken.write_text('{"version": 1}\n{"id": "a", "text": "x"\n')
    with pytest.raises(ImportFormatError, match=r"^line 2, column 24: not valid JSON"):
        records("remark42", broken)


def test_truncated_gzip_is_a_format_error(tmp_path: Path) -> None:
    damaged = tmp_path / "backup.gz"
    damaged.write_bytes(gzip.compress(b'{"version": 1}\n' * 1000)[:40])
    with pytest.raises(ImportFormatError, match="compressed file is damaged"):
        records("remark42", damaged)


def test_json_stream_reads_records_across_chunk_boundaries() -> None:
    values = [{"n": n, "text": "é" * (n % 50)} for n in range(30_000)]
    document = json.dumps({"head": 1, "items": values, "tail": [1, 2]})
    stream = JsonStream(io.StringIO(document))
    seen = []
    for key in stream.object():
        if key == "items":
            seen = [stream.value() for _ in stream.array()]
    stream.finish()
    assert seen == values


ISSO_SCHEMA = """
CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER DEFAULT 0);
"""


@pytest.mark.parametrize("size", [1, 7, 4096, 1 << 20])
@pytest.mark.parametrize("name", sorted(p.name for p in IMPORTS.glob("*.xml")))
def test_the_content_cap_passes_every_real_export_through_unchanged(name: str, size: int) -> None:
    raw = (IMPORTS / name).read_bytes()
    capped = ContentCap(io.BytesIO(raw), content_cap_bytes(100_000))
    assert b"".join(iter(lambda: capped.read(size), b"")) == raw


@pytest.mark.parametrize("size", [1, 3, 64, 1 << 16])
def test_the_content_cap_cuts_long_text_between_characters_and_keeps_lines(size: int) -> None:
    long_text = "é€😀 &amp; &#8220;x&#8221;\n" * 2000
    document = (
        "<disqus><post><message><![CDATA[" + long_text + "]]></message>"
        f"<note>{long_text.replace('😀', '&lt;b&gt;')}</note><short>kept</short></post></disqus>"
    ).encode()
    capped = ContentCap(io.BytesIO(document), 500)
    out = b"".join(iter(lambda: capped.read(size), b""))
    assert len(out) < 2000 + 2 * 2000  # the two long runs are cut to 500 bytes and their lines
    events = [element for event, element in iter_events(io.BytesIO(out)) if event == "end"]
    texts = {element.tag: element.text or "" for element in events}
    assert 400 < len(texts["message"].encode().rstrip(b"\n")) <= 500
    assert texts["message"].count("\n") == 2000
    assert texts["short"] == "kept"
