"""The widget's wire types are generated: embed/src/types.ts is openapi-typescript's reading of the
service's OpenAPI document (embed/scripts/types.mjs), plus the names the widget's code uses.

With the committed file current, test_widget_build.py's type check holds the widget to the wire
format the pydantic models document; a model changed without `make embed` fails here.
"""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_widget_build import EMBED, node, run

TYPES = EMBED / "src" / "types.ts"


def test_the_committed_wire_types_are_generated_from_the_current_openapi_document(
    tmp_path: Path,
) -> None:
    fresh = tmp_path / "types.ts"
    result = run(node(), "scripts/types.mjs", "--out", str(fresh))
    assert result.returncode == 0, result.stderr
    assert fresh.read_bytes() == TYPES.read_bytes(), (
        "embed/src/types.ts is stale; run `make embed` and commit it"
    )


def test_the_wire_types_say_they_are_generated_and_how_to_regenerate() -> None:
    header = TYPES.read_text().split("\n\n", 1)[0]
    assert "GENERATED FILE, do not edit" in header
    assert "make embed" in header and "scripts/types.mjs" in header
