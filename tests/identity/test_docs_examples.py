"""The token-signing examples in docs/sso.md work: Sidenote accepts what they sign."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from service.identity.sso import Claims, verify_token
from service.models import Site

DOC = Path(__file__).resolve().parents[2] / "docs" / "sso.md"
SECRET = "a-site-secret-from-sidenote-site-sso-new-secret-0123456789"
SITE = Site(slug="blog", name="Blog", origins=["https://blog.example"])


def example(heading: str, language: str) -> str:
    text = DOC.read_text("utf-8")
    start = text.index(heading)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(text, start)
    assert match, f"no {language} block after {heading!r}"
    return match.group(1)


def accepted(token: str) -> Claims:
    return verify_token(token, SITE, [SECRET], leeway=60)


def test_the_python_example_signs_a_token_sidenote_accepts() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(example("### Python", "python"), "docs/sso.md", "exec"), namespace)
    token = namespace["sidenote_token"](SECRET, "blog", "u-17", "Zoë", "zoe@example.org")
    claims = accepted(token)
    assert (claims.sub, claims.name, claims.email, claims.email_verified) == (
        "u-17",
        "Zoë",
        "zoe@example.org",
        True,
    )


def test_the_node_example_signs_a_token_sidenote_accepts(tmp_path: Path) -> None:
    node = shutil.which("node")
    assert node, "Node.js is part of `make test` (the widget's build)"
    module = tmp_path / "sidenote-token.js"
    module.write_text(example("### JavaScript", "js"), "utf-8")
    script = (
        f"const {{ sidenoteToken }} = require({json.dumps(str(module))});"
        f"console.log(sidenoteToken({json.dumps(SECRET)}, 'blog', "
        "{ id: 17, name: 'Zoë', email: 'zoe@example.org' }));"
    )
    result = subprocess.run(
        [node, "-e", script], capture_output=True, text=True, timeout=60, check=True
    )
    claims = accepted(result.stdout.strip())
    assert (claims.sub, claims.name, claims.email_verified) == ("17", "Zoë", True)


def test_the_php_example_signs_a_token_sidenote_accepts(tmp_path: Path) -> None:
    php = shutil.which("php")
    assert php, "`make test` installs php-cli for this example"
    script = tmp_path / "token.php"
    script.write_text(
        example("### PHP", "php") + f"\necho sidenote_token({json.dumps(SECRET)}, 'blog', "
        "['id' => 17, 'name' => 'Zoë', 'email' => 'zoe@example.org']);\n",
        "utf-8",
    )
    result = subprocess.run(
        [php, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    claims = accepted(result.stdout.strip())
    assert (claims.sub, claims.name, claims.email_verified) == ("17", "Zoë", True)
