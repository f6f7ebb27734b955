"""Typed records: every format's records are checked by a pydantic model before they are used.

A value of the wrong type (an author object where a name belongs, a list body, `"mode": "1"`) is
never turned into text with `str()`: the record is skipped, with the field and what was wrong as
the reason and the record's position as its location. Models are strict (no coercion between
strings, numbers and booleans) and ignore fields they do not name.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from service.portability.records import SkipRecord

M = TypeVar("M", bound=BaseModel)


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def reason_of(error: ValidationError) -> str:
    """`wrong type: author: Input should be a valid string` (the first problem only)."""
    first = error.errors(include_url=False)[0]
    field = ".".join(str(part) for part in first["loc"]) or "record"
    if first["type"] == "missing":
        return f"missing field: {field}"
    return f"wrong value: {field}: {first['msg']}"


def validate(model: type[M], data: Any, location: str) -> M | SkipRecord:
    """The record as `model`, or a SkipRecord saying which field is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        return SkipRecord(reason_of(error), location)
