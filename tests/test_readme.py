"""Every Python example in README.md and on every docs/*.md page runs.

The convention (also stated in docs/index.md): a code block fenced as ``python`` is
executed, in a fresh namespace with a temporary working directory, and its own asserts
are the check.  Blocks that are not Python to run are fenced with another language from
``NOT_RUN`` (output, shell sessions, configuration), and the MyST directives in
``DIRECTIVES`` are allowed on the docs pages.  Any other fence language (``py``,
``python3``, ``pycon``, none at all, ...) fails ``test_every_block_has_a_known_language``,
so no Python example is skipped silently.
"""

from __future__ import annotations

import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import List

import cloudpickle
import pytest

REPO = Path(__file__).resolve().parent.parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]

RUN = "python"
NOT_RUN = frozenset({"text", "console", "sh", "ini", "toml", "json"})
DIRECTIVES = frozenset({"{toctree}", "{eval-rst}"})

_OPENING = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^`]*)$")


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown file."""

    doc: Path
    line: int  # of the opening fence, 1-based
    language: str  # the first word of the info string, "" if none
    source: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"


def _blocks(doc: Path) -> List[Block]:
    """The fenced code blocks of ``doc``, in order (CommonMark fences, not nested)."""
    blocks: List[Block] = []
    lines = doc.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        closing = re.compile(rf"^ {{0,3}}{re.escape(fence[0])}{{{len(fence)},}}\s*$")
        end = index + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        # CommonMark: up to the opening fence's indentation is removed from each line.
        body = [line[min(indent, len(line) - len(line.lstrip(' '))) :] for line in lines[index + 1 : end]]
        info = opening["info"].strip()
        blocks.append(Block(doc, index + 1, info.split()[0] if info else "", "\n".join(body) + "\n"))
        index = end + 1
    return blocks


ALL_BLOCKS = [block for doc in DOCS for block in _blocks(doc)]
EXAMPLES = [block for block in ALL_BLOCKS if block.language == RUN]


def test_readme_starts_with_the_two_commands() -> None:
    """The README's first code block is exactly `make demo` and `make test`."""
    first = _blocks(REPO / "README.md")[0]
    assert first.language == "sh"
    commands = [line.split("#")[0].strip() for line in first.source.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]


def test_every_block_has_a_known_language() -> None:
    """Each block is run (``python``) or marked as not Python to run; none is skipped silently."""
    unknown = [
        f"{block.where}: ```{block.language}"
        for block in ALL_BLOCKS
        if block.language != RUN
        and block.language not in NOT_RUN
        and not (block.language in DIRECTIVES and block.doc.parent.name == "docs")
    ]
    assert not unknown, (
        "fence these blocks as ```python (run by this test) or as one of "
        f"{sorted(NOT_RUN)} (not run): {unknown}"
    )


def test_every_page_is_collected() -> None:
    """The README and the capability pages are all here, and the README has examples to run."""
    names = {doc.name for doc in DOCS}
    pages = {"protocols", "checking", "static", "strategies", "testing", "adapters", "cli", "performance"}
    assert {"README.md", "index.md", "api.md"} | {f"{page}.md" for page in pages} <= names
    assert any(block.doc.name == "README.md" for block in EXAMPLES)


@pytest.mark.parametrize("block", EXAMPLES, ids=[block.where for block in EXAMPLES])
def test_example_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The example executes without error (its own asserts are the check)."""
    monkeypatch.chdir(tmp_path)
    # A module in sys.modules whose functions are pickled by value, as a script's __main__ is:
    # annotations that name the example's own classes resolve through it, and its functions
    # reach a process pool's workers.
    module = types.ModuleType("readme_example_" + re.sub(r"\W", "_", block.where))
    monkeypatch.setitem(sys.modules, module.__name__, module)
    cloudpickle.register_pickle_by_value(module)
    # Padded so that a traceback's line numbers are the Markdown file's.
    source = "\n" * block.line + block.source
    try:
        exec(compile(source, str(block.doc.relative_to(REPO)), "exec"), module.__dict__)
    finally:
        cloudpickle.unregister_pickle_by_value(module)
