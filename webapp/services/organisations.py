"""Organisations: the 193 Member States from pycountry, and other stakeholders by slug."""

from __future__ import annotations

import re

import pycountry
from sqlalchemy import select

from engine.model import ORGANISATION_KINDS
from webapp.extensions import db
from webapp.models import Organisation, User
from webapp.services import Conflict, Invalid, NotFound
from webapp.services.audit import record

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# ISO 3166-1 lists territories too; these are the alpha-3 codes of entities that are not among
# the 193 Member States of the United Nations (observers and territories).
NOT_MEMBER_STATES = frozenset(
    [
        "ABW",
        "AIA",
        "ALA",
        "ASM",
        "ATA",
        "ATF",
        "BES",
        "BLM",
        "BMU",
        "BVT",
        "CCK",
        "COK",
        "CUW",
        "CXR",
        "CYM",
        "ESH",
        "FLK",
        "FRO",
        "GGY",
        "GIB",
        "GLP",
        "GRL",
        "GUF",
        "GUM",
        "HKG",
        "HMD",
        "IMN",
        "IOT",
        "JEY",
        "MAC",
        "MAF",
        "MNP",
        "MSR",
        "MTQ",
        "MYT",
        "NCL",
        "NFK",
        "NIU",
        "PCN",
        "PRI",
        "PSE",
        "PYF",
        "REU",
        "SGS",
        "SHN",
        "SJM",
        "SPM",
        "SXM",
        "TCA",
        "TKL",
        "TWN",
        "UMI",
        "VAT",
        "VGB",
        "VIR",
        "WLF",
    ]
)


def member_states() -> list[tuple[str, str]]:
    """(ISO3, name) of the 193 Member States, from pycountry's ISO 3166-1 data."""
    states = [
        (country.alpha_3, getattr(country, "common_name", None) or country.name)
        for country in pycountry.countries
        if country.alpha_3 not in NOT_MEMBER_STATES
    ]
    return sorted(states)


def ensure_member_states() -> int:
    """Create the Member States that are missing; returns how many were added."""
    existing = set(
        db.session.scalars(select(Organisation.iso3).where(Organisation.iso3.is_not(None)))
    )
    added = 0
    for iso3, name in member_states():
        if iso3 not in existing:
            db.session.add(Organisation(slug=iso3, kind="member_state", name=name, iso3=iso3))
            added += 1
    return added


def add_organisation(slug: str, kind: str, name: str, actor: User | None = None) -> Organisation:
    if kind not in ORGANISATION_KINDS:
        raise Invalid(f"unknown kind '{kind}'; kinds are {', '.join(ORGANISATION_KINDS)}")
    if kind == "member_state":
        raise Invalid("Member States come from ISO 3166-1: run `kyoto init-db`")
    if not SLUG.fullmatch(slug) or len(slug) > 64:
        raise Invalid(f"'{slug}' is not a slug: use lowercase letters, digits and '-'")
    if db.session.scalar(select(Organisation).where(Organisation.slug == slug)) is not None:
        raise Conflict(f"an organisation '{slug}' already exists")
    organisation = Organisation(slug=slug, kind=kind, name=name.strip())
    db.session.add(organisation)
    db.session.flush()
    record("create", "organisation", organisation.id, actor, slug=slug, kind=kind)
    return organisation


def find_organisation(reference: str) -> Organisation:
    """By ISO3 code (Member States, any case) or slug."""
    organisation = db.session.scalar(
        select(Organisation).where(
            (Organisation.slug == reference) | (Organisation.iso3 == reference.upper())
        )
    )
    if organisation is None:
        raise NotFound(f"no organisation '{reference}'")
    return organisation
