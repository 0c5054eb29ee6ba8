"""P3, P4 and P5: the cost of the adapters against what they wrap, measured in one run.

1. P3, Parsl DataFlowKernel throughput, 5,000 no-op ``python_app`` tasks on 2
   threads: the thread-pool adapter in its default mode against parsl's own
   ``ThreadPoolExecutor(max_threads=2)``, with Parsl's logging off
   (``Config(initialize_logging=False)``) and on (the default).  Goal: at
   least 1.00x parsl's tasks/s with either, that is a time ratio ours/anchor of
   at most 1.00 (goal ``P3``, lines ``P3_dfk_throughput``).  Runs alternate
   (in an order that changes from round to round, each after a garbage
   collection, as in every measurement here) and the goal is judged on the median of the
   per-round ratios, since the DataFlowKernel's own cost dominates and the
   machine's load drifts a lot between rounds; ``ours``/``anchor`` are the
   median times.  Each line's ``interval_95`` is a 95 % interval for its
   median ratio (see ``_report.paired_interval``).
2. P4, raw submit: 100,000 trivial tasks submitted and completed through the
   adapter in its default mode against a bare
   ``concurrent.futures.ThreadPoolExecutor(2)``.  Goal: time ratio
   ours/anchor at most 1.2 (median of per-round ratios; ``P4``).
3. P5, Dask: 10,000 trivial tasks through the adapter against bare
   ``client.submit`` and one ``client.gather``, on a LocalCluster of 1 worker
   with 2 threads (in-process).  Goal: time ratio at most 1.1 (``P5``).  Each
   timed run ends once every result is in hand *and* the futures have been
   dropped and the scheduler and the worker have forgotten the tasks: the
   adapter drops each Dask future as it settles it, so its releases fall
   inside its run, while bare ``gather`` leaves all of them to be released
   after its timer stops, on the next run's time.  The time to the last
   result alone is reported as ``P5_dask_submit_results`` (no goal).

P3's profile is reported with it, without a goal: the CPU time every thread
spent per app in P3's own runs (``P3_dfk_thread_cpu``, by thread: the caller,
parsl's launch thread, the pool's workers) and, from one more run each way,
the function calls every thread made per app (``P3_dfk_calls_per_app``).

The default mode hands back futures of the adapter's own (a runner on the
pool's thread settles them), which bad state can fail at once.  Lines 1 (with
logging off) and 2 are also measured, in the same rounds, for the opt-in
``bridge=False`` mode (the pool's own futures, with a weaker bad-state
guarantee) and reported without a goal as lines named ``..._bridge_false``.

Each line's ``speedup`` is anchor/ours on *time* (above 1: ours is faster); a
goal line's ``value`` is the time ratio ours/anchor and ``limit`` the largest
that meets the goal.  Name the measurements to run (``raw``, ``dfk``,
``dask``; all by default); ``--quick`` runs each with a tenth of the tasks
and fewer rounds, a smoke run whose ratios mean little.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import importlib
import logging as py_logging
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, cast

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import arguments, at_most, emit, paired, paired_interval, timed_rounds

from parsl_executor_protocol import adapt

DFK_TASKS = 5_000
#: More rounds than the other measurements: the per-round ratios spread widely (see
#: :func:`bench_dfk_throughput`) and with logging on the median has sat within a few hundredths
#: of 1.00.  Twenty rounds are two full sets of the orders of five runs (see ``_report.orders``)
#: and make a line's 95 % interval (``interval_95``) the 6th to the 15th ratio.
DFK_ROUNDS = 20
RAW_TASKS = 100_000
#: Round counts are whole sets of their runs' orders (see ``_report.timed_rounds``): two sets of the
#: six orders of P4's three runs, two of the two orders of P5's two runs.
RAW_ROUNDS = 12
DASK_TASKS = 10_000
DASK_ROUNDS = 4
DASK_LONE_TASKS = 200


def noop() -> None:
    return None


class _CallCounter:
    """A profile function counting the Python and the C function calls of every thread while ``on``."""

    def __init__(self) -> None:
        self.python = self.c = 0
        self.on = False

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if self.on:
            if event == "call":
                self.python += 1
            elif event == "c_call":
                self.c += 1


#: The threads of a DataFlowKernel run, by the start of their names: the caller's (which
#: submits the apps and waits for them), parsl's launch thread (which hands each app to the
#: executor) and the pool's workers (parsl's pool names them ``ThreadPoolExecutor-<label>_N``,
#: the standard pool the adapter wraps ``ThreadPoolExecutor-M_N``).
_THREAD_GROUPS = (("main", "MainThread"), ("launch", "Task-Launch"), ("pool", "ThreadPoolExecutor"))


def _thread_cpu() -> Dict[int, Tuple[str, float]]:
    """CPU seconds so far of every live thread, by thread id, with its group (``other`` if none)."""
    seconds = {}
    for thread in threading.enumerate():
        if thread.ident is None:
            continue
        group = next((group for group, prefix in _THREAD_GROUPS if thread.name.startswith(prefix)), "other")
        try:
            seconds[thread.ident] = (group, time.clock_gettime(time.pthread_getcpuclockid(thread.ident)))
        except OSError:  # the thread ended between the listing and the reading
            continue
    return seconds


def _cpu_between(before: Dict[int, Tuple[str, float]], after: Dict[int, Tuple[str, float]]) -> Dict[str, float]:
    """CPU seconds per thread group between two :func:`_thread_cpu` readings, of the threads alive at both."""
    spent = {group: 0.0 for group, _ in _THREAD_GROUPS}
    spent["other"] = 0.0
    for ident, (group, seconds) in after.items():
        if ident in before:
            spent[group] += seconds - before[ident][1]
    return spent


def _cpu_sink(sinks: Dict[str, List[Dict[str, float]]], name: str) -> Optional[List[Dict[str, float]]]:
    """The list ``name``'s runs put their thread CPU readings in; ``None`` where threads have no CPU clock."""
    return sinks.setdefault(name, []) if hasattr(time, "pthread_getcpuclockid") else None


def _dfk_seconds(
    make_executor: Callable[[], Any],
    run_dir: str,
    logging: bool,
    counter: Optional[_CallCounter] = None,
    threads: Optional[List[Dict[str, float]]] = None,
) -> float:
    """Seconds for DFK_TASKS no-op apps through a new DataFlowKernel.

    ``counter`` counts their calls; ``threads`` gets the CPU seconds every thread group
    spent on them (:func:`_cpu_between`), read outside the timed span.
    """
    from parsl import python_app
    from parsl.config import Config
    from parsl.dataflow.dflow import DataFlowKernel

    # A DataFlowKernel that initialises logging sets the "parsl" logger to DEBUG and leaves it
    # there after cleanup (it removes only its handler): every later run, logging "off" or not,
    # would then build a record for each of parsl's debug lines.  Each run starts as a fresh
    # process would.
    parsl_logger = py_logging.getLogger("parsl")
    level = parsl_logger.level
    if counter is not None:  # before the DFK and the pool start their threads, which inherit it
        sys.setprofile(counter)
        threading.setprofile(counter)
    dfk = DataFlowKernel(Config(executors=[make_executor()], run_dir=run_dir, initialize_logging=logging))
    try:
        app = python_app(noop, data_flow_kernel=dfk)
        app().result(timeout=600)  # the pool's threads start, and parsl's first-call work is done
        cpu_before = _thread_cpu() if threads is not None else {}
        start = time.perf_counter()
        if counter is not None:
            counter.on = True
        futures = [app() for _ in range(DFK_TASKS)]
        for future in futures:
            future.result(timeout=600)
        if counter is not None:
            counter.on = False
        seconds = time.perf_counter() - start
        if threads is not None:
            threads.append(_cpu_between(cpu_before, _thread_cpu()))
        return seconds
    finally:
        if counter is not None:  # only a counting run set them: a profiler running the benchmark stays
            sys.setprofile(None)
            threading.setprofile(None)
        dfk.cleanup()
        parsl_logger.setLevel(level)
        # The run's log (some 6 MB with logging on) is deleted before the kernel writes it back
        # to disk, which it would otherwise do while the next run is being timed.
        shutil.rmtree(dfk.run_dir, ignore_errors=True)


def bench_dfk_throughput() -> None:
    from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor
    from parsl.executors.base import ParslExecutor

    def adapter_executor(**options: Any) -> ParslExecutor:
        return cast(ParslExecutor, adapt(cf.ThreadPoolExecutor(2), label="threads", **options))

    def anchor_executor() -> ParslExecutor:
        return ParslThreadPoolExecutor(max_threads=2, label="threads")

    cpu: Dict[str, List[Dict[str, float]]] = {}  # run name -> each round's CPU seconds per thread group

    with tempfile.TemporaryDirectory() as run_dir:

        def adapter(logging: bool, **options: Any) -> Callable[[], float]:
            # Only the default mode's profile is reported: bridge=False runs read no CPU clocks.
            threads = None if options else _cpu_sink(cpu, f"ours_{'on' if logging else 'off'}")
            return lambda: _dfk_seconds(lambda: adapter_executor(**options), run_dir, logging, threads=threads)

        def anchor(logging: bool) -> Callable[[], float]:
            threads = _cpu_sink(cpu, f"anchor_{'on' if logging else 'off'}")
            return lambda: _dfk_seconds(anchor_executor, run_dir, logging, threads=threads)

        _dfk_seconds(anchor_executor, run_dir, False)  # warm-up: imports, first DFK
        times = timed_rounds(
            {
                "anchor_off": anchor(False), "ours_off": adapter(False),
                "anchor_on": anchor(True), "ours_on": adapter(True),
                "bridge_false_off": adapter(False, bridge=False),
            },
            DFK_ROUNDS,
        )
    for name, anchor_name, logging in (("ours_off", "anchor_off", "off"), ("ours_on", "anchor_on", "on"),
                                       ("bridge_false_off", "anchor_off", "off")):
        ours_s, anchor_s = statistics.median(times[name]), statistics.median(times[anchor_name])
        ratio = paired(times[name], times[anchor_name])  # time ratio = parsl's tasks/s over ours
        common: Dict[str, Any] = {
            "logging": logging, "ours_tasks_per_s": round(DFK_TASKS / ours_s, 1),
            "anchor_tasks_per_s": round(DFK_TASKS / anchor_s, 1), "rounds": DFK_ROUNDS, "tasks": DFK_TASKS,
            "interval_95": paired_interval(times[name], times[anchor_name]),
        }
        if name.startswith("bridge_false"):
            emit("P3_dfk_throughput_bridge_false", ours_s, anchor_s, f"s per {DFK_TASKS} apps",
                 mode="bridge=False (opt-in: the pool's own futures)", time_ratio=round(ratio, 4), **common,
                 note="opt-in mode, reported without a goal")
            continue
        emit("P3_dfk_throughput", ours_s, anchor_s, f"s per {DFK_TASKS} apps", mode="default", **common,
             **at_most("P3", f"DFK tasks/s through the thread adapter >= 1.00x parsl's ThreadPoolExecutor "
                             f"(logging {logging})", ratio, 1.0))
    for logging in ("off", "on") if cpu else ():
        _emit_thread_cpu(logging, cpu[f"ours_{logging}"], cpu[f"anchor_{logging}"])
    _dfk_calls(adapter_executor, anchor_executor)


def _emit_thread_cpu(logging: str, ours: List[Dict[str, float]], anchor: List[Dict[str, float]]) -> None:
    """Reported, no goal: P3's profile, the CPU time each thread group spent per app, through either executor.

    Read in P3's own timed runs (outside their timed span) from each thread's CPU clock, so
    that it shows where the apps' time went in every thread, not only the caller's: the
    medians over the rounds, in µs per app, per group and in all.
    """

    def per_app(rounds: List[Dict[str, float]], group: Optional[str]) -> float:
        spent = [sum(round_.values()) if group is None else round_[group] for round_ in rounds]
        return round(statistics.median(spent) / DFK_TASKS * 1e6, 2)

    groups = list(ours[0])
    emit("P3_dfk_thread_cpu", per_app(ours, None), per_app(anchor, None), "CPU µs per app, all threads",
         logging=logging, ours_by_thread={group: per_app(ours, group) for group in groups},
         anchor_by_thread={group: per_app(anchor, group) for group in groups}, rounds=len(ours), tasks=DFK_TASKS,
         note="reported without a goal: P3's profile, each thread's CPU time in P3's own runs, median over rounds")


def _dfk_calls(adapter_executor: Callable[[], Any], anchor_executor: Callable[[], Any]) -> None:
    """Reported, no goal: the function calls per app of every thread, through the adapter and through parsl's pool.

    A count, not a time: the same on any machine at any load, where P3's
    times drift from round to round by more than the two differ.
    """
    counts = {}
    with tempfile.TemporaryDirectory() as run_dir:
        for name, make in (("ours", adapter_executor), ("anchor", anchor_executor)):
            counter = _CallCounter()
            _dfk_seconds(make, run_dir, False, counter)
            counts[name] = counter
    emit("P3_dfk_calls_per_app", counts["ours"].python / DFK_TASKS, counts["anchor"].python / DFK_TASKS,
         "Python calls per app", ours_c_calls=round(counts["ours"].c / DFK_TASKS, 3),
         anchor_c_calls=round(counts["anchor"].c / DFK_TASKS, 3), tasks=DFK_TASKS, logging="off",
         note="reported without a goal: calls counted in every thread, the DFK's and the pool's included")


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

    times = timed_rounds({"anchor": anchor, "ours": adapter(), "bridge_false": adapter(bridge=False)}, RAW_ROUNDS)
    anchor_s = statistics.median(times["anchor"])
    for name in ("ours", "bridge_false"):
        ours_s = statistics.median(times[name])
        ratio = paired(times[name], times["anchor"])
        common = {"time_ratio": round(ratio, 4), "rounds": RAW_ROUNDS, "tasks": RAW_TASKS}
        if name == "bridge_false":
            emit("P4_raw_submit_bridge_false", ours_s, anchor_s, f"s per {RAW_TASKS} tasks",
                 mode="bridge=False (opt-in: the pool's own futures)", **common,
                 note="opt-in mode, reported without a goal")
            continue
        emit("P4_raw_submit", ours_s, anchor_s, f"s per {RAW_TASKS} tasks", mode="default", **common,
             **at_most("P4", "raw submit+complete time <= 1.2x a bare ThreadPoolExecutor", ratio, 1.2))


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

        scheduler = cluster.scheduler
        worker = next(iter(cluster.workers.values()))

        def forgotten(start: float) -> float:
            """Seconds since ``start`` once the scheduler and the worker hold no task."""
            deadline = time.monotonic() + 120
            while (scheduler.tasks or worker.state.tasks) and time.monotonic() < deadline:
                time.sleep(0.001)
            held = len(scheduler.tasks), len(worker.state.tasks)
            assert held == (0, 0), f"tasks still held after 120 s (scheduler, worker): {held}"
            return time.perf_counter() - start

        results: Dict[str, List[float]] = {"anchor": [], "ours": []}

        def bare() -> float:
            start = time.perf_counter()
            futures = [client.submit(noop, pure=False) for _ in range(DASK_TASKS)]
            client.gather(futures)
            results["anchor"].append(time.perf_counter() - start)
            del futures
            return forgotten(start)

        def ours() -> float:
            start = time.perf_counter()
            futures = [adapter.submit(noop, {}) for _ in range(DASK_TASKS)]
            _, not_done = cf.wait(futures, timeout=600)
            assert not not_done
            results["ours"].append(time.perf_counter() - start)
            del futures
            return forgotten(start)

        forgotten(time.perf_counter())
        times = timed_rounds({"anchor": bare, "ours": ours}, DASK_ROUNDS)
        ratio = paired(times["ours"], times["anchor"])
        emit("P5_dask_submit", statistics.median(times["ours"]), statistics.median(times["anchor"]),
             f"s per {DASK_TASKS} tasks", time_ratio=round(ratio, 4), rounds=DASK_ROUNDS, tasks=DASK_TASKS,
             **at_most("P5", "Dask adapter time <= 1.1x bare client.submit + gather", ratio, 1.1))
        emit("P5_dask_submit_results", statistics.median(results["ours"]), statistics.median(results["anchor"]),
             f"s per {DASK_TASKS} tasks", time_ratio=round(paired(results["ours"], results["anchor"]), 4),
             rounds=DASK_ROUNDS, tasks=DASK_TASKS,
             note="reported without a goal: time to the last result, releases left out")

        # One task at a time, each waited for: what batching the hand-over costs a lone task.
        def bare_one() -> float:
            start = time.perf_counter()
            for _ in range(DASK_LONE_TASKS):
                client.submit(noop, pure=False).result(timeout=60)
            return time.perf_counter() - start

        def ours_one() -> float:
            start = time.perf_counter()
            for _ in range(DASK_LONE_TASKS):
                adapter.submit(noop, {}).result(timeout=60)
            return time.perf_counter() - start

        lone = timed_rounds({"anchor": bare_one, "ours": ours_one}, DASK_ROUNDS * 2)
        adapter.shutdown()
        emit("P5_dask_lone_task", statistics.median(lone["ours"]) / DASK_LONE_TASKS * 1e3,
             statistics.median(lone["anchor"]) / DASK_LONE_TASKS * 1e3, "ms per task",
             time_ratio=round(paired(lone["ours"], lone["anchor"]), 4), tasks=DASK_LONE_TASKS,
             note="reported without a goal: one task submitted and waited for at a time")
    finally:
        client.close()
        cluster.close()


def main() -> None:
    """Run the measurements (all, or those named on the command line: raw, dfk, dask); one JSON line each."""
    global DFK_TASKS, DFK_ROUNDS, RAW_TASKS, RAW_ROUNDS, DASK_TASKS, DASK_ROUNDS
    global DASK_LONE_TASKS  # noqa: PLW0603  (--quick)
    benches = {"raw": bench_raw_submit, "dfk": bench_dfk_throughput, "dask": bench_dask}
    parser: argparse.ArgumentParser = arguments(__doc__)
    parser.add_argument("benchmarks", nargs="*", help=f"which to run: {', '.join(benches)} (default: all)")
    args = parser.parse_args()
    unknown = sorted(set(args.benchmarks) - set(benches))
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(benches)}")
    if args.quick:
        DFK_TASKS, DFK_ROUNDS, RAW_TASKS, RAW_ROUNDS, DASK_TASKS, DASK_ROUNDS = 500, 10, 10_000, 6, 1_000, 2
        DASK_LONE_TASKS = 20
    for name in args.benchmarks or list(benches):
        benches[name]()


if __name__ == "__main__":
    main()
