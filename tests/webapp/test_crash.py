"""Crashes (RELIABILITY A8): a process killed inside the submit transaction leaves the submission,
its status and its revision all there or none; the retry then succeeds. And `kyoto serve` (gunicorn)
replaces a killed worker and goes on serving. On SQLite (WAL) and, in the PostgreSQL run, on
PostgreSQL.

The HTTP submit route is not there yet, so the crash is driven through `kyoto submit` in a
subprocess, with the test hook `KYOTO_TEST_PAUSE_BEFORE_COMMIT` (webapp/services/responses.py)
holding it after the writes and before the commit.
"""

from __future__ import annotations

import os
import select as select_module
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.models import Response, Revision
from webapp.services.responses import save_draft, start

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

KYOTO = [sys.executable, "-c", "from webapp.cli import main; main()"]


def environment(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "KYOTO_TEST_PAUSE_BEFORE_COMMIT"}
    env.update(DATABASE_URL=database_url, SECRET_KEY="crash-test", **extra)
    return env


def wait_for_line(process: subprocess.Popen[bytes], marker: bytes, timeout: float) -> bytes:
    """Read the process's stderr until a line contains `marker`; fail after `timeout` seconds."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while marker not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or process.poll() is not None:
            pytest.fail(f"no {marker!r} on stderr: {seen.decode(errors='replace')}")
        ready, _, _ = select_module.select([process.stderr], [], [], remaining)
        if ready:
            seen += os.read(process.stderr.fileno(), 4096)
    return seen


@pytest.fixture
def draft_response(mini_cycle) -> Response:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    response = start(mini_cycle, france, None)
    save_draft(response, {"national_strategy": "full", "strategy_year": 2020}, None, 1)
    db.session.commit()
    return response


def assert_write_transaction_open(response: Response, database_url: str) -> None:
    """The paused process has written and not committed: its write lock is still held."""
    if database_url.startswith("sqlite"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                connection.execute("BEGIN IMMEDIATE")
        finally:
            connection.close()
        return
    with pytest.raises(OperationalError, match="lock"):
        db.session.execute(
            select(Response.id).where(Response.id == response.id).with_for_update(nowait=True)
        )
    db.session.rollback()


def state(response: Response) -> tuple[str, bool, int, list[str]]:
    db.session.expire_all()
    stored = db.session.get(Response, response.id)
    actions = list(
        db.session.scalars(
            select(Revision.action)
            .where(Revision.response_id == response.id)
            .order_by(Revision.number)
        )
    )
    return stored.status, stored.submitted_at is not None, stored.version, actions


def test_killed_inside_the_submit_transaction_leaves_nothing_then_the_retry_succeeds(
    draft_response: Response, database_url: str, tmp_path: Path
) -> None:
    cycle = draft_response.cycle.name
    before = state(draft_response)
    assert before == ("draft", False, 2, ["start", "save"])
    process = subprocess.Popen(
        [*KYOTO, "submit", cycle, "FRA"],
        env=environment(database_url, tmp_path, KYOTO_TEST_PAUSE_BEFORE_COMMIT="60"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_line(process, b"KYOTO_TEST_PAUSE_BEFORE_COMMIT: paused", timeout=60)
        assert_write_transaction_open(draft_response, database_url)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
    assert process.returncode == -signal.SIGKILL
    # None of it: the status, the submission time, the version and the revision go together.
    assert state(draft_response) == before

    retry = subprocess.run(
        [*KYOTO, "submit", cycle, "FRA"],
        env=environment(database_url, tmp_path),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert retry.returncode == 0, retry.stderr.decode()
    assert state(draft_response) == ("submitted", True, 3, ["start", "save", "submit"])


def test_a_pause_without_a_crash_commits_everything(
    draft_response: Response, database_url: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [*KYOTO, "submit", draft_response.cycle.name, "FRA"],
        env=environment(database_url, tmp_path, KYOTO_TEST_PAUSE_BEFORE_COMMIT="0.1"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert b"KYOTO_TEST_PAUSE_BEFORE_COMMIT: paused" in result.stderr
    assert state(draft_response) == ("submitted", True, 3, ["start", "save", "submit"])


# -- kyoto serve ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (Linux /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(entry.name))
    return found


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return reply.read().decode()


def answers(url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return get(url) == "pong"
        except OSError:
            time.sleep(0.2)
    return False


@pytest.fixture
def server(app, database_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:  # type: ignore[no-untyped-def]
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        [*KYOTO, "serve", "--port", str(port), "--workers", "2", "--timeout", "30"],
        env=environment(database_url, tmp_path),
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        yield process, f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.slow
def test_serve_replaces_a_killed_worker(server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    process, base = server
    assert answers(f"{base}/ping", timeout=90), (tmp_path / "serve.log").read_text()
    workers = children(process.pid)
    assert len(workers) == 2
    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = children(process.pid)
        if victim not in now and len(now) == 2:
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker was not replaced: {(tmp_path / 'serve.log').read_text()}")
    for _ in range(6):  # both workers answer (connections spread over them)
        assert answers(f"{base}/ping", timeout=30)
    assert process.poll() is None
    assert "Booting worker" in (tmp_path / "serve.log").read_text()
