"""Web test helpers: sign in through the real form (CSRF on), and parse every page as HTML5."""

from __future__ import annotations

import re

import html5lib
import pytest
from flask import Flask
from flask.testing import FlaskClient

from csptoolkit.services.demo import DEMO_PASSWORD

EDITOR = "editor@leeds.example"
VIEWER = "viewer@camden.example"
ADMIN = "admin@csptoolkit.example"
CHAMPION = "champion@csptoolkit.example"
WELSH_EDITOR = "editor@cardiff.example"


def csrf_token(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no CSRF token on the page"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def hidden_value(html: str, name: str) -> str | None:
    """The value of a hidden input the page carries (a browser sends it back with the form), if there is one."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    found = re.search(r'value="([^"]*)"', tag.group(0)) if tag else None
    return found.group(1) if found else None


def parse(html: str):
    """Fail on markup an HTML5 parser finds broken (a cheap check that catches whole classes of bug)."""
    parser = html5lib.HTMLParser(strict=False, namespaceHTMLElements=False)
    document = parser.parse(html)
    serious = [e for e in parser.errors if e[1] not in {"unexpected-end-tag-before-html"}]
    assert not serious, serious[:5]
    return document


class Browser:
    """A test client that reads CSRF tokens from pages as a person's browser would."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self.last = ""

    def get(self, url: str, status: int | None = 200, **kwargs):
        response = self.client.get(url, **kwargs)
        if status is not None:
            assert response.status_code == status, (url, response.status_code, response.location)
        if response.mimetype == "text/html":
            self.last = response.get_data(as_text=True)
            parse(self.last)
        return response

    def post(self, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        data = dict(data or {})
        if "csrf_token" not in data:
            page = self.client.get(token_from or url).get_data(as_text=True)
            data["csrf_token"] = csrf_token(page)
            revision = hidden_value(page, "revision")  # what the page showed, as a browser sends it back
            if revision is not None and "revision" not in data:
                data["revision"] = revision
        response = self.client.post(url, data=data, **kwargs)
        if response.mimetype == "text/html":
            self.last = response.get_data(as_text=True)
        return response

    def sign_in(self, email: str, password: str = DEMO_PASSWORD):
        response = self.post("/sign-in", {"email": email, "password": password})
        assert response.status_code == 302, self.last
        return response

    def text(self) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.last))


@pytest.fixture
def browser(seeded_app: Flask) -> Browser:
    return Browser(seeded_app.test_client())


@pytest.fixture
def other_browser(seeded_app: Flask) -> Browser:
    return Browser(seeded_app.test_client())
