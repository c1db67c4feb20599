"""Questionnaire versions: publish checked YAML (immutable once published), read models back."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from engine.checker import CheckResult, check_source, definition_files
from engine.checker.versions import check_versions
from engine.model import Questionnaire
from engine.problems import Problem
from webapp.extensions import db
from webapp.models import QuestionnaireVersion, User
from webapp.services import Conflict, Invalid, NotFound
from webapp.services.audit import record

_MODELS: dict[str, Questionnaire] = {}


class DefinitionRejected(Invalid):
    """A definition with errors: `problems` lists them with their lines."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the definition has errors:\n" + "\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Published:
    version: QuestionnaireVersion
    created: bool
    """False when the very same source was already published (publishing is idempotent)."""


def model_of(row: QuestionnaireVersion) -> Questionnaire:
    """The checked model of a stored version (built once per source, then cached)."""
    model = _MODELS.get(row.source_hash)
    if model is None:
        result = check_source(row.source, f"{row.questionnaire_id}@v{row.version}")
        if result.questionnaire is None:
            raise DefinitionRejected(result.errors)
        model = _MODELS[row.source_hash] = result.questionnaire
    return model


def published_models() -> list[Questionnaire]:
    return [model_of(row) for row in db.session.scalars(select(QuestionnaireVersion))]


def check_for_publication(source: str, file: str) -> CheckResult:
    """`kyoto check` plus the rules against versions already published (renames, duplicates)."""
    result = check_source(source, file)
    if result.questionnaire is not None:
        others = [m for m in published_models() if m.key != result.questionnaire.key]
        check_versions([result], others)
    return result


def publish(source: str, file: str = "<upload>", actor: User | None = None) -> Published:
    """Publish a definition; the same source again is a no-op, a changed one is refused (D9)."""
    result = check_for_publication(source, file)
    if result.questionnaire is None:
        raise DefinitionRejected(result.errors)
    model = result.questionnaire
    source_hash = hashlib.sha256(source.encode("utf-8")).hexdigest()
    existing = find_version(model.id, model.version, missing_ok=True)
    if existing is not None:
        if existing.source_hash == source_hash:
            return Published(existing, created=False)
        raise Conflict(
            f"{model.id} version {model.version} is already published with other content; "
            f"a published version never changes: publish version {model.version + 1} instead",
            code="version_already_published",
            params={"questionnaire": model.id, "version": model.version, "next": model.version + 1},
        )
    row = QuestionnaireVersion(
        questionnaire_id=model.id,
        version=model.version,
        title=dict(model.title),
        source=source,
        source_hash=source_hash,
        published_by_id=actor.id if actor else None,
    )
    db.session.add(row)
    db.session.flush()
    record("publish", "questionnaire_version", row.key, actor, file=file)
    return Published(row, created=True)


def publish_paths(paths: Iterable[str], actor: User | None = None) -> list[Published]:
    """Publish every YAML file under the paths, oldest versions first so renames resolve."""
    sources = [(str(p), Path(p).read_text(encoding="utf-8")) for p in definition_files(paths)]
    checked = [(file, text, check_source(text, file)) for file, text in sources]
    problems = [p for _, _, r in checked for p in r.errors]
    if problems:
        raise DefinitionRejected(problems)
    checked.sort(key=lambda item: item[2].questionnaire.version)  # type: ignore[union-attr]
    return [publish(text, file, actor) for file, text, _ in checked]


def find_version(
    questionnaire_id: str, version: int, *, missing_ok: bool = False
) -> QuestionnaireVersion | None:
    row = db.session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.questionnaire_id == questionnaire_id,
            QuestionnaireVersion.version == version,
        )
    )
    if row is None and not missing_ok:
        raise NotFound(
            f"{questionnaire_id} version {version} is not published",
            code="version_not_published",
            params={"questionnaire": questionnaire_id, "version": version},
        )
    return row
