"""The built-in functions' signatures, shared by the parser, `from_json` and the analysis.

Arity and argument forms are checked without any scope, so they are syntax errors: a typo in a
function name is reported by `parse`, like a missing parenthesis.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.problems import did_you_mean

from .ast import Literal, Name, Node, ValueRef


@dataclass(frozen=True, slots=True)
class Signature:
    """How many arguments a function takes and which must be written in a fixed form."""

    min_args: int
    max_args: int | None  # None = any number
    question_first: bool = False  # the first argument is a question name (or `value`)
    string_second: bool = False  # the second argument is a string literal


FUNCTIONS: dict[str, Signature] = {
    "selected": Signature(2, 2, question_first=True, string_second=True),
    "count": Signature(1, 1, question_first=True),
    "sum": Signature(1, 2, question_first=True, string_second=True),
    "answered": Signature(1, 1, question_first=True),
    "len": Signature(1, 1),
    "min": Signature(1, None),
    "max": Signature(1, None),
    "today": Signature(0, 0),
    "year": Signature(1, 1),
}


def unknown_function_message(name: str) -> str | None:
    """The error for a name that is not a function, or None when it is one."""
    if name in FUNCTIONS:
        return None
    return f"unknown function '{name}'{did_you_mean(name, FUNCTIONS)}"


def _arity_text(signature: Signature) -> str:
    low, high = signature.min_args, signature.max_args
    if high is None:
        return f"at least {low} argument{'s' if low != 1 else ''}"
    if low == high:
        return "no arguments" if low == 0 else f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} or {high} arguments" if high == low + 1 else f"{low} to {high} arguments"


def check_call(name: str, args: tuple[Node, ...], offset: int) -> tuple[str, int] | None:
    """The first problem of a call as (message, offset), or None when the call is well formed.

    `offset` is where the function name starts; arity errors point there, argument-form errors
    point at the argument.
    """
    unknown = unknown_function_message(name)
    if unknown is not None:
        return unknown, offset
    signature = FUNCTIONS[name]
    count = len(args)
    too_many = signature.max_args is not None and count > signature.max_args
    if count < signature.min_args or too_many:
        return f"{name}() takes {_arity_text(signature)}, got {count}", offset
    if signature.question_first and not isinstance(args[0], Name | ValueRef):
        return f"the first argument of {name}() must be a question name", args[0].offset
    if signature.string_second and count > 1:
        second = args[1]
        if not (isinstance(second, Literal) and isinstance(second.value, str)):
            what = "choice value" if name == "selected" else "field name"
            message = f"the second argument of {name}() must be a {what} in quotes"
            return message, second.offset
    return None
