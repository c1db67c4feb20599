"""Validate a response: `draft` (types, ranges, choices, hidden answers) or `submit` (everything).

One error shape everywhere: `{path: JSON pointer, question: id, message}`, in definition order,
at most one per answer, messages in the questionnaire's language.

Speed: a compiled jsonschema-rs validator checks everything the schema can say; when it accepts,
only the rules it cannot say (constraints, date bounds, conditions outside the schema,
calculated values) run, from a plan made once per questionnaire version. Only a response with a
problem takes the full path that explains each problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from engine.compiler import compile_schema, translated_conditions
from engine.expressions import truthy
from engine.expressions.clock import today as clock_today
from engine.messages import render
from engine.model import Expression, Question, Questionnaire
from engine.types import Issue, Mode, Path
from engine.types.base import has_control_characters

ENVELOPE_KEYS = frozenset(
    {"answers", "justifications", "confidential", "unconfirmed", "status", "version"}
    | {"questionnaire_version", "questionnaire", "cycle", "organisation"}
)


@dataclass(frozen=True)
class AnswerError:
    """One problem, ready for the API, the CLI and the form."""

    path: str
    question: str
    message: str
    severity: str = "error"
    code: str = ""

    def as_dict(self) -> dict[str, str]:
        data = {"path": self.path, "question": self.question, "message": self.message}
        if self.severity != "error":
            data["severity"] = self.severity
        return data


@dataclass
class ValidationResult:
    errors: list[AnswerError] = field(default_factory=list)
    warnings: list[AnswerError] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    """The answers as they are stored: calculated values computed, numbers normalised."""
    justified: frozenset[str] = frozenset()

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def unjustified_warnings(self) -> list[AnswerError]:
        return [w for w in self.warnings if w.path not in self.justified]

    @property
    def submittable(self) -> bool:
        """Valid, and every warning justified (SPEC §8: an unjustified warning blocks submission)."""
        return self.valid and not self.unjustified_warnings


def pointer(path: Path) -> str:
    """RFC 6901 JSON pointer of a path."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def split_envelope(data: Any, questionnaire: Questionnaire) -> tuple[Any, dict[str, str]]:
    """`(answers, justifications)` from a bare answers object or an envelope `{"answers": ...}`."""
    if (
        isinstance(data, dict)
        and isinstance(data.get("answers"), dict)
        and set(data) <= ENVELOPE_KEYS
        and "answers" not in questionnaire.by_id
    ):
        justifications = data.get("justifications")
        return data["answers"], justifications if isinstance(justifications, dict) else {}
    return data, {}


class _Run:
    """One validation: collects issues keyed by definition order, then renders them."""

    def __init__(self, validator: Validator, mode: Mode, today: str) -> None:
        self.validator = validator
        self.mode = mode
        self.today = today
        self.errors: list[tuple[int, int, Issue, Question | None, str]] = []
        self.warnings: list[tuple[int, int, Issue, Question | None, str]] = []
        self.tainted: set[str] = set()
        self.value_issues: dict[str, list[Issue]] = {}

    def error(self, order: int, issue: Issue, question: Question | None, name: str) -> None:
        self.errors.append((order, len(self.errors), issue, question, name))

    def warn(self, order: int, issue: Issue, question: Question | None, name: str) -> None:
        self.warnings.append((order, len(self.warnings), issue, question, name))


class Validator:
    """Validation of one questionnaire version; build once (see `validator_for`), use often."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.schemas = {mode: compile_schema(questionnaire, mode) for mode in ("draft", "submit")}
        self._fast = {
            mode: jsonschema_rs.validator_for(schema, validate_formats=True)
            for mode, schema in self.schemas.items()
        }
        self.order = {q.id: i for i, q in enumerate(questionnaire.walk())}
        top = {q.id: q for q in questionnaire.questions if q.takes_answer}
        self._top = top
        self._calculated_keys = [q.id for q in questionnaire.questions if q.type == "calculated"]
        self._plan = _evaluation_order(questionnaire)
        self._residual = self._residual_plan()

    # -- public -------------------------------------------------------------------------------

    def validate(
        self,
        answers: Any,
        mode: Mode = "submit",
        lang: str | None = None,
        justifications: Mapping[str, str] | None = None,
        today: str | None = None,
    ) -> ValidationResult:
        today = today or clock_today()
        lang = lang if lang in self.questionnaire.languages else self.questionnaire.default_language
        justified = frozenset(justifications or ())
        if not isinstance(answers, dict):
            issue = Issue((), "response_object")
            return ValidationResult(
                [AnswerError("", "", render(issue.code, {}, lang), code=issue.code)],
                justified=justified,
            )
        stripped = self._without_calculated(answers)
        if self._fast[mode].is_valid(stripped):
            run = _Run(self, mode, today)
            env = self._environment(stripped, run, trusted=True)
            self._residual_rules(stripped, env, run)
            if not run.errors:
                return self._result(run, env, stripped, lang, justified)
        run = _Run(self, mode, today)
        env = self._environment(stripped, run, trusted=False)
        self._all_rules(stripped, env, run)
        return self._result(run, env, stripped, lang, justified)

    # -- shared steps -------------------------------------------------------------------------

    def _without_calculated(self, answers: dict[str, Any]) -> dict[str, Any]:
        """A client's calculated values are ignored (SPEC §8); repeat items are handled later."""
        if not any(key in answers for key in self._calculated_keys):
            return answers
        return {k: v for k, v in answers.items() if k not in self._calculated_keys}

    def _environment(self, answers: dict[str, Any], run: _Run, *, trusted: bool) -> dict[str, Any]:
        """Values expressions see: valid answers of shown questions, calculated values computed."""
        if trusted:
            env = dict(answers)
        else:
            env = {}
            for question in self.questionnaire.questions:
                if question.id in answers and question.takes_answer:
                    issues = self._value_issues(question, answers[question.id], run)
                    run.value_issues[question.id] = issues
                    if issues:
                        run.tainted.add(question.id)
                    else:
                        env[question.id] = answers[question.id]
        for question in self._plan:
            if question.when is not None and question.id not in run.tainted:
                if question.when.names & run.tainted:
                    run.tainted.add(question.id)  # visibility unknown: no cascade of errors
                elif not truthy(question.when(env)):
                    env.pop(question.id, None)
                    env[_HIDDEN + question.id] = True
                    continue
            if question.type == "calculated":
                self._calculate(question, env, run)
            elif question.type == "repeat" and question.id in env:
                env[question.id] = self._items(question, env, run)
        return env

    def _calculate(self, question: Question, env: dict[str, Any], run: _Run) -> None:
        assert question.expression is not None
        if question.expression.names & run.tainted:
            run.tainted.add(question.id)
            return
        value = question.expression(env)
        if value is None:
            env.pop(question.id, None)
        else:
            env[question.id] = value

    def _items(self, repeat: Question, env: dict[str, Any], run: _Run) -> list[dict[str, Any]]:
        """Repeat items as expressions see them (for `count`, `sum` and the item rules)."""
        return [
            self._item_scope(repeat, item, env, run).local if isinstance(item, dict) else {}
            for item in env[repeat.id]
        ]

    def _item_scope(
        self, repeat: Question, item: dict[str, Any], env: Mapping[str, Any], run: _Run
    ) -> _ItemScope:
        """One item's values: valid member answers, hidden ones dropped, calculated computed."""
        local = {
            m.id: item[m.id]
            for m in repeat.questions
            if m.id in item
            and m.takes_answer
            and m.type != "calculated"
            and (
                repeat.id not in run.tainted or not list(m.kind.check(m, item[m.id], (), run.today))
            )
        }
        scope = _ItemScope(local, env)
        for member in repeat.questions:
            if member.when is not None and not truthy(member.when(scope)):
                local.pop(member.id, None)
                local[_HIDDEN + member.id] = True
            elif member.type == "calculated" and member.expression is not None:
                value = member.expression(scope)
                if value is None:
                    local.pop(member.id, None)
                else:
                    local[member.id] = value
        return scope

    # -- fast path: the rules the schema cannot say ------------------------------------------

    def _residual_plan(self) -> list[tuple[Question, bool, bool]]:
        """(question, check its when, check its required) for rules outside the schema."""
        plan = []
        for question in self.questionnaire.questions:
            if not question.takes_answer or question.type == "calculated":
                continue
            when_done, required_done = translated_conditions(question, self._top)
            needs = (
                not when_done
                or not required_done
                or question.constraint is not None
                or (question.type == "date" and (question.min or question.max))
                or question.type == "repeat"
                or _completeness_outside_schema(question)
            )
            if needs:
                plan.append((question, not when_done, not required_done))
        return plan

    def _residual_rules(self, answers: dict[str, Any], env: dict[str, Any], run: _Run) -> None:
        for question, check_when, check_required in self._residual:
            self._question_rules(
                question,
                answers,
                env,
                run,
                trusted=True,
                check_when=check_when,
                check_required=check_required,
            )

    # -- full path ------------------------------------------------------------------------------

    def _all_rules(self, answers: dict[str, Any], env: dict[str, Any], run: _Run) -> None:
        for question in self.questionnaire.questions:
            self._question_rules(question, answers, env, run, trusted=False)
        known = set(self._top) | {q.other_key for q in self._top.values() if q.other}
        known.update(self._calculated_keys)
        for key in answers:
            if key not in known:
                note = self.questionnaire.by_id.get(key)
                code = (
                    "note_answered" if note is not None and note.type == "note" else "unknown_key"
                )
                run.error(len(self.order), Issue((key,), code), note, key)

    def _value_issues(self, question: Question, value: Any, run: _Run) -> list[Issue]:
        issues = list(question.kind.check(question, value, (question.id,), run.today))
        if question.type == "repeat" and not issues:
            for index, item in enumerate(value):
                issues += self._item_value_issues(question, item, (question.id, index), run)
        return issues

    def _item_value_issues(
        self, repeat: Question, item: dict, path: Path, run: _Run
    ) -> list[Issue]:
        issues = []
        for member in repeat.questions:
            if member.id in item and member.takes_answer and member.type != "calculated":
                issues += member.kind.check(member, item[member.id], (*path, member.id), run.today)
        return issues

    def _question_rules(
        self,
        question: Question,
        answers: dict[str, Any],
        env: dict[str, Any],
        run: _Run,
        *,
        trusted: bool,
        check_when: bool = True,
        check_required: bool = True,
    ) -> None:
        """Every rule of one top-level question, in order; `trusted` skips what the schema did."""
        if not question.takes_answer or question.type == "calculated":
            return
        order = self.order[question.id]
        present = question.id in answers
        hidden = _HIDDEN + question.id in env
        if question.id in run.tainted and not present:
            return
        if hidden:
            if present and check_when:
                run.error(order, Issue((question.id,), "hidden"), question, question.id)
            if question.other and question.other_key in answers and not trusted:
                run.error(order, Issue((question.other_key,), "hidden"), question, question.id)
            return
        if not present:
            if run.mode == "submit" and check_required and self._required(question, env, run):
                run.error(order, Issue((question.id,), "required"), question, question.id)
            return
        value = answers[question.id]
        if not trusted:
            issues = run.value_issues.get(question.id, [])
            if issues:
                for issue in issues:
                    run.error(order, issue, question, _question_at(issue.path, question))
                if question.type == "repeat" and isinstance(value, list):
                    self._item_rules(question, value, env, run, trusted=False)
                return
            if run.mode == "submit":
                needed = self._required(question, env, run)
                if issue := question.kind.incomplete(question, value, (question.id,), needed):
                    run.error(order, issue, question, question.id)
                    return
            if question.other:
                self._other_rules(question, answers, order, run)
        elif question.type == "date":
            for issue in question.kind.check(question, value, (question.id,), run.today):
                run.error(order, issue, question, question.id)
                return
        elif run.mode == "submit" and _completeness_outside_schema(question):
            # Completeness under a `required` expression is not in the schema.
            needed = self._required(question, env, run)
            if issue := question.kind.incomplete(question, value, (question.id,), needed):
                run.error(order, issue, question, question.id)
                return
        self._constraint(question, value, env, (question.id,), order, run)
        if question.type == "repeat":
            self._item_rules(question, value, env, run, trusted=trusted)

    def _required(self, question: Question, env: Mapping[str, Any], run: _Run) -> bool:
        if isinstance(question.required, bool):
            return question.required
        if question.required.names & run.tainted:
            return False
        return truthy(question.required(env))

    def _other_rules(
        self, question: Question, answers: dict[str, Any], order: int, run: _Run
    ) -> None:
        key = question.other_key
        chosen = answers.get(question.id) == "other"
        if key in answers:
            text = answers[key]
            if not chosen:
                run.error(order, Issue((key,), "other_forbidden"), question, question.id)
            elif (
                not isinstance(text, str)
                or not text
                or len(text) > 500
                or has_control_characters(text)
            ):
                run.error(order, Issue((key,), "other_text"), question, question.id)
        elif chosen and run.mode == "submit":
            run.error(order, Issue((key,), "other_required"), question, question.id)

    def _constraint(
        self,
        question: Question,
        value: Any,
        scope: Mapping[str, Any],
        path: Path,
        order: int,
        run: _Run,
    ) -> None:
        constraint = question.constraint
        if constraint is None or constraint.names & run.tainted:
            return
        if truthy(constraint(_WithValue(scope, value))):
            return
        issue = Issue(path, "constraint", {"rule": constraint.source})
        name = question.id
        if question.severity == "warning":
            run.warn(order, issue, question, name)
        else:
            run.error(order, issue, question, name)

    def _item_rules(
        self, repeat: Question, items: Any, env: dict[str, Any], run: _Run, *, trusted: bool
    ) -> None:
        computed = env.get(repeat.id) if repeat.id not in run.tainted else None
        members = {m.id for m in repeat.questions if m.takes_answer and m.type != "calculated"}
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            if computed is not None and index < len(computed):
                scope = _ItemScope(computed[index], env)
            else:
                scope = self._item_scope(repeat, item, env, run)
            path = (repeat.id, index)
            for member in repeat.questions:
                if member.id not in members:
                    continue
                order = self.order[member.id]
                member_path = (*path, member.id)
                if _HIDDEN + member.id in scope.local:
                    if member.id in item:
                        run.error(order, Issue(member_path, "hidden"), member, member.id)
                    continue
                if member.id not in item:
                    if run.mode == "submit" and self._required(member, scope, run):
                        run.error(order, Issue(member_path, "required"), member, member.id)
                    continue
                if not trusted or member.type == "date":
                    issues = list(
                        member.kind.check(member, item[member.id], member_path, run.today)
                    )
                    if issues:
                        if trusted:  # date bounds are not in the schema
                            run.error(order, issues[0], member, member.id)
                        continue  # otherwise reported with the repeat's value issues
                self._constraint(member, item[member.id], scope, member_path, order, run)
            if not trusted:
                for key in item:
                    if key not in members and key not in {m.id for m in repeat.questions}:
                        run.error(
                            self.order[repeat.id], Issue((*path, key), "unknown_key"), repeat, key
                        )

    # -- result ---------------------------------------------------------------------------------

    def _result(
        self,
        run: _Run,
        env: dict[str, Any],
        answers: dict[str, Any],
        lang: str,
        justified: frozenset[str],
    ) -> ValidationResult:
        errors = [self._render(e, lang, "error") for e in sorted(run.errors, key=_position)]
        failed = {e.path for e in errors}
        warnings = [
            self._render(w, lang, "warning")
            for w in sorted(run.warnings, key=_position)
            if pointer(w[2].path) not in failed
        ]
        return ValidationResult(
            errors, warnings, self._stored(answers, env) if not errors else {}, justified
        )

    def _render(
        self, entry: tuple[int, int, Issue, Question | None, str], lang: str, severity: str
    ) -> AnswerError:
        _order, _seq, issue, question, name = entry
        if issue.code == "constraint" and question is not None and question.constraint_message:
            message = self.questionnaire.text(question.constraint_message, lang)
        else:
            message = render(issue.code, issue.params, lang)
        return AnswerError(pointer(issue.path), name, message, severity, issue.code)

    def _stored(self, answers: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
        """Valid answers as stored: normalised, calculated values from the engine."""
        stored: dict[str, Any] = {}
        for question in self.questionnaire.questions:
            key = question.id
            if question.type == "calculated":
                if key in env:
                    stored[key] = env[key]
            elif key in answers:
                stored[key] = _normalise(question, answers[key], env)
                if question.other and question.other_key in answers:
                    stored[question.other_key] = answers[question.other_key]
        return stored


_HIDDEN = "\x00hidden:"


def _completeness_outside_schema(question: Question) -> bool:
    """Every row, cell or an item under a `required` expression: the schema only says present."""
    return not isinstance(question.required, bool) and question.type in ("matrix", "grid", "repeat")


def _position(entry: tuple[int, int, Issue, Question | None, str]) -> tuple[int, int]:
    return entry[0], entry[1]


def _question_at(path: Path, question: Question) -> str:
    """The id of the question an issue is about: a repeat member when the path goes inside."""
    if question.type == "repeat" and len(path) >= 3 and isinstance(path[2], str):
        return path[2]
    return question.id


def _normalise(question: Question, value: Any, env: Mapping[str, Any]) -> Any:
    if question.type == "repeat":
        computed = env.get(question.id) or []
        items = []
        for index, item in enumerate(value):
            local = computed[index] if index < len(computed) else {}
            stored = {}
            for member in question.questions:
                if member.type == "calculated":
                    if member.id in local:
                        stored[member.id] = local[member.id]
                elif member.id in item:
                    stored[member.id] = member.kind.normalise(member, item[member.id])
            items.append(stored)
        return items
    return question.kind.normalise(question, value)


class _ItemScope(Mapping[str, Any]):
    """Inside a repeat a name means the sibling field first, then the top-level question."""

    def __init__(self, local: dict[str, Any], outer: Mapping[str, Any]) -> None:
        self.local = local
        self.outer = outer

    def __getitem__(self, key: str) -> Any:
        if key in self.local:
            return self.local[key]
        return self.outer[key]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.local.get(key, _MISSING)
        return self.outer.get(key, default) if value is _MISSING else value

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter({**self.outer, **self.local})

    def __len__(self) -> int:
        return len({**self.outer, **self.local})


class _WithValue(Mapping[str, Any]):
    """The environment of a constraint: `value` is the answer being constrained."""

    def __init__(self, scope: Mapping[str, Any], value: Any) -> None:
        self.scope = scope
        self.value = value

    def __getitem__(self, key: str) -> Any:
        return self.value if key == "value" else self.scope[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.value if key == "value" else self.scope.get(key, default)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.scope)

    def __len__(self) -> int:
        return len(self.scope)


_MISSING = object()


def _evaluation_order(questionnaire: Questionnaire) -> list[Question]:
    """Top-level questions with a `when`, a computed value or items, dependencies first."""
    top = {q.id: q for q in questionnaire.questions}
    relevant = [q for q in questionnaire.questions if q.when or q.type in ("calculated", "repeat")]

    def needs(question: Question) -> set[str]:
        names: set[str] = set()
        expressions: list[Expression | None] = [question.when, question.expression]
        for member in question.questions:
            expressions += [member.when, member.expression]
        for expression in expressions:
            if expression is not None:
                names |= expression.names
        return {n for n in names if n in top and n != question.id}

    ordered: list[Question] = []
    placed: set[str] = set()
    pending = list(relevant)
    relevant_ids = {q.id for q in relevant}
    while pending:
        progress = False
        for question in list(pending):
            if all(n in placed or n not in relevant_ids for n in needs(question)):
                ordered.append(question)
                placed.add(question.id)
                pending.remove(question)
                progress = True
        if not progress:  # a cycle the checker allowed through a repeat: keep definition order
            ordered += pending
            break
    return ordered


_VALIDATORS: dict[tuple[str, int, str], Validator] = {}
_CACHE_SIZE = 64


def validator_for(questionnaire: Questionnaire) -> Validator:
    """The compiled validator of a questionnaire version, cached per (id, version, source)."""
    key = (
        questionnaire.id,
        questionnaire.version,
        questionnaire.source_hash or str(id(questionnaire)),
    )
    validator = _VALIDATORS.get(key)
    if validator is None:
        if len(_VALIDATORS) >= _CACHE_SIZE:
            _VALIDATORS.pop(next(iter(_VALIDATORS)))
        validator = _VALIDATORS[key] = Validator(questionnaire)
    return validator


def validate(
    questionnaire: Questionnaire,
    answers: Any,
    mode: Mode = "submit",
    lang: str | None = None,
    justifications: Mapping[str, str] | None = None,
) -> ValidationResult:
    return validator_for(questionnaire).validate(answers, mode, lang, justifications)
