"""Loaders for the shared test corpora in ../shared/corpora (beside the project root).

`xss_payloads()` yields every distinct payload string of corpora/xss/ (one shared loader for the
renderer, posting-path and widget tests); `markdown_cases()` yields the Markdown sources of
corpora/markdown/.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
XSS = CORPORA / "xss"
MARKDOWN = CORPORA / "markdown"

# Files holding data about payloads rather than payloads (see corpora/README.md).
_NOT_PAYLOADS = ("placeholders", "parsing_quirks")


def available() -> bool:
    return XSS.is_dir() and MARKDOWN.is_dir()


def _strings_from_json(name: str, data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                yield item
            elif isinstance(item, dict):
                yield from _strings_from_record(name, item)
    elif isinstance(data, dict):
        for group in data.values():
            yield from _strings_from_json(name, group)


def _strings_from_record(name: str, item: dict[str, Any]) -> Iterator[str]:
    for key in ("payload", "data_expanded", "input", "code"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            yield value
            if key == "code":  # code blocks may hold one payload per line as well
                yield from (line for line in value.splitlines() if line.strip())
            return


@functools.cache
def xss_payloads() -> tuple[str, ...]:
    """Every distinct payload, in a stable order."""
    seen: dict[str, None] = {}
    for path in sorted(XSS.iterdir()):
        if any(marker in path.name for marker in _NOT_PAYLOADS):
            continue
        if path.suffix == ".txt":
            text = path.read_bytes().decode("utf-8", errors="replace")
            for line in text.splitlines():
                if line.strip():
                    seen.setdefault(line, None)
        elif path.suffix == ".json":
            for value in _strings_from_json(path.name, json.loads(path.read_text())):
                seen.setdefault(value, None)
    return tuple(seen)


@functools.cache
def markdown_cases() -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for path in sorted(MARKDOWN.glob("*.json")):
        for case in json.loads(path.read_text()):
            if isinstance(case, dict) and isinstance(case.get("markdown"), str):
                seen.setdefault(case["markdown"], None)
    return tuple(seen)


def sample(values: tuple[str, ...], count: int) -> list[str]:
    """An evenly spread, deterministic sample."""
    if count >= len(values):
        return list(values)
    step = len(values) / count
    return [values[int(i * step)] for i in range(count)]
