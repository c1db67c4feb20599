"""What the meaning checks share: the raw definition indexed once, and where to report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from engine.expressions import Node
from engine.problems import Problem, Severity
from engine.yaml_source import Path, SourceDocument


@dataclass(eq=False)
class RawQuestion:
    """A question mapping of the YAML, with where it sits."""

    path: Path
    data: dict[str, Any]
    repeat: RawQuestion | None = None

    @property
    def id(self) -> str | None:
        value = self.data.get("id")
        return value if isinstance(value, str) else None

    @property
    def type(self) -> str | None:
        value = self.data.get("type")
        return value if isinstance(value, str) else None

    def members(self) -> list[dict[str, Any]]:
        members = self.data.get("questions")
        return members if self.type == "repeat" and isinstance(members, list) else []


@dataclass
class Context:
    document: SourceDocument
    problems: list[Problem] = field(default_factory=list)
    parsed: dict[Path, Node] = field(default_factory=dict)
    """Expressions that parsed, by the path of their YAML value: the model builder reuses them."""

    @property
    def data(self) -> dict[str, Any]:
        data = self.document.data
        return data if isinstance(data, dict) else {}

    @property
    def languages(self) -> list[str]:
        languages = self.data.get("languages")
        if isinstance(languages, list) and languages and all(isinstance(x, str) for x in languages):
            return languages
        return ["en"]

    def report(
        self,
        path: Path,
        message: str,
        severity: Severity = "error",
        *,
        at_key: bool = False,
        offset: int | None = None,
    ) -> None:
        self.problems.append(
            self.document.problem(path, message, severity, at_key=at_key, offset=offset)
        )

    def warn(self, path: Path, message: str, *, at_key: bool = False) -> None:
        self.report(path, message, "warning", at_key=at_key)

    def line_of(self, path: Path) -> int:
        return self.document.position(path).line

    def sections(self) -> Iterator[tuple[Path, dict[str, Any]]]:
        sections = self.data.get("sections")
        for index, section in enumerate(sections if isinstance(sections, list) else []):
            if isinstance(section, dict):
                yield ("sections", index), section

    @property
    def questions(self) -> list[RawQuestion]:
        """Every question mapping in definition order, each repeat followed by its members."""
        if not hasattr(self, "_questions"):
            found: list[RawQuestion] = []
            for section_path, section in self.sections():
                questions = section.get("questions")
                for index, data in enumerate(questions if isinstance(questions, list) else []):
                    if not isinstance(data, dict):
                        continue
                    question = RawQuestion((*section_path, "questions", index), data)
                    found.append(question)
                    for member_index, member in enumerate(question.members()):
                        if isinstance(member, dict):
                            member_path = (*question.path, "questions", member_index)
                            found.append(RawQuestion(member_path, member, question))
            self._questions = found
        return self._questions

    @property
    def by_id(self) -> dict[str, RawQuestion]:
        """The first question with each id."""
        if not hasattr(self, "_by_id"):
            self._by_id: dict[str, RawQuestion] = {}
            for question in self.questions:
                if question.id is not None:
                    self._by_id.setdefault(question.id, question)
        return self._by_id

    @property
    def choice_lists(self) -> dict[str, list[Any]]:
        lists = self.data.get("choices")
        if not isinstance(lists, dict):
            return {}
        return {name: items for name, items in lists.items() if isinstance(items, list)}

    def choices_of(self, question: RawQuestion) -> list[Any] | None:
        """The choice mappings a question offers, or None when they cannot be known."""
        choices = question.data.get("choices")
        if isinstance(choices, str):
            return self.choice_lists.get(choices)
        return choices if isinstance(choices, list) else None

    def choice_values(self, question: RawQuestion) -> frozenset[str] | None:
        choices = self.choices_of(question)
        if choices is None:
            return None
        values = {
            c["value"] for c in choices if isinstance(c, dict) and isinstance(c.get("value"), str)
        }
        if question.data.get("other") is True:
            values.add("other")
        return frozenset(values)
