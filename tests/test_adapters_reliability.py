"""Adapters under load and failure: no task lost, every future settled, bad state that sticks."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading
import time
from typing import Any, List, Set

import pytest

from parsl_executor_protocol import ExecutorAdapter, adapt
from parsl_executor_protocol.errors import ExecutorBadStateError, ExecutorShutdownError

from . import _adapter_tasks as tasks

loky = pytest.importorskip("loky")
psutil = pytest.importorskip("psutil")

TIMEOUT = 60


def _forkserver_pool(workers: int = 2) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("forkserver"))


def _settled(futures: List[cf.Future[Any]], timeout: float = TIMEOUT) -> None:
    _, not_done = cf.wait(futures, timeout=timeout)
    assert not not_done, f"{len(not_done)} of {len(futures)} futures never settled"


def _drained(adapter: ExecutorAdapter) -> bool:
    """Whether the adapter's task map empties (done-callbacks run just after waiters wake)."""
    end = time.monotonic() + TIMEOUT
    while adapter.tasks and time.monotonic() < end:
        time.sleep(0.01)
    return not adapter.tasks


def test_100000_tasks_none_lost() -> None:
    """100,000 tasks through a thread-pool adapter all complete with their own result."""
    n = 100_000
    with adapt(cf.ThreadPoolExecutor(2)) as adapter:
        futures = [adapter.submit(tasks.identity, {}, i) for i in range(n)]
        _settled(futures)
        assert [f.result(timeout=0) for f in futures] == list(range(n))
        assert len({f.parsl_executor_task_id for f in futures}) == n  # type: ignore[attr-defined]
        assert _drained(adapter)


@pytest.mark.parametrize("bridge", [True, False], ids=["default", "bridge_false"])
def test_shutdown_with_1000_pending_settles_every_future(bridge: bool) -> None:
    """Shutdown with 2 running and 1,000 queued tasks: the running finish, the queued are cancelled, at once."""
    gate = threading.Event()
    adapter = adapt(cf.ThreadPoolExecutor(2), bridge=bridge)
    running = [adapter.submit(tasks.wait_for, {}, gate, TIMEOUT) for _ in range(2)]
    queued = [adapter.submit(tasks.add, {}, i, 1) for i in range(1000)]
    threading.Timer(0.2, gate.set).start()
    adapter.shutdown()  # returns once the running tasks finish (the test's timeout bounds it)
    assert all(f.done() for f in running + queued)
    assert [f.result(timeout=0) for f in running] == [True, True]
    assert all(f.cancelled() for f in queued)
    assert len(adapter.tasks) == 0
    with pytest.raises(ExecutorShutdownError, match="has been shut down"):
        adapter.submit(tasks.add, {}, 1, 1)


def test_shutdown_without_cancelling_runs_every_pending_task() -> None:
    """cancel_pending=False: shutdown runs all 1,000 queued tasks to completion before returning."""
    adapter = adapt(cf.ThreadPoolExecutor(2), cancel_pending=False)
    futures = [adapter.submit(tasks.add, {}, i, 1) for i in range(1000)]
    adapter.shutdown()
    assert [f.result(timeout=0) for f in futures] == [i + 1 for i in range(1000)]


def test_shutdown_timeout_fails_tasks_still_running() -> None:
    """A thread-pool task still running after shutdown_timeout fails with ExecutorShutdownError."""
    gate = threading.Event()
    adapter = adapt(cf.ThreadPoolExecutor(1), shutdown_timeout=0.2)
    stuck = adapter.submit(tasks.wait_for, {}, gate, TIMEOUT)
    try:
        adapter.shutdown()
        error = stuck.exception(timeout=TIMEOUT)
        assert isinstance(error, ExecutorShutdownError)
        assert "still running 0.2s after" in str(error)
    finally:
        gate.set()  # let the pool's thread finish
        adapter.wrapped.shutdown(wait=True)  # type: ignore[attr-defined]


def test_shutdown_timeout_fails_queued_tasks_that_were_not_cancelled(caplog: pytest.LogCaptureFixture) -> None:
    """cancel_pending=False: tasks still queued at the shutdown timeout fail too, and never run afterwards."""
    gate = threading.Event()
    ran: List[int] = []
    adapter = adapt(cf.ThreadPoolExecutor(1), cancel_pending=False, shutdown_timeout=0.2)
    stuck = adapter.submit(tasks.wait_for, {}, gate, TIMEOUT)
    queued: List[cf.Future[Any]] = [adapter.submit(ran.append, {}, i) for i in range(10)]
    try:
        adapter.shutdown()
        assert all(isinstance(f.exception(timeout=0), ExecutorShutdownError) for f in [stuck, *queued])
    finally:
        gate.set()
        adapter.wrapped.shutdown(wait=True)  # type: ignore[attr-defined]
    assert ran == []
    assert [r for r in caplog.records if r.name.startswith("concurrent.futures")] == []


@pytest.mark.parametrize("kind", ["processes", "loky"])
def test_shutdown_timeout_terminates_stuck_process_workers(kind: str) -> None:
    """A process task still running after shutdown_timeout fails, and its worker process is terminated."""
    if kind == "loky":
        pool: Any = loky.ProcessPoolExecutor(1)
    else:
        pool = _forkserver_pool(1)
    def alive(pid: int) -> bool:
        try:
            return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
        except psutil.NoSuchProcess:
            return False

    threads_before = set(threading.enumerate())
    adapter = adapt(pool, shutdown_timeout=0.3)
    worker = adapter.submit(tasks.pid, {}).result(timeout=TIMEOUT)
    stuck = adapter.submit(tasks.sleep_then, {}, 120, "never")
    time.sleep(0.2)  # let the worker pick the task up
    adapter.shutdown()
    assert isinstance(stuck.exception(timeout=0), ExecutorShutdownError)
    end = time.monotonic() + TIMEOUT
    while alive(worker) or set(threading.enumerate()) - threads_before:
        assert time.monotonic() < end, "the stuck worker process (or the pool's thread) outlived shutdown"
        time.sleep(0.05)


def test_set_bad_state_and_fail_all_fails_running_and_queued_tasks_at_once(caplog: pytest.LogCaptureFixture) -> None:
    """Default mode: running and queued futures fail with the exception at once; queued tasks never run."""
    gate = threading.Event()
    ran: List[int] = []
    pool = cf.ThreadPoolExecutor(2)
    adapter = adapt(pool)
    try:
        running: List[cf.Future[Any]] = [adapter.submit(tasks.wait_for, {}, gate, TIMEOUT) for _ in range(2)]
        queued = [adapter.submit(ran.append, {}, i) for i in range(100)]
        cause = RuntimeError("the batch system is gone")
        adapter.set_bad_state_and_fail_all(cause)
        assert all(f.done() and f.exception(timeout=0) is cause for f in running + queued)  # no waiting
        assert adapter.bad_state_is_set
        assert adapter.executor_exception is cause
        assert len(adapter.tasks) == 0
        with pytest.raises(ExecutorBadStateError, match="the batch system is gone") as info:
            adapter.submit(tasks.add, {}, 1, 1)
        assert info.value.__cause__ is cause
        assert adapter.status()["0"].status_name == "FAILED"
    finally:
        gate.set()
        adapter.shutdown()
    assert ran == []
    # The running tasks finished into futures already failed: their results are dropped, the
    # failure stands, and the pool's threads ended cleanly (concurrent.futures logs no error).
    assert all(f.exception(timeout=0) is cause for f in running)
    assert [r for r in caplog.records if r.name.startswith("concurrent.futures")] == []
    with pytest.raises(RuntimeError, match="after shutdown"):  # shut down by the adapter (owns_executor)
        pool.submit(tasks.noop)


@pytest.mark.parametrize("kind", ["processes", "loky"])
def test_set_bad_state_and_fail_all_over_process_pools(kind: str) -> None:
    """Process pools (callback mode): a running task's future fails at once; the pool stays usable."""
    pool: Any = loky.ProcessPoolExecutor(2) if kind == "loky" else _forkserver_pool()
    adapter = adapt(pool, owns_executor=False)
    try:
        assert adapter.submit(tasks.add, {}, 1, 1).result(timeout=TIMEOUT) == 2  # workers started
        slow = adapter.submit(tasks.sleep_then, {}, 1.0, "late")
        cause = RuntimeError("gone")
        adapter.set_bad_state_and_fail_all(cause)
        assert slow.done()
        assert slow.exception(timeout=0) is cause
        with pytest.raises(ExecutorBadStateError):
            adapter.submit(tasks.add, {}, 1, 1)
        adapter.shutdown()
        assert pool.submit(tasks.add, 2, 2).result(timeout=TIMEOUT) == 4  # owns_executor=False: still running
    finally:
        pool.shutdown(wait=True)


def test_set_bad_state_and_fail_all_with_bridge_false() -> None:
    """bridge=False (the pool's own futures): queued tasks are cancelled, running ones finish; later submits raise."""
    gate = threading.Event()
    adapter = adapt(cf.ThreadPoolExecutor(2), bridge=False)
    running = [adapter.submit(tasks.wait_for, {}, gate, TIMEOUT) for _ in range(2)]
    queued = [adapter.submit(tasks.add, {}, i, 1) for i in range(100)]
    adapter.set_bad_state_and_fail_all(RuntimeError("gone"))
    assert all(f.cancelled() for f in queued)
    with pytest.raises(ExecutorBadStateError):
        adapter.submit(tasks.add, {}, 1, 1)
    gate.set()
    assert [f.result(timeout=TIMEOUT) for f in running] == [True, True]
    assert adapter.status()["0"].status_name == "FAILED"
    adapter.shutdown()


@pytest.mark.parametrize("kind", ["processes", "loky"])
def test_worker_killed_by_a_signal_puts_the_adapter_in_bad_state(kind: str) -> None:
    """SIGKILL of a worker process fails every pending future with ExecutorBadStateError carrying the cause."""
    if kind == "loky":
        pool: Any = loky.ProcessPoolExecutor(2)
    else:
        pool = _forkserver_pool()
    adapter = adapt(pool, label=kind)
    assert adapter.submit(tasks.add, {}, 1, 1).result(timeout=TIMEOUT) == 2
    sleepers = [adapter.submit(tasks.sleep_then, {}, 0.5, i) for i in range(6)]
    killer = adapter.submit(tasks.kill_own_process, {})
    futures = [*sleepers, killer]
    _settled(futures)
    errors = [f.exception(timeout=0) for f in futures]
    assert isinstance(killer.exception(timeout=0), ExecutorBadStateError)
    broken = [e for e in errors if isinstance(e, ExecutorBadStateError)]
    assert broken
    assert all(isinstance(e.cause, cf.BrokenExecutor) for e in broken)
    assert all(e is None or isinstance(e, ExecutorBadStateError) for e in errors)
    assert adapter.bad_state_is_set
    assert isinstance(adapter.executor_exception, ExecutorBadStateError)
    assert "terminated" in str(adapter.executor_exception).lower()
    with pytest.raises(ExecutorBadStateError, match="bad state") as info:
        adapter.submit(tasks.add, {}, 1, 1)
    assert isinstance(info.value.__cause__, ExecutorBadStateError)
    assert adapter.status()["0"].status_name == "FAILED"
    adapter.shutdown()


def _failing_initializer() -> None:
    raise RuntimeError("no worker today")


@pytest.mark.parametrize("bridge", [True, False], ids=["default", "bridge_false"])
def test_broken_thread_pool_puts_the_adapter_in_bad_state(bridge: bool) -> None:
    """A thread pool whose initializer fails: its tasks fail, the adapter goes bad, submissions raise."""
    adapter = adapt(cf.ThreadPoolExecutor(1, initializer=_failing_initializer), bridge=bridge)
    first = adapter.submit(tasks.add, {}, 1, 1)
    error = first.exception(timeout=TIMEOUT)
    if bridge:  # noticed when the pool fails the task, with no further submission
        assert isinstance(error, ExecutorBadStateError)
        assert isinstance(error.cause, cf.BrokenExecutor)
        assert adapter.bad_state_is_set
    else:  # the pool's own future; the adapter notices at the next submission
        assert isinstance(error, cf.BrokenExecutor)
    with pytest.raises(ExecutorBadStateError, match="thread pool") as info:
        adapter.submit(tasks.add, {}, 1, 1)
    assert adapter.bad_state_is_set
    assert isinstance(info.value.__cause__, ExecutorBadStateError)
    assert isinstance(info.value.__cause__.cause, cf.BrokenExecutor)
    adapter.shutdown()


@pytest.mark.parametrize("bridge", [True, False], ids=["default", "bridge_false"])
def test_16_threads_submitting_at_once(bridge: bool) -> None:
    """16 threads submitting 2,000 tasks each at once: every task runs exactly once, ids are unique."""
    threads, per_thread = 16, 2000
    counter_lock = threading.Lock()
    counts = [0]

    def bump() -> int:
        with counter_lock:
            counts[0] += 1
            return counts[0]

    barrier = threading.Barrier(threads)
    collected: List[List[cf.Future[Any]]] = [[] for _ in range(threads)]
    with adapt(cf.ThreadPoolExecutor(4), bridge=bridge) as adapter:

        def submitter(index: int) -> None:
            barrier.wait(timeout=TIMEOUT)
            collected[index] = [adapter.submit(bump, {}) for _ in range(per_thread)]

        workers = [threading.Thread(target=submitter, args=(i,)) for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=TIMEOUT)
        futures = [f for chunk in collected for f in chunk]
        assert len(futures) == threads * per_thread
        _settled(futures)
        assert counts[0] == threads * per_thread
        assert sorted(f.result(timeout=0) for f in futures) == list(range(1, threads * per_thread + 1))
        assert len({f.parsl_executor_task_id for f in futures}) == threads * per_thread  # type: ignore[attr-defined]
        assert _drained(adapter)


@pytest.mark.parametrize("bridge", [True, False], ids=["default", "bridge_false"])
def test_submitting_while_shutting_down_loses_nothing(bridge: bool) -> None:
    """8 threads submit while another shuts down: each submit returns a future that settles, or raises."""
    adapter: ExecutorAdapter = adapt(cf.ThreadPoolExecutor(2), bridge=bridge)
    futures: List[cf.Future[Any]] = []
    refused: Set[type] = set()
    lock = threading.Lock()
    start = threading.Barrier(9)

    def submitter() -> None:
        start.wait(timeout=TIMEOUT)
        for i in range(2000):
            try:
                future = adapter.submit(tasks.add, {}, i, 1)
            except ExecutorShutdownError as exc:
                with lock:
                    refused.add(type(exc))
                return
            with lock:
                futures.append(future)

    workers = [threading.Thread(target=submitter) for _ in range(8)]
    for worker in workers:
        worker.start()
    start.wait(timeout=TIMEOUT)
    time.sleep(0.01)
    adapter.shutdown()
    for worker in workers:
        worker.join(timeout=TIMEOUT)
    _settled(futures)
    assert refused <= {ExecutorShutdownError}
    assert all(f.cancelled() or f.result(timeout=0) is not None for f in futures)
    assert len(adapter.tasks) == 0


def test_pool_shut_down_from_outside_settles_every_future() -> None:
    """The wrapped pool shut down behind the adapter (cancel_futures=True): queued futures are cancelled, not lost."""
    gate = threading.Event()
    pool = cf.ThreadPoolExecutor(1)
    adapter = adapt(pool)
    running = adapter.submit(tasks.wait_for, {}, gate, TIMEOUT)
    queued = [adapter.submit(tasks.add, {}, i, 1) for i in range(50)]
    pool.shutdown(wait=False, cancel_futures=True)
    _settled(queued)
    assert all(f.cancelled() for f in queued)
    gate.set()
    assert running.result(timeout=TIMEOUT) is True
    assert _drained(adapter)
    with pytest.raises(ExecutorShutdownError, match="shut down outside the adapter"):
        adapter.submit(tasks.add, {}, 1, 1)
    adapter.shutdown()


def test_2020_adapter_keeps_every_task() -> None:
    """contract='2020': tasks maps every submitted id to its very future, finished ones included."""
    with adapt(cf.ThreadPoolExecutor(2), contract="2020") as adapter:
        futures = [adapter.submit(tasks.add, i, 1) for i in range(200)]
        _settled(futures)
        assert dict(adapter.tasks) == {f.parsl_executor_task_id: f for f in futures}  # type: ignore[attr-defined]
