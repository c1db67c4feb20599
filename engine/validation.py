"""Validate a response: `draft` (types, ranges, choices, hidden answers) or `submit` (everything).

One error shape everywhere: `{path: JSON pointer, question: id, message}`, in definition order,
at most one per answer, messages in the questionnaire's language.

Speed: a compiled jsonschema-rs validator (its linear-time regex engine) checks everything the
schema can say; when it accepts, only the rules it cannot say (constraints, date bounds,
conditions outside the schema, calculated values, repeat items) run, from a plan made once per
questionnaire version. Only a response with a problem takes the full path that explains each
problem; the property tests hold both paths to the same result.

No cascade: an invalid answer counts as unknown for the rules that read it (a `when`, a
`required`, a constraint, a calculated value), so one bad value gives one error (SPEC §8).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema_rs

from engine.compiler import OTHER_MAX_LENGTH, compile_schema, translated_conditions
from engine.expressions import clock, truthy
from engine.messages import render
from engine.model import Question, Questionnaire
from engine.scopes import ItemScope, WithValue, evaluation_order
from engine.types import Issue, Mode, Path
from engine.types.base import END, QuestionType, check_text

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
    mode: Mode | None = None
    """What was checked: `draft` or `submit` (None for a result nobody validated)."""
    questionnaire: Questionnaire | None = field(default=None, repr=False, compare=False)
    """The questionnaire version the answers were checked against."""

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


def linear_schema(schema: Any) -> Any:
    """The schema for the fast path: patterns without the `END` look-ahead, for the linear-time
    `regex` engine of jsonschema-rs (where `$` is the end of the answer). With the look-ahead,
    jsonschema-rs would use a backtracking engine, exponential on an author's `(a|a)*b`."""
    if isinstance(schema, dict):
        return {
            key: (
                value.removesuffix(END[1:])
                if key == "pattern" and isinstance(value, str) and value.endswith(END)
                else linear_schema(value)
            )
            for key, value in schema.items()
        }
    if isinstance(schema, list):
        return [linear_schema(item) for item in schema]
    return schema


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


SortKey = tuple[int, int, int]
"""Where an error is listed: (top-level question, repeat item or -1, member or -1)."""
Entry = tuple[SortKey, int, Issue, "Question | None", str]


class _Run:
    """One validation: collects issues keyed by definition order, then renders them."""

    def __init__(self, mode: Mode, today: str) -> None:
        self.mode = mode
        self.today = today
        self.errors: list[Entry] = []
        self.warnings: list[Entry] = []
        self.invalid: set[str] = set()
        """Top-level answers with a type, range or choice problem (or a bad repeat member)."""
        self.tainted: set[str] = set()
        """Names whose value is unknown (invalid, or shown depending on an invalid answer):
        rules that read them are skipped, so one bad value gives one error, not a cascade."""
        self.value_issues: dict[str, list[Issue]] = {}
        self.member_issues: dict[tuple[str, int, str], list[Issue]] = {}
        self.scopes: dict[str, list[ItemScope | None]] = {}

    def error(self, key: SortKey, issue: Issue, question: Question | None, name: str) -> None:
        self.errors.append((key, len(self.errors), issue, question, name))

    def warn(self, key: SortKey, issue: Issue, question: Question | None, name: str) -> None:
        self.warnings.append((key, len(self.warnings), issue, question, name))


class Validator:
    """Validation of one questionnaire version; build once (see `validator_for`), use often."""

    def __init__(self, questionnaire: Questionnaire) -> None:
        self.questionnaire = questionnaire
        self.schemas = {mode: compile_schema(questionnaire, mode) for mode in ("draft", "submit")}
        self._fast = {
            mode: jsonschema_rs.validator_for(
                linear_schema(schema),
                validate_formats=True,
                pattern_options=jsonschema_rs.RegexOptions(),
            )
            for mode, schema in self.schemas.items()
        }
        self.order = {q.id: i for i, q in enumerate(questionnaire.walk())}
        top = {q.id: q for q in questionnaire.questions if q.takes_answer}
        self._top = top
        self._calculated_keys = [q.id for q in questionnaire.questions if q.type == "calculated"]
        self._plan = evaluation_order(questionnaire.questions)
        self._member_plan = {
            q.id: evaluation_order(q.questions, members=True)
            for q in questionnaire.questions
            if q.type == "repeat"
        }
        self._residual = self._residual_plan()
        self._store_plan = self._storage_plan()

    # -- public -------------------------------------------------------------------------------

    def validate(
        self,
        answers: Any,
        mode: Mode = "submit",
        lang: str | None = None,
        justifications: Mapping[str, str] | None = None,
        today: str | None = None,
    ) -> ValidationResult:
        today = today or clock.today()
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
            run = _Run(mode, today)
            env = self._environment(stripped, run, trusted=True)
            self._residual_rules(stripped, env, run)
            if not run.errors:
                return self._result(run, env, stripped, lang, justified)
        run = _Run(mode, today)
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
                    value = answers[question.id]
                    issues = self._value_issues(question, value, run)
                    run.value_issues[question.id] = issues
                    bad_members = any(key[0] == question.id for key in run.member_issues)
                    if issues or bad_members:
                        run.invalid.add(question.id)
                        run.tainted.add(question.id)
                    else:
                        env[question.id] = value
        for question in self._plan:
            if question.when is not None:
                if question.when.names & run.tainted:
                    run.tainted.add(question.id)  # visibility unknown: no cascade of errors
                elif not truthy(question.when(env)):
                    # Hidden: null for everything else, whatever was sent (reported as hidden).
                    env.pop(question.id, None)
                    env[_HIDDEN + question.id] = True
                    run.tainted.discard(question.id)
                    continue
            if question.type == "calculated":
                self._calculate(question, env, run)
            elif question.type == "repeat" and question.id in env:
                env[question.id] = self._items(question, env[question.id], env, run)
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

    def _items(
        self, repeat: Question, items: list[Any], env: dict[str, Any], run: _Run
    ) -> list[dict[str, Any]]:
        """Repeat items as expressions see them (for `count`, `sum` and the item rules)."""
        scopes = [
            self._item_scope(repeat, index, item, env, run) if isinstance(item, dict) else None
            for index, item in enumerate(items)
        ]
        run.scopes[repeat.id] = scopes
        return [scope.local if scope is not None else {} for scope in scopes]

    def _item_scope(
        self, repeat: Question, index: int, item: dict[str, Any], env: Mapping[str, Any], run: _Run
    ) -> ItemScope:
        """One item's values: valid member answers, hidden ones dropped, calculated computed."""
        invalid = {
            m.id for m in repeat.questions if run.member_issues.get((repeat.id, index, m.id))
        }
        local = {
            m.id: item[m.id]
            for m in repeat.questions
            if m.id in item and m.takes_answer and m.type != "calculated" and m.id not in invalid
        }
        scope = ItemScope(local, env, tainted=invalid | run.tainted)
        for member in self._member_plan[repeat.id]:
            if member.when is not None:
                if member.when.names & scope.tainted:
                    scope.tainted.add(member.id)
                    continue
                if not truthy(member.when(scope)):
                    local.pop(member.id, None)
                    scope.hidden.add(member.id)
                    scope.tainted.discard(member.id)
                    continue
            if member.type == "calculated" and member.expression is not None:
                if member.expression.names & scope.tainted:
                    scope.tainted.add(member.id)
                    continue
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
            if not question.takes_answer:
                continue
            if question.type == "calculated":
                if question.constraint is not None:
                    plan.append((question, False, False))
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
        last = len(self.order)
        for key in answers:
            if key not in known:
                self._unknown(key, (key,), (last, 0, 0), run)

    def _unknown(self, key: str, path: Path, sort: SortKey, run: _Run) -> None:
        note = self.questionnaire.by_id.get(key)
        if note is not None and note.type == "note":
            # A note is in the definition: its error comes at its place.
            place = self.order[key]
            sort = (place, -1, -1) if len(path) == 1 else (sort[0], sort[1], place)
            run.error(sort, Issue(path, "note_answered"), note, key)
        else:
            run.error(sort, Issue(path, "unknown_key"), None, key)

    def _value_issues(self, question: Question, value: Any, run: _Run) -> list[Issue]:
        """Type, range and choice problems of a top-level answer; a repeat's members aside."""
        issues = list(question.kind.check(question, value, (question.id,), run.today))
        if question.type == "repeat" and isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    continue
                for member in repeat_answers(question):
                    if member.id in item:
                        path = (question.id, index, member.id)
                        found = list(member.kind.check(member, item[member.id], path, run.today))
                        if found:
                            run.member_issues[(question.id, index, member.id)] = found
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
        if not question.takes_answer:
            return
        key: SortKey = (self.order[question.id], -1, -1)
        if question.type == "calculated":
            self._calculated_rules(question, env, run.tainted, (question.id,), key, run)
            return
        present = question.id in answers
        other_present = question.other and question.other_key in answers
        if _HIDDEN + question.id in env:
            # A hidden answer reports only that it is hidden.
            if present and check_when:
                run.error(key, Issue((question.id,), "hidden"), question, question.id)
            if other_present and not trusted:
                run.error(key, Issue((question.other_key,), "hidden"), question, question.id)
            return
        if not present:
            if question.id in run.tainted:
                return  # shown or not depends on an invalid answer
            if (
                run.mode == "submit"
                and check_required
                and self._required(question, env, run.tainted)
            ):
                run.error(key, Issue((question.id,), "required"), question, question.id)
            if other_present and not trusted:
                issue = Issue((question.other_key,), "other_forbidden")
                run.error(key, issue, question, question.id)
            return
        value = answers[question.id]
        if not trusted:
            issues = run.value_issues.get(question.id, [])
            for issue in issues:
                run.error(key, issue, question, question.id)
            if question.type == "repeat" and isinstance(value, list):
                self._item_rules(question, value, env, run, trusted=False)
            if issues:
                return
            if run.mode == "submit":
                needed = self._required(question, env, run.tainted)
                if issue := question.kind.incomplete(question, value, (question.id,), needed):
                    run.error(key, issue, question, question.id)
                    return
            if question.other:
                self._other_rules(question, answers, (), key, run)
        elif question.type == "date":
            for issue in question.kind.check(question, value, (question.id,), run.today):
                run.error(key, issue, question, question.id)
                return
        elif run.mode == "submit" and _completeness_outside_schema(question):
            # Completeness under a `required` expression is not in the schema.
            needed = self._required(question, env, run.tainted)
            if issue := question.kind.incomplete(question, value, (question.id,), needed):
                run.error(key, issue, question, question.id)
                return
        if question.id not in run.invalid:
            self._constraint(question, value, env, run.tainted, (question.id,), key, run)
        if question.type == "repeat" and trusted:
            self._item_rules(question, value, env, run, trusted=True)

    def _required(self, question: Question, scope: Mapping[str, Any], tainted: set[str]) -> bool:
        if isinstance(question.required, bool):
            return question.required
        if question.required.names & tainted:
            return False
        return truthy(question.required(scope))

    def _other_rules(
        self,
        question: Question,
        container: Mapping[str, Any],
        prefix: Path,
        key: SortKey,
        run: _Run,
    ) -> None:
        """`<id>_other`: required while 'other' is chosen (submit), forbidden otherwise."""
        other = question.other_key
        path = (*prefix, other)
        chosen = container.get(question.id) == "other"
        if other in container:
            text = container[other]
            if not chosen:
                run.error(key, Issue(path, "other_forbidden"), question, question.id)
            elif issue := check_text(text, path, OTHER_MAX_LENGTH):
                if issue.code not in ("null", "empty", "control_characters"):
                    issue = Issue(path, "other_text")
                run.error(key, issue, question, question.id)
        elif chosen and run.mode == "submit":
            run.error(key, Issue(path, "other_required"), question, question.id)

    def _constraint(
        self,
        question: Question,
        value: Any,
        scope: Mapping[str, Any],
        tainted: set[str],
        path: Path,
        key: SortKey,
        run: _Run,
    ) -> None:
        constraint = question.constraint
        if constraint is None or constraint.names & tainted:
            return
        if truthy(constraint(WithValue(scope, value))):
            return
        issue = Issue(path, "constraint", {"rule": constraint.source})
        if question.severity == "warning":
            run.warn(key, issue, question, question.id)
        else:
            run.error(key, issue, question, question.id)

    def _calculated_rules(
        self,
        question: Question,
        scope: Mapping[str, Any],
        tainted: set[str],
        path: Path,
        key: SortKey,
        run: _Run,
    ) -> None:
        """A constraint on a computed value, reported at that question (SPEC §8)."""
        if question.constraint is None or question.id in tainted:
            return
        value = scope.get(question.id)
        if value is not None:
            self._constraint(question, value, scope, tainted, path, key, run)

    def _item_rules(
        self, repeat: Question, items: list[Any], env: dict[str, Any], run: _Run, *, trusted: bool
    ) -> None:
        scopes = run.scopes.get(repeat.id) or []
        known = set()
        for member in repeat.questions:
            if member.takes_answer:
                known.add(member.id)
                if member.other:
                    known.add(member.other_key)
        top = self.order[repeat.id]
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            scope = scopes[index] if index < len(scopes) else None
            if scope is None:
                scope = self._item_scope(repeat, index, item, env, run)
            for member in repeat.questions:
                if member.takes_answer:
                    key: SortKey = (top, index, self.order[member.id])
                    self._member_rules(repeat, index, member, item, scope, key, run, trusted)
            if not trusted:
                for name in item:
                    if name not in known:
                        self._unknown(name, (repeat.id, index, name), (top, index, _LAST), run)

    def _member_rules(
        self,
        repeat: Question,
        index: int,
        member: Question,
        item: dict[str, Any],
        scope: ItemScope,
        key: SortKey,
        run: _Run,
        trusted: bool,
    ) -> None:
        """Every rule of one repeat member in one item (a sibling first, then top level)."""
        path = (repeat.id, index, member.id)
        if member.type == "calculated":
            self._calculated_rules(member, scope, scope.tainted, path, key, run)
            return
        present = member.id in item
        other_present = member.other and member.other_key in item
        other_path = (repeat.id, index, member.other_key)
        if member.id in scope.hidden:
            if present:
                run.error(key, Issue(path, "hidden"), member, member.id)
            if other_present and not trusted:
                run.error(key, Issue(other_path, "hidden"), member, member.id)
            return
        if not present:
            if member.id in scope.tainted:
                return
            if run.mode == "submit" and self._required(member, scope, scope.tainted):
                run.error(key, Issue(path, "required"), member, member.id)
            if other_present and not trusted:
                run.error(key, Issue(other_path, "other_forbidden"), member, member.id)
            return
        value = item[member.id]
        if trusted:
            issues = (
                list(member.kind.check(member, value, path, run.today))
                if member.type == "date"
                else []
            )
        else:
            issues = run.member_issues.get((repeat.id, index, member.id), [])
        for issue in issues:
            run.error(key, issue, member, member.id)
        if issues:
            return
        if run.mode == "submit" and (not trusted or _completeness_outside_schema(member)):
            needed = self._required(member, scope, scope.tainted)
            if issue := member.kind.incomplete(member, value, path, needed):
                run.error(key, issue, member, member.id)
                return
        if member.other and not trusted:
            self._other_rules(member, item, (repeat.id, index), key, run)
        self._constraint(member, value, scope, scope.tainted, path, key, run)

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
            errors,
            warnings,
            self._stored(answers, env) if not errors else {},
            justified,
            run.mode,
            self.questionnaire,
        )

    def _render(self, entry: Entry, lang: str, severity: str) -> AnswerError:
        _key, _seq, issue, question, name = entry
        if issue.code == "constraint" and question is not None and question.constraint_message:
            message = self.questionnaire.text(question.constraint_message, lang)
        else:
            message = render(issue.code, issue.params, lang)
        return AnswerError(pointer(issue.path), name, message, severity, issue.code)

    def _stored(self, answers: dict[str, Any], env: dict[str, Any]) -> dict[str, Any]:
        """Valid answers as stored: normalised, calculated values from the engine."""
        stored: dict[str, Any] = {}
        for key, question, how, other in self._store_plan:
            if how is _COMPUTED:
                if key in env:
                    stored[key] = env[key]
            elif key in answers:
                value = answers[key]
                stored[key] = value if how is _AS_IS else _normalise(question, value, env)
                if other is not None and other in answers:
                    stored[other] = answers[other]
        return stored

    def _storage_plan(self) -> list[tuple[str, Question, object, str | None]]:
        """(key, question, how it is stored, its `_other` key) in definition order, decided once:
        most types store the answer as given, so most answers need no call at all."""
        plan = []
        for question in self.questionnaire.questions:
            if question.type == "calculated":
                how = _COMPUTED
            elif question.type == "repeat" or _normalises(question):
                how = _NORMALISED
            else:
                how = _AS_IS
            plan.append(
                (question.id, question, how, question.other_key if question.other else None)
            )
        return plan


_HIDDEN = "\x00hidden:"
_COMPUTED, _NORMALISED, _AS_IS = object(), object(), object()


def _normalises(question: Question) -> bool:
    """Whether the question's type changes a valid value when storing it (`2350.0` -> `2350`)."""
    return type(question.kind).normalise is not QuestionType.normalise


_LAST = 10**9
"""Sorts after every member: unknown keys come last in their item."""


def repeat_answers(repeat: Question) -> list[Question]:
    """The members of a repeat a client answers (not notes, not calculated values)."""
    return [m for m in repeat.questions if m.takes_answer and m.type != "calculated"]


def _completeness_outside_schema(question: Question) -> bool:
    """Every row, cell or an item under a `required` expression: the schema only says present."""
    return not isinstance(question.required, bool) and question.type in ("matrix", "grid", "repeat")


def _position(entry: Entry) -> tuple[SortKey, int]:
    return entry[0], entry[1]


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
                    if member.other and member.other_key in item:
                        stored[member.other_key] = item[member.other_key]
            items.append(stored)
        return items
    return question.kind.normalise(question, value)


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
