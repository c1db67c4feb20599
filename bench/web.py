"""Web throughput of saving a questionnaire page, against `/ping` in the same run (a script).

    .venv/bin/python bench/web.py [--questions 200] [--connections 8] [--workers 2]
        [--rounds 3] [--seconds 4] [--warmup 2] [--repeats 6] [--history 200] [--keep]

Creates a PostgreSQL database of its own (`kyoto_bench_<pid>` on 127.0.0.1:5432, user postgres),
migrates it, publishes a generated definition (`bench/generate.py`), opens a cycle for one
Member State per connection (each with its focal point, each answered in full), serves the app
with gunicorn exactly as `kyoto serve` does (sync workers, CSRF on) on a free 127.0.0.1 port,
and drives it with `wrk` (one thread per connection, each connection its own logged-in user):

- `GET /ping`                         baseline: the cheapest request the stack can answer
- `GET` a section page                the page a respondent reads (and sees after every save)
- `POST` a section page, Save draft   the HTML form as a browser posts it, with the CSRF token
                                      and `version` from the page, one answer changed per post

Rows are measured in interleaved rounds and the ratios are medians of per-round ratios, so load
from other processes hits every row alike. Afterwards every save is reconciled with the database
(no save lost, none duplicated, nothing else changed), then one `save_draft` service call and one
in-process POST are timed and profiled. It drops its database and stops gunicorn at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import http.client
import json
import logging
import os
import pstats
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import generate
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "bench password, not a secret"
SECRET_KEY = "bench-web-secret-key"  # both workers must share it (sessions, CSRF tokens)
TARGET_SAVE_RATIO = 0.10  # save req/s >= 10% of /ping req/s
TARGET_SAVE_P99_MS = 50.0
PING, GET, SAVE = "GET /ping (baseline)", "GET section page", "POST section page (Save draft)"
SHORT = {PING: "/ping", GET: "GET", SAVE: "POST"}
TICK = os.sysconf("SC_CLK_TCK")


# -- a browser, enough of one: cookies, forms ----------------------------------------------------


class FormReader(HTMLParser):
    """The fields a browser would post from the page's questionnaire form (no JavaScript)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self.in_form = False
        self.textarea: list[Any] | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "data-kyoto-form" in a:
            self.in_form = True
        if not self.in_form or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.pairs.append((name, a.get("value") or "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self.pairs.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, []]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            self.pairs.append((self.select, a.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            self.textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            text = "".join(self.textarea[1])
            text = text[1:] if text.startswith("\n") else text  # the parser's leading newline
            # browsers post a textarea's line breaks as CRLF
            self.pairs.append((self.textarea[0], text.replace("\r\n", "\n").replace("\n", "\r\n")))
            self.textarea = None
        elif tag == "select":
            self.select = None


def form_fields(page: str) -> list[tuple[str, str]]:
    reader = FormReader()
    reader.feed(page)
    return reader.pairs


class Browser:
    """One person's cookie jar (the Flask `session` cookie) over fresh HTTP connections."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.session: str | None = None

    def request(self, method: str, path: str, form: Any = None) -> tuple[int, Any, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": f"session={self.session}"} if self.session else {}
        body = None
        if form is not None:
            body = form if isinstance(form, str) else urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            reply = connection.getresponse()
            text = reply.read().decode("utf-8")
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            if "session" in cookie:
                self.session = cookie["session"].value or None
        return reply.status, reply, text

    def login(self, email: str) -> None:
        status, _, page = self.request("GET", "/login")
        token = dict(form_fields_any(page)).get("csrf_token", "")
        status, _, _ = self.request(
            "POST", "/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        if status not in (302, 303) or not self.session:
            raise SystemExit(f"login of {email} failed: HTTP {status}")


def form_fields_any(page: str) -> list[tuple[str, str]]:
    """Inputs of any form (the login page's form is not a questionnaire form)."""
    return re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)


# -- the database and the data ---------------------------------------------------------------


@dataclass
class Person:
    number: int
    email: str
    user_id: int
    organisation_id: int
    response_id: int
    browser: Browser | None = None
    fields: list[tuple[str, str]] = field(default_factory=list)
    version: int = 0
    acked: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)
    in_flight: set[str] = field(default_factory=set)
    never_sent: set[str] = field(default_factory=set)
    no_response: set[str] = field(default_factory=set)


@dataclass
class World:
    url: str
    cycle_id: int
    section_id: str
    section_questions: int
    varied: str  # the text question each post changes
    people: list[Person]
    lab: Person  # answered in full too, used only in-process
    other_full: dict[str, Any]


def create_database(name: str) -> str:
    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=10) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(POSTGRES, autocommit=True, connect_timeout=10) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def populate(app: Any, url: str, questions: int, people: int) -> World:
    """Definition, Member States, one focal point each, an open cycle, full answers saved."""
    from sqlalchemy import select

    from engine.model import Questionnaire
    from webapp.extensions import db
    from webapp.models import Organisation
    from webapp.services.cycles import open_cycle
    from webapp.services.definitions import model_of, publish
    from webapp.services.organisations import ensure_member_states
    from webapp.services.responses import save_draft, start
    from webapp.services.users import create_user

    definition = generate.definition(questions)
    published = publish(definition.yaml, f"bench-{questions}.yaml")
    model: Questionnaire = model_of(published.version)
    ensure_member_states()
    db.session.flush()
    organisations = db.session.scalars(
        select(Organisation).order_by(Organisation.slug).limit(people + 1)
    ).all()
    users = [
        create_user(f"focal.{o.slug.lower()}@bench.example.org", "focal_point", o, PASSWORD)[0]
        for o in organisations
    ]
    today = dt.datetime.now(dt.UTC).date()
    cycle = open_cycle(
        model.id,
        model.version,
        str(today.year),
        today + dt.timedelta(days=30),
        today - dt.timedelta(days=1),
        organisations,
    )
    db.session.commit()
    full = generate.valid_responses(definition, people + 2)
    rows = []
    for index, (organisation, user) in enumerate(zip(organisations, users, strict=True)):
        response = start(cycle, organisation, user)
        save_draft(response, full[index], user, response.version)
        db.session.commit()
        rows.append(Person(index + 1, user.email, user.id, organisation.id, response.id))
    # The page to save: the section whose form has the most inputs; the answer each post
    # changes: a shown, unconditional free text of that section, outside any repeat.
    from webapp.forms import section_form_class

    section = max(model.sections, key=lambda s: len(section_form_class(model, s).field_specs))
    varied = next(
        q.id
        for q in section.questions
        if q.type in ("text", "textarea") and q.when is None and q.pattern is None
    )
    return World(
        url,
        cycle.id,
        section.id,
        len(section.questions),
        varied,
        rows[:people],
        rows[people],
        full[people + 1],
    )


# -- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(url: str, workers: int, log: Path) -> tuple[subprocess.Popen[bytes], int]:
    from webapp.commands.server import gunicorn_argv

    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYOTO_")}
    env.update(DATABASE_URL=url, SECRET_KEY=SECRET_KEY, WEB_CONCURRENCY=str(workers))
    argv = gunicorn_argv("127.0.0.1", port, workers, 60)
    with log.open("wb") as out:
        server = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if Browser(port).request("GET", "/ping")[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    stop_gunicorn(server)
    raise SystemExit(f"gunicorn did not serve /ping within 60 s:\n{log.read_text()[-3000:]}")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    seconds = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / TICK
    return seconds


class ServerCpu:
    """CPU time of the gunicorn workers and of the database's backends over a run."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid = server_pid
        self.database = database

    def pids(self) -> tuple[list[int], list[int]]:
        with psycopg.connect(POSTGRES, autocommit=True) as connection:
            backends = [
                row[0]
                for row in connection.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.database,)
                )
            ]
        return children(self.server_pid), backends

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        workers, backends = self.pids()
        return cpu_seconds(workers), cpu_seconds(backends)

    def settle(self, limit: float = 20.0) -> None:
        """Wait until the workers are idle: two 0.2 s windows with under 10 ms of their CPU."""
        quiet, deadline = 0, time.monotonic() + limit
        workers = children(self.server_pid)
        while quiet < 2 and time.monotonic() < deadline:
            before = cpu_seconds(workers)
            time.sleep(0.2)
            quiet = quiet + 1 if self.delta(before, cpu_seconds(workers)) < 0.01 else 0

    @staticmethod
    def delta(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(value - before.get(pid, 0.0) for pid, value in after.items())


# -- wrk ---------------------------------------------------------------------------------------

LUA = r"""
-- written by bench/web.py for one run; one wrk thread per connection, one person per thread
local people = {
%(people)s
}
local mode = "ping"
local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  me = people[((id - 1) %% #people) + 1]
  version = me.version
  sent, completed, ok, bad = 0, 0, 0, 0
  acked, failed = "", ""
  form = {Cookie = me.cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
  cookie = {Cookie = me.cookie}
end

function request()
  sent = sent + 1
  if mode == "ping" then
    return wrk.format("GET", "/ping")
  elseif mode == "get" then
    return wrk.format("GET", me.path, cookie)
  end
  return wrk.format("POST", me.path, form, me.before .. version .. me.between .. sent)
end

function response(status, headers, body)
  completed = completed + 1
  if mode == "save" then
    if status == 302 or status == 303 then
      ok = ok + 1
      version = version + 1
      acked = acked .. sent .. ","
    else
      bad = bad + 1
      failed = failed .. sent .. ":" .. status .. ","
      local seen = string.match(body, 'name="version" value="(%%d+)"')
      if seen then version = tonumber(seen) end
    end
  elseif status == 200 then
    ok = ok + 1
  else
    bad = bad + 1
    failed = failed .. sent .. ":" .. status .. ","
  end
end

function done(summary, latency, requests)
  local rows = {}
  for _, t in ipairs(threads) do
    table.insert(rows, string.format(
      '{"id":%%d,"sent":%%d,"completed":%%d,"ok":%%d,"bad":%%d,"acked":"%%s","failed":"%%s"}',
      t:get("id"), t:get("sent"), t:get("completed"), t:get("ok"), t:get("bad"),
      t:get("acked"), t:get("failed")))
  end
  local e = summary.errors
  io.write(string.format(
    'WRK-RESULT {"requests":%%d,"duration_us":%%d,"connect":%%d,"read":%%d,"write":%%d,' ..
    '"status":%%d,"timeout":%%d,"p50":%%d,"p90":%%d,"p99":%%d,"max":%%d,"threads":[%%s]}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    table.concat(rows, ",")))
end
"""


def lua_string(text: str) -> str:
    level = "=" * 4
    assert f"]{level}]" not in text
    return f"[{level}[{text}]{level}]"


@dataclass
class Run:
    row: str
    requests: int
    served: int
    seconds: float
    p50: float
    p90: float
    p99: float
    max: float
    errors: dict[str, int]
    server_cpu: float
    database_cpu: float
    client_cpu: float
    threads: list[dict[str, Any]]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def wrk(
    row: str,
    mode: str,
    port: int,
    people: list[Person],
    world: World,
    seconds: float,
    tag: str,
    folder: Path,
    meter: ServerCpu,
) -> Run:
    path = f"/cycles/{world.cycle_id}/{world.section_id}?lang=en"
    entries = []
    for person in people:
        others = [(k, v) for k, v in person.fields if k not in ("version", world.varied)]
        before = urllib.parse.urlencode(others) + "&version="
        between = f"&{world.varied}=bench-p{person.number}-{tag}-n"
        cookie = lua_string(f"session={person.browser.session}")  # type: ignore[union-attr]
        entries.append(
            f"  {{cookie = {cookie}, path = {lua_string(path)}, before = {lua_string(before)}, "
            f"between = {lua_string(between)}, version = {person.version}}},"
        )
    script = folder / f"{tag}.lua"
    script.write_text(LUA % {"people": "\n".join(entries)})
    connections = len(people)
    argv = ["wrk", "-t", str(connections), "-c", str(connections), "-d", f"{seconds:g}s"]
    argv += ["--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}/", "--", mode]
    before = meter.snapshot()
    client_before = os.times()
    done = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    client_after = os.times()
    meter.settle()  # requests wrk left in flight finish (and are counted) before the next run
    after = meter.snapshot()
    line = next((x for x in done.stdout.splitlines() if x.startswith("WRK-RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    result = json.loads(line.removeprefix("WRK-RESULT "))
    client = (client_after.children_user + client_after.children_system) - (
        client_before.children_user + client_before.children_system
    )
    # Served: every request sent, those in flight included (the server finishes them), but
    # not the one wrk builds on its first thread to check the script and never sends.
    served = sum(t["sent"] for t in result["threads"]) - 1
    return Run(
        row,
        result["requests"],
        served,
        result["duration_us"] / 1e6,
        result["p50"] / 1000,
        result["p90"] / 1000,
        result["p99"] / 1000,
        result["max"] / 1000,
        {k: result[k] for k in ("connect", "read", "write", "status", "timeout") if result[k]},
        ServerCpu.delta(before[0], after[0]),
        ServerCpu.delta(before[1], after[1]),
        client,
        result["threads"],
    )


def csrf_refused(world: World) -> int:
    """The served app checks CSRF: the same post without the token must be refused."""
    person = world.people[0]
    fields = [(k, v) for k, v in person.fields if k != "csrf_token"]
    probe = Browser(person.browser.port)  # type: ignore[union-attr]
    probe.session = person.browser.session  # type: ignore[union-attr]
    status = probe.request("POST", f"/cycles/{world.cycle_id}/{world.section_id}", fields)[0]
    if status != 400:
        raise SystemExit(f"a post without its CSRF token got HTTP {status}, not 400")
    return status


def each(people: list[Person], action: Callable[[Person], Any]) -> None:
    """`action` for every person at once, as their browsers would (the server is slow)."""
    with ThreadPoolExecutor(max_workers=len(people)) as pool:
        list(pool.map(action, people))


def read_page(person: Person, world: World) -> None:
    """What a browser has after opening the page: the form's fields and `version`."""
    browser = person.browser
    assert browser is not None
    status, _, page = browser.request("GET", f"/cycles/{world.cycle_id}/{world.section_id}")
    if status != 200:
        raise SystemExit(f"GET section page for {person.email}: HTTP {status}")
    person.fields = form_fields(page)
    fields = dict(person.fields)
    if "csrf_token" not in fields or "version" not in fields:
        raise SystemExit("the section page has no csrf_token or version field")
    person.version = int(fields["version"])


def save_run(
    row: str, port: int, world: World, seconds: float, tag: str, folder: Path, meter: ServerCpu
) -> Run:
    run = wrk(row, "save", port, world.people, world, seconds, tag, folder, meter)
    for thread in run.threads:
        person = world.people[thread["id"] - 1]  # the Lua script's people[id]
        acked = {int(n) for n in thread["acked"].split(",") if n}
        failed = [x for x in thread["failed"].split(",") if x]
        answered = acked | {int(x.split(":")[0]) for x in failed}
        person.acked |= {f"{tag}-n{n}" for n in acked}
        person.failed += [f"{tag}-n{x}" for x in failed]
        for n in range(1, thread["sent"] + 1):
            if n in answered:
                continue
            if n == thread["sent"]:
                person.in_flight.add(f"{tag}-n{n}")  # wrk stopped before its response
            elif n == 1 and thread["id"] == 1:
                # wrk calls request() once on its first thread's Lua state to check the
                # script (script_verify_request), then discards that request: never sent
                person.never_sent.add(f"{tag}-n{n}")
            else:
                person.no_response.add(f"{tag}-n{n}")  # a socket error: outcome unknown
    read_versions(world)
    return run


def read_versions(world: World) -> None:
    """Each response's version once the server is idle, as the page drawn after the last save
    would show it (the session cookie and its CSRF token stay valid)."""
    ids = [p.response_id for p in world.people]
    with psycopg.connect(world.url, autocommit=True) as connection:
        versions = dict(
            connection.execute("SELECT id, version FROM response WHERE id = ANY(%s)", (ids,))
        )
    for person in world.people:
        person.version = versions[person.response_id]


# -- reconciliation ----------------------------------------------------------------------------


@dataclass
class Ledger:
    acked: int = 0
    failed: int = 0
    in_flight: int = 0
    in_flight_stored: int = 0
    never_sent: int = 0
    no_response: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    phantom: int = 0
    never_sent_stored: int = 0
    responses: int = 0
    organisations: int = 0
    bad_versions: int = 0
    bad_numbering: int = 0
    wrong_final: int = 0
    other_changes: int = 0
    first_save_changes: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            self.failed
            or self.lost
            or self.duplicated
            or self.phantom
            or self.never_sent_stored
            or self.no_response
            or self.responses != self.organisations
            or self.bad_versions
            or self.bad_numbering
            or self.wrong_final
            or self.other_changes
        )


def reconcile(app: Any, world: World) -> Ledger:
    """Every acknowledged save is in exactly one revision, and nothing else was written: run
    once gunicorn has stopped (its queue is then empty)."""
    from sqlalchemy import func, select

    from webapp.extensions import db
    from webapp.models import Response, Revision

    ledger = Ledger(organisations=len(world.people))
    path = f"/{world.varied}"
    with app.app_context():
        db.session.remove()
        for person in world.people:
            prefix = f"bench-p{person.number}-"
            ledger.responses += db.session.scalar(
                select(func.count())
                .select_from(Response)
                .where(
                    Response.cycle_id == world.cycle_id,
                    Response.organisation_id == person.organisation_id,
                )
            )
            response = db.session.get(Response, person.response_id)
            revisions = db.session.scalars(
                select(Revision).where(Revision.response_id == response.id).order_by(Revision.id)
            ).all()
            if [r.number for r in revisions] != list(range(1, len(revisions) + 1)):
                ledger.bad_numbering += 1
            if response.version != len(revisions):
                ledger.bad_versions += 1
            seen: list[str] = []
            for revision in revisions:
                ours = [c for c in revision.changes if c["path"] == path]
                value = ours[0]["new"] if ours else None
                if not (isinstance(value, str) and value.startswith(prefix)):
                    continue
                others = [c for c in revision.changes if c["path"] != path]
                if others and not seen:  # the first post of the stored answers' form
                    ledger.first_save_changes += [
                        f"{c['path']}: {json.dumps(c['old'])} -> {json.dumps(c['new'])}"
                        for c in others
                    ]
                elif others:
                    ledger.other_changes += 1
                    if len(ledger.examples) < 3:
                        ledger.examples.append(f"{person.email}: {others[:3]}")
                seen.append(value.removeprefix(prefix))
            stored = Counter(seen)
            ledger.acked += len(person.acked)
            ledger.failed += len(person.failed)
            ledger.in_flight += len(person.in_flight)
            ledger.never_sent += len(person.never_sent)
            ledger.no_response += len(person.no_response)
            ledger.stored += len(stored)
            ledger.duplicated += sum(1 for n in stored.values() if n > 1)
            ledger.lost += len(person.acked - stored.keys())
            ledger.in_flight_stored += len(stored.keys() & person.in_flight)
            ledger.never_sent_stored += len(stored.keys() & person.never_sent)
            ledger.phantom += len(
                stored.keys() - person.acked - person.in_flight - person.no_response
            )
            final = response.answers.get(world.varied)
            if seen and final != prefix + seen[-1]:
                ledger.wrong_final += 1
        db.session.remove()
    return ledger


# -- in-process: one save_draft, one POST --------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Calls:
    """Per call: wall seconds, this process's CPU seconds, SQL statements sent."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    sql: list[int] = field(default_factory=list)
    gc: list[float] = field(default_factory=list)
    """Seconds in the garbage collector (a full collection lands on whatever allocates)."""


class Meter:
    """Times a block: wall clock, process CPU and the SQL statements the engine sends."""

    def __init__(self, engine: Any, profile: cProfile.Profile | None = None) -> None:
        from sqlalchemy import event

        self.statements = 0
        self.profile = profile
        event.listen(engine, "before_cursor_execute", self._count)
        self.engine = engine
        self.collecting = 0.0
        self.started = 0.0
        gc.callbacks.append(self._collection)

    def _count(self, *args: Any) -> None:
        self.statements += 1

    def _collection(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.collecting += time.perf_counter() - self.started

    def close(self) -> None:
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)
        gc.callbacks.remove(self._collection)

    def measure(self, calls: Calls, action: Callable[[], Any]) -> Any:
        before, collecting = self.statements, self.collecting
        if self.profile:
            self.profile.enable()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return action()
        finally:
            calls.wall.append(time.perf_counter() - wall)
            calls.cpu.append(time.process_time() - cpu)
            if self.profile:
                self.profile.disable()
            calls.sql.append(self.statements - before)
            calls.gc.append(self.collecting - collecting)


def time_save_draft(
    app: Any, world: World, count: int, profile: cProfile.Profile | None, change_all: bool
) -> dict[str, Calls]:
    """save_draft, then commit, on the lab's full response; a fresh session each time, as in a
    request, with the response and user loaded beforehand (not timed)."""
    from webapp.extensions import db
    from webapp.models import Response, User
    from webapp.services.responses import save_draft

    timed = {"save_draft": Calls(), "commit": Calls()}
    with app.app_context():
        meter = Meter(db.engine, profile)
        first = None
        for i in range(count):
            db.session.remove()
            response = db.session.get(Response, world.lab.response_id)
            user = db.session.get(User, world.lab.user_id)
            answers = dict(response.answers)
            if first is None:
                first = dict(answers)
            if change_all:
                answers = dict(world.other_full if i % 2 == 0 else first)
            answers[world.varied] = f"in-process {i} {change_all}"
            meter.measure(
                timed["save_draft"],
                lambda r=response, a=answers, u=user: save_draft(r, a, u, r.version),
            )
            meter.measure(timed["commit"], db.session.commit)
        meter.close()
        db.session.remove()
    return timed


def time_test_client(
    app: Any, world: World, count: int, profile: cProfile.Profile | None
) -> dict[str, Calls]:
    """The whole POST (and the GET) in-process through Flask's test client: no HTTP, no
    gunicorn, CSRF off; the lab person's session."""
    from webapp.extensions import db

    path = f"/cycles/{world.cycle_id}/{world.section_id}?lang=en"
    timed = {"POST": Calls(), "GET": Calls()}
    with app.app_context():
        engine = db.engine
    meter = Meter(engine)
    with app.test_client() as client:
        reply = client.post("/login", data={"email": world.lab.email, "password": PASSWORD})
        if reply.status_code not in (302, 303):
            raise SystemExit(f"in-process login failed: HTTP {reply.status_code}")
        for i in range(count):
            page = meter.measure(timed["GET"], lambda: client.get(path))
            fields = form_fields(page.get_data(as_text=True))
            body = urllib.parse.urlencode(
                [(k, v) for k, v in fields if k != world.varied]
                + [(world.varied, f"test client {i}")]
            )
            with client.session_transaction() as session:
                session.pop("_flashes", None)  # as the GET after the redirect would
            meter.profile = profile
            reply = meter.measure(
                timed["POST"],
                lambda b=body: client.post(
                    path, data=b, content_type="application/x-www-form-urlencoded"
                ),
            )
            meter.profile = None
            if reply.status_code not in (302, 303):
                raise SystemExit(f"in-process save: HTTP {reply.status_code}")
    meter.close()
    with app.app_context():
        db.session.remove()
    return timed


def add_revisions(app: Any, world: World, count: int) -> int:
    """`count` more one-answer saves in the lab response's history (bulk SQL; the history a
    page accumulates over weeks of Save draft). Returns the new number of revisions."""
    from sqlalchemy import text

    from webapp.extensions import db

    change = json.dumps([{"path": f"/{world.varied}", "old": "a", "new": "b"}])
    with app.app_context():
        db.session.remove()
        top = db.session.scalar(
            text("SELECT max(number) FROM revision WHERE response_id = :r"),
            {"r": world.lab.response_id},
        )
        db.session.execute(
            text(
                "INSERT INTO revision (response_id, number, actor_id, at, action, "
                "status_before, status_after, changes) SELECT :r, n, :u, now(), 'save', "
                "'draft', 'draft', CAST(:c AS json) FROM generate_series(CAST(:a AS integer), CAST(:b AS integer)) AS n"
            ),
            {
                "r": world.lab.response_id,
                "u": world.lab.user_id,
                "c": change,
                "a": top + 1,
                "b": top + count,
            },
        )
        db.session.execute(
            text("UPDATE response SET version = version + :n WHERE id = :r"),
            {"n": count, "r": world.lab.response_id},
        )
        db.session.commit()
        db.session.remove()
    return top + count


def profile_rows(profile: cProfile.Profile, calls: int, top: int) -> list[str]:
    stats = pstats.Stats(profile)
    entries = stats.stats  # type: ignore[attr-defined]
    rows = sorted(entries.items(), key=lambda item: item[1][2], reverse=True)[:top]
    total = sum(v[2] for v in entries.values())
    lines = []
    for (file, line, name), (_, ncalls, tottime, cumtime, _) in rows:
        where = short_path(file)
        lines.append(
            f"  {tottime / calls * 1000:7.2f} {100 * tottime / total:5.1f}% "
            f"{cumtime / calls * 1000:8.2f} {ncalls / calls:9.0f}  {name} ({where}:{line})"
        )
    return lines


def short_path(file: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file


def cumulative(profile: cProfile.Profile, calls: int, picks: list[tuple[str, str]]) -> list[str]:
    """Cumulative milliseconds per call of chosen functions (file suffix, function name)."""
    entries = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    lines = []
    for suffix, name in picks:
        found = [
            (v[3], v[1]) for (f, _, n), v in entries.items() if n == name and f.endswith(suffix)
        ]
        if found:
            cumtime = max(c for c, _ in found)
            ncalls = sum(n for _, n in found)
            lines.append(
                f"  {cumtime / calls * 1000:8.2f} ms {ncalls / calls:6.1f}x  {suffix}:{name}"
            )
    return lines


# -- the report --------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(
    runs: dict[str, list[Run]], world: World, body_bytes: int, fields: int, workers: int
) -> None:
    pings = runs[PING]
    print()
    print(
        f"{f'{len(world.people)} connections':<33}"
        f"{'req/s':>8}{'p50 ms':>8}{'p90 ms':>8}{'p99 ms':>8}{'worst p99':>10}"
        f"{'app CPU':>9}{'db CPU':>8}{'/ping':>8}{'/ping CPU':>10}"
    )
    print(f"{'':<33}{'':>8}{'':>8}{'':>8}{'':>8}{'of rounds':>10}{'ms/req':>9}{'ms/req':>8}")
    ratios: dict[str, float] = {}
    cpu_ratios: dict[str, float] = {}
    for row, rounds in runs.items():
        ratio = median([r.rate / p.rate for r, p in zip(rounds, pings, strict=True)])
        app_cpu = sum(r.server_cpu for r in rounds) / sum(r.served for r in rounds)
        db_cpu = sum(r.database_cpu for r in rounds) / sum(r.served for r in rounds)
        ping_cpu = sum(r.server_cpu + r.database_cpu for r in pings) / sum(r.served for r in pings)
        cpu_ratio = ping_cpu / (app_cpu + db_cpu)
        ratios[row], cpu_ratios[row] = ratio, cpu_ratio
        print(
            f"{row:<33}{median([r.rate for r in rounds]):8.0f}"
            f"{median([r.p50 for r in rounds]):8.1f}{median([r.p90 for r in rounds]):8.1f}"
            f"{median([r.p99 for r in rounds]):8.1f}{max(r.p99 for r in rounds):10.1f}"
            f"{app_cpu * 1000:9.2f}{db_cpu * 1000:8.2f}{ratio:8.3f}{cpu_ratio:10.3f}"
        )
    print()
    print(
        f"req/s, p50, p90, p99: medians of {len(pings)} interleaved rounds "
        f"({pings[0].seconds:.1f} s each); app CPU, db CPU: CPU time of the gunicorn workers "
        "and of the database's PostgreSQL backends from the start of a run until the workers "
        "are idle again, per request served (those wrk left in flight included); '/ping': "
        "median of per-round req/s ratios; '/ping CPU': /ping's server CPU per request over "
        "the row's, the same ratio with other processes' load taken out"
    )
    print(
        f"page: section {world.section_id} ({world.section_questions} questions, {fields} form "
        f"fields, {body_bytes:,} bytes posted), each post changing the text answer "
        f"{world.varied}; client CPU (wrk): "
        + ", ".join(
            f"{SHORT[row]} {sum(r.client_cpu for r in rs) / sum(r.requests for r in rs) * 1000:.2f}"
            " ms/req"
            for row, rs in runs.items()
        )
    )
    errors = {row: Counter() for row in runs}
    for row, rounds in runs.items():
        for r in rounds:
            errors[row].update(r.errors)
    if any(errors.values()):
        print("wrk socket/status errors: " + str({k: dict(v) for k, v in errors.items() if v}))
    for row, rounds in runs.items():
        refused = [x for r in rounds for t in r.threads for x in t["failed"].split(",") if x]
        if refused:
            statuses = Counter(x.split(":")[1] for x in refused)
            print(f"NOT OK: {row}: {len(refused)} responses with HTTP {dict(statuses)}")
    save_rounds = runs[SAVE]
    p99 = median([r.p99 for r in save_rounds])
    ratio = ratios[SAVE]
    print()
    print(
        f"target save >= {TARGET_SAVE_RATIO:.0%} of /ping req/s: "
        f"{'met' if ratio >= TARGET_SAVE_RATIO else 'NOT met'} ({ratio:.1%}; by server CPU "
        f"{cpu_ratios[SAVE]:.1%})"
    )
    worst = max(r.p99 for r in save_rounds)
    print(
        f"target save p99 < {TARGET_SAVE_P99_MS:.0f} ms at {len(world.people)} connections: "
        f"{'met' if p99 < TARGET_SAVE_P99_MS else 'NOT met'} (median {p99:.1f} ms, "
        f"worst round {worst:.1f} ms)"
    )
    per = {
        row: sum(r.server_cpu + r.database_cpu for r in rs) / sum(r.served for r in rs)
        for row, rs in runs.items()
    }
    cycle = per[SAVE] + per[GET]
    queue = len(world.people) / workers
    print(
        f"a browser's Save draft is the POST plus the GET it is redirected to: "
        f"{cycle * 1000:.1f} ms of server CPU, {cycle / per[PING]:.0f}x /ping's"
    )
    print(
        f"latency floor on an idle machine: {len(world.people)} connections queue "
        f"{queue:g} deep on {workers} sync workers, so a save waits about {queue:g} x "
        f"{per[SAVE] * 1000:.1f} ms = {queue * per[SAVE] * 1000:.0f} ms (p99 < "
        f"{TARGET_SAVE_P99_MS:.0f} ms needs <= {TARGET_SAVE_P99_MS / queue:.1f} ms of server CPU "
        f"per save at {workers} workers)"
    )


def print_ledger(ledger: Ledger) -> None:
    print()
    print("saves reconciled with the database after gunicorn stopped (warm-up and measured runs):")
    print(
        f"  client: {ledger.acked:,} acknowledged (302 to the page), {ledger.failed} refused, "
        f"{ledger.in_flight} in flight when wrk stopped, {ledger.no_response} without a "
        f"response otherwise, {ledger.never_sent} built by wrk's script check and never sent"
    )
    print(
        f"  database: {ledger.stored:,} distinct saves in revisions = {ledger.acked:,} "
        f"acknowledged - {ledger.lost} lost + {ledger.in_flight_stored} of the in-flight ones "
        f"(the server finished them after the client left); duplicated {ledger.duplicated}; "
        f"unexplained {ledger.phantom + ledger.never_sent_stored}"
    )
    print(
        f"  {ledger.responses} responses for {ledger.organisations} organisations; "
        f"response.version != its revision count: {ledger.bad_versions}; revision numbers not "
        f"1..n: {ledger.bad_numbering}; stored answer != last save: {ledger.wrong_final}; "
        f"later saves changing another answer: {ledger.other_changes}"
    )
    for example in ledger.examples:
        print(f"    {example}")
    if ledger.first_save_changes:
        shown = "; ".join(ledger.first_save_changes[:3])
        print(
            f"  note: the first post of each page (the form exactly as drawn from the stored "
            f"answers) also recorded {len(ledger.first_save_changes)} other change(s), e.g. "
            f"{shown}"
        )
    verdict = "no save lost, duplicated or unexplained" if ledger.clean else "PROBLEM (above)"
    print(f"  verdict: {verdict}")


GC_PROBE = r"""
import gc, json, re, statistics, sys, time
args = json.loads(sys.argv[1])
sys.path.insert(0, args["bench"])
from urllib.parse import quote, urlencode
from web import form_fields
from webapp import create_app

app = create_app({"DATABASE_URL": args["url"], "SECRET_KEY": "gc-probe",
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
client = app.test_client()
client.post("/login", data={"email": args["email"], "password": args["password"]})

def save(i):
    fields = form_fields(client.get(args["path"]).get_data(as_text=True))
    body = urlencode([(k, v) for k, v in fields if k != args["varied"]])
    reply = client.post(args["path"], data=body + "&" + args["varied"] + "=" + quote(f"gc {i}"),
                        content_type="application/x-www-form-urlencoded")
    assert reply.status_code == 302, reply.status_code
    with client.session_transaction() as session:
        session.pop("_flashes", None)

def full():
    times = []
    for _ in range(3):
        t = time.process_time(); gc.collect(); times.append(time.process_time() - t)
    return statistics.median(times)

for i in range(3):
    save(i)
tracked, before = len(gc.get_objects()), full()
pauses, started = {0: [], 1: [], 2: []}, [0.0]
def watch(phase, info):
    if phase == "start":
        started[0] = time.process_time()
    else:
        pauses[info["generation"]].append(time.process_time() - started[0])
gc.callbacks.append(watch)
t = time.process_time()
for i in range(args["saves"]):
    save(100 + i)
elapsed = time.process_time() - t
gc.callbacks.remove(watch)
gc.freeze()
print(json.dumps({"tracked": tracked, "full": before, "frozen": full(), "elapsed": elapsed,
                  "pauses": {g: [len(p), sum(p)] for g, p in pauses.items()}}))
"""


def gc_probe(world: World, saves: int) -> None:
    """A fresh worker-like process (create_app, the page drawn and saved a few times): how many
    objects the collector tracks, what a full collection costs, and with gc.freeze()."""
    args = {
        "bench": str(Path(__file__).resolve().parent),
        "url": world.url,
        "email": world.lab.email,
        "password": PASSWORD,
        "path": f"/cycles/{world.cycle_id}/{world.section_id}?lang=en",
        "varied": world.varied,
        "saves": saves,
    }
    done = subprocess.run(
        [sys.executable, "-c", GC_PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=ROOT,
    )
    line = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    if done.returncode != 0 or not line.startswith("{"):
        print(f"  gc probe failed ({done.returncode}): {done.stderr[-1500:]}")
        return
    found = json.loads(line)
    count2, seconds2 = found["pauses"]["2"]
    young = sum(found["pauses"][g][1] for g in ("0", "1"))
    print(
        f"  garbage collector, CPU time, in a fresh worker-like process (create_app, the page "
        f"saved 3 times): {found['tracked']:,} objects tracked; a full collection "
        f"{found['full'] * 1000:.1f} ms ({found['frozen'] * 1000:.1f} ms after gc.freeze()); "
        f"{saves} GET + POST cycles ({found['elapsed'] / saves * 1000:.1f} ms CPU each) ran "
        f"{count2} full collection(s) ({seconds2 * 1000:.0f} ms) and "
        f"{young * 1000 / saves:.2f} ms per cycle of young collections"
    )


def in_process(app: Any, world: World, repeats: int, top: int, history: int) -> None:
    print()
    print(
        "in-process, no HTTP (this process, a fresh session per call as in a request; medians "
        "but GC, a mean; CPU is this process only, not PostgreSQL):"
    )
    print(f"  {'':<58}{'wall ms':>8}{'p90':>7}{'CPU ms':>8}{'SQL':>5}{'GC ms':>7}")

    def line(name: str, calls: Calls) -> None:
        wall = [v * 1000 for v in calls.wall]
        print(
            f"  {name:<58}{median(wall):8.2f}{percentile(wall, 0.9):7.2f}"
            f"{median(calls.cpu) * 1000:8.2f}{median(calls.sql):5.0f}"
            f"{statistics.mean(calls.gc) * 1000:7.2f}"
        )

    def rows(label: str) -> None:
        one = time_save_draft(app, world, repeats, None, False)
        line(f"save_draft, full response, 1 answer changed{label}", one["save_draft"])
        line("  then commit", one["commit"])
        if not label:
            every = time_save_draft(app, world, repeats, None, True)
            line("save_draft, full response, every answer changed", every["save_draft"])
            line("  then commit", every["commit"])
        whole = time_test_client(app, world, repeats, None)
        line(f"whole POST Save draft, Flask test client{label}", whole["POST"])
        line(f"whole GET section page, Flask test client{label}", whole["GET"])

    rows("")
    revisions = add_revisions(app, world, history)
    rows(f", {revisions} revs")
    print(
        f"  ({revisions} revs: the same after {history} more one-answer saves in the "
        "response's history: a save must not grow with it)"
    )
    gc_probe(world, 2 * repeats)

    calls = repeats
    profile = cProfile.Profile(time.process_time)
    time_save_draft(app, world, calls, profile, False)
    print()
    print(
        f"cProfile (CPU time of this process: PostgreSQL's work and waits excluded) of "
        f"save_draft, 1 answer changed, {revisions} revisions, then commit ({calls} calls; ms "
        "per call; profiling inflates times):"
    )
    print("  where the time goes (cumulative ms, calls per save):")
    for text in cumulative(
        profile,
        calls,
        [
            ("services/responses.py", "save_draft"),
            ("services/responses.py", "check_editable"),
            ("services/responses.py", "questionnaire_of"),
            ("engine/validation.py", "validate"),
            ("services/responses.py", "diff"),
            ("services/responses.py", "_revise"),
            ("services/responses.py", "_flush_versioned"),
            ("sqlalchemy/orm/session.py", "commit"),
            ("sqlalchemy/orm/strategies.py", "_load_for_state"),
            ("sqlalchemy/engine/base.py", "_execute_context"),
            ("json/__init__.py", "loads"),
            ("json/__init__.py", "dumps"),
        ],
    ):
        print(text)
    print(f"  top {top} by own time:   own ms     %   cum ms  calls/call")
    for text in profile_rows(profile, calls, top):
        print(text)

    profile = cProfile.Profile(time.process_time)
    time_test_client(app, world, calls, profile)
    print()
    print(
        f"cProfile (CPU time) of the whole POST Save draft through the test client, "
        f"{revisions} revisions ({calls} calls):"
    )
    print("  where the time goes (cumulative ms, calls per POST):")
    for text in cumulative(
        profile,
        calls,
        [
            ("flask/app.py", "wsgi_app"),
            ("flask_login/utils.py", "_get_user"),
            ("respond/state.py", "load"),
            ("respond/state.py", "snapshot"),
            ("respond/state.py", "previous_answers"),
            ("wtforms/form.py", "process"),
            ("forms/builders.py", "parse_values"),
            ("forms/logic.py", "compute"),
            ("forms/logic.py", "drop_hidden"),
            ("engine/validation.py", "validate"),
            ("services/responses.py", "save_draft"),
            ("sqlalchemy/orm/session.py", "commit"),
            ("sqlalchemy/orm/strategies.py", "_load_for_state"),
            ("sqlalchemy/engine/base.py", "_execute_context"),
            ("json/__init__.py", "loads"),
        ],
    ):
        print(text)
    print(f"  top {top} by own time:   own ms     %   cum ms  calls/call")
    for text in profile_rows(profile, calls, top):
        print(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=4.0, help="per row and round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per row, unrecorded")
    parser.add_argument("--repeats", type=int, default=6, help="in-process calls")
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument(
        "--history", type=int, default=200, help="revisions added for the in-process growth rows"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database (debugging)")
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="stop after the in-process rows and profiles (no gunicorn, no wrk)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")

    started = time.perf_counter()
    name = f"kyoto_bench_{os.getpid()}"
    folder = Path(tempfile.mkdtemp(prefix="kyoto-bench-web-"))
    server: subprocess.Popen[bytes] | None = None
    app = None
    phases: dict[str, float] = {}
    clean = False
    print(
        f"bench/web.py: {args.questions} questions, {args.connections} connections, "
        f"{args.workers} gunicorn sync workers, load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} CPUs"
    )
    try:
        url = create_database(name)
        from webapp import create_app
        from webapp.database import upgrade

        t0 = time.perf_counter()
        upgrade(url)
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": SECRET_KEY,
                "WTF_CSRF_ENABLED": False,  # in-process only; gunicorn's app checks CSRF
                "RATELIMIT_ENABLED": False,
            }
        )
        logging.getLogger("webapp").setLevel(logging.WARNING)  # no INFO line per login
        with app.app_context():
            world = populate(app, url, args.questions, args.connections)
        phases["set-up"] = time.perf_counter() - t0
        t0 = time.perf_counter()

        in_process(app, world, args.repeats, args.top, args.history)
        phases["in-process"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        if args.in_process_only:
            clean = True
            return 0

        server, port = start_gunicorn(url, args.workers, folder / "gunicorn.log")
        meter = ServerCpu(server.pid, name)

        def arrive(person: Person) -> None:
            person.browser = Browser(port)
            person.browser.login(person.email)
            read_page(person, world)

        each(world.people, arrive)
        csrf = csrf_refused(world)
        body_bytes = len(urllib.parse.urlencode(world.people[0].fields))
        fields = len(world.people[0].fields)
        # Warm-up, not recorded: 8 connections keep both workers busy, so each has built the
        # model and the form classes before the first measured round.
        save_run(SAVE, port, world, args.warmup, "w", folder, meter)
        wrk(GET, "get", port, world.people, world, args.warmup, "wg", folder, meter)
        wrk(PING, "ping", port, world.people, world, args.warmup, "wp", folder, meter)
        runs: dict[str, list[Run]] = {PING: [], GET: [], SAVE: []}
        for index in range(args.rounds):
            runs[PING].append(
                wrk(PING, "ping", port, world.people, world, args.seconds, "p", folder, meter)
            )
            runs[GET].append(
                wrk(GET, "get", port, world.people, world, args.seconds, "g", folder, meter)
            )
            runs[SAVE].append(save_run(SAVE, port, world, args.seconds, f"r{index}", folder, meter))
        report(runs, world, body_bytes, fields, args.workers)
        print(f"CSRF on in the served app: the same post without its token got HTTP {csrf}")
        phases["gunicorn and load"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        stop_gunicorn(server)  # graceful: requests in progress finish, then nothing runs
        ledger = reconcile(app, world)
        print_ledger(ledger)
        clean = ledger.clean
        phases["reconcile"] = time.perf_counter() - t0
    finally:
        if server is not None:
            stop_gunicorn(server)
        if app is not None:
            from webapp.extensions import db

            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        if not args.keep:
            try:
                drop_database(name)
            except psycopg.Error as error:
                print(f"could not drop database {name}: {error}", file=sys.stderr)
        else:
            print(f"kept database {name}")
        shutil.rmtree(folder, ignore_errors=True)
    done = "kept" if args.keep else "dropped"
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in phases.items())
        + f"); database {name} {done}, gunicorn stopped; load average now "
        f"{os.getloadavg()[0]:.1f}"
    )
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
