"""What expressions see while answers are checked: the order questions are evaluated in, and
the scopes of a repeat item and of a constraint.

Shared by the engine's validation and the web forms' live plan (`webapp.forms.logic`), so that a
page decides what is shown exactly as the engine decides what is asked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from engine.model import Expression, Question


class ItemScope(Mapping[str, Any]):
    """Inside a repeat a name means the sibling field first, then the top-level question."""

    def __init__(
        self, local: dict[str, Any], outer: Mapping[str, Any], tainted: set[str] | None = None
    ) -> None:
        self.local = local
        self.outer = outer
        self.hidden: set[str] = set()
        self.tainted: set[str] = tainted if tainted is not None else set()

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


class WithValue(Mapping[str, Any]):
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


def evaluation_order(questions: Sequence[Question], *, members: bool = False) -> list[Question]:
    """Questions with a `when`, a computed value or items, dependencies first.

    At top level a repeat depends on what its members read; inside a repeat (`members`) only
    siblings count, the top level being settled before any item is looked at.
    """
    ids = {q.id for q in questions}
    relevant = [
        q
        for q in questions
        if q.when or q.type == "calculated" or (q.type == "repeat" and not members)
    ]

    def needs(question: Question) -> set[str]:
        names: set[str] = set()
        expressions: list[Expression | None] = [question.when, question.expression]
        for member in question.questions:
            expressions += [member.when, member.expression]
        for expression in expressions:
            if expression is not None:
                names |= expression.names
        return {n for n in names if n in ids and n != question.id}

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
