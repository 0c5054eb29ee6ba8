"""Parsl's shipped test suite on every adapter backend and on Parsl's own executors: one table.

``make parsl-suite`` runs this file under the side environment ``.venv-parsl-suite``
(pytest < 9, parsl's test dependencies); it runs ``parsl-executor-protocol parsl-suite``
once per target below and prints one row per target, with the baseline (Parsl's stock
``local_threads`` config) first.  The factories are ordinary targets too::

    parsl-executor-protocol parsl-suite benchmarks/parsl_suite.py:adapted_processes \
        --python .venv-parsl-suite/bin/python

Each target's row is judged against what the project promises (the ``expect`` column):
Parsl's own executors show no regression, each adapter's passed count is within one of
the baseline's, and ``broken_drops_exceptions`` (a deliberately broken control) has
regressions.  The exit code is 1 when a row misses its expectation.  A backend whose
library is not installed in the environment is reported as skipped, not failed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve()

# --------------------------------------------------------------------------- targets (zero-argument factories)


def parsl_threads() -> Any:
    """Parsl's own ThreadPoolExecutor, as its stock local_threads config makes it."""
    from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor

    return ParslThreadPoolExecutor()


def parsl_htex() -> Any:
    """Parsl's HighThroughputExecutor with one local block of two workers on the loopback interface."""
    from parsl.executors import HighThroughputExecutor
    from parsl.launchers import SimpleLauncher
    from parsl.providers import LocalProvider

    return HighThroughputExecutor(
        label="htex_local", address="127.0.0.1", loopback_address="127.0.0.1",
        cores_per_worker=1, max_workers_per_node=2,
        provider=LocalProvider(init_blocks=1, max_blocks=1, launcher=SimpleLauncher()),  # type: ignore[no-untyped-call]
    )


def adapted_threads() -> Any:
    """``adapt()`` over a standard-library thread pool."""
    from parsl_executor_protocol import adapt

    return adapt(ThreadPoolExecutor(max_workers=2))


def adapted_processes() -> Any:
    """``adapt()`` over a standard-library process pool."""
    from parsl_executor_protocol import adapt

    return adapt(ProcessPoolExecutor(max_workers=2))


def adapted_loky() -> Any:
    """``adapt()`` over loky's reusable executor."""
    from loky import get_reusable_executor

    from parsl_executor_protocol import adapt

    return adapt(get_reusable_executor(max_workers=2))


def adapted_dask() -> Any:
    """``adapt()`` over a Dask client of a LocalCluster of its own (two worker processes, loopback only).

    The client starts the cluster, so closing it (the adapter's shutdown) closes the cluster too.
    """
    from distributed import Client

    from parsl_executor_protocol import adapt

    # distributed's constructors are untyped.
    client = Client(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp://",  # type: ignore[no-untyped-call]
                    host="127.0.0.1", dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    return adapt(client, label="dask")


def adapted_mpi4py() -> Any:
    """``adapt()`` over mpi4py's MPIPoolExecutor (needs mpi4py and an MPI library)."""
    from parsl_executor_protocol import adapt

    # Imported by name: mpi4py is optional, and this environment's type checkers need not know it.
    futures = importlib.import_module("mpi4py.futures")
    return adapt(futures.MPIPoolExecutor(max_workers=2))


def _swallowing(func: Callable[..., Any]) -> Callable[..., Any]:
    from parsl.app.errors import RemoteExceptionWrapper

    def run(*args: Any, **kwargs: Any) -> Any:
        # The deliberate bug: a failed task "succeeds" with None.  Parsl wraps an app's
        # exception into a RemoteExceptionWrapper result, so that is what is dropped.
        try:
            result = func(*args, **kwargs)
        except Exception:
            return None
        return None if isinstance(result, RemoteExceptionWrapper) else result

    return run


def broken_drops_exceptions() -> Any:
    """A control that must be caught: Parsl's ThreadPoolExecutor, but every task's exception is dropped."""
    from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor

    class DropsExceptions(ParslThreadPoolExecutor):
        def submit(self, func: Callable[..., Any], resource_specification: Dict[str, Any],
                   *args: Any, **kwargs: Any) -> Future[Any]:
            submit: Callable[..., Future[Any]] = super().submit
            return submit(_swallowing(func), resource_specification, *args, **kwargs)

    return DropsExceptions(label="drops_exceptions")


# name, factory, what is needed to run it, expectation: "none" (no regression), "within 1", "caught"
TARGETS: List[Tuple[str, str, Optional[str], str]] = [
    ("parsl ThreadPoolExecutor", "parsl_threads", None, "none"),
    ("parsl HighThroughputExecutor", "parsl_htex", None, "none"),
    ("adapt(ThreadPoolExecutor)", "adapted_threads", None, "within 1"),
    ("adapt(ProcessPoolExecutor)", "adapted_processes", None, "within 1"),
    ("adapt(loky)", "adapted_loky", "loky", "within 1"),
    ("adapt(Dask LocalCluster)", "adapted_dask", "distributed", "within 1"),
    ("adapt(MPIPoolExecutor)", "adapted_mpi4py", "mpi4py", "within 1"),
    ("broken: drops task exceptions", "broken_drops_exceptions", None, "caught"),
]

# --------------------------------------------------------------------------- the table


def _run(factory: str) -> Tuple[int, Dict[str, Any], str]:
    command = [sys.executable, "-m", "parsl_executor_protocol", "parsl-suite", f"{HERE}:{factory}",
               "--python", sys.executable, "--format", "json", "--no-progress"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    document: Dict[str, Any] = json.loads(done.stdout) if done.returncode in (0, 1) and done.stdout else {}
    return done.returncode, document, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def _judge(expect: str, document: Dict[str, Any]) -> bool:
    regressions = len(document["regressions"])
    target: Dict[str, int] = document["counts"]["target"]
    baseline: Dict[str, int] = document["counts"]["baseline"]
    if expect == "caught":
        return regressions > 0
    if expect == "none":
        return regressions == 0
    return abs(target["passed"] - baseline["passed"]) <= 1


def main() -> int:
    """Run every target, print the table; 1 when a target misses its expectation."""
    header = (f"{'target':<32}{'passed':>7}{'failed':>7}{'skipped':>8}{'n/a':>5}{'regr.':>6}{'seconds':>9}"
              "  expect     result")
    rows: List[str] = []
    details: List[str] = []
    baseline_row = ""
    ok = True
    for name, factory, needs, expect in TARGETS:
        if needs is not None and importlib.util.find_spec(needs) is None:
            rows.append(f"{name:<32}{'':>42}  {expect:<9}  skipped: {needs} is not installed")
            continue
        print(f"parsl-suite: {name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        code, document, error = _run(factory)
        if not document and needs is not None and code == 2:
            # Installed but unusable here (mpi4py without an MPI library): the backend is absent, not broken.
            rows.append(f"{name:<32}{'':>42}  {expect:<9}  skipped: {error}")
            continue
        if not document:
            rows.append(f"{name:<32}{'':>42}  {expect:<9}  ERROR (exit {code}): {error}")
            ok = False
            continue
        counts = document["counts"]["target"]
        seconds = document["seconds"]["target"]
        met = _judge(expect, document)
        ok = ok and met
        regressions = ", ".join(r["test"].rsplit("::", 1)[-1] for r in document["regressions"][:3])
        more = f" +{len(document['regressions']) - 3}" if len(document["regressions"]) > 3 else ""
        result = ("ok" if met else "MISSED") + (f" ({regressions}{more})" if regressions else "")
        for regression in document["regressions"][:5]:
            details.append(f"  {name}: {regression['test']}\n      {regression['error']}")
        if len(document["regressions"]) > 5:
            details.append(f"  {name}: ... and {len(document['regressions']) - 5} more")
        rows.append(f"{name:<32}{counts['passed']:>7}{counts['failed']:>7}{counts['skipped']:>8}"
                    f"{counts['not applicable']:>5}{len(document['regressions']):>6}{seconds:>9.1f}  "
                    f"{expect:<9}  {result}")
        if not baseline_row:
            base = document["counts"]["baseline"]
            baseline_row = (f"{'baseline: parsl local_threads':<32}{base['passed']:>7}{base['failed']:>7}"
                            f"{base['skipped']:>8}{base['not applicable']:>5}{'-':>6}"
                            f"{document['seconds']['baseline']:>9.1f}")
            versions = f"parsl {document['parsl']}, pytest {document['pytest']}, -k {document['selection']!r}"
        print(f"parsl-suite: {name} done in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
    if baseline_row:
        print(versions)
    print(header)
    if baseline_row:
        print(baseline_row)
    print("\n".join(rows))
    if details:
        print("\nregressions, with the first line of each error:")
        print("\n".join(details))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
