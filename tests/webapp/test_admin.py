"""The Secretariat's pages: upload, check, preview, publish, open a cycle, the status board."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.security import generate_password_hash
from werkzeug.test import encode_multipart

from tests.conftest import FIXTURES, make_organisation, make_user
from webapp.auth import ROLE_KEY
from webapp.extensions import db
from webapp.models import AuditEvent, Cycle, QuestionnaireVersion, User
from webapp.services import users
from webapp.services.cycles import extend, open_cycle
from webapp.services.definitions import publish
from webapp.services.responses import review, save_draft, start, submit

MINI = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
TODAY = dt.datetime.now(dt.UTC).date()


def sign_in(client: FlaskClient, user: User) -> None:
    """What Flask-Login reads from the session (the login page is tested elsewhere).

    The `app` fixture keeps an application context pushed for the whole test, and requests
    reuse it, so Flask-Login's per-request cache `g._login_user` would keep the previous user.
    """
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[ROLE_KEY] = user.role
    g.pop("_login_user", None)


class Page(HTMLParser):
    """Text, elements and attributes of a page, to assert on structure rather than bytes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def tags(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def duplicate_ids(self) -> list[str]:
        ids = [attrs["id"] for _, attrs in self.elements if attrs.get("id")]
        return sorted({i for i in ids if ids.count(i) > 1})

    def executable(self) -> list[str]:
        """Script elements, event-handler attributes and javascript: URLs: none may come from data."""
        found = []
        for tag, attrs in self.elements:
            if tag == "script" and (
                attrs.get("type") == "application/json"
                or (attrs.get("src") or "").startswith("/static/js/")
            ):
                continue  # the application's own scripts and data blocks
            if tag in ("script", "svg", "iframe", "object", "embed"):
                found.append(tag)
            for name, value in attrs.items():
                if name.startswith("on"):
                    found.append(f"{tag}[{name}]")
                if (
                    name in ("href", "src", "action", "formaction")
                    and value
                    and (value.strip().lower().startswith("javascript:"))
                ):
                    found.append(f"{tag}[{name}]")
        return found


def page(response) -> Page:  # type: ignore[no-untyped-def]
    return Page(response.get_data(as_text=True))


@pytest.fixture(autouse=True)
def _cheap_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests sign in through the session, never with a password: skip scrypt's cost."""
    monkeypatch.setattr(
        users,
        "generate_password_hash",
        lambda password: generate_password_hash(password, method="pbkdf2:sha256:1"),
    )


@pytest.fixture
def secretariat(app) -> User:  # type: ignore[no-untyped-def]
    return make_user("secretariat")


@pytest.fixture
def officer(app) -> User:  # type: ignore[no-untyped-def]
    return make_user("officer")


def upload(client: FlaskClient, text: str, name: str = "def.yaml", as_file: bool = True):  # type: ignore[no-untyped-def]
    """A multipart POST, encoded in memory (the test client spills big bodies to a temporary
    file that it never closes, which `filterwarnings = error` turns into a failure)."""
    if as_file:
        fields = {"file": FileStorage(io.BytesIO(text.encode("utf-8")), name)}
    else:
        fields = {"text": text}
    boundary, body = encode_multipart(fields)
    return client.post(
        "/admin/questionnaires/upload",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


# Upload, check, preview, publish ----------------------------------------------------------


BROKEN = """id: broken
version: 1
title: {en: Broken}
sections:
  - id: s1
    pillar: crime_prevetion
    title: {en: One}
    questions:
      - {id: q1, type: txt, label: {en: "First <b>question</b>"}}
"""


def test_upload_with_errors_shows_line_numbers_and_source_lines(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = upload(client, BROKEN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    shown = page(response)
    assert "line 6, column" in shown.text
    assert "line 9, column" in shown.text
    # The offending source lines, escaped: the label's markup stays text.
    assert "pillar: crime_prevetion" in shown.text
    assert "&lt;b&gt;question&lt;/b&gt;" in html
    assert not shown.tags("b")
    assert any(a.get("role") == "alert" for a in shown.tags("div"))
    assert db.session.scalar(select(QuestionnaireVersion)) is None


def test_yaml_syntax_error_is_reported_with_its_line(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = upload(client, "id: x\nversion: [1\ntitle: x\n", as_file=False)
    assert response.status_code == 422
    assert "line " in page(response).text


def test_upload_needs_a_file_or_text(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = client.post(
        "/admin/questionnaires/upload", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "Choose a YAML file or paste a definition." in page(response).text


def test_upload_over_one_mebibyte_is_refused(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    big = "# " + "x" * (1024 * 1024) + "\n" + MINI
    response = upload(client, big)
    assert response.status_code == 422
    assert "larger than 1 MiB" in page(response).text
    response = upload(client, big, as_file=False)
    assert response.status_code == 422
    assert "larger than 1 MiB" in page(response).text


def test_valid_upload_previews_then_publishes(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = upload(client, MINI, "mini.yaml")
    assert response.status_code == 200
    shown = page(response)
    assert "Crime prevention" in shown.text
    assert "National prevention strategy" in shown.text
    assert "Publish" in shown.text
    # The respondent's own renderer: every input named by its question's label.
    labels = {a["for"] for a in shown.tags("label") if a.get("for")}
    for name in ("strategy_year", "prisoners", "programmes-0-name", "programmes-0-budget_usd"):
        inputs = [a for a in shown.tags("input") if a.get("name") == name]
        assert len(inputs) == 1, name
        assert inputs[0]["id"] in labels, name
    assert "Programme name" in shown.text
    assert shown.duplicate_ids() == []
    hidden = {a["name"]: a["value"] for a in shown.tags("input") if a.get("type") == "hidden"}
    assert hidden["source"] == MINI
    assert hidden["file_name"] == "mini.yaml"

    # The preview in French, without publishing.
    french = client.post(
        "/admin/questionnaires/preview",
        data={"source": MINI, "file_name": "mini.yaml", "lang": "fr"},
    )
    assert french.status_code == 200
    assert "Stratégie nationale de prévention" in page(french).text
    assert db.session.scalar(select(QuestionnaireVersion)) is None

    published = client.post(
        "/admin/questionnaires/publish", data={"source": MINI, "file_name": "mini.yaml"}
    )
    assert published.status_code == 302
    assert published.headers["Location"].endswith("/admin/questionnaires/mini/1")
    row = db.session.scalar(select(QuestionnaireVersion))
    assert (row.questionnaire_id, row.version, row.published_by_id) == ("mini", 1, secretariat.id)
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "publish")).all()
    assert [(a.entity_id, a.actor_id) for a in audit] == [("mini@v1", secretariat.id)]

    listing = page(client.get("/admin/questionnaires"))
    assert "mini" in listing.text
    assert "Mini questionnaire" in listing.text
    detail = client.get("/admin/questionnaires/mini/1?lang=ar")
    assert detail.status_code == 200
    assert "الاستراتيجية الوطنية للوقاية" in page(detail).text
    preview = next(a for tag, a in page(detail).elements if a.get("class") == "preview")
    assert (preview["lang"], preview["dir"]) == ("ar", "rtl")


def test_pasted_text_with_crlf_is_the_same_source(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    publish(MINI, "mini.yaml")
    db.session.commit()
    response = upload(client, MINI.replace("\n", "\r\n"), as_file=False)
    assert response.status_code == 200
    assert "already published: publishing it again changes nothing" in page(response).text


def test_republishing_the_same_source_is_a_no_op(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    publish(MINI, "mini.yaml")  # as `kyoto load` does
    db.session.commit()
    # A browser sends the hidden source back with CRLF line ends: still the same source.
    data = {"source": MINI.replace("\n", "\r\n"), "file_name": "mini.yaml"}
    again = client.post("/admin/questionnaires/publish", data=data, follow_redirects=True)
    assert again.status_code == 200
    assert "already published with this very content: nothing changed" in page(again).text
    assert len(db.session.scalars(select(QuestionnaireVersion)).all()) == 1


def test_a_changed_published_version_is_refused(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    publish(MINI, "mini.yaml")
    db.session.commit()
    changed = MINI.replace("Number of prisoners", "Number of detainees")
    preview = upload(client, changed)
    assert "publishing this will be refused" in page(preview).text
    refused = client.post(
        "/admin/questionnaires/publish", data={"source": changed, "file_name": "mini.yaml"}
    )
    assert refused.status_code == 409
    assert (
        "mini version 1 is already published with other content; a published version never "
        "changes: publish version 2 instead"
    ) in page(refused).text
    rows = db.session.scalars(select(QuestionnaireVersion)).all()
    assert [row.source for row in rows] == [MINI]


def test_publishing_a_broken_source_shows_the_problems(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = client.post(
        "/admin/questionnaires/publish", data={"source": BROKEN, "file_name": "x.yaml"}
    )
    assert response.status_code == 422
    assert "line 6, column" in page(response).text
    assert db.session.scalar(select(QuestionnaireVersion)) is None


XSS = '<script>alert(1)</script>"><svg onload=alert(2)><img src=x oNeRrOr=alert(3)>'


def test_author_markup_and_file_names_are_inert(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    evil = MINI.replace("Number of prisoners", XSS.replace('"', '\\"')).replace(
        "title: {en: Mini questionnaire", "title: {en: '{{ 7*7 }} <script>x</script>'"
    )
    name = "<img src=x onerror=alert(4)>.yaml"
    response = upload(client, evil, name)
    assert response.status_code == 200, response.get_data(as_text=True)
    shown = page(response)
    assert shown.executable() == []
    assert "<script>alert(1)</script>" in shown.text
    assert "{{ 7*7 }}" in shown.text
    assert "49" not in shown.text
    broken = upload(client, BROKEN.replace("First", XSS.replace('"', '\\"')), name)
    assert page(broken).executable() == []
    assert name in page(broken).text

    client.post("/admin/questionnaires/publish", data={"source": evil, "file_name": name})
    for url in ("/admin/questionnaires", "/admin/questionnaires/mini/1"):
        assert page(client.get(url)).executable() == [], url


def test_csrf_is_required(app, client, secretariat) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, secretariat)
    response = client.post(
        "/admin/questionnaires/publish", data={"source": MINI, "file_name": "mini.yaml"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(QuestionnaireVersion)) is None
    form = page(client.get("/admin/questionnaires/upload"))
    assert any(a.get("name") == "csrf_token" and a.get("value") for a in form.tags("input"))


# Cycles -------------------------------------------------------------------------------------


def test_open_a_cycle_for_the_audience_or_chosen_organisations(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    france = make_organisation("FRA")
    make_organisation("PER")
    make_organisation("ngo-one", "civil_society", "NGO one")
    make_organisation("uni", "academia", "A university")
    publish(MINI, "mini.yaml")
    db.session.commit()
    sign_in(client, secretariat)
    form = page(client.get("/admin/cycles/new?version=mini@v1"))
    assert any(a.get("value") == "mini@v1" for a in form.tags("option"))

    closes = TODAY + dt.timedelta(days=30)
    response = client.post(
        "/admin/cycles/new",
        data={
            "version": "mini@v1",
            "period": str(TODAY.year),
            "opens_on": TODAY.isoformat(),
            "closes_on": closes.isoformat(),
            "asked": "audience",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/admin/cycles/mini@{TODAY.year}")
    board = page(client.get(response.headers["Location"])).text
    assert f"Opened mini@{TODAY.year} for 3 organisations." in board
    cycle = db.session.scalar(select(Cycle))
    assert sorted(a.organisation.slug for a in cycle.assignments) == ["FRA", "PER", "ngo-one"]
    assert (cycle.opens_on, cycle.closes_on) == (TODAY, closes)
    opened = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "open")).one()
    assert (opened.entity, opened.entity_id, opened.actor_id) == (
        "cycle",
        f"mini@{TODAY.year}",
        secretariat.id,
    )

    chosen = client.post(
        "/admin/cycles/new",
        data={
            "version": "mini@v1",
            "period": str(TODAY.year + 1),
            "opens_on": TODAY.isoformat(),
            "closes_on": closes.isoformat(),
            "asked": "chosen",
            "organisations": ["FRA"],
        },
    )
    assert chosen.status_code == 302
    board = page(client.get(chosen.headers["Location"])).text
    assert f"Opened mini@{TODAY.year + 1} for 1 organisation." in board
    cycle = db.session.scalars(select(Cycle).where(Cycle.period == str(TODAY.year + 1))).one()
    assert [a.organisation for a in cycle.assignments] == [france]


@pytest.mark.parametrize(
    ("period", "closes", "asked", "status", "message"),
    [
        ("20x6", 30, "audience", 422, "“20x6” is not a period of an annual questionnaire"),
        ("2031", -5, "audience", 422, "closes"),
        ("2031", 30, "chosen", 422, "Choose at least one organisation."),
    ],
)
def test_open_cycle_refusals(client, secretariat, period, closes, asked, status, message) -> None:  # type: ignore[no-untyped-def]
    make_organisation("FRA")
    publish(MINI, "mini.yaml")
    db.session.commit()
    sign_in(client, secretariat)
    response = client.post(
        "/admin/cycles/new",
        data={
            "version": "mini@v1",
            "period": period,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=closes)).isoformat(),
            "asked": asked,
        },
    )
    assert response.status_code == status
    assert message in page(response).text
    assert db.session.scalar(select(Cycle)) is None


def test_opening_the_same_cycle_twice_is_refused(client, secretariat, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    response = client.post(
        "/admin/cycles/new",
        data={
            "version": "mini@v1",
            "period": mini_cycle.period,
            "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "asked": "audience",
        },
    )
    assert response.status_code == 409
    assert "already exists" in page(response).text


# The status board ----------------------------------------------------------------------------


def _board_cycle(secretariat: User) -> Cycle:
    """A closed cycle (closing yesterday) with one organisation in each state."""
    orgs = {slug: make_organisation(slug) for slug in ("AAA", "BBB", "CCC", "DDD", "EEE", "FFF")}
    publish(MINI, "mini.yaml")
    cycle = open_cycle(
        "mini",
        1,
        "2025",
        TODAY + dt.timedelta(days=10),
        TODAY - dt.timedelta(days=10),
        list(orgs.values()),
    )
    db.session.commit()
    answers = {"national_strategy": "none"}
    for slug, state in [
        ("BBB", "draft"),
        ("CCC", "submitted"),
        ("DDD", "returned"),
        ("EEE", "accepted"),
    ]:
        focal = make_user("focal_point", orgs[slug])
        response = start(cycle, orgs[slug], focal)
        save_draft(response, answers, focal, response.version)
        if state != "draft":
            submit(response, focal)
        if state == "returned":
            review(response, secretariat, "return", "more please")
        if state == "accepted":
            review(response, secretariat, "accept")
        if state != "draft":
            response.submitted_at = dt.datetime.combine(TODAY - dt.timedelta(days=5), dt.time())
    extend(cycle, orgs["FFF"], TODAY + dt.timedelta(days=20), secretariat)
    cycle.closes_on = TODAY - dt.timedelta(days=1)  # the cycle has closed since
    db.session.commit()
    return cycle


def test_board_counts_and_states(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    cycle = _board_cycle(secretariat)
    sign_in(client, secretariat)
    response = client.get(f"/admin/cycles/{cycle.name}")
    assert response.status_code == 200
    shown = page(response)
    html = response.get_data(as_text=True)
    counts = dict(re.findall(r'data-count="(\w+)"><dt>[^<]*</dt><dd>(\d+)</dd>', html))
    assert counts == {
        "asked": "6",
        "started": "4",
        "submitted": "2",
        "on_time": "2",
        "late": "3",
        "extended": "1",
    }
    assert shown.duplicate_ids() == []
    statuses = {
        a["data-organisation"]: a["data-status"]
        for a in shown.tags("tr")
        if "data-organisation" in a
    }
    assert statuses == {
        "AAA": "not_started",
        "BBB": "draft",
        "CCC": "submitted",
        "DDD": "returned",
        "EEE": "accepted",
        "FFF": "not_started",
    }
    rows = re.findall(r'<tr data-organisation="(\w+)".*?</tr>', html, re.S)
    assert rows == ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
    row_html = dict(re.findall(r'<tr data-organisation="(\w+)"(.*?)</tr>', html, re.S))
    for slug in ("AAA", "BBB", "DDD"):
        assert ">late<" in row_html[slug], slug
    assert ">late<" not in row_html["FFF"]
    assert f"extended until {(TODAY + dt.timedelta(days=20)).isoformat()}" in row_html["FFF"]
    for slug in ("CCC", "EEE"):
        assert "on time" in row_html[slug], slug
    last_change = (
        r"Submitted by focal_point\.ccc@example\.org at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"
    )
    assert re.search(last_change, row_html["CCC"])  # the last change, what, by whom, when


def test_extend_the_closing_date_for_one_organisation(client, secretariat, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    until = mini_cycle.closes_on + dt.timedelta(days=14)
    response = client.post(
        f"/admin/cycles/{mini_cycle.name}/organisations/FRA/extend",
        data={"until": until.isoformat()},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert f"may answer until {until.isoformat()}" in page(response).text
    assignment = next(a for a in mini_cycle.assignments if a.organisation.slug == "FRA")
    db.session.refresh(assignment)
    assert assignment.extended_until == until
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "extend")).one()
    assert event.actor_id == secretariat.id

    early = client.post(
        f"/admin/cycles/{mini_cycle.name}/organisations/FRA/extend",
        data={"until": (mini_cycle.closes_on - dt.timedelta(days=1)).isoformat()},
        follow_redirects=True,
    )
    assert (
        f"An extension must end on or after the cycle's closing date ({mini_cycle.closes_on})."
        in page(early).text
    )
    db.session.refresh(assignment)
    assert assignment.extended_until == until
    missing = client.post(
        f"/admin/cycles/{mini_cycle.name}/organisations/nobody/extend",
        data={"until": until.isoformat()},
    )
    assert missing.status_code == 404


# Authorisation ------------------------------------------------------------------------------


SECRETARIAT_GETS = [
    "/admin/",
    "/admin/questionnaires",
    "/admin/questionnaires/upload",
    "/admin/questionnaires/mini/1",
    "/admin/cycles/new",
]
BOARD_GETS = ["/admin/cycles", "/admin/cycles/{cycle}"]
POSTS = [
    ("/admin/questionnaires/upload", {"text": MINI}),
    ("/admin/questionnaires/preview", {"source": MINI, "file_name": "x.yaml"}),
    ("/admin/questionnaires/publish", {"source": MINI.replace("Mini", "Maxi"), "file_name": "x"}),
    (
        "/admin/cycles/new",
        {
            "version": "mini@v1",
            "period": "2030",
            "closes_on": "2030-12-31",
            "opens_on": "2030-01-01",
        },
    ),
    ("/admin/cycles/{cycle}/organisations/FRA/extend", {"until": "2099-01-01"}),
]


@pytest.mark.parametrize("role", ["focal_point", "contributor", "officer", "secretariat"])
def test_admin_pages_by_role(client, mini_cycle, role) -> None:  # type: ignore[no-untyped-def]
    france = next(a.organisation for a in mini_cycle.assignments if a.organisation.slug == "FRA")
    user = make_user(role, france if role in ("focal_point", "contributor") else None)
    sign_in(client, user)
    for url in SECRETARIAT_GETS:
        status = client.get(url.format(cycle=mini_cycle.name)).status_code
        expected = (200, 302) if role == "secretariat" else (403,)
        if url == "/admin/" and role == "officer":
            expected = (302,)  # to the cycles
        assert status in expected, (url, status)
    for url in BOARD_GETS:
        status = client.get(url.format(cycle=mini_cycle.name)).status_code
        assert status == (200 if role in ("secretariat", "officer") else 403), (url, status)
    if role == "secretariat":
        return
    before = (
        db.session.scalars(select(QuestionnaireVersion)).all(),
        db.session.scalars(select(Cycle)).all(),
        [a.extended_until for a in mini_cycle.assignments],
    )
    for url, data in POSTS:
        response = client.post(url.format(cycle=mini_cycle.name), data=data)
        assert response.status_code == 403, url
    db.session.expire_all()
    after = (
        db.session.scalars(select(QuestionnaireVersion)).all(),
        db.session.scalars(select(Cycle)).all(),
        [a.extended_until for a in mini_cycle.assignments],
    )
    assert before == after


def test_a_cycle_that_does_not_exist_is_404(client, secretariat) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, secretariat)
    assert client.get("/admin/cycles/nothing@2026").status_code == 404
    assert client.get("/admin/cycles/nonsense").status_code == 404
    assert client.get("/admin/questionnaires/nothing/3").status_code == 404


def test_officer_board_has_no_actions_and_links_only_submitted(
    client, officer, secretariat
) -> None:  # type: ignore[no-untyped-def]
    cycle = _board_cycle(secretariat)
    sign_in(client, officer)
    shown = page(client.get(f"/admin/cycles/{cycle.name}"))
    assert not [f for f in shown.tags("form") if f["action"].startswith("/admin/")]
    links = [a["href"] for a in shown.tags("a") if "/responses/" in (a.get("href") or "")]
    assert sorted(links) == sorted(
        f"/review/cycles/{cycle.name}/responses/{slug}" for slug in ("CCC", "EEE")
    )
