"""Fixtures for the moderator UI's tests: a logged-in browser-like client that posts forms with
the CSRF token, and a page parser that finds elements and checks what a page may contain."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from service.models import Site
from tests.factories import Factories
from tests.functional.moderation.conftest import PASSWORD, Credentials, log_in

__all__ = ["PASSWORD", "UI", "Credentials", "Page"]


class Page(HTMLParser):
    """A parsed page: its elements (tag, attributes) and text, enough for assertions."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text_parts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", "".join(self.text_parts))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag
            and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def cards(self) -> list[int]:
        return [int(a["data-id"]) for a in self.find("article") if "data-id" in a]


class UI:
    """A moderator's browser: GETs pages, POSTs forms with the CSRF token as the forms do."""

    def __init__(self, client: FlaskClient, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers={"Accept": "text/html"}, **kwargs)

    def page(self, path: str) -> Page:
        response = self.get(path)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return Page(response.get_data(as_text=True))

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> TestResponse:
        form = {"csrf_token": self.csrf, **(data or {})}
        return self.client.post(path, data=form, headers={"Accept": "text/html"}, **kwargs)

    def follow(self, response: TestResponse) -> Page:
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return self.page(response.headers["Location"])


@pytest.fixture
def site(make: Factories) -> Site:
    return make.site("blog", name="The Blog")


@pytest.fixture
def ui_for(client: FlaskClient, creds: Credentials) -> Callable[..., UI]:
    """Log in a new moderator (role and sites as given) and return their UI."""

    def login(username: str = "mia", role: str = "admin", sites: list[Site] | None = None) -> UI:
        creds.moderator(username, role, sites)
        return UI(client, str(log_in(client, username)))

    return login


@pytest.fixture
def ui(ui_for: Callable[..., UI]) -> UI:
    return ui_for()


@pytest.fixture
def creds(app: Flask, session: Session) -> Credentials:
    return Credentials(app, session)
