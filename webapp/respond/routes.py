"""Routes of the `respond` blueprint: a stakeholder's start page and questionnaire pages.

    GET  /                                   respond.home: the organisation's open cycles
    GET  /cycles/<cycle_id>                  respond.cycle: the first section
    GET  /cycles/<cycle_id>/<section_id>     respond.section (?lang=fr, ?check=1)
    POST /cycles/<cycle_id>/<section_id>     save draft, submit, add or remove a repeat item

Every route checks access through `webapp.services.access` (in `respond.state.load`): another
organisation's cycle or response is a 404. Views stay thin: `actions` handles posts, `pages`
assembles what templates draw, services write.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from flask import abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError

from webapp.forms.fields import ITEM_MARKER
from webapp.forms.page import CONTROL_FIELDS, JUSTIFICATION
from webapp.respond import bp
from webapp.respond.actions import DATABASE_ERRORS, handle_post, show, typed_again
from webapp.respond.pages import admin_board_url, find_section, language_for, section_url
from webapp.respond.state import load, open_assignments, snapshot
from webapp.services.access import can_see_board, can_start
from webapp.services.definitions import model_of
from webapp.services.responses import response_for


@dataclass
class CycleEntry:
    title: str
    lang: str
    url: str
    period: str
    closes_on: str
    status: str


@bp.get("/")
@login_required
def home() -> ResponseReturnValue:
    from webapp.respond.pages import STATUS_LABELS

    user = current_user
    entries = []
    organisation = user.organisation
    if organisation is not None and can_start(user, organisation):
        for assignment in open_assignments(organisation):
            questionnaire = model_of(assignment.cycle.questionnaire_version)
            lang = language_for(questionnaire, None, str(get_locale()))
            response = response_for(assignment.cycle, organisation)
            status = response.status if response is not None else "not_started"
            entries.append(
                CycleEntry(
                    title=questionnaire.text(questionnaire.title, lang),
                    lang=lang,
                    url=url_for("respond.cycle", cycle_id=assignment.cycle.id),
                    period=assignment.cycle.period,
                    closes_on=assignment.closes_on().isoformat(),
                    status=str(STATUS_LABELS.get(status, status)),
                )
            )
    board = admin_board_url() if can_see_board(user) else None
    return render_template(
        "respond/home.html", entries=entries, board_url=board, organisation=organisation
    )


@bp.get("/cycles/<int:cycle_id>")
@login_required
def cycle(cycle_id: int) -> ResponseReturnValue:
    target = load(cycle_id, current_user)
    first = target.questionnaire.sections[0]
    lang = language_for(target.questionnaire, request.args.get("lang"), str(get_locale()))
    return redirect(section_url(cycle_id, first.id, lang))


@bp.route("/cycles/<int:cycle_id>/<section_id>", methods=["GET", "POST"])
def section(cycle_id: int, section_id: str) -> ResponseReturnValue:
    if not current_user.is_authenticated:
        return _logged_out()
    # A post that saves reads the response under its row lock right away (read once).
    target = load(cycle_id, current_user._get_current_object(), for_update=request.method == "POST")
    found = find_section(target.questionnaire, section_id)
    if found is None:
        abort(404)
    lang = language_for(target.questionnaire, request.args.get("lang"), str(get_locale()))
    with _interface(lang):
        if request.method == "GET":
            return show(target, found, lang, check=request.args.get("check") == "1")
        return handle_post(target, found, lang, request.form)


def _interface(lang: str) -> AbstractContextManager[None]:
    """The page's interface strings in the questionnaire's language when we have them."""
    if lang in current_app.config.get("LANGUAGES", ()):
        return force_locale(lang)
    return nullcontext()


# -- nothing typed is lost -------------------------------------------------------------------------


def _same_origin() -> bool:
    """The post came from one of our pages (so re-showing its values cannot be abused)."""
    origin = request.headers.get("Origin")
    host = request.host_url.rstrip("/")
    if origin:
        return origin.rstrip("/") == host
    referrer = request.headers.get("Referer", "")
    return referrer == host or referrer.startswith(host + "/")


@bp.errorhandler(CSRFError)
def csrf_failed(error: CSRFError) -> ResponseReturnValue:
    """An expired or missing CSRF token on a questionnaire page: show what was typed again,
    unsaved, with a fresh token, instead of a bare 400 (RELIABILITY A12)."""
    from webapp.errors import CSRF_MESSAGE, error_response
    from webapp.security import log_event

    log_event("csrf_failed", logging.WARNING, reason=error.description, preserved=True)
    if request.method != "POST" or request.endpoint != "respond.section" or not _same_origin():
        return error_response(400, CSRF_MESSAGE, code="csrf_failed")
    message = _(
        "Your answers were NOT saved: this page had expired. Everything you typed is shown "
        "below; press Save draft again to save it."
    )
    if not current_user.is_authenticated:
        return _preserved(message, 400)
    args = request.view_args or {}
    target = load(int(args["cycle_id"]), current_user)
    found = find_section(target.questionnaire, str(args["section_id"]))
    if found is None:
        abort(404)
    lang = language_for(target.questionnaire, request.args.get("lang"), str(get_locale()))
    with _interface(lang):
        return typed_again(snapshot(target), found, lang, request.form, message, 400)


def _logged_out() -> ResponseReturnValue:
    """Not logged in (any more): a post from our own page keeps what was typed (the session
    ended, or was closed from another device); anything else goes to the login page."""
    if request.method == "POST" and _same_origin():
        return _preserved(
            _(
                "Your answers were NOT saved: you are no longer logged in. Log in again, then "
                "press Save draft here; what you typed is kept on this page."
            ),
            401,
        )
    return current_app.login_manager.unauthorized()  # type: ignore[attr-defined,no-any-return]


def _preserved(message: str, status: int) -> ResponseReturnValue:
    """A page that needs neither the session nor the database, keeping the posted fields."""
    fields = [
        (k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "action")
    ]
    html = render_template(
        "respond/preserved.html",
        message=message,
        fields=fields,
        answered=len({name for name, value in fields if value.strip() and _is_answer(name)}),
        action=request.full_path.rstrip("?"),
        login_url=url_for("auth.login") if "auth.login" in current_app.view_functions else None,
    )
    return html, status


def _is_answer(name: str) -> bool:
    """An input holding an answer, not one of the page's controls (webapp.forms.page)."""
    return (
        name not in CONTROL_FIELDS
        and not name.startswith(JUSTIFICATION)
        and not name.endswith(f"-{ITEM_MARKER}")
    )


def _database_unavailable(error: Exception) -> ResponseReturnValue:
    """The database failed before the page could even be read: keep the post, say so (A10)."""
    from webapp.errors import error_response

    try:
        from webapp.extensions import db

        db.session.rollback()
    except DATABASE_ERRORS:
        pass
    current_app.logger.exception("database unavailable")
    if request.method == "POST" and request.endpoint == "respond.section":
        return _preserved(
            _(
                "Your answers were NOT saved: the database is unavailable for a moment. "
                "Press Save draft again in a minute; what you typed is kept on this page."
            ),
            503,
        )
    return error_response(503)


for _error in DATABASE_ERRORS:
    bp.register_error_handler(_error, _database_unavailable)
