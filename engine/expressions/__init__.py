"""The expression language of `when`, `required`, `constraint`, `expression` and indicators.

A small, safe language (SPEC §1 and §8), never evaluated with `eval`:

    parse(source) -> Node                  the tree; ExpressionSyntaxError(message, offset)
    unparse(node) -> str                   canonical source text; parse(unparse(n)) == n
    to_json(node) / from_json(data)        the tree for the browser (format in jsontree.py)
    referenced_names(node), uses_value(node)
    compile_expression(node)(env)          evaluation: env maps question ids to answers
    evaluate(node, env), truthy(value)
    analyse(node, scope, value=...)        static findings; infer_kind(...) the result kind

Modules: lexer -> parser -> ast; unparse; jsontree; values (the runtime rules) and evaluate
(the closure compiler); analysis (static checks); clock (today(), patchable in tests).
"""

from __future__ import annotations

from . import clock
from .analysis import Finding, MappingScope, NameInfo, Scope, analyse, infer_kind
from .ast import (
    And,
    BinOp,
    Call,
    Compare,
    ListExpr,
    Literal,
    Name,
    Neg,
    Node,
    Not,
    Or,
    ValueRef,
)
from .errors import ExpressionSyntaxError
from .evaluate import Compiled, compile_expression, evaluate, truthy
from .functions import FUNCTIONS
from .jsontree import from_json, to_json
from .parser import parse
from .references import referenced_names, uses_value
from .unparse import unparse

__all__ = [
    "FUNCTIONS",
    "And",
    "BinOp",
    "Call",
    "Compare",
    "Compiled",
    "ExpressionSyntaxError",
    "Finding",
    "ListExpr",
    "Literal",
    "MappingScope",
    "Name",
    "NameInfo",
    "Neg",
    "Node",
    "Not",
    "Or",
    "Scope",
    "ValueRef",
    "analyse",
    "clock",
    "compile_expression",
    "evaluate",
    "from_json",
    "infer_kind",
    "parse",
    "referenced_names",
    "to_json",
    "truthy",
    "unparse",
    "uses_value",
]
