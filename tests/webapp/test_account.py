"""Changing and recovering a password (H1 recovery path, H3 rehash, H5 reset links, G1, G3, J1)."""

from __future__ import annotations

import re
import smtplib
import statistics
import time
import types
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import itsdangerous.timed
import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from tests.conftest import PASSWORD, login, make_organisation, make_user
from tests.webapp.test_auth import PAYLOADS, assert_inert, csrf_token
from webapp.cli import cli
from webapp.extensions import db
from webapp.mail import Message
from webapp.models import AuditEvent, User
from webapp.services import passwords
from webapp.services.users import HASH_METHOD

NEW_PASSWORD = "a new and longer secret"
NEUTRAL = "we have sent it a link to choose a new password."
REFUSED_USED = "This link does not work: it has been used already"
REFUSED_EXPIRED = "This link has expired: a link works for 60 minutes. Ask for a new one."
LINK = re.compile(r"https?://\S+/account/reset-password/\S+")


@pytest.fixture
def web(make_app: Callable[..., Flask]) -> Flask:
    return make_app()


@pytest.fixture
def focal(app: Flask) -> User:
    return make_user("focal_point", make_organisation("FRA"))


@pytest.fixture
def officer(app: Flask) -> User:
    return make_user("officer")


def outbox(app: Flask) -> list[Message]:
    return app.extensions["mail_outbox"]


def link_in(message: Message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def logged_in(client: FlaskClient) -> bool:
    """The change-password page answers 200 to a logged-in user, a login redirect otherwise."""
    return client.get("/account/password").status_code == 200


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def main_of(html: str) -> str:
    match = re.search(r"<main.*</main>", html, re.S)
    assert match, html
    return match.group(0)


def stored_hash(user: User) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).password_hash  # type: ignore[union-attr]


def audit_actions(user: User | None = None) -> list[str]:
    db.session.expire_all()
    rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [
        row.action
        for row in rows
        if row.entity == "user" and (user is None or row.entity_id == str(user.id))
    ]


def ask_for_link(web: Flask, email: str, **kwargs: Any) -> str:
    """The page answering a forgot-password request (its text)."""
    response = web.test_client().post("/account/forgot-password", data={"email": email}, **kwargs)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def reset_link(web: Flask, user: User) -> str:
    ask_for_link(web, user.email)
    return path_of(link_in(outbox(web)[-1]))


def set_password(client: FlaskClient, path: str, password: str = NEW_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(path, data={"new_password": password, "confirm": password})


# Changing a password -----------------------------------------------------------------------


def change(client: FlaskClient, current: str, new: str, confirm: str | None = None):  # type: ignore[no-untyped-def]
    data = {"current_password": current, "new_password": new, "confirm": confirm or new}
    return client.post("/account/password", data=data)


def test_the_header_links_to_change_password_and_login_to_forgot(web: Flask, focal: User) -> None:
    client = web.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    assert '<a href="/account/forgot-password">Forgot your password?</a>' in login_page
    assert "Change password" not in login_page
    login(client, focal)
    page = client.get("/account/password").get_data(as_text=True)
    assert re.search(r'<a class="account-link" href="/account/password">Change password</a>', page)
    assert re.search(r'<label for="current_password">Current password</label>', page)
    assert re.search(r'<label for="new_password">New password</label>', page)
    assert re.search(r'<label for="confirm">New password again</label>', page)
    assert '<button type="submit">Change password</button>' in page


def test_change_password_needs_a_login(web: Flask) -> None:
    response = web.test_client().get("/account/password")
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == "/login"
    response = change(web.test_client(), PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert path_of(response.headers["Location"]) == "/login"


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password", NEW_PASSWORD, NEW_PASSWORD, "The current password is incorrect"),
        (PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "!", "The two new passwords are not the same"),
        (PASSWORD, "short", "short", "The new password must have at least 8 characters"),
        (PASSWORD, "x" * 1025, "x" * 1025, "The new password must have at most 1024 characters"),
        ("", NEW_PASSWORD, NEW_PASSWORD, "Enter your current password"),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(
    web: Flask, focal: User, current: str, new: str, confirm: str, message: str
) -> None:
    client = web.test_client()
    login(client, focal)
    before = stored_hash(focal)
    response = change(client, current, new, confirm)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    alert = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert alert
    assert text_of(alert.group(1)) == message
    assert 'aria-invalid="true"' in html
    assert stored_hash(focal) == before
    assert logged_in(client)


def test_a_wrong_current_password_is_audited(web: Flask, focal: User) -> None:
    client = web.test_client()
    login(client, focal)
    change(client, "wrong password", NEW_PASSWORD)
    assert audit_actions(focal) == ["create", "login", "password_change_failed"]


def test_changing_ends_the_other_sessions_but_not_this_one(web: Flask, focal: User) -> None:
    laptop, phone = web.test_client(), web.test_client()
    login(laptop, focal)
    login(phone, focal)
    stolen = laptop.get_cookie("session")
    assert stolen is not None
    response = change(laptop, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = laptop.get("/account/password")
    assert page.status_code == 200  # still logged in
    assert "Your password has been changed. Your other sessions have ended." in page.get_data(
        as_text=True
    )
    assert not logged_in(phone)
    thief = web.test_client()
    thief.set_cookie("session", stolen.value)  # the laptop's cookie from before the change
    assert not logged_in(thief)

    assert check_password_hash(stored_hash(focal), NEW_PASSWORD)
    assert login(web.test_client(), focal).status_code == 200  # the old password: refused
    assert login(web.test_client(), focal, NEW_PASSWORD).status_code == 302
    assert audit_actions(focal)[:4] == ["create", "login", "login", "password_change"]


def test_wrong_current_passwords_are_throttled(make_app: Callable[..., Flask], focal: User) -> None:
    web = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3/minute")
    client = web.test_client()
    login(client, focal)
    codes = [change(client, "wrong password", NEW_PASSWORD).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert client.get("/account/password").status_code == 200  # GET is never throttled


# Forgot password: the request ---------------------------------------------------------------


def test_forgot_page(web: Flask) -> None:
    html = web.test_client().get("/account/forgot-password").get_data(as_text=True)
    assert re.search(r'<label for="email">Email</label>', html)
    assert re.search(r'<input[^>]*id="email"[^>]*type="email"', html)
    assert '<button type="submit">Send me a link</button>' in html


def test_known_and_unknown_emails_get_the_same_answer(web: Flask, focal: User) -> None:
    known = ask_for_link(web, focal.email)
    unknown = ask_for_link(web, "nobody@example.org")
    assert NEUTRAL in known
    assert main_of(known).replace(focal.email, "EMAIL") == main_of(unknown).replace(
        "nobody@example.org", "EMAIL"
    )
    assert len(outbox(web)) == 1
    message = outbox(web)[0]
    assert message.to == focal.email
    assert message.subject == "Choose a new password for the Kyoto questionnaires"
    assert link_in(message).startswith("http://localhost/account/reset-password/")
    assert "within 60 minutes" in message.body
    assert message.sender == "kyoto@localhost"
    db.session.expire_all()
    rows = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "password_reset_request")
    ).all()
    assert [(r.entity_id, r.detail) for r in rows] == [
        (str(focal.id), {"email": focal.email, "sent": True}),
        (None, {"email": "nobody@example.org", "sent": False}),
    ]


def test_email_is_matched_as_at_login(web: Flask, focal: User) -> None:
    ask_for_link(web, "  FOCAL_POINT.FRA@Example.org ")
    assert [m.to for m in outbox(web)] == [focal.email]


def test_a_deactivated_account_gets_no_link(web: Flask, focal: User) -> None:
    link = reset_link(web, focal)
    focal.active = False
    db.session.commit()
    assert NEUTRAL in ask_for_link(web, focal.email)
    assert len(outbox(web)) == 1  # only the one sent while active
    response = web.test_client().get(link)
    assert response.status_code == 400
    assert REFUSED_USED in response.get_data(as_text=True)


def test_an_empty_email_is_asked_again(web: Flask) -> None:
    response = web.test_client().post("/account/forgot-password", data={"email": " "})
    assert response.status_code == 200
    assert "Enter your email address" in response.get_data(as_text=True)
    assert outbox(web) == []


def test_timing_does_not_reveal_whether_an_account_exists(web: Flask, focal: User) -> None:
    """A loose bound: the known email's extra work (a token, a queued mail) stays small."""
    client = web.test_client()

    def duration(email: str) -> float:
        start = time.perf_counter()
        client.post("/account/forgot-password", data={"email": email})
        return time.perf_counter() - start

    duration(focal.email)  # warm up
    known, unknown = [], []
    for _ in range(9):
        known.append(duration(focal.email))
        unknown.append(duration("nobody@example.org"))
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


def test_requests_are_throttled_per_email_and_per_address(
    make_app: Callable[..., Flask], focal: User
) -> None:
    web = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT="3/hour")
    client = web.test_client()

    def ask(email: str, address: str) -> int:
        response = client.post(
            "/account/forgot-password",
            data={"email": email},
            environ_base={"REMOTE_ADDR": address},
        )
        return response.status_code

    # One inbox from many addresses: known and unknown emails alike.
    for email in (focal.email, "nobody@example.org"):
        assert [ask(email, f"10.1.{i}.1") for i in range(4)] == [200, 200, 200, 429]
    assert len(outbox(web)) == 3
    # One address trying many emails.
    assert [ask(f"user{i}@example.org", "10.2.0.1") for i in range(4)] == [200, 200, 200, 429]
    response = client.post(
        "/account/forgot-password",
        data={"email": "x@example.org"},
        environ_base={"REMOTE_ADDR": "10.2.0.1"},
    )
    assert "Too many attempts in a short time." in response.get_data(as_text=True)
    # GET is never throttled.
    get = client.get("/account/forgot-password", environ_base={"REMOTE_ADDR": "10.2.0.1"})
    assert get.status_code == 200


def test_links_are_built_on_public_url_never_on_the_host_header(
    make_app: Callable[..., Flask], focal: User
) -> None:
    web = make_app(PUBLIC_URL="https://kyoto.example.org/survey")
    ask_for_link(web, focal.email, headers={"Host": "evil.example.com"})
    url = link_in(outbox(web)[0])
    assert url.startswith("https://kyoto.example.org/survey/account/reset-password/")
    assert "evil" not in url


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_echoed_email_is_inert(web: Flask, payload: str) -> None:
    email = (payload + "@example.org")[:254]
    html = ask_for_link(web, email)
    assert_inert(html)
    assert email not in html or ("<" not in email and '"' not in email and "'" not in email)


# Reset links --------------------------------------------------------------------------------


def test_a_link_resets_the_password_and_ends_every_session(web: Flask, focal: User) -> None:
    device = web.test_client()
    login(device, focal)
    link = reset_link(web, focal)
    visitor = web.test_client()
    page = visitor.get(link)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<label for="new_password">New password</label>', html)
    assert '<button type="submit">Set the new password</button>' in html

    response = set_password(visitor, link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    login_page = visitor.get("/login").get_data(as_text=True)
    assert "Your password has been changed. Log in with the new one." in login_page
    assert not logged_in(device)
    assert login(web.test_client(), focal).status_code == 200
    assert login(web.test_client(), focal, NEW_PASSWORD).status_code == 302
    assert audit_actions(focal)[-2:] == ["password_reset", "login"]


def test_a_refused_new_password_keeps_the_link_usable(web: Flask, focal: User) -> None:
    link = reset_link(web, focal)
    client = web.test_client()
    response = client.post(link, data={"new_password": "short", "confirm": "short"})
    assert response.status_code == 200
    assert "The new password must have at least 8 characters" in response.get_data(as_text=True)
    response = client.post(link, data={"new_password": NEW_PASSWORD, "confirm": "other one!"})
    assert "The two new passwords are not the same" in response.get_data(as_text=True)
    assert set_password(client, link).status_code == 302


def test_a_link_works_once(web: Flask, focal: User) -> None:
    link = reset_link(web, focal)
    assert set_password(web.test_client(), link).status_code == 302
    for response in (
        web.test_client().get(link),
        set_password(web.test_client(), link, "yet another password"),
    ):
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert REFUSED_USED in html
        assert '<a href="/account/forgot-password">Ask for a new link</a>' in html
    assert check_password_hash(stored_hash(focal), NEW_PASSWORD)


def test_every_link_dies_once_one_is_used_or_the_password_changes(web: Flask, focal: User) -> None:
    first, second = reset_link(web, focal), reset_link(web, focal)
    assert set_password(web.test_client(), second).status_code == 302
    assert web.test_client().get(first).status_code == 400
    third = reset_link(web, focal)
    client = web.test_client()
    login(client, focal, NEW_PASSWORD)
    change(client, NEW_PASSWORD, "changed while logged in")
    assert web.test_client().get(third).status_code == 400


def _created_at(monkeypatch: pytest.MonkeyPatch, seconds_ago: int) -> None:
    now = time.time()
    monkeypatch.setattr(
        itsdangerous.timed, "time", types.SimpleNamespace(time=lambda: now - seconds_ago)
    )


def test_a_link_expires_after_an_hour(
    web: Flask, focal: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    _created_at(monkeypatch, 3600 + 5)
    old = reset_link(web, focal)
    _created_at(monkeypatch, 3600 - 60)
    recent = reset_link(web, focal)
    monkeypatch.undo()
    response = web.test_client().get(old)
    assert response.status_code == 400
    assert REFUSED_EXPIRED in response.get_data(as_text=True)
    assert set_password(web.test_client(), old).status_code == 400
    assert web.test_client().get(recent).status_code == 200


def test_the_lifetime_is_configurable(make_app: Callable[..., Flask], focal: User) -> None:
    web = make_app(PASSWORD_RESET_MAX_AGE=-1)  # expired as soon as made
    link = reset_link(web, focal)
    assert web.test_client().get(link).status_code == 400


def test_a_link_resets_only_its_own_user(web: Flask, focal: User, officer: User) -> None:
    link = reset_link(web, focal)
    assert set_password(web.test_client(), link).status_code == 302
    assert check_password_hash(stored_hash(officer), PASSWORD)
    # Even a validly signed token naming another user fails without that user's fingerprint.
    token = path_of(link).rsplit("/", 1)[1]
    serializer = URLSafeTimedSerializer("test-secret", salt=passwords.RESET_SALT)
    user_id, fingerprint = serializer.loads(token)
    assert user_id == focal.id
    forged = serializer.dumps([officer.id, fingerprint])
    response = set_password(web.test_client(), f"/account/reset-password/{forged}")
    assert response.status_code == 400
    assert check_password_hash(stored_hash(officer), PASSWORD)


def test_tampered_tokens_are_refused(web: Flask, focal: User) -> None:
    link = reset_link(web, focal)
    token = path_of(link).rsplit("/", 1)[1]
    payload, rest = token.split(".", 1)
    other = URLSafeTimedSerializer("test-secret", salt=passwords.RESET_SALT)
    wrong_key = URLSafeTimedSerializer("another secret", salt=passwords.RESET_SALT)
    wrong_salt = URLSafeTimedSerializer("test-secret", salt="itsdangerous")
    candidates = [
        # Not the last character: its two low bits are padding, so "A" -> "B" decodes the same.
        token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],
        token[:-5],
        payload[::-1] + "." + rest,
        wrong_key.dumps([focal.id, "0" * 32]),
        wrong_salt.dumps(other.loads(token)),
        other.dumps({"id": focal.id}),
        other.dumps([str(focal.id), "x"]),
        "x",
        "a" * 600,
    ]
    for candidate in candidates:
        response = set_password(web.test_client(), f"/account/reset-password/{candidate}")
        assert response.status_code == 400, candidate
        assert REFUSED_USED in response.get_data(as_text=True)
    assert check_password_hash(stored_hash(focal), PASSWORD)


# CSRF (G3) ----------------------------------------------------------------------------------


def test_every_account_form_needs_a_csrf_token(make_app: Callable[..., Flask], focal: User) -> None:
    web = make_app(WTF_CSRF_ENABLED=True)
    anonymous = web.test_client()
    response = anonymous.post("/account/forgot-password", data={"email": focal.email})
    assert response.status_code == 400
    assert outbox(web) == []
    data = {"email": focal.email, "csrf_token": csrf_token(anonymous, "/account/forgot-password")}
    assert anonymous.post("/account/forgot-password", data=data).status_code == 200
    link = path_of(link_in(outbox(web)[0]))
    assert set_password(web.test_client(), link).status_code == 400

    user = web.test_client()
    user.post(
        "/login", data={"email": focal.email, "password": PASSWORD, "csrf_token": csrf_token(user)}
    )
    for token in (None, "wrong", csrf_token(web.test_client())):
        data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
        if token:
            data["csrf_token"] = token
        assert user.post("/account/password", data=data).status_code == 400
    assert check_password_hash(stored_hash(focal), PASSWORD)
    # With the page's token, the link (unused so far) and the change both work.
    reset = web.test_client()
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert reset.post(link, data={**data, "csrf_token": csrf_token(reset, link)}).status_code == 302


# The Secretariat's link, without email ------------------------------------------------------


def kyoto(runner, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args))


def test_reset_link_command_end_to_end(runner, web: Flask, focal: User) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "reset-link", focal.email.upper())
    assert result.exit_code == 0, result.output
    url = result.stdout.strip()
    assert url.startswith("http://127.0.0.1:5000/account/reset-password/")
    assert "works once, for 60 minutes" in result.stderr
    assert audit_actions(focal)[-1] == "password_reset_link"
    assert set_password(web.test_client(), path_of(url)).status_code == 302
    assert login(web.test_client(), focal, NEW_PASSWORD).status_code == 302


def test_reset_link_base_url(runner, app: Flask, focal: User) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "reset-link", focal.email, "--base-url", "https://example.org/kyoto/")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("https://example.org/kyoto/account/reset-password/")
    app.config["PUBLIC_URL"] = "https://kyoto.example.org"
    result = kyoto(runner, "reset-link", focal.email)
    assert result.stdout.startswith("https://kyoto.example.org/account/reset-password/")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nobody@example.org"], 1, "error: no user with email nobody@example.org"),
        (["focal_point.fra@example.org", "--base-url", "ftp://x"], 2, "is not an http://"),
        (["focal_point.fra@example.org", "--base-url", "example.org"], 2, "is not an http://"),
    ],
)
def test_reset_link_refusals(  # type: ignore[no-untyped-def]
    runner, focal: User, args: list[str], code: int, message: str
) -> None:
    result = kyoto(runner, "reset-link", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert result.stdout == ""


def test_reset_link_refuses_a_deactivated_account(runner, focal: User) -> None:  # type: ignore[no-untyped-def]
    focal.active = False
    db.session.commit()
    result = kyoto(runner, "reset-link", focal.email)
    assert result.exit_code == 1
    assert f"error: the account {focal.email} is deactivated" in result.stderr


# Hashes (H3) --------------------------------------------------------------------------------


def test_hashes_use_the_current_method(web: Flask, focal: User) -> None:
    assert HASH_METHOD.startswith("scrypt:")
    assert stored_hash(focal).startswith(HASH_METHOD + "$")
    set_password(web.test_client(), reset_link(web, focal))
    assert stored_hash(focal).startswith(HASH_METHOD + "$")


@pytest.mark.parametrize("old_method", ["pbkdf2:sha256:600000", "scrypt:16384:8:1"])
def test_an_old_hash_is_upgraded_at_login(web: Flask, focal: User, old_method: str) -> None:
    focal.password_hash = generate_password_hash(PASSWORD, method=old_method)
    db.session.commit()
    assert login(web.test_client(), focal, "wrong password").status_code == 200
    assert stored_hash(focal).startswith(old_method.split(":")[0])  # a failure changes nothing
    assert login(web.test_client(), focal).status_code == 302
    upgraded = stored_hash(focal)
    assert upgraded.startswith(HASH_METHOD + "$")
    assert check_password_hash(upgraded, PASSWORD)
    assert login(web.test_client(), focal).status_code == 302
    assert stored_hash(focal) == upgraded  # once
    assert audit_actions(focal).count("password_rehash") == 1


# Mail -------------------------------------------------------------------------------------


def test_without_a_mail_server_the_message_goes_to_the_log(
    make_app: Callable[..., Flask], focal: User, caplog: pytest.LogCaptureFixture
) -> None:
    web = make_app(MAIL_SUPPRESS_SEND=False)
    assert "mail_outbox" not in web.extensions
    with caplog.at_level("WARNING", logger="webapp"):
        ask_for_link(web, focal.email)
    (record,) = [r for r in caplog.records if r.getMessage() == "mail_not_sent"]
    assert record.levelname == "WARNING"
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["to"] == focal.email
    assert LINK.search(fields["body"])


class FakeSMTP:
    sent: list[Any] = []
    calls: list[str] = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.calls.append(f"connect {host}:{port}")

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append("quit")

    def starttls(self) -> None:
        self.calls.append("starttls")

    def login(self, user: str, password: str) -> None:
        self.calls.append(f"login {user} {password}")

    def send_message(self, message: Any) -> None:
        if self.fail:
            raise smtplib.SMTPRecipientsRefused({})
        self.sent.append(message)


def test_with_a_mail_server_the_message_is_sent_by_smtp(
    make_app: Callable[..., Flask],
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from webapp import mail

    monkeypatch.setattr(FakeSMTP, "sent", [])
    monkeypatch.setattr(FakeSMTP, "calls", [])
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    web = make_app(
        MAIL_SUPPRESS_SEND=False,
        MAIL_SERVER="smtp.example.org",
        MAIL_USERNAME="kyoto",
        MAIL_PASSWORD="mail secret",
        MAIL_FROM="Kyoto <no-reply@example.org>",
    )
    with web.app_context():
        thread = mail.send("someone@example.org", "Subject", "Body\n")
        assert thread is not None
        thread.join(5)
    assert FakeSMTP.calls == [
        "connect smtp.example.org:587",
        "starttls",
        "login kyoto mail secret",
        "quit",
    ]
    (sent,) = FakeSMTP.sent
    assert (sent["To"], sent["From"], sent["Subject"]) == (
        "someone@example.org",
        "Kyoto <no-reply@example.org>",
        "Subject",
    )
    assert sent.get_content() == "Body\n"

    monkeypatch.setattr(FakeSMTP, "fail", True)
    with caplog.at_level("ERROR", logger="webapp"), web.app_context():
        thread = mail.send("someone@example.org", "Subject", "Body\n")
        assert thread is not None
        thread.join(5)
    assert [r.getMessage() for r in caplog.records] == ["mail_failed"]
