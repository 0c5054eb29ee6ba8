"""Cost of the adapters against what they wrap, measured in one run.

1. Parsl DataFlowKernel throughput, 5,000 no-op ``python_app`` tasks on 2
   threads with Parsl's default logging: the thread-pool adapter in its
   default mode against parsl's own ``ThreadPoolExecutor(max_threads=2)``.
   Goal: at least 1.00x parsl's tasks/s.  Runs alternate (the order rotates
   too) and the goal is judged on the median of the per-round ratios, since
   the DataFlowKernel's own cost dominates and the machine's load drifts a
   lot between rounds; ``ours``/``anchor`` are the median times.
2. Raw submit: 100,000 trivial tasks submitted and completed through the
   adapter in its default mode against a bare
   ``concurrent.futures.ThreadPoolExecutor(2)``.  Goal: time ratio
   ours/anchor at most 1.2 (median of per-round ratios).
3. Dask: 10,000 trivial tasks through the adapter (futures bridged by
   callbacks, results fetched one by one) against bare ``client.submit`` and
   one ``client.gather``, on a LocalCluster of 1 worker with 2 threads.

The default mode hands back futures of the adapter's own (a runner on the
pool's thread settles them), which bad state can fail at once.  Lines 1 and 2
are also measured, in the same rounds, for the opt-in ``bridge=False`` mode
(the pool's own futures, with a weaker bad-state guarantee) and reported as
extra lines named ``..._bridge_false``.

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
from typing import Any, Callable, Dict, List, cast

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


def _rounds(runs: Dict[str, Callable[[], float]], rounds: int) -> Dict[str, List[float]]:
    """Time every run once per round; the order rotates each round, so that load drift favours none."""
    names = list(runs)
    times: Dict[str, List[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            times[name].append(runs[name]())
    return times


def bench_dfk_throughput() -> None:
    from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor
    from parsl.executors.base import ParslExecutor

    with tempfile.TemporaryDirectory() as run_dir:

        def adapter(**options: Any) -> Callable[[], float]:
            return lambda: _dfk_seconds(
                lambda: cast(ParslExecutor, adapt(cf.ThreadPoolExecutor(2), label="threads", **options)), run_dir
            )

        def anchor() -> float:
            return _dfk_seconds(lambda: ParslThreadPoolExecutor(max_threads=2, label="threads"), run_dir)

        anchor()  # warm-up: imports, first DFK
        times = _rounds({"anchor": anchor, "ours": adapter(), "bridge_false": adapter(bridge=False)}, DFK_ROUNDS)
    anchor_s = statistics.median(times["anchor"])
    for name, line in (("ours", "adapter_dfk_throughput"), ("bridge_false", "adapter_dfk_throughput_bridge_false")):
        ours_s = statistics.median(times[name])
        ratio = _paired(times["anchor"], times[name])  # = our tasks/s over parsl's
        mode = "default" if name == "ours" else "bridge=False (opt-in: the pool's own futures)"
        emit(
            line,
            ours_s,
            anchor_s,
            f"s per {DFK_TASKS} apps",
            mode=mode,
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
    def anchor() -> float:
        with cf.ThreadPoolExecutor(2) as pool:
            return _raw_seconds(lambda: pool.submit(noop))

    def adapter(**options: Any) -> Callable[[], float]:
        def run() -> float:
            with adapt(cf.ThreadPoolExecutor(2), **options) as ours:
                return _raw_seconds(lambda: ours.submit(noop, {}))

        return run

    times = _rounds({"anchor": anchor, "ours": adapter(), "bridge_false": adapter(bridge=False)}, RAW_ROUNDS)
    anchor_s = statistics.median(times["anchor"])
    for name, line in (("ours", "adapter_raw_submit"), ("bridge_false", "adapter_raw_submit_bridge_false")):
        ours_s = statistics.median(times[name])
        ratio = _paired(times[name], times["anchor"])
        mode = "default" if name == "ours" else "bridge=False (opt-in: the pool's own futures)"
        emit(
            line,
            ours_s,
            anchor_s,
            f"s per {RAW_TASKS} tasks",
            mode=mode,
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
    """Run the measurements (all, or those named on the command line: raw, dfk, dask); one JSON line each."""
    benches = {"raw": bench_raw_submit, "dfk": bench_dfk_throughput, "dask": bench_dask}
    chosen = sys.argv[1:] or list(benches)
    unknown = sorted(set(chosen) - set(benches))
    if unknown:
        sys.exit(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(benches)}")
    for name in chosen:
        benches[name]()


if __name__ == "__main__":
    main()
