"""Import fidelity on the shapes real exports have (issue 24): each test writes a small file that
reproduces one real-world shape (no real person's comment is copied here)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.models import Comment, Site
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
