"""An independent check that HTML stays inside Sidenote's allowlist (used on stored HTML)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from service.kernel.rendering import ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS, LINK_REL


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.shape: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.shape.append(f"<{tag} {sorted(attrs)}>")
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href":
                scheme = urlsplit((value or "").strip()).scheme.lower()
                if scheme not in ALLOWED_SCHEMES:
                    self.problems.append(f"href scheme {scheme!r}")
            elif name == "rel" and value != LINK_REL:
                self.problems.append(f"rel {value!r}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.shape.append(f"</{tag}>")
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")


def allowlist_violations(html: str) -> list[str]:
    """What in `html` lies outside the allowlist (empty when it is safe to store and serve)."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.problems


def markup_shape(html: str) -> list[str]:
    """The elements and attributes of `html`, in order, without its text."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    return collector.shape
