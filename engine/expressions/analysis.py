"""Static checks of an expression against the questions it may use (`kyoto check`).

Errors are what can never work: unknown or unusable names, `value` outside a constraint,
`selected()` with a value that is not a choice, `sum()` of a field that does not exist.
Warnings are what evaluates but is almost surely a mistake, found by a small type inference
over the kinds of NameInfo: comparing a text question with a number (always false),
arithmetic on strings or booleans (null), `'a' < 1` (null), `q == 'x'` where 'x' is not a
choice of q.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from engine.problems import did_you_mean

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

KINDS = ("string", "number", "boolean", "date", "list", "items", "object", "any")

# Kinds that compare with each other; "any" and "null" are compatible with everything.
_FAMILY = {
    "string": "text",
    "date": "text",
    "number": "number",
    "boolean": "boolean",
    "list": "list",
    "items": "list",
    "object": "object",
}
_ARTICLE = {
    "string": ("a string", "strings"),
    "date": ("a date", "dates"),
    "number": ("a number", "numbers"),
    "boolean": ("a boolean", "booleans"),
    "list": ("a list", "lists"),
    "items": ("a repeat", "repeats"),
    "object": ("an object", "objects"),
    "null": ("null", "nulls"),
}


@dataclass(frozen=True)
class NameInfo:
    """What the analysis knows about a name: its kind and, for choices and repeats, members."""

    kind: str  # one of KINDS
    choices: frozenset[str] | None = None  # allowed values of a single or multiple choice
    fields: Mapping[str, NameInfo] | None = None  # members of a repeat ("items")
    unusable: str | None = None  # the name exists but may not be used here: the message


class Scope(Protocol):
    """The names an expression may use, as the checker knows them."""

    def lookup(self, name: str) -> NameInfo | None:
        """The name's information, or None when there is no such question."""
        ...

    def names(self) -> Iterable[str]:
        """Every known name, for "did you mean" suggestions."""
        ...


@dataclass(frozen=True)
class MappingScope:
    """A Scope backed by a plain mapping: enough for tests and simple callers."""

    infos: Mapping[str, NameInfo] = field(default_factory=dict)

    def lookup(self, name: str) -> NameInfo | None:
        return self.infos.get(name)

    def names(self) -> Iterable[str]:
        return self.infos.keys()


@dataclass(frozen=True, order=True)
class Finding:
    """One problem: offset into the expression's source, "error" or "warning", message."""

    offset: int
    severity: str
    message: str


def analyse(node: Node, scope: Scope, *, value: NameInfo | None = None) -> list[Finding]:
    """Every finding of `node`, in source order; `value` describes `value` in a constraint."""
    analyser = _Analyser(scope, value)
    analyser.infer(node)
    return sorted(analyser.findings, key=lambda finding: finding.offset)


def infer_kind(node: Node, scope: Scope, value: NameInfo | None = None) -> str:
    """The kind of the expression's result (one of KINDS), e.g. to type a calculated question."""
    kind = _Analyser(scope, value).infer(node).kind
    return "any" if kind == "null" else kind


_ANY = NameInfo("any")
_NULL = NameInfo("null")
_BOOLEAN = NameInfo("boolean")
_NUMBER = NameInfo("number")


def _a(kind: str) -> str:
    return _ARTICLE.get(kind, (f"a {kind}", f"{kind}s"))[0]


def _pair(left: str, right: str) -> str:
    if left == right:
        return "two " + _ARTICLE.get(left, ("", f"{left}s"))[1]
    return f"{_a(left)} and {_a(right)}"


def _compatible(left: str, right: str) -> bool:
    if left in ("any", "null") or right in ("any", "null"):
        return True
    return _FAMILY.get(left) == _FAMILY.get(right)


def _label(node: Node) -> str:
    return "value" if isinstance(node, ValueRef) else getattr(node, "name", "?")


def _string_literal(node: Node) -> str | None:
    if isinstance(node, Literal) and isinstance(node.value, str):
        return node.value
    return None


class _Analyser:
    def __init__(self, scope: Scope, value: NameInfo | None) -> None:
        self.scope = scope
        self.value = value
        self.findings: list[Finding] = []

    def error(self, offset: int, message: str) -> None:
        self.findings.append(Finding(offset, "error", message))

    def warn(self, offset: int, message: str) -> None:
        self.findings.append(Finding(offset, "warning", message))

    # -- inference ----------------------------------------------------------------------------

    def infer(self, node: Node) -> NameInfo:
        """The NameInfo of the node's result, recording findings on the way."""
        match node:
            case Literal(value=literal):
                if literal is None:
                    return _NULL
                if isinstance(literal, bool):
                    return _BOOLEAN
                return _NUMBER if isinstance(literal, int | float) else NameInfo("string")
            case Name(name=name):
                return self.name(name, node.offset)
            case ValueRef():
                if self.value is None:
                    self.error(node.offset, "'value' can only be used in a constraint")
                    return _ANY
                return self.value
            case ListExpr(items=items):
                for item in items:
                    self.infer(item)
                return NameInfo("list")
            case Not(operand=operand):
                self.infer(operand)
                return _BOOLEAN
            case And(operands=operands) | Or(operands=operands):
                for operand in operands:
                    self.infer(operand)
                return _BOOLEAN
            case Neg(operand=operand):
                kind = self.infer(operand).kind
                if kind in ("number", "any"):
                    return _NUMBER
                self.warn(node.offset, f"'-' on {_a(kind)} gives null")
                return _NULL
            case BinOp():
                return self.arithmetic(node)
            case Compare():
                self.comparison(node)
                return _BOOLEAN
            case Call():
                return self.call(node)
        raise TypeError(f"not an expression node: {node!r}")

    def name(self, name: str, offset: int) -> NameInfo:
        info = self.scope.lookup(name)
        if info is None:
            if name.lower() in ("true", "false", "null", "value", "and", "or", "not", "in"):
                hint = f" (did you mean '{name.lower()}'?)"
            elif name == "today":
                hint = " (did you mean 'today()'?)"
            else:
                hint = did_you_mean(name, self.scope.names())
            self.error(offset, f"unknown question '{name}'{hint}")
            return _ANY
        if info.unusable is not None:
            self.error(offset, info.unusable)
        return info

    def arithmetic(self, node: BinOp) -> NameInfo:
        left = self.infer(node.left).kind
        right = self.infer(node.right).kind
        op = node.op
        divisor = node.right.value if isinstance(node.right, Literal) else None
        if op == "/" and type(divisor) in (int, float) and divisor == 0:
            self.warn(node.op_offset, "division by zero gives null")
            return _NULL
        if "null" in (left, right):
            self.warn(node.op_offset, f"'{op}' with null gives null")
            return _NULL
        numeric = {"number", "any"}
        if left in numeric and right in numeric:
            return _NUMBER if "number" in (left, right) or op != "+" else _ANY
        if op == "+":
            text = {"string", "date", "any"}
            if left in text and right in text:
                return NameInfo("string")
        if "any" in (left, right):  # only the known side can be wrong
            known = right if left == "any" else left
            self.warn(node.op_offset, f"'{op}' on {_a(known)} gives null")
        else:
            self.warn(node.op_offset, f"'{op}' on {_pair(left, right)} gives null")
        return _NULL

    def comparison(self, node: Compare) -> None:
        infos = [self.infer(operand) for operand in node.operands]
        offsets = node.op_offsets or (node.offset,) * len(node.ops)
        for index, op in enumerate(node.ops):
            left_node, right_node = node.operands[index], node.operands[index + 1]
            left, right = infos[index], infos[index + 1]
            offset = offsets[index]
            if op in ("==", "!="):
                self.equality(op, offset, left_node, left, right_node, right)
            elif op in ("in", "not in"):
                self.membership(op, offset, left_node, left, right_node, right)
            else:
                self.ordering(op, offset, left.kind, right.kind)

    def check_choice(self, question: Node, info: NameInfo, literal: Node, severity: str) -> None:
        """Report a string literal that is not among the choices of `question`."""
        text = _string_literal(literal)
        if text is None or info.choices is None or text in info.choices:
            return
        message = f"'{text}' is not a choice of '{_label(question)}'"
        message += did_you_mean(text, info.choices)
        if severity == "error":
            self.error(literal.offset, message)
        else:
            self.warn(literal.offset, message)

    def equality(
        self,
        op: str,
        offset: int,
        left_node: Node,
        left: NameInfo,
        right_node: Node,
        right: NameInfo,
    ) -> None:
        if not _compatible(left.kind, right.kind):
            outcome = "always false" if op == "==" else "always true"
            message = f"'{op}' compares {_pair(left.kind, right.kind)}, which is {outcome}"
            choice = _string_literal(right_node)
            question = isinstance(left_node, Name | ValueRef)
            if left.kind == "list" and choice is not None and question:
                message += f" (use selected({_label(left_node)}, '{choice}'))"
            self.warn(offset, message)
            return
        if left.kind in ("string", "any"):
            self.check_choice(left_node, left, right_node, "warning")
        if right.kind in ("string", "any"):
            self.check_choice(right_node, right, left_node, "warning")

    def membership(
        self,
        op: str,
        offset: int,
        left_node: Node,
        left: NameInfo,
        right_node: Node,
        right: NameInfo,
    ) -> None:
        outcome = "always false" if op == "in" else "always true"
        if left.kind == "null":
            self.warn(offset, f"'{op}' with null on its left is {outcome}")
            return
        if right.kind in ("string", "date"):
            if left.kind not in ("string", "date", "any"):
                self.warn(offset, f"'{op}' looks for {_a(left.kind)} in a string: {outcome}")
            return
        if right.kind not in ("list", "items", "any"):
            message = f"'{op}' needs a list or a string on its right, not {_a(right.kind)}"
            self.warn(offset, f"{message}: {outcome}")
            return
        if isinstance(right_node, ListExpr):
            kinds = {self.literal_kind(item) for item in right_node.items}
            literal_kinds = {kind for kind in kinds if kind is not None}
            if (
                None not in kinds
                and literal_kinds
                and left.kind != "any"
                and not any(_compatible(left.kind, kind) for kind in literal_kinds)
            ):
                items = "values"
                if len(literal_kinds) == 1:
                    items = _ARTICLE.get(next(iter(literal_kinds)), ("", "values"))[1]
                self.warn(offset, f"'{op}' looks for {_a(left.kind)} among {items}: {outcome}")
                return
            if left.kind in ("string", "any"):
                for item in right_node.items:
                    self.check_choice(left_node, left, item, "warning")
        elif right.kind == "list":
            self.check_choice(right_node, right, left_node, "warning")

    def literal_kind(self, node: Node) -> str | None:
        """The kind of a literal list item; None for anything that is not a literal."""
        if not isinstance(node, Literal):
            return None
        return self.infer(node).kind

    def ordering(self, op: str, offset: int, left: str, right: str) -> None:
        if "null" in (left, right):
            self.warn(offset, f"'{op}' with null is always false")
            return
        if "any" in (left, right):
            bad = {"boolean", "list", "items", "object"} & {left, right}
            if bad:
                self.warn(offset, f"'{op}' on {_a(bad.pop())} gives null")
            return
        family = {_FAMILY.get(left), _FAMILY.get(right)}
        if family in ({"number"}, {"text"}):
            return
        self.warn(offset, f"'{op}' compares {_pair(left, right)}, which gives null")

    # -- functions ----------------------------------------------------------------------------

    def call(self, node: Call) -> NameInfo:
        name, args = node.name, node.args
        infos = [self.infer(arg) for arg in args]
        if name == "selected":
            self.selected(args, infos[0])
            return _BOOLEAN
        if name == "answered":
            return _BOOLEAN
        if name == "count":
            return _NUMBER
        if name == "sum":
            self.sum(args, infos[0])
            return _NUMBER
        if name == "today":
            return NameInfo("date")
        if name == "len":
            kind = infos[0].kind
            if kind not in ("string", "date", "list", "items", "any"):
                self.warn(args[0].offset, f"len() of {_a(kind)} gives null")
            return _NUMBER
        if name == "year":
            kind = infos[0].kind
            if kind not in ("string", "date", "any"):
                self.warn(args[0].offset, f"year() of {_a(kind)} gives null (it needs a date)")
            return _NUMBER
        return self.extreme(node, infos)

    def selected(self, args: tuple[Node, ...], info: NameInfo) -> None:
        question = args[0]
        if info.choices is None:
            if info.kind != "any":
                self.error(
                    question.offset,
                    f"selected() needs a choice question, but '{_label(question)}' has no choices",
                )
            return
        self.check_choice(question, info, args[1], "error")

    def sum(self, args: tuple[Node, ...], info: NameInfo) -> None:
        question = args[0]
        label = _label(question)
        if len(args) == 1:
            if info.kind == "items":
                self.error(
                    question.offset,
                    f"'{label}' is a repeat: say which field to add, sum({label}, 'field')",
                )
            elif info.kind != "any":
                self.warn(
                    question.offset,
                    f"sum() adds the numbers of a list, but '{label}' is {_a(info.kind)}"
                    + (" of choices" if info.kind == "list" else ""),
                )
            return
        field_name = _string_literal(args[1]) or ""
        if info.kind not in ("items", "any"):
            self.error(
                question.offset,
                f"sum({label}, '{field_name}') needs a repeat, but '{label}' is {_a(info.kind)}",
            )
            return
        if info.fields is None:
            return
        member = info.fields.get(field_name)
        if member is None:
            hint = did_you_mean(field_name, info.fields)
            self.error(args[1].offset, f"'{field_name}' is not a field of '{label}'{hint}")
        elif member.kind not in ("number", "any"):
            self.warn(
                args[1].offset,
                f"sum() adds numbers, but field '{field_name}' of '{label}' is {_a(member.kind)}",
            )

    def extreme(self, node: Call, infos: list[NameInfo]) -> NameInfo:
        """min() and max(): numbers or strings (dates), never a mix."""
        kinds = [info.kind for info in infos]
        if len(kinds) == 1 and kinds[0] in ("list", "items"):
            if not isinstance(node.args[0], ListExpr):  # a question's list: its elements
                choices = kinds[0] == "list" and infos[0].choices is not None
                return NameInfo("string") if choices else _ANY
            kinds = [self.literal_kind(item) or "any" for item in node.args[0].items]
        known = [kind for kind in kinds if kind not in ("any", "null")]
        bad = [kind for kind in known if kind not in ("number", "string", "date")]
        if bad:
            self.warn(node.offset, f"{node.name}() of {_a(bad[0])} gives null")
            return _NULL
        families = {_FAMILY[kind] for kind in known}
        if len(families) > 1:
            self.warn(node.offset, f"{node.name}() mixes numbers and strings, which gives null")
            return _NULL
        if not known:
            return _ANY
        if families == {"number"}:
            return _NUMBER
        return NameInfo("date") if set(known) == {"date"} else NameInfo("string")
