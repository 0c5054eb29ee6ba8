"""The reverse adapter beside the standard library's ThreadPoolExecutor: the same calls, the same behaviour.

Every test runs twice, once on ``concurrent.futures.ThreadPoolExecutor`` (the
reference) and once on ``as_futures_executor(parsl ThreadPoolExecutor)``; each
asserts what the reference does, so a difference fails the reverse run only.
"""

from __future__ import annotations

import concurrent.futures as cf
import threading
import time
from typing import Any, Callable, Dict, Iterator, List

import pytest

parsl = pytest.importorskip("parsl")
pytestmark = [pytest.mark.parsl, pytest.mark.timeout(120)]

from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor  # noqa: E402

from parsl_executor_protocol import as_futures_executor  # noqa: E402

TIMEOUT = 30

Factory = Callable[[int], cf.Executor]

FACTORIES: Dict[str, Factory] = {
    "stdlib": lambda workers: cf.ThreadPoolExecutor(max_workers=workers),
    "reverse": lambda workers: as_futures_executor(ParslThreadPoolExecutor(max_threads=workers)),
}


@pytest.fixture(params=sorted(FACTORIES))
def make(request: pytest.FixtureRequest) -> Iterator[Factory]:
    """A factory of executors of one kind; every executor it made is shut down after the test."""
    made: List[cf.Executor] = []

    def factory(workers: int) -> cf.Executor:
        executor = FACTORIES[request.param](workers)
        made.append(executor)
        return executor

    yield factory
    for executor in made:
        executor.shutdown(wait=True, cancel_futures=True)


def capture(*args: Any, **kwargs: Any) -> Any:
    return args, kwargs


def blocked(started: threading.Event, gate: threading.Event) -> str:
    started.set()
    gate.wait(TIMEOUT)
    return "done"


def test_keywords_of_the_task_reach_the_task(make: Factory) -> None:
    """Keywords named like the executor's own parameters belong to the task."""
    executor = make(2)
    future = executor.submit(capture, 1, self=2, fn=3, func=4, resource_specification=5)
    assert future.result(timeout=TIMEOUT) == ((1,), {"self": 2, "fn": 3, "func": 4, "resource_specification": 5})
    with pytest.raises(TypeError):
        executor.submit(fn=capture, arg=1)  # type: ignore[call-arg]


def test_running_task_is_running_and_cannot_be_cancelled(make: Factory) -> None:
    """A started task reports running() and refuses cancel(); its result still arrives."""
    executor = make(1)
    started, gate = threading.Event(), threading.Event()
    future = executor.submit(blocked, started, gate)
    assert started.wait(TIMEOUT)
    assert future.running()
    assert not future.cancel()
    gate.set()
    assert future.result(timeout=TIMEOUT) == "done"


def test_queued_task_cancelled_never_runs(make: Factory) -> None:
    """A task cancelled while it waits for a worker is cancelled and never runs."""
    executor = make(1)
    started, gate = threading.Event(), threading.Event()
    blocker = executor.submit(blocked, started, gate)
    assert started.wait(TIMEOUT)
    ran = threading.Event()
    queued = executor.submit(ran.set)
    assert not queued.running()
    assert queued.cancel()
    gate.set()
    assert blocker.result(timeout=TIMEOUT) == "done"
    executor.submit(int).result(timeout=TIMEOUT)  # the worker has passed the cancelled task by now
    assert queued.cancelled()
    assert not ran.is_set()


def test_cancelled_future_wakes_wait_and_as_completed(make: Factory) -> None:
    """wait() and as_completed() return a cancelled future once the worker reaches it: they never time out."""
    executor = make(1)
    started, gate = threading.Event(), threading.Event()
    blocker = executor.submit(blocked, started, gate)
    assert started.wait(TIMEOUT)
    queued: cf.Future[int] = executor.submit(int)
    assert queued.cancel()
    threading.Timer(0.2, gate.set).start()
    done, not_done = cf.wait([queued], timeout=TIMEOUT)
    assert done == {queued}
    assert not not_done
    assert list(cf.as_completed([queued], timeout=TIMEOUT)) == [queued]
    assert blocker.result(timeout=TIMEOUT) == "done"


def test_map_timeout_raises_and_keeps_earlier_results(make: Factory) -> None:
    """map(timeout=) yields what finished in time, then raises TimeoutError."""
    executor = make(3)
    results = executor.map(time.sleep, [0, 0, 3], timeout=1)
    assert next(results) is None
    assert next(results) is None
    with pytest.raises(cf.TimeoutError):
        next(results)


def test_submit_after_shutdown_raises_runtime_error(make: Factory) -> None:
    """Submitting after shutdown() raises RuntimeError; a second shutdown() is harmless."""
    executor = make(1)
    executor.shutdown()
    with pytest.raises(RuntimeError, match="cannot schedule new futures after shutdown"):
        executor.submit(int)
    executor.shutdown()
    executor.shutdown(wait=False)


def test_shutdown_cancel_futures_cancels_the_queue_and_finishes_the_rest(
    make: Factory, request: pytest.FixtureRequest
) -> None:
    """shutdown(cancel_futures=True): queued tasks are cancelled, the running one finishes.

    One deliberate difference: the standard pool cancels those futures without
    notifying them, so ``wait()`` on them times out; the reverse adapter notifies them.
    """
    executor = make(1)
    started, gate = threading.Event(), threading.Event()
    blocker = executor.submit(blocked, started, gate)
    assert started.wait(TIMEOUT)
    queued = [executor.submit(int, i) for i in range(20)]
    executor.shutdown(wait=False, cancel_futures=True)
    assert all(future.cancelled() for future in queued)
    if "reverse" in request.node.callspec.id:
        done, _ = cf.wait(queued, timeout=TIMEOUT)
        assert len(done) == 20
    gate.set()
    assert blocker.result(timeout=TIMEOUT) == "done"
    executor.shutdown(wait=True)


def test_shutdown_without_wait_still_runs_queued_tasks(make: Factory) -> None:
    """shutdown(wait=False) returns at once; queued tasks still run to completion."""
    executor = make(1)
    futures = [executor.submit(time.sleep, 0.05) for _ in range(5)]
    executor.shutdown(wait=False)
    done, not_done = cf.wait(futures, timeout=TIMEOUT)
    assert len(done) == 5
    assert not not_done
    assert all(future.exception() is None for future in futures)


def test_shutdown_waits_for_every_task(make: Factory) -> None:
    """shutdown(wait=True) returns only when every task submitted has finished."""
    executor = make(2)
    futures = [executor.submit(time.sleep, 0.02) for _ in range(10)]
    executor.shutdown(wait=True)
    assert all(future.done() and future.exception() is None for future in futures)


def test_concurrent_shutdowns_both_wait(make: Factory) -> None:
    """Two threads calling shutdown() at once: both return only after every task has finished."""
    executor = make(1)
    futures = [executor.submit(time.sleep, 0.05) for _ in range(6)]
    seen: List[bool] = []

    def close() -> None:
        executor.shutdown(wait=True)
        seen.append(all(future.done() for future in futures))

    threads = [threading.Thread(target=close) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT)
    assert seen == [True, True]


def test_exceptions_arrive_with_their_type(make: Factory) -> None:
    """A task's exception is the future's exception."""
    executor = make(1)
    with pytest.raises(ZeroDivisionError):
        executor.submit(divmod, 1, 0).result(timeout=TIMEOUT)
