"""Adapters inside a real Parsl DataFlowKernel: thread pool, process pool, loky and a Dask LocalCluster."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Set, Tuple

import pytest

parsl = pytest.importorskip("parsl")
pytest.importorskip("distributed")
pytest.importorskip("loky")
pytestmark = [pytest.mark.parsl, pytest.mark.dask]

import loky  # noqa: E402
import psutil  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402
from parsl import bash_app, join_app, python_app  # noqa: E402
from parsl.config import Config  # noqa: E402
from parsl.data_provider.files import File  # noqa: E402
from parsl.dataflow.dflow import DataFlowKernel  # noqa: E402
from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor  # noqa: E402
from parsl.executors.base import ParslExecutor  # noqa: E402
from parsl.executors.errors import InvalidResourceSpecification  # noqa: E402
from parsl.jobs.states import JobState, JobStatus  # noqa: E402

from parsl_executor_protocol import (  # noqa: E402
    CurrentParslExecutorProtocol,
    ExecutorAdapter,
    ExecutorAdapter2020,
    JobStatusLike,
    ParslExecutorProtocol,
    ParslFuturesExecutor,
    adapt,
    as_futures_executor,
)
from parsl_executor_protocol.checking import check  # noqa: E402
from parsl_executor_protocol.errors import (  # noqa: E402
    ExecutorShutdownError,
    NotAnExecutorError,
    UnsupportedResourceSpecificationError,
)

from . import _adapter_tasks as tasks  # noqa: E402
from ._mypy import REPO, run_mypy  # noqa: E402

TIMEOUT = 60
BACKENDS = ["threads", "processes", "loky", "dask"]


def _process_pool() -> cf.ProcessPoolExecutor:
    # forkserver: forking this multi-threaded test process could deadlock a worker.
    return cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver"))


def _config(adapter: ExecutorAdapter, run_dir: Path, **options: Any) -> Config:
    # No cast: static checkers see ExecutorAdapter as the ParslExecutor it is at run time.
    return Config(executors=[adapter], run_dir=str(run_dir), **options)


def _client(target: Any) -> Any:
    return Client(target)  # type: ignore[no-untyped-call]  # distributed's constructors are untyped


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    """One small in-process Dask cluster for the module, on the loopback interface."""
    with warnings.catch_warnings():
        # The scheduler's HTTP health routes get a free loopback port, not 8787.
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    with cluster:
        yield cluster


def _executor(kind: str, request: pytest.FixtureRequest) -> Any:
    if kind == "threads":
        return cf.ThreadPoolExecutor(2)
    if kind == "processes":
        return _process_pool()
    if kind == "loky":
        return loky.get_reusable_executor(max_workers=2)
    return _client(request.getfixturevalue("dask_cluster"))


@dataclass
class Running:
    """A DataFlowKernel running one adapter, and apps bound to it."""

    kind: str
    adapter: ExecutorAdapter
    dfk: DataFlowKernel
    run_dir: Path

    def python(self, func: Callable[..., Any]) -> Any:
        return python_app(func, data_flow_kernel=self.dfk)

    def bash(self, func: Callable[..., Any]) -> Any:
        return bash_app(func, data_flow_kernel=self.dfk)


@pytest.fixture(scope="module", params=BACKENDS)
def running(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """A real DataFlowKernel over an adapter of each kind, shared by the module's tests."""
    kind = request.param
    adapter = adapt(_executor(kind, request), label=f"adapted-{kind}")
    run_dir = tmp_path_factory.mktemp(f"run-{kind}")
    dfk = DataFlowKernel(_config(adapter, run_dir, retries=1))
    try:
        yield Running(kind, adapter, dfk, run_dir)
    finally:
        dfk.cleanup()
        parsl.clear()


def test_python_apps_with_dependencies(running: Running) -> None:
    """Apps that take other apps' futures run in dependency order and compute the right value."""
    add = running.python(tasks.add)
    a = add(1, 2)
    b = add(a, 10)
    c = add(b, a)
    assert c.result(timeout=TIMEOUT) == 16


def test_bash_app_writes_its_stdout(running: Running, tmp_path: Path) -> None:
    """A bash_app runs its command and redirects stdout to the requested file."""
    out = tmp_path / "out.txt"
    future = running.bash(tasks.echo_command)("hello", stdout=str(out))
    assert future.result(timeout=TIMEOUT) == 0
    assert out.read_text() == "hello\n"


def test_join_app_waits_for_inner_apps(running: Running) -> None:
    """A join_app returning an app future of the adapter resolves to that app's value."""
    add = running.python(tasks.add)

    def combine(x: int) -> Any:
        return add(add(x, 1), 100)

    joined = join_app(combine, data_flow_kernel=running.dfk)
    assert joined(5).result(timeout=TIMEOUT) == 106


def test_exceptions_arrive_with_their_type(running: Running) -> None:
    """An app's exception reaches the caller with its original type and message."""
    app_error = running.python(tasks.raise_app_error)("broken on purpose").exception(timeout=TIMEOUT)
    assert type(app_error) is tasks.AppError
    assert str(app_error) == "broken on purpose"
    key_error = running.python(tasks.raise_key_error)("missing").exception(timeout=TIMEOUT)
    assert type(key_error) is KeyError


def test_retries_rerun_a_failed_app(running: Running, tmp_path: Path) -> None:
    """With retries=1 an app that fails once succeeds on its second try."""
    counter = tmp_path / "calls"
    future = running.python(tasks.fail_until)(str(counter), 1)
    assert future.result(timeout=TIMEOUT) == 2
    assert counter.read_text() == "xx"


def test_default_file_staging(running: Running, tmp_path: Path) -> None:
    """file:// outputs of one app become inputs of the next through Parsl's default staging."""
    target = tmp_path / "staged.txt"
    written = running.python(tasks.write_output)("payload", outputs=[File(f"file://{target}")])
    read = running.python(tasks.read_input)(inputs=[written.outputs[0]])
    assert read.result(timeout=TIMEOUT) == "payload"
    assert target.read_text() == "payload"


def test_resource_specification(running: Running) -> None:
    """{} runs; unsupported keys fail with parsl's InvalidResourceSpecification naming them."""
    app = running.python(tasks.resource_spec_task)
    assert app(parsl_resource_specification={}).result(timeout=TIMEOUT) == "ran"
    error = app(parsl_resource_specification={"cores": 2}).exception(timeout=TIMEOUT)
    assert isinstance(error, InvalidResourceSpecification)
    assert isinstance(error, UnsupportedResourceSpecificationError)
    assert error.invalid_keys == {"cores"}
    assert "'cores'" in str(error)
    assert running.adapter.label in str(error)
    if running.kind == "dask":
        assert app(parsl_resource_specification={"priority": 5}).result(timeout=TIMEOUT) == "ran"


def test_submit_returns_real_futures_with_task_ids(running: Running) -> None:
    """submit() returns concurrent.futures.Future objects carrying distinct parsl_executor_task_id values."""
    futures = [running.adapter.submit(tasks.add, {}, i, 1) for i in range(5)]
    assert all(isinstance(f, cf.Future) for f in futures)
    ids = [f.parsl_executor_task_id for f in futures]  # type: ignore[attr-defined]
    assert len(set(ids)) == 5
    assert all(isinstance(i, int) for i in ids)
    assert [f.result(timeout=TIMEOUT) for f in futures] == [1, 2, 3, 4, 5]
    end = time.monotonic() + TIMEOUT  # bookkeeping callbacks run just after waiters wake
    while running.adapter.tasks and time.monotonic() < end:
        time.sleep(0.01)
    assert dict(running.adapter.tasks) == {}


def test_adapter_satisfies_the_contracts_at_run_time(running: Running) -> None:
    """The adapter is a CurrentParslExecutorProtocol and, registered, a virtual ParslExecutor."""
    assert isinstance(running.adapter, CurrentParslExecutorProtocol)
    assert isinstance(running.adapter, ParslExecutor)
    assert issubclass(ExecutorAdapter, ParslExecutor)
    assert not issubclass(ExecutorAdapter2020, ParslExecutor)
    assert check(running.adapter, CurrentParslExecutorProtocol).ok


def test_status_reports_blocks_as_parsl_job_status(running: Running) -> None:
    """status() maps every block to a real parsl JobStatus, RUNNING while the executor runs."""
    status = running.adapter.status()
    assert status
    assert all(isinstance(s, JobStatus) and s.state == JobState.RUNNING for s in status.values())


def test_bad_state_fails_a_running_app_at_once(tmp_path: Path) -> None:
    """set_bad_state_and_fail_all(exc) under a real DataFlowKernel fails an app whose task is still running."""
    gate = threading.Event()
    adapter = adapt(cf.ThreadPoolExecutor(2), label="threads")
    dfk = DataFlowKernel(_config(adapter, tmp_path))
    try:
        held = python_app(tasks.wait_for, data_flow_kernel=dfk)(gate, TIMEOUT)
        end = time.monotonic() + TIMEOUT
        while not adapter.tasks:  # launched by the DataFlowKernel, now running on the pool
            assert time.monotonic() < end, "the app never reached the executor"
            time.sleep(0.01)
        cause = RuntimeError("the site went away")
        adapter.set_bad_state_and_fail_all(cause)
        assert held.exception(timeout=TIMEOUT) is cause  # the gate is still shut: the task still runs
    finally:
        gate.set()
        dfk.cleanup()
        parsl.clear()


# --- no stray threads or processes ------------------------------------------------------------


def _threads() -> Set[int]:
    return {t.ident for t in threading.enumerate() if t.ident is not None}


def _children() -> Set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE}


def _settles(before: Tuple[Set[int], Set[int]], deadline: float = 15.0) -> Tuple[Set[int], Set[int]]:
    """Wait until threads and child processes are back to ``before``; return what is left over."""
    end = time.monotonic() + deadline
    while True:
        extra = (_threads() - before[0], _children() - before[1])
        if not any(extra) or time.monotonic() > end:
            return extra
        time.sleep(0.05)


def _warm_up(kind: str) -> None:
    # Process-wide helpers (forkserver, resource trackers) start on first use
    # and live until exit; start them before taking the "before" snapshot.
    if kind == "processes":
        with _process_pool() as pool:
            pool.submit(tasks.noop).result(timeout=TIMEOUT)
    elif kind == "loky":
        executor = loky.get_reusable_executor(max_workers=1)
        executor.submit(tasks.noop).result(timeout=TIMEOUT)
        executor.shutdown(wait=True)


@pytest.mark.parametrize("kind", BACKENDS)
def test_cleanup_leaves_no_stray_threads_or_processes(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """After dfk.cleanup() the process has exactly the threads and child processes it had before."""
    if kind == "dask":
        request.getfixturevalue("dask_cluster")
    _warm_up(kind)
    before = (_threads(), _children())
    adapter = adapt(_executor(kind, request), label=kind)
    dfk = DataFlowKernel(_config(adapter, tmp_path))
    try:
        add = python_app(tasks.add, data_flow_kernel=dfk)
        assert [add(i, i).result(timeout=TIMEOUT) for i in range(3)] == [0, 2, 4]
    finally:
        dfk.cleanup()
        parsl.clear()
    threads, children = _settles(before)
    assert not threads, [t.name for t in threading.enumerate() if t.ident in threads]
    assert not children


# --- registration and construction ------------------------------------------------------------


def test_registration_waits_for_parsl_to_be_imported() -> None:
    """Adapting imports no parsl; once parsl is imported, start() makes the adapter a ParslExecutor."""
    code = textwrap.dedent(
        """
        import sys
        from concurrent.futures import ThreadPoolExecutor
        from parsl_executor_protocol import adapt
        adapter = adapt(ThreadPoolExecutor(1))
        assert "parsl" not in sys.modules
        from parsl.executors.base import ParslExecutor
        before = isinstance(adapter, ParslExecutor)
        adapter.start()
        print(before, isinstance(adapter, ParslExecutor))
        adapter.shutdown()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]


def test_without_parsl_errors_and_status_use_the_package_stand_ins() -> None:
    """With parsl unimportable, resource errors are the package's own and status values are stand-ins."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["parsl"] = None  # make parsl unimportable
        from concurrent.futures import ThreadPoolExecutor
        from parsl_executor_protocol import JobStatusLike, adapt
        from parsl_executor_protocol.errors import UnsupportedResourceSpecificationError
        adapter = adapt(ThreadPoolExecutor(1), label="plain")
        try:
            adapter.submit(print, {"walltime": 1})
        except UnsupportedResourceSpecificationError as exc:
            print(type(exc).__name__, sorted(exc.invalid_keys))
        status = adapter.status()["0"]
        print(isinstance(status, JobStatusLike), status.status_name, status.terminal)
        print(adapter.remote_monitoring_radio)
        adapter.shutdown()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=TIMEOUT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "UnsupportedResourceSpecificationError ['walltime']",
        "True RUNNING False",
        "None",
    ]


def test_adapt_rejects_what_it_cannot_wrap() -> None:
    """adapt() names the missing members, refuses Parsl executors and adapters, and unknown contracts."""
    with pytest.raises(NotAnExecutorError, match="lacks submit, shutdown") as info:
        adapt(42)
    assert info.value.missing == ("submit", "shutdown")
    with pytest.raises(NotAnExecutorError, match="already a Parsl executor"):
        adapt(ParslThreadPoolExecutor())
    with cf.ThreadPoolExecutor(1) as pool:
        adapter = adapt(pool, owns_executor=False)
        with pytest.raises(NotAnExecutorError, match="already an adapter"):
            adapt(adapter)
        with pytest.raises(ValueError, match="contract must be 'current' or '2020'"):
            adapt(pool, contract="1999")  # type: ignore[call-overload]
        with pytest.raises(ValueError, match="shutdown_timeout"):
            adapt(pool, shutdown_timeout=-1)
        with pytest.raises(ValueError, match="label must not be empty"):
            adapt(pool, label="")
        with pytest.raises(TypeError, match="label must be a str, found int"):
            adapt(pool, label=3)  # type: ignore[call-overload]
        with pytest.raises(TypeError, match="bridge must be a bool, found NoneType"):
            adapt(pool, bridge=None)  # type: ignore[call-overload]


def test_2020_adapter_satisfies_the_2020_contract() -> None:
    """contract='2020' gives an executor with submit(func, *args) and every 2020 member."""
    with adapt(cf.ThreadPoolExecutor(1), contract="2020", label="old") as adapter:
        assert isinstance(adapter, ExecutorAdapter2020)
        assert isinstance(adapter, ParslExecutorProtocol)
        assert check(adapter, ParslExecutorProtocol).ok
        assert not isinstance(adapter, ParslExecutor)
        assert adapter.submit(tasks.add, 2, 3).result(timeout=TIMEOUT) == 5
        adapter.hub_address, adapter.hub_port = "127.0.0.1", 55055
        assert (adapter.hub_address, adapter.hub_port, adapter.scaling_enabled) == ("127.0.0.1", 55055, False)
        assert adapter.scale_out(1) == []
        assert adapter.scale_in(1) == []
        assert all(isinstance(s, JobStatusLike) for s in adapter.status().values())
        assert adapter.bad_state_is_set is False
        assert adapter.executor_exception is None
    assert adapter.status()["0"].status_name == "COMPLETED"
    with pytest.raises(ExecutorShutdownError, match="shut down"):
        adapter.submit(tasks.add, 1, 1)
    with pytest.raises(ExecutorShutdownError, match="cannot be started again"):
        adapter.start()


def test_shutdown_shuts_the_monitoring_receiver_down() -> None:
    """shutdown() shuts down the monitoring receiver the DataFlowKernel assigned, as ParslExecutor does."""

    class Receiver:
        closed = 0

        def shutdown(self) -> None:
            self.closed += 1

    adapter = adapt(cf.ThreadPoolExecutor(1))
    receiver = Receiver()
    adapter.monitoring_receiver = receiver
    adapter.shutdown()
    adapter.shutdown()
    assert receiver.closed == 1


def test_default_monitoring_radio_matches_parsl() -> None:
    """Threads get parsl's MultiprocessingQueueRadio and no resource monitoring; processes a FilesystemRadio."""
    from parsl.monitoring.radios.filesystem import FilesystemRadio
    from parsl.monitoring.radios.multiprocessing import MultiprocessingQueueRadio

    with adapt(cf.ThreadPoolExecutor(1)) as threads:
        assert isinstance(threads.remote_monitoring_radio, MultiprocessingQueueRadio)
        assert threads.monitor_resources() is False
    with adapt(_process_pool()) as processes:
        assert isinstance(processes.remote_monitoring_radio, FilesystemRadio)
        assert processes.monitor_resources() is True


# --- the reverse: Parsl executors as concurrent.futures -----------------------------------------


def test_as_futures_executor_over_an_adapter() -> None:
    """An adapter wrapped back into concurrent.futures supports submit, map and shutdown."""
    with as_futures_executor(adapt(cf.ThreadPoolExecutor(2))) as executor:
        assert isinstance(executor, cf.Executor)
        assert isinstance(executor, ParslFuturesExecutor)
        assert executor.contract == "current"
        assert executor.submit(tasks.add, 1, 2).result(timeout=TIMEOUT) == 3
        assert list(executor.map(tasks.add, range(5), range(5), timeout=TIMEOUT)) == [0, 2, 4, 6, 8]
        error = executor.submit(tasks.raise_app_error, "x").exception(timeout=TIMEOUT)
        assert type(error) is tasks.AppError
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(tasks.add, 1, 2)
    assert executor.wrapped.bad_state_is_set is False
    with pytest.raises(ExecutorShutdownError):
        executor.wrapped.submit(tasks.add, {}, 1, 1)


def test_as_futures_executor_over_parsl_thread_pool() -> None:
    """parsl's own ThreadPoolExecutor (today's contract) runs standard-library code."""
    executor = as_futures_executor(ParslThreadPoolExecutor(max_threads=2))
    assert executor.contract == "current"
    results = list(executor.map(tasks.sleep_then, [0.01] * 6, range(6), timeout=TIMEOUT))
    assert results == list(range(6))
    executor.shutdown(wait=True)
    assert executor.wrapped.executor._shutdown


def test_as_futures_executor_cancels_pending_on_request() -> None:
    """shutdown(cancel_futures=True) settles every queued future at once; the rest complete.

    An adapter does not say how many workers its pool has, so ``max_workers`` tells the wrapper.
    """
    gate = threading.Event()
    executor = as_futures_executor(adapt(cf.ThreadPoolExecutor(1), contract="2020"), max_workers=1)
    assert executor.contract == "2020"
    blocker = executor.submit(tasks.wait_for, gate, TIMEOUT)
    pending = [executor.submit(tasks.add, i, 0) for i in range(20)]
    executor.shutdown(wait=False, cancel_futures=True)
    assert all(f.cancelled() for f in pending)
    gate.set()
    assert blocker.result(timeout=TIMEOUT) is True
    executor.shutdown(wait=True)


def test_as_futures_executor_rejects_non_executors() -> None:
    """Wrapping an object without submit/shutdown/start names the missing members."""
    with pytest.raises(NotAnExecutorError, match="lacks submit, shutdown, start"):
        as_futures_executor(object())


def test_as_futures_executor_rejects_unknown_contracts() -> None:
    """An unknown contract name gets the contract vocabulary's error, listing the two executor contracts."""
    with (
        adapt(cf.ThreadPoolExecutor(1)) as adapter,
        pytest.raises(ValueError, match="contract must be '2020' or 'current': "),
    ):
        as_futures_executor(adapter, contract="1999", start=False)  # type: ignore[arg-type]


def test_importing_the_adapters_loads_no_backend() -> None:
    """Backends load when an executor needs one (their layering is an import contract in pyproject.toml)."""
    code = textwrap.dedent(
        """
        import sys
        import parsl_executor_protocol.adapters
        print(sorted(m for m in ("parsl_executor_protocol.adapters.dask", "parsl_executor_protocol.adapters.futures")
                     if m in sys.modules))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.split() == ["[]"]


# --- static check: the adapter types satisfy the protocols under mypy --strict -----------------


@pytest.mark.once
def test_mypy_accepts_adapters_as_protocols(tmp_path: Path) -> None:
    """Each sample in tests/samples/adapters gives exactly the mypy output written in its '# out:' lines."""
    samples = sorted((REPO / "tests" / "samples" / "adapters").glob("*.py"))
    assert samples
    output = run_mypy(samples, cache_dir=tmp_path / ".mypy_cache")
    expected: Dict[str, List[str]] = {
        path.name: [line[len("# out: "):] for line in path.read_text().splitlines() if line.startswith("# out: ")]
        for path in samples
    }
    assert output == expected
