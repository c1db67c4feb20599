"""What an expression depends on: the checker's dependency graph and `value` rule use this."""

from __future__ import annotations

from .ast import Name, Node, ValueRef, walk


def referenced_names(node: Node) -> frozenset[str]:
    """Question names the expression reads (function arguments included, `value` excluded)."""
    return frozenset(part.name for part in walk(node) if isinstance(part, Name))


def uses_value(node: Node) -> bool:
    """Whether the expression reads `value`, which only a constraint provides."""
    return any(isinstance(part, ValueRef) for part in walk(node))
