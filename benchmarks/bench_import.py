"""Import time of ``parsl_executor_protocol`` against a bare interpreter (``python -c pass``).

Goal (``import``): the package's import costs at most 1.5x what ``import
typing_extensions`` costs, each measured over the bare interpreter, with all bytecode
cached, as an installed package has it (pip writes it at install time, and Python at the
first import unless told not to).  ``typing_extensions`` is the package's one dependency
and what every protocol is built on (it imports ``typing`` and ``inspect``), so the
ratio is the package's whole import against its foundation's, measured in the same run:
a time in ms would move with the machine (this one's speed drifts by 2x from day to
day).  1.5 is where the 30 ms this goal allowed until 2026-12-03 stood on 3.10, where
``typing_extensions`` imported quickest (20.9 ms over the bare interpreter).  Each
sample is a fresh subprocess; the commands take turns in balanced orders (each directly
follows each of the others equally often), so that machine noise and what one leaves in
the OS's caches weigh on all alike, and the median of each is reported.  ``--quick``: 6
rounds.

Python finds bytecode by where it is allowed to read and write it, so every subprocess
runs with a ``PYTHONPYCACHEPREFIX`` of this run's own (empty at first): the environment
the benchmark is started from (``PYTHONDONTWRITEBYTECODE``, a ``__pycache__`` left in
the checkout) cannot change what is measured.  Three lines:

- ``import_time``: the goal, bytecode cached for everything (one warm-up run writes it):
  ``ours`` and ``anchor`` are the package's and ``typing_extensions``' import times over
  ``python -c pass`` (``bare_ms``), ``value`` their ratio;
- ``import_time_compiling``: the package's own modules compiled on every import (their
  bytecode deleted, writing it forbidden), everything else cached: what a user with
  ``PYTHONDONTWRITEBYTECODE=1`` and an editable install pays;
- ``import_time_over_typing_extensions``: the package against ``import typing_extensions``,
  which every protocol of the package is built on and which imports ``typing`` and
  ``inspect``: the share of the import that is the package's own.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import arguments, at_most, emit, timed_rounds

ROUNDS = 30
OURS = "import parsl_executor_protocol"
BARE = "pass"
FOUNDATION = "import typing_extensions"


def _time(code: str, env: Dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    return time.perf_counter() - start


def _package_directory() -> Path:
    """Where the package this interpreter imports lives, found without importing it."""
    spec = importlib.util.find_spec("parsl_executor_protocol")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("bench_import: parsl_executor_protocol is not installed in this environment")
    # Absolute but not resolved: the bytecode's place under the prefix follows the path the
    # import system uses, in which symbolic links stay as they are.
    return Path(next(iter(spec.submodule_search_locations))).absolute()


def _medians_ms(codes: List[str], env: Dict[str, str], rounds: int) -> List[float]:
    """Each command's median wall time in ms over ``rounds`` rounds, in balanced orders.

    Each command follows each of the others equally often (see ``timed_rounds``): a
    command runs faster after one that left the files it reads in the OS cache.
    """
    times = timed_rounds({code: functools.partial(_time, code, env) for code in codes}, rounds)
    return [statistics.median(times[code]) * 1000 for code in codes]


def main() -> None:
    """Measure and print three JSON lines."""
    rounds = 6 if arguments(__doc__).parse_args().quick else ROUNDS
    with tempfile.TemporaryDirectory(prefix="bench-import-") as prefix:
        cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        cached["PYTHONPYCACHEPREFIX"] = prefix
        for code in (BARE, FOUNDATION, OURS):  # the warm-up writes every module's bytecode
            _time(code, cached)
        # The prefix mirrors each source directory's absolute path below it.
        package = Path(prefix, *_package_directory().parts[1:])
        if not package.is_dir():
            raise SystemExit(
                f"bench_import: the warm-up wrote no bytecode to {package}: the figure would include compiling"
            )
        ours_ms, bare_ms, foundation_ms = _medians_ms([OURS, BARE, FOUNDATION], cached, rounds)
        over, foundation_over = ours_ms - bare_ms, foundation_ms - bare_ms
        emit(
            "import_time", over, foundation_over, "ms", bare_ms=round(bare_ms, 3), rounds=rounds, bytecode="cached",
            anchor_is="import typing_extensions", **at_most(
                "import", "import time over python -c pass <= 1.5x typing_extensions'", over / foundation_over, 1.5,
            ),
        )
        emit(
            "import_time_over_typing_extensions", ours_ms, foundation_ms, "ms",
            overhead_ms=round(ours_ms - foundation_ms, 3), rounds=rounds, bytecode="cached",
        )
        shutil.rmtree(package)
        compiling = {**cached, "PYTHONDONTWRITEBYTECODE": "1"}
        ours_ms, bare_ms = _medians_ms([OURS, BARE], compiling, rounds)
        if package.exists():
            raise SystemExit(f"bench_import: bytecode was written to {package} although forbidden")
        emit(
            "import_time_compiling", ours_ms, bare_ms, "ms", overhead_ms=round(ours_ms - bare_ms, 3),
            rounds=rounds, bytecode="package compiled on every import",
        )


if __name__ == "__main__":
    main()
