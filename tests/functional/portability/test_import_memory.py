"""A ~20 MB Disqus export imports in flat memory, in a process of its own, in bounded time.

The import process measures its own peak resident set size from the moment the import starts
(`measure.py`); holding the file or its element tree would take several times its size.
Posts carry video embeds (dropped on import) so the file reaches 20 MB without making the test
slow; `bench/import_speed.py` measures speed on plain comments.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.functional.portability.exports import write_disqus

CEILING_BYTES = 40 * 1024 * 1024
TIME_LIMIT_SECONDS = 600


@pytest.mark.slow
def test_twenty_megabyte_disqus_export_imports_under_a_memory_ceiling(tmp_path: Path) -> None:
    export = write_disqus(
        tmp_path / "big.xml", threads=105, posts_per_thread=50, body_chars=400, embed_chars=2000
    )
    assert 19_000_000 < export.stat().st_size < 23_000_000
    url = f"sqlite:///{tmp_path / 'big.db'}"
    env = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    env.update(
        SIDENOTE_DATABASE_URL=url,
        SIDENOTE_SECRET_KEY="measure-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example",
    )
    for args in (
        ("db", "upgrade"),
        ("site", "add", "blog", "--name", "Blog", "--origin", "https://blog.example"),
    ):
        subprocess.run(
            [sys.executable, "-m", "service.cli", *args], env=env, check=True, capture_output=True
        )
    result = subprocess.run(
        [sys.executable, "-m", "tests.functional.portability.measure", str(export), url],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT_SECONDS,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout)
    assert figures["comments"] == 105 * 50 and figures["threads"] == 105
    assert figures["peak_growth_bytes"] < CEILING_BYTES, figures
