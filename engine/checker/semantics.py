"""Meaning: the checks a JSON Schema cannot make, each a small function over the raw definition.

They run even when the structure has errors (each skips what it cannot read), so an author sees
every problem of a file in one pass.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pycountry

from engine.checker.context import Context, RawQuestion
from engine.checker.structure import is_valid
from engine.definition_schema import TEXT_KEYS
from engine.expressions.ast import KEYWORDS
from engine.patterns import locate_pattern_problem, locate_pattern_warning
from engine.problems import closest, did_you_mean
from engine.types import REGISTRY, Issue

RESERVED_WORDS = KEYWORDS
"""Words of the expression language, which a question id would shadow."""
YAML_BOOLEAN_WORDS = frozenset(
    f(word)
    for word in ("yes", "no", "on", "off", "y", "n")
    for f in (str.lower, str.title, str.upper)
)
"""YAML 1.1 booleans, which the loader keeps as text: `required: yes` is most likely a mistake."""
_LANGUAGE_SHAPE = re.compile("[a-z]{2}")
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""A bound shaped like a date; other shapes are reported by the structure check."""


def misspelt_boolean(ctx: Context, value: Any) -> bool:
    """`required: yes` (not a question called `yes`): YAML 1.1 spelling of a boolean."""
    return isinstance(value, str) and value in YAML_BOOLEAN_WORDS and value not in ctx.by_id


def check_ids(ctx: Context) -> None:
    """Question ids are unique in the whole questionnaire; section and indicator ids too."""
    _unique(ctx, [(q.path, q.id) for q in ctx.questions], "question id")
    _unique(ctx, [(path, s.get("id")) for path, s in ctx.sections()], "section id")
    indicators = ctx.data.get("indicators")
    if isinstance(indicators, list):
        pairs = [
            (("indicators", i), x.get("id"))
            for i, x in enumerate(indicators)
            if isinstance(x, dict)
        ]
        _unique(ctx, pairs, "indicator id")
    for question in ctx.questions:
        if question.id in RESERVED_WORDS:
            ctx.report(
                (*question.path, "id"),
                f"'{question.id}' is a reserved word of expressions and cannot be a question id",
            )
        if question.repeat is not None and question.type == "repeat":
            ctx.report((*question.path, "type"), "a repeat cannot contain another repeat")
        for key in ("rows", "columns"):
            rows = question.data.get(key)
            if isinstance(rows, list):
                pairs = [
                    ((*question.path, key, i), r.get("id"))
                    for i, r in enumerate(rows)
                    if isinstance(r, dict)
                ]
                _unique(ctx, pairs, f"{key[:-1]} id")


def check_renames(ctx: Context) -> None:
    """`renamed_from` names an id of the previous version: one that no longer exists here."""
    renamed: dict[str, RawQuestion] = {}
    for question in ctx.questions:
        old = question.data.get("renamed_from")
        if not isinstance(old, str):
            continue
        path = (*question.path, "renamed_from")
        if old == question.id:
            ctx.report(path, f"renamed_from '{old}' is this question's own id")
        elif old in ctx.by_id:
            line = ctx.line_of((*ctx.by_id[old].path, "id"))
            ctx.report(
                path,
                f"renamed_from '{old}' names a question that still exists in this version "
                f"(line {line})",
            )
        elif old in renamed:
            first = renamed[old]
            line = ctx.line_of((*first.path, "renamed_from"))
            ctx.report(path, f"renamed_from '{old}' is already used by '{first.id}' (line {line})")
        else:
            renamed[old] = question


def _unique(ctx: Context, pairs: list[tuple[tuple, Any]], what: str) -> None:
    first: dict[str, tuple] = {}
    for path, value in pairs:
        if not isinstance(value, str):
            continue
        if value in first:
            line = ctx.line_of((*first[value], "id"))
            ctx.report((*path, "id"), f"duplicate {what} '{value}' (first at line {line})")
        else:
            first[value] = path


def check_languages(ctx: Context) -> None:
    languages = ctx.data.get("languages")
    if not isinstance(languages, list):
        return
    for index, code in enumerate(languages):
        if (
            isinstance(code, str)
            and _LANGUAGE_SHAPE.fullmatch(code)
            and pycountry.languages.get(alpha_2=code) is None
        ):
            ctx.report(("languages", index), f"'{code}' is not an ISO 639-1 language code")


def check_choices(ctx: Context) -> None:
    """Choice lists exist, are not empty, and hold each value once."""
    used: set[str] = set()
    for name, items in ctx.choice_lists.items():
        _check_choice_list(ctx, ("choices", name), items)
    for question in ctx.questions:
        choices = question.data.get("choices")
        if isinstance(choices, str):
            used.add(choices)  # even where misplaced: that error is enough
        if question.type not in REGISTRY or not REGISTRY[question.type].has_choices:
            continue
        path = (*question.path, "choices")
        if isinstance(choices, str):
            if choices not in ctx.choice_lists:
                ctx.report(
                    path,
                    f"unknown choice list '{choices}'{did_you_mean(choices, ctx.choice_lists)}",
                )
                meant = closest(choices, ctx.choice_lists)
                if meant:  # the list meant is not "never used": one mistake, one message
                    used.add(meant)
        elif isinstance(choices, list):
            _check_choice_list(ctx, path, choices)
        values = ctx.choice_values(question)
        if (
            question.data.get("other") is True
            and values is not None
            and any(
                isinstance(c, dict) and c.get("value") == "other"
                for c in ctx.choices_of(question) or []
            )
        ):
            ctx.report(
                (*question.path, "other"),
                "'other: true' adds the choice 'other', which the list already has",
                at_key=True,
            )
    for name in ctx.choice_lists:
        if name not in used:
            ctx.warn(("choices", name), f"choice list '{name}' is never used", at_key=True)


def _check_choice_list(ctx: Context, path: tuple, items: list[Any]) -> None:
    if not items:
        ctx.report(path, "the choice list is empty")
        return
    first: dict[str, int] = {}
    for index, choice in enumerate(items):
        value = choice.get("value") if isinstance(choice, dict) else None
        if not isinstance(value, str):
            continue
        if value in first:
            line = ctx.line_of((*path, first[value], "value"))
            ctx.report(
                (*path, index, "value"), f"duplicate choice value '{value}' (first at line {line})"
            )
        else:
            first[value] = index


def check_bounds(ctx: Context) -> None:
    """`min` above `max` (reported at `min`), and the same for counts of items and options."""
    pairs = (("min", "max"), ("min_selected", "max_selected"), ("min_items", "max_items"))
    for question in ctx.questions:
        data = question.data
        for low_key, high_key in pairs:
            low, high = data.get(low_key), data.get(high_key)
            if _comparable(low, high) and low > high:
                ctx.report(
                    (*question.path, low_key),
                    f"{low_key} ({low}) is above {high_key} ({high})",
                )
        if question.type == "date":
            for key in ("min", "max"):
                value = data.get(key)
                if (
                    isinstance(value, str)
                    and _DATE_SHAPE.fullmatch(value)
                    and not _real_date(value)
                ):
                    ctx.report((*question.path, key), f"'{value}' is not a real date")
        choices = ctx.choice_values(question)
        if choices is not None and question.type == "multiple_choice":
            for key in ("min_selected", "max_selected"):
                count = data.get(key)
                if isinstance(count, int) and not isinstance(count, bool) and count > len(choices):
                    message = f"{key} is {count} but there are only {len(choices)} choices"
                    ctx.report(
                        (*question.path, key),
                        message,
                        "error" if key == "min_selected" else "warning",
                    )


def _comparable(low: Any, high: Any) -> bool:
    if isinstance(low, bool) or isinstance(high, bool):
        return False
    numbers = isinstance(low, int | float) and isinstance(high, int | float)
    dates = isinstance(low, str) and isinstance(high, str) and "today" not in (low, high)
    return numbers or (dates and _real_date(low) and _real_date(high))


def _real_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def check_patterns(ctx: Context) -> None:
    """Only portable, compilable patterns; a warning for those slow in backtracking engines."""
    for question in ctx.questions:
        pattern = question.data.get("pattern")
        if not isinstance(pattern, str) or question.type != "text":
            continue
        path = (*question.path, "pattern")
        if found := locate_pattern_problem(pattern):
            ctx.report(path, found[0], offset=found[1])
        elif found := locate_pattern_warning(pattern):
            ctx.report(path, found[0], "warning", offset=found[1])


def check_question_rules(ctx: Context) -> None:
    """Rules on common keys that depend on the type: required, default, constraint."""
    for question in ctx.questions:
        data, kind = question.data, REGISTRY.get(question.type or "")
        required = data.get("required")
        if misspelt_boolean(ctx, required):
            ctx.report(
                (*question.path, "required"),
                f"'required: {required}' is not a boolean here: write true or false",
            )
        if kind is None:
            continue
        if question.type in ("note", "calculated"):
            for key in ("required", "default"):
                if key in data:
                    what = (
                        "a note takes no answer"
                        if question.type == "note"
                        else "a calculated value is computed"
                    )
                    ctx.report(
                        (*question.path, key), f"'{key}' is not allowed: {what}", at_key=True
                    )
        if question.type == "note" and "constraint" in data:
            ctx.report(
                (*question.path, "constraint"),
                "'constraint' is not allowed: a note takes no answer",
                at_key=True,
            )
        for key in ("constraint_message", "severity"):
            if key in data and "constraint" not in data:
                ctx.warn(
                    (*question.path, key),
                    f"'{key}' has no effect without a constraint",
                    at_key=True,
                )
        if "default" in data and question.type not in ("note", "calculated"):
            _check_default(ctx, question)


def _check_default(ctx: Context, question: RawQuestion) -> None:
    from engine.checker.build import build_question

    if question.type == "repeat":
        ctx.report((*question.path, "default"), "a repeat cannot have a default", at_key=True)
        return
    choices = question.data.get("choices")
    if not is_valid("question", question.data) or (
        isinstance(choices, str) and not is_valid("choice_list", ctx.choice_lists.get(choices))
    ):
        return  # the default is checked once the question itself is right
    try:
        model = build_question(ctx, question.path, question.data, None)
    except (KeyError, TypeError, ValueError, AttributeError):
        return  # the structure is wrong; those errors are reported already
    issues: list[Issue] = list(model.kind.check(model, question.data["default"], (), "9999-12-31"))
    if issues:
        from engine.messages import render

        issue = issues[0]
        reason = render(issue.code, issue.params, "en")
        at = (*question.path, "default", *issue.path)  # an element of a list default
        ctx.report(at, f"the default does not fit the question: {reason}")


def check_translations(ctx: Context) -> None:
    """Warn for every text shown to respondents that misses a declared language.

    Only well-formed, known codes count: a bad code is reported once, by `check_languages` or
    the structure check, not again at every label.
    """
    languages = [code for code in ctx.languages if _known_language(code)]
    if not languages:
        return
    default = ctx.languages[0]

    def visit(node: Any, path: tuple) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                child = (*path, key)
                if key in TEXT_KEYS and (
                    isinstance(value, str) or (isinstance(value, dict) and value)
                ):
                    _check_text(ctx, child, key, value, languages, default)
                else:
                    visit(value, child)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, (*path, index))

    visit(ctx.data, ())


def _known_language(code: Any) -> bool:
    return (
        isinstance(code, str)
        and _LANGUAGE_SHAPE.fullmatch(code) is not None
        and pycountry.languages.get(alpha_2=code) is not None
    )


def _check_text(
    ctx: Context, path: tuple, key: str, value: Any, languages: list[str], default: str
) -> None:
    present = {default} if isinstance(value, str) else {k for k in value if isinstance(k, str)}
    missing = [lang for lang in languages if lang not in present]
    if missing:
        ctx.warn(path, f"{key} has no translation in {', '.join(missing)}")
    if isinstance(value, dict):
        for lang in value:
            if (
                isinstance(lang, str)
                and _LANGUAGE_SHAPE.fullmatch(lang)
                and lang not in ctx.languages
            ):
                ctx.warn(
                    (*path, lang),
                    f"'{lang}' is not one of the questionnaire's languages",
                    at_key=True,
                )


CHECKS: tuple[Callable[[Context], None], ...] = (
    check_ids,
    check_renames,
    check_languages,
    check_choices,
    check_bounds,
    check_patterns,
    check_question_rules,
    check_translations,
)
