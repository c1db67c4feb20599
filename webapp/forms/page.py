"""The controls of a questionnaire page besides the answers: which button, which version.

Buttons are `<button name="action" value="...">`: `save`, `submit`, `add:<repeat>` and
`remove:<repeat>:<index>` (adding and removing repeat items works without JavaScript). The
hidden `version` is the response's revision counter the page was drawn from (the optimistic
lock); `confirm`, `theirs` and `confidential` are checkboxes whose values are answer paths, and
`justification:<path>` textareas justify warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from engine.model import Section

JUSTIFICATION = "justification:"
CONTROL_FIELDS = frozenset({"csrf_token", "action", "version", "confirm", "theirs", "confidential"})
"""The page's own inputs, beside the answers' (and `justification:<path>` textareas)."""
MAX_JUSTIFICATION = 2000
_ADD = re.compile(r"add:([a-z][a-z0-9_]*)")
_REMOVE = re.compile(r"remove:([a-z][a-z0-9_]*):([0-9]{1,4})")
_PATH = re.compile(r"(/[a-z][a-z0-9_]*)(/[0-9]{1,4}/[a-z][a-z0-9_]*)?")


@dataclass
class Controls:
    action: str = "save"
    """`save`, `submit`, `add` or `remove`."""
    repeat: str = ""
    index: int = -1
    version: int = -1
    """-1 when missing or garbled: any existing response is then newer (a stale save)."""
    confirmed: list[str] = field(default_factory=list)
    theirs: list[str] = field(default_factory=list)
    confidential: list[str] = field(default_factory=list)
    justifications: dict[str, str] = field(default_factory=dict)
    """Posted justifications by answer path; "" means the text was cleared."""


def section_paths(section: Section) -> set[str]:
    """Top-level answer paths of a section (`/q` and `/q_other`)."""
    paths = set()
    for question in section.questions:
        paths.add(f"/{question.id}")
        if question.other:
            paths.add(f"/{question.other_key}")
    return paths


def in_section(path: str, section: Section) -> bool:
    top = "/" + path.split("/")[1] if path.startswith("/") else path
    return top in section_paths(section)


def read_controls(formdata: Any, section: Section) -> Controls:
    controls = Controls()
    action = formdata.get("action", "save")
    if action == "submit":
        controls.action = "submit"
    elif match := _ADD.fullmatch(action):
        controls.action, controls.repeat = "add", match.group(1)
    elif match := _REMOVE.fullmatch(action):
        controls.action, controls.repeat, controls.index = (
            "remove",
            match.group(1),
            int(match.group(2)),
        )
    version = formdata.get("version", "")
    controls.version = (
        int(version) if version.isascii() and version.isdigit() and len(version) < 10 else -1
    )
    controls.confirmed = _paths(formdata.getlist("confirm"), section)
    controls.theirs = _paths(formdata.getlist("theirs"), section)
    controls.confidential = _paths(formdata.getlist("confidential"), section)
    for key in formdata:
        if key.startswith(JUSTIFICATION):
            path = key[len(JUSTIFICATION) :]
            if _PATH.fullmatch(path) and in_section(path, section):
                text = formdata.get(key, "").replace("\r\n", "\n")
                controls.justifications[path] = text.strip()[:MAX_JUSTIFICATION]
    return controls


def _paths(values: Iterable[str], section: Section) -> list[str]:
    return sorted({v for v in values if _PATH.fullmatch(v) and in_section(v, section)})
