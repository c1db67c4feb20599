"""The `kyoto` command line (SPEC §5), a Flask CLI group.

Definition commands (`check`, `schema`, `validate`, `definition-schema`) need no app or database;
the web application's commands (`init-db`, `load`, `open-cycle`, `submit`, `demo`, `serve`, ...)
live in `webapp.commands`, one module per group.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import FlaskGroup

from engine.checker import check_file, check_paths, definition_files
from engine.compiler import compile_schema
from engine.definition_schema import definition_schema
from engine.jsonload import JSONError, loads
from engine.validation import split_envelope, validator_for


def _app():  # type: ignore[no-untyped-def]
    from webapp import create_app

    return create_app()


class KyotoGroup(FlaskGroup):
    """Web commands (and so SQLAlchemy, Alembic, Flask extensions) load only when needed:
    `kyoto check` starts in a fraction of the time."""

    def _load_web_commands(self) -> None:
        if not getattr(self, "_web_commands_loaded", False):
            self._web_commands_loaded = True
            from webapp.commands import register

            register(self)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._load_web_commands()
        return super().get_command(ctx, cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_web_commands()
        return super().list_commands(ctx)


@click.group(cls=KyotoGroup, create_app=_app, add_default_commands=False)
def cli() -> None:
    """Kyoto questionnaire engine: questionnaires for the follow-up of the Kyoto Declaration."""


def _print_json(data: object) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@cli.command("check", with_appcontext=False)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
def check_command(paths: tuple[str, ...]) -> None:
    """Check questionnaire files or folders; one line per problem, exit 1 on any error."""
    files = definition_files(paths)
    if not files:
        click.echo(f"{', '.join(paths)}: error: no .yaml or .yml file found", err=True)
        sys.exit(1)
    results = check_paths(paths)
    errors = warnings = 0
    for result in results:
        for problem in result.problems:
            click.echo(str(problem))
            errors += problem.is_error
            warnings += not problem.is_error
    click.echo(
        f"{len(results)} file(s) checked: {errors} error(s), {warnings} warning(s)", err=True
    )
    sys.exit(1 if errors else 0)


def _checked(file: str):  # type: ignore[no-untyped-def]
    """The model of a definition file, or exit 1 after printing its problems."""
    result = check_file(file)
    if result.questionnaire is None:
        for problem in result.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    return result.questionnaire


@cli.command("schema", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--lang", help="Language of titles (default: the questionnaire's first).")
@click.option("--draft", is_flag=True, help="The draft schema (required rules left out).")
def schema_command(file: str, lang: str | None, draft: bool) -> None:
    """Print the response JSON Schema (draft 2020-12) of a definition."""
    questionnaire = _checked(file)
    _print_json(compile_schema(questionnaire, "draft" if draft else "submit", lang))


@cli.command("validate", with_appcontext=False)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.argument("response", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option("--draft", is_flag=True, help="Check as a draft: required rules wait.")
@click.option("--lang", help="Language of the messages.")
def validate_command(file: str, response: str, draft: bool, lang: str | None) -> None:
    """Validate a response (answers or envelope); print `JSON-POINTER: message`, exit 1 on error."""
    questionnaire = _checked(file)
    raw = sys.stdin.buffer.read() if response == "-" else Path(response).read_bytes()
    try:
        data = loads(raw)
    except JSONError as error:
        click.echo(f"{response}:{error.line}:{error.column}: error: {error.message}")
        sys.exit(1)
    answers, justifications = split_envelope(data, questionnaire)
    result = validator_for(questionnaire).validate(
        answers, "draft" if draft else "submit", lang, justifications
    )
    for error in result.errors:
        click.echo(f"{error.path or '/'}: {error.message}")
    for warning in result.warnings:
        click.echo(f"{warning.path}: warning: {warning.message}")
    sys.exit(1 if result.errors else 0)


@cli.command("definition-schema", with_appcontext=False)
def definition_schema_command() -> None:
    """Print the JSON Schema of the questionnaire YAML format (for editors)."""
    _print_json(definition_schema())


def main() -> None:
    cli.main(prog_name="kyoto")
