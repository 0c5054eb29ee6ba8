"""The main job behind ``make demo``.

1. Checks the installed parsl's executors and the package's adapters against
   every contract with the public checking API, and prints a summary table.
2. Runs a small map-reduce of Parsl ``python_app`` tasks through the
   thread-pool adapter, then through an adapter over a Dask ``LocalCluster``
   (127.0.0.1, one worker process, no dashboard), and prints the results.

Results go to ``out``; progress ("... done (0.4 s)") to ``err``.  Everything
started is stopped: the DataFlowKernel is cleaned up, ``parsl.clear()`` is
called and the cluster is closed, also when a step fails.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import tempfile
import textwrap
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from ..checking import ConformanceReport, check
from ..protocols._contracts import CONTRACTS, RUNTIME_CONTRACT, contract_protocol

__all__ = ["run_demo"]

_MAP_INPUTS = tuple(range(1, 11))
_TIMEOUT = 60.0  # seconds for any one result: nothing in the demo may hang


# --------------------------------------------------------------------------- the workflow's tasks
# Module-level so that a Dask worker process can unpickle them by reference.


def square(x: int) -> Tuple[int, int]:
    """Map: ``x * x`` and the id of the process that computed it."""
    return x * x, os.getpid()


def total(inputs: Sequence[Tuple[int, int]] = ()) -> int:
    """Reduce: the sum of the mapped values (Parsl resolves ``inputs``' futures first)."""
    return sum(value for value, _ in inputs)


# --------------------------------------------------------------------------- output helpers


class _Progress:
    """Prints ``step ... done (1.2 s)`` on ``err`` for steps that take more than a moment."""

    def __init__(self, err: TextIO) -> None:
        self.err = err

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        print(f"{text} ...", end="", file=self.err, flush=True)
        started = time.perf_counter()
        try:
            yield
        except BaseException:
            print(f" failed ({time.perf_counter() - started:.1f} s)", file=self.err, flush=True)
            raise
        print(f" done ({time.perf_counter() - started:.1f} s)", file=self.err, flush=True)


def _say(out: TextIO, text: str = "") -> None:
    print(text, file=out, flush=True)


# --------------------------------------------------------------------------- conformance


def _candidates() -> List[Tuple[str, Callable[[], object]]]:
    """The executors the summary table checks, each made by a factory (nothing is started)."""
    import concurrent.futures

    from parsl.executors import HighThroughputExecutor, MPIExecutor, ThreadPoolExecutor
    from parsl.launchers import SimpleLauncher
    from parsl.providers import LocalProvider

    from ..adapters import adapt

    return [
        ("parsl ThreadPoolExecutor", ThreadPoolExecutor),
        ("parsl HighThroughputExecutor", HighThroughputExecutor),
        ("parsl MPIExecutor", lambda: MPIExecutor(provider=LocalProvider(launcher=SimpleLauncher()))),  # type: ignore[no-untyped-call]
        ("adapt(thread pool)", lambda: adapt(concurrent.futures.ThreadPoolExecutor(1), label="threads")),
        ("adapt(thread pool, contract='2020')",
         lambda: adapt(concurrent.futures.ThreadPoolExecutor(1), label="threads2020", contract="2020")),
    ]


def _cell(report: ConformanceReport) -> str:
    return "yes" if report.ok else f"no ({len(report.violations)})"


def _gaps(report: ConformanceReport) -> str:
    """``missing: a, b; incompatible signature: submit`` for a failing report."""
    by_kind: Dict[str, List[str]] = {}
    for violation in report.violations:
        kind = violation.kind.value.replace("_", " ")
        by_kind.setdefault(kind, []).append(violation.member)
    return "; ".join(f"{kind}: {', '.join(members)}" for kind, members in by_kind.items())


def conformance_table(out: TextIO, progress: _Progress) -> None:
    """Check every candidate against every contract and print the table, with why each "no" is one."""
    with progress.step("checking parsl's executors and the adapters against the contracts"):
        protocols = [contract_protocol(contract) for contract in CONTRACTS]
        rows: List[Tuple[str, List[ConformanceReport], List[str]]] = []
        for name, factory in _candidates():
            executor = factory()
            try:
                reports = [check(executor, protocol) for protocol in protocols]
            finally:
                _dispose(executor)
            rows.append((name, reports, [_gaps(r) for r in reports]))
    width = max(len("executor"), *(len(name) for name, _, _ in rows))
    cell = max(len(c) for c in CONTRACTS) + 2
    _say(out, "Conformance (runtime engine; yes, or no with the number of violations)")
    _say(out, f"  {'executor':<{width}}  " + "".join(f"{c:<{cell}}" for c in CONTRACTS).rstrip())
    for name, reports, _ in rows:
        _say(out, f"  {name:<{width}}  " + "".join(f"{_cell(r):<{cell}}" for r in reports).rstrip())
    _say(out, "Why not:")
    for name, reports, gaps in rows:
        for contract, report, gap in zip(CONTRACTS, reports, gaps, strict=True):
            if not report.ok:
                _say(out, textwrap.fill(f"{name} vs {contract}: {gap}", width=110, initial_indent="  ",
                                        subsequent_indent="      ", break_on_hyphens=False))


def _dispose(executor: object) -> None:
    """Release what a candidate holds without running parsl executor code (only adapters own a pool)."""
    wrapped = getattr(executor, "wrapped", None)
    shutdown = getattr(wrapped, "shutdown", None)
    if callable(shutdown):
        shutdown(wait=False)


# --------------------------------------------------------------------------- the workflow


def map_reduce(executor: object, run_dir: str, title: str) -> Tuple[bool, str]:
    """Run sum-of-squares as Parsl apps on ``executor``; return whether the result is right, and a line saying so."""
    import parsl
    from parsl.config import Config

    config = Config(executors=[executor], run_dir=run_dir, strategy="none")  # type: ignore[list-item]
    dfk = parsl.load(config)
    try:
        square_app = parsl.python_app(square, data_flow_kernel=dfk)
        total_app = parsl.python_app(total, data_flow_kernel=dfk)
        mapped = [square_app(x) for x in _MAP_INPUTS]
        reduced = total_app(inputs=mapped)
        result = reduced.result(timeout=_TIMEOUT)
        pids = sorted({future.result(timeout=_TIMEOUT)[1] for future in mapped})
    finally:
        dfk.cleanup()
        parsl.clear()
    right = bool(result == sum(x * x for x in _MAP_INPUTS))
    where = "this process" if pids == [os.getpid()] else f"process(es) {', '.join(map(str, pids))}"
    line = (f"{title}: sum of squares of 1..{_MAP_INPUTS[-1]} = {result} "
            f"({len(mapped)} map tasks in {where}, 1 reduce task) {'ok' if right else 'WRONG'}")
    return right, line


def _thread_pool_workflow(run_dir: str, out: TextIO, progress: _Progress) -> bool:
    import concurrent.futures

    from ..adapters import adapt

    with progress.step("running the map-reduce through the thread-pool adapter"):
        adapter = adapt(concurrent.futures.ThreadPoolExecutor(2), label="threads")
        right, line = map_reduce(adapter, os.path.join(run_dir, "threads"), "thread-pool adapter")
    _say(out, line)
    return right


def _dask_workflow(run_dir: str, out: TextIO, progress: _Progress) -> Optional[bool]:
    try:
        # Typed Any: distributed is only partly annotated.
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        _say(out, "skipped the Dask workflow: dask is not installed "
                  "(pip install 'parsl-executor-protocol[dask]')")
        return None
    import logging

    from ..adapters import adapt

    with progress.step("starting a Dask LocalCluster (127.0.0.1, 1 worker process)"):
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=True, host="127.0.0.1", dashboard_address=None,
            # The scheduler serves health routes over HTTP even without a dashboard, on 8787
            # unless told otherwise: a free loopback port avoids clashing with a running cluster.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
    try:
        with progress.step("running the map-reduce through the Dask adapter"):
            # adapt() builds for the runtime contract, today's: the adapter is checked against that.
            adapter = adapt(distributed.Client(cluster), label="dask")
            report = check(adapter, contract_protocol(RUNTIME_CONTRACT))
            right, line = map_reduce(adapter, os.path.join(run_dir, "dask"), "Dask adapter")
    finally:
        with progress.step("closing the Dask cluster"):
            cluster.close()
    _say(out, f"Dask adapter: {'conforms to' if report.ok else 'VIOLATES'} today's contract")
    _say(out, line)
    return right


# --------------------------------------------------------------------------- entry point


def run_demo(out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the demo; return 0 when every workflow that ran gave the right result, else 1 (2: no parsl)."""
    progress = _Progress(err)
    try:
        with progress.step("importing parsl"):
            import parsl
    except ImportError:
        print("the demo needs parsl: pip install 'parsl-executor-protocol[parsl]'", file=err)
        return 2
    from .. import __version__

    _say(out, f"parsl-executor-protocol {__version__}, parsl {parsl.__version__}, "
              f"Python {sys.version_info.major}.{sys.version_info.minor}")
    _say(out)
    conformance_table(out, progress)
    _say(out)
    outcomes: List[Optional[bool]] = []
    with tempfile.TemporaryDirectory(prefix="parsl-executor-protocol-demo-") as run_dir:
        outcomes.append(_thread_pool_workflow(run_dir, out, progress))
        outcomes.append(_dask_workflow(run_dir, out, progress))
    return 0 if all(outcome is not False for outcome in outcomes) else 1
