"""HTML comment bodies (Disqus, WordPress, Remark42) to Markdown source.

Imported comments are stored like new ones: Markdown source, rendered once by
`service.kernel.rendering.render_markdown`, which escapes raw HTML and sanitises its output.
This module only has to keep what a reader would recognise (paragraphs, line breaks, links,
emphasis, code, quotes, lists); its output is never trusted, so a mistake here costs fidelity,
never safety.

Everything else becomes text: unknown tags keep their text, scripts, styles and embedded documents
lose it, images keep their alt text. Text is escaped, so a `*` or `<b>` typed in the old system
stays a literal character here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

from service.kernel.rendering import href_allowed

#: Elements whose content is not text a reader wrote (or not shown by a browser).
DROPPED = frozenset(
    {
        "script",
        "style",
        "template",
        "head",
        "title",
        "noscript",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "select",
        "textarea",
        "frameset",
        "noembed",
        "noframes",
        "xmp",
        "plaintext",
    }
)
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
#: Block elements shown as paragraphs (their text is kept; the tag is not).
BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "main",
        "nav",
        "figure",
        "figcaption",
        "address",
        "center",
        "details",
        "summary",
        "form",
        "fieldset",
        "legend",
        "table",
        "thead",
        "tbody",
        "tfoot",
        "tr",
        "caption",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "ul",
        "ol",
        "li",
        "pre",
        "hr",
        "body",
        "html",
    }
)
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
EMPHASIS = {"em": "*", "i": "*", "cite": "*", "dfn": "*", "strong": "**", "b": "**"}
STRIKE = frozenset({"del", "s", "strike"})
CODE = frozenset({"code", "kbd", "samp", "tt"})
#: Elements that end an open paragraph when they start (HTML's implied `</p>`).
_CLOSES_P = BLOCKS - {"body", "html"}
_CONTAINERS = frozenset({"div", "blockquote", "li", "td", "th", "dd", "section", "article"})

_INLINE_SPECIALS = re.compile(r"([\\`*_\[\]<>~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLOCK_START = re.compile(r"^([>#+\-=])")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")
_LANGUAGE = re.compile(r"(?:^|\s)(?:language|lang)-([A-Za-z0-9_+#.-]{1,32})(?:\s|$)")
_BACKTICKS = re.compile(r"`+")
#: A URL or address in plain text, as the renderer's linkify would find it (trailing punctuation
#: is trimmed below). Emitted as an autolink, never escaped: `\_` inside a URL breaks it.
_BARE_URL = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"]+"
    r"|\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*_~"
_OPENER = {")": "(", "]": "["}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str]


class _TreeBuilder(HTMLParser):
    """A forgiving element tree: unknown end tags are ignored, implied ends are applied."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#root", {}, [])
        self.stack: list[_Node] = [self.root]
        self.dropping = 0
        self.drop_tag = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.dropping:
            if tag == self.drop_tag:
                self.dropping += 1
            return
        if tag in DROPPED:
            if tag not in VOID:
                self.dropping, self.drop_tag = 1, tag
            return
        if tag in _CLOSES_P:
            self._close_open("p", stop_at=_CONTAINERS)
        if tag == "li":
            self._close_open("li", stop_at=frozenset({"ul", "ol"}))
        node = _Node(tag, {name: value or "" for name, value in attrs}, [])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID and not self.dropping and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.dropping:
            if tag == self.drop_tag:
                self.dropping -= 1
            return
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self.dropping:
            self.stack[-1].children.append(data)

    def parse_marked_section(self, i: int, report: int = 1) -> int:
        """`<![CDATA[…]]>` and the like are bogus comments in HTML: skipped up to the next `>`.

        (The standard library's version raises AssertionError on some of them.)
        """
        end = self.rawdata.find(">", i + 3)
        return -1 if end < 0 else end + 1

    def _close_open(self, tag: str, stop_at: frozenset[str]) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            current = self.stack[index].tag
            if current == tag:
                del self.stack[index:]
                return
            if current in stop_at:
                return


@dataclass(frozen=True)
class _Context:
    #: WordPress stores text whose newlines are line breaks (its `wpautop` adds the tags later).
    newlines: bool = False
    in_link: bool = False
    in_emphasis: frozenset[str] = frozenset()


def html_to_markdown(html: str, *, newlines_are_breaks: bool = False) -> str:
    """Markdown that renders like `html` (see the module docstring for what is kept)."""
    builder = _TreeBuilder()
    try:
        builder.feed(html.replace("\x00", ""))
        builder.close()
    except (AssertionError, ValueError, IndexError):
        # html.parser gave up on this input: keep all of it as plain text rather than guess.
        return "\n\n".join(_paragraphs(_text(html, _Context(newlines=newlines_are_breaks))))
    blocks = _blocks(builder.root.children, _Context(newlines=newlines_are_breaks))
    return "\n\n".join(blocks).strip()


def _is_block(child: _Node | str) -> bool:
    return isinstance(child, _Node) and child.tag in BLOCKS


def _blocks(children: list[_Node | str], ctx: _Context) -> list[str]:
    """Render a run of mixed inline and block content as Markdown blocks."""
    out: list[str] = []
    run: list[_Node | str] = []
    for child in children:
        if _is_block(child):
            out.extend(_paragraphs(_inline(run, ctx)))
            run = []
            assert isinstance(child, _Node)
            out.extend(_block(child, ctx))
        else:
            run.append(child)
    out.extend(_paragraphs(_inline(run, ctx)))
    return out


def _block(node: _Node, ctx: _Context) -> list[str]:
    if node.tag in HEADINGS:
        text = _inline(node.children, ctx)
        return _paragraphs(_wrap(text, "**")) if text.strip() else []
    if node.tag == "blockquote":
        inner = "\n\n".join(_blocks(node.children, ctx))
        if not inner:
            return []
        return ["\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))]
    if node.tag in {"ul", "ol"}:
        return _list(node, ctx)
    if node.tag == "pre":
        return _code_block(node)
    if node.tag == "hr":
        return ["---"]
    return _blocks(node.children, ctx)


def _list(node: _Node, ctx: _Context) -> list[str]:
    start = 1
    if node.tag == "ol":
        raw = node.attrs.get("start", "1").strip()
        start = int(raw) if raw.isdigit() and len(raw) <= 9 else 1
    items: list[list[_Node | str]] = []
    for child in node.children:
        if isinstance(child, _Node) and child.tag == "li":
            items.append(child.children)
        elif isinstance(child, _Node) or child.strip():
            # Content directly in a list (invalid, but exported) becomes an item of its own.
            items.append([child])
    lines: list[str] = []
    number = start
    for item in items:
        content = "\n".join(_blocks(item, ctx))
        if not content:
            continue
        marker = f"{number}. " if node.tag == "ol" else "- "
        number += 1
        indent = " " * len(marker)
        item_lines = content.split("\n")
        lines.append(marker + item_lines[0])
        lines.extend(indent + line if line else "" for line in item_lines[1:])
    return ["\n".join(lines)] if lines else []


def _code_block(node: _Node) -> list[str]:
    text = _raw_text(node.children)
    if text.startswith("\n"):
        text = text[1:]
    text = text.rstrip("\n")
    if not text.strip():
        return []
    language = ""
    code = next((c for c in node.children if isinstance(c, _Node) and c.tag == "code"), None)
    for attrs in (node.attrs, code.attrs if code else {}):
        match = _LANGUAGE.search(attrs.get("class", ""))
        if match:
            language = match.group(1)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{language}\n{text}\n{fence}"]


def _raw_text(children: list[_Node | str]) -> str:
    parts: list[str] = []
    for child in children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        else:
            parts.append(_raw_text(child.children))
    return "".join(parts)


def _inline(children: list[_Node | str], ctx: _Context) -> str:
    return "".join(_inline_one(child, ctx) for child in children)


def _inline_one(child: _Node | str, ctx: _Context) -> str:
    if isinstance(child, str):
        return _text(child, ctx)
    tag = child.tag
    if tag == "br":
        return " " if ctx.in_link else "\n"
    if tag == "img":
        alt = child.attrs.get("alt", "").strip()
        return _text(alt, ctx) if alt else ""
    if tag == "a":
        return _link(child, ctx)
    if tag in EMPHASIS:
        delimiter = EMPHASIS[tag]
        content = _inline(child.children, _replace(ctx, in_emphasis=ctx.in_emphasis | {delimiter}))
        return content if delimiter in ctx.in_emphasis else _wrap(content, delimiter)
    if tag in STRIKE:
        content = _inline(child.children, _replace(ctx, in_emphasis=ctx.in_emphasis | {"~~"}))
        return content if "~~" in ctx.in_emphasis else _wrap(content, "~~")
    if tag in CODE:
        return _code_span(_raw_text(child.children))
    if tag in BLOCKS:
        # A block inside inline content (`<a><div>…</div></a>`): keep its text, on its own line.
        separator = " " if ctx.in_link else "\n"
        return separator + _inline(child.children, ctx) + separator
    if tag in {"td", "th"}:
        return _inline(child.children, ctx) + " "
    return _inline(child.children, ctx)


def _replace(ctx: _Context, **changes: object) -> _Context:
    values = {"newlines": ctx.newlines, "in_link": ctx.in_link, "in_emphasis": ctx.in_emphasis}
    values.update(changes)
    return _Context(**values)  # type: ignore[arg-type]


def _escape(text: str) -> str:
    return _ENTITY_LIKE.sub(r"\\&", _INLINE_SPECIALS.sub(r"\\\1", text))


def _url_end(candidate: str) -> str:
    """Drop trailing punctuation, and a `)` or `]` that closes nothing, as linkify does."""
    while candidate:
        last = candidate[-1]
        unmatched = last in ")]" and candidate.count(_OPENER[last]) < candidate.count(last)
        if last not in _TRAILING and not unmatched:
            break
        candidate = candidate[:-1]
    return candidate


def autolink(url: str) -> str:
    """A URL found in text as Markdown that links exactly it (nothing inside is escaped)."""
    if "@" in url and "://" not in url and not url.lower().startswith("www."):
        return f"<{url}>" if href_allowed(f"mailto:{url}") else _escape(url)
    if url.lower().startswith("www."):
        return f"[{_escape(url)}]({_destination('http://' + url)})"
    return f"<{url}>" if href_allowed(url) else _escape(url)


def _escape_with_urls(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _BARE_URL.finditer(text):
        if match.start() < pos:
            continue
        url = _url_end(match.group(0))
        if not url or (url.lower().startswith("www.") and "." not in url[4:]):
            continue
        out.append(_escape(text[pos : match.start()]))
        out.append(autolink(url))
        pos = match.start() + len(url)
    out.append(_escape(text[pos:]))
    return "".join(out)


def _destination(href: str) -> str:
    """A link destination that keeps every character of `href`: `<…>` with `<`, `>` and `\\`
    escaped (the only characters a pointy destination cannot hold as they are)."""
    href = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"%{ord(m.group(0)):02X}", href)
    return "<" + re.sub(r"([<>\\])", r"\\\1", href) + ">"


def _text(text: str, ctx: _Context) -> str:
    escaped = _escape(text) if ctx.in_link else _escape_with_urls(text)
    if ctx.newlines and not ctx.in_link:
        escaped = _BLANK_LINE.sub("\n\n", escaped.replace("\r\n", "\n").replace("\r", "\n"))
        return _SPACES.sub(" ", escaped)
    return re.sub(r"\s+", " ", escaped)


def _wrap(content: str, delimiter: str) -> str:
    """Emphasis around the text only: `* a*` would not be emphasis, ` *a* ` is."""
    core = content.strip()
    if not core:
        return content
    lead = content[: len(content) - len(content.lstrip())]
    trail = content[len(content.rstrip()) :]
    if "\n\n" in core:
        # Emphasis cannot span paragraphs: emphasise each one.
        core = "\n\n".join(_wrap(part, delimiter) for part in core.split("\n\n"))
        return lead + core + trail
    return f"{lead}{delimiter}{core}{delimiter}{trail}"


def _code_span(text: str) -> str:
    text = re.sub(r"\s+", " ", text)
    if not text.strip():
        return text
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * (longest + 1)
    if text.startswith(("`", " ")) or text.endswith(("`", " ")):
        text = f" {text} "
    return f"{fence}{text}{fence}"


def _link(node: _Node, ctx: _Context) -> str:
    href = node.attrs.get("href", "").strip()
    if ctx.in_link:
        return _inline(node.children, ctx)
    text = _inline(node.children, _replace(ctx, in_link=True)).strip()
    if not href or not href_allowed(href):
        return text
    label = text or _text(href, _replace(ctx, in_link=True))
    return f"[{label}]({_destination(href)})"


def _paragraphs(inline: str) -> list[str]:
    """Split inline Markdown into paragraphs; escape what would start a block at a line start."""
    out: list[str] = []
    for paragraph in re.split(r"\n[ \t]*\n", inline):
        lines = [_escape_line_start(line.strip()) for line in paragraph.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            out.append(text)
    return out


def _escape_line_start(line: str) -> str:
    if _BLOCK_START.match(line):
        # `-` and `+` start a list only before a space, `=`/`-` lines only matter alone; escaping
        # them always is harmless and simpler to get right.
        return "\\" + line
    ordered = _ORDERED_START.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    return line
