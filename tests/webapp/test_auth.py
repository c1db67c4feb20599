"""Logging in and out: messages, sessions, revocation, redirects, audit (G3, G5, G7, H1-H4, B6, J1)."""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask, abort
from flask.testing import FlaskClient
from flask_login import current_user, login_required
from sqlalchemy import select

from tests.conftest import PASSWORD, login, make_organisation, make_user
from webapp.extensions import db
from webapp.models import AuditEvent, User
from webapp.services.users import end_sessions

LOGIN_FAILED = "Email or password is incorrect"


@pytest.fixture
def make_app(make_app: Callable[..., Flask]) -> Callable[..., Flask]:
    """The shared factory (tests/conftest.py), each app with a `/whoami` route."""

    def build(**overrides: Any) -> Flask:
        new = make_app(**overrides)
        _add_whoami(new)
        return new

    return build


def _add_whoami(app: Flask) -> None:
    @login_required
    def whoami() -> str:
        return f"{current_user.email} {current_user.role}"

    app.add_url_rule("/_test/whoami", "whoami", whoami)


@pytest.fixture
def whoami_app(make_app: Callable[..., Flask]) -> Flask:
    """An app with a page for signed-in users. Its requests run in their own app context, as
    in production: the fixture `app`'s context would keep `g` (and the loaded user) between
    requests."""
    return make_app()


@pytest.fixture
def focal(app: Flask) -> User:
    return make_user("focal_point", make_organisation("FRA"))


def alert_text(html: str) -> str:
    match = re.search(r'role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert match, html
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def audit_actions() -> list[tuple[str, int | None, dict[str, Any]]]:
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(row.action, row.actor_id, row.detail) for row in rows if row.entity == "user"]


# The form ----------------------------------------------------------------------------------


def test_login_page_names_its_fields_and_button(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', html)
    assert re.search(r'<label for="password">Password</label>', html)
    assert re.search(r'<input[^>]*id="email"[^>]*type="email"', html)
    assert re.search(r'<input[^>]*id="password"[^>]*type="password"', html)
    assert '<button type="submit">Log in</button>' in html
    assert 'role="alert"' not in html


def test_login_and_logout(whoami_app: Flask, focal: User) -> None:
    client = whoami_app.test_client()
    response = login(client, focal)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/_test/whoami").get_data(as_text=True) == f"{focal.email} focal_point"
    page = client.get("/login")
    assert page.status_code == 302  # already logged in

    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/_test/whoami").status_code == 302
    assert "You have logged out." in client.get("/login").get_data(as_text=True)
    assert [action for action, *_ in audit_actions()] == ["create", "login", "logout"]
    assert audit_actions()[1][1] == focal.id


def test_logout_is_post_only(client: FlaskClient, focal: User) -> None:
    login(client, focal)
    assert client.get("/logout").status_code == 405
    assert [action for action, *_ in audit_actions()] == ["create", "login"]


def test_logout_button_is_a_form_in_the_header(client: FlaskClient, focal: User) -> None:
    login(client, focal)
    html = client.get("/login?next=/x", follow_redirects=True).get_data(as_text=True)
    assert re.search(r'<form class="logout-form" method="post" action="/logout">', html)
    assert re.search(r'<button type="submit" class="secondary">Log out</button>', html)


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("focal_point.fra@example.org", "wrong password"),
        ("nobody@example.org", PASSWORD),
        ("FOCAL_POINT.FRA@example.org ", "wrong password"),
        ("focal_point.fra@example.org", "x" * 5000),
        ("x" * 300 + "@example.org", PASSWORD),
    ],
)
def test_failed_logins_say_the_same_thing(
    client: FlaskClient, focal: User, email: str, password: str
) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200
    assert alert_text(response.get_data(as_text=True)) == LOGIN_FAILED
    assert client.get("/login").status_code == 200  # still anonymous


def test_inactive_user_gets_the_same_message(client: FlaskClient, focal: User) -> None:
    focal.active = False
    db.session.commit()
    response = login(client, focal)
    assert alert_text(response.get_data(as_text=True)) == LOGIN_FAILED


def test_empty_fields_are_announced(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "", "password": ""})
    assert alert_text(response.get_data(as_text=True)) == (
        "Enter your email address Enter your password"
    )


def test_failed_login_is_audited_with_the_email_and_never_the_password(
    client: FlaskClient, focal: User
) -> None:
    client.post("/login", data={"email": " Focal_Point.FRA@example.org", "password": "hunter22"})
    action, actor, detail = audit_actions()[-1]
    assert (action, actor, detail) == ("login_failed", None, {"email": focal.email})
    everything = repr(
        [(row.detail, row.entity_id) for row in db.session.scalars(select(AuditEvent))]
    )
    assert "hunter22" not in everything


def test_log_lines_cannot_be_forged(
    client: FlaskClient, focal: User, caplog: pytest.LogCaptureFixture
) -> None:
    """J6: an email with a newline, a forged JSON entry and ANSI escapes stays one JSON line."""
    from webapp.security import JsonFormatter

    nasty = 'evil@example.org\n{"level": "INFO", "message": "login"}\x1b[2J\r' + "x" * 5000
    with caplog.at_level("INFO", logger="webapp"):
        client.post("/login", data={"email": nasty, "password": "x"})
    records = [r for r in caplog.records if getattr(r, "fields", {}).get("event") == "login_failed"]
    assert len(records) == 1
    line = JsonFormatter().format(records[0])
    for forbidden in ("\n", "\r", "\x1b"):
        assert forbidden not in line
    assert len(line) < 1500
    entry = json.loads(line)
    assert entry["event"] == "login_failed"
    assert entry["email"].startswith('evil@example.org\n{"level": "info"')
    assert entry["request_id"]


def test_timing_does_not_reveal_whether_an_email_exists(client: FlaskClient, focal: User) -> None:
    """H2: unknown emails run a dummy password check; a loose bound catches its removal."""

    def duration(email: str) -> float:
        start = time.perf_counter()
        client.post("/login", data={"email": email, "password": "wrong password"})
        return time.perf_counter() - start

    duration(focal.email)  # warm up
    known, unknown = [], []
    for _ in range(5):
        known.append(duration(focal.email))
        unknown.append(duration("nobody@example.org"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


# Sessions ----------------------------------------------------------------------------------


def test_session_is_renewed_at_login(client: FlaskClient, focal: User) -> None:
    """Session fixation: what an attacker planted before the login does not survive it."""
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        session["language"] = "fr"
    before = client.get_cookie("session")
    login(client, focal)
    after = client.get_cookie("session")
    assert before is not None
    assert after is not None
    assert before.value != after.value
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["language"] == "fr"  # the language chosen before logging in stays
        assert session["_user_id"] == f"{focal.id}:1"


def test_a_copied_cookie_is_refused_after_logout(whoami_app: Flask, focal: User) -> None:
    """H4: the cookie names the session version; logout bumps it."""
    client = whoami_app.test_client()
    login(client, focal)
    stolen = client.get_cookie("session")
    assert stolen is not None
    client.post("/logout")
    thief = whoami_app.test_client()
    thief.set_cookie("session", stolen.value)
    response = thief.get("/_test/whoami")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_deactivated_user_is_refused_on_the_next_request(whoami_app: Flask, focal: User) -> None:
    client = whoami_app.test_client()
    login(client, focal)
    assert client.get("/_test/whoami").status_code == 200
    focal.active = False
    db.session.commit()
    assert client.get("/_test/whoami").status_code == 302


def test_role_change_ends_the_session_even_without_a_version_bump(
    whoami_app: Flask, focal: User
) -> None:
    """B6: the role is read from the database on every request and compared with the one the
    session was issued for, so a forgotten `end_sessions` cannot leave old rights alive."""
    client = whoami_app.test_client()
    login(client, focal)
    focal.role = "contributor"
    db.session.commit()
    assert client.get("/_test/whoami").status_code == 302
    login(client, focal)
    assert client.get("/_test/whoami").get_data(as_text=True).endswith(" contributor")


def test_end_sessions_logs_out_every_device(whoami_app: Flask, focal: User) -> None:
    client = whoami_app.test_client()
    laptop, phone = client, whoami_app.test_client()
    login(laptop, focal)
    login(phone, focal)
    end_sessions(focal)
    db.session.commit()
    assert laptop.get("/_test/whoami").status_code == 302
    assert phone.get("/_test/whoami").status_code == 302


@pytest.mark.parametrize("garbage", ["1", "abc:1", "1:x", "", "99:1", "1:1:1"])
def test_malformed_user_ids_are_anonymous(whoami_app: Flask, focal: User, garbage: str) -> None:
    client = whoami_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = garbage
        session["_role"] = "focal_point"
    assert client.get("/_test/whoami").status_code == 302


def test_anonymous_api_request_gets_401_json(client: FlaskClient) -> None:
    from flask import Blueprint

    # A stand-in API route protected the way the web pages are.
    api = Blueprint("_test_api", __name__)

    @api.get("/api/_test")
    @login_required
    def secret() -> str:
        return "secret"

    client.application.register_blueprint(api)
    response = client.get("/api/_test")
    assert response.status_code == 401
    assert response.get_json() == {
        "error": {
            "code": "unauthorized",
            "message": "A valid API token is required (Authorization: Bearer TOKEN).",
        }
    }
    assert response.headers["WWW-Authenticate"] == "Bearer"


# Redirects after login (G7) ----------------------------------------------------------------

SAFE = ["/", "/cycles/kyoto-core@2026/FRA", "/review?status=submitted&page=2", "/a/b#part"]
UNSAFE = [
    "https://evil.example",
    "http:evil.example",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "evil.example",
    "",
]


@pytest.mark.parametrize("target", SAFE)
def test_next_goes_back_to_a_page_of_this_site(
    client: FlaskClient, focal: User, target: str
) -> None:
    response = client.post(
        "/login", query_string={"next": target}, data={"email": focal.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", UNSAFE)
def test_next_never_leaves_the_site(client: FlaskClient, focal: User, target: str) -> None:
    response = client.post(
        "/login", query_string={"next": target}, data={"email": focal.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_required_page_sends_back_after_login(whoami_app: Flask, focal: User) -> None:
    client = whoami_app.test_client()
    response = client.get("/_test/whoami?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/_test/whoami?x%3D1"
    response = client.post(
        response.headers["Location"], data={"email": focal.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/_test/whoami?x=1"


# XSS (G1) ----------------------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "<img src=x oNeRrOr=alert(1)>",
    "' autofocus onfocus='alert(1)",
    "javascript:alert(1)",
]


class _Inspector(HTMLParser):
    """Collects what a browser would execute: script-like elements, handlers, script URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "svg", "img", "iframe", "object", "embed"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on") or name in ("autofocus", "srcdoc"):
                self.found.append(f"{tag} {name}")
            scheme = (value or "").strip().lower()
            if name in ("href", "src", "action", "formaction") and scheme.startswith(
                ("javascript:", "data:")
            ):
                self.found.append(f"{tag} {name}={value}")


def assert_inert(html: str) -> None:
    inspector = _Inspector()
    inspector.feed(html)
    assert inspector.found == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_email_and_next_are_inert(client: FlaskClient, payload: str) -> None:
    response = client.post(
        "/login", query_string={"next": payload}, data={"email": payload, "password": "x"}
    )
    html = response.get_data(as_text=True)
    assert_inert(html)
    assert payload not in html or payload == "javascript:alert(1)"
    assert_inert(client.get("/login", query_string={"next": payload}).get_data(as_text=True))
    assert_inert(client.get("/" + payload).get_data(as_text=True))


# CSRF (G3) ---------------------------------------------------------------------------------


def test_login_without_a_csrf_token_is_refused(make_app: Callable[..., Flask], focal: User) -> None:
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"email": focal.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "This form has expired or was sent from another site." in response.get_data(as_text=True)
    assert client.get("/login").status_code == 200  # not logged in


def test_login_with_a_wrong_or_foreign_token_is_refused(
    make_app: Callable[..., Flask], focal: User
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    mine, other = app.test_client(), app.test_client()
    foreign = csrf_token(other)
    csrf_token(mine)
    for token in ("wrong", foreign):
        response = mine.post(
            "/login", data={"email": focal.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 400
    response = mine.post(
        "/login", data={"email": focal.email, "password": PASSWORD, "csrf_token": csrf_token(mine)}
    )
    assert response.status_code == 302


def test_logout_without_a_csrf_token_is_refused(
    make_app: Callable[..., Flask], focal: User
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    client.post(
        "/login",
        data={"email": focal.email, "password": PASSWORD, "csrf_token": csrf_token(client)},
    )
    assert client.get("/_test/whoami").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.post("/logout", data={"csrf_token": "nope"}).status_code == 400
    assert client.get("/_test/whoami").status_code == 200  # still logged in
    token = csrf_token(client, "/_no_such_page")  # every page's header has the logout form
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/_test/whoami").status_code == 302


# Throttling (H1) ---------------------------------------------------------------------------


def _fail(client: FlaskClient, email: str, address: str) -> int:
    response = client.post(
        "/login",
        data={"email": email, "password": "wrong password"},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def _throttle_cases(make_app: Callable[..., Flask], focal: User, storage: str) -> None:
    import uuid

    app = make_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute", RATELIMIT_STORAGE_URI=storage
    )
    client = app.test_client()
    run = uuid.uuid4().hex[:8]  # Redis may be shared: keys of this run only
    victim = f"victim-{run}@example.org"

    # One email from many addresses.
    assert [_fail(client, victim, f"10.1.{i}.1") for i in range(3)] == [200, 200, 200]
    response = client.post(
        "/login", data={"email": victim, "password": "x"}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
    )
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Too many attempts in a short time. Please wait a minute and try again." in html
    assert int(response.headers["Retry-After"]) >= 1
    assert response.headers["X-Request-Id"]

    # One address trying many emails.
    address = f"10.2.{int(run[:2], 16)}.{int(run[2:4], 16)}"
    codes = [_fail(client, f"user{i}-{run}@example.org", address) for i in range(4)]
    assert codes == [200, 200, 200, 429]

    # Successful logins do not count; the right password is refused while throttled.
    good_address = f"10.3.{int(run[:2], 16)}.{int(run[2:4], 16)}"
    for _ in range(4):
        ok = app.test_client()
        response = ok.post(
            "/login",
            data={"email": focal.email, "password": PASSWORD},
            environ_base={"REMOTE_ADDR": good_address},
        )
        assert response.status_code == 302
    response = client.post(
        "/login",
        data={"email": focal.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": address},
    )
    assert response.status_code == 429
    # GET is never throttled.
    assert client.get("/login", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_login_throttled_per_email_and_per_address(
    make_app: Callable[..., Flask], focal: User, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="webapp"):
        _throttle_cases(make_app, focal, "memory://")
    events = [getattr(r, "fields", {}).get("event") for r in caplog.records]
    assert events.count("login_throttled") >= 2


def test_login_throttling_with_redis(make_app: Callable[..., Flask], focal: User) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    _throttle_cases(make_app, focal, url)


def test_throttled_api_shape(make_app: Callable[..., Flask]) -> None:
    app = make_app()

    @app.get("/api/_test_throttled")
    def throttled() -> str:
        abort(429)

    response = app.test_client().get("/api/_test_throttled")
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"


# Cookies (G5) ------------------------------------------------------------------------------


def _set_cookie(response) -> str:  # type: ignore[no-untyped-def]
    cookies = [v for k, v in response.headers.items() if k == "Set-Cookie"]
    [cookie] = [c for c in cookies if c.startswith("session=")]
    return cookie


def test_cookie_flags_in_development(client: FlaskClient, focal: User) -> None:
    cookie = _set_cookie(login(client, focal))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie
    assert "Expires=" in cookie  # a permanent session: the idle timeout applies


def test_cookie_flags_in_production(make_app: Callable[..., Flask], focal: User) -> None:
    app = make_app(PREFERRED_URL_SCHEME="https")
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": focal.email, "password": PASSWORD},
        base_url="https://kyoto.example",
    )
    cookie = _set_cookie(response)
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie.split("; ")
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
