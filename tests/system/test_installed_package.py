"""The package as shipped: a wheel built from this checkout, installed into a venv outside it, run
from a temporary working directory by docs/deploying.md's own commands.

The wheel is built once per session, offline (`pip wheel --no-build-isolation` with the dev
venv's setuptools). The new venv has no pip and no dependencies of its own: a `.pth` file puts the
dev venv's site-packages after its own (the dev venv's `.pth` files, among them the editable
install's finder, are not run that way), so `service` is imported from the wheel and from nowhere
else; `PYTHONPATH` is cleared. The steps are read from the fenced blocks of docs/deploying.md that
carry a `deploy-steps:` or `systemd-unit:` marker, so the guide cannot drift from what works.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.conftest import create_postgres_database, drop_postgres_database, postgres_admin_url
from tests.system.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
GUIDE = ROOT / "docs" / "deploying.md"
#: What the guide's block names, and what the test puts in its place.
DOC_VENV = "/opt/sidenote"
DOC_DATA = "/var/lib/sidenote"
DOC_SQLITE_URL = "sqlite:////var/lib/sidenote/sidenote.db"
DOC_PORT = "--port 8000"
ORIGIN = "https://blog.example"

pytestmark = [pytest.mark.system, pytest.mark.slow]


def fenced_block(marker: str) -> str:
    """The first fenced block after the HTML comment `<!-- marker…`."""
    text = GUIDE.read_text()
    start = text.find(f"<!-- {marker}")
    assert start >= 0, f"docs/deploying.md has no block marked {marker!r}"
    match = re.compile(r"^```[a-z]*\n(.*?)^```", re.M | re.S).search(text, start)
    assert match is not None, f"no fenced block after {marker!r}"
    return match.group(1)


def command_lines(block: str) -> list[str]:
    """One shell command a line (continuations joined), comments and blanks dropped."""
    lines = block.replace("\\\n", " ").splitlines()
    return [line for line in lines if line.strip() and not line.lstrip().startswith("#")]


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def run(args: list[str | Path], **options: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        **options,  # type: ignore[call-overload]
    )


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("installed")
    # Build from a copy of what the repository tracks for the package: a stale build/ folder
    # of the checkout (setuptools reuses it) or the checkout's own files cannot leak in.
    source = root / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for folder in ("service", "migrations"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    dist = root / "dist"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", dist, source])
    (wheel,) = dist.glob("sidenote-*.whl")

    venv = root / "opt-sidenote"
    run([sys.executable, "-m", "venv", "--without-pip", venv])
    purelib = sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    Path(purelib, "dev-venv-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run([*pip, "--python", venv / "bin" / "python", "install", "--no-deps", "--no-index", wheel])
    return Installed(venv=venv, wheel=wheel)


def clean_env(**extra: str) -> dict[str, str]:
    """The test runner's environment without Sidenote's settings, PYTHONPATH or the dev venv."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("SIDENOTE_")
        and key not in {"PYTHONPATH", "VIRTUAL_ENV", "PROMETHEUS_MULTIPROC_DIR"}
    }
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep) if not part.startswith(sys.prefix)
    )
    env.update(extra)
    return env


def test_the_wheel_carries_migrations_templates_widget_and_locales(installed: Installed) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    tracked = subprocess.run(
        ["git", "ls-files", "service", "migrations"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    expected = {
        "service/" + path if path.startswith("migrations/") else path
        for path in tracked
        if not path.endswith((".pyc", "/.gitignore", ".gitkeep"))
    }
    assert expected, "git ls-files found nothing"
    assert sorted(expected - names) == []
    assert "service/migrations/env.py" in names
    assert "service/static/embed.js" in names


def test_the_installed_package_imports_from_its_own_venv(
    installed: Installed, tmp_path: Path
) -> None:
    answer = run(
        [
            installed.python,
            "-c",
            "import service.db.migrate as m; print(m.__file__, m.migrations_dir())",
        ],
        cwd=tmp_path,
        env=clean_env(),
    ).stdout.split()
    assert all(Path(path).is_relative_to(installed.venv) for path in answer), answer
    version = run([installed.venv / "bin" / "sidenote", "--version"], cwd=tmp_path, env=clean_env())
    assert re.fullmatch(r"sidenote \d+\.\d+\.\d+\S*\n", version.stdout)


def test_the_installed_package_loads_its_shipped_spam_model(
    installed: Installed, tmp_path: Path
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    assert {
        "service/moderation/data/spam_model.json",
        "service/moderation/data/NOTICE",
    } <= names
    script = (
        "from service.moderation import shipped, spam, spam_model; "
        "m = shipped.load(); "
        "text = 'SUBSCRIBE to my channel!! free money'; "
        "s = spam.logistic(m.log_odds(spam_model.features(text))); "
        "print(shipped.__file__, len(m.counts), m.meta['license'], s >= 0.95)"
    )
    where, tokens, licence, holds = run(
        [installed.python, "-c", script], cwd=tmp_path, env=clean_env()
    ).stdout.split()
    assert Path(where).is_relative_to(installed.venv)
    assert int(tokens) > 1000 and licence == "CC-BY-4.0" and holds == "True"


@dataclass
class Deployment:
    env: dict[str, str]
    cwd: Path
    base: str
    log: Path


@contextlib.contextmanager
def deployed(
    installed: Installed, tmp_path: Path, database_url: str | None
) -> Iterator[Deployment]:
    """docs/deploying.md's one-host block, line by line, from a temporary working directory."""
    block = fenced_block("deploy-steps:one-host")
    for placeholder in (DOC_VENV, DOC_DATA, DOC_SQLITE_URL, DOC_PORT):
        assert placeholder in block, f"the one-host block no longer names {placeholder!r}"
    port = free_port()
    data = tmp_path / "var-lib-sidenote"
    data.mkdir()
    if database_url is not None:
        block = block.replace(DOC_SQLITE_URL, database_url)
    block = (
        block.replace(DOC_VENV, str(installed.venv))
        .replace(DOC_DATA, str(data))
        .replace(DOC_PORT, f"--port {port}")
    )
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    lines = command_lines(block)
    exports = [line for line in lines if line.startswith("export ")]
    commands = [line for line in lines if not line.startswith("export ")]
    assert commands[-1].startswith("sidenote serve"), "the block ends by serving"
    # The block's exports, evaluated once (the generated secret is shared by every command).
    # A client that posts at once needs no composing time: the only setting the test adds.
    base_env = clean_env(SIDENOTE_MIN_COMPOSE_SECONDS="0")
    dump = run(["bash", "-euo", "pipefail", "-c", "\n".join([*exports, "env -0"])], env=base_env)
    env = dict(item.split("=", 1) for item in dump.stdout.split("\0") if "=" in item)
    outputs = []
    for command in commands[:-1]:
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command!r} failed:\n{done.stdout}{done.stderr}"
        outputs.append(done.stdout)
    assert "database upgraded from empty to" in outputs[0]
    assert "added site blog" in outputs[1]
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            ["bash", "-euo", "pipefail", "-c", commands[-1]],
            env=env,
            cwd=cwd,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert server.poll() is None, f"serve exited:\n{log.read_text()}"
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            assert time.monotonic() < deadline, f"never healthy:\n{log.read_text()}"
            time.sleep(0.2)
        yield Deployment(env=env, cwd=cwd, base=base, log=log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    assert not list(cwd.iterdir()), "nothing is written to the working directory"


def walk_the_service(deployment: Deployment, installed: Installed) -> None:
    base = deployment.base
    health = requests.get(f"{base}/healthz", timeout=5)
    assert health.json()["checks"] == {"database": "ok", "migrations": "ok"}

    token = requests.get(f"{base}/api/v1/form-token", params={"site": "blog"}, timeout=5)
    assert token.status_code == 200
    posted = requests.post(
        f"{base}/api/v1/comments",
        json={
            "site": "blog",
            "thread": "/hello",
            "thread_url": f"{ORIGIN}/hello",
            "body": "First comment from the installed package.",
            "author": {"name": "Ada"},
            "form_token": token.json()["form_token"],
        },
        headers={"Origin": ORIGIN},
        timeout=5,
    )
    assert posted.status_code == 201, posted.text
    thread = requests.get(
        f"{base}/api/v1/comments", params={"site": "blog", "thread": "/hello"}, timeout=5
    )
    assert thread.status_code == 200
    assert "First comment from the installed package." in thread.text

    widget = requests.get(f"{base}/embed.js", timeout=5)
    assert widget.status_code == 200
    assert "javascript" in widget.headers["Content-Type"]
    assert len(widget.content) > 1000


def worker_starts_and_stops(deployment: Deployment, installed: Installed) -> None:
    """The worker unit's ExecStart, with the block's settings: it starts, and SIGTERM stops it."""
    unit = fenced_block("systemd-unit:sidenote-worker.service")
    (exec_start,) = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    command = exec_start.removeprefix("ExecStart=").replace(DOC_VENV, str(installed.venv))
    worker = subprocess.Popen(
        command.split(),
        env=deployment.env,
        cwd=deployment.cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert worker.stdout is not None
        started = ""
        deadline = time.monotonic() + 20
        while "started" not in started:
            assert time.monotonic() < deadline and worker.poll() is None, started
            started += worker.stdout.readline()
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=20)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, started + output
    assert "stopped" in output


def test_the_deploy_steps_work_from_the_installed_wheel_on_sqlite(
    installed: Installed, tmp_path: Path
) -> None:
    with deployed(installed, tmp_path, database_url=None) as deployment:
        walk_the_service(deployment, installed)
        worker_starts_and_stops(deployment, installed)
    assert (tmp_path / "var-lib-sidenote" / "sidenote.db").exists()


def test_the_deploy_steps_work_from_the_installed_wheel_on_postgresql(
    installed: Installed, tmp_path: Path
) -> None:
    admin = postgres_admin_url()
    if admin is None:
        pytest.skip("needs PostgreSQL: TEST_DATABASE_URL unset or unreachable")
    url = create_postgres_database(admin, prefix="sidenote_wheel")
    try:
        with deployed(installed, tmp_path, database_url=url) as deployment:
            walk_the_service(deployment, installed)
            worker_starts_and_stops(deployment, installed)
    finally:
        drop_postgres_database(admin, url)


@pytest.mark.parametrize("unit", ["sidenote-web.service", "sidenote-worker.service"])
def test_the_systemd_units_in_the_guide_are_valid(
    unit: str, installed: Installed, tmp_path: Path
) -> None:
    text = fenced_block(f"systemd-unit:{unit}")
    sections = re.findall(r"^\[(\w+)\]$", text, re.M)
    assert sections == ["Unit", "Service", "Install"]
    exec_start = re.search(r"^ExecStart=(\S+)", text, re.M)
    assert exec_start is not None and exec_start.group(1) == f"{DOC_VENV}/bin/sidenote"
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (make test installs systemd)")
    path = tmp_path / unit
    path.write_text(text.replace(DOC_VENV, str(installed.venv)))
    verified = subprocess.run(
        [analyze, "verify", "--man=no", str(path)], capture_output=True, text=True, timeout=60
    )
    # verify also reports on units it pulls in (postgresql.service is absent here); only lines
    # about this unit count.
    about_unit = [line for line in verified.stderr.splitlines() if unit in line]
    assert about_unit == [], verified.stderr
