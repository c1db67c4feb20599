"""The plumbing of the browser tests, without a browser: the live server answers over real
HTTP, protects forms with CSRF as in production, and keeps the exceptions of the app."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from flask import Flask

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def _status(url: str, data: bytes | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


def test_the_live_server_answers_and_checks_csrf(live_server: LiveServer) -> None:
    assert live_server.url.startswith("http://127.0.0.1:")
    assert _status(f"{live_server.url}/ping") == (200, "pong")
    status, _body = _status(f"{live_server.url}/login", b"email=a%40b.org&password=x")
    assert status == 400, "a form posted without its CSRF token is refused"


def test_exceptions_inside_the_app_are_kept(app: Flask, live_server: LiveServer) -> None:
    def broken() -> str:
        raise RuntimeError("broken on purpose")

    app.add_url_rule("/broken-on-purpose", view_func=broken)
    status, _body = _status(f"{live_server.url}/broken-on-purpose")
    assert status == 500
    assert [str(error) for error in live_server.errors] == ["broken on purpose"]
    live_server.errors.clear()  # or the fixture would fail this test at teardown
