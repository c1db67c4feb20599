"""The case folder: every file of tests/cases/definitions/ is checked against its own header.

A case states what `kyoto check` must print for it, in comment lines at the top of the file:

    # expect: 12:9: error: unknown key 'lable' (did you mean 'label'?)
    # expect: ok                       (no problem at all)

The file name is left out; the list must match exactly, in printed order. Add a case by adding
a file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.checker import check_file

CASES = Path(__file__).resolve().parent.parent / "cases" / "definitions"
EXPECT = "# expect:"


def case_files() -> list[Path]:
    return sorted(p for p in CASES.rglob("*") if p.suffix in (".yaml", ".yml"))


def expected(path: Path) -> list[str]:
    """The `# expect:` lines of the leading comment block; `ok` means none."""
    found: list[str] = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        if line.startswith(EXPECT):
            found.append(line[len(EXPECT) :].strip())
    assert found, f"{path.name}: no '# expect:' line at the top of the case"
    if found == ["ok"]:
        return []
    assert "ok" not in found, f"{path.name}: 'ok' cannot be mixed with problems"
    return found


def printed(path: Path) -> list[str]:
    """What `kyoto check` prints for the file, without the file name."""
    return [f"{p.line}:{p.column}: {p.severity}: {p.message}" for p in check_file(path).problems]


def test_the_case_folder_is_not_empty() -> None:
    assert len(case_files()) >= 50


@pytest.mark.parametrize("path", case_files(), ids=lambda p: p.relative_to(CASES).as_posix())
def test_case(path: Path) -> None:
    assert printed(path) == expected(path)
