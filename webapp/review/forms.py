"""Forms of the review page: accept, return with comments, reopen.

Each form carries only what the reviewer writes and the response version the page showed (so a
review of a response that changed meanwhile is refused, A6); the response is the route's.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from engine.model import Questionnaire

MAX_COMMENT = 5000


class ReviewForm(FlaskForm):
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class AcceptForm(ReviewForm):
    pass


class ReopenForm(ReviewForm):
    comment = TextAreaField(
        _l("Reason for reopening"), validators=[Optional(), Length(max=MAX_COMMENT)]
    )


class ReturnForm(ReviewForm):
    comment = TextAreaField(
        _l("Reason for returning"), validators=[Optional(), Length(max=MAX_COMMENT)]
    )
    """Required by the service unless per-question comments say why."""

    question_fields: dict[str, str]
    """Field name -> answer path of the per-question comments."""

    def question_comments(self) -> dict[str, str]:
        comments = {}
        for name, path in self.question_fields.items():
            text = (self[name].data or "").strip()
            if text:
                comments[path] = text
        return comments


def question_field_name(question_id: str) -> str:
    return f"qc_{question_id}"


def return_form_class(questionnaire: Questionnaire) -> type[ReturnForm]:
    """A ReturnForm with one optional comment per answer-taking top-level question."""
    fields = {
        question_field_name(q.id): f"/{q.id}" for q in questionnaire.questions if q.takes_answer
    }
    attributes = {
        name: TextAreaField(validators=[Optional(), Length(max=MAX_COMMENT)]) for name in fields
    }
    attributes["question_fields"] = fields
    return type("QuestionnaireReturnForm", (ReturnForm,), attributes)
