"""Author `pattern`s: one dialect that Python, JavaScript, Rust and RE2 read the same way.

SPEC §8: a pattern matches the whole answer, `\\d` means `[0-9]`, and only syntax that Python and
JavaScript read alike is accepted. Answers are matched with RE2 (linear time, no ReDoS).
"""

from __future__ import annotations

import re

import re2

# Escapes that mean the same in every engine we care about (after `\d` -> `[0-9]`).
_SAME_EVERYWHERE = set(r".-\/()[]{}*+?|^$ntrf") | {"x"}
_ADVICE = {
    "w": "write [A-Za-z0-9_]",
    "W": "write [^A-Za-z0-9_]",
    "s": "write the characters, e.g. [ \\t]",
    "S": "write a class of the characters allowed",
    "b": "word boundaries differ between engines",
    "B": "word boundaries differ between engines",
    "A": "the whole answer is always matched: leave it out",
    "Z": "the whole answer is always matched: leave it out",
    "z": "the whole answer is always matched: leave it out",
    "p": "Unicode property classes are not portable",
    "u": "write the character itself",
}


def portable(pattern: str) -> str:
    """The pattern with `\\d`/`\\D` spelt out, which JavaScript and Python read differently."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            if nxt == "d":
                out.append("0-9" if in_class else "[0-9]")
            elif nxt == "D" and not in_class:
                out.append("[^0-9]")
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        i += 1
    return "".join(out)


def anchored(pattern: str) -> str:
    """The portable pattern, matching the whole answer."""
    return f"^(?:{portable(pattern)})$"


def pattern_problem(pattern: str) -> str | None:
    """Why a pattern cannot be used, or None when it is fine."""
    found = locate_pattern_problem(pattern)
    return found[0] if found else None


def locate_pattern_problem(pattern: str) -> tuple[str, int] | None:
    """Why a pattern cannot be used and where (an index into the pattern), or None."""
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                return "the pattern ends with a lone backslash", i
            nxt = pattern[i + 1]
            if nxt == "D" and _inside_class(pattern, i):
                return "\\D inside [...] is not portable: write the characters allowed", i
            if nxt.isdigit() and nxt != "0":
                return "back-references are not allowed (they make matching slow)", i
            if nxt not in _SAME_EVERYWHERE and nxt not in "dD":
                advice = _ADVICE.get(nxt, "it is read differently by Python and JavaScript")
                return f"the escape \\{nxt} is not allowed: {advice}", i
            i += 2
            continue
        if pattern.startswith("(?", i) and not pattern.startswith("(?:", i):
            return "only (?:...) groups are allowed: no look-around, flags or named groups", i
        if pattern.startswith("{,", i):
            return "write {0,n}: Python and JavaScript read {,n} differently", i
        if pattern.startswith("[:", i) or pattern.startswith("[[:", i):
            return "POSIX classes like [[:alpha:]] are not portable", i
        i += 1
    try:  # as written first, so that a position means something to the author
        re.compile(pattern)
    except re.error as error:
        return f"the pattern does not compile: {error.msg}", error.pos or 0
    try:
        re.compile(anchored(pattern))
        re2.compile(anchored(pattern))
    except (re.error, re2.error) as error:
        return f"the pattern does not compile: {error}", 0
    return None


def _inside_class(pattern: str, index: int) -> bool:
    depth = False
    i = 0
    while i < index:
        if pattern[i] == "\\":
            i += 2
            continue
        if pattern[i] == "[":
            depth = True
        elif pattern[i] == "]":
            depth = False
        i += 1
    return depth


_VARIABLE_COUNT = re.compile(r"\{[0-9]*,[0-9]*\}")


def _nested_quantifier(pattern: str) -> int | None:
    """Index of a repeated group that holds a variable repetition: `(a+)+`, `(x{1,3})*`.

    A single left-to-right scan (a regular expression here would itself backtrack on long
    patterns); `(\\d{3})*` and `([+*])+` are not nested quantifiers.
    """
    groups: list[list[int | bool]] = []  # [start, holds a variable repetition]
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            i += 1
            if pattern.startswith("^", i):
                i += 1
            if pattern.startswith("]", i):  # a leading ']' is a literal
                i += 1
            continue
        elif char == "(":
            groups.append([i, False])
        elif char == ")" and groups:
            start, variable = groups.pop()
            if variable and pattern[i + 1 : i + 2] in ("+", "*", "{"):
                return int(start)
            if variable and groups:
                groups[-1][1] = True
        elif groups and (char in "+*" or _VARIABLE_COUNT.match(pattern, i)):
            groups[-1][1] = True
        i += 1
    return None


def pattern_warning(pattern: str) -> str | None:
    """Nested quantifiers are linear on RE2 but explode in backtracking engines (browsers)."""
    found = locate_pattern_warning(pattern)
    return found[0] if found else None


def locate_pattern_warning(pattern: str) -> tuple[str, int] | None:
    """The nested-quantifier warning and the index of the group it is about, or None."""
    start = _nested_quantifier(pattern)
    if start is not None:
        return (
            "nested quantifiers such as (a+)+ make backtracking validators (browsers, "
            "other JSON Schema tools) very slow on some answers; simplify the pattern",
            start,
        )
    return None
