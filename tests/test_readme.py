"""Every Python example in the README (and docs/) runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Tuple

import pytest

REPO = Path(__file__).resolve().parent.parent


def _examples() -> List[Tuple[str, str]]:
    found = []
    for doc in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        if not doc.exists():
            continue
        text = doc.read_text()
        for index, match in enumerate(re.finditer(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)):
            found.append((f"{doc.name}#{index}", match[1]))
    return found


def test_readme_starts_with_the_two_commands() -> None:
    """The README's first code block is exactly `make demo` and `make test`."""
    text = (REPO / "README.md").read_text()
    first = re.search(r"```sh\n(.*?)```", text, flags=re.DOTALL)
    assert first is not None
    commands = [line.split("#")[0].strip() for line in first[1].splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


@pytest.mark.parametrize(("where", "source"), _examples(), ids=[w for w, _ in _examples()])
def test_example_runs(where: str, source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example executes without error (its own asserts are the check)."""
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": f"readme_example_{where.replace('#', '_').replace('.', '_')}"}
    exec(compile(source, where, "exec"), namespace)
