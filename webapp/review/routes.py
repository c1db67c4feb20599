"""Routes of the `review` blueprint: a response read-only, its history, the review actions, and
the indicators of a cycle.

Who sees what is `webapp.services.access`: the Secretariat every response, officers submitted
and accepted ones, an organisation's own members their own; anyone else gets 404 (the response's
existence is not revealed, B1). Only the Secretariat acts (POST by anyone else who may see the
response: 403). Actions take the response from the route and nothing but comments and the
version the page showed from the form; the service decides whether the transition is legal.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from engine.indicators import by_pillar, compute_indicators, counted
from engine.model import PILLARS
from webapp.extensions import db, login_manager
from webapp.models import Cycle, Response, ReviewComment, User
from webapp.refusals import explain
from webapp.review import bp
from webapp.review.display import (
    answer_sections,
    change_text,
    changed_by,
    languages_of,
    pick_language,
    revision_sentence,
    status_word,
)
from webapp.review.forms import (
    AcceptForm,
    ReopenForm,
    ReturnForm,
    ReviewForm,
    question_field_name,
    return_form_class,
)
from webapp.services import Invalid, ServiceError
from webapp.services.access import can_review, can_see_board, can_view
from webapp.services.cycles import find_cycle
from webapp.services.definitions import model_of
from webapp.services.organisations import find_organisation
from webapp.services.responses import (
    questionnaire_of,
    reopen,
    response_for,
    review,
    review_comments,
)


@bp.before_request
def _signed_in() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def _cycle_or_404(name: str) -> Cycle:
    try:
        return find_cycle(name)
    except ServiceError:
        abort(404)


def _visible_response(cycle_name: str, organisation_ref: str) -> Response:
    """The response of the route, or 404 when it does not exist or the user may not see it."""
    cycle = _cycle_or_404(cycle_name)
    try:
        organisation = find_organisation(organisation_ref)
    except ServiceError:
        abort(404)
    response = response_for(cycle, organisation)
    if response is None or not can_view(current_user, response):
        abort(404)
    return response


def _previous_response(response: Response) -> Response | None:
    """The organisation's last accepted response to an earlier cycle of the same questionnaire."""
    cycle = response.cycle
    return db.session.scalar(
        select(Response)
        .join(Cycle, Response.cycle_id == Cycle.id)
        .where(
            Cycle.questionnaire_id == cycle.questionnaire_id,
            Cycle.id != cycle.id,
            Cycle.opens_on <= cycle.opens_on,
            Response.organisation_id == response.organisation_id,
            Response.status == "accepted",
        )
        .order_by(Cycle.opens_on.desc(), Cycle.id.desc())
        .limit(1)
    )


def _forms(response: Response) -> dict[str, Any]:
    if not can_review(current_user):
        return {}
    questionnaire = questionnaire_of(response)
    version = {"version": response.version}
    return {
        "accept_form": AcceptForm(formdata=None, data=version),
        "return_form": return_form_class(questionnaire)(formdata=None, data=version),
        "reopen_form": ReopenForm(formdata=None, data=version),
    }


def _render_response(
    response: Response, status: int = 200, error: str | None = None, **forms: Any
) -> ResponseReturnValue:
    questionnaire = questionnaire_of(response)
    lang = pick_language(questionnaire)
    previous = _previous_response(response)
    comments: dict[str, list[str]] = defaultdict(list)
    for comment in review_comments(response):
        comments[comment.path].append(comment.text)
    sections = answer_sections(
        questionnaire,
        response.envelope(),
        lang,
        previous=previous.answers if previous is not None else None,
        previous_model=questionnaire_of(previous) if previous is not None else None,
        comments=comments,
    )
    last_return = next((r for r in reversed(response.revisions) if r.action == "return"), None)
    context = {**_forms(response), **forms}
    return (
        render_template(
            "review/response.html",
            response=response,
            questionnaire=questionnaire,
            lang=lang,
            languages=languages_of(questionnaire),
            sections=sections,
            previous=previous,
            last_return=last_return,
            can_review=can_review(current_user),
            field_name=question_field_name,
            status_word=status_word,
            error=error,
            **context,
        ),
        status,
    )


@bp.get("/cycles/<cycle>/responses/<organisation>")
def response(cycle: str, organisation: str) -> ResponseReturnValue:
    return _render_response(_visible_response(cycle, organisation))


def _act(cycle: str, organisation: str, action: str) -> ResponseReturnValue:
    found = _visible_response(cycle, organisation)
    if not can_review(current_user):
        abort(403)
    form: ReviewForm
    if action == "return":
        form = return_form_class(questionnaire_of(found))()
    elif action == "reopen":
        form = ReopenForm()
    else:
        form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    if form.version.data != found.version:
        return _refused(
            found,
            _(
                "This response changed since you opened it (it is now %(status)s, version "
                "%(version)d): nothing was done. Look at it again before acting.",
                status=status_word(found.status),
                version=found.version,
            ),
        )
    comment = getattr(form, "comment", None)
    try:
        if action == "reopen":
            reopen(found, current_user, comment.data if comment is not None else None)
        else:
            review(
                found,
                current_user,
                action,
                comment.data if comment is not None else None,
                form.question_comments() if isinstance(form, ReturnForm) else None,
            )
    except Invalid as invalid:
        # A return without any reason: the page again, with what the reviewer typed.
        db.session.rollback()
        return _render_response(found, invalid.status, return_form=form, error=explain(invalid))
    except ServiceError as refused:
        db.session.rollback()
        return _refused(found, explain(refused), refused.status)
    db.session.commit()
    messages = {
        "accept": _("The response is accepted."),
        "return": _("The response is returned to the organisation with your comments."),
        "reopen": _("The response is open again for the organisation to edit."),
    }
    flash(messages[action], "success")
    return redirect(url_for("review.response", cycle=cycle, organisation=organisation))


def _refused(response: Response, message: str, status: int = 409) -> ResponseReturnValue:
    db.session.refresh(response)
    return (
        render_template(
            "review/refused.html", response=response, message=message, status_word=status_word
        ),
        status,
    )


@bp.post("/cycles/<cycle>/responses/<organisation>/accept")
def accept(cycle: str, organisation: str) -> ResponseReturnValue:
    return _act(cycle, organisation, "accept")


@bp.post("/cycles/<cycle>/responses/<organisation>/return")
def return_(cycle: str, organisation: str) -> ResponseReturnValue:
    return _act(cycle, organisation, "return")


@bp.post("/cycles/<cycle>/responses/<organisation>/reopen")
def reopen_(cycle: str, organisation: str) -> ResponseReturnValue:
    return _act(cycle, organisation, "reopen")


@bp.get("/cycles/<cycle>/responses/<organisation>/history")
def history(cycle: str, organisation: str) -> ResponseReturnValue:
    found = _visible_response(cycle, organisation)
    questionnaire = questionnaire_of(found)
    lang = pick_language(questionnaire)
    comments: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in db.session.scalars(
        select(ReviewComment)
        .where(ReviewComment.response_id == found.id)
        .order_by(ReviewComment.id)
    ):
        comments[comment.revision_number].append(comment)
    authors = {
        user.id: user.email
        for user in db.session.scalars(
            select(User).where(User.id.in_({c.author_id for cs in comments.values() for c in cs}))
        )
    }
    # The "changed by X at T" timeline of each answer, in definition order.
    timeline: dict[str, list[tuple[Any, dict[str, Any]]]] = defaultdict(list)
    for revision in found.revisions:
        for change in revision.changes:
            timeline[change["path"]].append((revision, change))
    order = [f"/{q.id}" for q in questionnaire.walk() if q.parent is None]
    paths = [p for p in order if p in timeline] + [p for p in timeline if p not in order]
    labels = {
        f"/{q.id}": questionnaire.text(q.label, lang)
        for q in questionnaire.walk()
        if q.parent is None
    }
    return render_template(
        "review/history.html",
        response=found,
        revisions=found.revisions,
        comments=comments,
        authors=authors,
        timeline=timeline,
        paths=paths,
        labels=labels,
        change_text=change_text,
        status_word=status_word,
        revision_sentence=revision_sentence,
        changed_by=changed_by,
    )


@bp.get("/cycles/<cycle>/indicators")
def indicators(cycle: str) -> ResponseReturnValue:
    if not can_see_board(current_user):
        abort(403)
    found = _cycle_or_404(cycle)
    questionnaire = model_of(found.questionnaire_version)
    lang = pick_language(questionnaire)
    rows = db.session.execute(
        select(Response.status, Response.answers).where(Response.cycle_id == found.id)
    ).all()
    answers = counted((status, stored) for status, stored in rows)
    values = by_pillar(compute_indicators(questionnaire, answers))
    return render_template(
        "review/indicators.html",
        cycle=found,
        questionnaire=questionnaire,
        lang=lang,
        languages=languages_of(questionnaire),
        values=values,
        pillars=PILLARS,
        counted=len(answers),
    )
