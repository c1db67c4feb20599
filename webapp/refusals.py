"""A service's refusal as a sentence in the page's language.

Services (`webapp.services`) refuse in English, for the command line and the logs, and name the
refusal with a stable `code` and its raw `params`. Pages show `explain(error)`: the sentence of
that code in the interface language, a status as its translated word (`webapp.review.display`),
a date as ISO (YYYY-MM-DD). A refusal without a code, or with a code not listed here, is shown
as its English `message`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from webapp.services import ServiceError

Sentence = Callable[[Mapping[str, Any]], str]


def _status_word(status: str) -> str:
    """`webapp.review.display.status_word`, imported when first needed: the review package
    imports its routes, which use this module."""
    from webapp.review.display import status_word as translated

    return translated(status)


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _draft_changed(p: Mapping[str, Any]) -> str:
    if p.get("by"):
        return _(
            "This draft was changed by %(by)s since you opened it (it is now version "
            "%(version)d): review their changes and save again.",
            by=p["by"],
            version=p["version"],
        )
    return _(
        "This draft was changed since you opened it (it is now version %(version)d): review "
        "the changes and save again.",
        version=p["version"],
    )


def _period_invalid(p: Mapping[str, Any]) -> str:
    """One whole sentence per kind of period: the kind and its example are not spliced in."""
    period, kind = p["period"], p["kind"]
    if kind == "annual":
        return _(
            "“%(period)s” is not a period of an annual questionnaire: use a year such as 2026.",
            period=period,
        )
    if kind == "quarterly":
        return _(
            "“%(period)s” is not a period of a quarterly questionnaire: use a quarter such as "
            "2026-Q1.",
            period=period,
        )
    if kind == "biennial":
        return _(
            "“%(period)s” is not a period of a biennial questionnaire: use two consecutive years "
            "such as 2026-2027.",
            period=period,
        )
    if kind == "once":
        return _(
            "“%(period)s” is not a period of a one-time questionnaire: use a short label of "
            "letters, digits, “.”, “_” or “-”.",
            period=period,
        )
    raise KeyError(kind)


SENTENCES: dict[str, Sentence] = {
    # responses: editing, reviewing, publishing
    "response_not_editable": lambda p: _(
        "This response is %(status)s: it cannot be changed unless the Secretariat reopens it.",
        status=_status_word(p["status"]),
    ),
    "cycle_not_open": lambda p: _(
        "The cycle %(cycle)s opens on %(date)s: answers can be saved from that day.",
        cycle=p["cycle"],
        date=_iso(p["date"]),
    ),
    "no_such_questionnaire": lambda p: _("There is no such questionnaire for your organisation."),
    "cycle_closed": lambda p: _(
        "The cycle %(cycle)s closed on %(date)s: ask the Secretariat to reopen it or to extend "
        "the closing date.",
        cycle=p["cycle"],
        date=_iso(p["date"]),
    ),
    "draft_changed": _draft_changed,
    "answers_need_attention": lambda p: ngettext(
        "%(num)d answer needs attention.", "%(num)d answers need attention.", p["count"]
    ),
    "changed_concurrently": lambda p: _(
        "This response was changed by someone else at the same time; reload it."
    ),
    "review_forbidden": lambda p: _("Only the Secretariat reviews responses."),
    "review_not_submitted": lambda p: _(
        "Only a submitted response can be reviewed; this one is %(status)s.",
        status=_status_word(p["status"]),
    ),
    "review_action_unknown": lambda p: _("A response can only be accepted or returned."),
    "return_comment_required": lambda p: _(
        "Say why the response is returned: a comment is required."
    ),
    "reopen_forbidden": lambda p: _("Only the Secretariat reopens responses."),
    "reopen_not_allowed": lambda p: _(
        "Only a submitted or accepted response can be reopened; this one is %(status)s.",
        status=_status_word(p["status"]),
    ),
    "publish_not_allowed": lambda p: _(
        "Only a submitted or accepted report can be published; this one is %(status)s.",
        status=_status_word(p["status"]),
    ),
    # cycles
    "period_invalid": _period_invalid,
    "period_not_consecutive": lambda p: _(
        "“%(period)s” is not two consecutive years.", period=p["period"]
    ),
    "cycle_closes_before_opening": lambda p: _(
        "The cycle closes (%(closes_on)s) before it opens (%(opens_on)s).",
        closes_on=_iso(p["closes_on"]),
        opens_on=_iso(p["opens_on"]),
    ),
    "cycle_exists": lambda p: _("The cycle %(cycle)s already exists.", cycle=p["cycle"]),
    "not_assigned": lambda p: _(
        "%(organisation)s is not asked to answer %(cycle)s.",
        organisation=p["organisation"],
        cycle=p["cycle"],
    ),
    "extension_too_early": lambda p: _(
        "An extension must end on or after the cycle's closing date (%(date)s).",
        date=_iso(p["date"]),
    ),
    # questionnaire definitions
    "version_already_published": lambda p: _(
        "%(questionnaire)s version %(version)d is already published with other content; a "
        "published version never changes: publish version %(next)d instead.",
        questionnaire=p["questionnaire"],
        version=p["version"],
        next=p["next"],
    ),
    "version_not_published": lambda p: _(
        "%(questionnaire)s version %(version)d is not published.",
        questionnaire=p["questionnaire"],
        version=p["version"],
    ),
    # passwords
    "password_too_short": lambda p: ngettext(
        "A password has at least %(num)d character.",
        "A password has at least %(num)d characters.",
        p["min"],
    ),
    "password_too_long": lambda p: ngettext(
        "A password has at most %(num)d character.",
        "A password has at most %(num)d characters.",
        p["max"],
    ),
}
"""The sentence of each refusal code, given the refusal's `params`."""


def explain(error: ServiceError) -> str:
    """What a page says about a refused operation, in the interface language.

    The English `message` when the refusal has no known code, or (a bug, logged) when its
    params do not fit the sentence: a page always has something true to say.
    """
    sentence = SENTENCES.get(error.code) if error.code else None
    if sentence is None:
        return error.message
    try:
        return sentence(error.params)
    except (KeyError, TypeError, ValueError):
        current_app.logger.exception("refusal %s: params do not fit its sentence", error.code)
        return error.message
