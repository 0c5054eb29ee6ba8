"""Run every benchmark under every interpreter present and collect their JSON lines into one file.

The interpreters are the project's environments: ``.venv`` (Python 3.11) and
each ``.venv-3.X`` of the matrix that exists (``.ci/matrix`` creates them).
Every ``benchmarks/bench_*.py`` runs under each of them, one after the other
(never two at once: they would slow each other down), except those in
``ONCE``, which measure a tool rather than the interpreter and run under
``.venv`` only.  Each JSON line a benchmark prints is written to the
output file (``benchmarks/results.jsonl`` by default) with the fields
``bench`` and ``interpreter`` added; a benchmark that fails adds a line named
``failed`` and the run goes on, then exits with status 1.  ``--bench NAME``
runs only the benchmarks named and ``--python-version 3.X`` only under that
Python; with ``--merge`` the lines of what runs replace theirs in the output
file and the other lines are kept.  ``--part NAME`` is passed on to each
benchmark as a measurement to run (``bench_adapters.py dask``); with
``--merge`` only the lines it writes then replace theirs (same benchmark,
interpreter and line name).  Read the file with ``benchmarks/report.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import REPO, arguments, interpreters

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.jsonl"
#: Extra arguments a benchmark needs to measure in the interpreter it is started with only.
HERE_ONLY = {"bench_isinstance": ["--here-only"]}
#: Benchmarks of a tool (mypy) rather than of the interpreter: run under the main environment (.venv) only.
ONCE = frozenset({"bench_mypy_plugin"})


def benches() -> List[Path]:
    """Every ``bench_*.py`` beside this file, by name."""
    return sorted(HERE.glob("bench_*.py"))


def _version(python: str) -> str:
    """The Python version of an environment's interpreter, from its directory (``.venv`` is 3.11)."""
    name = Path(python).parent.parent.name
    return "3.11" if name == ".venv" else name.removeprefix(".venv-")


def run_one(python: str, bench: Path, quick: bool, parts: Sequence[str] = ()) -> List[Dict[str, Any]]:
    """Run ``bench`` under ``python`` (only its measurements ``parts``, if any); its lines, or a ``failed`` line."""
    args = [python, str(bench), *parts, *HERE_ONLY.get(bench.stem, []), *(["--quick"] if quick else [])]
    print(f"benchmarks: {bench.name} under {python}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=REPO, stdout=subprocess.PIPE, text=True, check=False)
    lines = []
    for text in proc.stdout.splitlines():
        try:
            line = json.loads(text)
        except ValueError:
            print(text, file=sys.stderr)  # not a result: pass it on
            continue
        if isinstance(line, dict):
            lines.append({**line, "bench": bench.stem, "interpreter": python})
    if proc.returncode:
        lines.append({"name": "failed", "bench": bench.stem, "interpreter": python, "returncode": proc.returncode})
    print(f"benchmarks: {bench.name} done in {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    return lines


def main() -> None:
    """Run them all; write the output file after each run, so that an interrupted run keeps what it measured.

    The output file is left as it was when nothing runs (no benchmark or interpreter matched).
    """
    parser = arguments(__doc__)
    parser.add_argument("--output", type=Path, default=RESULTS, help="the JSON-lines file to write")
    parser.add_argument("--bench", action="append", default=[], help="only this benchmark (e.g. bench_isinstance)")
    parser.add_argument("--python-version", action="append", default=[], help="only under this Python (e.g. 3.12)")
    parser.add_argument("--merge", action="store_true", help="keep the output file's other lines")
    parser.add_argument("--part", action="append", default=[], help="only this measurement of each (e.g. dask)")
    args = parser.parse_args()
    chosen = [bench for bench in benches() if not args.bench or bench.stem in args.bench]
    wanted = set(args.python_version)
    pythons = [python for python in interpreters() if not wanted or _version(python) in wanted]
    parts: List[str] = args.part
    old = args.output.read_text().splitlines() if args.merge and args.output.exists() else []
    runs = {(bench.stem, python) for bench in chosen for python in pythons}
    # Without --part a benchmark's run replaces all its lines; with it, only the lines it writes.
    keyed = [(_key(json.loads(text)), text) for text in old]
    kept = [(key, text) for key, text in keyed if parts or key[:2] not in runs]
    written: List[Dict[str, Any]] = []
    failed = 0
    for python in pythons:
        for bench in chosen:
            if bench.stem in ONCE and Path(python).parent.parent.name != ".venv":
                continue
            for line in run_one(python, bench, args.quick, parts):
                failed += line["name"] == "failed"
                written.append(line)
            _write(args.output, kept, written)
    if failed:
        sys.exit(f"benchmarks: {failed} run(s) failed; see the lines named 'failed' in {args.output}")


def _key(line: Dict[str, Any]) -> Tuple[Any, Any, Any]:
    return line.get("bench"), line.get("interpreter"), line.get("name")


def _write(output: Path, kept: List[Tuple[Tuple[Any, Any, Any], str]], written: List[Dict[str, Any]]) -> None:
    """The kept lines but those ``written`` replaces, then ``written``: after each run, so an interruption keeps it."""
    replaced = {_key(line) for line in written}
    with output.open("w") as out:
        out.writelines(text + "\n" for key, text in kept if key not in replaced)
        out.writelines(json.dumps(line) + "\n" for line in written)


if __name__ == "__main__":
    main()
