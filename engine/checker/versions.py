"""Rules that span files: one file per (id, version), and renames that name the previous version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.model import Questionnaire
from engine.yaml_source import Path

if TYPE_CHECKING:
    from engine.checker import CheckResult


def check_versions(
    results: list[CheckResult], published: list[Questionnaire] | tuple[Questionnaire, ...] = ()
) -> None:
    """Report duplicate versions and bad `renamed_from`, appending to each result's problems.

    `published` holds versions already in the database, so a rename is checked against them too.
    """
    seen: dict[tuple[str, int], str] = {q.key: "the database" for q in published}
    known: dict[str, list[Questionnaire]] = {}
    for q in published:
        known.setdefault(q.id, []).append(q)
    for result in results:
        model = result.questionnaire
        if model is None or result.document is None:
            continue
        if model.key in seen:
            result.problems.append(
                result.document.problem(
                    ("version",),
                    f"questionnaire '{model.id}' version {model.version} is also defined in "
                    f"{seen[model.key]}",
                )
            )
            result.problems.sort()
            result.questionnaire = None  # an error: no model, as for any other error
        else:
            seen[model.key] = result.file
            known.setdefault(model.id, []).append(model)
    for result in results:
        model = result.questionnaire
        if model is None or result.document is None:
            continue
        earlier = [q for q in known.get(model.id, []) if q.version < model.version]
        if not earlier:
            continue
        previous = max(earlier, key=lambda q: q.version)
        for path, question in _question_paths(result):
            old_id = question.get("renamed_from")
            if not isinstance(old_id, str):
                continue
            old = previous.by_id.get(old_id)
            at = (*path, "renamed_from")
            if old is None:
                result.problems.append(
                    result.document.problem(
                        at, f"'{old_id}' is not a question of version {previous.version}"
                    )
                )
            elif old.type != question.get("type"):
                result.problems.append(
                    result.document.problem(
                        at,
                        f"'{old_id}' was a {old.type} question in version {previous.version}; "
                        f"a rename keeps the type",
                    )
                )
        result.problems.sort()
        if not result.ok:
            result.questionnaire = None


def _question_paths(result: CheckResult) -> list[tuple[Path, dict]]:
    from engine.checker.context import Context

    assert result.document is not None
    return [(q.path, q.data) for q in Context(result.document).questions]
