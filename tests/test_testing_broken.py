"""The behavioural kit fails broken executors, each with a message naming the rule it broke.

Every ``Broken*`` executor in ``tests/_kit_executors.py`` breaks exactly one
rule; the plain check for that rule must raise a ``BehaviourError`` naming it
(and pass on the correct executor the broken one derives from).  The state
machine finds the same defects by itself, and the pytest suite reports them
in a fresh pytest run.  Timeouts are short here: the executors that hang are
meant to be caught by the bound.
"""

from __future__ import annotations

import ast
import contextlib
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest
from hypothesis import Phase, settings
from parsl.executors import ThreadPoolExecutor
from parsl.jobs.states import JobState, JobStatus

from parsl_executor_protocol.errors import BehaviourError, ParslExecutorProtocolError
from parsl_executor_protocol.testing import (
    RULES,
    Contract,
    carries,
    check_assignable_members_round_trip,
    check_bad_state_fails_pending_and_later,
    check_empty_resource_specification_runs,
    check_exception_propagates,
    check_label,
    check_scaling_enabled_consistent,
    check_scaling_returns_lists,
    check_shutdown_resolves_pending,
    check_status_reports_blocks,
    check_submit_result,
    check_tasks_tracks_every_future,
    check_unsupported_resources_rejected,
    echo,
    job_status_problem,
    make_state_machine,
    run_state_machine,
    start_executor,
    started,
)
from parsl_executor_protocol.testing._bounded import call_within

from . import _kit_executors as kit

pytest_plugins = ["pytester"]

TIMEOUT = 0.5  # the broken executors that hang are caught by this bound


def _check_for(rule: str, contract: Contract) -> Callable[[Any], object]:
    """The plain check that tests ``rule``."""
    checks: Dict[str, Callable[[Any], object]] = {
        "label": lambda ex: check_label(ex, timeout=TIMEOUT),
        "submit-returns-future": lambda ex: check_submit_result(
            ex,
            echo,
            (1, "a"),
            {"kw_b": [2]},
            contract=contract,
            timeout=TIMEOUT,
        ),
        "exception-propagates": lambda ex: check_exception_propagates(ex, contract=contract, timeout=TIMEOUT),
        "tasks-tracks-every-future": lambda ex: check_tasks_tracks_every_future(ex, contract=contract, timeout=TIMEOUT),
        "bad-state-flags": lambda ex: check_bad_state_fails_pending_and_later(ex, contract=contract, timeout=TIMEOUT),
        "shutdown-returns": lambda ex: check_shutdown_resolves_pending(ex, contract=contract, timeout=TIMEOUT),
        "scaling-returns-lists": lambda ex: check_scaling_returns_lists(ex, contract=contract, timeout=TIMEOUT),
        "status-reports-blocks": lambda ex: check_status_reports_blocks(ex, contract=contract, timeout=TIMEOUT),
        "scaling-enabled-consistent": lambda ex: check_scaling_enabled_consistent(ex, timeout=TIMEOUT),
        "assignable-round-trip": lambda ex: check_assignable_members_round_trip(ex, contract=contract, timeout=TIMEOUT),
        "empty-resource-specification-runs": lambda ex: check_empty_resource_specification_runs(ex, timeout=TIMEOUT),
        "unsupported-resources-rejected": lambda ex: check_unsupported_resources_rejected(ex, timeout=TIMEOUT),
    }
    aliases = {
        "submit-result": "submit-returns-future",
        "bad-state-fails-pending": "bad-state-flags",
        "bad-state-fails-later": "bad-state-flags",
        "shutdown-resolves-pending": "shutdown-returns",
    }
    return checks[aliases.get(rule, rule)]


@pytest.fixture
def release_hangs() -> Iterator[None]:
    """Lets the executors that block for ever go, once a test is over."""
    yield
    kit._FOREVER.set()
    time.sleep(0.05)
    kit._FOREVER.clear()


def _shutdown_bounded(executor: Any) -> None:
    # Some of these executors hang in shutdown() on purpose; the bound keeps the test going.
    with contextlib.suppress(BehaviourError):
        call_within(TIMEOUT, "shutdown-returns", executor, "shutdown()", executor.shutdown)


def _names(table: Dict[type, str]) -> list[str]:
    return [cls.__name__ for cls in table]


@pytest.mark.usefixtures("release_hangs")
@pytest.mark.parametrize(("cls", "rule"), list(kit.BROKEN_2020.items()), ids=_names(kit.BROKEN_2020))
def test_check_names_the_broken_rule_2020(cls: type, rule: str, tmp_path: Path) -> None:
    """The check for the rule a broken 2020 executor breaks fails, naming that rule."""
    executor = start_executor(cls(), tmp_path)
    try:
        with pytest.raises(BehaviourError) as caught:
            _check_for(rule, "2020")(executor)
    finally:
        _shutdown_bounded(executor)
    assert caught.value.rule == rule
    assert f"breaks rule '{rule}' ({RULES[rule]})" in str(caught.value)
    assert isinstance(caught.value, AssertionError)


@pytest.mark.parametrize(("cls", "rule"), list(kit.BROKEN_CURRENT.items()), ids=_names(kit.BROKEN_CURRENT))
def test_check_names_the_broken_rule_current(cls: type, rule: str, tmp_path: Path) -> None:
    """The check for the rule a broken current-contract executor breaks fails, naming that rule."""
    with started(cls(), tmp_path, timeout=5) as executor, pytest.raises(BehaviourError) as caught:
        _check_for(rule, "current")(executor)
    assert caught.value.rule == rule
    assert f"breaks rule '{rule}'" in str(caught.value)


@pytest.mark.parametrize("rule", sorted(set(kit.BROKEN_2020.values())))
def test_the_same_checks_pass_on_the_reference_executor(rule: str, tmp_path: Path) -> None:
    """Each check used above passes on the correct executor the broken ones derive from."""
    executor = start_executor(kit.Reference2020Executor(), tmp_path)
    try:
        _check_for(rule, "2020")(executor)
    finally:
        executor.shutdown()


@pytest.mark.parametrize("rule", sorted(set(kit.BROKEN_CURRENT.values())))
def test_the_same_checks_pass_on_parsl_thread_pool(rule: str, tmp_path: Path) -> None:
    """Each current-contract check used above passes on parsl's own ThreadPoolExecutor."""
    with started(ThreadPoolExecutor(max_threads=2), tmp_path, timeout=5) as executor:
        _check_for(rule, "current")(executor)


def test_hanging_call_fails_within_the_bound() -> None:
    """A call that never returns makes the check fail with a message, instead of hanging."""
    forever = threading.Event()
    try:
        with pytest.raises(BehaviourError, match=r"status\(\) did not return within 0\.2 s"):
            call_within(0.2, "status-reports-blocks", object(), "status()", forever.wait)
    finally:
        forever.set()


def test_shutdown_report_says_what_shutdown_returned(tmp_path: Path) -> None:
    """check_shutdown_resolves_pending reports shutdown()'s return value and how the futures ended."""
    report = check_shutdown_resolves_pending(start_executor(kit.Reference2020Executor(), tmp_path), timeout=5)
    assert report.returned is True
    assert report.completed + report.failed + report.cancelled == 3
    assert report.unresolved == 0


# --- the state machine finds defects by itself ---------------------------------------------------

# Derandomized: the same sequences every run, so that finding each defect is not luck; enough
# examples that the fixed sequence reaches each defect whatever else the session imported (the
# seed's draws shift with registered strategies).  The hunt stops at the first failure.  No
# shrinking: these tests need the rule named, not the shortest example (which users get).
_HUNT = settings(
    max_examples=600,
    stateful_step_count=12,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
)


@pytest.mark.parametrize(
    ("cls", "rule"),
    [
        (kit.BrokenLosesTasks, "tasks-tracks-every-future"),
        (kit.BrokenSwallowsExceptions, "exception-propagates"),
        (kit.BrokenIgnoresBadState, "bad-state-fails-pending"),
        (kit.BrokenRunsAfterBadState, "bad-state-fails-later"),
        (kit.BrokenStatusMissesBlocks, "status-reports-blocks"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_state_machine_finds_the_broken_rule(cls: type, rule: str, tmp_path: Path) -> None:
    """Random interleavings of operations expose each defect, and the error names its rule."""
    with pytest.raises(BehaviourError) as caught:
        run_state_machine(lambda: start_executor(cls(), tmp_path), timeout=2, settings=_HUNT)
    assert caught.value.rule == rule


def test_state_machine_passes_the_reference_executor(tmp_path: Path) -> None:
    """The state machine, with more runs than the suite's default, finds nothing wrong with a correct executor."""
    run_state_machine(
        lambda: start_executor(kit.Reference2020Executor(), tmp_path),
        timeout=10,
        settings=settings(max_examples=30, stateful_step_count=15, deadline=None, database=None),
    )


def test_hypothesis_keys_a_machine_by_its_name_without_parsing_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """Its key in hypothesis's example database is the machine's own, and needs no parse of any source.

    Before Python 3.13, looking up the source of a class made at run time parses
    the module it names, which on CPython 3.11 and 3.12 releases before the fix
    of CPython issue 106905 can raise ``SystemError`` while an executor's
    threads parse too.
    """
    from hypothesis.internal.reflection import function_digest

    from parsl_executor_protocol.testing._statemachine import _machine_factory

    def first() -> Any:
        return ThreadPoolExecutor()

    def second() -> Any:
        return ThreadPoolExecutor()

    machines = [make_state_machine(first), make_state_machine(second)]

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the database key parsed source")

    with monkeypatch.context() as patched:
        patched.setattr(ast, "parse", refuse)
        digests = [function_digest(_machine_factory(machine)) for machine in machines]
        again = function_digest(_machine_factory(machines[0]))
    assert digests[0] != digests[1]
    assert digests[0] == again


# --- helpers and bad input -----------------------------------------------------------------------


def test_carries_follows_causes_attributes_and_messages() -> None:
    """carries() accepts the exception itself, a wrapper holding it, or a copy of its message; nothing else."""
    exc = ValueError("marker 1234")
    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = exc

    class Holder(Exception):
        def __init__(self, inner: BaseException) -> None:
            super().__init__("held")
            self.inner = inner

    assert carries(exc, exc)
    assert carries(wrapped, exc)
    assert carries(Holder(exc), exc)
    assert carries(RuntimeError("executor bad: marker 1234"), exc)
    assert not carries(RuntimeError("something else"), exc)


def test_job_status_shape_accepts_parsl_and_names_the_defect() -> None:
    """Parsl's JobStatus is a job status; a plain string is not, and the reason says why."""
    assert job_status_problem(JobStatus(JobState.RUNNING)) is None
    assert job_status_problem("RUNNING") == "it has no 'state'"


@pytest.mark.parametrize(
    "call",
    [
        lambda: check_submit_result(object(), contract="2021"),  # type: ignore[arg-type]
        lambda: make_state_machine(lambda: None, contract="latest"),  # type: ignore[arg-type]
    ],
    ids=["check", "state-machine"],
)
def test_unknown_contract_is_a_clear_error(call: Callable[[], object]) -> None:
    """An unknown contract name is refused with a ValueError listing the two contracts."""
    with pytest.raises(ValueError, match=r"contract must be '2020' .* or 'current'"):
        call()


def test_raising_func_is_refused_by_check_submit_result() -> None:
    """check_submit_result needs a func that returns; a raising one is a clear ValueError, not a verdict."""
    with pytest.raises(ValueError, match="check_exception_propagates"):
        check_submit_result(object(), int, ("not a number",))


def test_state_machine_needs_a_callable_factory() -> None:
    """A factory that is not callable is refused with a TypeError saying what is expected."""
    with pytest.raises(TypeError, match="factory must be a callable returning a started executor"):
        make_state_machine(kit.Reference2020Executor())  # type: ignore[arg-type]


def test_behaviour_error_is_a_package_error_and_an_assertion() -> None:
    """BehaviourError is caught by `except AssertionError` and by the package's base error."""
    assert issubclass(BehaviourError, AssertionError)
    assert issubclass(BehaviourError, ParslExecutorProtocolError)


def test_future_look_alike_is_reported_as_not_a_future(tmp_path: Path) -> None:
    """An object with .result() is not enough: Parsl asserts a real concurrent.futures.Future."""
    executor = start_executor(kit.BrokenReturnsNonFuture(), tmp_path)
    with pytest.raises(BehaviourError, match=r"not a concurrent\.futures\.Future"):
        check_submit_result(executor, timeout=TIMEOUT)
    assert not isinstance(kit.BrokenReturnsNonFuture.LookAlike(Future()), Future)


# --- the pytest suite reports broken executors in a fresh run ------------------------------------


def test_suite_fails_a_broken_executor_naming_the_rule(pytester: pytest.Pytester) -> None:
    """The suite run on an executor that ignores bad state fails exactly the bad-state test, naming the rule."""
    pytester.makepyfile(kit_executors=(Path(__file__).parent / "_kit_executors.py").read_text())
    pytester.makepyfile(
        test_broken="""
        import pytest
        from kit_executors import BrokenIgnoresBadState
        from parsl_executor_protocol.testing import AbstractExecutorTests, started

        class TestBroken(AbstractExecutorTests):
            @pytest.fixture
            def executor(self, tmp_path):
                with started(BrokenIgnoresBadState(), tmp_path) as executor:
                    yield executor
        """
    )
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "no:cacheprovider", "--executor-timeout=0.5", "--tb=short", "-p", "no:randomly")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] == 1, result.stdout.str()
    assert outcomes["passed"] >= 9
    result.stdout.fnmatch_lines(["*FAILED*TestBroken::test_bad_state_fails_pending_and_later*"])
    assert "breaks rule 'bad-state-fails-pending'" in result.stdout.str()


def test_executor_with_slots_fails_round_trip_not_with_a_traceback(tmp_path: Path) -> None:
    """An executor whose __slots__ lack run_id fails the round-trip rule with a message naming run_id."""

    class Slotted:
        __slots__ = ("label", "run_dir")

        def __init__(self) -> None:
            self.label = "slotted"
            self.run_dir = str(tmp_path)

    with pytest.raises(BehaviourError, match="has no member 'run_id', which Parsl assigns"):
        check_assignable_members_round_trip(Slotted(), contract="current", timeout=TIMEOUT)


# --- a broken executor costs a bounded total, not a timeout per call ------------------------------


def test_hangs_share_one_budget() -> None:
    """Once an executor has hung for the whole budget, later bounded calls fail at once, saying why."""
    from parsl_executor_protocol.testing._bounded import Budget, using_budget

    hang = threading.Event()
    budget = Budget(TIMEOUT)
    with using_budget(budget):
        with pytest.raises(BehaviourError, match="did not return within"):
            call_within(TIMEOUT, "shutdown-returns", object(), "shutdown()", hang.wait)
        with pytest.raises(BehaviourError, match="total budget"):
            call_within(TIMEOUT, "shutdown-returns", object(), "shutdown()", hang.wait)
    assert budget.remaining() == 0
    hang.set()


@pytest.mark.timeout(240)
def test_suite_on_an_executor_that_hangs_is_bounded_in_total(pytester: pytest.Pytester) -> None:
    """Every test of the suite on an executor whose futures never resolve fails, most without waiting.

    The class shares one budget, 1.5 x the timeout: after the first hangs, the
    remaining tests say the budget is spent instead of waiting again, and
    hypothesis stops at the first failure instead of replaying it.
    """
    pytester.makepyfile(kit_executors=(Path(__file__).parent / "_kit_executors.py").read_text())
    pytester.makepyfile(
        test_hanging="""
        import pytest
        from kit_executors import BrokenNeverResolves
        from parsl_executor_protocol.testing import AbstractExecutorTests

        class TestHanging(AbstractExecutorTests):
            @pytest.fixture
            def executor_factory(self):
                return BrokenNeverResolves
        """
    )
    pytester.syspathinsert()
    # In a subprocess with its own bound: an in-process run's pytest-timeout would replace this test's.
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--executor-timeout=2", "--tb=line", "-p", "no:randomly", timeout=200
    )
    output = result.stdout.str()
    assert result.parseoutcomes()["failed"] >= 5, output
    assert "total budget" in output
    assert "Shrink" not in output  # hypothesis did not replay failing examples
