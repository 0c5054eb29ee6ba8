"""The behavioural kit passes correct executors, and its pytest plugin works in a fresh pytest run.

The suites below are the kit's own ``Abstract*Tests`` subclassed exactly as an
executor author would: the reference 2020 executor, parsl's own
ThreadPoolExecutor and HighThroughputExecutor (real, with a LocalProvider on
loopback), and the package's adapters: around a thread pool (both contracts, and
``bridge=False``), a process pool and a Dask LocalCluster.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import re
import sys
import warnings
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

import pytest
from hypothesis import settings
from parsl.executors import HighThroughputExecutor, ThreadPoolExecutor
from parsl.providers import LocalProvider

from parsl_executor_protocol.adapters import adapt
from parsl_executor_protocol.testing import (
    RULES,
    AbstractCurrentExecutorTests,
    AbstractExecutorTests,
    start_executor,
    started,
)

from ._kit_executors import Reference2020Executor

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs" / "testing.md"
BIN = Path(sys.executable).parent  # where pip put parsl's interchange.py and process_worker_pool.py

Factory = Callable[[], Any]


# --- the 2020 contract ---------------------------------------------------------------------------


class TestReference2020Executor(AbstractExecutorTests):
    """The kit on a correct 2020-contract executor (thread pool, simulated blocks)."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        return lambda: start_executor(Reference2020Executor(), tmp_path)


class TestReference2020ExecutorWithoutScaling(AbstractExecutorTests):
    """The kit on a correct 2020-contract executor whose scaling is disabled."""

    @pytest.fixture
    def executor(self, tmp_path: Path) -> Iterator[Reference2020Executor]:
        with started(Reference2020Executor(scaling_enabled=False), tmp_path) as executor:
            yield executor


# --- today's contract: parsl's own executors -----------------------------------------------------


class TestParslThreadPoolExecutor(AbstractCurrentExecutorTests):
    """The kit on parsl's ThreadPoolExecutor (today's contract, no block-provider members)."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        return lambda: start_executor(ThreadPoolExecutor(max_threads=2), tmp_path)


def _htex(label: str) -> HighThroughputExecutor:
    return HighThroughputExecutor(
        label=label,
        address="127.0.0.1",
        loopback_address="127.0.0.1",
        max_workers_per_node=2,
        interchange_launch_cmd=[sys.executable, str(BIN / "interchange.py")],
        provider=LocalProvider(  # type: ignore[no-untyped-call]
            init_blocks=1, min_blocks=0, max_blocks=2, worker_init=f"export PATH={BIN}:$PATH"
        ),
    )


@pytest.fixture(scope="module")
def shared_htex(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HighThroughputExecutor]:
    """One HighThroughputExecutor with one block of workers, shared by the module's tests."""
    with started(_htex("htex_shared"), tmp_path_factory.mktemp("htex"), timeout=60) as executor:
        yield executor


class TestParslHighThroughputExecutor(AbstractCurrentExecutorTests):
    """The kit on parsl's HighThroughputExecutor, real, with a LocalProvider on loopback."""

    @pytest.fixture
    def executor(self, shared_htex: HighThroughputExecutor) -> HighThroughputExecutor:
        return shared_htex

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        # Fresh executors, for the tests that break them, launch no block: their tasks stay pending.
        return lambda: start_executor(_htex("htex_disposable"), tmp_path, init_blocks=0)

    @pytest.fixture
    def state_machine_settings(self) -> settings:
        # Every run starts an interchange process: fewer, shorter runs than the default.
        return settings(max_examples=5, stateful_step_count=8, deadline=None)

    @pytest.fixture
    def shutdown_resolves_pending(self) -> bool:
        # HighThroughputExecutor.shutdown() stops the result thread without resolving the
        # futures of tasks still pending: they stay pending for ever (the kit reports it).
        return False

    @pytest.fixture
    def supports_scaling(self, request: pytest.FixtureRequest) -> Optional[bool]:
        # Each block is a real worker pool; the state machine would start one per scale_out step.
        # Scaling is covered on the shared executor by test_scaling_returns_lists.
        return False if request.node.name.startswith("test_state_machine") else None


# --- the package's adapters ---------------------------------------------------------------------
# adapt()'s default mode hands back futures of the adapter's own, so every rule holds,
# bad state included; bridge=False (the pool's own futures) is opted out of the bad-state
# rules, the one thing it gives up (see docs/adapters.md).


def _forkserver_pool() -> cf.ProcessPoolExecutor:
    # forkserver: forking this multi-threaded test process could deadlock a worker.
    return cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver"))


class TestAdaptedThreadPool(AbstractCurrentExecutorTests):
    """The kit on adapt(concurrent.futures.ThreadPoolExecutor(2)), today's contract."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        return lambda: start_executor(adapt(cf.ThreadPoolExecutor(2)), tmp_path)


class TestAdaptedThreadPool2020(AbstractExecutorTests):
    """The kit on adapt(concurrent.futures.ThreadPoolExecutor(2), contract="2020"): tasks keeps every task."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        return lambda: start_executor(adapt(cf.ThreadPoolExecutor(2), contract="2020"), tmp_path)


class TestAdaptedThreadPoolBridgeFalse(AbstractCurrentExecutorTests):
    """The kit on adapt(ThreadPoolExecutor(2), bridge=False): every rule but bad state, which it gives up."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path) -> Factory:
        return lambda: start_executor(adapt(cf.ThreadPoolExecutor(2), bridge=False), tmp_path)

    @pytest.fixture
    def supports_bad_state(self) -> Optional[bool]:
        # Deliberate: the pool's own futures can only be completed by the pool, so bad state
        # cancels queued tasks and lets running ones finish (test_adapters_reliability checks that).
        return False


@pytest.fixture(scope="module")
def process_pool() -> Iterator[cf.ProcessPoolExecutor]:
    """One process pool for the module; each adapter over it leaves it running (owns_executor=False)."""
    with _forkserver_pool() as pool:
        yield pool


class TestAdaptedProcessPool(AbstractCurrentExecutorTests):
    """The kit on adapt(ProcessPoolExecutor(2)), today's contract: futures bridged by callbacks."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path, process_pool: cf.ProcessPoolExecutor) -> Factory:
        return lambda: start_executor(adapt(process_pool, owns_executor=False), tmp_path)


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    """One small in-process Dask cluster for the module, on the loopback interface."""
    from distributed import LocalCluster

    with warnings.catch_warnings():
        # The scheduler's HTTP health routes get a free loopback port, not 8787.
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    with cluster:
        yield cluster


class TestAdaptedDask(AbstractCurrentExecutorTests):
    """The kit on adapt(distributed.Client(LocalCluster)), today's contract; shutdown closes each client."""

    @pytest.fixture
    def executor_factory(self, tmp_path: Path, dask_cluster: Any) -> Factory:
        from distributed import Client

        return lambda: start_executor(adapt(Client(dask_cluster)), tmp_path)  # type: ignore[no-untyped-call]


# --- the pytest plugin and the documentation's first example -------------------------------------


def _first_python_block(path: Path) -> str:
    match = re.search(r"^```python\n(.*?)^```", path.read_text(), flags=re.MULTILINE | re.DOTALL)
    assert match is not None, f"{path} has no python example"
    return match[1]


def test_plugin_is_registered_through_pytest11() -> None:
    """The package declares its pytest plugin under the pytest11 entry point group."""
    found = {ep.name: ep.value for ep in entry_points(group="pytest11")}
    assert found.get("parsl_executor_protocol") == "parsl_executor_protocol.testing.pytest_plugin"


def test_plugin_imports_nothing_heavy() -> None:
    """Importing the plugin module (as pytest does at start-up) loads no parsl, dask or hypothesis."""
    import subprocess

    code = (
        "import sys, parsl_executor_protocol.testing.pytest_plugin\n"
        "print(sorted(m for m in ('parsl', 'dask', 'hypothesis', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_fresh_run_has_the_option_and_fixture(pytester: pytest.Pytester) -> None:
    """A fresh pytest process with no conftest knows --executor-timeout and the executor_timeout fixture."""
    pytester.makepyfile(
        test_option="""
        def test_timeout(executor_timeout):
            assert executor_timeout == 2.5
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--executor-timeout=2.5")
    result.assert_outcomes(passed=1)


def test_ini_setting_sets_the_timeout(pytester: pytest.Pytester) -> None:
    """The executor_timeout ini setting is the default of --executor-timeout."""
    pytester.makeini("[pytest]\nexecutor_timeout = 4\n")
    pytester.makepyfile(
        test_ini="""
        def test_timeout(executor_timeout):
            assert executor_timeout == 4.0
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_bad_timeout_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """A non-positive timeout is refused with a message naming the setting."""
    pytester.makepyfile(test_bad="def test_timeout(executor_timeout):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--executor-timeout=0")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*executor_timeout must be positive*"])


def test_five_line_example_passes_in_a_fresh_run(pytester: pytest.Pytester) -> None:
    """The documentation's first example, alone in a fresh pytest run, passes today's suite on parsl's executor."""
    pytester.makepyfile(test_five_lines=_first_python_block(DOCS))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes.get("failed", 0) == 0, result.stdout.str()
    assert outcomes.get("errors", 0) == 0, result.stdout.str()
    assert outcomes["passed"] >= 8
    result.stdout.fnmatch_lines(["*SKIPPED*executor_factory*"])  # the state machine says what it needs


def test_missing_executor_fixture_explains_what_to_provide(pytester: pytest.Pytester) -> None:
    """A subclass that provides no executor gets errors that say which fixture to write."""
    pytester.makepyfile(
        test_nothing="""
        from parsl_executor_protocol.testing import AbstractExecutorTests

        class TestNothing(AbstractExecutorTests):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-k", "label")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*NotImplementedError*TestNothing needs an `executor` fixture*"])


def test_abstract_suites_are_not_collected(pytester: pytest.Pytester) -> None:
    """Importing the suites into a test module collects nothing by itself."""
    pytester.makepyfile(
        test_import="from parsl_executor_protocol.testing import AbstractCurrentExecutorTests, AbstractExecutorTests\n"
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes()


def test_kit_contracts_are_the_vocabulary_s() -> None:
    """The kit's CONTRACTS, its Contract type and its default contract are the contract vocabulary's."""
    from typing import get_args

    from parsl_executor_protocol import testing
    from parsl_executor_protocol.protocols._contracts import DEFAULT_CONTRACT, EXECUTOR_CONTRACTS
    from parsl_executor_protocol.testing._rules import DEFAULT_KIT_CONTRACT

    assert testing.CONTRACTS is EXECUTOR_CONTRACTS
    assert set(get_args(testing.Contract)) == set(EXECUTOR_CONTRACTS)
    assert DEFAULT_KIT_CONTRACT == DEFAULT_CONTRACT


def test_every_default_timeout_is_the_kit_s() -> None:
    """Every timeout parameter of the kit, and the plugin's default, is DEFAULT_TIMEOUT."""
    import inspect

    from parsl_executor_protocol import testing
    from parsl_executor_protocol.testing import pytest_plugin

    assert pytest_plugin.DEFAULT_EXECUTOR_TIMEOUT == testing.DEFAULT_TIMEOUT
    defaults = {
        name: inspect.signature(value).parameters["timeout"].default
        for name in testing.__all__
        if inspect.isfunction(value := getattr(testing, name))
        and "timeout" in inspect.signature(value).parameters
    }
    assert len(defaults) > 10
    assert {name: default for name, default in defaults.items() if default != testing.DEFAULT_TIMEOUT} == {}


def test_docs_list_every_rule() -> None:
    """docs/testing.md names every rule the kit checks."""
    text = DOCS.read_text()
    assert [rule for rule in RULES if f"`{rule}`" not in text] == []
