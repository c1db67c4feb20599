"""`drop_hidden` lets the engine's draft validation find the answers of questions not asked.

It used to work them out first with the form's own plan (`compute`), then validate; it now only
does that when some typed value could not be read. Property: on random definitions and random
answers (junk included), both ways keep the same answers, drop the same ones and give the same
verdict.
"""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.model import Questionnaire
from engine.validation import validator_for
from tests.engine.test_validation_properties import _checked, _responses, definitions
from webapp.forms.logic import _drop_members, _remove, compute, drop_hidden


def _plan_first(questionnaire: Questionnaire, answers: dict[str, Any]) -> tuple[Any, ...]:
    """The previous algorithm, as the reference: the plan drops, then the engine's leftovers."""
    kept = dict(answers)
    dropped: list[str] = []
    logic = compute(questionnaire, kept)
    for question in questionnaire.questions:
        if question.id in logic.hidden:
            for key in (question.id, question.other_key):
                if key in kept:
                    kept.pop(key)
                    dropped.append(f"/{key}")
        elif question.type == "repeat" and isinstance(kept.get(question.id), list):
            kept[question.id] = _drop_members(question, kept[question.id], logic, dropped)
    validator = validator_for(questionnaire)
    result = validator.validate(kept, "draft")
    while stale := [e.path for e in result.errors if e.code == "hidden"]:
        removed = [path for path in stale if _remove(kept, path)]
        if not removed:
            break
        dropped += removed
        result = validator.validate(kept, "draft")
    return kept, sorted(dropped), [e.as_dict() for e in result.errors]


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(st.data())
def test_the_engine_alone_drops_what_the_plan_dropped(data: st.DataObject) -> None:
    built = data.draw(definitions(most=6))
    questionnaire = _checked(built)
    answers = data.draw(_responses(built))
    # A page has no input for a note, and stored answers passed validation: none is posted.
    notes = {q.id for q in questionnaire.walk() if q.type == "note"}
    answers = {k: v for k, v in answers.items() if k not in notes}
    posted = copy.deepcopy(answers)
    kept = drop_hidden(questionnaire, answers)
    assert (kept.answers, sorted(kept.dropped), [e.as_dict() for e in kept.result.errors]) == (
        _plan_first(questionnaire, answers)
    )
    assert answers == posted  # what was posted is never changed in place


def test_unreadable_values_keep_what_depends_on_them_shown() -> None:
    """A value the form could not read is unknown, not unanswered: the questions it controls
    stay shown in the page's logic (so their own typing errors are still reported), while the
    engine, which never saw the value, decides what is stored."""
    from engine.checker import check_source

    source = """
id: t
version: 1
title: {en: T}
sections:
  - id: s
    pillar: rule_of_law
    title: {en: S}
    questions:
      - {id: n, type: integer, label: {en: N}}
      - {id: detail, type: text, label: {en: Detail}, when: "n > 3"}
"""
    questionnaire = check_source(source).questionnaire
    assert questionnaire is not None
    detail = questionnaire.by_id["detail"]
    typed = {"detail": "kept"}  # `n` was typed as "abc": unreadable
    unread = drop_hidden(questionnaire, typed, unknown={"n"})
    assert not unread.logic.is_hidden(detail)
    unanswered = drop_hidden(questionnaire, typed)
    assert unanswered.logic.is_hidden(detail)
    assert (unanswered.answers, unanswered.dropped) == ({}, ["/detail"])
