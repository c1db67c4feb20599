"""Skip logic and calculated values of a form, decided the way the engine decides them.

The engine (`engine.validation`) builds the values expressions see: valid answers only (an
invalid answer, or one the form could not read, is *unknown*: whatever depends on it keeps being
shown, so one bad value never hides a question), then questions with a `when`, a calculated
value or repeat items in dependency order, a hidden question becoming null for everyone else,
and inside a repeat a name meaning the sibling first. `compute` reproduces that for pages (which
questions to draw hidden, what a calculated question shows) and `client_plan` gives the same
plan to `static/js/skip-logic.js`, which repeats it in the browser as people type.

The server stays authoritative: `drop_hidden` removes answers of hidden questions before a save,
and anything the engine still reports as hidden is removed too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from engine.expressions import to_json, truthy
from engine.expressions.clock import today as clock_today
from engine.model import Expression, Question, Questionnaire
from engine.scopes import ItemScope, evaluation_order
from engine.types import SchemaOptions
from engine.types.dates import resolve_bound
from engine.validation import ValidationResult, validator_for

Path = tuple[str | int, ...]


@dataclass
class Logic:
    """What the expressions say for one set of answers."""

    hidden: set[str] = field(default_factory=set)
    """Top-level questions not asked."""
    item_hidden: dict[str, list[set[str]]] = field(default_factory=dict)
    """Per repeat, per item: the members not asked in that item."""
    env: dict[str, Any] = field(default_factory=dict)
    """Values expressions see at top level, calculated values included."""
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Per repeat, per item: the values expressions see in that item (calculated included)."""
    tainted: set[str] = field(default_factory=set)

    def is_hidden(self, question: Question, index: int | None = None) -> bool:
        if question.parent is None or index is None:
            return question.id in self.hidden
        hidden = self.item_hidden.get(question.parent) or []
        return question.parent in self.hidden or (
            index < len(hidden) and question.id in hidden[index]
        )

    def value(self, question: Question, index: int | None = None) -> Any:
        """The value a calculated (or any) question has now."""
        if question.parent is None or index is None:
            return self.env.get(question.id)
        items = self.items.get(question.parent) or []
        return items[index].get(question.id) if index < len(items) else None


# -- the plan ---------------------------------------------------------------------------------


def _expressions(question: Question) -> list[Expression]:
    found = [e for e in (question.when, question.expression) if e is not None]
    for member in question.questions:
        found += [e for e in (member.when, member.expression) if e is not None]
    return found


@dataclass(frozen=True)
class _Plan:
    top: tuple[Question, ...]
    members: Mapping[str, tuple[Question, ...]]


@lru_cache(maxsize=128)
def _plan(questionnaire: Questionnaire) -> _Plan:
    return _Plan(
        tuple(evaluation_order(questionnaire.questions)),
        {
            q.id: tuple(evaluation_order(q.questions, members=True))
            for q in questionnaire.questions
            if q.type == "repeat"
        },
    )


# -- evaluation ---------------------------------------------------------------------------------


def _issues(question: Question, value: Any, today: str) -> bool:
    return any(True for _ in question.kind.check(question, value, (question.id,), today))


def compute(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    unknown: Iterable[str] = (),
    today: str | None = None,
) -> Logic:
    """Visibility and calculated values for `answers` (top-level answers keyed by id).

    `unknown` names questions whose typed value could not be read (treated like invalid answers).
    """
    today = today or clock_today()
    plan = _plan(questionnaire)
    logic = Logic(tainted=set(unknown))
    env = logic.env
    bad_members: dict[str, list[set[str]]] = {}
    for question in questionnaire.questions:
        if not question.takes_answer or question.type == "calculated" or question.id not in answers:
            continue
        value = answers[question.id]
        invalid = _issues(question, value, today)
        if question.type == "repeat" and isinstance(value, list):
            bad_members[question.id] = [_bad_members(question, item, today) for item in value]
            invalid = invalid or any(bad_members[question.id])
        if invalid or question.id in logic.tainted:
            logic.tainted.add(question.id)
        else:
            env[question.id] = value
    for question in plan.top:
        if question.when is not None:
            if question.when.names & logic.tainted:
                logic.tainted.add(question.id)
            elif not truthy(question.when(env)):
                env.pop(question.id, None)
                logic.hidden.add(question.id)
                logic.tainted.discard(question.id)
                continue
        if question.type == "calculated":
            _calculate(question, env, logic.tainted, env)
        elif question.type == "repeat":
            items = answers.get(question.id)
            if isinstance(items, list):
                locals_ = _items(question, items, env, logic, plan, bad_members, today)
                if question.id in env:
                    env[question.id] = locals_
    return logic


def _bad_members(repeat: Question, item: Any, today: str) -> set[str]:
    if not isinstance(item, Mapping):
        return set()
    return {
        m.id
        for m in repeat.questions
        if m.takes_answer
        and m.type != "calculated"
        and m.id in item
        and _issues(m, item[m.id], today)
    }


def _calculate(
    question: Question, scope: Mapping[str, Any], tainted: set[str], into: dict[str, Any]
) -> None:
    assert question.expression is not None
    if question.expression.names & tainted:
        tainted.add(question.id)
        return
    value = question.expression(scope)
    if value is None:
        into.pop(question.id, None)
    else:
        into[question.id] = value


def _items(
    repeat: Question,
    items: list[Any],
    env: Mapping[str, Any],
    logic: Logic,
    plan: _Plan,
    bad_members: Mapping[str, list[set[str]]],
    today: str,
) -> list[dict[str, Any]]:
    locals_: list[dict[str, Any]] = []
    hidden_per_item: list[set[str]] = []
    for index, item in enumerate(items):
        item = item if isinstance(item, Mapping) else {}
        invalid = (
            bad_members.get(repeat.id, [])[index]
            if index < len(bad_members.get(repeat.id, []))
            else set()
        )
        local = {
            m.id: item[m.id]
            for m in repeat.questions
            if m.id in item and m.takes_answer and m.type != "calculated" and m.id not in invalid
        }
        scope = ItemScope(local, env)
        tainted = set(invalid) | logic.tainted
        hidden: set[str] = set()
        for member in plan.members.get(repeat.id, ()):
            if member.when is not None:
                if member.when.names & tainted:
                    tainted.add(member.id)
                    continue
                if not truthy(member.when(scope)):
                    local.pop(member.id, None)
                    hidden.add(member.id)
                    tainted.discard(member.id)
                    continue
            if member.type == "calculated" and member.expression is not None:
                _calculate(member, scope, tainted, local)
        locals_.append(local)
        hidden_per_item.append(hidden)
    logic.item_hidden[repeat.id] = hidden_per_item
    logic.items[repeat.id] = locals_
    return locals_


# -- hidden answers -------------------------------------------------------------------------------


class Kept:
    """Answers once those of questions not asked are removed (see `drop_hidden`)."""

    def __init__(
        self,
        answers: dict[str, Any],
        dropped: list[str],
        result: ValidationResult,
        logic: Callable[[], Logic],
    ) -> None:
        self.answers = answers
        self.dropped = dropped
        """JSON pointers of the answers removed."""
        self.result = result
        """The engine's draft validation of `answers`, messages in the language asked for."""
        self._logic = logic

    @cached_property
    def logic(self) -> Logic:
        """What the expressions say for the answers as posted (unknown values included); worked
        out only when asked, since a save without typing errors never needs it."""
        return self._logic()


def drop_hidden(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    unknown: Iterable[str] = (),
    lang: str | None = None,
) -> Kept:
    """`answers` without the answers of questions not asked, with the engine's draft verdict.

    The engine decides: its draft validation reports every answer of a question not asked, and
    those are removed until none is left (removing one can hide another). Values the form could
    not read (`unknown`) are not in `answers`, so the engine would read them as unanswered and
    could hide what depends on them: then the form's own plan, which treats them as unknown,
    removes hidden answers first.
    """
    unknown = frozenset(unknown)
    kept = Kept(
        dict(answers), [], ValidationResult(), lambda: compute(questionnaire, answers, unknown)
    )
    if unknown:
        _drop_by_plan(questionnaire, kept)
    validator = validator_for(questionnaire)
    kept.result = validator.validate(kept.answers, "draft", lang)
    while stale := [e.path for e in kept.result.errors if e.code == "hidden"]:
        removed = [path for path in stale if _remove(kept.answers, path)]
        if not removed:
            break
        kept.dropped += removed
        kept.result = validator.validate(kept.answers, "draft", lang)
    return kept


def _drop_by_plan(questionnaire: Questionnaire, kept: Kept) -> None:
    for question in questionnaire.questions:
        if question.id in kept.logic.hidden:
            for key in (question.id, question.other_key):
                if key in kept.answers:
                    kept.answers.pop(key)
                    kept.dropped.append(f"/{key}")
        elif question.type == "repeat" and isinstance(kept.answers.get(question.id), list):
            kept.answers[question.id] = _drop_members(
                question, kept.answers[question.id], kept.logic, kept.dropped
            )


def _drop_members(
    repeat: Question, items: list[Any], logic: Logic, dropped: list[str]
) -> list[Any]:
    hidden = logic.item_hidden.get(repeat.id) or []
    result = []
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and index < len(hidden) and hidden[index]:
            item = dict(item)
            for member in repeat.questions:
                if member.id in hidden[index]:
                    for key in (member.id, member.other_key):
                        if key in item:
                            item.pop(key)
                            dropped.append(f"/{repeat.id}/{index}/{key}")
        result.append(item)
    return result


def _remove(answers: dict[str, Any], pointer: str) -> bool:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    if len(parts) == 1:
        return answers.pop(parts[0], _MISSING) is not _MISSING
    if len(parts) == 3 and isinstance(answers.get(parts[0]), list) and parts[1].isdigit():
        items = list(answers[parts[0]])
        index = int(parts[1])
        if index < len(items) and isinstance(items[index], Mapping) and parts[2] in items[index]:
            items[index] = {k: v for k, v in items[index].items() if k != parts[2]}
            answers[parts[0]] = items
            return True
    return False


_MISSING = object()


# -- the browser's copy -----------------------------------------------------------------------


def client_plan(
    questionnaire: Questionnaire,
    outside: Mapping[str, Any],
    today: str | None = None,
) -> dict[str, Any]:
    """The data block `skip-logic.js` reads: the plan, how to read each answer, other answers.

    `outside` holds the stored answers of questions that are not on the page.
    """
    today = today or clock_today()
    static, referenced = _client_static(questionnaire, today)
    return {**static, "outside": {k: v for k, v in outside.items() if k in referenced}}


@lru_cache(maxsize=64)
def _client_static(
    questionnaire: Questionnaire, today: str
) -> tuple[dict[str, Any], frozenset[str]]:
    """What does not depend on the answers: built once per questionnaire version and day."""
    plan = _plan(questionnaire)
    referenced: set[str] = set()
    for question in plan.top:
        for expression in _expressions(question):
            referenced |= expression.names
    static = {
        "today": today,
        "questions": {q.id: _client_question(q, today) for q in questionnaire.walk()},
        "order": [
            q.id for q in questionnaire.questions if q.takes_answer and q.type != "calculated"
        ],
        "plan": [_client_step(q, plan) for q in plan.top],
    }
    return static, frozenset(referenced)


def _client_step(question: Question, plan: _Plan) -> dict[str, Any]:
    step: dict[str, Any] = {"id": question.id}
    if question.when is not None:
        step["when"] = to_json(question.when.tree)
        step["whenNames"] = sorted(question.when.names)
    if question.expression is not None:
        step["calc"] = to_json(question.expression.tree)
        step["calcNames"] = sorted(question.expression.names)
    if question.type == "repeat":
        step["members"] = [_client_step(m, plan) for m in plan.members.get(question.id, ())]
    return step


def _client_question(question: Question, today: str) -> dict[str, Any]:
    """How the browser tells a valid answer from an invalid one (mirrors the type's `check`)."""
    info: dict[str, Any] = {"type": question.type}
    if question.parent:
        info["parent"] = question.parent
    if question.type in ("text", "textarea", "email", "url"):
        schema = question.kind.value_schema(question, SchemaOptions(mode="draft"))
        patterns = [schema["pattern"]] if "pattern" in schema else []
        patterns += [part["pattern"] for part in schema.get("allOf", []) if "pattern" in part]
        info["patterns"] = patterns
        if question.max_length is not None:
            info["maxLength"] = question.max_length
    elif question.type in ("integer", "decimal", "grid"):
        info["whole"] = question.type == "integer" or question.cell == "integer"
        if question.min is not None:
            info["min"] = question.min
        if question.max is not None:
            info["max"] = question.max
    elif question.type == "date":
        for key in ("min", "max"):
            bound = getattr(question, key)
            if bound is not None:
                info[key] = resolve_bound(bound, today)
    if question.kind.has_choices:
        info["choices"] = list(question.choice_values)
    if question.type == "multiple_choice" and question.max_selected is not None:
        info["maxSelected"] = question.max_selected
    if question.type in ("matrix", "grid"):
        info["rows"] = [row.id for row in question.rows]
    if question.type == "grid":
        info["columns"] = [column.id for column in question.columns]
    if question.type == "repeat":
        info["members"] = [m.id for m in question.questions]
        if question.max_items is not None:
            info["maxItems"] = question.max_items
    return info
