"""Setting up: `init-db`, `add-org`, `load`, `create-user`."""

from __future__ import annotations

import sys

import click
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from engine.checker import definition_files
from engine.model import ORGANISATION_KINDS
from webapp.commands import fail, handles_errors, usage
from webapp.database import alembic_config, upgrade
from webapp.extensions import db
from webapp.models import ROLES, Organisation
from webapp.services.definitions import publish_paths
from webapp.services.organisations import add_organisation, ensure_member_states, find_organisation
from webapp.services.users import create_user


def database_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


def schema_revisions() -> tuple[str | None, str | None]:
    """(the database's current migration, the newest migration of this code)."""
    url = database_url()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head


def init_database() -> list[str]:
    """Migrate to head and make sure the Member States exist; returns what was done, line by line."""
    db.session.commit()  # no lock of ours may hold up the migration's DDL
    before, head = schema_revisions()
    upgrade(database_url())
    if before == head:
        lines = [f"database: already at migration {head}"]
    elif before is None:
        lines = [f"database: created (migration {head})"]
    else:
        lines = [f"database: upgraded from migration {before} to {head}"]
    added = ensure_member_states()
    db.session.commit()
    total = db.session.scalar(
        select(func.count()).select_from(Organisation).where(Organisation.kind == "member_state")
    )
    if added:
        lines.append(f"Member States: {added} added ({total} in all)")
    else:
        lines.append(f"Member States: all {total} present")
    return lines


@click.command("init-db")
@with_appcontext
@handles_errors
def init_db_command() -> None:
    """Create or upgrade the database (migrations) and make sure the 193 Member States exist."""
    for line in init_database():
        click.echo(line)


@click.command("add-org")
@click.argument("slug")
@click.option(
    "--kind",
    required=True,
    type=click.Choice(ORGANISATION_KINDS),
    help="Not member_state: Member States come from `kyoto init-db`.",
)
@click.option("--name", required=True, help="The organisation's name as people know it.")
@with_appcontext
@handles_errors
def add_org_command(slug: str, kind: str, name: str) -> None:
    """Add a stakeholder organisation (NGO, academia, youth, private sector, ...)."""
    if not name.strip():
        usage("--name is empty")
    organisation = add_organisation(slug, kind, name)
    db.session.commit()
    click.echo(f"added {organisation.slug} ({organisation.kind}): {organisation.name}")


@click.command("load")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@with_appcontext
@handles_errors
def load_command(paths: tuple[str, ...]) -> None:
    """Publish questionnaire definitions (files or folders); a published version never changes.

    All or nothing: when one file is refused, nothing is published.
    """
    if not definition_files(paths):
        fail(f"{', '.join(paths)}: no .yaml or .yml file found")
    published = publish_paths(paths)
    db.session.commit()
    for item in published:
        state = "published" if item.created else "unchanged"
        click.echo(f"{item.version.questionnaire_id} version {item.version.version}: {state}")


def _read_password() -> str:
    """The password on standard input: its first line, without the line break."""
    text = sys.stdin.readline()
    password = text.rstrip("\r\n")
    if not password:
        fail("--password-stdin: standard input has no password")
    return password


@click.command("create-user")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--org", "org", metavar="ORG", help="ISO3 code or slug (focal points, contributors).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input's first line."
)
@click.option("--language", metavar="LANG", help="Interface language, e.g. fr.")
@with_appcontext
@handles_errors
def create_user_command(
    email: str, role: str, org: str | None, password_stdin: bool, language: str | None
) -> None:
    """Create a user; without --password-stdin a password is generated and printed once."""
    languages = current_app.config["LANGUAGES"]
    if language is not None and language not in languages:
        usage(f"--language: '{language}' is not one of {', '.join(languages)}")
    password = _read_password() if password_stdin else None
    organisation = find_organisation(org) if org else None
    user, generated = create_user(email, role, organisation, password)
    user.language = language
    db.session.commit()
    where = f" of {organisation.slug}" if organisation else ""
    click.echo(f"created {user.email}: {role}{where}")
    if password is None:
        click.echo(f"password: {generated}")
        click.echo("(shown once: give it to the user now)", err=True)


COMMANDS = [init_db_command, add_org_command, load_command, create_user_command]
