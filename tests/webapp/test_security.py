"""Headers, request ids, size limits and error responses (G6, G8, I1, I2, SPEC §6 error shape)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, abort
from flask.testing import FlaskClient
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from tests.conftest import login, make_user
from webapp.extensions import login_manager
from webapp.security import JsonFormatter
from webapp.services import Conflict

MB = 1000 * 1000


@pytest.fixture
def broken(make_app: Callable[..., Flask]) -> Flask:
    """An app whose routes fail the way real code does, with exceptions not propagated."""
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        secret = app.config["SECRET_KEY"]
        raise RuntimeError(f"database password hunter2 and {secret}")

    @app.get("/api/boom")
    def api_boom() -> str:
        raise RuntimeError("hunter2")

    @app.post("/api/echo")
    def api_echo() -> str:
        return "ok"

    @app.get("/conflict")
    def conflict() -> str:
        raise Conflict("The response was changed by someone else; reload it.")

    @app.get("/api/forbidden")
    def api_forbidden() -> str:
        abort(403)

    @app.get("/locked")
    @app.get("/api/locked")
    def locked() -> str:
        raise OperationalError("UPDATE response", {}, Exception("database is locked"))

    return app


# Headers (G6) ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/ping", "/no-such-page", "/static/css/site.css"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:
        headers = response.headers
    csp = headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain HTTP in development


def test_hsts_in_production(make_app: Callable[..., Flask]) -> None:
    app = make_app(PREFERRED_URL_SCHEME="https", HSTS_MAX_AGE=600)
    response = app.test_client().get("/ping", base_url="https://kyoto.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=600"
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_pages_are_not_cached(client: FlaskClient) -> None:
    assert client.get("/login").headers["Cache-Control"] == "no-store"


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP forbids them; a template that used them would silently break."""
    templates = Path(__file__).parents[2] / "webapp" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<style" not in text, path
        assert " style=" not in text, path
        assert " onclick=" not in text.lower(), path
        for chunk in text.split("<script")[1:]:
            attributes = chunk.split(">", 1)[0]
            # A script file, or a JSON data block (never executed, allowed by the CSP).
            assert " src=" in attributes or 'type="application/json"' in attributes, path


# Request ids -------------------------------------------------------------------------------


def test_every_response_has_a_request_id(client: FlaskClient) -> None:
    first = client.get("/ping").headers["X-Request-Id"]
    second = client.get("/ping").headers["X-Request-Id"]
    assert first != second
    assert len(first) >= 16


def test_a_well_formed_incoming_request_id_is_kept(client: FlaskClient) -> None:
    response = client.get("/no-such-page", headers={"X-Request-Id": "lb-1234.abcd"})
    assert response.headers["X-Request-Id"] == "lb-1234.abcd"
    assert "lb-1234.abcd" in response.get_data(as_text=True)


# Errors (G8, SPEC §6) ----------------------------------------------------------------------


def test_unexpected_exception_gives_a_generic_page(
    broken: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="webapp"):
        response = broken.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    request_id = response.headers["X-Request-Id"]
    assert "Something went wrong on our side." in html
    assert f"Reference: {request_id}" in html
    for leak in ("hunter2", "test-secret", "RuntimeError", "Traceback", "boom()"):
        assert leak not in html
    [record] = [r for r in caplog.records if r.exc_info]
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["request_id"] == request_id
    assert "RuntimeError: database password" in entry["exception"]


def test_api_errors_have_one_shape(broken: Flask) -> None:
    client = broken.test_client()
    cases = [
        (client.get("/api/boom"), 500, "internal_error"),
        (client.get("/api/no-such-thing"), 404, "not_found"),
        (client.get("/api/forbidden"), 403, "forbidden"),
        (client.get("/api/echo"), 405, "method_not_allowed"),
        (client.post("/api/echo", data=b"x" * (11 * MB)), 413, "payload_too_large"),
    ]
    for response, status, code in cases:
        assert response.status_code == status
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert list(body) == ["error"]
        assert sorted(body["error"]) == ["code", "message"]
        assert body["error"]["code"] == code
        assert isinstance(body["error"]["message"], str)
        assert body["error"]["message"]
        assert "hunter2" not in response.get_data(as_text=True)
    assert set(cases[3][0].headers["Allow"].split(", ")) == {"OPTIONS", "POST"}


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/no-such-page", 404, "Page not found"),
        ("/logout", 405, "Not allowed"),
        ("/conflict", 409, "Conflict"),
    ],
)
def test_error_pages_for_people(broken: Flask, path: str, status: int, title: str) -> None:
    response = broken.test_client().get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f"<h1>{title}</h1>" in html
    assert f"Error {status}. Reference: {response.headers['X-Request-Id']}" in html


def test_database_unavailable_is_a_503_page_even_for_a_logged_in_user(
    broken: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = broken.test_client()
    login(client, make_user("secretariat"))

    def database_down(user_id: str) -> None:
        raise OperationalError("SELECT user", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", database_down)
    response = client.get("/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "<h1>Service unavailable</h1>" in html
    assert f"Reference: {response.headers['X-Request-Id']}" in html
    assert "database is locked" not in html
    assert "refused" not in html
    response = client.get("/api/locked")
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "unavailable"


def test_service_errors_show_their_message(broken: Flask) -> None:
    html = broken.test_client().get("/conflict").get_data(as_text=True)
    assert "The response was changed by someone else; reload it." in html


def test_a_blueprint_can_handle_csrf_failures_itself(make_app: Callable[..., Flask]) -> None:
    """The respond blueprint re-renders posted answers on a CSRF failure; others get the page."""
    app = make_app(WTF_CSRF_ENABLED=True)
    forms = Blueprint("_test_forms", __name__)

    @forms.post("/_test/form")
    def post_form() -> str:
        return "saved"

    @forms.errorhandler(CSRFError)
    def keep_answers(error: CSRFError) -> tuple[str, int]:
        from flask import request

        return f"kept {request.form['answer']}", 400

    app.register_blueprint(forms)
    client = app.test_client()
    response = client.post("/_test/form", data={"answer": "42"})
    assert (response.status_code, response.get_data(as_text=True)) == (400, "kept 42")
    response = client.post("/login", data={"email": "a@b.org"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)


def test_api_csrf_failure_is_json(make_app: Callable[..., Flask]) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)

    @app.post("/api/_test_cookie_only")
    def cookie_only() -> str:
        return "ok"

    response = app.test_client().post("/api/_test_cookie_only", data={"x": "1"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf_failed"


# Size limits (I1, I2) ----------------------------------------------------------------------


def test_body_over_the_limit_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", data=b"x" * (11 * MB), content_type="application/octet-stream")
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)


def test_url_encoded_form_over_the_limit_is_refused(client: FlaskClient) -> None:
    body = "email=a%40b.org&password=" + "x" * (11 * MB)
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def multipart(fields: dict[str, str]) -> dict[str, Any]:
    """A multipart body built here: the test client's own encoder leaves a temporary file open
    when the server refuses the body unread."""
    boundary = "kyoto-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    body = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_multipart_with_5000_parts_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", **multipart({f"field{i}": "x" for i in range(5000)}))
    assert response.status_code == 413


def test_url_encoded_with_5000_parts_is_refused(client: FlaskClient) -> None:
    body = "&".join(f"field{i}=x" for i in range(5000))
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_large_multipart_text_part_is_refused(client: FlaskClient) -> None:
    response = client.post("/login", **multipart({"email": "a@b.org", "password": "x" * (3 * MB)}))
    assert response.status_code == 413


def test_ordinary_forms_pass(client: FlaskClient) -> None:
    data = {f"q{i}": "answer" for i in range(500)} | {"email": "a@b.org", "password": "x"}
    assert client.post("/login", data=data).status_code == 200
    assert client.post("/login", **multipart(data)).status_code == 200


# Reverse proxies ---------------------------------------------------------------------------


def _remote_address_app(make_app: Callable[..., Flask], **config: Any) -> FlaskClient:
    app = make_app(**config)

    @app.get("/_test/address")
    def address() -> str:
        from flask import request

        return f"{request.remote_addr} {request.scheme}"

    return app.test_client()


def test_forwarded_headers_are_ignored_without_a_proxy(make_app: Callable[..., Flask]) -> None:
    client = _remote_address_app(make_app)
    headers = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    response = client.get("/_test/address", headers=headers)
    assert response.get_data(as_text=True) == "127.0.0.1 http"


def test_the_client_address_is_read_behind_one_proxy(make_app: Callable[..., Flask]) -> None:
    client = _remote_address_app(make_app, PROXY_COUNT=1)
    headers = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"}
    response = client.get("/_test/address", headers=headers)
    assert response.get_data(as_text=True) == "203.0.113.9 https"  # the entry our proxy added


def test_too_large_comes_before_the_csrf_check(make_app: Callable[..., Flask]) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    body = "&".join(f"field{i}=x" for i in range(5000))
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    response = client.post("/login", data=b"x" * (11 * MB), content_type="text/plain")
    assert response.status_code == 413
