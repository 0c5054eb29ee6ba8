"""Import time of ``parsl_executor_protocol`` against a bare interpreter (``python -c pass``).

Goal: at most 30 ms over the bare interpreter (goal ``import``; ``value`` in ms).  Each sample is a fresh
subprocess; the two commands are interleaved so that machine noise affects both
alike, and the median of each is reported.  ``--quick``: 5 rounds.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import arguments, at_most, emit

ROUNDS = 30


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main() -> None:
    """Measure and print one JSON line."""
    rounds = 5 if arguments(__doc__).parse_args().quick else ROUNDS
    bare, ours = [], []
    for _ in range(rounds):
        bare.append(_time("pass"))
        ours.append(_time("import parsl_executor_protocol"))
    bare_ms = statistics.median(bare) * 1000
    ours_ms = statistics.median(ours) * 1000
    over = ours_ms - bare_ms
    emit(
        "import_time",
        ours_ms,
        bare_ms,
        "ms",
        overhead_ms=round(over, 3),
        rounds=rounds,
        **at_most("import", "import overhead <= 30 ms over python -c pass", over, 30.0),
    )


if __name__ == "__main__":
    main()
