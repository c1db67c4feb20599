"""Hardened YAML loading for questionnaire definitions, keeping the line and column of every node.

`kyoto check` must point at the offending YAML node, so the tree is built here from
PyYAML's event stream rather than with `yaml.safe_load`, which forgets positions. Building
it ourselves also lets us refuse what is dangerous before it costs anything (RELIABILITY
§3.1, rows D1-D5): anchors and aliases (billion laughs), tags (code execution), deep
nesting (RecursionError), oversized files, and YAML 1.1 implicit typing (`no` -> False,
`012` -> 10, `2024-01-01` -> date), which would silently change what the author wrote.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.problems import DefinitionLoadError, Problem, Severity

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Path",
    "Position",
    "Scalar",
    "SourceDocument",
    "load_file",
    "load_source",
]

Path = tuple[str | int, ...]

MAX_BYTES = 1024 * 1024  # SPEC §8: a file over 1 MiB is refused
MAX_DEPTH = 64  # SPEC §8: nesting deeper than 64 is refused

# The C parser is ~10x faster; the pure-Python one is only a fallback for installs
# without libyaml. Both are event parsers: neither constructs Python objects.
_LOADER: type = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
_USES_LIBYAML = _LOADER is not yaml.SafeLoader

_STD_TAG = "tag:yaml.org,2002:"
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
# Unlike YAML 1.2's core schema, a float needs a dot or an exponent and no leading zero,
# so codes such as `012` or `01.2` stay the strings they were written as.
_FLOAT_RE = re.compile(r"[-+]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
# libyaml counts these as line breaks, so our line arithmetic must too.
_BREAK_RE = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_SIMPLE_ESCAPE_WIDTH = {"x": 4, "u": 6, "U": 10}

_STANDARD_TAGS = frozenset({"str", "int", "float", "bool", "null", "map", "seq"})
_STYLES = {None: "plain", "": "plain", "'": "'", '"': '"', "|": "|", ">": ">"}


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column, as editors count them."""

    line: int
    column: int


@dataclass(frozen=True, slots=True)
class Scalar:
    """How a scalar was written, so checks can tell `"012"` from `12` and point inside it."""

    text: str
    style: str
    multiline: bool


@dataclass
class SourceDocument:
    """A loaded definition plus where every node came from, for located error messages."""

    file: str
    data: Any
    positions: dict[Path, Position]
    key_positions: dict[Path, Position]
    scalars: dict[Path, Scalar]
    problems: list[Problem]
    _source: str = field(default="", repr=False, compare=False)
    _lines: list[str] | None = field(default=None, repr=False, compare=False)

    def position(self, path: Sequence[str | int]) -> Position:
        """Nearest known position, so a missing key is reported at the mapping that lacks it."""
        key = tuple(path)
        positions = self.positions
        for end in range(len(key), -1, -1):
            found = positions.get(key[:end])
            if found is not None:
                return found
        return Position(1, 1)

    def key_position(self, path: Sequence[str | int]) -> Position:
        """Where the key of this entry is written; unknown keys fall back to `position`."""
        found = self.key_positions.get(tuple(path))
        return found if found is not None else self.position(path)

    def problem(
        self,
        path: Sequence[str | int],
        message: str,
        severity: Severity = "error",
        *,
        at_key: bool = False,
        offset: int | None = None,
    ) -> Problem:
        """A Problem at that node; `offset` points inside a one-line scalar (an expression)."""
        key = tuple(path)
        pos = self.key_position(key) if at_key else self.position(key)
        column = pos.column
        if offset is not None and not at_key:
            scalar = self.scalars.get(key)
            if (
                scalar is not None
                and not scalar.multiline
                and scalar.style in ("plain", "'", '"')
                and key in self.positions
            ):
                column = self._column_at(pos, scalar, offset)
        return Problem(self.file, pos.line, column, severity, message)

    def _column_at(self, pos: Position, scalar: Scalar, offset: int) -> int:
        """Column of the `offset`-th character of a one-line scalar, skipping quotes and escapes.

        Without the source text (a hand-built document) the plain formula is used:
        scalar column + offset, +1 for an opening quote.
        """
        quoted = scalar.style in ("'", '"')
        line = self._line(pos.line)
        start = pos.column - 1
        if line is None or start >= len(line):
            return pos.column + offset + (1 if quoted else 0)
        if line.startswith("!", start):  # an explicit standard tag: skip it and the blanks
            while start < len(line) and line[start] not in " \t":
                start += 1
            while start < len(line) and line[start] in " \t":
                start += 1
        if not quoted:
            return start + 1 + offset
        index = start + 1  # skip the opening quote
        for _ in range(max(offset, 0)):
            if index >= len(line):
                break
            char = line[index]
            if scalar.style == "'" and char == "'":
                index += 2  # '' is one quote
            elif scalar.style == '"' and char == "\\" and index + 1 < len(line):
                index += _SIMPLE_ESCAPE_WIDTH.get(line[index + 1], 2)
            else:
                index += 1
        return index + 1

    def _line(self, line: int) -> str | None:
        """The source text of a 1-based line, split the way libyaml counts lines."""
        if not self._source:
            return None
        if self._lines is None:
            self._lines = _BREAK_RE.split(self._source)
        return self._lines[line - 1] if 0 < line <= len(self._lines) else None


class _Frame:
    """One open mapping or sequence on the explicit build stack (no recursion, ever)."""

    __slots__ = ("container", "is_map", "key", "key_is_duplicate", "path", "record", "seen")

    def __init__(self, container: dict | list, path: Path, record: bool) -> None:
        self.container = container
        self.path = path
        self.is_map = isinstance(container, dict)
        self.record = record  # False inside the value of a duplicate key: it is dropped
        self.key: str | None = None  # the key waiting for its value (mappings only)
        self.key_is_duplicate = False
        self.seen: dict[str, int] = {}  # key -> line of its first occurrence


def load_file(path: str | os.PathLike[str]) -> SourceDocument:
    """Load a definition file, refusing an oversized one before reading or parsing it."""
    name = os.fsdecode(path)
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_BYTES:
                raise _fatal(name, 1, 1, _too_large(size))
            raw = handle.read(MAX_BYTES + 1)  # a pipe or growing file has no reliable size
    except OSError as exc:
        raise _fatal(name, 1, 1, f"cannot read the file: {exc.strerror or exc}") from None
    if len(raw) > MAX_BYTES:
        raise _fatal(name, 1, 1, _too_large(len(raw), at_least=True))
    return load_source(raw, name)


def load_source(source: str | bytes, file: str) -> SourceDocument:
    """Load definition text (bytes must be UTF-8); fatal problems raise DefinitionLoadError."""
    text = _decode(source, file)
    document = SourceDocument(file, None, {}, {}, {}, [], _source=text)
    events = _events(text)
    try:
        _build(events, document)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except yaml.YAMLError as exc:  # any other parser complaint, still a clean load error
        raise _fatal(file, 1, 1, f"invalid YAML: {exc}") from None
    except RecursionError:  # defensive: our builder and libyaml do not recurse
        raise _fatal(file, 1, 1, f"nesting deeper than {MAX_DEPTH} levels") from None
    finally:
        events.close()  # frees the libyaml parser now, not whenever the generator is collected
    return document


def _events(text: str) -> Generator[yaml.Event, None, None]:
    """The parser's events, lazily, so a refusal stops parsing at the offending node."""
    return yaml.parse(text, Loader=_LOADER)


def _build(events: Iterator[yaml.Event], doc: SourceDocument) -> None:
    """Build `doc.data` from events with an explicit stack, recording positions as we go."""
    file = doc.file
    positions = doc.positions
    key_positions = doc.key_positions
    scalars = doc.scalars
    problems = doc.problems
    stack: list[_Frame] = []
    documents = 0
    scalar_event = yaml.ScalarEvent
    mapping_start = yaml.MappingStartEvent
    sequence_start = yaml.SequenceStartEvent

    for event in events:
        kind = event.__class__
        if kind is scalar_event or kind is mapping_start or kind is sequence_start:
            mark = event.start_mark
            if event.anchor is not None:
                raise _fatal_at(file, mark, "anchors and aliases are not allowed")
            top = stack[-1] if stack else None

            if top is not None and top.is_map and top.key is None:  # a mapping key
                if kind is not scalar_event:
                    what = "mapping" if kind is mapping_start else "list"
                    raise _fatal_at(file, mark, f"a mapping key must be a scalar, not a {what}")
                if event.tag is not None:
                    _tagged_scalar(event, file)  # validates; keys are kept as written
                key = event.value
                line = mark.line + 1
                first_line = top.seen.get(key)
                if first_line is not None:
                    problems.append(
                        Problem(
                            file,
                            line,
                            mark.column + 1,
                            "error",
                            f"duplicate key '{key}' (first at line {first_line})",
                        )
                    )
                    top.key_is_duplicate = True
                else:
                    top.seen[key] = line
                    top.key_is_duplicate = False
                    if top.record:
                        key_positions[(*top.path, key)] = Position(line, mark.column + 1)
                top.key = key
                continue

            # A value: the root, a sequence item, or the value of a mapping entry.
            if top is None:
                path: Path = ()
                record = True
            elif top.is_map:
                path = (*top.path, top.key)
                record = top.record and not top.key_is_duplicate
            else:
                path = (*top.path, len(top.container))
                record = top.record

            value: Any
            if kind is scalar_event:
                value = _scalar_value(event, file)
                if record:
                    positions[path] = Position(mark.line + 1, mark.column + 1)
                    scalars[path] = Scalar(
                        event.value,
                        _STYLES.get(event.style, "plain"),
                        event.end_mark.line > mark.line,
                    )
            else:
                if len(stack) >= MAX_DEPTH:
                    raise _fatal_at(file, mark, f"nesting deeper than {MAX_DEPTH} levels")
                is_map = kind is mapping_start
                _check_collection_tag(event.tag, is_map, file, mark)
                value = {} if is_map else []
                if record:
                    positions[path] = Position(mark.line + 1, mark.column + 1)

            if top is None:
                doc.data = value
            elif top.is_map:
                if not top.key_is_duplicate:  # the first value wins
                    top.container[top.key] = value
                top.key = None
            else:
                top.container.append(value)

            if kind is not scalar_event:
                stack.append(_Frame(value, path, record))

        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            stack.pop()
        elif kind is yaml.AliasEvent:
            raise _fatal_at(file, event.start_mark, "anchors and aliases are not allowed")
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _fatal_at(
                    file,
                    event.start_mark,
                    "more than one YAML document in the file; put one questionnaire per file",
                )

    if documents == 0:
        raise _fatal(file, 1, 1, "the file is empty")


def _resolve_plain(text: str) -> Any:
    """Resolve a plain scalar with the narrow set of types a definition needs (no Norway)."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    first = text[0]
    if first.isdigit() or first in "+-.":
        if _INT_RE.fullmatch(text):
            return int(text)
        if _FLOAT_RE.fullmatch(text):
            number = float(text)
            if math.isfinite(number):  # `1e999` stays text: JSON has no infinity
                return number
    return text


def _scalar_value(event: yaml.ScalarEvent, file: str) -> Any:
    """The Python value of a scalar node: only plain scalars are typed, the rest are text."""
    if event.tag is not None:
        return _tagged_scalar(event, file)
    if event.style:  # quoted or block
        return event.value
    return _resolve_plain(event.value)


def _tagged_scalar(event: yaml.ScalarEvent, file: str) -> Any:
    """Honour an explicit standard scalar tag (`!!str 012`), refusing anything else."""
    tag = event.tag
    text = event.value
    name = tag[len(_STD_TAG) :] if tag.startswith(_STD_TAG) else None
    if name == "str":
        return text
    if name in ("int", "float", "bool", "null"):
        value = _resolve_plain(text)
        fits = (
            (name == "int" and type(value) is int)
            or (name == "float" and type(value) in (int, float))
            or (name == "bool" and type(value) is bool)
            or (name == "null" and value is None)
        )
        if not fits:
            raise _fatal_at(file, event.start_mark, f"'{text}' is not a valid !!{name}")
        return float(value) if name == "float" else value
    if name in ("map", "seq"):
        raise _fatal_at(file, event.start_mark, f"the tag !!{name} cannot be used on a scalar")
    raise _fatal_at(file, event.start_mark, "tags are not allowed")


def _check_collection_tag(tag: str | None, is_map: bool, file: str, mark: Any) -> None:
    """Only `!!map` on a mapping and `!!seq` on a list are harmless; refuse any other tag."""
    what = "map" if is_map else "seq"
    if tag is None or tag == _STD_TAG + what:
        return
    name = tag[len(_STD_TAG) :] if tag.startswith(_STD_TAG) else None
    if name in _STANDARD_TAGS:
        kind = "mapping" if is_map else "list"
        raise _fatal_at(file, mark, f"the tag !!{name} cannot be used on a {kind}")
    raise _fatal_at(file, mark, "tags are not allowed")


def _decode(source: str | bytes, file: str) -> str:
    """Check the size first (cheap), then the encoding; return text without a BOM."""
    if isinstance(source, str):
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > MAX_BYTES:
            raise _fatal(file, 1, 1, _too_large(size))
        try:
            source.encode("utf-8")
        except UnicodeEncodeError as exc:
            line, column = _line_column(source[: exc.start])
            raise _fatal(file, line, column, "the text contains an unpaired surrogate") from None
        text = source
    else:
        if len(source) > MAX_BYTES:
            raise _fatal(file, 1, 1, _too_large(len(source)))
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            prefix = source[: exc.start].decode("utf-8").removeprefix("\ufeff")
            line, column = _line_column(prefix)
            bad = source[exc.start]
            raise _fatal(
                file, line, column, f"the file is not valid UTF-8 (byte 0x{bad:02X})"
            ) from None
    return text.removeprefix("\ufeff")


def _line_column(prefix: str) -> tuple[int, int]:
    """1-based line and column of the character just after `prefix`."""
    breaks = list(_BREAK_RE.finditer(prefix))
    if not breaks:
        return 1, len(prefix) + 1
    return len(breaks) + 1, len(prefix) - breaks[-1].end() + 1


def _too_large(size: int, *, at_least: bool = False) -> str:
    """The size refusal message; `at_least` when the reader stopped before the end."""
    amount = f"over {MAX_BYTES:,}" if at_least else f"{size:,}"
    return f"file is {amount} bytes; the limit is {MAX_BYTES:,} (1 MiB)"


def _syntax_error(exc: yaml.MarkedYAMLError, file: str) -> DefinitionLoadError:
    """A parser error at the parser's mark, with its context when that helps to find it."""
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    problem = exc.problem or exc.context or "invalid YAML"
    if problem == "exceeded maximum nesting depth":  # libyaml's own limit (1000) on flow nesting
        return _fatal(file, line, column, f"nesting deeper than {MAX_DEPTH} levels")
    message = problem
    if exc.problem and exc.context:
        context_mark = exc.context_mark
        where = (
            f" at line {context_mark.line + 1}, column {context_mark.column + 1}"
            if context_mark is not None
            else ""
        )
        message = f"{problem} ({exc.context}{where})"
    return _fatal(file, line, column, message)


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> DefinitionLoadError:
    """A forbidden character: libyaml gives a UTF-8 byte offset, pure PyYAML a character one."""
    position = exc.position
    if _USES_LIBYAML:
        prefix = text.encode("utf-8")[:position].decode("utf-8", "ignore")
    else:
        prefix = text[:position]
    line, column = _line_column(prefix)
    character = exc.character
    code = character if isinstance(character, int) else ord(character[:1] or "\0")
    return _fatal(file, line, column, f"{exc.reason} (U+{code:04X})")


def _fatal(file: str, line: int, column: int, message: str) -> DefinitionLoadError:
    """Every refusal is one located Problem, so callers print it like any other."""
    return DefinitionLoadError(Problem(file, line, column, "error", message))


def _fatal_at(file: str, mark: Any, message: str) -> DefinitionLoadError:
    """A refusal at a parser mark (0-based) converted to editor coordinates."""
    return _fatal(file, mark.line + 1, mark.column + 1, message)
