"""Import fidelity on the shapes real exports have (issue 24): each test writes a small file that
reproduces one real-world shape (no real person's comment is copied here)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.models import Comment, ImportedComment, Site, Thread
from service.portability.records import ImportFormatError
from tests.functional.portability.conftest import ORIGIN, Importer
from tests.functional.portability.exports import disqus_post, disqus_thread, write_file

# -- WordPress ----------------------------------------------------------------------------------

WP_NAMESPACES = (
    'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"\n'
    '  xmlns:content="http://purl.org/rss/1.0/modules/content/"\n'
    '  xmlns:wfw="http://wellformedweb.org/CommentAPI/"\n'
    '  xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '  xmlns:wp="http://wordpress.org/export/1.2/"'
)


def wp_comment(
    comment_id: int,
    content: str,
    *,
    parent: int = 0,
    date: str = "2015-03-01 10:00:00",
    author: str = "Reader",
    approved: str = "1",
) -> str:
    return (
        "<wp:comment>"
        f"<wp:comment_id>{comment_id}</wp:comment_id>"
        f"<wp:comment_author><![CDATA[{author}]]></wp:comment_author>"
        "<wp:comment_author_email>reader@example.org</wp:comment_author_email>"
        f"<wp:comment_date_gmt>{date}</wp:comment_date_gmt>"
        f"<wp:comment_content><![CDATA[{content}]]></wp:comment_content>"
        f"<wp:comment_approved>{approved}</wp:comment_approved>"
        "<wp:comment_type>comment</wp:comment_type>"
        f"<wp:comment_parent>{parent}</wp:comment_parent>"
        "</wp:comment>\n"
    )


def wordpress_file(
    path: Path,
    items: list[tuple[str, list[str]]],
    *,
    blog_url: str = "https://one.example",
    head_extra: str = "",
    wordpress_com: bool = False,
) -> Path:
    """A WXR 1.2 export; `wordpress_com` adds the undeclared `<atom:link>` wordpress.com writes."""
    atom = (
        f'<atom:link rel="search" type="application/opensearchdescription+xml" '
        f'href="{blog_url}/osd.xml" title="Blog" />\n'
        f'<atom:link rel="hub" href="{blog_url}/?pushpress=hub" />\n'
        if wordpress_com
        else ""
    )
    body = "".join(
        f"<item><title>Post {index}</title><link>{link}</link>"
        f"<wp:post_id>{index}</wp:post_id><wp:status>publish</wp:status>\n"
        + "".join(comments)
        + "</item>\n"
        for index, (link, comments) in enumerate(items, start=1)
    )
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8" ?>\n'
        f"{head_extra}"
        f'<rss version="2.0"\n  {WP_NAMESPACES}\n>\n<channel>\n<title>Blog</title>\n'
        f"<link>{blog_url}</link>\n{atom}"
        "<wp:wxr_version>1.2</wp:wxr_version>\n"
        "<wp:base_site_url>http://wordpress.com/</wp:base_site_url>\n"
        f"<wp:base_blog_url>{blog_url}</wp:base_blog_url>\n"
        f"{body}</channel>\n</rss>\n",
        encoding="utf-8",
    )
    return path


def test_wordpress_com_export_with_undeclared_atom_prefix_is_repaired_and_imported(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    export = wordpress_file(
        tmp_path / "wpcom.xml",
        [(f"{ORIGIN}/hello/", [wp_comment(1, "First"), wp_comment(2, "Reply", parent=1)])],
        wordpress_com=True,
    )
    summary = run_import_file("wordpress", export, blog)
    assert summary.imported == 2
    assert summary.repairs[0].endswith("malformed XML: unbound prefix")
    assert summary.repairs[1:] == [
        "declared the undeclared namespace prefix 'atom' (http://www.w3.org/2005/Atom)"
    ]
    assert any("Repaired malformed XML" in line and "'atom'" in line for line in summary.lines())
    bodies = session.scalars(select(Comment.body_source).where(Comment.site_id == blog.id))
    assert sorted(bodies) == ["First", "Reply"]


def test_wordpress_com_export_with_a_dtd_is_still_refused(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    export = wordpress_file(
        tmp_path / "wpcom.xml",
        [(f"{ORIGIN}/hello/", [wp_comment(1, "&xxe;")])],
        wordpress_com=True,
        head_extra='<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n',
    )
    with pytest.raises(ImportFormatError, match="DTD"):
        run_import_file("wordpress", export, blog)


# -- two installations of one system -------------------------------------------------------------


def two_blogs(tmp_path: Path) -> tuple[Path, Path]:
    """Two WordPress blogs whose comment ids both start at 1, moved onto one site."""
    first = wordpress_file(
        tmp_path / "one.xml",
        [(f"{ORIGIN}/a/", [wp_comment(1, "One on a"), wp_comment(2, "Two on a", parent=1)])],
        blog_url="https://one.example/",
    )
    second = wordpress_file(
        tmp_path / "two.xml",
        [(f"{ORIGIN}/b/", [wp_comment(1, "One on b", date="2016-01-01 00:00:00"),
                           wp_comment(2, "Two on b", date="2016-01-02 00:00:00", parent=1)])],
        blog_url="https://two.example",
    )  # fmt: skip
    return first, second


def bodies(session: Session, site: Site) -> list[str]:
    return sorted(session.scalars(select(Comment.body_source).where(Comment.site_id == site.id)))


def test_two_installations_with_the_same_ids_are_both_imported(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    first, second = two_blogs(tmp_path)
    one = run_import_file("wordpress", first, blog)
    two = run_import_file("wordpress", second, blog)
    assert (one.imported, two.imported, two.already_imported) == (2, 2, 0)
    assert (one.installation, two.installation) == ("https://one.example", "https://two.example")
    assert "Source installation: https://two.example" in two.lines()
    assert bodies(session, blog) == ["One on a", "One on b", "Two on a", "Two on b"]
    again = run_import_file("wordpress", second, blog)
    assert (again.imported, again.already_imported) == (0, 2)


def test_imports_recorded_before_installations_are_still_recognised(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    first, second = two_blogs(tmp_path)
    run_import_file("wordpress", first, blog)
    # What migration 0008 leaves for rows written before it: no installation.
    session.execute(update(ImportedComment).values(installation=""))
    session.commit()
    again = run_import_file("wordpress", first, blog)
    assert (again.imported, again.already_imported) == (0, 2)
    installations = session.scalars(select(ImportedComment.installation)).all()
    assert installations == ["https://one.example"] * 2
    other = run_import_file("wordpress", second, blog)
    assert (other.imported, other.already_imported) == (2, 0)


def test_a_legacy_row_is_claimed_only_by_the_comment_it_was_written_for(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    first, second = two_blogs(tmp_path)
    run_import_file("wordpress", first, blog)
    session.execute(update(ImportedComment).values(installation=""))
    session.commit()
    # The second blog comes first after the migration: same ids, other comments.
    other = run_import_file("wordpress", second, blog)
    assert (other.imported, other.already_imported) == (2, 0)
    again = run_import_file("wordpress", first, blog)
    assert (again.imported, again.already_imported) == (0, 2)


def isso_database(path: Path, texts: list[tuple[int, str, float]]) -> Path:
    """An Isso comments.db: one page, comments (id, text, created) numbered as Isso does."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR);"
        "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY,"
        " parent INTEGER, created FLOAT NOT NULL, modified FLOAT, mode INTEGER,"
        " remote_addr VARCHAR, text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,"
        " likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB, notification INTEGER);"
        "INSERT INTO threads VALUES (1, '/post/', 'A post');"
    )
    for comment_id, text, created in texts:
        db.execute(
            "INSERT INTO comments (tid, id, parent, created, mode, text, author)"
            " VALUES (1, ?, NULL, ?, 1, ?, 'Reader')",
            (comment_id, created, text),
        )
    db.commit()
    db.close()
    return path


def test_a_second_unnamed_isso_database_is_not_lost_silently(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    first = isso_database(tmp_path / "one.db", [(1, "From one", 1.5e9)])
    second = isso_database(tmp_path / "two.db", [(1, "From two", 1.6e9)])
    assert run_import_file("isso", first, blog).imported == 1
    unnamed = run_import_file("isso", second, blog)
    assert unnamed.imported == 0
    assert list(unnamed.skipped) == [
        "its id was already imported from another isso installation "
        "(name this one with --source NAME)"
    ]
    named = run_import_file("isso", second, blog, source_name="old-isso")
    assert (named.imported, named.installation) == (1, "old-isso")
    assert bodies(session, blog) == ["From one", "From two"]


# -- Commento, Commento++ and Comentario ------------------------------------------------------

ANON_V1 = "0" * 64


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_comentario_2_export_with_host_path_and_website_url_is_imported(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    export = write_json(tmp_path / "comentario-v1.json", {
        "version": 1,
        "comments": [
            {"commentHex": "a1" * 32, "commenterHex": "c1" * 32, "host": "blog.example",
             "path": "/post/", "markdown": "Hello *there*", "parentHex": "root", "score": 2,
             "state": "approved", "creationDate": "2023-05-01T10:00:00Z", "deleted": False},
            {"commentHex": "a2" * 32, "commenterHex": ANON_V1, "host": "blog.example",
             "path": "/post/", "markdown": "A guest reply", "parentHex": "a1" * 32,
             "state": "unapproved", "creationDate": "2023-05-02T10:00:00Z"},
        ],
        "commenters": [
            {"commenterHex": "c1" * 32, "email": "ann@example.org", "name": "Ann",
             "websiteUrl": "https://ann.example", "avatarUrl": "", "isModerator": False,
             "joinDate": "2023-01-01T00:00:00Z", "provider": "commento"},
        ],
    })  # fmt: skip
    summary = run_import_file("commento", export, blog)
    assert dict(summary.comments) == {"approved": 1, "pending": 1}
    assert summary.installation == "blog.example"
    comments = session.scalars(select(Comment).order_by(Comment.created_at)).all()
    assert [(c.author_name, c.author_website) for c in comments] == [
        ("Ann", "https://ann.example"),
        ("", ""),
    ]
    assert comments[1].parent_id == comments[0].id


def test_comentario_3_export_with_pages_and_uuids_is_imported(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    page, user = "5b1c4f8e-0000-4000-8000-000000000001", "5b1c4f8e-0000-4000-8000-00000000000a"
    export = write_json(tmp_path / "comentario-v3.json", {
        "version": 3,
        "pages": [{"id": page, "domainId": "d0", "path": "/essay/", "title": "An essay",
                   "isReadonly": True, "createdTime": "2024-01-01T00:00:00Z"}],
        "comments": [
            {"id": "c-1", "pageId": page, "markdown": "Approved one", "isApproved": True,
             "isPending": False, "isDeleted": False, "createdTime": "2024-02-01T00:00:00Z",
             "userCreated": user, "score": 1},
            {"id": "c-2", "parentId": "c-1", "pageId": page, "markdown": "Waiting",
             "isApproved": False, "isPending": True, "isDeleted": False,
             "createdTime": "2024-02-02T00:00:00Z",
             "userCreated": "00000000-0000-0000-0000-000000000000", "authorName": "Guest"},
            {"id": "c-3", "pageId": page, "markdown": "", "isApproved": False,
             "isPending": False, "isDeleted": True, "createdTime": "2024-02-03T00:00:00Z"},
            {"id": "c-4", "pageId": page, "markdown": "Turned down", "isApproved": False,
             "isPending": False, "isDeleted": False, "createdTime": "2024-02-04T00:00:00Z"},
        ],
        "commenters": [{"id": user, "email": "bo@example.org", "name": "Bo",
                        "websiteUrl": "https://bo.example", "isModerator": False}],
    })  # fmt: skip
    summary = run_import_file("commento", export, blog)
    assert dict(summary.comments) == {"approved": 1, "pending": 1, "deleted": 1, "rejected": 1}
    comments = session.scalars(select(Comment).order_by(Comment.created_at)).all()
    assert [c.author_name for c in comments[:2]] == ["Bo", "Guest"]
    assert comments[1].parent_id == comments[0].id
    thread = session.get_one(Thread, comments[0].thread_id)
    assert (thread.key, thread.title, thread.locked) == ("/essay/", "An essay", True)


def test_commento_plus_plus_export_is_read_as_commento_version_1(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    export = write_json(tmp_path / "commentoplusplus.json", {
        "version": 1,
        "comments": [{"commentHex": "e" * 64, "domain": "blog.example", "url": "/p/",
                      "commenterHex": "anonymous", "markdown": "Plus plus", "html": "",
                      "parentHex": "root", "score": 0, "state": "approved",
                      "creationDate": "2021-03-03T03:03:03.123456789Z", "direction": 0,
                      "deleted": False}],
        "commenters": [],
    })  # fmt: skip
    assert run_import_file("commento", export, blog).comments["approved"] == 1


def test_an_unknown_comentario_version_names_the_supported_ones(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    export = write_json(tmp_path / "v2.json", {"version": 2, "comments": []})
    with pytest.raises(ImportFormatError) as error:
        run_import_file("commento", export, blog)
    assert "unsupported Commento/Comentario export version 2" in str(error.value)
    assert "3 (Comentario 3.x)" in str(error.value)


# -- typed records ------------------------------------------------------------------------------


def test_isso_json_records_of_the_wrong_type_are_skipped_with_reason_and_position(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    export = write_json(tmp_path / "isso.json", [{
        "id": "/post/", "title": "Post",
        "comments": [
            {"id": 1, "author": "Ann", "created": "2019-01-01 10:00:00", "text": "Fine"},
            {"id": 2, "author": {"n": 1}, "created": "2019-01-01 11:00:00", "text": "x"},
            {"id": 3, "author": "Bo", "created": "2019-01-01 12:00:00", "text": ["x"]},
            {"id": 4, "author": "Cy", "created": "2019-01-01 13:00:00", "text": "y", "mode": "1"},
        ],
    }])  # fmt: skip
    summary = run_import_file("isso", export, blog)
    assert summary.imported == 1
    text = export.read_text()

    def where(number: int) -> str:
        column = text.index('{"id": %d,' % number) + 1  # noqa: UP031
        return f"page 1, comment {number} (line 1, column {column})"

    assert {reason: tally.examples for reason, tally in summary.skipped.items()} == {
        "wrong value: author: Input should be a valid string": [where(2)],
        "wrong value: text: Input should be a valid string": [where(3)],
        "wrong value: mode: Input should be 1, 2 or 4": [where(4)],
    }
    names = session.scalars(select(Comment.author_name)).all()
    assert names == ["Ann"]


def test_a_file_with_only_bad_records_fails_with_the_reason(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    export = write_json(tmp_path / "isso.json", [{
        "id": "/post/",
        "comments": [{"id": n, "author": ["x"], "created": "2019-01-01 10:00:00", "text": "t"}
                     for n in range(3)],
    }])  # fmt: skip
    summary = run_import_file("isso", export, blog)
    assert summary.failure() == (
        "nothing was imported: all 3 comments in the file were skipped "
        "(most: wrong value: author: Input should be a valid string, 3)"
    )


def test_remark42_and_sidenote_records_are_typed_too(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    backup = tmp_path / "remark42.jsonl"
    good = {"id": "r1", "pid": "", "text": "<p>ok</p>", "user": {"name": "Ann", "id": "u"},
            "locator": {"site": "remark", "url": f"{ORIGIN}/p/"},
            "time": "2020-01-01T00:00:00Z"}  # fmt: skip
    bad = good | {"id": "r2", "user": {"name": ["Bo"]}}
    backup.write_text(
        json.dumps({"version": 1, "users": [], "posts": []}) + "\n"
        + json.dumps(good) + "\n" + json.dumps(bad) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    summary = run_import_file("remark42", backup, blog)
    assert summary.imported == 1
    assert {r: t.examples for r, t in summary.skipped.items()} == {
        "wrong value: user.name: Input should be a valid string": ["line 3"]
    }


# -- HTML in Isso -------------------------------------------------------------------------------


def test_isso_comments_holding_html_are_converted_not_shown_as_tags(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    database = isso_database(tmp_path / "comments.db", [
        (1, '<p>Imported from Disqus with <a href="https://x.example/a_b">a link</a>.</p>', 1.5e9),
        (2, "From WordPress<br />\nwith a <em>break</em>", 1.5e9 + 1),
        (3, "Plain *Markdown* with a < b", 1.5e9 + 2),
    ])  # fmt: skip
    assert run_import_file("isso", database, blog, remap=(("/", f"{ORIGIN}/"),)).imported == 3
    html = session.scalars(select(Comment.body_html).order_by(Comment.created_at)).all()
    assert html == [
        '<p>Imported from Disqus with <a href="https://x.example/a_b" '
        'rel="nofollow ugc noopener noreferrer">a link</a>.</p>',
        "<p>From WordPress<br>\nwith a <em>break</em></p>",
        "<p>Plain <em>Markdown</em> with a &lt; b</p>",
    ]


# -- wrong format, Disqus titles and hints ------------------------------------------------------


def test_a_file_given_with_the_wrong_format_says_which_format_it_looks_like(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    native = tmp_path / "site.jsonl"
    native.write_text(
        json.dumps({"type": "meta", "format": "sidenote-export", "version": 1}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportFormatError) as error:
        run_import_file("remark42", native, blog)
    assert str(error.value) == (
        "this looks like a Sidenote export, not Remark42: "
        "import it with `sidenote import sidenote site.jsonl ...`"
    )


def test_disqus_titles_are_decoded_and_disqus_com_pages_get_no_remap_hint(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    export = write_file(tmp_path / "disqus.xml", [
        disqus_thread("t1", f"{ORIGIN}/q/", title="&#8220;Quoted&#8221; &amp; more"),
        disqus_thread("t2", "https://disqus.com/home/discussion/channel-talk/a_thread/"),
        disqus_post("p1", "t1", "<p>Hi</p>"),
        disqus_post("p2", "t2", "<p>On a channel</p>"),
    ])  # fmt: skip
    summary = run_import_file("disqus", export, blog)
    title = session.scalar(select(Thread.title).where(Thread.site_id == blog.id))
    assert title == "\u201cQuoted\u201d & more"
    assert list(summary.skipped) == [
        "its page is a discussion on disqus.com itself, not a page of your site"
    ]


# -- invalid UTF-8 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "name", "lines"),
    [
        ("remark42", "backup.jsonl", [
            b'{"version":1,"users":[],"posts":[]}',
            b'{"id":"a","text":"caf\xc3\xa9","locator":{"url":"/p"},"time":"2020-01-01T00:00:00Z"}',
            b'{"id":"b","text":"bad \xff","locator":{"url":"/p"},"time":"2020-01-01T00:00:00Z"}',
        ]),
        ("sidenote", "site.jsonl", [
            b'{"type":"meta","format":"sidenote-export","version":1}',
            b'{"type":"thread","id":1,"key":"/p","url":"https://blog.example/p"}',
            b'{"type":"comment","id":1,"thread_id":1,"status":"approved","body_source":"\xe9t\xe9"}',
        ]),
    ],
)  # fmt: skip
def test_invalid_utf8_is_one_line_with_its_position_and_nothing_is_written(
    tmp_path: Path,
    run_import_file: Importer,
    blog: Site,
    session: Session,
    source: str,
    name: str,
    lines: list[bytes],
) -> None:
    export = tmp_path / name
    data = b"\n".join(lines) + b"\n"
    export.write_bytes(data)
    offset = data.index(b"\xff") if b"\xff" in data else data.index(b"\xe9t")
    with pytest.raises(ImportFormatError) as error:
        run_import_file(source, export, blog)
    assert str(error.value) == (
        f"line 3, byte {offset}: the file is not valid UTF-8 (byte 0x{data[offset]:02x}); "
        "save it as UTF-8 and import it again"
    )
    assert session.scalars(select(Comment).where(Comment.site_id == blog.id)).all() == []


def test_invalid_utf8_in_a_sidenote_json_document_is_reported_the_same_way(
    tmp_path: Path, run_import_file: Importer, blog: Site
) -> None:
    export = tmp_path / "site.json"
    data = b'{"format":"sidenote-export","version":1,"threads":[{"title":"\xc3"}]}'
    export.write_bytes(data)
    offset = data.index(b"\xc3")
    with pytest.raises(ImportFormatError, match=rf"^line 1, byte {offset}: the file is not valid"):
        run_import_file("sidenote", export, blog)


# -- oversized comments ---------------------------------------------------------------------------


def test_comments_longer_than_the_limit_are_skipped_with_their_ids(
    tmp_path: Path, run_import_file: Importer, blog: Site, session: Session
) -> None:
    export = write_file(tmp_path / "disqus.xml", [
        disqus_thread("t1", f"{ORIGIN}/p/"),
        disqus_post("1001", "t1", "<p>short</p>"),
        disqus_post("1002", "t1", "<p>" + "x" * 200 + "</p>"),
        disqus_post("1003", "t1", "<p>" + "y" * 300 + "</p>"),
    ])  # fmt: skip
    summary = run_import_file("disqus", export, blog, max_body_chars=100)
    assert summary.imported == 1
    reason = "body longer than 100 characters (SIDENOTE_IMPORT_MAX_BODY_CHARS)"
    assert summary.skipped[reason].count == 2
    assert summary.as_dict()["oversized"] == ["record 3 (post 1002)", "record 4 (post 1003)"]
    assert session.scalars(select(Comment.body_source)).all() == ["short"]


def test_the_body_limit_defaults_to_a_hundred_thousand_characters() -> None:
    from service.kernel.config import Settings
    from service.portability.import_run import ImportOptions

    assert Settings.model_fields["import_max_body_chars"].default == 100_000
    assert ImportOptions(site="blog").max_body_chars == 100_000
