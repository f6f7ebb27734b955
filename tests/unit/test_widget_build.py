"""The widget's build: the committed files in service/static are what embed/ builds today, they
stay within their gzip budgets, the TypeScript type-checks and its unit tests pass.

`make test` runs these, so a change to embed/src (or to the server's HTML allowlist, which is
compiled into embed.js) without `make embed` fails here.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EMBED = ROOT / "embed"
STATIC = ROOT / "service" / "static"
KB = 1000  # budgets in kilobytes of 1,000 bytes: the stricter reading
#: embed.js is the reading core (all first paint needs); write.js the writing parts it loads.
BUDGETS = {"embed.js": 11 * KB, "write.js": 8 * KB, "count.js": 1 * KB, "inline.js": 10 * KB}
LOCALE_BUDGET = 2 * KB
LOCALES = ("de", "fr", "es", "ko", "ja")


def node() -> str:
    found = shutil.which("node")
    assert found, "Node.js is needed to build the widget (see README: Development)"
    assert (EMBED / "node_modules" / "esbuild").is_dir(), "run `make test` (it runs npm ci)"
    return found


def run(*args: str, cwd: Path = EMBED) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SIDENOTE_PYTHON": sys.executable}
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def built_files(directory: Path) -> dict[str, bytes]:
    """The widget's files in a build directory: top-level scripts and the locale files
    (other parts keep their own files under service/static/, e.g. the moderation UI)."""
    paths = [*directory.glob("*.js"), *directory.glob("locales/*.json")]
    return {str(path.relative_to(directory)): path.read_bytes() for path in sorted(paths)}


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    outdir = tmp_path_factory.mktemp("widget")
    result = run(node(), "scripts/build.mjs", "--outdir", str(outdir))
    assert result.returncode == 0, result.stderr
    return built_files(outdir)


def test_the_committed_widget_build_is_current(fresh_build: dict[str, bytes]) -> None:
    committed = {name: data for name, data in built_files(STATIC).items() if name in fresh_build}
    stale = sorted(name for name in fresh_build if committed.get(name) != fresh_build[name])
    assert stale == [], f"service/static is stale; run `make embed` and commit: {stale}"


def test_no_leftover_widget_files_are_committed(fresh_build: dict[str, bytes]) -> None:
    leftovers = sorted(set(built_files(STATIC)) - set(fresh_build))
    assert leftovers == [], f"service/static holds files the build no longer makes: {leftovers}"


def test_the_build_is_deterministic(fresh_build: dict[str, bytes], tmp_path: Path) -> None:
    result = run(node(), "scripts/build.mjs", "--outdir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert built_files(tmp_path) == fresh_build


@pytest.mark.parametrize(("name", "budget"), sorted(BUDGETS.items()))
def test_scripts_stay_within_their_gzip_budget(name: str, budget: int) -> None:
    size = len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
    assert size <= budget, f"{name} is {size} bytes gzipped, over its budget of {budget}"


@pytest.mark.parametrize("lang", LOCALES)
def test_each_locale_stays_within_its_gzip_budget(lang: str) -> None:
    size = len(gzip.compress((STATIC / "locales" / f"{lang}.json").read_bytes(), compresslevel=9))
    assert size <= LOCALE_BUDGET, f"{lang}.json is {size} bytes gzipped"


def test_the_widget_makes_no_third_party_requests() -> None:
    """Every URL the bundle could fetch is relative to where embed.js came from."""
    code = "".join((STATIC / name).read_text() for name in ("embed.js", "count.js", "inline.js"))
    assert re.findall(r"https?://[^\s\"'`]+", code) == []
    assert "//fonts." not in code and "gravatar" not in code


def test_server_html_enters_the_page_in_exactly_one_place() -> None:
    """Only src/html.ts turns a string into markup (and re-checks it against the allowlist)."""
    sinks = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|DOMParser|createContextualFragment"
        r"|document\.write|srcdoc|setHTMLUnsafe|parseHTMLUnsafe"
    )
    uses = [
        f"{path.relative_to(EMBED)}:{number}"
        for path in sorted((EMBED / "src").rglob("*.ts"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if sinks.search(line) and not line.lstrip().startswith(("//", "*", "/*"))
    ]
    assert [use.split(":")[0] for use in uses] == ["src/html.ts"], uses


def test_the_widget_type_checks() -> None:
    result = run(node(), "node_modules/typescript/bin/tsc", "--noEmit", "-p", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_widget_unit_tests_pass() -> None:
    result = run(node(), "scripts/test.mjs")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
