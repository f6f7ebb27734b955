"""Anchor validation (inline-anchoring.md §3.4): lengths in UTF-16 units, consistent positions."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from service.comments.anchors import AnchorIn, utf16_length


def anchor(**changes: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "v": 1,
        "kind": "quote",
        "quote": {"exact": "hello world", "prefix": "say ", "suffix": " now"},
        "quote_end": None,
        "quote_length": 11,
        "position": {"start": 4, "end": 15},
        "doc": {"length": 100, "fp": "00ff00ff00ff00ff"},
        "scope": "intro",
        "passage": None,
    }
    value.update(changes)
    return value


def test_a_well_formed_anchor_is_accepted() -> None:
    assert AnchorIn.model_validate(anchor()).quote.exact == "hello world"


def test_utf16_length_counts_surrogate_pairs_twice() -> None:
    assert utf16_length("a😀") == 3


@pytest.mark.parametrize(
    "changes",
    [
        {"v": 2},
        {"kind": "sentence"},
        {"quote_length": 10},
        {"position": {"start": 15, "end": 4}},
        {"position": {"start": 90, "end": 101}},
        {"doc": {"length": 100, "fp": "short"}},
        {"quote": {"exact": "   ", "prefix": "", "suffix": ""}},
        {"quote": {"exact": "hello\x00world", "prefix": "", "suffix": ""}},
        {"quote": {"exact": "hello world", "prefix": "x" * 257, "suffix": ""}},
        {"scope": "bad scope!"},
        {"kind": "passage"},
        {"passage": {"key": "pricing"}},
        {"kind": "passage", "passage": {"key": "has space"}},
        {"kind": "passage", "passage": {"key": "k", "question": "q" * 301}},
        {"quote_end": "tail"},
        {"extra": 1},
    ],
)
def test_inconsistent_anchors_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        AnchorIn.model_validate(anchor(**changes))


def test_a_long_selection_carries_head_and_tail() -> None:
    value = anchor(
        quote={"exact": "h" * 1000, "prefix": "", "suffix": ""},
        quote_end="t" * 500,
        quote_length=5000,
        position={"start": 0, "end": 5000},
        doc={"length": 6000, "fp": "00ff00ff00ff00ff"},
    )
    assert AnchorIn.model_validate(value).quote_end == "t" * 500


def test_a_quote_longer_than_10000_is_refused() -> None:
    value = anchor(
        quote={"exact": "h" * 1000},
        quote_end="t" * 500,
        quote_length=10_001,
        position={"start": 0, "end": 10_001},
        doc={"length": 20_000, "fp": "00ff00ff00ff00ff"},
    )
    with pytest.raises(ValidationError):
        AnchorIn.model_validate(value)
