"""Anchors of inline comments: wire format, validation and storage (inline-anchoring.md §3).

Lengths and offsets are UTF-16 code units, because they come from JavaScript strings: an emoji is
two units there and one Python character. Every string here is plain text, stored verbatim and never
rendered as HTML.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator, model_validator

from service.comments.models import CommentAnchor

NORMALIZATION_VERSION = 1
MAX_EXACT = 2000
LONG_HEAD = 1000
LONG_TAIL = 500
MAX_QUOTE_LENGTH = 10_000
MAX_CONTEXT = 256
MAX_DOC_LENGTH = 2_000_000
MAX_QUESTION = 300

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_PASSAGE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SCOPE = re.compile(r"^[A-Za-z0-9_:.-]{1,128}$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _plain(text: str, limit: int, what: str) -> str:
    if _CONTROL.search(text):
        raise ValueError(f"{what} must not contain control characters")
    if utf16_length(text) > limit:
        raise ValueError(f"{what} must be at most {limit} characters")
    return text


NonNegative = Annotated[StrictInt, Field(ge=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Quote(_Strict):
    exact: str
    prefix: str = ""
    suffix: str = ""

    @field_validator("exact")
    @classmethod
    def _exact(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the quoted text must not be empty")
        return _plain(value, MAX_EXACT, "the quoted text")

    @field_validator("prefix", "suffix")
    @classmethod
    def _context(cls, value: str, info: Any) -> str:
        return _plain(value, MAX_CONTEXT, info.field_name)


class Position(_Strict):
    start: NonNegative
    end: NonNegative


class Doc(_Strict):
    length: Annotated[StrictInt, Field(ge=1, le=MAX_DOC_LENGTH)]
    fp: str

    @field_validator("fp")
    @classmethod
    def _fingerprint(cls, value: str) -> str:
        if not _FINGERPRINT.match(value):
            raise ValueError("must be 16 lower-case hex digits")
        return value


class Passage(_Strict):
    key: str
    question: str | None = None

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if not _PASSAGE_KEY.match(value):
            raise ValueError("must be 1-64 letters, digits, '_' or '-'")
        return value

    @field_validator("question")
    @classmethod
    def _question(cls, value: str | None) -> str | None:
        return None if value is None else _plain(value, MAX_QUESTION, "the question")


class AnchorIn(_Strict):
    """The anchor of a top-level comment, as the widget sends and the API returns it."""

    v: Literal[1]
    kind: Literal["quote", "block", "passage"]
    quote: Quote
    quote_end: str | None = None
    quote_length: Annotated[StrictInt, Field(ge=1, le=MAX_QUOTE_LENGTH)]
    position: Position
    doc: Doc
    scope: str | None = None
    passage: Passage | None = None

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str | None) -> str | None:
        if value is not None and not _SCOPE.match(value):
            raise ValueError("must be an element id of 1-128 letters, digits or _:.-")
        return value

    @field_validator("quote_end")
    @classmethod
    def _quote_end(cls, value: str | None) -> str | None:
        return None if value is None else _plain(value, LONG_TAIL, "quote_end")

    @model_validator(mode="after")
    def _consistent(self) -> AnchorIn:
        start, end = self.position.start, self.position.end
        if not start < end <= self.doc.length:
            raise ValueError("position must satisfy 0 <= start < end <= doc.length")
        if end - start != self.quote_length:
            raise ValueError("position.end - position.start must equal quote_length")
        exact_length = utf16_length(self.quote.exact)
        if self.quote_end is None:
            if exact_length != self.quote_length:
                raise ValueError("quote.exact must be quote_length characters long")
        elif not (
            self.quote_length > MAX_EXACT
            and exact_length == LONG_HEAD
            and utf16_length(self.quote_end) == LONG_TAIL
        ):
            raise ValueError(
                "a long quote (over 2000) carries its first 1000 and last 500 characters"
            )
        if (self.kind == "passage") != (self.passage is not None):
            raise ValueError("passage is required exactly when kind is 'passage'")
        return self


def anchor_row(anchor: AnchorIn, *, thread_id: int) -> CommentAnchor:
    return CommentAnchor(
        thread_id=thread_id,
        kind=anchor.kind,
        norm=anchor.v,
        exact=anchor.quote.exact,
        exact_end=anchor.quote_end,
        quote_len=anchor.quote_length,
        prefix=anchor.quote.prefix,
        suffix=anchor.quote.suffix,
        pos_start=anchor.position.start,
        pos_end=anchor.position.end,
        doc_len=anchor.doc.length,
        doc_fp=anchor.doc.fp,
        scope_id=anchor.scope,
        passage_key=anchor.passage.key if anchor.passage else None,
        passage_question=anchor.passage.question if anchor.passage else None,
    )


def anchor_wire(row: CommentAnchor) -> dict[str, Any]:
    """The stored anchor in the wire format (snake_case; `v` is the normalisation version)."""
    return {
        "v": row.norm,
        "kind": row.kind,
        "quote": {"exact": row.exact, "prefix": row.prefix, "suffix": row.suffix},
        "quote_end": row.exact_end,
        "quote_length": row.quote_len,
        "position": {"start": row.pos_start, "end": row.pos_end},
        "doc": {"length": row.doc_len, "fp": row.doc_fp},
        "scope": row.scope_id,
        "passage": (
            {"key": row.passage_key, "question": row.passage_question}
            if row.passage_key is not None
            else None
        ),
    }
