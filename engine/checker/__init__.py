"""`kyoto check`: read, check structure, check meaning, build the model; all problems in one pass.

result = check_file("questionnaires/kyoto-core.yaml")
result.problems      # sorted Problem list (errors and warnings)
result.questionnaire # the frozen model, when there is no error
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engine.checker.build import build_questionnaire
from engine.checker.coerce import coerce_strings
from engine.checker.context import Context
from engine.checker.references import check_expressions
from engine.checker.semantics import CHECKS
from engine.checker.structure import check_structure
from engine.model import Questionnaire
from engine.problems import DefinitionLoadError, Problem
from engine.yaml_source import SourceDocument, load_file, load_source

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class CheckResult:
    file: str
    problems: list[Problem] = field(default_factory=list)
    questionnaire: Questionnaire | None = None
    document: SourceDocument | None = None

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def check_document(document: SourceDocument, source: str) -> CheckResult:
    """Every check on a loaded document; the model is built only when nothing is wrong."""
    coerce_strings(document)
    problems = list(document.problems)
    problems += check_structure(document)
    ctx = Context(document)
    for check in CHECKS:
        check(ctx)
    check_expressions(ctx)
    problems += ctx.problems
    result = CheckResult(document.file, sorted(set(problems)), document=document)
    if result.ok:
        result.questionnaire = build_questionnaire(ctx, source)
    return result


def check_source(source: str | bytes, file: str = "<string>") -> CheckResult:
    try:
        document = load_source(source, file)
    except DefinitionLoadError as error:
        return CheckResult(file, [error.problem])
    text = source.decode("utf-8-sig") if isinstance(source, bytes) else source
    return check_document(document, text)


def check_file(path: str | os.PathLike[str]) -> CheckResult:
    try:
        document = load_file(path)
    except DefinitionLoadError as error:
        return CheckResult(str(path), [error.problem])
    text = Path(path).read_bytes().decode("utf-8-sig")
    return check_document(document, text)


def definition_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The YAML files named or found (recursively, sorted) under the given paths."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file())
        else:
            found.append(path)
    return found


def check_paths(paths: Sequence[str | os.PathLike[str]]) -> list[CheckResult]:
    """Check files and folders, then the rules that span files (versions, renames)."""
    from engine.checker.versions import check_versions

    results = [check_file(path) for path in definition_files(paths)]
    check_versions(results)
    return results


def load_questionnaire(path: str | os.PathLike[str]) -> Questionnaire:
    """The checked model of one file, or DefinitionError listing every error."""
    result = check_file(path)
    if result.questionnaire is None:
        raise DefinitionError(result.errors)
    return result.questionnaire


class DefinitionError(Exception):
    """A definition with errors was used where a checked one is needed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems
