"""A pull parser for large JSON documents: walk the containers, decode the records one by one.

Commento and Isso exports, and Sidenote's own `json` export, are one JSON document holding long
arrays of records. `JsonStream` steps into the containers a parser names and decodes each record
with the standard library's C decoder, so memory holds one record, never the file. Errors carry
the line and column of the offending character.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Protocol

from service.portability.records import ImportFormatError

CHUNK = 256 * 1024
_WHITESPACE = " \t\r\n"
_decoder = json.JSONDecoder()


class TextSource(Protocol):
    def read(self, size: int = -1, /) -> str: ...


class JsonStream:
    def __init__(self, stream: TextSource) -> None:
        self.stream = stream
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._line = 1  # line of buf[0]
        self._column = 1  # column of buf[0]

    # -- positions -------------------------------------------------------------------------

    def location(self, pos: int | None = None) -> str:
        pos = self.pos if pos is None else pos
        newlines = self.buf.count("\n", 0, pos)
        column = pos - self.buf.rfind("\n", 0, pos) if newlines else self._column + pos
        return f"line {self._line + newlines}, column {column}"

    def error(self, message: str, pos: int | None = None) -> ImportFormatError:
        return ImportFormatError(self.location(pos), message)

    def _fill(self, at_least: int = CHUNK) -> bool:
        """Read more text; False at the end of the file (the buffer is then left as it was)."""
        if self.eof:
            return False
        try:
            chunk = self.stream.read(max(at_least, CHUNK))
        except UnicodeDecodeError:
            raise self.error("the file is not UTF-8 text") from None
        if not chunk:
            self.eof = True
            return False
        if self.pos > CHUNK:
            consumed = self.buf[: self.pos]
            newlines = consumed.count("\n")
            if newlines:
                self._line += newlines
                self._column = self.pos - consumed.rfind("\n")
            else:
                self._column += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += chunk
        return True

    # -- tokens ----------------------------------------------------------------------------

    def peek(self) -> str:
        """The next significant character ("" at the end), without consuming it."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._fill():
                return ""

    def expect(self, char: str, what: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.error(f"expected {what}, found {shown}")
        self.pos += 1

    def value(self) -> Any:
        """Decode the complete JSON value that starts here."""
        if not self.peek():
            raise self.error("unexpected end of the file")
        while True:
            try:
                result, end = _decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self._fill(len(self.buf) - self.pos):
                    continue
                raise self.error(f"not valid JSON ({error.msg})", error.pos) from None
            if end >= len(self.buf) and self._fill():
                continue  # a number or literal may go on in the next chunk
            self.pos = end
            return result

    def skip(self) -> None:
        """Skip the value that starts here, record by record if it is a container."""
        char = self.peek()
        if char == "[":
            for _ in self.array():
                self.skip()
        elif char == "{":
            for _ in self.object():
                self.skip()
        else:
            self.value()

    def array(self) -> Iterator[int]:
        """Step through an array: yields each element's index; the caller consumes the element."""
        self.expect("[", "an array '['")
        if self.peek() == "]":
            self.pos += 1
            return
        index = 0
        while True:
            start = self.pos
            yield index
            if self.pos == start:
                self.skip()
            index += 1
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "]":
                self.pos += 1
                return
            raise self.error("expected ',' or ']' in an array" if char else "unexpected end")

    def object(self) -> Iterator[str]:
        """Step through an object: yields each key; the caller consumes (or skips) its value."""
        self.expect("{", "an object '{'")
        if self.peek() == "}":
            self.pos += 1
            return
        while True:
            if self.peek() != '"':
                raise self.error("expected a quoted key in an object")
            key = self.value()
            self.expect(":", "':' after a key")
            start = self.pos
            yield str(key)
            if self.pos == start:
                self.skip()
            char = self.peek()
            if char == ",":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return
            raise self.error("expected ',' or '}' in an object" if char else "unexpected end")

    def finish(self) -> None:
        """Only whitespace may follow the document."""
        if self.peek():
            raise self.error("unexpected text after the JSON document")
