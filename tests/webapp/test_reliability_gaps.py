"""Reliability cases of the HTML app that had no test of their own (RELIABILITY §5): a draft
outlives the session it was typed in (A11), closed cycles and superseded questionnaire versions
(A14), no bulk writes on versioned tables (A15), mass assignment through a page's form (B4), who
is acting comes from the session only (B5), history rows cannot be changed (J3)."""

from __future__ import annotations

import ast
import datetime as dt
import re
import time
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlencode

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from itsdangerous.timed import TimestampSigner
from sqlalchemy import func, select, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import DBAPIError

from tests.conftest import FIXTURES, PASSWORD, login, make_organisation, make_user
from tests.webapp.test_respond_html import Element, parse
from webapp.extensions import db
from webapp.models import (
    Assignment,
    AuditEvent,
    Base,
    Cycle,
    Organisation,
    Response,
    Revision,
    User,
)
from webapp.services.cycles import extend, today
from webapp.services.definitions import publish
from webapp.services.responses import save_draft, start
from webapp.services.users import end_sessions

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = {"Origin": "http://localhost"}
"""Browsers send Origin on every POST; the respond pages keep what was typed only for our own."""


# -- helpers --------------------------------------------------------------------------------------


def _org(cycle: Cycle, slug: str) -> Organisation:
    return next(a.organisation for a in cycle.assignments if a.organisation.slug == slug)


def _url(cycle: Cycle, section: str = "justice", **params: str) -> str:
    return f"/cycles/{cycle.id}/{section}?" + urlencode({"lang": "en", **params})


def _version(html: str) -> str:
    match = re.search(r'name="version" value="([0-9]+)"', html)
    assert match, "no version field: the page is not editable"
    return match.group(1)


def _value(html: str, name: str) -> str | None:
    """What an input shows (a checked radio's value), as the browser would post it."""
    for element in parse(html).walk():
        if element.get("name") != name or element.tag not in ("input", "textarea"):
            continue
        if element.tag == "textarea":
            return element.text
        if element.get("type") in ("radio", "checkbox"):
            if "checked" in element.attrs:
                return element.get("value")
            continue
        return element.get("value")
    return None


def _alert(html: str) -> str:
    """The text of the page's `role="alert"` elements (what is announced)."""
    return " ".join(e.text for e in parse(html).walk() if e.get("role") == "alert")


def _save(
    client: FlaskClient, cycle: Cycle, data: dict[str, str], section: str = "justice"
) -> Any:  # a TestResponse
    """Open the section, then post it with the version the page was drawn from."""
    page = client.get(_url(cycle, section)).get_data(as_text=True)
    return client.post(
        _url(cycle, section), data={"version": _version(page), **data}, headers=ORIGIN
    )


def _row(response_id: int) -> dict[str, Any]:
    """Every column of a response, read afresh, and how many revisions it has."""
    db.session.expire_all()
    response = db.session.get(Response, response_id)
    assert response is not None
    row = {a.key: getattr(response, a.key) for a in sa_inspect(Response).column_attrs}
    row["revisions"] = _revision_count(response_id)
    return row


def _revision_count(response_id: int) -> int:
    return db.session.scalar(
        select(func.count(Revision.id)).where(Revision.response_id == response_id)
    )


def _revisions(response_id: int) -> list[Revision]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Revision).where(Revision.response_id == response_id).order_by(Revision.number)
        )
    )


def _only_response() -> Response:
    db.session.expire_all()
    return db.session.query(Response).one()


def _form_fields(form: Element) -> dict[str, str]:
    return {e.get("name") or "": e.get("value") or "" for e in form.find_all("input")}


def _version_two() -> str:
    """`mini` version 2: a tighter range, a choice removed, a new question."""
    source = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
    replacements = [
        ("\nversion: 1\n", "\nversion: 2\n"),
        (
            "      - id: prisoners\n        type: integer\n        min: 0\n",
            "      - id: prisoners\n        type: integer\n        min: 10\n",
        ),
        (
            "    - {value: none, label: {en: Not implemented, fr: Non mis en œuvre, ar: غير منفذة}}\n",
            "",
        ),
        (
            "      - id: legal_aid\n",
            "      - id: victims\n        type: integer\n"
            "        label: {en: Number of victims, fr: Nombre de victimes, ar: عدد الضحايا}\n"
            "      - id: legal_aid\n",
        ),
    ]
    for old, new in replacements:
        assert source.count(old) == 1, old
        source = source.replace(old, new)
    return source


@pytest.fixture
def france(mini_cycle: Cycle) -> Organisation:
    return _org(mini_cycle, "FRA")


@pytest.fixture
def focal(france: Organisation) -> User:
    return make_user("focal_point", france)


# -- A11: a draft outlives the session it was typed in --------------------------------------------


def _cookie_removed(client: FlaskClient, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    client.delete_cookie("session")


def _sessions_ended(client: FlaskClient, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    end_sessions(user)  # logged out elsewhere, a role change, an administrator's action
    db.session.commit()


def _lifetime_elapsed(client: FlaskClient, user: User, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock that signs session cookies jumps past PERMANENT_SESSION_LIFETIME (the idle
    timeout, counted from the last request)."""
    lifetime = client.application.permanent_session_lifetime
    jump = int(lifetime.total_seconds()) + 60
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) + jump)


@pytest.mark.parametrize("expire", [_cookie_removed, _sessions_ended, _lifetime_elapsed])
def test_a11_a_draft_survives_the_end_of_the_session(
    mini_cycle: Cycle,
    client: FlaskClient,
    focal: User,
    monkeypatch: pytest.MonkeyPatch,
    expire: Any,
) -> None:
    """A11: a draft saved, the session ends (cookie gone, sessions ended, idle timeout); what was
    typed since is shown back unsaved, nothing stored changes; after logging in again the draft
    is intact, the kept answers save, and every revision is the user's."""
    login(client, focal)
    assert (
        _save(
            client, mini_cycle, {"action": "save", "national_strategy": "full"}, "prevention"
        ).status_code
        == 302
    )
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "5"}).status_code == 302
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    response_id = _only_response().id
    before = _row(response_id)

    expire(client, focal, monkeypatch)

    away = client.get(_url(mini_cycle))
    assert away.status_code == 302
    assert away.headers["Location"].startswith("/login")
    late = client.post(
        _url(mini_cycle),
        data={"version": _version(page), "action": "save", "prisoners": "6", "legal_aid": "true"},
        headers=ORIGIN,
    )
    assert late.status_code == 401
    kept = late.get_data(as_text=True)
    assert _alert(kept) == (
        "Your answers were NOT saved: you are no longer logged in. Log in again, then press "
        "Save draft here; what you typed is kept on this page."
    )
    assert "Mini questionnaire" not in kept, "nothing stored is shown without a session"
    preserved = parse(kept)
    assert (
        "If your session has ended, log in again in a new tab, then come back to this page."
        in preserved.text
    )
    [again_link] = preserved.find_all("a", target="_blank")
    assert (again_link.text, again_link.get("href")) == ("Log in again in a new tab", "/login")
    # The two answers typed are counted, not the page's controls (the version).
    assert "2 answers are kept on this page." in preserved.text
    assert _row(response_id) == before

    assert login(client, focal).status_code == 302
    again = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert _value(again, "prisoners") == "5", "the draft is intact"
    prevention = client.get(_url(mini_cycle, "prevention")).get_data(as_text=True)
    assert _value(prevention, "national_strategy") == "full"

    [form] = parse(kept).find_all("form")
    resent = client.post(
        form.get("action") or "", data={**_form_fields(form), "action": "save"}, headers=ORIGIN
    )
    assert resent.status_code == 302, _alert(resent.get_data(as_text=True))
    stored = _only_response()
    assert stored.answers == {"national_strategy": "full", "prisoners": 6, "legal_aid": True}
    revisions = _revisions(response_id)
    assert [r.action for r in revisions] == ["start", "save", "save", "save"]
    assert {r.actor_id for r in revisions} == {focal.id}


def test_a11_after_the_session_ends_the_next_person_signs_their_own_changes(
    mini_cycle: Cycle, client: FlaskClient, app: Flask, france: Organisation, focal: User
) -> None:
    """A11: on a shared computer the session ends and a colleague logs in: the draft is intact,
    the colleague's save is attributed to the colleague, the earlier ones stay the focal
    point's."""
    colleague = make_user("contributor", france, "colleague@example.org")
    login(client, focal)
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "5"}).status_code == 302
    client.delete_cookie("session")
    login(client, colleague)
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert _value(page, "prisoners") == "5"
    assert (
        _save(client, mini_cycle, {"action": "save", "legal_aid": "false", "prisoners": "5"})
    ).status_code == 302
    stored = _only_response()
    assert stored.answers == {"prisoners": 5, "legal_aid": False}
    actors = [(r.action, r.actor_id, [c["path"] for c in r.changes]) for r in _revisions(stored.id)]
    assert actors == [
        ("start", focal.id, []),
        ("save", focal.id, ["/prisoners"]),
        ("save", colleague.id, ["/legal_aid"]),
    ]


def _fresh_csrf_token() -> None:
    """Flask-WTF caches the token in `g`; the `app` fixture's context outlives requests."""
    g.pop("csrf_token", None)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_a11_with_csrf_on_the_kept_answers_save_after_logging_in_again(
    mini_cycle: Cycle, client: FlaskClient, app: Flask, focal: User
) -> None:
    """A11 with CSRF protection on, as in production: the session ends, the page that kept the
    answers is sent again after a new login. Its token belonged to the old session, so today
    the first press may show the answers once more with a fresh token (400, nothing saved,
    nothing lost); at the latest the next press saves them, as the user's."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_csrf_token)

    def log_in() -> None:
        token = _csrf(client.get("/login").get_data(as_text=True))
        answer = client.post(
            "/login",
            data={"email": focal.email, "password": PASSWORD, "csrf_token": token},
            headers=ORIGIN,
        )
        assert answer.status_code == 302

    def post(page: str, **data: str) -> Any:
        fields = {"csrf_token": _csrf(page), "version": _version(page), "action": "save"}
        return client.post(_url(mini_cycle), data={**fields, **data}, headers=ORIGIN)

    try:
        log_in()
        assert (
            post(client.get(_url(mini_cycle)).get_data(as_text=True), prisoners="5").status_code
            == 302
        )
        page = client.get(_url(mini_cycle)).get_data(as_text=True)
        client.delete_cookie("session")
        late = client.post(
            _url(mini_cycle),
            data={"csrf_token": _csrf(page), "version": _version(page), "prisoners": "6"},
            headers=ORIGIN,
        )
        assert late.status_code == 400
        assert "this page had expired" in _alert(late.get_data(as_text=True))
        [form] = parse(late.get_data(as_text=True)).find_all("form")
        log_in()
        sent = client.post(
            form.get("action") or "", data={**_form_fields(form), "action": "save"}, headers=ORIGIN
        )
        if sent.status_code == 400:
            shown = sent.get_data(as_text=True)
            assert "this page had expired" in _alert(shown)
            assert _value(shown, "prisoners") == "6", "nothing typed is lost"
            assert _only_response().answers == {"prisoners": 5}, "nothing saved yet"
            sent = post(shown, prisoners=_value(shown, "prisoners") or "")
        assert sent.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    stored = _only_response()
    assert stored.answers == {"prisoners": 6}
    assert {r.actor_id for r in _revisions(stored.id)} == {focal.id}


# -- A14: closed cycles, superseded versions ------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "extended_for", "status"),
    [
        ("save", None, 409),
        ("submit", None, 409),
        ("submit", "youth-network", 409),  # another organisation's extension changes nothing
        ("save", "FRA", 302),
        ("submit", "FRA", 302),
    ],
)
def test_a14_a_closed_cycle_refuses_and_names_its_closing_date(
    mini_cycle: Cycle,
    client: FlaskClient,
    focal: User,
    action: str,
    extended_for: str | None,
    status: int,
) -> None:
    """A14: after the closing date (no extension for this organisation) a save or a submission
    is refused with 409 and a message naming the date; nothing changes. An extension for this
    organisation reopens it."""
    login(client, focal)
    assert (
        _save(
            client, mini_cycle, {"action": "save", "national_strategy": "none"}, "prevention"
        ).status_code
        == 302
    )
    page = client.get(_url(mini_cycle)).get_data(as_text=True)  # open before the deadline
    response_id = _only_response().id
    closed_on = today() - dt.timedelta(days=1)
    mini_cycle.closes_on = closed_on
    if extended_for is not None:
        extend(mini_cycle, _org(mini_cycle, extended_for), today() + dt.timedelta(days=3), None)
    db.session.commit()
    before = _row(response_id)

    answer = client.post(
        _url(mini_cycle),
        data={"version": _version(page), "action": action, "prisoners": "8"},
        headers=ORIGIN,
    )

    assert answer.status_code == status
    if status == 409:
        html = answer.get_data(as_text=True)
        assert _alert(html) == (
            f"Your answers were NOT saved: the reporting period closed on {closed_on.isoformat()};"
            " ask the Secretariat to reopen it."
        )
        shown = parse(html).by_id("prisoners--question")
        assert shown is not None
        assert shown.text == "Number of prisoners 8", "what was typed is shown back, read-only"
        assert _row(response_id) == before
        again = client.get(_url(mini_cycle)).get_data(as_text=True)
        assert f"the reporting period closed on {closed_on.isoformat()}" in again  # said up front
    else:
        stored = _row(response_id)
        assert stored["answers"] == {"national_strategy": "none", "prisoners": 8}
        assert stored["status"] == ("submitted" if action == "submit" else "draft")


def test_a14_the_closing_day_itself_is_open(
    mini_cycle: Cycle, client: FlaskClient, focal: User
) -> None:
    """A14: the closing date is the last day answers are taken (UTC), not the first refused."""
    mini_cycle.closes_on = today()
    db.session.commit()
    login(client, focal)
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "3"}).status_code == 302
    assert _only_response().answers == {"prisoners": 3}


def test_a14_a_cycle_not_open_yet_is_not_called_closed(
    mini_cycle: Cycle, client: FlaskClient, focal: User
) -> None:
    """A14: a post to a cycle that opens later is refused with a message that says so."""
    opens_on = today() + dt.timedelta(days=3)
    mini_cycle.opens_on = opens_on
    db.session.commit()
    login(client, focal)
    answer = client.post(
        _url(mini_cycle), data={"version": "0", "action": "save", "prisoners": "8"}, headers=ORIGIN
    )
    assert answer.status_code == 409
    assert db.session.query(Response).count() == 0
    message = _alert(answer.get_data(as_text=True))
    assert "closed on" not in message
    assert opens_on.isoformat() in message
    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert f"opens on {opens_on.isoformat()}" in page  # said before anyone types


def test_a14_a_new_version_never_moves_a_running_cycle(
    mini_cycle: Cycle, client: FlaskClient, app: Flask, france: Organisation, focal: User
) -> None:
    """A14: version 2 is published while the cycle runs on version 1: responses stay on version 1
    (started before or after), saving validates against version 1 (its range, its choices, none
    of version 2's questions), and the review page says version 1. No silent remap."""
    version_one = mini_cycle.questionnaire_version
    login(client, focal)
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "50"}).status_code == 302
    version_two = publish(_version_two(), "mini-v2.yaml").version
    db.session.commit()
    assert version_two.id != version_one.id

    page = client.get(_url(mini_cycle)).get_data(as_text=True)
    assert "Number of prisoners" in page
    assert "Number of victims" not in page
    below_v2 = client.post(
        _url(mini_cycle),
        data={"version": _version(page), "action": "save", "prisoners": "5", "victims": "3"},
    )
    assert below_v2.status_code == 302, "5 is fine for version 1 (min 0), not for version 2"
    assert (
        _save(
            client, mini_cycle, {"action": "save", "national_strategy": "none"}, "prevention"
        ).status_code
        == 302
    ), "'none' is a choice of version 1 only"
    negative = _save(client, mini_cycle, {"action": "save", "prisoners": "-1"})
    assert negative.status_code == 422
    assert "Number of prisoners: must be at least 0" in parse(negative.get_data(as_text=True)).text
    assert _save(client, mini_cycle, {"action": "submit", "prisoners": "5"}).status_code == 302

    ours = _only_response()
    assert ours.answers == {"national_strategy": "none", "prisoners": 5}
    assert ours.status == "submitted"
    assert ours.questionnaire_version_id == version_one.id
    db.session.refresh(mini_cycle)
    assert mini_cycle.questionnaire_version_id == version_one.id

    ngo = _org(mini_cycle, "youth-network")
    started_later = start(mini_cycle, ngo, make_user("focal_point", ngo))
    db.session.commit()
    assert started_later.questionnaire_version_id == version_one.id

    reviewer = app.test_client()
    login(reviewer, make_user("secretariat"))
    shown = reviewer.get(f"/review/cycles/{mini_cycle.name}/responses/FRA")
    assert shown.status_code == 200
    review_text = parse(shown.get_data(as_text=True)).text
    assert "questionnaire version 1" in review_text
    assert "Number of prisoners" in review_text
    assert "Number of victims" not in review_text
    history = reviewer.get(f"/review/cycles/{mini_cycle.name}/responses/FRA/history")
    assert history.status_code == 200


# -- A15: no bulk writes on versioned tables ------------------------------------------------------

DOCUMENTED_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("services/responses.py", "_write_versioned"): (
        "the save's UPDATE checks `version = <read under the row lock>` and sets version + 1 "
        "itself; no row updated raises Conflict (tested in test_services_responses.py)"
    ),
}
"""(path under webapp/, enclosing function) -> why a bulk write there is safe."""


class Finding(NamedTuple):
    path: str
    line: int
    function: str
    what: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line} in {self.function}: {self.what}"


_BULK = {"bulk_update_mappings", "bulk_save_objects", "bulk_insert_mappings"}


def _versioned() -> tuple[set[str], set[str], set[str]]:
    """Mapped classes with a `version_id_col`, their tables, their version attributes."""
    classes, tables, columns = set(), set(), set()
    for mapper in Base.registry.mappers:
        if mapper.version_id_col is not None:
            classes.add(mapper.class_.__name__)
            tables.add(str(mapper.local_table.name))
            columns.add(mapper.get_property_by_column(mapper.version_id_col).key)
    return classes, tables, columns


def bulk_writes(source: str, filename: str = "<source>") -> list[Finding]:
    """Writes that bypass the ORM's optimistic lock on a versioned table: `update()`/`delete()`
    (Core or `Query`), `.update()`/`.delete()` of a `Table`, upserts, bulk mappings, and raw
    `UPDATE`/`DELETE FROM` SQL, unless they set the version column themselves; and Core inserts
    that leave the version column to chance."""
    classes, tables, columns = _versioned()
    tree = ast.parse(source, filename)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    originals: dict[str, str] = {}
    names = set(classes)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                originals[alias.asname or alias.name] = alias.name
                if alias.name in classes:
                    names.add(alias.asname or alias.name)
    sql = re.compile(
        r"\b(?:UPDATE(?:\s+ONLY)?|DELETE\s+FROM)\s+[\"'`]?(?:"
        + "|".join(map(re.escape, sorted(tables)))
        + r")[\"'`]?(?:\s|;|$)",
        re.IGNORECASE,
    )
    bump = re.compile(
        r"\b(" + "|".join(map(re.escape, sorted(columns))) + r")\s*=\s*\1\s*\+", re.IGNORECASE
    )

    def mentions(node: ast.AST) -> bool:
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and part.id in names:
                return True
            if isinstance(part, ast.Attribute) and part.attr in classes:
                return True
            if isinstance(part, ast.Constant) and part.value in tables:
                return True
        return False

    def chain(node: ast.AST) -> list[ast.Call]:
        """The call and the calls chained onto it: `update(X).where(...).values(...)`."""
        calls = [node] if isinstance(node, ast.Call) else []
        while True:
            parent = parents.get(node)
            if isinstance(parent, ast.Attribute) and parent.value is node:
                node = parent
            elif isinstance(parent, ast.Call) and parent.func is node:
                node = parent
                calls.append(parent)
            else:
                return calls

    def sets_version(calls: list[ast.Call]) -> bool:
        for call in calls:
            if any(k.arg in columns for k in call.keywords):
                return True
            for argument in call.args:
                if isinstance(argument, ast.Dict):
                    for key in argument.keys:
                        if isinstance(key, ast.Constant) and key.value in columns:
                            return True
                        if isinstance(key, ast.Attribute) and key.attr in columns:
                            return True
        return False

    def finding(node: ast.AST, what: str) -> Finding:
        scope = node
        while scope in parents and not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
            scope = parents[scope]
        function = scope.name if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef) else ""
        return Finding(filename, getattr(node, "lineno", 0), function or "<module>", what)

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func_ = node.func
            if isinstance(func_, ast.Name):
                name, targets = originals.get(func_.id, func_.id), node.args[:1]
            elif isinstance(func_, ast.Attribute):
                name, targets = func_.attr, [func_.value]
            else:
                continue
            if name in ("update", "delete") and any(mentions(t) for t in targets):
                if not (name == "update" and sets_version(chain(node))):
                    found.append(finding(node, f"bulk {name}() on a versioned table"))
            elif name == "on_conflict_do_update" and mentions(node):
                found.append(finding(node, "upsert (ON CONFLICT DO UPDATE) on a versioned table"))
            elif name in _BULK and mentions(node):
                found.append(finding(node, f"{name}() on a versioned table"))
            elif (
                name == "insert"
                and any(mentions(t) for t in targets)
                and not sets_version(chain(node))
            ):
                found.append(finding(node, "Core insert into a versioned table, version unset"))
        elif isinstance(node, ast.Constant | ast.JoinedStr):
            if isinstance(node, ast.Constant):
                if not isinstance(node.value, str) or isinstance(parents.get(node), ast.JoinedStr):
                    continue
                statement = node.value
            else:
                statement = "".join(
                    v.value if isinstance(v, ast.Constant) else "{}" for v in node.values
                )
            if sql.search(statement) and not bump.search(statement):
                found.append(finding(node, f"SQL writes a versioned table: {statement[:60]!r}"))
    return found


FLAGGED = [
    "db.session.query(Response).filter_by(id=1).update({'status': 'accepted'})",
    "db.session.query(Response).filter(Response.cycle_id == 3).delete()",
    "db.session.execute(update(Response).where(Response.id == 1).values(status='accepted'))",
    "db.session.execute(delete(Response).where(Response.id == 1))",
    "from sqlalchemy import update as change\n"
    "db.session.execute(change(Response).values(status='x'))",
    "from webapp.models import Response as R\ndb.session.query(R).delete()",
    "db.session.execute(models.Response.__table__.update().values(status='x'))",
    "op.execute(sa.table('response', sa.column('status')).update().values(status='x'))",
    "db.session.execute(text('UPDATE response SET status = 1'))",
    "op.execute('DELETE FROM \"response\" WHERE id = 1')",
    "db.session.execute(text(f'UPDATE response SET status = {status!r}'))",
    "db.session.execute(insert(Response).values(status='draft', version=1)"
    ".on_conflict_do_update(index_elements=['id'], set_={'status': 'x'}))",
    "db.session.execute(insert(Response.__table__).values(status='draft'))",
    "db.session.bulk_update_mappings(Response, [{'id': 1, 'status': 'x'}])",
]

NOT_FLAGGED = [
    "answers.update(other)",
    "response.answers.update(other)",
    "db.session.delete(response)",  # the ORM's DELETE checks the version
    "db.session.execute(update(Cycle).values(closes_on=day))",
    "db.session.execute(update(Response).values(status='x', version=Response.version + 1))",
    "db.session.query(Response).filter_by(id=1).update({'status': 'x', Response.version: 2})",
    "db.session.execute(insert(Response.__table__).values(status='draft', version=1)"
    ".on_conflict_do_nothing())",
    "db.session.execute(text('SELECT * FROM response'))",
    "db.session.execute(text('UPDATE response SET status = 1, version = version + 1'))",
    "op.execute('CREATE TRIGGER t BEFORE UPDATE OR DELETE ON revision')",
    "db.session.execute(text('DELETE FROM responses_archive'))",
]


@pytest.mark.parametrize("source", FLAGGED)
def test_a15_the_lint_finds_bulk_writes(source: str) -> None:
    """A15: the lint below recognises each way of writing around the optimistic lock."""
    assert bulk_writes(source), source


@pytest.mark.parametrize("source", NOT_FLAGGED)
def test_a15_the_lint_leaves_other_code_alone(source: str) -> None:
    """A15: dictionaries, other tables, ORM writes and version-bumping statements pass."""
    assert bulk_writes(source) == [], source


def test_a15_no_bulk_writes_on_versioned_tables_in_the_app() -> None:
    """A15: no bulk `update()`/`delete()`, upsert or raw UPDATE/DELETE on a table with a
    `version_id_col` anywhere in webapp/ (migrations included): SQLAlchemy's optimistic lock
    does not apply to them, so they could silently overwrite a concurrent save."""
    classes, tables, columns = _versioned()
    assert "Response" in classes, "the lint must know the versioned tables"
    assert (tables, columns) >= ({"response"}, {"version"})
    paths = sorted((ROOT / "webapp").rglob("*.py"))
    assert len(paths) > 20
    found = [
        str(problem)
        for path in paths
        for problem in bulk_writes(
            path.read_text(encoding="utf-8"), path.relative_to(ROOT / "webapp").as_posix()
        )
        if (problem.path, problem.function) not in DOCUMENTED_EXCEPTIONS
    ]
    assert found == []


# -- B4: mass assignment through the page's form --------------------------------------------------


def test_b4_extra_fields_in_a_save_change_only_the_answers(
    mini_cycle: Cycle, client: FlaskClient, france: Organisation, focal: User
) -> None:
    """B4: a save posted with status, organisation, ids, version of the questionnaire, actor,
    dates and raw envelopes stores the section's answers and nothing else; the revision is the
    session user's."""
    germany = make_organisation("DEU", name="Germany")
    stranger = make_user("secretariat", email="stranger@example.org")
    other_version = publish(_version_two(), "mini-v2.yaml").version
    db.session.commit()
    login(client, focal)
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "5"}).status_code == 302
    response_id = _only_response().id
    before = _row(response_id)

    forged = {
        "status": "accepted",
        "organisation_id": str(germany.id),
        "organisation": "DEU",
        "cycle_id": "999",
        "id": "999",
        "response_id": "999",
        "questionnaire_version_id": str(other_version.id),
        "actor_id": str(stranger.id),
        "user_id": str(stranger.id),
        "role": "secretariat",
        "submitted_at": "2020-01-01T00:00:00",
        "updated_at": "2020-01-01T00:00:00",
        "published": "1",
        "answers": '{"prisoners": 0, "national_strategy": "full"}',
        "justifications": '{"/prisoners": "forged"}',
        "unconfirmed": "/prisoners",
        "national_strategy": "full",  # a question of another section
        "strategy_year": "1999",
        "justification:/national_strategy": "forged",  # marks on another section's answers
        "confidential": "/national_strategy",
        "confirm": "/national_strategy",
    }
    answer = _save(
        client, mini_cycle, {"action": "save", "prisoners": "6", "legal_aid": "true", **forged}
    )
    assert answer.status_code == 302

    after = _row(response_id)
    assert after["answers"] == {"prisoners": 6, "legal_aid": True}
    assert after["version"] == before["version"] + 1
    assert after["revisions"] == before["revisions"] + 1
    unchanged = {k for k in before if k not in ("answers", "version", "revisions", "updated_at")}
    assert {k: after[k] for k in unchanged} == {k: before[k] for k in unchanged}
    assert after["status"] == "draft"
    assert after["published"] is False
    assert after["submitted_at"] is None
    latest = _revisions(response_id)[-1]
    assert (latest.actor_id, latest.action) == (focal.id, "save")
    assert [c["path"] for c in latest.changes] == ["/prisoners", "/legal_aid"]
    assert db.session.query(Response).count() == 1, "no response for another organisation"


def _arabic(number: int) -> str:
    return str(number).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


@pytest.mark.parametrize(
    "forge",
    [
        lambda v: str(v + 1),
        lambda v: str(v + 1000),
        lambda v: "0",
        lambda v: "1",
        lambda v: "-1",
        lambda v: "",
        lambda v: "abc",
        lambda v: f" {v}",
        lambda v: f"{v}.0",
        lambda v: _arabic(v),
        lambda v: "9" * 12,
        None,  # no version field at all
    ],
    ids=[
        "next",
        "far-future",
        "zero",
        "one",
        "negative",
        "empty",
        "garbage",
        "space",
        "decimal",
        "arabic-digits",
        "huge",
        "missing",
    ],
)
def test_b4_a_forged_version_is_a_stale_page_never_an_overwrite(
    mini_cycle: Cycle,
    client: FlaskClient,
    app: Flask,
    france: Organisation,
    focal: User,
    forge: Any,
) -> None:
    """B4: `version` is the page's optimistic lock, not a stored value anyone may set: any value
    but the current one gets the stale-page conflict (409, typed value kept, nothing stored),
    and the page then drawn saves normally."""
    login(client, focal)
    assert _save(client, mini_cycle, {"action": "save", "prisoners": "5"}).status_code == 302
    colleague = app.test_client()
    login(colleague, make_user("contributor", france))
    assert (
        _save(colleague, mini_cycle, {"action": "save", "legal_aid": "true", "prisoners": "5"})
    ).status_code == 302
    response_id = _only_response().id
    before = _row(response_id)
    current = before["version"]
    assert current >= 3

    data = {"action": "save", "prisoners": "99", "legal_aid": "true"}
    if forge is not None:
        data["version"] = forge(current)
    answer = client.post(_url(mini_cycle), data=data, headers=ORIGIN)

    assert answer.status_code == 409
    html = answer.get_data(as_text=True)
    assert "saved this questionnaire while you were editing it" in _alert(html)
    assert _value(html, "prisoners") == "99"
    assert _row(response_id) == before
    assert _version(html) == str(current), "the conflict page is drawn from the stored version"
    resolved = client.post(
        _url(mini_cycle), data={**data, "version": _version(html)}, headers=ORIGIN
    )
    assert resolved.status_code == 302
    after = _row(response_id)
    assert after["answers"] == {"prisoners": 99, "legal_aid": True}
    assert after["version"] == current + 1


# -- B5: who is acting comes from the session -----------------------------------------------------


@pytest.fixture
def germany(mini_cycle: Cycle) -> tuple[Organisation, User, Response]:
    """Germany is asked too and has a draft of its own."""
    organisation = make_organisation("DEU", name="Germany")
    db.session.add(Assignment(cycle=mini_cycle, organisation=organisation))
    db.session.commit()
    user = make_user("focal_point", organisation)
    response = start(mini_cycle, organisation, user)
    save_draft(response, {"prisoners": 4242, "legal_aid": True}, user, response.version)
    db.session.commit()
    return organisation, user, response


def test_b5_organisation_or_user_in_the_query_or_body_is_ignored(
    mini_cycle: Cycle,
    client: FlaskClient,
    focal: User,
    germany: tuple[Organisation, User, Response],
) -> None:
    """B5: France's focal point posting with ?organisation=DEU, ?org=, ?user= (and the same in the
    body) saves France's draft as themself; Germany's draft is untouched and never shown."""
    organisation, german, theirs = germany
    theirs_before = _row(theirs.id)
    forged = {
        "organisation": "DEU",
        "org": "DEU",
        "organisation_id": str(organisation.id),
        "user": str(german.id),
        "user_id": str(german.id),
        "email": german.email,
    }
    login(client, focal)
    for url in (
        "/?" + urlencode(forged),
        _url(mini_cycle, **forged),
        _url(mini_cycle, "prevention", **forged),
        f"/cycles/{mini_cycle.id}?" + urlencode(forged),
    ):
        shown = client.get(url, follow_redirects=True)
        assert shown.status_code == 200, url
        html = shown.get_data(as_text=True)
        assert "4242" not in html, url
        assert "Germany" not in html, url

    page = client.get(_url(mini_cycle, **forged)).get_data(as_text=True)
    answer = client.post(
        _url(mini_cycle, **forged),
        data={"version": _version(page), "action": "save", "prisoners": "7", **forged},
        headers=ORIGIN,
    )
    assert answer.status_code == 302
    assert "DEU" not in answer.headers["Location"]

    ours = db.session.scalar(
        select(Response).where(Response.organisation_id == focal.organisation_id)
    )
    assert ours is not None
    assert _row(ours.id)["answers"] == {"prisoners": 7}
    assert {r.actor_id for r in _revisions(ours.id)} == {focal.id}
    assert _row(theirs.id) == theirs_before

    review = f"/review/cycles/{mini_cycle.name}/responses"
    own = client.get(f"{review}/FRA?" + urlencode(forged))
    assert own.status_code == 200
    assert "4242" not in own.get_data(as_text=True)
    for url in (f"{review}/DEU?user={focal.id}", f"{review}/DEU/history?org=FRA"):
        assert client.get(url).status_code == 404, url


def test_b5_a_contributor_naming_the_focal_point_still_cannot_submit(
    mini_cycle: Cycle, client: FlaskClient, france: Organisation, focal: User
) -> None:
    """B5: a contributor posting Submit with ?user= / user_id= / role= naming the focal point is
    refused (403) and nothing is saved or submitted."""
    login(client, make_user("contributor", france))
    forged = {"user": str(focal.id), "user_id": str(focal.id), "role": "focal_point"}
    page = client.get(_url(mini_cycle, "prevention")).get_data(as_text=True)
    answer = client.post(
        _url(mini_cycle, "prevention", **forged),
        data={"version": _version(page), "action": "submit", "national_strategy": "none", **forged},
    )
    assert answer.status_code == 403
    assert db.session.query(Response).count() == 0


# -- J3: history rows cannot be changed -----------------------------------------------------------


@pytest.mark.parametrize("table", ["revision", "audit_event"])
@pytest.mark.parametrize(
    "statement", ["UPDATE {table} SET request_id = 'x'", "DELETE FROM {table}"]
)
def test_j3_history_rows_cannot_be_updated_or_deleted(
    mini_cycle: Cycle, focal: User, table: str, statement: str
) -> None:
    """J3: revisions and audit events refuse UPDATE and DELETE from the app's own connection
    (a trigger on SQLite and PostgreSQL), so no code path can rewrite history."""
    response = start(mini_cycle, focal.organisation, focal)  # type: ignore[arg-type]
    save_draft(response, {"prisoners": 1}, focal, response.version)
    db.session.commit()
    counts = (
        db.session.scalar(select(func.count(Revision.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    )
    assert all(counts)
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(statement.format(table=table)))
    db.session.rollback()
    assert (
        db.session.scalar(select(func.count(Revision.id))),
        db.session.scalar(select(func.count(AuditEvent.id))),
    ) == counts


def test_j3_the_orm_cannot_rewrite_a_revision(mini_cycle: Cycle, focal: User) -> None:
    """J3: changing a loaded Revision and flushing fails; the stored row is unchanged."""
    response = start(mini_cycle, focal.organisation, focal)  # type: ignore[arg-type]
    db.session.commit()
    revision = db.session.scalars(select(Revision)).one()
    revision.comment = "rewritten"
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    db.session.expire_all()
    assert db.session.scalars(select(Revision.comment)).one() is None
    assert response.id is not None
