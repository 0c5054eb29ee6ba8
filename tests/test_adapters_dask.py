"""The Dask adapter on a real LocalCluster: bridging, status, scaling, resources, bad state."""

from __future__ import annotations

import pickle
import sys
import threading
import time
import warnings
from typing import Any, Iterator

import pytest

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.dask

from parsl_executor_protocol import CurrentParslExecutorProtocol, JobStatusLike, ParslExecutorProtocol, adapt  # noqa: E402
from parsl_executor_protocol.adapters.dask import DaskBackend  # noqa: E402
from parsl_executor_protocol.errors import (  # noqa: E402
    ExecutorBadStateError,
    ExecutorShutdownError,
    MissingExtraError,
    UnsupportedResourceSpecificationError,
)

from . import _adapter_tasks as tasks  # noqa: E402

TIMEOUT = 60


def Client(target: Any) -> Any:  # stands in for distributed.Client, typed
    return distributed.Client(target)  # distributed's constructors are untyped


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One small in-process Dask cluster for the module, on the loopback interface."""
    with warnings.catch_warnings():
        # The scheduler's HTTP health routes get a free loopback port, not 8787.
        local = distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    with local:
        yield local


def _until(condition: Any, what: str) -> None:
    end = time.monotonic() + TIMEOUT
    while not condition():
        assert time.monotonic() < end, f"gave up waiting for {what}"
        time.sleep(0.05)


HAND_OVER = "parsl-executor-protocol-dask-results"


def _hand_over_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == HAND_OVER]


def test_futures_are_bridged_by_one_thread_not_one_per_task(cluster: Any) -> None:
    """200 Dask tasks in flight add no thread; their futures are real concurrent.futures with task ids."""
    import concurrent.futures as cf

    with adapt(Client(cluster)) as adapter:
        assert isinstance(adapter, CurrentParslExecutorProtocol)
        # Warm up: Dask's callback thread and the worker's two task threads start on first use.
        warm = [adapter.submit(tasks.sleep_then, {}, 0.05, i) for i in range(8)]
        assert [f.result(timeout=TIMEOUT) for f in warm] == list(range(8))
        before = {t.ident for t in threading.enumerate()}
        futures = [adapter.submit(tasks.sleep_then, {}, 0.002, i) for i in range(200)]
        new = [t.name for t in threading.enumerate() if t.ident not in before]
        assert new == []
        assert all(type(f) is cf.Future for f in futures)
        assert len({f.parsl_executor_task_id for f in futures}) == 200  # type: ignore[attr-defined]
        assert [f.result(timeout=TIMEOUT) for f in futures] == list(range(200))
        _until(lambda: len(adapter.tasks) == 0, "the bookkeeping callbacks")


def test_one_batch_hands_over_values_errors_and_exits_alike(cluster: Any) -> None:
    """Values, a task's exception, SystemExit and an unpicklable result finishing together each settle as their own."""
    with adapt(Client(cluster)) as adapter:
        futures = [adapter.submit(tasks.add, {}, i, i) for i in range(50)]
        failing = adapter.submit(tasks.raise_app_error, {}, "in a batch")
        exiting = adapter.submit(tasks.raise_base_exception, {}, "SystemExit")
        unpicklable = adapter.submit(tasks.make_lock, {})
        assert [f.result(timeout=TIMEOUT) for f in futures] == [2 * i for i in range(50)]
        assert type(failing.exception(timeout=TIMEOUT)) is tasks.AppError
        assert type(exiting.exception(timeout=TIMEOUT)) is SystemExit
        # Its batch's one gather fails; every task of the batch then fetches its own outcome.
        error = unpicklable.exception(timeout=TIMEOUT)
        assert isinstance(error, pickle.PicklingError)
        assert "cannot be serialized back" in str(error)
        assert len(_hand_over_threads()) == 1


@pytest.mark.timeout(TIMEOUT)
def test_a_long_first_task_delays_no_later_one(cluster: Any) -> None:
    """Tasks finishing after a long one was submitted are settled while it still runs."""
    with adapt(Client(cluster)) as adapter:
        long = adapter.submit(tasks.sleep_then, {}, 4.0, "long")  # holds one of the worker's two threads
        quick = [adapter.submit(tasks.add, {}, i, 1) for i in range(20)]
        assert [f.result(timeout=3) for f in quick] == [i + 1 for i in range(20)]
        assert not long.done()


@pytest.mark.timeout(TIMEOUT)
def test_hand_over_settles_cancelled_failed_and_finished_dask_futures(cluster: Any) -> None:
    """Each Dask future reaches its callback once, whatever ended it; only the finished ones' values are gathered."""
    from parsl_executor_protocol.adapters.dask import _MISSING, _HandOver

    with Client(cluster) as client:
        hand_over = _HandOver(client)
        seen: dict[str, str] = {}
        all_seen = threading.Event()
        futures = {
            # No worker has this resource: the task waits in the scheduler, holding no worker thread.
            "cancelled": client.submit(tasks.add, 0, 0, resources={"absent": 1}, pure=False),
            "failed": client.submit(tasks.raise_app_error, "no", pure=False),
            "finished": client.submit(tasks.add, 1, 2, pure=False),
        }

        def callback(name: str) -> Any:
            def record(future: Any) -> None:
                seen[name] = future.status
                if len(seen) == len(futures):
                    all_seen.set()

            return record

        try:
            for name, future in futures.items():
                hand_over.add(future, callback(name))
            _until(lambda: "finished" in seen and "failed" in seen, "the finished and failed futures")
            client.cancel([futures["cancelled"]])
            assert all_seen.wait(TIMEOUT)
            assert seen == {"cancelled": "cancelled", "failed": "error", "finished": "finished"}
            assert hand_over.take(futures["finished"]) == 3
            assert hand_over.take(futures["failed"]) is _MISSING
        finally:
            hand_over.stop()


def test_hand_over_thread_ends_at_shutdown_of_a_client_the_adapter_does_not_own(cluster: Any) -> None:
    """owns_executor=False leaves the client running but stops the adapter's own thread."""
    with Client(cluster) as client:
        before = len(_hand_over_threads())
        adapter = adapt(client, owns_executor=False)
        assert adapter.submit(tasks.add, {}, 1, 2).result(timeout=TIMEOUT) == 3
        assert len(_hand_over_threads()) == before + 1
        adapter.shutdown()
        assert len(_hand_over_threads()) == before
        assert client.submit(tasks.add, 2, 3).result(timeout=TIMEOUT) == 5


def test_idle_hand_over_thread_ends_and_the_next_task_starts_it(
    cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No thread lingers while no task runs; the next task is settled all the same."""
    from parsl_executor_protocol.adapters import dask as dask_backend

    monkeypatch.setattr(dask_backend, "_IDLE_SECONDS", 0.2)
    with adapt(Client(cluster)) as adapter:
        assert adapter.submit(tasks.add, {}, 1, 1).result(timeout=TIMEOUT) == 2
        _until(lambda: not _hand_over_threads(), "the idle hand-over thread to end")
        assert adapter.submit(tasks.add, {}, 2, 2).result(timeout=TIMEOUT) == 4


@pytest.mark.timeout(TIMEOUT)
def test_a_settled_result_leaves_the_cluster_at_once(cluster: Any) -> None:
    """Once its future is settled and dropped, the scheduler forgets a task before the hand-over thread idles."""
    from parsl_executor_protocol.adapters import dask as dask_backend

    scheduler = cluster.scheduler
    with adapt(Client(cluster)) as adapter:
        before = set(scheduler.tasks)
        future = adapter.submit(tasks.sleep_then, {}, 1.0, "done")  # long enough to see its key arrive
        _until(lambda: set(scheduler.tasks) - before, "the task to reach the scheduler")
        keys = set(scheduler.tasks) - before
        assert future.result(timeout=TIMEOUT) == "done"
        del future
        end = time.monotonic() + dask_backend._IDLE_SECONDS * 0.8
        while keys & set(scheduler.tasks):
            assert time.monotonic() < end, "the task's result is still held in the cluster"
            time.sleep(0.01)
        assert len(_hand_over_threads()) == 1  # still running: it did not have to end to let go


def test_task_exceptions_keep_their_type(cluster: Any) -> None:
    """A task's exception reaches the adapter's future with its type; the adapter stays healthy."""
    with adapt(Client(cluster)) as adapter:
        error = adapter.submit(tasks.raise_app_error, {}, "dask says no").exception(timeout=TIMEOUT)
        assert type(error) is tasks.AppError
        assert str(error) == "dask says no"
        assert not adapter.bad_state_is_set


def test_status_and_scaling_map_onto_the_cluster(cluster: Any) -> None:
    """Workers are blocks: scale_out adds a RUNNING one, scale_in removes it and reports it SCALED_IN."""
    client = Client(cluster)
    adapter = adapt(client, owns_executor=False)
    try:
        assert adapter.scaling_enabled
        status = adapter.status()
        assert list(status) == ["0"]
        assert status["0"].status_name == "RUNNING"
        assert all(isinstance(s, JobStatusLike) for s in status.values())
        added = adapter.scale_out(1)
        assert added == ["1"]
        client.wait_for_workers(2, timeout=TIMEOUT)
        _until(lambda: adapter.status()["1"].status_name == "RUNNING", "the new worker to connect")
        removed = adapter.scale_in(1)
        assert removed == ["1"]
        _until(lambda: len(client.scheduler_info()["workers"]) == 1, "the worker to retire")
        status = adapter.status()
        assert status["0"].status_name == "RUNNING"
        assert status["1"].status_name == "SCALED_IN"
        assert status["1"].terminal
        assert adapter.scale_out(0) == []
        assert adapter.scale_in(0) == []
        with pytest.raises(ValueError, match="blocks must be an int >= 0"):
            adapter.scale_out(-1)
    finally:
        adapter.shutdown()
        client.close()


def test_client_without_cluster_object_cannot_scale(cluster: Any) -> None:
    """A client connected by address has no cluster to scale: scaling is disabled and returns no blocks."""
    with adapt(Client(cluster.scheduler_address)) as adapter:
        assert not adapter.scaling_enabled
        assert adapter.scale_out(1) == []
        assert adapter.status()["0"].status_name == "RUNNING"


def test_resource_specification_keys_and_values(cluster: Any) -> None:
    """Dask takes priority and resources; a bad value or an unknown key is rejected, naming it."""
    with adapt(Client(cluster)) as adapter:
        assert adapter.submit(tasks.add, {"priority": 10}, 2, 2).result(timeout=TIMEOUT) == 4
        with pytest.raises(UnsupportedResourceSpecificationError, match="'priority' must be an int"):
            adapter.submit(tasks.add, {"priority": "high"}, 1, 1)
        with pytest.raises(UnsupportedResourceSpecificationError, match="'resources' must map"):
            adapter.submit(tasks.add, {"resources": "GPU"}, 1, 1)
        with pytest.raises(UnsupportedResourceSpecificationError, match=r"'memory'.*it supports: priority") as info:
            adapter.submit(tasks.add, {"memory": 100}, 1, 1)
        assert info.value.supported == ("priority", "resources")


def test_shutdown_cancels_every_pending_dask_task(cluster: Any) -> None:
    """Shutdown with 100 tasks pending settles every future (cancelled) and closes the client."""
    client = Client(cluster)
    adapter = adapt(client)
    futures = [adapter.submit(tasks.sleep_then, {}, 0.2, i) for i in range(100)]
    adapter.shutdown()
    assert all(f.done() for f in futures)
    finished = [i for i, f in enumerate(futures) if not f.cancelled()]
    assert [futures[i].result(timeout=0) for i in finished] == finished  # finished in Dask before shutdown
    assert len(finished) < 50
    assert len(adapter.tasks) == 0
    assert client.status == "closed"
    with pytest.raises(ExecutorShutdownError):
        adapter.submit(tasks.add, {}, 1, 1)


def test_closed_client_puts_the_adapter_in_bad_state(cluster: Any) -> None:
    """Closing the client under the adapter fails its pending futures with ExecutorBadStateError; submits raise."""
    client = Client(cluster)
    adapter = adapt(client, owns_executor=False)
    futures = [adapter.submit(tasks.sleep_then, {}, 1.0, i) for i in range(4)]
    client.close()
    errors = [f.exception(timeout=TIMEOUT) for f in futures]
    assert all(isinstance(e, ExecutorBadStateError) for e in errors)
    assert adapter.bad_state_is_set
    with pytest.raises(ExecutorBadStateError, match="bad state"):
        adapter.submit(tasks.add, {}, 1, 1)
    adapter.shutdown()


def test_bridge_false_is_refused_for_dask(cluster: Any) -> None:
    """bridge=False would hand Dask futures to parsl, which needs concurrent.futures: refused, saying why."""
    client = Client(cluster)
    try:
        with pytest.raises(ValueError, match="bridge=False is impossible for a Dask executor"):
            adapt(client, bridge=False)
    finally:
        client.close()


def test_2020_contract_over_dask(cluster: Any) -> None:
    """contract='2020' over a Dask client gives a ParslExecutorProtocol whose submit takes no resources."""
    with adapt(Client(cluster), contract="2020") as adapter:
        assert isinstance(adapter, ParslExecutorProtocol)
        assert adapter.submit(tasks.add, 20, 20).result(timeout=TIMEOUT) == 40


def test_missing_distributed_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without distributed, the Dask backend's error names the pip command."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'parsl-executor-protocol\[dask\]'") as info:
        DaskBackend(object())
    assert (info.value.extra, info.value.package) == ("dask", "distributed")
