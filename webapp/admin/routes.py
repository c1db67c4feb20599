"""Routes of the `admin` blueprint: the Secretariat's definitions and cycles, the status board.

Every route needs a signed-in Secretariat member or officer (`_staff_only`); officers only read
the cycles and their boards (`secretariat_only` on everything else, POSTs included). Views build
a form, call one service and redirect or re-render; services decide and write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from wtforms import SelectChoice

from engine.checker import CheckResult
from engine.model import Questionnaire
from webapp.admin import bp
from webapp.admin.board import build_board
from webapp.admin.forms import ExtendForm, OpenCycleForm, PublishForm, UploadForm
from webapp.extensions import db, login_manager
from webapp.forms import SectionView, prepare_sections
from webapp.models import Cycle, Organisation, QuestionnaireVersion
from webapp.refusals import explain
from webapp.review.display import languages_of, pick_language, revision_sentence, status_word
from webapp.services import NotFound, ServiceError
from webapp.services.access import can_administer, can_see_board
from webapp.services.cycles import extend, find_cycle, open_cycle, today
from webapp.services.definitions import (
    DefinitionRejected,
    check_for_publication,
    find_version,
    model_of,
    publish,
)
from webapp.services.organisations import find_organisation

F = TypeVar("F", bound=Callable[..., Any])


@bp.before_request
def _staff_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not can_see_board(current_user):
        abort(403)
    return None


def secretariat_only(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def _cycle_or_404(name: str) -> Cycle:
    try:
        return find_cycle(name)
    except ServiceError:
        abort(404)


# Definitions -------------------------------------------------------------------------------


@bp.get("/questionnaires")
@secretariat_only
def questionnaires() -> ResponseReturnValue:
    versions = db.session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version.desc()
        )
    ).all()
    cycle_counts = dict(
        db.session.execute(
            select(Cycle.questionnaire_version_id, func.count(Cycle.id)).group_by(
                Cycle.questionnaire_version_id
            )
        ).all()
    )
    return render_template(
        "admin/questionnaires.html", versions=versions, cycle_counts=cycle_counts
    )


@bp.route("/questionnaires/upload", methods=["GET", "POST"])
@secretariat_only
def upload() -> ResponseReturnValue:
    form = UploadForm()
    if form.validate_on_submit():
        sent = form.source()
        if sent is not None:
            file_name, source = sent
            return _checked(file_name, source, request.form.get("lang"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/upload.html", form=form), status


@bp.post("/questionnaires/preview")
@secretariat_only
def preview_upload() -> ResponseReturnValue:
    """The same check and preview again, in another language (the source comes back hidden)."""
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    return _checked(form.file_name.data or "<upload>", form.source.data, form.lang.data)


def _checked(file_name: str, source: str, lang: str | None) -> ResponseReturnValue:
    result: CheckResult = check_for_publication(source, file_name)
    lines = source.split("\n")
    if result.questionnaire is None:
        return (
            render_template(
                "admin/problems.html",
                file_name=file_name,
                problems=result.problems,
                lines=lines,
                form=UploadForm(formdata=None),
            ),
            422,
        )
    questionnaire = result.questionnaire
    lang = pick_language(questionnaire, lang)
    form = PublishForm(formdata=None, source=source, file_name=file_name, lang=lang)
    form.lang.choices = [SelectChoice(code, name) for code, name in languages_of(questionnaire)]
    existing = find_version(questionnaire.id, questionnaire.version, missing_ok=True)
    return render_template(
        "admin/preview.html",
        questionnaire=questionnaire,
        lang=lang,
        sections=_preview(questionnaire, lang),
        problems=result.problems,
        lines=lines,
        file_name=file_name,
        form=form,
        existing=existing,
        published=False,
    )


@bp.post("/questionnaires/publish")
@secretariat_only
def publish_upload() -> ResponseReturnValue:
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    file_name = form.file_name.data or "<upload>"
    try:
        result = publish(form.source.data, file_name, actor=current_user)
    except DefinitionRejected as rejected:
        db.session.rollback()
        return (
            render_template(
                "admin/problems.html",
                file_name=file_name,
                problems=rejected.problems,
                lines=form.source.data.split("\n"),
                form=UploadForm(formdata=None),
            ),
            422,
        )
    except ServiceError as error:
        db.session.rollback()
        return render_template("admin/refused.html", message=explain(error)), error.status
    db.session.commit()
    row = result.version
    if result.created:
        flash(_("Published %(key)s.", key=row.key), "success")
    else:
        flash(
            _(
                "%(key)s was already published with this very content: nothing changed.",
                key=row.key,
            ),
            "info",
        )
    return redirect(
        url_for("admin.questionnaire", questionnaire_id=row.questionnaire_id, version=row.version)
    )


@bp.get("/questionnaires/<questionnaire_id>/<int:version>")
@secretariat_only
def questionnaire(questionnaire_id: str, version: int) -> ResponseReturnValue:
    """A published version: its preview as a respondent sees it, and its source."""
    row = find_version(questionnaire_id, version, missing_ok=True)
    if row is None:
        abort(404)
    model = model_of(row)
    lang = pick_language(model)
    cycles = db.session.scalars(
        select(Cycle).where(Cycle.questionnaire_version_id == row.id).order_by(Cycle.opens_on)
    ).all()
    return render_template(
        "admin/questionnaire.html",
        row=row,
        questionnaire=model,
        lang=lang,
        sections=_preview(model, lang),
        languages=languages_of(model),
        cycles=cycles,
    )


def _preview(questionnaire: Questionnaire, lang: str) -> list[SectionView]:
    """Every section as a respondent sees a new draft (defaults filled in, and one empty item
    in each repeat so its questions show), drawn by the shared renderer of `webapp.forms`."""
    answers: dict[str, object] = {}
    for question in questionnaire.questions:
        if question.default is not None:
            answers[question.id] = question.default
        elif question.type == "repeat":
            answers[question.id] = [{}]
    return prepare_sections(questionnaire, lang=lang, mode="preview", answers=answers)


# Cycles ------------------------------------------------------------------------------------


@bp.get("/cycles")
def cycles() -> ResponseReturnValue:
    rows = db.session.scalars(
        select(Cycle).order_by(Cycle.opens_on.desc(), Cycle.questionnaire_id, Cycle.period)
    ).all()
    return render_template("admin/cycles.html", cycles=rows, today=today())


def _version_choices() -> list[SelectChoice]:
    versions = db.session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.questionnaire_id, QuestionnaireVersion.version.desc()
        )
    )
    return [
        SelectChoice(
            f"{v.questionnaire_id}@v{v.version}", f"{v.key} — {next(iter(v.title.values()), '')}"
        )
        for v in versions
    ]


@bp.route("/cycles/new", methods=["GET", "POST"])
@secretariat_only
def new_cycle() -> ResponseReturnValue:
    form = OpenCycleForm()
    form.version.choices = _version_choices()
    if request.method == "GET":
        chosen = request.args.get("version")
        if chosen in {choice.value for choice in form.version.choices}:
            form.version.data = chosen
        form.opens_on.data = form.opens_on.data or today()
    organisations = db.session.scalars(
        select(Organisation).order_by(Organisation.kind, Organisation.name)
    ).all()
    form.organisations.choices = [
        SelectChoice(o.slug, f"{o.name} ({o.slug})") for o in organisations
    ]
    error = None
    status = 200
    if form.validate_on_submit():
        questionnaire_id, _sep, version = form.version.data.rpartition("@v")
        chosen_orgs = None
        if form.asked.data == "chosen":
            wanted = set(form.organisations.data)
            chosen_orgs = [o for o in organisations if o.slug in wanted]
        try:
            cycle = open_cycle(
                questionnaire_id,
                int(version),
                form.period.data.strip(),
                form.closes_on.data,
                form.opens_on.data,
                chosen_orgs,
                actor=current_user,
            )
        except ServiceError as refused:
            db.session.rollback()
            error, status = explain(refused), refused.status
        else:
            db.session.commit()
            flash(
                ngettext(
                    "Opened %(name)s for %(num)d organisation.",
                    "Opened %(name)s for %(num)d organisations.",
                    len(cycle.assignments),
                    name=cycle.name,
                ),
                "success",
            )
            return redirect(url_for("admin.board", cycle=cycle.name))
    elif request.method == "POST":
        status = 422
    return render_template("admin/new_cycle.html", form=form, error=error), status


@bp.get("/", defaults={"cycle": None})
@bp.get("/cycles/<cycle>")
def board(cycle: str | None) -> ResponseReturnValue:
    """A cycle's status board; without a cycle (`/admin/`), the staff's start page."""
    if cycle is None:
        if can_administer(current_user):
            return redirect(url_for("admin.questionnaires"))
        return redirect(url_for("admin.cycles"))
    found = _cycle_or_404(cycle)
    return render_template(
        "admin/board.html",
        board=build_board(found, today()),
        today=today(),
        extend_form=ExtendForm(formdata=None),
        can_administer=can_administer(current_user),
        status_word=status_word,
        revision_sentence=revision_sentence,
    )


@bp.post("/cycles/<cycle>/organisations/<organisation>/extend")
@secretariat_only
def extend_closing(cycle: str, organisation: str) -> ResponseReturnValue:
    found = _cycle_or_404(cycle)
    try:
        org = find_organisation(organisation)
    except NotFound:
        abort(404)
    form = ExtendForm()
    if not form.validate_on_submit():
        flash(_("Give the new closing date as YYYY-MM-DD."), "error")
        return redirect(url_for("admin.board", cycle=found.name))
    try:
        extend(found, org, form.until.data, current_user)
    except NotFound:
        db.session.rollback()
        abort(404)
    except ServiceError as refused:
        db.session.rollback()
        flash(explain(refused), "error")
    else:
        db.session.commit()
        flash(
            _("%(org)s may answer until %(date)s.", org=org.name, date=form.until.data.isoformat()),
            "success",
        )
    return redirect(url_for("admin.board", cycle=found.name))
