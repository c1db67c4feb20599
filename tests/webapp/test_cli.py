"""The web application's `kyoto` commands (SPEC §5): output, exit codes, and what they store.

Errors from the services print `error: <message>` on stderr and exit 1; usage errors exit 2.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from tests.conftest import FIXTURES, make_organisation, make_user
from webapp import create_app
from webapp.cli import cli
from webapp.extensions import db
from webapp.models import (
    Assignment,
    Cycle,
    Organisation,
    QuestionnaireVersion,
    Response,
    ReviewComment,
    User,
)
from webapp.services.responses import response_for, save_draft, start
from webapp.services.users import authenticate

TODAY = dt.datetime.now(dt.UTC).date()
YEAR = str(TODAY.year)
CYCLE = f"mini@{YEAR}"


def kyoto(runner, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args), input=input)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def draft(cycle: Cycle, answers: dict, slug: str = "FRA") -> Response:  # type: ignore[type-arg]
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    response = start(cycle, organisation, None)
    save_draft(response, answers, None, response.version)
    db.session.commit()
    return response


# -- init-db ----------------------------------------------------------------------------------------


def test_init_db_is_idempotent_and_gives_the_193_member_states(runner) -> None:  # type: ignore[no-untyped-def]
    first = kyoto(runner, "init-db")
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "database: already at migration 0002",
        "Member States: 193 added (193 in all)",
    ]
    second = kyoto(runner, "init-db")
    assert second.exit_code == 0
    assert second.stdout.splitlines()[1] == "Member States: all 193 present"
    states = db.session.scalars(
        select(Organisation).where(Organisation.kind == "member_state")
    ).all()
    assert len(states) == 193
    by_code = {s.iso3: s for s in states}
    assert by_code["FRA"].name == "France"
    assert by_code["FRA"].slug == "FRA"
    assert "TWN" not in by_code
    assert "PSE" not in by_code


def test_init_db_creates_a_new_database(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite'}"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(cli, ["init-db"])
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines() == [
            "database: created (migration 0002)",
            "Member States: 193 added (193 in all)",
        ]
        db.session.remove()
        db.engine.dispose()


def test_a_command_on_a_database_without_tables_says_to_run_init_db(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(
            cli, ["add-org", "ngo", "--kind", "civil_society", "--name", "NGO"]
        )
        assert result.exit_code == 1
        assert result.stderr.startswith("error: database: ")
        assert "run `kyoto init-db` first" in result.stderr
        db.session.remove()
        db.engine.dispose()


# -- add-org ------------------------------------------------------------------------------------------


def test_add_org(runner) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "add-org", "youth-network", "--kind", "youth", "--name", "Youth network")
    assert result.exit_code == 0, result.output
    assert result.stdout == "added youth-network (youth): Youth network\n"
    organisation = db.session.scalar(
        select(Organisation).where(Organisation.slug == "youth-network")
    )
    assert (organisation.kind, organisation.iso3) == ("youth", None)

    again = kyoto(runner, "add-org", "youth-network", "--kind", "youth", "--name", "Other")
    assert again.exit_code == 1
    assert again.stderr == "error: an organisation 'youth-network' already exists\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["Bad Slug", "--kind", "academia", "--name", "X"], 1, "is not a slug"),
        (["fra", "--kind", "member_state", "--name", "X"], 1, "run `kyoto init-db`"),
        (["x", "--kind", "club", "--name", "X"], 2, "Invalid value for '--kind'"),
        (["x", "--kind", "academia"], 2, "Missing option '--name'"),
        (["x", "--kind", "academia", "--name", "  "], 2, "--name is empty"),
    ],
)
def test_add_org_refusals(runner, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "add-org", *args)
    assert result.exit_code == code
    assert message in result.stderr
    assert count(Organisation) == 0


# -- load ---------------------------------------------------------------------------------------------


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    shutil.copy(FIXTURES / "mini.yaml", folder / "mini.yaml")
    return folder


def test_load_publishes_then_reports_unchanged(runner, definitions: Path) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "load", str(definitions))
    assert result.exit_code == 0, result.output
    assert result.stdout == "mini version 1: published\n"
    again = kyoto(runner, "load", str(definitions / "mini.yaml"))
    assert again.exit_code == 0
    assert again.stdout == "mini version 1: unchanged\n"
    assert count(QuestionnaireVersion) == 1


def test_load_refuses_to_change_a_published_version(runner, definitions: Path) -> None:  # type: ignore[no-untyped-def]
    assert kyoto(runner, "load", str(definitions)).exit_code == 0
    source = (definitions / "mini.yaml").read_text(encoding="utf-8")
    (definitions / "mini.yaml").write_text(
        source.replace("Number of prisoners", "Number of detainees"), encoding="utf-8"
    )
    result = kyoto(runner, "load", str(definitions))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: mini version 1 is already published with other content; a published version "
        "never changes: publish version 2 instead\n"
    )
    stored = db.session.scalar(select(QuestionnaireVersion))
    assert "Number of prisoners" in stored.source


def test_load_is_all_or_nothing(runner, definitions: Path) -> None:  # type: ignore[no-untyped-def]
    (definitions / "broken.yaml").write_text(
        "id: broken\nversion: 1\ntitle: Broken\nsections: []\nlable: x\n", encoding="utf-8"
    )
    result = kyoto(runner, "load", str(definitions))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: the definition has errors:\n")
    assert "broken.yaml:" in result.stderr
    assert count(QuestionnaireVersion) == 0


def test_load_a_folder_without_definitions(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "load", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == f"error: {tmp_path}: no .yaml or .yml file found\n"


def test_load_a_missing_path_is_a_usage_error(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert kyoto(runner, "load", str(tmp_path / "nope.yaml")).exit_code == 2


# -- create-user --------------------------------------------------------------------------------------


def test_create_user_prints_a_generated_password_once(runner) -> None:  # type: ignore[no-untyped-def]
    make_organisation("FRA")
    result = kyoto(
        runner, "create-user", "Focal@Example.org", "--role", "focal_point", "--org", "fra"
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "created focal@example.org: focal_point of FRA"
    assert lines[1].startswith("password: ")
    password = lines[1].removeprefix("password: ")
    assert len(password) >= 12
    assert "shown once" in result.stderr
    assert authenticate("focal@example.org", password) is not None


def test_create_user_reads_the_password_from_stdin(runner) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(
        runner,
        "create-user",
        "officer@example.org",
        "--role",
        "officer",
        "--password-stdin",
        "--language",
        "fr",
        input="a long pass phrase\n",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "created officer@example.org: officer\n"
    user = authenticate("officer@example.org", "a long pass phrase")
    assert user is not None
    assert user.language == "fr"


@pytest.mark.parametrize(
    ("args", "stdin", "code", "message"),
    [
        (
            ["a@example.org", "--role", "focal_point", "--org", "XYZ"],
            None,
            1,
            "no organisation 'XYZ'",
        ),
        (["a@example.org", "--role", "focal_point"], None, 1, "belongs to an organisation"),
        (
            ["a@example.org", "--role", "secretariat", "--org", "FRA"],
            None,
            1,
            "has no organisation",
        ),
        (["not-an-email", "--role", "officer"], None, 1, "is not an email address"),
        (["a@example.org", "--role", "admin"], None, 2, "Invalid value for '--role'"),
        (["a@example.org", "--role", "officer", "--password-stdin"], "", 1, "has no password"),
        (["a@example.org", "--role", "officer", "--password-stdin"], "short\n", 1, "at least 8"),
        (["a@example.org", "--role", "officer", "--language", "xx"], None, 2, "--language"),
    ],
)
def test_create_user_refusals(
    runner, args: list[str], stdin: str | None, code: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    make_organisation("FRA")
    result = kyoto(runner, "create-user", *args, input=stdin)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert count(User) == 0


def test_create_user_twice_is_refused(runner) -> None:  # type: ignore[no-untyped-def]
    make_user("officer", email="officer@example.org")
    result = kyoto(runner, "create-user", "officer@example.org", "--role", "officer")
    assert result.exit_code == 1
    assert result.stderr == "error: a user with email officer@example.org already exists\n"


# -- open-cycle ---------------------------------------------------------------------------------------


@pytest.fixture
def published(runner, definitions: Path) -> None:  # type: ignore[no-untyped-def]
    make_organisation("FRA")
    make_organisation("KEN")
    make_organisation("youth-network", "youth", "Youth network")
    make_organisation("uni", "academia", "A university")
    assert kyoto(runner, "load", str(definitions)).exit_code == 0


def closes(days: int = 30) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


@pytest.mark.usefixtures("published")
def test_open_cycle_asks_the_audience_by_default(runner) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "open-cycle", "mini", "1", YEAR, "--closes", closes())
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"opened {CYCLE} (version 1): {TODAY} to {closes()}, 2 organisations asked\n"
    )
    cycle = db.session.scalar(select(Cycle))
    # mini's audience is member_state and civil_society: not youth, not academia
    assert sorted(a.organisation.slug for a in cycle.assignments) == ["FRA", "KEN"]


@pytest.mark.usefixtures("published")
def test_open_cycle_with_organisations(runner) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(
        runner,
        "open-cycle",
        "mini",
        "1",
        YEAR,
        "--opens",
        "2026-01-01",
        "--closes",
        "2026-03-31",
        "--orgs",
        "fra, youth-network,FRA",
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"opened {CYCLE} (version 1): 2026-01-01 to 2026-03-31, 2 organisations asked\n"
    )
    assert count(Assignment) == 2


@pytest.mark.usefixtures("published")
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["mini", "1", "2026-Q1", "--closes", "2026-12-31"],
            1,
            "'2026-Q1' is not a period of a annual questionnaire: use a year such as 2026",
        ),
        (
            ["mini", "1", "2026", "--opens", "2026-05-01", "--closes", "2026-04-30"],
            1,
            "the cycle closes (2026-04-30) before it opens (2026-05-01)",
        ),
        (["mini", "2", "2026", "--closes", "2026-12-31"], 1, "mini version 2 is not published"),
        (["nope", "1", "2026", "--closes", "2026-12-31"], 1, "nope version 1 is not published"),
        (
            ["mini", "1", "2026", "--closes", "2026-12-31", "--orgs", "FRA,ATL"],
            1,
            "no organisation 'ATL'",
        ),
        (["mini", "1", "2026", "--closes", "31/12/2026"], 2, "Invalid value for '--closes'"),
        (["mini", "one", "2026", "--closes", "2026-12-31"], 2, "Invalid value for 'VERSION'"),
        (["mini", "1", "2026"], 2, "Missing option '--closes'"),
        (
            ["mini", "1", "2026", "--closes", "2026-12-31", "--orgs", "FRA", "--audience"],
            2,
            "either --orgs or --audience",
        ),
        (
            ["mini", "1", "2026", "--closes", "2026-12-31", "--orgs", ","],
            2,
            "--orgs names no organisation",
        ),
    ],
)
def test_open_cycle_refusals(runner, args: list[str], code: int, message: str) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "open-cycle", *args)
    assert result.exit_code == code, result.output
    assert message in result.stderr
    if code == 1:
        assert result.stderr == f"error: {message}\n"
    assert count(Cycle) == 0


@pytest.mark.usefixtures("published")
def test_open_cycle_twice_is_refused(runner) -> None:  # type: ignore[no-untyped-def]
    assert kyoto(runner, "open-cycle", "mini", "1", YEAR, "--closes", closes()).exit_code == 0
    again = kyoto(runner, "open-cycle", "mini", "1", YEAR, "--closes", closes())
    assert again.exit_code == 1
    assert again.stderr == f"error: the cycle {CYCLE} already exists\n"


# -- submit, review, publish ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("command", "cycle", "org", "message"),
    [
        ("submit", "mini@1999", "FRA", "no cycle mini@1999"),
        (
            "submit",
            "mini",
            "FRA",
            "'mini' is not a cycle name: write QUESTIONNAIRE@PERIOD, e.g. kyoto-core@2026",
        ),
        ("submit", CYCLE, "XYZ", "no organisation 'XYZ'"),
        ("submit", CYCLE, "KEN", f"KEN is not asked to answer {CYCLE}"),
        ("submit", CYCLE, "FRA", f"FRA has not started {CYCLE}: there is nothing to submit"),
        ("review", CYCLE, "FRA", f"FRA has not started {CYCLE}: there is nothing to review"),
        ("publish", CYCLE, "FRA", f"FRA has not started {CYCLE}: there is nothing to publish"),
        ("import", "mini@1999", "FRA", "no cycle mini@1999"),
    ],
)
def test_workflow_commands_name_what_is_missing(  # type: ignore[no-untyped-def]
    runner, mini_cycle, tmp_path: Path, command: str, cycle: str, org: str, message: str
) -> None:
    make_organisation("KEN")
    extra = {"review": ["--accept"], "import": [str(tmp_path / "a.json")]}.get(command, [])
    (tmp_path / "a.json").write_text("{}", encoding="utf-8")
    result = kyoto(runner, command, cycle, org, *extra)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {message}\n"


def test_submit_prints_validation_errors_and_submits_nothing(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    response = draft(mini_cycle, {"national_strategy": "full"})
    result = kyoto(runner, "submit", CYCLE, "FRA")
    assert result.exit_code == 1
    assert result.stdout == "/strategy_year: an answer is required\n"
    assert result.stderr == "error: 1 answer(s) need attention; nothing was submitted\n"
    db.session.refresh(response)
    assert (response.status, response.submitted_at) == ("draft", None)


def test_submit_blocks_on_an_unjustified_warning(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    draft(
        mini_cycle,
        {"national_strategy": "none", "programmes": [{"name": "Big", "budget_usd": 5_000_000}]},
    )
    result = kyoto(runner, "submit", CYCLE, "FRA")
    assert result.exit_code == 1
    assert result.stdout == "/programmes/0/budget_usd: warning: Please check this large budget\n"


def test_submit_review_return_resubmit_accept_publish(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    make_user("secretariat", email="sec@example.org")
    response = draft(mini_cycle, {"national_strategy": "full", "strategy_year": 2020})
    result = kyoto(runner, "submit", CYCLE, "fra")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"submitted FRA's response to {CYCLE} (version 3)\n"
    again = kyoto(runner, "submit", CYCLE, "FRA")
    assert again.exit_code == 1
    assert again.stderr == (
        "error: this response is submitted: it cannot be edited unless reopened\n"
    )

    returned = kyoto(
        runner,
        "review",
        CYCLE,
        "FRA",
        "--return",
        "Please add your programmes",
        "--question",
        "/programmes",
        "None listed",
        "--as",
        "sec@example.org",
    )
    assert returned.exit_code == 0, returned.output
    assert returned.stdout == f"returned FRA's response to {CYCLE}\n"
    db.session.refresh(response)
    assert response.status == "returned"
    assert response.revisions[-1].comment == "Please add your programmes"
    assert response.revisions[-1].actor.email == "sec@example.org"
    comment = db.session.scalar(select(ReviewComment))
    assert (comment.path, comment.text) == ("/programmes", "None listed")

    save_draft(
        response,
        {**response.answers, "programmes": [{"name": "Safe streets"}]},
        None,
        response.version,
    )
    db.session.commit()
    assert kyoto(runner, "submit", CYCLE, "FRA").exit_code == 0
    accepted = kyoto(runner, "review", CYCLE, "FRA", "--accept")
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout == f"accepted FRA's response to {CYCLE}\n"
    db.session.refresh(response)
    assert response.status == "accepted"
    assert response.revisions[-1].actor_id is None  # the command line, not a person

    published = kyoto(runner, "publish", CYCLE, "FRA")
    assert published.exit_code == 0, published.output
    assert published.stdout == f"published FRA's report for {CYCLE}\n"
    assert kyoto(runner, "publish", CYCLE, "FRA").stdout == (
        f"FRA's report for {CYCLE} is already published\n"
    )
    db.session.refresh(response)
    assert response.published
    assert [r.action for r in response.revisions] == [
        "start",
        "save",
        "submit",
        "return",
        "save",
        "submit",
        "accept",
        "publish",
    ]


def test_submit_as_a_user_checks_their_rights(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    make_user("contributor", france, "contributor@example.org")
    focal = make_user("focal_point", france, "focal@example.org")
    response = draft(mini_cycle, {"national_strategy": "none"})
    refused = kyoto(runner, "submit", CYCLE, "FRA", "--as", "contributor@example.org")
    assert refused.exit_code == 1
    assert refused.stderr == (
        "error: contributor@example.org (contributor) cannot submit for FRA: "
        "only its focal point submits\n"
    )
    unknown = kyoto(runner, "submit", CYCLE, "FRA", "--as", "nobody@example.org")
    assert unknown.stderr == "error: no user with email nobody@example.org\n"
    result = kyoto(runner, "submit", CYCLE, "FRA", "--as", "focal@example.org")
    assert result.exit_code == 0, result.output
    db.session.refresh(response)
    assert response.revisions[-1].actor_id == focal.id


def test_submit_after_the_closing_date_is_refused(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    draft(mini_cycle, {"national_strategy": "none"})
    mini_cycle.closes_on = TODAY - dt.timedelta(days=1)
    db.session.commit()
    result = kyoto(runner, "submit", CYCLE, "FRA")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: the cycle {CYCLE} closed on ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --accept or --return COMMENT"),
        (["--accept", "--return", "why"], "give either --accept or --return COMMENT"),
        (["--accept", "--question", "/prisoners", "x"], "--question goes with --return"),
    ],
)
def test_review_usage_errors(runner, mini_cycle, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = kyoto(runner, "review", CYCLE, "FRA", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_review_refusals(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    make_user("focal_point", france, "focal@example.org")
    draft(mini_cycle, {"national_strategy": "none"})
    not_submitted = kyoto(runner, "review", CYCLE, "FRA", "--accept")
    assert not_submitted.exit_code == 1
    assert not_submitted.stderr == (
        "error: only a submitted response can be reviewed; this one is draft\n"
    )
    assert kyoto(runner, "submit", CYCLE, "FRA").exit_code == 0
    by_focal = kyoto(runner, "review", CYCLE, "FRA", "--accept", "--as", "focal@example.org")
    assert by_focal.exit_code == 1
    assert by_focal.stderr == (
        "error: focal@example.org (focal_point) cannot review: only the Secretariat does\n"
    )
    no_comment = kyoto(runner, "review", CYCLE, "FRA", "--return", "  ")
    assert no_comment.exit_code == 1
    assert "a comment is required" in no_comment.stderr
    bad_path = kyoto(runner, "review", CYCLE, "FRA", "--return", "x", "--question", "/nope", "y")
    assert bad_path.exit_code == 1
    assert bad_path.stderr == "error: --question /nope: no question /nope in mini\n"


def test_publish_a_draft_is_refused(runner, mini_cycle) -> None:  # type: ignore[no-untyped-def]
    draft(mini_cycle, {"national_strategy": "none"})
    result = kyoto(runner, "publish", CYCLE, "FRA")
    assert result.exit_code == 1
    assert result.stderr == "error: only a submitted or accepted report can be published\n"


# -- import -------------------------------------------------------------------------------------------


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_import_dry_run_then_yes(runner, mini_cycle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    file = write(tmp_path / "fra.json", {"national_strategy": "full", "strategy_year": 2019.0})
    dry = kyoto(runner, "import", CYCLE, "FRA", file)
    assert dry.exit_code == 0, dry.output
    assert dry.stdout == '/national_strategy: null -> "full"\n/strategy_year: null -> 2019\n'
    assert "nothing saved" in dry.stderr
    assert response_for(mini_cycle, france) is None  # a dry run does not even start the draft

    saved = kyoto(runner, "import", CYCLE, "FRA", file, "--yes")
    assert saved.exit_code == 0, saved.output
    assert saved.stdout.splitlines() == [
        '/national_strategy: null -> "full"',
        "/strategy_year: null -> 2019",
        f"saved FRA's draft of {CYCLE} (version 2)",
    ]
    response = response_for(mini_cycle, france)
    assert response.answers == {"national_strategy": "full", "strategy_year": 2019}

    same = kyoto(runner, "import", CYCLE, "FRA", file, "--yes")
    assert (same.exit_code, same.stdout) == (0, "no changes\n")

    changed = write(tmp_path / "fra2.json", {"answers": {"national_strategy": "none"}})
    result = kyoto(runner, "import", CYCLE, "FRA", changed, "--yes")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        '/national_strategy: "full" -> "none"',
        "/strategy_year: 2019 -> null",
    ]
    db.session.refresh(response)
    assert response.answers == {"national_strategy": "none"}
    assert response.version == 3


def test_import_with_errors_saves_nothing_even_with_yes(runner, mini_cycle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    response = draft(mini_cycle, {"prisoners": 10})
    file = write(
        tmp_path / "bad.json",
        {"national_strategy": "maybe", "prisoners": 12, "unknown_key": 1},
    )
    result = kyoto(runner, "import", CYCLE, "FRA", file, "--yes")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert "/prisoners: 10 -> 12" in lines
    assert any(line.startswith("/national_strategy: ") and "->" not in line for line in lines)
    assert any(line.startswith("/unknown_key: ") and "->" not in line for line in lines)
    assert result.stderr == "error: 2 answer(s) need attention; nothing was saved\n"
    db.session.refresh(response)
    assert response.answers == {"prisoners": 10}


def test_import_an_envelope_with_justifications_and_confidential_marks(
    runner, mini_cycle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    france = mini_cycle.assignments[0].organisation
    envelope = {
        "answers": {"programmes": [{"name": "Big", "budget_usd": 5_000_000}]},
        "justifications": {"/programmes/0/budget_usd": "Multi-year budget"},
        "confidential": ["/programmes"],
    }
    result = kyoto(runner, "import", CYCLE, "FRA", write(tmp_path / "e.json", envelope), "--yes")
    assert result.exit_code == 0, result.output
    response = response_for(mini_cycle, france)
    assert response.justifications == {"/programmes/0/budget_usd": "Multi-year budget"}
    assert response.confidential == ["/programmes"]
    only_marks = {**envelope, "confidential": []}
    again = kyoto(runner, "import", CYCLE, "FRA", write(tmp_path / "f.json", only_marks), "--yes")
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[0] == 'confidential: ["/programmes"] -> []'


@pytest.mark.parametrize(
    ("name", "content", "code", "message"),
    [
        ("t.xlsx", b"PK", 1, "importing a filled Excel template is not available yet"),
        ("t.csv", b"a,b", 2, "import reads a .json response"),
        ("t.json", b'{"prisoners": NaN}', 1, "t.json:1:"),
        ("t.json", b'{"a": 1, "a": 2}', 1, "t.json:1:"),
        ("t.json", b'{"answers": {}, "confidential": "/a"}', 1, "'confidential' must be a list"),
    ],
)
def test_import_refusals(
    runner, mini_cycle, tmp_path: Path, name: str, content: bytes, code: int, message: str
) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / name).write_bytes(content)
    result = kyoto(runner, "import", CYCLE, "FRA", str(tmp_path / name), "--yes")
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert count(Response) == 0


def test_import_into_a_submitted_response_is_refused(runner, mini_cycle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    draft(mini_cycle, {"national_strategy": "none"})
    assert kyoto(runner, "submit", CYCLE, "FRA").exit_code == 0
    result = kyoto(runner, "import", CYCLE, "FRA", write(tmp_path / "a.json", {"prisoners": 1}))
    assert result.exit_code == 1
    assert result.stderr == (
        "error: this response is submitted: it cannot be edited unless reopened\n"
    )


def test_import_as_a_user_of_another_organisation_is_refused(
    runner, mini_cycle, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    kenya = make_organisation("KEN")
    make_user("focal_point", kenya, "focal.ken@example.org")
    file = write(tmp_path / "a.json", {"prisoners": 1})
    result = kyoto(runner, "import", CYCLE, "FRA", file, "--as", "focal.ken@example.org")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: focal.ken@example.org (focal_point) cannot edit the responses of FRA\n"
    )


# -- serve --------------------------------------------------------------------------------------------


def test_serve_refuses_a_database_without_tables(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"})
    app.instance_path = str(tmp_path)
    with app.app_context():
        result = app.test_cli_runner().invoke(cli, ["serve", "--port", "5999"])
        assert result.exit_code == 1
        assert result.stderr == "error: the database has no tables: run `kyoto init-db` first\n"
        db.session.remove()
        db.engine.dispose()


def test_every_command_has_help(runner, app: Flask) -> None:  # type: ignore[no-untyped-def]
    for name in cli.commands:
        result = kyoto(runner, name, "--help")
        assert result.exit_code == 0, name
        assert result.stdout.startswith("Usage: ")
