"""Faults the adapters must survive with nothing lost and nothing left behind; each bounded by timeouts."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import threading
from typing import Any, List, Optional, Set, Tuple

import pytest

from parsl_executor_protocol import ExecutorAdapter, adapt
from parsl_executor_protocol.errors import ExecutorBadStateError

from . import _adapter_tasks as tasks

loky = pytest.importorskip("loky")
psutil = pytest.importorskip("psutil")

TIMEOUT = 60


def _forkserver_pool(workers: int = 2) -> cf.ProcessPoolExecutor:
    # forkserver: forking this multi-threaded test process could deadlock a worker.
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def _pool(kind: str) -> Any:
    if kind == "threads":
        return cf.ThreadPoolExecutor(2)
    if kind == "processes":
        return _forkserver_pool()
    return loky.ProcessPoolExecutor(2)


def _settled(futures: List[cf.Future[Any]]) -> None:
    _, not_done = cf.wait(futures, timeout=TIMEOUT)
    assert not not_done, f"{len(not_done)} of {len(futures)} futures never settled"


def _threads() -> Set[int]:
    return {t.ident for t in threading.enumerate() if t.ident is not None}


def _children() -> Set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}


def _left_over(before: Tuple[Set[int], Set[int]], deadline: float) -> Tuple[List[str], Set[int]]:
    """The names of threads and the child processes not in ``before``, once gone or ``deadline`` seconds on."""
    stop = threading.Event()
    for _ in range(int(deadline / 0.05)):
        threads = [t.name for t in threading.enumerate() if t.ident not in before[0]]
        children = _children() - before[1]
        if not threads and not children:
            break
        stop.wait(0.05)
    return threads, children


def _warm_up(kind: str) -> None:
    # Process-wide helpers (forkserver, resource trackers) start on first use and live
    # until exit; start them before taking a "before" snapshot.
    with _pool(kind) as pool:
        pool.submit(tasks.noop).result(timeout=TIMEOUT)


# --- two shutdowns at once -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["threads", "processes", "loky"])
def test_a_second_concurrent_shutdown_waits_as_the_first_does(kind: str) -> None:
    """Two threads call shutdown() at once: neither returns while a future is pending."""
    adapter = adapt(_pool(kind), label=kind, cancel_pending=False)
    gate = threading.Event()
    if kind == "threads":
        futures: List[cf.Future[Any]] = [adapter.submit(tasks.wait_for, {}, gate, TIMEOUT) for _ in range(2)]
    else:
        futures = [adapter.submit(tasks.sleep_then, {}, 0.3, i) for i in range(2)]
    futures += [adapter.submit(tasks.add, {}, i, 1) for i in range(20)]
    pending_at_return: List[Optional[int]] = [None, None]

    def shut(slot: int) -> None:
        adapter.shutdown()
        pending_at_return[slot] = sum(not f.done() for f in futures)

    first = threading.Thread(target=shut, args=(0,))
    first.start()
    _until_refusing(adapter)  # the first shutdown has begun
    second = threading.Thread(target=shut, args=(1,))
    second.start()
    gate.set()
    first.join(TIMEOUT)
    second.join(TIMEOUT)
    assert not first.is_alive()
    assert not second.is_alive()
    assert pending_at_return == [0, 0]
    assert [f.result(timeout=0) for f in futures[2:]] == list(range(1, 21))


def _until_refusing(adapter: ExecutorAdapter) -> None:
    """Wait until ``adapter`` refuses tasks, which it does from the moment shutdown begins."""
    event = threading.Event()
    for _ in range(int(TIMEOUT / 0.01)):
        try:
            adapter.submit(tasks.noop, {}).cancel()
        except Exception:
            return
        event.wait(0.01)
    raise AssertionError("shutdown never began")


# --- a task shutting its own adapter down ---------------------------------------------------------


def test_a_task_shutting_its_own_thread_pool_adapter_down_raises_at_once() -> None:
    """shutdown() from one of the adapter's own tasks raises RuntimeError, as the standard pool does.

    Run in a subprocess: a deadlocked pool thread would keep this test process from exiting.
    """
    code = textwrap.dedent(
        """
        import concurrent.futures as cf, threading, time
        from parsl_executor_protocol import adapt

        for workers in (1, 2):
            adapter = adapt(cf.ThreadPoolExecutor(workers))
            other = adapter.submit(time.sleep, {}, 0.05)
            own = adapter.submit(adapter.shutdown, {})
            error = own.exception(timeout=30)
            print(type(error).__name__, "its own tasks" in str(error))
            print(adapter.submit(pow, {}, 2, 3).result(timeout=30))
            adapter.shutdown()
        print(sorted(t.name for t in threading.enumerate()))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=TIMEOUT, check=False)
    expected = ["RuntimeError True", "8", "RuntimeError True", "8", "['MainThread']"]
    assert out.stdout.splitlines() == expected, out.stderr


# --- a process-pool worker killed by a signal --------------------------------------------------


@pytest.mark.parametrize("how", ["signal", "own"])
@pytest.mark.parametrize("kind", ["processes", "loky"])
def test_a_killed_worker_leaves_no_traceback_thread_or_process(
    kind: str, how: str, capfd: pytest.CaptureFixture[str]
) -> None:
    """A worker killed by SIGKILL (from outside, or by its own task): bad state, no traceback, nothing left."""
    _warm_up(kind)
    before = (_threads(), _children())
    adapter = adapt(_pool(kind), label=kind)
    worker = adapter.submit(tasks.pid, {}).result(timeout=TIMEOUT)
    sleepers = [adapter.submit(tasks.sleep_then, {}, 0.5, i) for i in range(6)]
    if how == "signal":
        os.kill(worker, signal.SIGKILL)
        futures = sleepers
    else:
        futures = [*sleepers, adapter.submit(tasks.kill_own_process, {})]
    _settled(futures)
    assert adapter.bad_state_is_set
    assert all(f.exception(timeout=0) is None or isinstance(f.exception(timeout=0), ExecutorBadStateError)
               for f in futures)
    adapter.shutdown()
    # A pool's helper threads and processes may take a moment to exit after shutdown
    # returns: bounded well below the 10 s they outlived teardown by when a pool died.
    left_threads, left_children = _left_over(before, deadline=5.0)
    err = capfd.readouterr().err
    assert "InvalidStateError" not in err
    assert "Traceback" not in err
    assert left_threads == []
    assert left_children == set()


# --- Dask ----------------------------------------------------------------------------------------



def _dask_adapter(cluster: Any) -> ExecutorAdapter:
    import distributed

    return adapt(distributed.Client(cluster), label="dask")  # type: ignore[no-untyped-call]  # untyped in distributed


def test_dask_bad_state_leaves_no_future_pending(dask_cluster: Any) -> None:
    """set_bad_state_and_fail_all with tasks running, finishing and queued: every future is done when it returns."""
    adapter = _dask_adapter(dask_cluster)
    try:
        futures = [adapter.submit(tasks.sleep_then, {}, 0.002, i) for i in range(400)]
        cf.wait(futures[:40], timeout=TIMEOUT)  # tasks are finishing, their results on their way back
        error = RuntimeError("cluster lost")
        adapter.set_bad_state_and_fail_all(error)
        pending = [f for f in futures if not f.done()]
        assert pending == []
        assert {type(f.exception(timeout=0)) for f in futures} <= {type(None), RuntimeError}
        assert any(f.exception(timeout=0) is error for f in futures)
    finally:
        adapter.shutdown()


@pytest.mark.parametrize("exit_with", [KeyboardInterrupt, SystemExit])
def test_dask_task_raising_keyboard_interrupt_or_system_exit_fails_its_future(
    dask_cluster: Any, exit_with: type
) -> None:
    """The task's future fails with the very exception, as the standard pools do; the adapter runs on."""
    with _dask_adapter(dask_cluster) as adapter:
        error = adapter.submit(tasks.raise_base_exception, {}, exit_with.__name__).exception(timeout=TIMEOUT)
        assert type(error) is exit_with
        assert adapter.submit(tasks.add, {}, 1, 2).result(timeout=TIMEOUT) == 3


def test_dask_unpicklable_argument_or_result_fails_the_future_clearly(dask_cluster: Any) -> None:
    """An argument or a result Dask cannot serialize fails that task's future with one clear line."""
    with _dask_adapter(dask_cluster) as adapter:
        argument = adapter.submit(tasks.identity, {}, threading.Lock()).exception(timeout=TIMEOUT)
        assert isinstance(argument, pickle.PicklingError)
        assert str(argument).startswith("task identity cannot be sent to Dask: its function or arguments")
        result = adapter.submit(tasks.make_lock, {}).exception(timeout=TIMEOUT)
        assert isinstance(result, pickle.PicklingError)
        assert "cannot be serialized back" in str(result)
        for error in (argument, result):
            assert "\n" not in str(error)
        assert adapter.submit(tasks.add, {}, 1, 2).result(timeout=TIMEOUT) == 3
        assert not adapter.bad_state_is_set


@pytest.mark.parametrize("kind", ["threads", "processes", "loky"])
@pytest.mark.parametrize("exit_with", [KeyboardInterrupt, SystemExit])
def test_pool_task_raising_keyboard_interrupt_or_system_exit_fails_its_future(kind: str, exit_with: type) -> None:
    """The same on every pool: the future fails with the very exception and the adapter runs on."""
    with adapt(_pool(kind), label=kind) as adapter:
        error = adapter.submit(tasks.raise_base_exception, {}, exit_with.__name__).exception(timeout=TIMEOUT)
        assert type(error) is exit_with
        assert adapter.submit(tasks.add, {}, 1, 2).result(timeout=TIMEOUT) == 3


def test_dask_unpicklable_argument_or_result_under_a_dataflow_kernel(dask_cluster: Any, tmp_path: Any) -> None:
    """Through a real DataFlowKernel the apps fail with the clear error, and the run goes on to its end."""
    parsl = pytest.importorskip("parsl")
    from parsl.config import Config
    from parsl.dataflow.dflow import DataFlowKernel

    dfk = DataFlowKernel(Config(executors=[_dask_adapter(dask_cluster)], run_dir=str(tmp_path)))
    try:
        identity = parsl.python_app(tasks.identity, data_flow_kernel=dfk)
        make_lock = parsl.python_app(tasks.make_lock, data_flow_kernel=dfk)
        add = parsl.python_app(tasks.add, data_flow_kernel=dfk)
        errors = [identity(threading.Lock()).exception(timeout=TIMEOUT), make_lock().exception(timeout=TIMEOUT)]
        assert [type(error) for error in errors] == [pickle.PicklingError, pickle.PicklingError]
        assert add(1, 2).result(timeout=TIMEOUT) == 3
    finally:
        dfk.cleanup()
        parsl.clear()
