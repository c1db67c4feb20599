"""The review pages: a response read-only, accept / return / reopen, history, indicators."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import make_organisation, make_user
from tests.webapp.test_admin import (
    XSS,
    _cheap_password_hashes,  # noqa: F401 (autouse)
    page,
    sign_in,
)
from webapp.extensions import db
from webapp.models import Assignment, Cycle, Organisation, Response, ReviewComment, Revision, User
from webapp.services.cycles import open_cycle
from webapp.services.responses import review, save_draft, start, submit

TODAY = dt.datetime.now(dt.UTC).date()
ANSWERS = {
    "national_strategy": "full",
    "strategy_year": 2019,
    "programmes": [{"name": "Safe streets", "budget_usd": 2500000}],
    "prisoners": 1200,
    "legal_aid": True,
}
WARNING_PATH = "/programmes/0/budget_usd"


def _org(cycle: Cycle, slug: str) -> Organisation:
    return next(a.organisation for a in cycle.assignments if a.organisation.slug == slug)


def respond(
    cycle: Cycle,
    organisation: Organisation,
    user: User,
    answers: dict,
    *,
    status: str = "submitted",
    secretariat: User | None = None,
    **envelope,
) -> Response:
    """A response brought to `status` through the services, as people would."""
    response = start(cycle, organisation, user)
    save_draft(response, answers, user, response.version, **envelope)
    if status != "draft":
        submit(response, user)
    if status in ("returned", "accepted"):
        assert secretariat is not None
        review(response, secretariat, "return" if status == "returned" else "accept", "why")
    db.session.commit()
    assert response.status == status
    return response


@pytest.fixture
def people(mini_cycle) -> dict[str, User]:  # type: ignore[no-untyped-def]
    france = _org(mini_cycle, "FRA")
    ngo = _org(mini_cycle, "youth-network")
    return {
        "secretariat": make_user("secretariat"),
        "officer": make_user("officer"),
        "focal": make_user("focal_point", france),
        "contributor": make_user("contributor", france),
        "other_focal": make_user("focal_point", ngo),
        "other_contributor": make_user("contributor", ngo),
    }


@pytest.fixture
def submitted(mini_cycle, people) -> Response:  # type: ignore[no-untyped-def]
    return respond(
        mini_cycle,
        _org(mini_cycle, "FRA"),
        people["focal"],
        ANSWERS,
        justifications={WARNING_PATH: "A five-year programme funded by the EU"},
        confidential=["/prisoners"],
    )


def url(response: Response, action: str = "") -> str:
    base = f"/review/cycles/{response.cycle.name}/responses/{response.organisation.slug}"
    return f"{base}/{action}" if action else base


def snapshot(response: Response) -> tuple:
    """Everything an action could change: refused actions must leave it as it was."""
    db.session.expire_all()
    fresh = db.session.get(Response, response.id)
    return (
        fresh.status,
        fresh.version,
        dict(fresh.answers),
        db.session.scalar(
            select(func.count(Revision.id)).where(Revision.response_id == response.id)
        ),
        db.session.scalar(
            select(func.count(ReviewComment.id)).where(ReviewComment.response_id == response.id)
        ),
    )


# The response page ----------------------------------------------------------------------------


def test_secretariat_reads_answers_in_definition_order_with_marks(
    client, people, submitted
) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, people["secretariat"])
    response = client.get(url(submitted))
    assert response.status_code == 200
    shown = page(response)
    text = shown.text
    labels = [
        "National prevention strategy",
        "Year adopted",
        "Main programmes",
        "Programme name",
        "Budget (USD)",
        "Number of prisoners",
        "Is legal aid available?",
    ]
    positions = [text.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "Fully implemented" in text  # the choice's label, not its value
    assert "Safe streets" in text
    assert "2500000" in text
    assert "A five-year programme funded by the EU" in text
    assert "Confidential" in text
    assert "Yes" in text
    assert shown.duplicate_ids() == []
    for button in ("Accept", "Return for correction", "Reopen"):
        assert button in text
    # One comment box per answer-taking question, tied to the return form.
    boxes = [t for t in shown.tags("textarea") if t.get("form") == "return-form"]
    assert [b["name"] for b in boxes] == [
        "qc_national_strategy",
        "qc_strategy_year",
        "qc_programmes",
        "qc_prisoners",
        "qc_legal_aid",
    ]
    french = page(client.get(url(submitted) + "?lang=fr")).text
    assert "Stratégie nationale de prévention" in french
    assert "Pleinement mis en œuvre" in french


def test_previous_cycle_value_and_unconfirmed_answers(client, people, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = _org(mini_cycle, "FRA")
    earlier = open_cycle(
        "mini",
        1,
        str(TODAY.year - 1),
        TODAY + dt.timedelta(days=5),
        TODAY - dt.timedelta(days=400),
        [france],
    )
    db.session.commit()
    respond(
        earlier,
        france,
        people["focal"],
        {"national_strategy": "none", "prisoners": 900, "legal_aid": False},
        status="accepted",
        secretariat=people["secretariat"],
    )
    # The new cycle's draft is prefilled; the focal point changes one answer and submits.
    current = start(mini_cycle, france, people["focal"])
    assert sorted(current.unconfirmed) == ["/legal_aid", "/national_strategy", "/prisoners"]
    save_draft(current, {**current.answers, "prisoners": 950}, people["focal"], current.version)
    submit(current, people["focal"])
    db.session.commit()

    sign_in(client, people["secretariat"])
    html = client.get(url(current)).get_data(as_text=True)
    answers = dict(
        re.findall(
            r'data-path="(/\w+)">(.*?)</div>\s*(?=<div class="answer"|</section>)', html, re.S
        )
    )
    blocks = {
        path: " ".join(page_text.split())
        for path, page_text in ((p, re.sub(r"<[^>]+>", " ", block)) for p, block in answers.items())
    }
    assert "Last cycle: 900" in blocks["/prisoners"]
    assert "Unchanged from the last cycle" not in blocks["/prisoners"]  # edited
    assert "Unchanged from the last cycle" in blocks["/national_strategy"]
    assert "Last cycle: Not implemented" in blocks["/national_strategy"]
    assert "Unchanged from the last cycle" in blocks["/legal_aid"]
    assert "Last cycle: No" in blocks["/legal_aid"]
    assert f"Previous values are from mini@{TODAY.year - 1}" in page(client.get(url(current))).text


# Actions --------------------------------------------------------------------------------------


def test_accept(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, people["secretariat"])
    response = client.post(url(submitted, "accept"), data={"version": submitted.version})
    assert response.status_code == 302
    db.session.refresh(submitted)
    assert submitted.status == "accepted"
    last = submitted.revisions[-1]
    assert (last.action, last.actor_id, last.status_before, last.status_after) == (
        "accept",
        people["secretariat"].id,
        "submitted",
        "accepted",
    )
    after = client.get(response.headers["Location"])
    assert "The response is accepted." in page(after).text
    assert "Accept" not in [t for t in page(after).texts if t.strip() == "Accept"]


def test_return_with_a_comment_and_per_question_comments(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, people["secretariat"])
    response = client.post(
        url(submitted, "return"),
        data={
            "version": submitted.version,
            "comment": "Please complete the justice section",
            "qc_prisoners": "Is this the end-of-year figure?",
            "qc_programmes": "",
            "qc_legal_aid": "  ",
        },
    )
    assert response.status_code == 302
    db.session.refresh(submitted)
    assert submitted.status == "returned"
    assert submitted.revisions[-1].comment == "Please complete the justice section"
    comments = db.session.scalars(select(ReviewComment)).all()
    assert [(c.path, c.text, c.author_id) for c in comments] == [
        ("/prisoners", "Is this the end-of-year figure?", people["secretariat"].id)
    ]
    # The focal point reads the comments beside the question on the read-only page.
    sign_in(client, people["focal"])
    text = page(client.get(url(submitted))).text
    assert "Please complete the justice section" in text
    assert "Reviewer's comment: Is this the end-of-year figure?" in text


def test_return_without_any_reason_is_refused(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, people["secretariat"])
    before = snapshot(submitted)
    response = client.post(
        url(submitted, "return"), data={"version": submitted.version, "comment": " "}
    )
    assert response.status_code == 422
    assert "Say why the response is returned: a comment is required." in page(response).text
    assert any(d.get("role") == "alert" for d in page(response).tags("div"))
    assert snapshot(submitted) == before


LEGAL = {
    ("submitted", "accept"),
    ("submitted", "return"),
    ("submitted", "reopen"),
    ("accepted", "reopen"),
}


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "accepted"])
@pytest.mark.parametrize("action", ["accept", "return", "reopen"])
def test_transitions_table(client, people, mini_cycle, status, action) -> None:  # type: ignore[no-untyped-def]
    """Every status × action: the legal ones change the status, the others change nothing (A7)."""
    response = respond(
        mini_cycle,
        _org(mini_cycle, "FRA"),
        people["focal"],
        {"national_strategy": "none"},
        status=status,
        secretariat=people["secretariat"],
    )
    sign_in(client, people["secretariat"])
    before = snapshot(response)
    result = client.post(
        url(response, action),
        data={"version": response.version, "comment": "a reason", "qc_prisoners": "a note"},
    )
    if (status, action) in LEGAL:
        assert result.status_code == 302
        expected = {"accept": "accepted", "return": "returned", "reopen": "draft"}[action]
        assert snapshot(response)[0] == expected
    else:
        assert result.status_code == 409
        shown = page(result)
        assert any(d.get("role") == "alert" for d in shown.tags("div"))
        assert "Nothing was changed" in shown.text
        assert snapshot(response) == before


def test_a_stale_page_cannot_act(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    """The response changed since the reviewer opened it (A6): 409 and nothing done."""
    sign_in(client, people["secretariat"])
    seen = submitted.version
    review(submitted, people["secretariat"], "return", "first reviewer")
    db.session.commit()
    save_draft(submitted, {**submitted.answers, "prisoners": 1}, people["focal"], submitted.version)
    submit(submitted, people["focal"])
    db.session.commit()
    before = snapshot(submitted)
    result = client.post(url(submitted, "accept"), data={"version": seen})
    assert result.status_code == 409
    assert "changed since you opened it" in page(result).text
    assert snapshot(submitted) == before


def test_no_mass_assignment(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    """B4: extra fields are ignored: the status comes from the action, the response from the URL."""
    sign_in(client, people["secretariat"])
    other = respond(
        submitted.cycle,
        _org(submitted.cycle, "youth-network"),
        people["other_focal"],
        {"national_strategy": "none"},
    )
    result = client.post(
        url(submitted, "accept"),
        data={
            "version": submitted.version,
            "status": "draft",
            "response_id": other.id,
            "organisation_id": other.organisation_id,
            "actor_id": people["focal"].id,
            "answers": '{"prisoners": 0}',
        },
    )
    assert result.status_code == 302
    db.session.expire_all()
    assert db.session.get(Response, submitted.id).status == "accepted"
    assert db.session.get(Response, submitted.id).answers == ANSWERS
    assert db.session.get(Response, other.id).status == "submitted"
    assert db.session.get(Response, submitted.id).revisions[-1].actor_id == people["secretariat"].id


def test_csrf_is_required_for_review_actions(app, client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    app.config["WTF_CSRF_ENABLED"] = True
    sign_in(client, people["secretariat"])
    before = snapshot(submitted)
    assert (
        client.post(url(submitted, "accept"), data={"version": submitted.version}).status_code
        == 400
    )
    assert snapshot(submitted) == before
    form = page(client.get(url(submitted)))
    tokens = [i["value"] for i in form.tags("input") if i.get("name") == "csrf_token"]
    assert tokens
    assert all(tokens)
    ok = client.post(
        url(submitted, "accept"), data={"version": submitted.version, "csrf_token": tokens[0]}
    )
    assert ok.status_code == 302


# History --------------------------------------------------------------------------------------


def test_history_shows_every_revision_with_old_and_new_values(client, people, submitted) -> None:  # type: ignore[no-untyped-def]
    secretariat, focal = people["secretariat"], people["focal"]
    review(submitted, secretariat, "return", "check prisoners", {"/prisoners": "too many?"})
    save_draft(submitted, {**submitted.answers, "prisoners": 1100}, focal, submitted.version)
    submit(submitted, focal)
    db.session.commit()
    sign_in(client, secretariat)
    response = client.get(url(submitted, "history"))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    shown = page(response)
    actions = [li["data-action"] for li in shown.tags("li") if "data-action" in li]
    assert actions == ["start", "save", "submit", "return", "save", "submit"]
    assert "submitted → returned" in shown.text
    assert "returned → draft" in shown.text
    assert "check prisoners" in shown.text
    assert "too many?" in shown.text
    # Per answer, old → new, who and when (UTC).
    timeline = re.search(
        r'<section class="timeline" data-path="/prisoners">(.*?)</section>', html, re.S
    )
    assert timeline is not None
    entries = " ".join(re.sub(r"<[^>]+>", " ", timeline.group(1)).split())
    assert f"Changed by {focal.email}" in entries
    assert "(no answer) → 1200" in entries
    assert "1200 → 1100" in entries
    assert re.search(r"at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", entries)


AT = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"


def _history_lines(html: str, css_class: str) -> list[str]:
    return [
        " ".join(m.split()) for m in re.findall(rf'<span class="{css_class}">(.*?)</span>', html)
    ]


@pytest.mark.parametrize(
    ("language", "actions", "statuses"),
    [
        (
            "en",
            [
                "Started by {f} at",
                "Draft saved by {f} at",
                "Submitted by {f} at",
                "Returned for correction by {s} at",
            ],
            [
                "Status: (new) → draft",
                "Status: draft → draft",
                "Status: draft → submitted",
                "Status: submitted → returned",
            ],
        ),
        (
            "fr",
            [
                "Réponse commencée par {f} le",
                "Brouillon enregistré par {f} le",
                "Soumise par {f} le",
                "Renvoyée pour correction par {s} le",
            ],
            [
                "État : (nouveau) → brouillon",
                "État : brouillon → brouillon",
                "État : brouillon → soumise",
                "État : soumise → renvoyée",
            ],
        ),
        (
            "ar",
            [
                "بُدئ الرد بواسطة {f} في",
                "حُفظت المسودة بواسطة {f} في",
                "قُدِّم الرد بواسطة {f} في",
                "أُعيد الرد للتصحيح بواسطة {s} في",
            ],
            [  # read right to left: from the old status to the new
                "الحالة: (جديد) ← مسودة",
                "الحالة: مسودة ← مسودة",
                "الحالة: مسودة ← مُقدَّم",
                "الحالة: مُقدَّم ← مُعاد",
            ],
        ),
    ],
)
def test_history_says_what_happened_in_whole_sentences_of_the_page_language(
    client, people, submitted, language, actions, statuses
) -> None:  # type: ignore[no-untyped-def]
    """Actions and statuses are translated, never their codes ("submit", "returned"), and each
    line is one sentence with its placeholders, so that other languages can order the words."""
    secretariat, focal = people["secretariat"], people["focal"]
    review(submitted, secretariat, "return", "check prisoners")
    db.session.commit()
    sign_in(client, secretariat)
    client.post("/language", data={"lang": language, "next": "/"})
    html = client.get(url(submitted, "history")).get_data(as_text=True)
    expected = [re.escape(a.format(f=focal.email, s=secretariat.email)) + " " + AT for a in actions]
    shown = _history_lines(html, "revision-action")
    assert len(shown) == len(expected)
    for line, pattern in zip(shown, expected, strict=True):
        assert re.fullmatch(pattern, line), line
    assert _history_lines(html, "revision-status") == statuses
    timeline = re.search(
        r'<section class="timeline" data-path="/prisoners">(.*?)</section>', html, re.S
    )
    assert timeline is not None
    arrow = "←" if language == "ar" else "→"  # from the old value to the new, in reading order
    assert f"</span> {arrow} <code>1200</code>" in timeline.group(1)


@pytest.mark.parametrize(
    ("language", "refused", "stale"),
    [
        ("en", "Nothing was changed. The response is returned.", "(it is now submitted, version"),
        (
            "fr",
            "Rien n’a été modifié. La réponse est à l’état : renvoyée.",
            "(état : soumise, version",
        ),
        (
            "es",
            "No se modificó nada. Estado de la respuesta: devuelta.",
            "(estado: presentada, versión",
        ),
    ],
)
def test_refusals_name_the_status_in_the_page_language(
    client, people, mini_cycle, language, refused, stale
) -> None:  # type: ignore[no-untyped-def]
    """A refused action and a stale page name the status as a translated word, not its code."""
    returned = respond(
        mini_cycle,
        _org(mini_cycle, "FRA"),
        people["focal"],
        {"national_strategy": "none"},
        status="returned",
        secretariat=people["secretariat"],
    )
    sign_in(client, people["secretariat"])
    client.post("/language", data={"lang": language, "next": "/"})
    result = client.post(url(returned, "accept"), data={"version": returned.version})
    assert result.status_code == 409
    assert refused in page(result).text

    save_draft(returned, {"national_strategy": "none"}, people["focal"], returned.version)
    submit(returned, people["focal"])
    db.session.commit()
    result = client.post(url(returned, "accept"), data={"version": returned.version - 1})
    assert result.status_code == 409
    assert f"{stale} {returned.version})" in page(result).text


@pytest.mark.parametrize(
    ("language", "one", "two"),
    [
        ("en", "1 entry", "2 entries"),
        ("fr", "1 entrée", "2 entrées"),
        ("ru", "1 запись", "2 записи"),
    ],
)
def test_a_repeat_counts_its_entries_with_the_plural_of_the_language(
    client, people, mini_cycle, language, one, two
) -> None:  # type: ignore[no-untyped-def]
    programmes = {"name": "Safe streets", "budget_usd": 2500000}
    single = respond(mini_cycle, _org(mini_cycle, "FRA"), people["focal"], ANSWERS, status="draft")
    double = respond(
        mini_cycle,
        _org(mini_cycle, "youth-network"),
        people["other_focal"],
        {**ANSWERS, "programmes": [programmes, {**programmes, "name": "Open courts"}]},
        status="draft",
    )
    sign_in(client, people["secretariat"])
    client.post("/language", data={"lang": language, "next": "/"})
    for response, count in ((single, one), (double, two)):
        html = client.get(url(response) + "?lang=en").get_data(as_text=True)
        block = re.search(
            r'data-path="/programmes">(.*?)</h3>\s*<div class="answer-value">(.*?)</div>',
            html,
            re.S,
        )
        assert block is not None
        assert " ".join(re.sub(r"<[^>]+>", " ", block.group(2)).split()) == count


# Who sees what --------------------------------------------------------------------------------


def _ask(cycle: Cycle, slug: str) -> Organisation:
    organisation = make_organisation(slug)
    db.session.add(Assignment(cycle=cycle, organisation=organisation))
    db.session.commit()
    return organisation


@pytest.mark.parametrize(
    ("role", "submitted_", "act"),
    [
        ("secretariat", 200, 302),
        ("officer", 200, 403),
        ("focal", 200, 403),  # France's own response: readable, but only the Secretariat acts
        ("contributor", 200, 403),
        ("other_focal", 404, 404),  # another organisation's: its existence is not revealed
        ("other_contributor", 404, 404),
    ],
)
def test_review_pages_by_role(client, people, mini_cycle, role, submitted_, act) -> None:  # type: ignore[no-untyped-def]
    italy = _ask(mini_cycle, "ITA")
    sent = respond(
        mini_cycle, _org(mini_cycle, "FRA"), people["focal"], {"national_strategy": "none"}
    )
    drafted = respond(
        mini_cycle,
        italy,
        make_user("focal_point", italy),
        {"national_strategy": "full"},
        status="draft",
    )
    sign_in(client, people[role])
    for suffix in ("", "history"):
        expected = 200 if role == "secretariat" else 404
        assert client.get(url(drafted, suffix)).status_code == expected, suffix
        assert client.get(url(sent, suffix)).status_code == submitted_, suffix
    before = snapshot(sent)
    draft_before = snapshot(drafted)
    for action in ("accept", "return", "reopen"):
        result = client.post(url(sent, action), data={"version": sent.version, "comment": "x"})
        if role == "secretariat":
            assert result.status_code in (302, 409), action  # the first action wins
        else:
            assert result.status_code == act, action
        denied = client.post(
            url(drafted, action), data={"version": drafted.version, "comment": "x"}
        )
        assert denied.status_code == (409 if role == "secretariat" else 404), action
    if role != "secretariat":
        assert snapshot(sent) == before
    assert snapshot(drafted) == draft_before


def test_officer_sees_submitted_but_not_drafts(client, people, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france, ngo = _org(mini_cycle, "FRA"), _org(mini_cycle, "youth-network")
    sent = respond(mini_cycle, france, people["focal"], {"national_strategy": "none"})
    drafted = respond(
        mini_cycle, ngo, people["other_focal"], {"national_strategy": "full"}, status="draft"
    )
    sign_in(client, people["officer"])
    page_ = client.get(url(sent))
    assert page_.status_code == 200
    assert "Not implemented" in page(page_).text
    assert not [f for f in page(page_).tags("form") if "/review/" in f.get("action", "")]
    assert client.get(url(drafted)).status_code == 404
    assert client.get(url(drafted, "history")).status_code == 404
    returned = db.session.get(Response, sent.id)
    review(returned, people["secretariat"], "return", "redo")
    db.session.commit()
    assert client.get(url(sent)).status_code == 404


def test_not_found_does_not_reveal(client, people, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, people["secretariat"])
    assert (
        client.get(f"/review/cycles/{mini_cycle.name}/responses/FRA").status_code == 404
    )  # none yet
    assert client.get(f"/review/cycles/{mini_cycle.name}/responses/nobody").status_code == 404
    assert client.get("/review/cycles/nothing@2020/responses/FRA").status_code == 404
    assert (
        client.post(
            "/review/cycles/nothing@2020/responses/FRA/accept", data={"version": 1}
        ).status_code
        == 404
    )


def test_anonymous_is_sent_to_login(client, submitted) -> None:  # type: ignore[no-untyped-def]
    for target in (
        url(submitted),
        url(submitted, "history"),
        f"/review/cycles/{submitted.cycle.name}/indicators",
        "/admin/cycles",
    ):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response.headers["Location"].startswith("/login"), target
    before = snapshot(submitted)
    assert (
        client.post(url(submitted, "accept"), data={"version": submitted.version}).status_code
        == 302
    )
    assert snapshot(submitted) == before


# Escaping -------------------------------------------------------------------------------------


def test_payloads_in_answers_comments_and_names_are_inert(client, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = _org(mini_cycle, "FRA")
    france.name = XSS
    focal = make_user("focal_point", france, email="<script>alert(5)</script>@example.org")
    secretariat = make_user("secretariat")
    db.session.commit()
    response = respond(
        mini_cycle,
        france,
        focal,
        {**ANSWERS, "programmes": [{"name": XSS, "budget_usd": 2500000}]},
        justifications={WARNING_PATH: XSS},
    )
    review(
        response,
        secretariat,
        "return",
        XSS,
        {"/programmes": XSS, "/prisoners": "javascript:alert(6)"},
    )
    db.session.commit()
    sign_in(client, secretariat)
    for target in (
        url(response),
        url(response, "history"),
        f"/admin/cycles/{mini_cycle.name}",
        f"/review/cycles/{mini_cycle.name}/indicators",
    ):
        result = client.get(target)
        assert result.status_code == 200, target
        shown = page(result)
        assert shown.executable() == [], target
    text = page(client.get(url(response))).text
    assert text.count("<script>alert(1)</script>") >= 3  # name, justification, comments
    history = page(client.get(url(response, "history")))
    assert "<script>alert(5)</script>@example.org" in history.text


# Indicators -----------------------------------------------------------------------------------


def test_indicators_by_pillar_count_submitted_and_accepted_only(client, people, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france, ngo = _org(mini_cycle, "FRA"), _org(mini_cycle, "youth-network")
    peru = _ask(mini_cycle, "PER")
    respond(mini_cycle, france, people["focal"], {"national_strategy": "none"})
    respond(
        mini_cycle,
        ngo,
        people["other_focal"],
        {"national_strategy": "full", "strategy_year": 2000},
        status="accepted",
        secretariat=people["secretariat"],
    )
    respond(
        mini_cycle,
        peru,
        make_user("focal_point", peru),
        {"national_strategy": "full"},
        status="draft",
    )
    for role, status in (
        ("secretariat", 200),
        ("officer", 200),
        ("focal", 403),
        ("other_contributor", 403),
    ):
        sign_in(client, people[role])
        result = client.get(f"/review/cycles/{mini_cycle.name}/indicators")
        assert result.status_code == status, role
    sign_in(client, people["officer"])
    html = client.get(f"/review/cycles/{mini_cycle.name}/indicators").get_data(as_text=True)
    shown = page(client.get(f"/review/cycles/{mini_cycle.name}/indicators"))
    pillars = [s["data-pillar"] for s in shown.tags("section") if "data-pillar" in s]
    assert pillars == [
        "crime_prevention",
        "criminal_justice",
        "rule_of_law",
        "international_cooperation",
    ]
    row = re.search(r'<tr data-indicator="share_strategy">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    assert "Share with a full strategy" in cells
    assert "50.0 %" in cells
    assert cells.endswith("1 2 2")  # numerator, denominator, n
    assert "Over 2 submitted or accepted responses." in shown.text
