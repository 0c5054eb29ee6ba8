"""Faults the adapters must survive with nothing lost and nothing left behind; each bounded by timeouts."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
from typing import Any, List, Optional, Set

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
    left_threads = [t.name for t in threading.enumerate() if t.ident not in before[0]]
    left_children = _children() - before[1]
    err = capfd.readouterr().err
    assert "InvalidStateError" not in err
    assert "Traceback" not in err
    assert left_threads == []
    assert left_children == set()
