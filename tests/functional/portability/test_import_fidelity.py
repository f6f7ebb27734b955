"""Import fidelity on the shapes real exports have (issue 24): each test writes a small file that
reproduces one real-world shape (no real person's comment is copied here)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from service.models import Comment, ImportedComment, Site
from service.portability.records import ImportFormatError
from tests.functional.portability.conftest import ORIGIN, Importer

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
    # What migration 0010 leaves for rows written before it: no installation.
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
