"""Cost of the adapters against what they wrap, measured in one run.

1. Parsl DataFlowKernel throughput, 5,000 no-op ``python_app`` tasks on 2
   threads with Parsl's default logging: the thread-pool adapter against
   parsl's own ``ThreadPoolExecutor(max_threads=2)``.  Goal: at least 1.00x
   parsl's tasks/s.  Runs alternate (which goes first alternates too) and the
   goal is judged on the median of the per-round ratios, since the
   DataFlowKernel's own cost dominates and the machine's load drifts a lot
   between rounds; ``ours``/``anchor`` are the median times.
2. Raw submit: 100,000 trivial tasks submitted and completed through the
   adapter against a bare ``concurrent.futures.ThreadPoolExecutor(2)``.  Goal:
   time ratio ours/anchor at most 1.2 (median of per-round ratios).
3. Dask: 10,000 trivial tasks through the adapter (futures bridged by
   callbacks, results fetched one by one) against bare ``client.submit`` and
   one ``client.gather``, on a LocalCluster of 1 worker with 2 threads.

Each line's ``speedup`` is anchor/ours on *time* (above 1: ours is faster).
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, List, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import emit, goal

from parsl_executor_protocol import adapt

DFK_TASKS = 5_000
DFK_ROUNDS = 10
RAW_TASKS = 100_000
RAW_ROUNDS = 8
DASK_TASKS = 10_000


def noop() -> None:
    return None


def _paired(numerators: List[float], denominators: List[float]) -> float:
    """Median of the per-round ratios: load drift between rounds cancels within a round."""
    return statistics.median(n / d for n, d in zip(numerators, denominators, strict=True))


def _dfk_seconds(make_executor: Callable[[], Any], run_dir: str) -> float:
    from parsl import python_app
    from parsl.config import Config
    from parsl.dataflow.dflow import DataFlowKernel

    dfk = DataFlowKernel(Config(executors=[make_executor()], run_dir=run_dir))
    try:
        app = python_app(noop, data_flow_kernel=dfk)
        start = time.perf_counter()
        futures = [app() for _ in range(DFK_TASKS)]
        for future in futures:
            future.result(timeout=600)
        return time.perf_counter() - start
    finally:
        dfk.cleanup()


def bench_dfk_throughput() -> None:
    from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor
    from parsl.executors.base import ParslExecutor

    def ours() -> ParslExecutor:
        return cast(ParslExecutor, adapt(cf.ThreadPoolExecutor(2), label="threads"))

    def anchor() -> ParslExecutor:
        return ParslThreadPoolExecutor(max_threads=2, label="threads")

    times: dict[str, List[float]] = {"ours": [], "anchor": []}
    with tempfile.TemporaryDirectory() as run_dir:
        _dfk_seconds(anchor, run_dir)  # warm-up: imports, first DFK
        for round_ in range(DFK_ROUNDS):
            # Alternate which goes first, so that drift in the machine's load favours neither.
            order = [("anchor", anchor), ("ours", ours)]
            for name, make in order if round_ % 2 == 0 else reversed(order):
                times[name].append(_dfk_seconds(make, run_dir))
    ours_s, anchor_s = statistics.median(times["ours"]), statistics.median(times["anchor"])
    ratio = _paired(times["anchor"], times["ours"])  # = our tasks/s over parsl's
    emit(
        "adapter_dfk_throughput",
        ours_s,
        anchor_s,
        f"s per {DFK_TASKS} apps",
        ours_tasks_per_s=round(DFK_TASKS / ours_s, 1),
        anchor_tasks_per_s=round(DFK_TASKS / anchor_s, 1),
        rounds=DFK_ROUNDS,
        **goal(ratio >= 1.0, "thread adapter tasks/s >= 1.00x parsl ThreadPoolExecutor", round(ratio, 4)),
    )


def _raw_seconds(submit: Callable[[], cf.Future[Any]]) -> float:
    start = time.perf_counter()
    futures = [submit() for _ in range(RAW_TASKS)]
    _, not_done = cf.wait(futures, timeout=600)
    assert not not_done
    return time.perf_counter() - start


def bench_raw_submit() -> None:
    times: dict[str, List[float]] = {"ours": [], "anchor": []}
    def anchor() -> float:
        with cf.ThreadPoolExecutor(2) as pool:
            return _raw_seconds(lambda: pool.submit(noop))

    def ours() -> float:
        with adapt(cf.ThreadPoolExecutor(2)) as adapter:
            return _raw_seconds(lambda: adapter.submit(noop, {}))

    for round_ in range(RAW_ROUNDS):
        order = [("anchor", anchor), ("ours", ours)]
        for name, run in order if round_ % 2 == 0 else reversed(order):
            times[name].append(run())
    ours_s, anchor_s = statistics.median(times["ours"]), statistics.median(times["anchor"])
    ratio = _paired(times["ours"], times["anchor"])
    emit(
        "adapter_raw_submit",
        ours_s,
        anchor_s,
        f"s per {RAW_TASKS} tasks",
        time_ratio=round(ratio, 4),
        rounds=RAW_ROUNDS,
        **goal(ratio <= 1.2, "adapter submit+complete time <= 1.2x bare ThreadPoolExecutor", round(ratio, 4)),
    )


def bench_dask() -> None:
    # distributed's constructors are untyped; drive it as Any.
    distributed: Any = importlib.import_module("distributed")

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
        dashboard_address=None,
    )
    client = distributed.Client(cluster)
    try:
        adapter = adapt(client, owns_executor=False)
        assert adapter.submit(noop, {}).result(timeout=60) is None  # warm-up

        start = time.perf_counter()
        bare = [client.submit(noop, pure=False) for _ in range(DASK_TASKS)]
        client.gather(bare)
        anchor_s = time.perf_counter() - start
        del bare

        start = time.perf_counter()
        ours = [adapter.submit(noop, {}) for _ in range(DASK_TASKS)]
        _, not_done = cf.wait(ours, timeout=600)
        ours_s = time.perf_counter() - start
        assert not not_done
        adapter.shutdown()
        emit(
            "adapter_dask_submit",
            ours_s,
            anchor_s,
            f"s per {DASK_TASKS} tasks",
            time_ratio=round(ours_s / anchor_s, 4),
            note="no goal set: reported for reference",
        )
    finally:
        client.close()
        cluster.close()


def main() -> None:
    """Run the three measurements and print one JSON line each."""
    bench_raw_submit()
    bench_dfk_throughput()
    bench_dask()


if __name__ == "__main__":
    main()
