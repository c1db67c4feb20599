"""The response workflow from the command line: `import`, `submit`, `review`, `publish`.

Each command names a cycle (`kyoto-core@2026`) and an organisation (ISO3 code or slug), and goes
through the same services, with the same rules, as the web pages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from engine.jsonload import JSONError, loads
from engine.model import Questionnaire
from engine.validation import AnswerError, split_envelope, validator_for
from webapp.commands import CommandLine, fail, handles_errors, usage
from webapp.extensions import db
from webapp.models import Cycle, Organisation, Response, User
from webapp.services import Conflict, Forbidden, NotFound, access
from webapp.services.cycles import assignment_for, find_cycle, is_open
from webapp.services.definitions import model_of
from webapp.services.organisations import find_organisation
from webapp.services.responses import (
    ValidationFailed,
    check_editable,
    diff,
    prefill,
    publish_report,
    questionnaire_of,
    response_for,
    review,
    save_draft,
    start,
    submit,
)
from webapp.services.users import find_user

AS_OPTION = click.option(
    "--as",
    "actor_email",
    metavar="EMAIL",
    help="Act as this user (recorded in the history; their rights are checked).",
)


def locate(cycle_name: str, reference: str) -> tuple[Cycle, Organisation]:
    """The cycle and the organisation, which must be asked to answer it."""
    cycle = find_cycle(cycle_name)
    organisation = find_organisation(reference)
    assignment_for(cycle, organisation)
    return cycle, organisation


def existing_response(cycle: Cycle, organisation: Organisation, doing: str) -> Response:
    response = response_for(cycle, organisation)
    if response is None:
        raise NotFound(
            f"{organisation.slug} has not started {cycle.name}: there is nothing to {doing}"
        )
    return response


def acting_user(email: str | None, allowed: Callable[[User], bool], refusal: str) -> User | None:
    """The `--as` user, checked with `allowed`; None when the command line acts by itself."""
    if email is None:
        return None
    user = find_user(email)
    if not user.active:
        raise Forbidden(f"{user.email} is deactivated")
    if not allowed(user):
        raise Forbidden(f"{user.email} ({user.role}) {refusal}")
    return user


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def print_problems(problems: Iterable[AnswerError]) -> None:
    """`PATH: message` per error and `PATH: warning: message` per warning, on stdout."""
    for problem in problems:
        path = problem.path or "/"
        if problem.severity == "warning":
            click.echo(f"{path}: warning: {problem.message}")
        else:
            click.echo(f"{path}: {problem.message}")


# -- import ---------------------------------------------------------------------------------------


def key_order(questionnaire: Questionnaire) -> list[str]:
    keys = []
    for question in questionnaire.questions:
        keys.append(question.id)
        if question.other:
            keys.append(question.other_key)
    return keys


def read_json(file: str) -> Any:
    try:
        return loads(Path(file).read_bytes())
    except JSONError as error:
        fail(f"{file}:{error.line}:{error.column}: {error.message}")


@dataclass
class Current:
    """What the import compares with: the draft, or what `start` would prefill (not stored)."""

    answers: dict[str, Any]
    justifications: dict[str, Any] = field(default_factory=dict)
    confidential: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)


def current_draft(cycle: Cycle, organisation: Organisation) -> Current:
    """The editable draft's content, without writing anything (a dry run stores nothing)."""
    response = response_for(cycle, organisation)
    if response is not None:
        check_editable(response)
        return Current(
            response.answers, response.justifications, response.confidential, response.unconfirmed
        )
    assignment = assignment_for(cycle, organisation)
    if not is_open(assignment):
        raise Conflict(
            f"the cycle {cycle.name} is not open (it closes on {assignment.closes_on()}): "
            "ask the Secretariat to reopen it or extend the closing date"
        )
    filled = prefill(cycle, organisation)
    return Current(filled.answers, unconfirmed=filled.carried)


def paths_list(data: dict[str, Any], key: str, file: str) -> list[str] | None:
    """An envelope's list of JSON pointers (`confidential`, `unconfirmed`), None when absent."""
    if key not in data:
        return None
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        fail(f"{file}: '{key}' must be a list of JSON pointers such as \"/question\"")
    return value


@click.command("import")
@click.argument("cycle_name", metavar="CYCLE")
@click.argument("org", metavar="ORG")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Save the draft (without it: show what would change).")
@AS_OPTION
@with_appcontext
@handles_errors
def import_command(
    cycle_name: str, org: str, file: str, yes: bool, actor_email: str | None
) -> None:
    """Load a response (.json: answers or envelope) as ORG's draft of CYCLE.

    The file's answers replace the draft's. Prints one `PATH: OLD -> NEW` line per change (JSON
    values; null = no answer), or `no changes`, and any error as `PATH: message`. Saves only with
    --yes and only when there is no error; exit 1 on any error.
    """
    suffix = Path(file).suffix.lower()
    if suffix == ".xlsx":
        fail(
            f"{file}: importing a filled Excel template is not available yet; "
            'import a .json response (answers, or an envelope {"answers": ...}) instead'
        )
    if suffix != ".json":
        usage(f"{file}: import reads a .json response (answers or envelope)")
    data = read_json(file)
    cycle, organisation = locate(cycle_name, org)
    actor = acting_user(
        actor_email,
        lambda user: access.can_start(user, organisation),
        f"cannot edit the responses of {organisation.slug}",
    )
    current = current_draft(cycle, organisation)
    questionnaire = model_of(cycle.questionnaire_version)
    answers, justifications = split_envelope(data, questionnaire)
    envelope = answers is not data
    confidential = paths_list(data, "confidential", file) if envelope else None
    unconfirmed = paths_list(data, "unconfirmed", file) if envelope else None
    result = validator_for(questionnaire).validate(answers, "draft")
    proposed = result.answers if not result.errors else answers if isinstance(answers, dict) else {}
    changes = diff(current.answers, proposed, key_order(questionnaire))
    for change in changes:
        click.echo(f"{change['path']}: {as_json(change['old'])} -> {as_json(change['new'])}")
    side: list[str] = []
    if envelope and "justifications" in data and justifications != current.justifications:
        side.append(
            f"justifications: {as_json(current.justifications)} -> {as_json(justifications)}"
        )
    if confidential is not None and sorted(set(confidential)) != sorted(current.confidential):
        side.append(f"confidential: {as_json(current.confidential)} -> {as_json(confidential)}")
    confirmed = set(current.unconfirmed) - set(unconfirmed) if unconfirmed is not None else set()
    if confirmed:
        side.append(f"confirmed: {as_json(sorted(confirmed))}")
    for line in side:
        click.echo(line)
    if result.errors:
        print_problems(result.errors)
        fail(f"{len(result.errors)} answer(s) need attention; nothing was saved")
    if not changes and not side:
        click.echo("no changes")
        return
    if not yes:
        click.echo("dry run: nothing saved; run again with --yes to save", err=True)
        return
    response = start(cycle, organisation, actor)
    save_draft(
        response,
        result.answers,
        actor,
        response.version,
        justifications=justifications if envelope and "justifications" in data else None,
        confidential=confidential,
        confirmed=confirmed,
    )
    db.session.commit()
    click.echo(f"saved {organisation.slug}'s draft of {cycle.name} (version {response.version})")


# -- submit, review, publish ----------------------------------------------------------------------


@click.command("submit")
@click.argument("cycle_name", metavar="CYCLE")
@click.argument("org", metavar="ORG")
@AS_OPTION
@with_appcontext
@handles_errors
def submit_command(cycle_name: str, org: str, actor_email: str | None) -> None:
    """Submit ORG's draft of CYCLE, as the organisation's focal point would.

    Every rule applies (required answers, constraints, unjustified warnings): problems print as
    `PATH: message` and nothing is submitted (exit 1).
    """
    cycle, organisation = locate(cycle_name, org)
    response = existing_response(cycle, organisation, "submit")
    actor = acting_user(
        actor_email,
        lambda user: access.can_submit(user, response),
        f"cannot submit for {organisation.slug}: only its focal point submits",
    )
    try:
        submit(response, actor)
    except ValidationFailed as failed:
        db.session.rollback()
        print_problems(failed.errors)
        fail(f"{len(failed.errors)} answer(s) need attention; nothing was submitted")
    db.session.commit()
    click.echo(
        f"submitted {organisation.slug}'s response to {cycle.name} (version {response.version})"
    )


@click.command("review")
@click.argument("cycle_name", metavar="CYCLE")
@click.argument("org", metavar="ORG")
@click.option("--accept", is_flag=True, help="Accept the submitted response.")
@click.option("--return", "return_comment", metavar="COMMENT", help="Return it, saying why.")
@click.option(
    "--question",
    "question_comments",
    nargs=2,
    multiple=True,
    metavar="PATH TEXT",
    help="With --return: a comment on one question, e.g. --question /prisoners_total 'Check'.",
)
@AS_OPTION
@with_appcontext
@handles_errors
def review_command(
    cycle_name: str,
    org: str,
    accept: bool,
    return_comment: str | None,
    question_comments: tuple[tuple[str, str], ...],
    actor_email: str | None,
) -> None:
    """The Secretariat's review of a submitted response: --accept, or --return COMMENT."""
    if accept == (return_comment is not None):
        usage("give either --accept or --return COMMENT")
    if accept and question_comments:
        usage("--question goes with --return")
    cycle, organisation = locate(cycle_name, org)
    response = existing_response(cycle, organisation, "review")
    questionnaire = questionnaire_of(response)
    for path, _text in question_comments:
        if path.split("/")[1:2] and path.split("/")[1] in questionnaire.by_id:
            continue
        raise NotFound(f"--question {path}: no question {path} in {questionnaire.id}")
    user = acting_user(actor_email, access.can_review, "cannot review: only the Secretariat does")
    actor: Any = user or CommandLine(role="secretariat")
    action = "accept" if accept else "return"
    review(response, actor, action, return_comment, dict(question_comments) or None)
    db.session.commit()
    done = "accepted" if accept else "returned"
    click.echo(f"{done} {organisation.slug}'s response to {cycle.name}")


@click.command("publish")
@click.argument("cycle_name", metavar="CYCLE")
@click.argument("org", metavar="ORG")
@AS_OPTION
@with_appcontext
@handles_errors
def publish_command(cycle_name: str, org: str, actor_email: str | None) -> None:
    """Publish ORG's submitted or accepted national report for CYCLE (public progress pages)."""
    cycle, organisation = locate(cycle_name, org)
    response = existing_response(cycle, organisation, "publish")
    actor = acting_user(
        actor_email,
        lambda user: access.can_submit(user, response) or user.role == "secretariat",
        f"cannot publish for {organisation.slug}: its focal point or the Secretariat does",
    )
    if response.published:
        click.echo(f"{organisation.slug}'s report for {cycle.name} is already published")
        return
    publish_report(response, actor)
    db.session.commit()
    click.echo(f"published {organisation.slug}'s report for {cycle.name}")


COMMANDS = [import_command, submit_command, review_command, publish_command]
