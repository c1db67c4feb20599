"""The README stays true: every question type documented, every full example checks cleanly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.checker import check_source
from engine.types import REGISTRY
from webapp.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
YAML_BLOCKS = re.findall(r"```yaml\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_question_type_is_in_the_type_table(type_name: str) -> None:
    assert f"| `{type_name}` |" in README


@pytest.mark.parametrize("type_name", sorted(REGISTRY))
def test_every_question_type_has_an_example(type_name: str) -> None:
    assert any(f"type: {type_name}" in block for block in YAML_BLOCKS)


@pytest.mark.parametrize("block", [b for b in YAML_BLOCKS if b.startswith("id:")])
def test_full_examples_check_without_problems(block: str) -> None:
    result = check_source(block, "README.md")
    assert [str(p) for p in result.problems] == []


cli._load_web_commands()


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_is_documented(command: str) -> None:
    assert f"`kyoto {command}" in README
