"""C1: any response the published JSON Schema allows (and the engine accepts) goes through the
HTML form unchanged: drawn into inputs, posted back as a browser would, read and merged as a
save does, it is stored as identical JSON, and a form that changes nothing changes nothing."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.checker import check_source
from engine.compiler import compile_schema
from engine.validation import validator_for
from tests.engine.test_validation_properties import (  # the hypothesis-jsonschema adapter
    _hypothesis_jsonschema_compat,
    generated_from,
)
from tests.webapp.test_forms_types import ALL_TYPES, posted, render
from webapp.forms import parse_values, prepare_section, section_form_class
from webapp.forms.builders import keep_stored

__all__ = ["_hypothesis_jsonschema_compat"]

QUESTIONNAIRE = check_source(ALL_TYPES, "all-types.yaml").questionnaire
assert QUESTIONNAIRE is not None
VALIDATOR = validator_for(QUESTIONNAIRE)


def _through_the_form(app: Flask, stored: dict[str, Any]) -> dict[str, Any]:
    """Every section drawn from `stored`, posted back unchanged and merged as a save does."""
    answers = dict(stored)
    with app.test_request_context():
        for section in QUESTIONNAIRE.sections:
            view = prepare_section(QUESTIONNAIRE, section, lang="en", answers=answers)
            form = section_form_class(QUESTIONNAIRE, section)(formdata=posted(render(app, view)))
            parsed = parse_values(section.questions, form.data)
            assert parsed.errors == [], parsed.errors
            keys = {k for q in section.questions for k in (q.id, q.other_key)}
            answers = {k: v for k, v in answers.items() if k not in keys}
            answers.update(keep_stored(section.questions, parsed.answers, stored))
    return answers


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_valid_response_round_trips_through_the_form(app: Flask, data: st.DataObject) -> None:
    instance = data.draw(generated_from(compile_schema(QUESTIONNAIRE, "draft")))
    first = VALIDATOR.validate(instance, "draft")
    if first.errors:
        return  # rules the schema cannot say (date bounds, conditions): the API refuses it too
    stored = first.answers
    again = VALIDATOR.validate(_through_the_form(app, stored), "draft")
    assert again.errors == []
    assert json.dumps(again.answers, sort_keys=True) == json.dumps(stored, sort_keys=True)


def test_awkward_answers_round_trip(app: Flask) -> None:
    """Answers a browser would otherwise alter: line breaks in a one-line text, CR line ends,
    leading spaces, floats with an integral value, options in another order, "none" items."""
    common = {
        "agency": "UN  Office ",
        "summary": "\nstarts with a line break\r\nand CRLF\rand CR",
        "contact": "a@b.org",
        "staff": 0,
        "budget": 2.0,
        "areas": ["low", "high"],
        "priority": "low",
        "cases": {"men": {"convicted": 12}},
    }
    for projects in ([], [{"title": "Two\nlines", "cost": 1e20}, {}]):
        result = VALIDATOR.validate({**common, "projects": projects}, "draft")
        assert result.errors == []
        back = VALIDATOR.validate(_through_the_form(app, result.answers), "draft").answers
        assert json.dumps(back, sort_keys=True) == json.dumps(result.answers, sort_keys=True)
