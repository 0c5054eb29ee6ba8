"""Run the real mypy on sample sources and collect its output per file."""

from __future__ import annotations

import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Sequence

REPO = Path(__file__).resolve().parent.parent

_LINE = re.compile(r"^(?P<path>[^:\n]+\.pyi?):(?P<line>\d+): (?P<kind>error|note|warning): (?P<text>.*)$")


def run_mypy(paths: Sequence[Path], *extra: str, cache_dir: Path | None = None) -> Dict[str, List[str]]:
    """Run ``mypy --strict`` on ``paths`` (without the project's config); map file name to its lines.

    Each line is ``"<line>: <kind>: <text>"``.  Files without output map to an
    empty list.
    """
    args = [
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--config-file=",
        "--no-error-summary",
        "--show-error-codes",
        "--hide-error-context",
        "--no-color-output",
        "--no-pretty",
        f"--cache-dir={cache_dir}" if cache_dir is not None else "--cache-dir=/dev/null",
        *extra,
        *(str(p) for p in paths),
    ]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=REPO, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"mypy crashed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    by_file: Dict[str, List[str]] = defaultdict(list)
    for p in paths:
        by_file[Path(p).name] = []
    for raw in proc.stdout.splitlines():
        m = _LINE.match(raw)
        if m:
            by_file[Path(m["path"]).name].append(f"{m['line']}: {m['kind']}: {m['text']}")
    return dict(by_file)
