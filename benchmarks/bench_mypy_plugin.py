"""mypy wall time with the package's plugin against the same run without it.

Corpus: the package itself, the plugin's test samples (tests/samples/plugin) and
the installed parsl's ``executors`` package, under ``--strict``.  Every run
starts from an empty cache directory; runs with and without the plugin take
turns, each going first in half the rounds, so that machine noise and what one
run leaves in the OS's caches weigh on both alike, and the median of each is
reported.  Goal: the plugin adds at most 3 % (goal ``mypy-plugin``; ``value``
is the median of the per-round time ratios with/without, at most 1.03, and
``interval_95`` its 95 % interval): one run takes 8 to 11 s here, and the machine's
speed moves by more than 3 % between rounds, so the rounds' ratios are judged, not
the ratio of the two medians.  ``--quick``: 2 rounds.

Prints one line for the mypy in this interpreter's environment and, when the
test-only environment ``.venv-mypy1.15`` exists (``make plugin-compat``), one for
mypy 1.15.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import arguments, at_most, emit, paired, paired_interval, timed_rounds

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "samples" / "plugin"
ROUNDS = 16  # whole sets of the two orders (see timed_rounds)
GOAL_PERCENT = 3.0


def _version(python: str) -> str:
    return subprocess.run(
        [python, "-c", "import mypy.version; print(mypy.version.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()


# Its inline "disable-error-code=implements" names a code that exists only with
# the plugin loaded; mypy 2.4.1 crashes on an unknown code there (1.15 reports it).
_NEEDS_PLUGIN = {"suppress_inline"}


def _time(python: str, config: Path) -> float:
    modules = [
        arg for path in sorted(SAMPLES.glob("*.py")) if path.stem not in _NEEDS_PLUGIN for arg in ("-m", path.stem)
    ]
    with tempfile.TemporaryDirectory() as cache:
        args = [
            python, "-m", "mypy", f"--config-file={config}", f"--cache-dir={cache}",
            "-p", "parsl_executor_protocol", "-p", "parsl.executors", *modules,
        ]
        start = time.perf_counter()
        proc = subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)
        elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1) or "INTERNAL ERROR" in proc.stdout + proc.stderr:
        sys.exit(f"mypy failed (exit {proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def measure(python: str, directory: Path) -> None:
    """Time ROUNDS rounds of the two runs with ``python -m mypy``, taking turns; print one JSON line."""
    # The samples import each other as top-level modules: they are found through mypy_path.
    common = f"[mypy]\nstrict = True\nmypy_path = {SAMPLES}\n"
    plain = directory / "plain.ini"
    plain.write_text(common)
    plugin = directory / "plugin.ini"
    plugin.write_text(common + "plugins = parsl_executor_protocol.mypy_plugin\n")
    _time(python, plugin)  # warm the OS file cache; not counted
    times = timed_rounds({"without": lambda: _time(python, plain), "with": lambda: _time(python, plugin)}, ROUNDS)
    ours, anchor = statistics.median(times["with"]), statistics.median(times["without"])
    # Judged per round: the machine's speed drifts by more than the goal between rounds.
    ratio = paired(times["with"], times["without"])
    emit(
        "mypy_plugin_overhead",
        ours,
        anchor,
        "s",
        mypy=_version(python),
        rounds=ROUNDS,
        overhead_percent=round((ratio - 1.0) * 100.0, 2),
        interval_95=paired_interval(times["with"], times["without"]),
        **at_most("mypy-plugin", f"plugin overhead <= {GOAL_PERCENT:g}% of mypy wall time", ratio,
                  1.0 + GOAL_PERCENT / 100),
    )


def main() -> None:
    """Measure under this environment's mypy, then under mypy 1.15 if its environment exists."""
    global ROUNDS  # noqa: PLW0603  (the --quick setting)
    if arguments(__doc__).parse_args().quick:
        ROUNDS = 2
    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(scratch)
        measure(sys.executable, directory)
        old = REPO / ".venv-mypy1.15" / "bin" / "python"
        if old.exists():
            measure(str(old), directory)


if __name__ == "__main__":
    main()
