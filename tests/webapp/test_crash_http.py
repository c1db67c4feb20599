"""Crashes over HTTP (RELIABILITY A8), as users meet them: a focal point presses Submit, and the
gunicorn worker serving the post is killed (`kill -9`) inside the submit transaction, after the
writes and before the commit (test hook `KYOTO_TEST_PAUSE_BEFORE_COMMIT`). The browser sees the
connection drop; the database holds the draft as it was, nothing of the submission; gunicorn
replaces the worker. After a restart the browser posts the same form again and it is submitted,
once. On SQLite (WAL) and, in the PostgreSQL run, on PostgreSQL.

gunicorn is started as `kyoto serve` starts it (`gunicorn_argv`, one sync worker), with CSRF
protection on as in production; the browser is urllib with a cookie jar, posting what the page's
form holds (its hidden `csrf_token` and `version`, the answers) plus the button pressed.
"""

from __future__ import annotations

import http.cookiejar
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, make_user
from tests.webapp.test_crash import assert_write_transaction_open, free_port, state
from webapp.commands.server import gunicorn_argv
from webapp.extensions import db
from webapp.models import AuditEvent, Response, Revision
from webapp.services.responses import save_draft, start

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals and /proc"),
    pytest.mark.slow,
]

PAUSED = "KYOTO_TEST_PAUSE_BEFORE_COMMIT: paused"
SUBMITTED = "Thank you: your answers were submitted."
WAIT = 15.0
"""Seconds any one wait may take (a boot, a page, the pause): the test must never hang CI."""


# -- the draft ------------------------------------------------------------------------------------


@dataclass
class Draft:
    response: Response
    cycle_id: int
    email: str
    user_id: int


@pytest.fixture
def draft(mini_cycle) -> Draft:  # type: ignore[no-untyped-def]
    """France's focal point and a complete draft that passes submit validation."""
    france = mini_cycle.assignments[0].organisation
    focal_point = make_user("focal_point", france)
    response = start(mini_cycle, france, focal_point)
    save_draft(response, {"national_strategy": "full", "strategy_year": 2020}, focal_point, 1)
    db.session.commit()
    return Draft(response, mini_cycle.id, focal_point.email, focal_point.id)


def stored(draft: Draft) -> tuple[str, bool, int, list[str], int]:
    """Status, submitted or not, version, revision actions, and the number of audit events."""
    status, submitted, version, actions = state(draft.response)
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    db.session.rollback()  # no transaction of the test's stays open beside the server's
    return status, submitted, version, actions, events or 0


# -- gunicorn -------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def workers(self) -> set[int]:
        """The master's child processes (Linux /proc)."""
        found: set[int] = set()
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with suppress(OSError):
                found.update(int(pid) for pid in children.read_text().split())
        return found


def until(condition: Callable[[], object], what: str, server: Server) -> None:
    """Poll `condition` until it holds; fail with the server's log after WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline or server.process.poll() is not None:
            pytest.fail(f"{what}: not within {WAIT} s; gunicorn's log:\n{server.output()}")
        time.sleep(0.05)


def answers_ping(server: Server) -> bool:
    try:
        with urllib.request.urlopen(f"{server.url}/ping", timeout=5) as reply:
            return bool(reply.read() == b"pong")
    except OSError:
        return False


@contextmanager
def gunicorn(database_url: str, port: int, log: Path, **extra: str) -> Iterator[Server]:
    """gunicorn as `kyoto serve` runs it, one worker; stopped (gracefully) on the way out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYOTO_") and k != "REDIS_URL"}
    env.update(DATABASE_URL=database_url, SECRET_KEY="crash-http-test", **extra)
    argv = gunicorn_argv("127.0.0.1", port, workers=1, timeout=30)
    with log.open("ab") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        until(lambda: answers_ping(server), "gunicorn answers /ping", server)
        yield server
    finally:
        workers = server.workers()
        process.terminate()  # graceful: a request being answered is answered to the end
        try:
            process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            for pid in workers:  # never leave a paused worker holding the database
                with suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.wait()


# -- the browser ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    location: str
    body: str


@dataclass
class Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class FormReader(HTMLParser):
    """What a browser posts from the first form with `css_class`: its action and successful
    controls (checked boxes, text, hidden inputs, textareas, selected options), buttons aside."""

    def __init__(self, css_class: str) -> None:
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.form: Form | None = None
        self.inside = False
        self.select: str | None = None
        self.textarea: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.form is None and self.css_class in (a.get("class") or "").split():
            self.form, self.inside = Form(a.get("action") or ""), True
        if not self.inside or self.form is None:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type") or "text"
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self.form.fields.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                self.form.fields.append((name, a.get("value") or ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.form.fields.append((self.select, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.form is not None:
            self.form.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None


def read_form(html: str, css_class: str) -> Form:
    reader = FormReader(css_class)
    reader.feed(html)
    reader.close()
    assert reader.form is not None, f"no form .{css_class} on the page:\n{html}"
    assert any(name == "csrf_token" and value for name, value in reader.form.fields)
    return reader.form


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def,override]
        return None


class Browser:
    """urllib with a cookie jar (the session); redirects are returned, to be looked at."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def send(self, url: str, fields: list[tuple[str, str]] | None = None) -> Reply:
        data = None if fields is None else urllib.parse.urlencode(fields).encode()
        try:
            reply = self.opener.open(url, data=data, timeout=WAIT)
        except urllib.error.HTTPError as error:  # 3xx, 4xx and 5xx
            with error:
                return Reply(error.code, error.headers.get("Location", ""), error.read().decode())
        with reply:
            return Reply(reply.status, "", reply.read().decode())

    def page(self, url: str) -> Reply:
        """GET, following redirects as a browser does."""
        for _ in range(5):
            reply = self.send(url)
            if reply.status not in (301, 302, 303, 307, 308):
                return reply
            url = urllib.parse.urljoin(url, reply.location)
        pytest.fail(f"too many redirects: {url}")

    def log_in(self, base: str, email: str) -> None:
        form = read_form(self.page(f"{base}/login").body, "login-form")
        fields = [(k, v) for k, v in form.fields if k not in ("email", "password")]
        reply = self.send(f"{base}/login", [*fields, ("email", email), ("password", PASSWORD)])
        assert reply.status == 302, reply.body


# -- the crash ------------------------------------------------------------------------------------


def assert_sqlite_wal_intact(database_url: str) -> None:
    """The file is in WAL mode and, once the killed writer is gone, whole."""
    connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=5)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def test_worker_killed_inside_the_submit_leaves_the_draft_then_the_retry_submits_once(
    draft: Draft, database_url: str, tmp_path: Path
) -> None:
    sqlite = database_url.startswith("sqlite")
    port = free_port()
    section = f"http://127.0.0.1:{port}/cycles/{draft.cycle_id}"
    browser = Browser()
    crashed, restarted = tmp_path / "crashed.log", tmp_path / "restarted.log"
    with gunicorn(database_url, port, crashed, KYOTO_TEST_PAUSE_BEFORE_COMMIT="30") as server:
        browser.log_in(server.url, draft.email)
        form = read_form(browser.page(section).body, "questionnaire-form")
        assert ("version", "2") in form.fields
        submit_post = [*form.fields, ("action", "submit")]
        before = stored(draft)
        assert before[:4] == ("draft", False, 2, ["start", "save"])
        (victim,) = server.workers()

        with ThreadPoolExecutor(max_workers=1) as pool:
            posted = pool.submit(
                browser.send, urllib.parse.urljoin(section, form.action), submit_post
            )
            until(lambda: PAUSED in server.output(), "the submit pauses before its commit", server)
            assert_write_transaction_open(draft.response, database_url)
            if sqlite:
                assert Path(database_url.removeprefix("sqlite:///") + "-wal").exists()
            os.kill(victim, signal.SIGKILL)
            with pytest.raises(ConnectionError):  # the connection drops: no reply at all
                posted.result(timeout=WAIT)

        # None of it: no status, submission time, version or revision, no audit row.
        assert stored(draft) == before
        if sqlite:
            assert_sqlite_wal_intact(database_url)
        # The master replaces the worker, which serves.
        until(lambda: server.workers() - {victim}, "gunicorn boots a new worker", server)
        until(lambda: answers_ping(server), "the new worker answers /ping", server)
        assert victim not in server.workers()
        assert f"Worker (pid:{victim}) was sent SIGKILL" in server.output()
        assert stored(draft) == before

    with gunicorn(database_url, port, restarted) as server:  # without the pause
        retry = browser.send(urllib.parse.urljoin(section, form.action), submit_post)
        assert retry.status in (302, 303), retry.body
        assert SUBMITTED in browser.page(urllib.parse.urljoin(section, retry.location)).body
        assert PAUSED not in server.output()

    status, submitted, version, actions, events = stored(draft)
    assert (status, submitted, version, actions) == (
        "submitted",
        True,
        3,
        ["start", "save", "submit"],
    )
    assert events == before[4]  # a submission is a revision, not an audit event
    submission = db.session.scalar(
        select(Revision).where(Revision.response_id == draft.response.id, Revision.number == 3)
    )
    assert submission is not None
    assert (submission.actor_id, submission.status_before, submission.status_after) == (
        draft.user_id,
        "draft",
        "submitted",
    )
    db.session.rollback()
    for log in (crashed, restarted):
        assert "Traceback" not in log.read_text(errors="replace"), log.read_text()
