"""`sidenote import|export|privacy|purge`, run as real processes against a real database file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import corpora
from tests.functional.portability.conftest import ORIGIN
from tests.functional.portability.exports import disqus_post, disqus_thread, write_file

SIDENOTE = [sys.executable, "-m", "service.cli"]
IMPORTS = corpora.CORPORA / "imports"


def sidenote(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SIDENOTE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    values = {key: value for key, value in os.environ.items() if not key.startswith("SIDENOTE_")}
    values.update(
        SIDENOTE_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        SIDENOTE_SECRET_KEY="cli-test-secret-0123456789",
        SIDENOTE_PUBLIC_URL="https://comments.example",  # required in production
    )
    for args in (("db", "upgrade"), ("site", "add", "blog", "--name", "Blog", "--origin", ORIGIN)):
        result = sidenote(values, *args)
        assert result.returncode == 0, result.stderr
    return values


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    return write_file(
        tmp_path / "disqus.xml",
        [
            disqus_thread("t1", "http://old.example/post/"),
            disqus_post("p1", "t1", "<p>Hello <b>there</b></p>", email="ann@example.org"),
            disqus_post("p2", "t1", "<p>Reply</p>", parent_id="p1"),
        ],
    )


def test_import_prints_a_summary_and_no_progress_bar_without_a_terminal(
    env: dict[str, str], sample: Path
) -> None:
    result = sidenote(env, "import", "disqus", str(sample), "--site", "blog",
                      "--remap", f"http://old.example={ORIGIN}")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[:3] == [
        "Imported from disqus into site 'blog'",
        "Threads: 1 new, 0 existing with new comments, 0 already complete",
        "Comments: 2 imported (pending 0, approved 2, rejected 0, spam 0, deleted 0); "
        "0 already imported",
    ]
    again = sidenote(env, "import", "disqus", str(sample), "--site", "blog",
                     "--remap", f"http://old.example={ORIGIN}")  # fmt: skip
    assert "2 already imported" in again.stdout


def test_dry_run_says_so_and_writes_nothing(env: dict[str, str], sample: Path) -> None:
    args = (
        "import",
        "disqus",
        str(sample),
        "--site",
        "blog",
        "--remap",
        f"http://old.example={ORIGIN}",
    )
    dry = sidenote(env, *args, "--dry-run")
    assert dry.returncode == 0 and "dry run: nothing was written" in dry.stdout
    real = sidenote(env, *args)
    assert "Comments: 2 imported" in real.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<disqus><post>\n<message>unclosed</disqus>",
         "line 2, column 20: malformed XML: mismatched tag"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<disqus>&x;</disqus>',
         "DOCTYPE: the file declares a DTD; imports refuse DTDs and entities"),
        (b"<rss><channel/></rss>", "line 1: not a Disqus export (the root element is <rss>)"),
    ],
)  # fmt: skip
def test_malformed_input_is_one_clear_line_and_a_failure(
    env: dict[str, str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    result = sidenote(env, "import", "disqus", str(path), "--site", "blog")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: {path}: {message}")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_unknown_site_and_bad_remap_are_clear_errors(env: dict[str, str], sample: Path) -> None:
    result = sidenote(env, "import", "disqus", str(sample), "--site", "nope")
    assert result.returncode == 1 and result.stderr.strip() == "Error: No site 'nope'."
    bad = sidenote(env, "import", "disqus", str(sample), "--site", "blog", "--remap", "nothing")
    assert bad.returncode == 2 and "is not OLD=NEW" in bad.stderr


@pytest.mark.skipif(not IMPORTS.is_dir(), reason="../shared/corpora is not beside us")
def test_sloppy_real_export_is_repaired_and_says_so(env: dict[str, str]) -> None:
    result = sidenote(
        env, "import", "disqus", str(IMPORTS / "remark42__migrator_testdata__disqus.xml"),
        "--site", "blog", "--remap", f"http://radio-t.umputun.com={ORIGIN}",
        "--remap", f"https://radio-t.com={ORIGIN}",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Repaired malformed XML: strict parse failed at line 1, column 1" in result.stdout
    assert "line 147: quoted an attribute value" in result.stdout


def test_export_to_stdout_and_to_a_file(env: dict[str, str], sample: Path, tmp_path: Path) -> None:
    sidenote(
        env,
        "import",
        "disqus",
        str(sample),
        "--site",
        "blog",
        "--remap",
        f"http://old.example={ORIGIN}",
    )
    printed = sidenote(env, "export", "--site", "blog")
    assert printed.returncode == 0, printed.stderr
    document = json.loads(printed.stdout)
    assert [len(t["comments"]) for t in document["threads"]] == [2]
    target = tmp_path / "out.jsonl"
    written = sidenote(
        env, "export", "--site", "blog", "--format", "jsonl", "--output", str(target),
        "--without-emails",
    )  # fmt: skip
    assert written.returncode == 0 and written.stdout == ""
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["type"] for line in lines] == ["meta", "thread", "comment", "comment"]
    assert "ann@example.org" not in target.read_text()


def test_privacy_export_and_erase(env: dict[str, str], sample: Path) -> None:
    sidenote(
        env,
        "import",
        "disqus",
        str(sample),
        "--site",
        "blog",
        "--remap",
        f"http://old.example={ORIGIN}",
    )
    exported = sidenote(env, "privacy", "export", "ann@example.org")
    assert exported.returncode == 0, exported.stderr
    assert len(json.loads(exported.stdout)["comments"]) == 1
    refused = sidenote(env, "privacy", "erase", "ann@example.org")
    assert refused.returncode == 1 and "Aborted" in refused.stderr
    erased = sidenote(env, "privacy", "erase", "ann@example.org", "--yes")
    assert erased.returncode == 0 and "comments anonymized: 1" in erased.stdout
    assert (
        json.loads(sidenote(env, "privacy", "export", "ann@example.org").stdout)["comments"] == []
    )


def test_purge_reports_what_it_removed(env: dict[str, str]) -> None:
    result = sidenote(env, "purge")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "comment ip hashes: 0",
        "vote ip hashes: 0",
        "comments deleted: 0",
        "comments emptied: 0",
        "reader sessions: 0",
        "refused attempts: 0",
    ]


def test_a_terminal_gets_progress_bars_with_counts(env: dict[str, str], sample: Path) -> None:
    import pty

    controller, terminal = pty.openpty()
    try:
        result = subprocess.run(
            [*SIDENOTE, "import", "disqus", str(sample), "--site", "blog",
             "--remap", f"http://old.example={ORIGIN}"],
            env=env, stdout=subprocess.PIPE, stderr=terminal, stdin=subprocess.DEVNULL,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
    assert result.returncode == 0
    text = shown.decode()
    assert "Reading" in text and "Importing" in text and "2/2" in text
    assert "Imported from disqus" in result.stdout


def test_a_run_that_imports_nothing_from_a_non_empty_file_fails_with_the_reason(
    env: dict[str, str], tmp_path: Path
) -> None:
    # Comentario 2.x names pages by host and path: before issue 24 every comment was skipped
    # and the run still exited 0. Here every page is off the site, so nothing can be imported.
    export = tmp_path / "comentario.json"
    export.write_text(json.dumps({"version": 1, "commenters": [], "comments": [
        {"commentHex": f"{n:064x}", "commenterHex": "0" * 64, "host": "other.example",
         "path": "/p/", "markdown": "text", "parentHex": "root", "state": "approved",
         "creationDate": "2022-01-01T00:00:00Z"} for n in (1, 2)
    ]}))  # fmt: skip
    result = sidenote(env, "import", "commento", str(export), "--site", "blog")
    assert result.returncode == 1
    assert "Comments: 0 imported" in result.stdout
    assert result.stderr.strip() == (
        f"Error: {export}: nothing was imported: all 2 comments in the file were skipped (most: "
        f"its page is on https://other.example, not on the site's origins (add --remap "
        f"https://other.example={ORIGIN}), 2)"
    )


def test_invalid_utf8_is_one_line_with_its_position(env: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "remark42.jsonl"
    backup.write_bytes(b'{"version":1,"users":[],"posts":[]}\n{"id":"a","text":"\xc3("}\n')
    result = sidenote(env, "import", "remark42", str(backup), "--site", "blog")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        f"Error: {backup}: line 2, byte 54: the file is not valid UTF-8 (byte 0xc3); "
        "save it as UTF-8 and import it again\n"
    )


def test_the_source_option_names_the_installation(env: dict[str, str], sample: Path) -> None:
    result = sidenote(env, "import", "disqus", str(sample), "--site", "blog", "--source",
                      "old-blog", "--remap", f"http://old.example={ORIGIN}")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Source installation: old-blog" in result.stdout.splitlines()
