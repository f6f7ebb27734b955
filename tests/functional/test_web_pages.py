"""Non-API pages: widget files are public to every origin; the demo exists only in development."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from tests.conftest import make_settings

#: Pages embed these from any origin; fetch() of a module or a locale needs CORS to read it.
STATIC_PATHS = ["/embed.js", "/count.js", "/write.js", "/inline.js", "/static/locales/de.json"]
DEMO_PAGES = ["/", "/csp"]


def app_in(tmp_path: Path, env: str) -> Flask:
    """An app that never touches its database: these routes do not need one."""
    public_url = "https://comments.example" if env == "production" else ""  # required there
    return create_app(
        make_settings(f"sqlite:///{tmp_path / 'unused.db'}", env=env, public_url=public_url)
    )


@pytest.fixture
def production(tmp_path: Path) -> FlaskClient:
    return app_in(tmp_path, "production").test_client()


@pytest.fixture
def development(tmp_path: Path) -> FlaskClient:
    return app_in(tmp_path, "development").test_client()


@pytest.mark.parametrize("path", STATIC_PATHS)
def test_widget_files_may_be_read_by_any_origin(production: FlaskClient, path: str) -> None:
    response = production.get(path, headers={"Origin": "https://unrelated.example"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response.close()


STATIC = Path(__file__).resolve().parents[2] / "service" / "static"
IMMUTABLE = "public, max-age=31536000, immutable"


def content_version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


@pytest.mark.parametrize("name", ["write.js", "inline.js"])
def test_embed_js_asks_for_each_chunk_by_its_content_hash(name: str) -> None:
    embed = (STATIC / "embed.js").read_text()
    assert f'"{name}?v=' in embed
    assert content_version(name) in re.findall(r"\b[0-9a-f]{12}\b", embed)


@pytest.mark.parametrize("name", ["write.js", "inline.js"])
def test_a_chunk_at_its_current_version_is_cached_for_a_year(
    production: FlaskClient, name: str
) -> None:
    response = production.get(f"/{name}?v={content_version(name)}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Expires" not in response.headers
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    response.close()


@pytest.mark.parametrize("path", ["/write.js", "/write.js?v=0123456789ab", "/embed.js?v=x"])
def test_unversioned_or_stale_urls_are_cached_for_five_minutes(
    production: FlaskClient, path: str
) -> None:
    """embed.js's own URL never changes, and an old embed.js asking for an old chunk gets the
    current one, which must not be kept under the old URL for a year."""
    response = production.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    response.close()


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_the_demo_article_is_not_served_in_production(production: FlaskClient, path: str) -> None:
    response = production.get(path)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


@pytest.mark.parametrize("path", DEMO_PAGES)
def test_the_demo_article_is_served_in_development(development: FlaskClient, path: str) -> None:
    response = development.get(path)
    assert response.status_code == 200
    assert 'data-sidenote-site="demo"' in response.text


def test_only_the_csp_page_carries_the_strict_policy(development: FlaskClient) -> None:
    assert "Content-Security-Policy" not in development.get("/").headers
    assert "default-src 'none'" in development.get("/csp").headers["Content-Security-Policy"]


def test_the_demo_embeds_the_widget_from_the_public_url(tmp_path: Path) -> None:
    """Opened on another origin (localhost for 127.0.0.1), the demo embeds Sidenote cross-origin."""
    app = create_app(
        make_settings(
            f"sqlite:///{tmp_path / 'unused.db'}",
            env="development",
            public_url="http://127.0.0.1:8000",
        )
    )
    page = app.test_client().get("/", base_url="http://localhost:8000")
    assert 'src="http://127.0.0.1:8000/embed.js"' in page.text
    assert 'src="http://127.0.0.1:8000/count.js"' in page.text
    policy = app.test_client().get("/csp").headers["Content-Security-Policy"]
    assert "script-src 'self' http://127.0.0.1:8000;" in policy
    assert "connect-src 'self' http://127.0.0.1:8000;" in policy


def test_without_a_public_url_the_demo_embeds_from_its_own_origin(
    development: FlaskClient,
) -> None:
    assert 'src="/embed.js"' in development.get("/").text
    assert "script-src 'self';" in development.get("/csp").headers["Content-Security-Policy"]
