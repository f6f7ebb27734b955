"""The one page-URL normaliser reads URLs as browsers do (WHATWG) and refuses all but
`scheme://host[:port]/path[?query]` (issue 19, point 2)."""

from __future__ import annotations

import pytest

from service.kernel.urls import BadUrl, normalize_page_url, page_origin


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://blog.example/a", "https://blog.example/a"),
        ("HTTPS://Blog.Example:443/a", "https://blog.example/a"),
        ("http://blog.example:80", "http://blog.example/"),
        ("http://blog.example:8080/a", "http://blog.example:8080/a"),
        ("http://blog.example:/a", "http://blog.example/a"),
        ("  https://blog.example/a\t\n ", "https://blog.example/a"),
        ("https://blog.exa\nmple/a\r", "https://blog.example/a"),
        ("https:\\\\blog.example\\a\\b", "https://blog.example/a/b"),
        ("https://blog.example/a#comment-3", "https://blog.example/a"),
        ("https://blog.example/a?p=42&x=%7e#top", "https://blog.example/a?p=42&x=~"),
        ("https://blog.example/a?", "https://blog.example/a"),
        ('https://blog.example/a b/"q"/<x>', "https://blog.example/a%20b/%22q%22/%3Cx%3E"),
        ("https://blog.example/caf%c3%a9/%7Euser", "https://blog.example/caf%C3%A9/~user"),
        ("https://blog.example/café", "https://blog.example/caf%C3%A9"),
        ("https://blog.example/a/./b/../c/%2e%2E/d", "https://blog.example/a/d"),
        ("https://blog.example/a/..", "https://blog.example/"),
        ("https://Bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://xn--bcher-kva.example/x", "https://xn--bcher-kva.example/x"),
        ("https://bl%6Fg.example/x", "https://blog.example/x"),
        ("http://127.0.0.1:8000/", "http://127.0.0.1:8000/"),
        ("http://[::FFFF:1]/", "http://[::ffff:1]/"),
        # Python's urlsplit reads blog.example; browsers (and we) read evil.example:
        ("http://evil.example\\@blog.example/a", "http://evil.example/@blog.example/a"),
    ],
)
def test_page_urls_are_stored_as_browsers_read_them(given: str, stored: str) -> None:
    assert normalize_page_url(given) == stored
    assert normalize_page_url(stored) == stored


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("https://user:pw@blog.example/a", "user name or password"),
        ("https://@blog.example/a", "user name or password"),
        ("javascript:alert(1)//blog.example/", "http or https"),
        ("ftp://blog.example/a", "http or https"),
        ("/a", "http or https"),
        ("https:blog.example/a", "scheme://host/path"),
        ("https:/blog.example/a", "scheme://host/path"),
        ("https:///blog.example/a", "scheme://host/path"),
        ("https://blog.example\x00.evil/a", "control characters"),
        ("https://blog.example/\x7f", "control characters"),
        ("https://blog.example/\x85", "control characters"),
        ("https:///", "scheme://host/path"),
        ("https://blog .example/", "invalid host"),
        ("https://blog.example%2fevil/", "invalid host"),
        ("https://blog.example:99999/", "invalid port"),
        ("https://blog.example:8O/", "invalid port"),
        ("http://0x7f.1/", "canonical IPv4"),
        ("http://127.1/", "canonical IPv4"),
        ("http://[::1/", "invalid IPv6"),
        ("https://blog.example/" + "a" * 2000, "longer than"),
        ("https://blog.example/\ud800", "not valid text"),
    ],
)
def test_page_urls_that_are_not_exactly_scheme_host_path_are_refused(
    given: str, reason: str
) -> None:
    with pytest.raises(BadUrl, match=reason):
        normalize_page_url(given)


def test_the_origin_of_a_normalised_url() -> None:
    assert page_origin("https://blog.example:8443/a/b?c") == "https://blog.example:8443"
    assert page_origin("https://blog.example/") == "https://blog.example"
