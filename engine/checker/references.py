"""Expressions in a definition: they parse, name real questions, and do not go round in circles."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.checker.context import Context, RawQuestion
from engine.checker.semantics import misspelt_boolean
from engine.expressions import (
    Call,
    ExpressionSyntaxError,
    Literal,
    Name,
    NameInfo,
    Node,
    analyse,
    infer_kind,
    parse,
    referenced_names,
)
from engine.expressions.ast import walk
from engine.types import REGISTRY

VALUE_KEYS = ("when", "required", "expression")
"""Keys whose expressions decide a question's visibility or value: they must not form a cycle."""
NUMERIC_AGGREGATES = frozenset({"sum", "mean", "median", "min", "max"})


@dataclass
class DefinitionScope:
    """Names an expression may use: siblings in the same repeat first, then top-level questions."""

    ctx: Context
    repeat: RawQuestion | None = None
    _calculating: set[str] = field(default_factory=set)

    def lookup(self, name: str) -> NameInfo | None:
        question = self.ctx.by_id.get(name)
        if question is None:
            return None
        if question.repeat is not None and question.repeat is not self.repeat:
            owner = question.repeat.id
            advice = f"count({owner})"
            if self.info(question).kind == "number":
                advice += f" or sum({owner}, '{name}')"
            return NameInfo(
                "any",
                unusable=f"'{name}' is a field of repeat '{owner}': outside it, use {advice}",
            )
        return self.info(question)

    def names(self) -> Iterable[str]:
        return [q.id for q in self.ctx.questions if q.id is not None]

    def info(self, question: RawQuestion) -> NameInfo:
        kind = REGISTRY.get(question.type or "")
        if kind is None:
            return NameInfo("any")
        if not kind.takes_answer:
            return NameInfo("any", unusable=f"'{question.id}' is a note and has no value")
        if question.type == "repeat":
            members = {
                m.id: self.info(m)
                for m in self.ctx.questions
                if m.repeat is question and m.id is not None
            }
            return NameInfo("items", fields=members)
        if question.type == "calculated":
            return NameInfo(self._calculated_kind(question))
        choices = self.ctx.choice_values(question) if kind.has_choices else None
        return NameInfo(kind.value_kind, choices=choices)

    def _calculated_kind(self, question: RawQuestion) -> str:
        node = self.ctx.parsed.get((*question.path, "expression"))
        if node is None or question.id in self._calculating:
            return "any"
        self._calculating.add(question.id or "")
        try:
            return infer_kind(node, DefinitionScope(self.ctx, question.repeat, self._calculating))
        finally:
            self._calculating.discard(question.id or "")


def _parse_into(ctx: Context, path: tuple, source: Any) -> Node | None:
    if not isinstance(source, str) or source == "":
        return None  # not text, or empty: the structure check says so
    try:
        node = parse(source)
    except ExpressionSyntaxError as error:
        ctx.report(path, f"expression: {error.message}", offset=error.offset)
        return None
    ctx.parsed[path] = node
    return node


def check_expressions(ctx: Context) -> None:
    """Parse every expression, then check names, functions and types in its scope."""
    found: list[tuple[tuple, Node, RawQuestion | None, str]] = []
    for question in ctx.questions:
        for key in ("when", "required", "constraint", "expression"):
            if key == "expression" and question.type != "calculated":
                continue
            if key == "required" and misspelt_boolean(ctx, question.data.get(key)):
                continue  # `required: yes` is reported as a misspelt boolean, not a name
            node = _parse_into(ctx, (*question.path, key), question.data.get(key))
            if node is not None:
                found.append(((*question.path, key), node, question, key))
    indicators = ctx.data.get("indicators")
    for index, indicator in enumerate(indicators if isinstance(indicators, list) else []):
        if isinstance(indicator, dict):
            node = _parse_into(ctx, ("indicators", index, "of"), indicator.get("of"))
            if node is not None:
                found.append((("indicators", index, "of"), node, None, "of"))
    for path, node, question, key in found:
        scope = DefinitionScope(ctx, _scope_repeat(question))
        value = scope.info(question) if key == "constraint" and question is not None else None
        for finding in analyse(node, scope, value=value):
            ctx.report(path, finding.message, finding.severity, offset=finding.offset)
        if key == "of":
            _check_aggregate(ctx, path, node, scope)
    _check_cycles(ctx)


def _scope_repeat(question: RawQuestion | None) -> RawQuestion | None:
    """Inside a repeat (its members) names mean siblings first; the repeat itself is outside."""
    return question.repeat if question is not None else None


def _check_aggregate(ctx: Context, path: tuple, node: Node, scope: DefinitionScope) -> None:
    indicator = ctx.data["indicators"][path[1]]
    aggregate = indicator.get("aggregate")
    if isinstance(aggregate, str) and aggregate in NUMERIC_AGGREGATES:
        kind = infer_kind(node, scope)
        if kind not in ("number", "any"):
            ctx.report(path, f"aggregate '{aggregate}' needs a number, but this gives a {kind}")


def _check_cycles(ctx: Context) -> None:
    """A cycle among when/required/expression is reported once, at its first question."""
    order = [q for q in ctx.questions if q.id is not None and ctx.by_id.get(q.id) is q]
    edges: dict[str, list[tuple[str, str]]] = {}
    for question in order:
        edges[question.id] = [  # type: ignore[index]
            (name, key)
            for key in VALUE_KEYS
            if (node := ctx.parsed.get((*question.path, key))) is not None
            for name in sorted(referenced_names(node) | _summed_fields(ctx, node))
            if name in ctx.by_id
        ]
    in_cycle: set[str] = set()
    for question in order:
        start = question.id
        if start in in_cycle:
            continue
        for key, cycle in _cycles_from(start, edges):  # type: ignore[arg-type]
            in_cycle.update(cycle)
            ctx.report(
                (*question.path, key),
                "circular reference: " + " -> ".join([*cycle, cycle[0]]),
            )
            break


def _summed_fields(ctx: Context, node: Node) -> set[str]:
    """Members read by `sum(repeat, 'field')`: the sum depends on each item's field."""
    fields: set[str] = set()
    for part in walk(node):
        if not (isinstance(part, Call) and part.name == "sum" and len(part.args) == 2):
            continue
        owner, field_name = part.args
        if not (isinstance(owner, Name) and isinstance(field_name, Literal)):
            continue
        member = ctx.by_id.get(field_name.value) if isinstance(field_name.value, str) else None
        if member is not None and member.repeat is not None and member.repeat.id == owner.name:
            fields.add(field_name.value)  # type: ignore[arg-type]
    return fields


def _cycles_from(
    start: str, edges: dict[str, list[tuple[str, str]]]
) -> Iterator[tuple[str, list[str]]]:
    """(key of `start` where the cycle leaves, the cycle's questions) for a path back to start."""
    for first, key in edges.get(start, []):
        path = _path_back(first, start, edges)
        if path is not None:
            yield key, [start, *path]


def _path_back(node: str, target: str, edges: dict[str, list[tuple[str, str]]]) -> list[str] | None:
    """The questions from `node` to just before `target`, or None (iterative DFS, no recursion)."""
    if node == target:
        return []
    stack: list[tuple[str, list[str]]] = [(node, [node])]
    seen = {node}
    while stack:
        current, trail = stack.pop()
        for nxt, _key in edges.get(current, []):
            if nxt == target:
                return trail
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, [*trail, nxt]))
    return None
