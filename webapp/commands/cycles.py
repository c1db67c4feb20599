"""Reporting cycles: `open-cycle`."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import with_appcontext

from webapp.commands import handles_errors, usage
from webapp.extensions import db
from webapp.models import Organisation
from webapp.services.cycles import open_cycle
from webapp.services.organisations import find_organisation

DATE = click.DateTime(formats=["%Y-%m-%d"])


def organisations_named(references: str) -> list[Organisation]:
    """`FRA,KEN,youth-network` -> those organisations, in that order, each once."""
    names = [name.strip() for name in references.split(",") if name.strip()]
    if not names:
        usage("--orgs names no organisation")
    found: dict[int, Organisation] = {}
    for name in names:
        organisation = find_organisation(name)
        found.setdefault(organisation.id, organisation)
    return list(found.values())


@click.command("open-cycle")
@click.argument("questionnaire")
@click.argument("version", type=click.IntRange(min=1))
@click.argument("period")
@click.option("--closes", required=True, type=DATE, help="Closing date, YYYY-MM-DD.")
@click.option("--opens", type=DATE, help="Opening date, YYYY-MM-DD (default: today).")
@click.option("--orgs", metavar="ORG,...", help="Organisations asked: ISO3 codes or slugs.")
@click.option(
    "--audience",
    is_flag=True,
    help="Ask every organisation of the questionnaire's audience (the default).",
)
@with_appcontext
@handles_errors
def open_cycle_command(
    questionnaire: str,
    version: int,
    period: str,
    closes: dt.datetime,
    opens: dt.datetime | None,
    orgs: str | None,
    audience: bool,
) -> None:
    """Open a reporting cycle QUESTIONNAIRE@PERIOD asking one published VERSION."""
    if orgs is not None and audience:
        usage("give either --orgs or --audience, not both")
    organisations = organisations_named(orgs) if orgs is not None else None
    cycle = open_cycle(
        questionnaire,
        version,
        period,
        closes.date(),
        opens.date() if opens else None,
        organisations,
    )
    db.session.commit()
    asked = len(cycle.assignments)
    click.echo(
        f"opened {cycle.name} (version {version}): {cycle.opens_on} to {cycle.closes_on}, "
        f"{asked} organisation{'s' if asked != 1 else ''} asked"
    )


COMMANDS = [open_cycle_command]
