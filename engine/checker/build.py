"""Build the frozen model from a definition that passed every check."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from engine.checker.context import Context
from engine.expressions import Node, compile_expression, parse, referenced_names
from engine.model import Choice, Expression, Indicator, Question, Questionnaire, Row, Section, Text
from engine.yaml_source import Path


def text(value: Any, default_language: str) -> Text:
    """A label as a mapping: a plain string is the default language's text."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {default_language: value}
    return dict(value)


def expression(ctx: Context | None, path: Path, source: Any) -> Expression | None:
    if not isinstance(source, str):
        return None
    node: Node | None = ctx.parsed.get(path) if ctx is not None else None
    if node is None:
        node = parse(source)
    return Expression(source, node, compile_expression(node), referenced_names(node))


def _choices(items: Any, language: str) -> tuple[Choice, ...]:
    return tuple(Choice(c["value"], text(c["label"], language)) for c in items)


def _rows(items: Any, language: str) -> tuple[Row, ...]:
    return tuple(Row(r["id"], text(r["label"], language)) for r in items or ())


def build_question(
    ctx: Context | None,
    path: Path,
    data: Mapping[str, Any],
    parent: str | None,
    language: str = "en",
    shared: Mapping[str, Any] | None = None,
) -> Question:
    if ctx is not None:
        language = ctx.languages[0]
        shared = ctx.choice_lists
    choices = data.get("choices")
    choice_list = choices if isinstance(choices, str) else None
    if choice_list is not None:
        choices = (shared or {})[choice_list]
    required = data.get("required", False)
    question_type = data["type"]
    members = tuple(
        build_question(ctx, (*path, "questions", i), member, data["id"], language, shared)
        for i, member in enumerate(data.get("questions", ()) if question_type == "repeat" else ())
    )
    return Question(
        id=data["id"],
        type=question_type,
        label=text(data["label"], language),
        hint=text(data["hint"], language) if "hint" in data else None,
        required=required
        if isinstance(required, bool)
        else expression(ctx, (*path, "required"), required),  # type: ignore[arg-type]
        when=expression(ctx, (*path, "when"), data.get("when")),
        constraint=expression(ctx, (*path, "constraint"), data.get("constraint")),
        constraint_message=text(data["constraint_message"], language)
        if "constraint_message" in data
        else None,
        severity=data.get("severity", "error"),
        default=data.get("default"),
        kyoto=tuple(data.get("kyoto", ())),
        indicator=data.get("indicator"),
        renamed_from=data.get("renamed_from"),
        min=data.get("min"),
        max=data.get("max"),
        max_length=data.get("max_length"),
        pattern=data.get("pattern"),
        choices=_choices(choices, language) if choices else (),
        choice_list=choice_list,
        other=bool(data.get("other", False)),
        min_selected=data.get("min_selected"),
        max_selected=data.get("max_selected"),
        rows=_rows(data.get("rows"), language),
        columns=_rows(data.get("columns"), language),
        cell=data.get("cell", "decimal") if question_type == "grid" else None,
        questions=members,
        min_items=data.get("min_items"),
        max_items=data.get("max_items"),
        expression=expression(ctx, (*path, "expression"), data.get("expression")),
        parent=parent,
    )


def build_questionnaire(ctx: Context, source: str) -> Questionnaire:
    data = ctx.data
    language = ctx.languages[0]
    sections = tuple(
        Section(
            id=section["id"],
            pillar=section["pillar"],
            title=text(section["title"], language),
            description=text(section["description"], language)
            if "description" in section
            else None,
            kyoto=tuple(section.get("kyoto", ())),
            questions=tuple(
                build_question(ctx, (*path, "questions", i), q, None)
                for i, q in enumerate(section["questions"])
            ),
        )
        for path, section in ctx.sections()
    )
    indicators = tuple(
        Indicator(
            id=item["id"],
            pillar=item["pillar"],
            label=text(item["label"], language),
            aggregate=item["aggregate"],
            of=expression(ctx, ("indicators", i, "of"), item["of"]),  # type: ignore[arg-type]
            kyoto=tuple(item.get("kyoto", ())),
        )
        for i, item in enumerate(data.get("indicators", ()))
    )
    return Questionnaire(
        id=data["id"],
        version=data["version"],
        title=text(data["title"], language),
        description=text(data["description"], language) if "description" in data else None,
        languages=tuple(ctx.languages),
        period=data.get("period", "annual"),
        audience=tuple(data.get("audience", ("member_state",))),
        choices={name: _choices(items, language) for name, items in ctx.choice_lists.items()},
        sections=sections,
        indicators=indicators,
        source=source,
        source_hash=hashlib.sha256(source.encode("utf-8")).hexdigest(),
    )
