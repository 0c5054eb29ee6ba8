"""The one JSON-line format every benchmark prints, and what the benchmarks share."""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import statistics
import sys
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

REPO = Path(__file__).resolve().parent.parent
#: The Pythons the package supports; each has a ``.venv-3.X`` made by ``.ci/matrix`` (3.11 is ``.venv``).
MATRIX = ("3.10", "3.11", "3.12", "3.13")


def emit(name: str, ours: float, anchor: float, unit: str, **extra: Any) -> Dict[str, Any]:
    """Print one benchmark result as a JSON line and return it.

    ``speedup`` is ``anchor / ours``: above 1 means ours is faster (or smaller)
    than the anchor measured in the same run.
    """
    line: Dict[str, Any] = {
        "name": name,
        "ours": round(ours, 6),
        "anchor": round(anchor, 6),
        "unit": unit,
        "speedup": round(anchor / ours, 4) if ours else None,
        "python": platform.python_version(),
    }
    line.update(extra)
    print(json.dumps(line), flush=True)
    return line


def orders(count: int) -> List[List[int]]:
    """Orders of ``count`` runs in which every run directly follows every other equally often.

    A Williams design: the first order is 0, 1, n-1, 2, n-2, ...; the others
    add 1, 2, ... to it modulo n, and for an odd n each order is also taken
    backwards.  Over the ``n`` (even) or ``2n`` (odd) orders each run comes
    first equally often and each ordered pair of runs is adjacent once (even)
    or twice (odd).
    """
    first, low, high = [0], 1, count - 1
    while len(first) < count:
        first.append(low)
        low += 1
        if len(first) < count:
            first.append(high)
            high -= 1
    shifted = [[(place + shift) % count for place in first] for shift in range(count)]
    if count % 2:
        shifted += [order[::-1] for order in shifted]
    return shifted


def timed_rounds(runs: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    """Time every run once per round, each after a garbage collection, in an order that changes.

    The orders are those of :func:`orders`, in turn, in whole sets (``rounds`` must be a
    multiple of their number): load drift favours no run, and every run follows every other
    equally often, so that what a run leaves behind (threads winding down,
    a log file being written back, caches) weighs on each of the others alike.  The collection
    spares each run the garbage of the one before.
    """
    names = list(runs)
    sequence = orders(len(names))
    if rounds % len(sequence):
        raise ValueError(
            f"{rounds} rounds of {len(names)} runs are not whole sets of their {len(sequence)} orders: "
            f"the order is balanced only over whole sets; use a multiple of {len(sequence)}"
        )
    times: Dict[str, List[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for index in sequence[round_ % len(sequence)]:
            name = names[index]
            gc.collect()
            times[name].append(runs[name]())
    return times


def _ratios(numerators: List[float], denominators: List[float]) -> List[float]:
    """The per-round ratios, in round order."""
    return [n / d for n, d in zip(numerators, denominators, strict=True)]


def paired(numerators: List[float], denominators: List[float]) -> float:
    """Median of the per-round ratios: load drift between rounds cancels within a round."""
    return statistics.median(_ratios(numerators, denominators))


def paired_interval(numerators: List[float], denominators: List[float]) -> Optional[List[float]]:
    """A 95 % interval for the median per-round ratio, from the ratios' order statistics; ``None`` if too few.

    Distribution-free: the true median lies between the ``k``-th smallest and
    the ``k``-th largest of ``n`` ratios with probability at least 0.95, ``k``
    the largest count with ``P(Binomial(n, 1/2) < k) <= 0.025``.  It says
    how far a median ratio on either side of a limit could be from it by
    chance alone.
    """
    ratios = sorted(_ratios(numerators, denominators))
    n = len(ratios)
    below, k = 0.0, 0
    while True:
        below += math.comb(n, k) / 2**n  # P(Binomial(n, 1/2) <= k)
        if below > 0.025:
            break
        k += 1
    if k == 0:
        return None
    return [round(ratios[k - 1], 4), round(ratios[n - k], 4)]


def goal(
    met: bool, text: str, value: Optional[float] = None, *, goal_id: Optional[str] = None,
    limit: Optional[float] = None,
) -> Dict[str, Any]:
    """Describe whether a goal was met, for the ``goal`` field of a line.

    With ``goal_id`` and ``limit``, the goal is "``value`` at most ``limit``"
    (see :func:`at_most`), which is how ``benchmarks/report.py`` charts it.
    """
    fields: Dict[str, Any] = {"goal": text, "met": met}
    if value is not None:
        fields["value"] = round(value, 6)
    if goal_id is not None:
        fields["goal_id"] = goal_id
    if limit is not None:
        fields["limit"] = round(limit, 6)
    return fields


def at_most(goal_id: str, text: str, value: float, limit: float) -> Dict[str, Any]:
    """A goal met when ``value`` (a ratio ours/anchor, a time, an overhead) is at most ``limit``."""
    return goal(value <= limit, text, value, goal_id=goal_id, limit=limit)


def arguments(doc: Optional[str], *, interpreters: bool = False) -> argparse.ArgumentParser:
    """The command line every benchmark takes: ``--quick`` (and, if it re-runs itself, ``--here-only``)."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run: fewer rounds and tasks")
    if interpreters:
        parser.add_argument("--here-only", action="store_true", help="measure in this interpreter only")
        parser.add_argument("--python", action="append", default=[], help="also measure under this interpreter")
    return parser


def interpreters() -> List[str]:
    """The Python of every environment present: ``.venv`` (3.11) and each ``.venv-3.X`` of the matrix."""
    found = []
    for version in MATRIX:
        venv = REPO / (".venv" if version == "3.11" else f".venv-{version}")
        python = venv / "bin" / "python"
        if python.exists():
            found.append(str(python))
        else:
            print(f"benchmarks: no {venv.name} for Python {version} (.ci/matrix creates it); skipped", file=sys.stderr)
    return found


def other_interpreters(extra: List[str]) -> List[str]:
    """:func:`interpreters`, without this one's version, then ``extra``."""
    here = "python{}.{}".format(*sys.version_info[:2])
    others = []
    for python in interpreters():
        version = Path(python).parent.parent.name.removeprefix(".venv-")
        if version == ".venv":
            version = "3.11"
        if f"python{version}" != here:
            others.append(python)
    return others + extra


if __name__ == "__main__":  # pragma: no cover
    sys.exit("import this module from a benchmark")
