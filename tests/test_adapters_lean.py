"""The thread adapter's lean work items: the pool's own worker runs them, with nothing lost or run twice."""

from __future__ import annotations

import concurrent.futures as cf
import sys
import threading
from typing import Any, List

import pytest

from parsl_executor_protocol import adapt
from parsl_executor_protocol.adapters._lean import LeanFuture, lean_submitter

TIMEOUT = 60


def test_lean_path_only_for_the_standard_thread_pool_on_supported_pythons() -> None:
    """ThreadPoolExecutor itself gets it on 3.10-3.13; a subclass (it may override submit) never does."""

    class Mine(cf.ThreadPoolExecutor):
        pass

    with cf.ThreadPoolExecutor(1) as plain, Mine(1) as mine:
        assert (lean_submitter(plain) is not None) is (sys.version_info < (3, 14))
        assert lean_submitter(mine) is None


def test_lean_future_states_and_callback() -> None:
    """Cancel before start wins once; the callback runs exactly once, now if already done."""
    seen: List[Any] = []
    future = LeanFuture()
    future.add_done_callback(seen.append)
    assert future.cancel() is True
    assert future.cancel() is True
    assert future.set_running_or_notify_cancel() is False
    assert future.cancelled()
    assert future.done()
    assert seen == [future]
    with pytest.raises(cf.CancelledError):
        future.result()

    running = LeanFuture()
    assert running.set_running_or_notify_cancel() is True
    assert running.running()
    assert running.cancel() is False
    running.set_exception(ValueError("pool broke"))
    late: List[Any] = []
    running.add_done_callback(late.append)
    assert late == [running]
    with pytest.raises(ValueError, match="pool broke"):
        running.result()


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
