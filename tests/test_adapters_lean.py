"""The thread adapter's lean work items: the pool's own worker runs them, with nothing lost or run twice."""

from __future__ import annotations

import concurrent.futures as cf
import gc
import io
import logging
import sys
import threading
import unittest
from typing import Any, Dict, List

import pytest

from parsl_executor_protocol import adapt
from parsl_executor_protocol.adapters._lean import LeanTask, new_future, runner_queue

from ._cpython_futures import cpython_test_classes

TIMEOUT = 60


def test_lean_path_only_for_the_standard_thread_pool_on_supported_pythons() -> None:
    """ThreadPoolExecutor itself gets it on 3.10-3.13; a subclass (it may override submit) never does."""

    class Mine(cf.ThreadPoolExecutor):
        pass

    with cf.ThreadPoolExecutor(1) as plain, Mine(1) as mine:
        assert (runner_queue(plain) is not None) is (sys.version_info < (3, 14))
        assert runner_queue(mine) is None


def test_lean_task_states_and_completion() -> None:
    """Cancel before start wins once and reports once; a task that ran takes itself out of pending."""
    seen: List[Any] = []
    ran: List[Any] = []
    pending: Dict[Any, Any] = {}

    def runner(owner: Any, future: Any, func: Any, args: Any, kwargs: Any) -> None:
        ran.append((owner, future, func(*args, **kwargs)))

    def lean(value: int) -> LeanTask:
        return LeanTask(runner, "owner", "future", int, (str(value),), {"base": 10}, pending, seen.append)

    task = lean(1)
    pending[task] = "future"
    assert task.future is task
    assert task.cancel() is True
    assert task.cancel() is True
    task.run()
    assert ran == []
    assert task.cancelled()
    assert task.done()
    assert seen == [task]
    with pytest.raises(cf.CancelledError):
        task.result()

    running = lean(2)
    pending[running] = "future"
    running.run()
    assert ran == [("owner", "future", 2)]
    assert running not in pending
    assert running.done()
    assert not running.cancelled()
    assert running.cancel() is False
    running.result()  # no error: the pool did not fail it
    assert seen == [task]

    broken = lean(3)
    broken.set_exception(ValueError("pool broke"))
    broken.run()
    assert ran == [("owner", "future", 2)]
    assert seen == [task, broken]
    with pytest.raises(ValueError, match="pool broke"):
        broken.result()


def test_a_refused_task_is_not_left_pending() -> None:
    """A pool shut down from outside refuses the task: submit raises and nothing stays recorded."""
    pool = cf.ThreadPoolExecutor(1)
    queue = runner_queue(pool)
    if queue is None:
        pytest.skip("no lean path on this Python")
    pool.shutdown()
    pending: Dict[Any, Any] = {}
    with pytest.raises(RuntimeError, match="after shutdown"):
        queue(pending, lambda task: None, print, "owner", "future", print, (), {})
    assert pending == {}


def test_many_tasks_through_the_lean_path_all_settle_once() -> None:
    """10,000 tasks from 4 threads: every adapter future settles with its own value."""
    with adapt(cf.ThreadPoolExecutor(2)) as executor:
        results: List[List[cf.Future[int]]] = [[] for _ in range(4)]

        def submit_many(slot: int) -> None:
            results[slot] = [executor.submit(int, {}, str(slot * 10_000 + i)) for i in range(2_500)]

        threads = [threading.Thread(target=submit_many, args=(slot,)) for slot in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(TIMEOUT)
        futures = [f for batch in results for f in batch]
        done, not_done = cf.wait(futures, timeout=TIMEOUT)
        assert not not_done
        assert sorted(f.result() for f in done) == sorted(s * 10_000 + i for s in range(4) for i in range(2_500))


def test_the_pool_grows_to_its_size_and_no_further() -> None:
    """Tasks that wait for each other need every thread: the lean path starts them all, and no more.

    Once the pool has all its threads the lean path leaves the pool's thread count alone;
    this shows the pool still reached its size first, and that tasks queued after it (with
    the pool's idle count never taken down) all run on those threads.
    """
    size = 3
    pool = cf.ThreadPoolExecutor(size)
    with adapt(pool) as executor:
        barrier = threading.Barrier(size, timeout=TIMEOUT)
        together = [executor.submit(barrier.wait, {}) for _ in range(size)]
        done, not_done = cf.wait(together, timeout=TIMEOUT)
        assert not not_done
        assert sorted(f.result() for f in done) == list(range(size))  # all waited at once
        later = [executor.submit(threading.get_ident, {}) for _ in range(500)]
        done, not_done = cf.wait(later, timeout=TIMEOUT)
        assert not not_done
        assert len(pool._threads) == size
        assert {f.result() for f in done} <= {t.ident for t in pool._threads}
        # The pool's own submit still works on the same pool.
        assert pool.submit(int, "7").result(timeout=TIMEOUT) == 7
        assert len(pool._threads) == size


def _tracked_per_task(submit: Any, tasks: int = 2_000) -> float:
    """Objects the garbage collector tracks per queued task, with the pool's threads held busy."""
    gc.collect()
    before = len(gc.get_objects())
    futures = [submit() for _ in range(tasks)]
    gc.collect()
    per_task = (len(gc.get_objects()) - before) / tasks
    del futures
    return per_task


def test_a_queued_task_is_fewer_tracked_objects_than_the_pools_own() -> None:
    """The adapter's future and its work item together cost the collector less than a bare submit.

    With many futures alive, the collections their allocations trigger cost more
    than submitting them; a task that grew a tuple or a bound method again would
    show here as more objects per task than the pool's.
    """
    if runner_queue(cf.ThreadPoolExecutor(1)) is None:
        pytest.skip("no lean path on this Python")
    counts = []
    for adapted in (False, True):
        pool = cf.ThreadPoolExecutor(2)
        release = threading.Event()
        blockers = [pool.submit(release.wait, TIMEOUT) for _ in range(2)]
        executor = adapt(pool) if adapted else None
        try:
            if executor is None:
                counts.append(_tracked_per_task(lambda: pool.submit(int)))
            else:
                counts.append(_tracked_per_task(lambda: executor.submit(int, {})))
        finally:
            release.set()
            cf.wait(blockers, timeout=TIMEOUT)
            if executor is not None:
                executor.shutdown()
            pool.shutdown()
    bare, ours = counts
    assert bare >= 5  # a Future alone is several: the measurement sees them
    # The adapter's futures save the five methods a standard Condition binds (see
    # _lean.new_future).  Half an object of slack: other threads of the process may
    # allocate meanwhile; a task that grew an object more would be a whole one.
    saved = 0 if new_future is cf.Future else 5
    assert ours < bare - saved + 0.5, f"{ours:.2f} tracked objects per task through the adapter, {bare:.2f} bare"


def test_cpythons_future_tests_pass_on_the_adapters_futures() -> None:
    """CPython's own tests of ``Future``, ``wait`` and ``as_completed``, on futures made as the adapters make theirs.

    Every ``Future()`` made while they run (by the tests, and by the thread pools
    they drive) gets the adapters' condition (see ``_lean.new_future``).
    """
    suites = cpython_test_classes(
        ("test_future", "FutureTests"),
        ("test_wait", "ThreadPoolWaitTests"),
        ("test_as_completed", "ThreadPoolAsCompletedTest"),
    )
    if suites is None:
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        pytest.skip(f"Python {version} ships without its concurrent.futures tests")
    if new_future is cf.Future:
        pytest.skip("the adapters hand back the standard Future on this Python")
    standard_init = cf.Future.__init__

    def lean_init(self: Any) -> None:
        vars(self).update(vars(new_future()))

    loader = unittest.TestLoader()
    suite = unittest.TestSuite(loader.loadTestsFromTestCase(case) for case in suites)
    # Two tests read the callback errors concurrent.futures logs from stderr, where Python's
    # last-resort handler writes them unless a handler up the chain (pytest's) takes them.
    logger = logging.getLogger("concurrent.futures")
    propagate = logger.propagate
    logger.propagate = False
    cf.Future.__init__ = lean_init  # type: ignore[method-assign]
    try:
        probe: Any = cf.Future()
        assert type(probe._condition) is not threading.Condition  # the patch is in effect
        result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(suite)
    finally:
        cf.Future.__init__ = standard_init  # type: ignore[method-assign]
        logger.propagate = propagate
    problems = [f"{test.id()}: {text.strip().splitlines()[-1]}" for test, text in result.failures + result.errors]
    assert not problems, problems
    assert result.testsRun >= 20
