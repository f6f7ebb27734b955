"""Safe, streaming XML for imports: defusedxml's iterparse with DTDs refused.

A DOCTYPE is refused outright, which refuses every entity trick with it (billion laughs, external
entities that read local files or URLs). Nothing else changes: expat parses, elements are freed
as soon as the parser module has read them, so memory does not grow with the file.

Real exports are sometimes sloppy (remark42's Disqus fixtures start with a stray character before
`<?xml` and have an unquoted attribute value; WordPress.com writes `<atom:link>` without declaring
the `atom` prefix). Such a file fails the strict parse with a clear location; the importer then
reads it once more through `RepairingReader`, which fixes exactly those faults and counts what it
fixed, so the summary can say so. The repaired bytes go through the same defused parser: DTDs and
entities are refused exactly as before.
"""

from __future__ import annotations

import re
import xml.parsers.expat
from collections.abc import Iterator
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml.ElementTree import iterparse

from service.portability.records import ImportFormatError

CHUNK = 64 * 1024
#: Prefixes exporters use without declaring them, and the namespace each one always stands for.
WELL_KNOWN_PREFIXES = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "wp": "http://wordpress.org/export/1.2/",
}
#: The root element's start tag is held whole to add declarations to it; longer is not a root.
_MAX_ROOT_TAG = 64 * 1024
_DECLARED = re.compile(rb"\sxmlns:([A-Za-z_][\w.-]*)\s*=")
_PREFIXED_NAME = re.compile(rb"</?([A-Za-z_][\w.-]*):")
_TAG_END_OR_QUOTE = re.compile(rb"[\"'>]")


class ByteSource(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def local_name(tag: str) -> str:
    """`{http://wordpress.org/export/1.2/}comment` -> `comment`."""
    return tag.rsplit("}", 1)[-1]


def child_text(element: Element, name: str) -> str:
    """Stripped text of the first child called `name` (any namespace), or ""."""
    for child in element:
        if local_name(child.tag) == name:
            return (child.text or "").strip()
    return ""


def child(element: Element, name: str) -> Element | None:
    for candidate in element:
        if local_name(candidate.tag) == name:
            return candidate
    return None


def attribute(element: Element, name: str) -> str:
    """An attribute by local name (`dsq:id` -> `id`), whatever its namespace."""
    for key, value in element.attrib.items():
        if local_name(key) == name:
            return value.strip()
    return ""


def iter_events(source: ByteSource) -> Iterator[tuple[str, Element]]:
    """(`start`|`end`, element) events; malformed or dangerous input is an ImportFormatError."""
    try:
        yield from iterparse(source, events=("start", "end"), forbid_dtd=True)
    except DTDForbidden:
        raise ImportFormatError(
            "DOCTYPE",
            "the file declares a DTD; imports refuse DTDs and entities "
            "(entity expansion and external references are never read)",
        ) from None
    except DefusedXmlException as error:
        raise ImportFormatError("XML", f"refused: {type(error).__name__}") from None
    except ParseError as error:
        line, column = error.position
        line_offset = getattr(source, "line_offset", 0)
        reason = xml.parsers.expat.ErrorString(error.code) if error.code else str(error)
        raise ImportFormatError(
            f"line {line + line_offset}, column {column + 1}", f"malformed XML: {reason}"
        ) from None


class _StreamFilter:
    """A byte stream read from `raw` in chunks and rewritten by `_process`, which moves what it
    can decide from `_pending` to `_out` (keeping an undecided tail in `_pending`)."""

    raw: ByteSource
    _pending: bytes
    _out: bytearray
    _eof: bool

    def _process(self) -> None:
        raise NotImplementedError

    def read(self, size: int = -1) -> bytes:
        want = CHUNK if size is None or size < 0 else max(size, 1)
        while len(self._out) < want and not (self._eof and not self._pending):
            if not self._eof:
                chunk = self.raw.read(CHUNK)
                if chunk:
                    self._pending += chunk
                else:
                    self._eof = True
            self._process()
        data = bytes(self._out[:want])
        del self._out[:want]
        return data


class RepairingReader(_StreamFilter):
    """A byte stream that fixes three kinds of sloppiness, outside text, CDATA and comments.

    - bytes before the first `<` (a stray backtick before `<?xml`) are dropped;
    - an unquoted attribute value (`<thread dsq:id=123/>`) is quoted;
    - with `declare_prefixes` (the strict parse met an unbound prefix), each well-known prefix
      (`WELL_KNOWN_PREFIXES`) the root element does not declare is declared on it, so
      `<atom:link>` in a WordPress.com export parses; `prefix_repairs` names those then used.

    `repairs` lists what was fixed. Everything else passes through unchanged, so errors the
    repair does not cover are still reported by the parser, at the same line.
    """

    _TAG_TOKEN = re.compile(rb"[\"'=>]")
    _UNQUOTED = re.compile(rb"(?:[^\s\"'<>=/`]|/(?!>))+")

    def __init__(self, raw: ByteSource, *, declare_prefixes: bool = False) -> None:
        self.raw = raw
        self.repairs: list[str] = []
        self.line_offset = 0
        self._pending = b""
        self._out = bytearray()
        self._state = "start"
        self._eof = False
        self._line = 1
        #: Only when the strict parse met an unbound prefix: the root tag is otherwise untouched.
        self._root_seen = not declare_prefixes
        #: Prefixes declared on the root by the repair, and the ones the file then used.
        self._added: set[str] = set()
        self._used: set[str] = set()

    @property
    def prefix_repairs(self) -> list[str]:
        return [
            f"declared the undeclared namespace prefix {prefix!r} ({WELL_KNOWN_PREFIXES[prefix]})"
            for prefix in sorted(self._added & self._used)
        ]

    @staticmethod
    def _tag_end(buf: bytes, pos: int) -> int:
        """The index just after the `>` ending the start tag at `pos`, or -1 if not in `buf`."""
        quote: int | None = None
        for index in range(pos + 1, min(len(buf), pos + _MAX_ROOT_TAG)):
            byte = buf[index]
            if quote is not None:
                if byte == quote:
                    quote = None
            elif byte in b"\"'":
                quote = byte
            elif byte == ord(">"):
                return index + 1
        return -1

    def _declare_prefixes(self, tag: bytes) -> bytes:
        """The root start tag with every well-known prefix it does not declare declared."""
        declared = {match.decode("ascii", "replace") for match in _DECLARED.findall(tag)}
        missing = [prefix for prefix in WELL_KNOWN_PREFIXES if prefix not in declared]
        if not missing:
            return tag
        self._added.update(missing)
        extra = b"".join(
            b' xmlns:%s="%s"' % (prefix.encode(), WELL_KNOWN_PREFIXES[prefix].encode())
            for prefix in missing
        )
        close = len(tag) - (2 if tag.endswith(b"/>") else 1)
        return tag[:close] + extra + tag[close:]

    def _emit(self, data: bytes) -> None:
        self._out += data
        self._line += data.count(b"\n")

    def _process(self) -> None:
        buf = self._pending
        pos = 0
        while pos < len(buf):
            state = self._state
            if state == "start":
                begin = buf.find(b"<", pos)
                if begin < 0:
                    if self._eof:
                        pos = len(buf)
                    break
                junk = buf[pos:begin]
                if junk.strip(b"\xef\xbb\xbf \t\r\n"):
                    self.repairs.append("removed stray text before the XML declaration")
                self.line_offset = junk.count(b"\n")
                pos, self._state = begin, "text"
            elif state == "text":
                begin = buf.find(b"<", pos)
                if begin < 0:
                    self._emit(buf[pos:])
                    pos = len(buf)
                    break
                self._emit(buf[pos:begin])
                pos = begin
                if len(buf) - pos < 32 and not self._eof:
                    break
                head = buf[pos : pos + 32]
                for prefix, name in (
                    (b"<![CDATA[", "cdata"),
                    (b"<!--", "comment"),
                    (b"<?", "pi"),
                    (b"<!", "raw"),
                ):
                    if head.startswith(prefix):
                        self._emit(prefix)
                        pos += len(prefix)
                        self._state = name
                        break
                else:
                    if not self._root_seen and head[1:2] not in {b"/", b""}:
                        end = self._tag_end(buf, pos)
                        if end < 0 and not self._eof and len(buf) - pos < _MAX_ROOT_TAG:
                            break  # wait for the whole root start tag
                        self._root_seen = True
                        if end > 0:
                            self._emit(self._declare_prefixes(buf[pos:end]))
                            pos = end
                            continue
                    prefixed = _PREFIXED_NAME.match(buf, pos)
                    if prefixed is not None:
                        self._used.add(prefixed.group(1).decode("ascii", "replace"))
                    self._emit(b"<")
                    pos += 1
                    self._state = "tag"
            elif state in {"cdata", "comment", "pi"}:
                end_mark = {"cdata": b"]]>", "comment": b"-->", "pi": b"?>"}[state]
                end = buf.find(end_mark, pos)
                if end < 0:
                    keep = len(end_mark) - 1
                    cut = max(pos, len(buf) - keep) if not self._eof else len(buf)
                    self._emit(buf[pos:cut])
                    pos = cut
                    break
                self._emit(buf[pos : end + len(end_mark)])
                pos, self._state = end + len(end_mark), "text"
            elif state == "raw":
                # A DOCTYPE: passed through untouched (and refused by the parser).
                self._emit(buf[pos:])
                pos = len(buf)
                break
            else:  # inside a tag
                match = self._TAG_TOKEN.search(buf, pos)
                if match is None:
                    self._emit(buf[pos:])
                    pos = len(buf)
                    break
                token = match.group(0)
                if token == b">":
                    self._emit(buf[pos : match.end()])
                    pos, self._state = match.end(), "text"
                elif token in {b'"', b"'"}:
                    close = buf.find(token, match.end())
                    if close < 0:
                        if not self._eof:
                            self._emit(buf[pos : match.start()])
                            pos = match.start()
                            break
                        self._emit(buf[pos:])
                        pos = len(buf)
                        break
                    self._emit(buf[pos : close + 1])
                    pos = close + 1
                else:  # "=": the value must follow, quoted
                    after = match.end()
                    while after < len(buf) and buf[after : after + 1] in b" \t\r\n":
                        after += 1
                    value = self._UNQUOTED.match(buf, after)
                    if not self._eof and (
                        after >= len(buf) - 1 or (value and value.end() >= len(buf) - 1)
                    ):
                        self._emit(buf[pos : match.start()])
                        pos = match.start()
                        break
                    self._emit(buf[pos:after])
                    pos = after
                    if value is not None:
                        line = self._line + self.line_offset
                        if len(self.repairs) < 100:
                            self.repairs.append(f"line {line}: quoted an attribute value")
                        self._emit(b'"' + value.group(0) + b'"')
                        pos = value.end()
        self._pending = buf[pos:]
        if self._eof and self._pending:
            # Nothing more will come: pass what is left through for the parser to judge.
            self._emit(self._pending)
            self._pending = b""


def repairable(error: ImportFormatError) -> bool:
    """Strict parse errors that the repairing reader may fix."""
    return error.message.startswith("malformed XML")


def content_cap_bytes(max_chars: int) -> int:
    """Bytes of one text node that surely hold more than `max_chars` characters (a character
    takes at most 10 bytes, as `&#1114111;`), with room for a cut that backs off a character."""
    return 10 * max_chars + 40


class ContentCap(_StreamFilter):
    """A byte stream that keeps at most `cap` bytes of each run of character data (text and
    CDATA between two tags) and drops the rest, keeping only its line breaks.

    An export may hold one post of many megabytes; the parser would build it as one string (and
    copies of it). The importer skips any body longer than SIDENOTE_IMPORT_MAX_BODY_CHARS, so
    nothing past `content_cap_bytes(limit)` can matter: a cut text is still over the limit, and
    memory stays flat whatever one element holds. Cuts fall between characters and outside
    entity references, so the stream stays well-formed; line numbers of later errors are kept.
    """

    def __init__(self, raw: ByteSource, cap: int) -> None:
        self.raw = raw
        self.cap = cap
        self._run = 0
        self._state = "text"
        self._quote = b""
        self._pending = b""
        self._out = bytearray()
        self._eof = False

    def __getattr__(self, name: str) -> object:
        # `repairs`, `prefix_repairs`, `line_offset` of a wrapped RepairingReader.
        return getattr(self.raw, name)

    @staticmethod
    def _complete(data: bytes, *, text: bool) -> int:
        """How much of `data` ends on a whole character (and, in text, a whole reference)."""
        end = len(data)
        back = 0
        while back < min(4, end) and (data[end - 1 - back] & 0xC0) == 0x80:
            back += 1
        if back < end:
            lead = data[end - 1 - back]
            need = 2 if lead >= 0xC0 else 1
            need = 3 if lead >= 0xE0 else need
            need = 4 if lead >= 0xF0 else need
            if lead >= 0x80 and back + 1 < need:
                end -= back + 1
        if text:
            amp = data.rfind(b"&", 0, end)
            if amp >= 0 and data.find(b";", amp, end) < 0:
                end = amp
        return end

    def _content(self, data: bytes, *, text: bool) -> None:
        room = self.cap - self._run
        self._run += len(data)
        if room >= len(data):
            self._out += data
            return
        kept = data[: max(room, 0)]
        kept = kept[: self._complete(kept, text=text)] if kept else kept
        self._out += kept
        self._out += b"\n" * data.count(b"\n", len(kept))

    def _process(self) -> None:
        buf = self._pending
        pos = 0
        while pos < len(buf):
            if self._state == "text":
                begin = buf.find(b"<", pos)
                if begin < 0:
                    end = len(buf) if self._eof else pos + self._complete(buf[pos:], text=True)
                    self._content(buf[pos:end], text=True)
                    pos = end
                    break
                self._content(buf[pos:begin], text=True)
                pos = begin
                if len(buf) - pos < 9 and not self._eof:
                    break
                for mark, state in ((b"<![CDATA[", "cdata"), (b"<!--", "-->"), (b"<?", "?>")):
                    if buf.startswith(mark, pos):
                        self._out += mark
                        pos += len(mark)
                        self._state = state
                        break
                else:
                    self._run = 0  # a tag: the next text belongs to another node
                    self._out += b"<"
                    pos += 1
                    self._state = "tag"
            elif self._state == "cdata":
                end = buf.find(b"]]>", pos)
                if end < 0:
                    stop = len(buf) if self._eof else max(pos, len(buf) - 2)
                    if not self._eof:
                        stop = pos + self._complete(buf[pos:stop], text=False)
                    self._content(buf[pos:stop], text=False)
                    pos = stop
                    break
                self._content(buf[pos:end], text=False)
                self._out += b"]]>"
                pos, self._state = end + 3, "text"
            elif self._state in {"-->", "?>"}:
                end = buf.find(self._state.encode(), pos)
                if end < 0:
                    stop = len(buf) if self._eof else max(pos, len(buf) - 2)
                    self._out += buf[pos:stop]
                    pos = stop
                    break
                self._out += buf[pos : end + len(self._state)]
                pos, self._state = end + len(self._state), "text"
            elif self._quote:
                end = buf.find(self._quote, pos)
                if end < 0:
                    self._out += buf[pos:]
                    pos = len(buf)
                    break
                self._out += buf[pos : end + 1]
                pos, self._quote = end + 1, b""
            else:  # inside a tag (or a DOCTYPE, which the parser refuses)
                match = _TAG_END_OR_QUOTE.search(buf, pos)
                if match is None:
                    self._out += buf[pos:]
                    pos = len(buf)
                    break
                self._out += buf[pos : match.end()]
                pos = match.end()
                if match.group(0) == b">":
                    self._state = "text"
                else:
                    self._quote = match.group(0)
        self._pending = buf[pos:]
        if self._eof and self._pending:
            self._out += self._pending
            self._pending = b""
