"""The reusable pytest suite: subclass, provide an ``executor`` fixture, and every rule is tested.

The classes are named ``Abstract*`` so that pytest does not collect them
where they are defined; a subclass named ``Test*`` in your test module is
collected.  Every test only calls a plain check function from
:mod:`._checks` (or the state machine), with the capability fixtures as
arguments.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar, Dict, Iterator, Optional, Sequence, Tuple, Type

import pytest
from hypothesis import HealthCheck, given, settings

from ._arguments import exception_types, task_args, task_kwargs
from ._bounded import BUDGET_FACTOR, Budget, using_budget
from ._checks import (
    DEFAULT_UNSUPPORTED_RESOURCE_KEY,
    _scaling_names,
    check_assignable_members_round_trip,
    check_bad_state_fails_pending_and_later,
    check_empty_resource_specification_runs,
    check_exception_propagates,
    check_label,
    check_scaling_enabled_consistent,
    check_scaling_returns_lists,
    check_shutdown_resolves_pending,
    check_status_reports_blocks,
    check_structure,
    check_submit_result,
    check_tasks_tracks_every_future,
    check_unsupported_resources_rejected,
    default_assignable_members,
)
from ._lifecycle import shutdown_quietly
from ._rules import Contract
from ._statemachine import DEFAULT_STATE_MACHINE_SETTINGS, UNSHRUNK, run_state_machine
from ._tasks import echo
from .pytest_plugin import executor_timeout_from

__all__ = ["AbstractCurrentExecutorTests", "AbstractExecutorTests"]

# The executor fixture is deliberately shared by all examples of one test: starting an
# executor per example would be slow, and the checks do not depend on a fresh one.  The
# same test function runs for every subclass (that is the point of the suite), which is
# what HealthCheck.differing_executors warns about; replaying one subclass's examples
# for another is harmless here.
_EXAMPLES = settings(
    UNSHRUNK,
    max_examples=25,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.differing_executors],
)

_NEEDS_EXECUTOR = (
    "{cls} needs an `executor` fixture that yields a started executor, e.g.\n\n"
    "    @pytest.fixture\n"
    "    def executor(self, tmp_path):\n"
    "        with started(MyExecutor(), tmp_path) as executor:   # from parsl_executor_protocol.testing\n"
    "            yield executor\n\n"
    "(or an `executor_factory` fixture returning a callable that makes one)"
)


def _capable(flag: Optional[bool], executor: object, member: str) -> bool:
    return hasattr(executor, member) if flag is None else flag


class _ExecutorSuite:
    """Tests shared by both contracts; the subclasses set the contract and the capability defaults."""

    contract: ClassVar[Contract]

    # --- what the executor's author provides -----------------------------------------------------

    @pytest.fixture
    def executor_factory(self) -> Optional[Callable[[], Any]]:
        """Optional: a callable returning a new, started executor.

        Default ``None``.  With it, the state machine runs (it needs a fresh
        executor per run) and the tests that break their executor (bad state,
        shutdown) get a fresh one, so that ``executor`` may be shared across
        tests (e.g. module-scoped).
        """
        return None

    @pytest.fixture
    def executor(self, executor_factory: Optional[Callable[[], Any]], executor_timeout: float) -> Iterator[Any]:
        """Required: yield a started executor (or provide ``executor_factory``)."""
        if executor_factory is None:
            raise NotImplementedError(_NEEDS_EXECUTOR.format(cls=type(self).__name__))
        made = executor_factory()
        yield made
        shutdown_quietly(made, timeout=executor_timeout)

    @pytest.fixture
    def disposable_executor(
        self, request: pytest.FixtureRequest, executor_factory: Optional[Callable[[], Any]], executor_timeout: float
    ) -> Iterator[Any]:
        """A started executor that a test may put in bad state or shut down.

        Default: a fresh one from ``executor_factory`` if given, else the
        ``executor`` fixture itself (right when that is function-scoped, the default).
        """
        if executor_factory is None:
            yield request.getfixturevalue("executor")
            return
        made = executor_factory()
        yield made
        shutdown_quietly(made, timeout=executor_timeout)

    # --- bounds and capabilities (override to change) --------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def _kit_budget_holder(cls) -> Dict[str, Budget]:
        # A class method: pytest 9.1 deprecates class-scoped fixtures that are instance methods.
        return {}

    @pytest.fixture(autouse=True)
    def _kit_budget(self, _kit_budget_holder: Dict[str, Budget], executor_timeout: float) -> Iterator[Budget]:
        """The budget every test of the class shares for the time its executors hang (see ``_bounded``)."""
        # Made by the first test, with its timeout: a class-scoped fixture cannot ask the
        # function-scoped executor_timeout, which a subclass may override.
        budget = _kit_budget_holder.setdefault("budget", Budget(BUDGET_FACTOR * executor_timeout))
        with using_budget(budget):
            yield budget

    @pytest.fixture
    def executor_timeout(self, request: pytest.FixtureRequest) -> float:
        """Seconds one executor call or one task may take (``--executor-timeout``; default ``DEFAULT_TIMEOUT``)."""
        return executor_timeout_from(request.config)

    @pytest.fixture
    def shutdown_resolves_pending(self) -> bool:
        """Whether ``shutdown()`` resolves the futures of pending tasks (default ``True``)."""
        return True

    @pytest.fixture
    def assignable_members(self) -> Sequence[str]:
        """The members Parsl assigns, checked to round-trip (default: the contract's)."""
        return default_assignable_members(self.contract)

    @pytest.fixture
    def state_machine_settings(self) -> settings:
        """Hypothesis settings for the state machine (default: 10 runs of up to 10 steps, no deadline)."""
        return DEFAULT_STATE_MACHINE_SETTINGS

    @pytest.fixture
    def structural_protocol(self) -> Optional[type]:
        """The protocol of the structural pre-check (default ``None``: the contract's own)."""
        return None

    # --- the tests -------------------------------------------------------------------------------

    def test_label(self, executor: Any, executor_timeout: float) -> None:
        """Rule label: the executor's label is a non-empty string."""
        check_label(executor, timeout=executor_timeout)

    def test_structure(self, executor: Any, structural_protocol: Optional[type]) -> None:
        """Rule structure: the executor has every member of its contract (runtime checking engine)."""
        try:
            check_structure(executor, structural_protocol, contract=self.contract)
        except ImportError as exc:
            pytest.skip(f"the runtime checking engine is not available: {exc}")

    @_EXAMPLES
    @given(args=task_args(), kwargs=task_kwargs())
    def test_submit_result(
        self, executor: Any, executor_timeout: float, args: Tuple[Any, ...], kwargs: Dict[str, Any]
    ) -> None:
        """Rules submit-returns-future, submit-result: the future's result equals func(*args, **kwargs)."""
        check_submit_result(executor, echo, args, kwargs, contract=self.contract, timeout=executor_timeout)

    @settings(_EXAMPLES, max_examples=6)
    @given(exc_type=exception_types())
    def test_exception_propagates(self, executor: Any, executor_timeout: float, exc_type: Type[BaseException]) -> None:
        """Rule exception-propagates: a task's exception arrives through the future with its type."""
        check_exception_propagates(executor, exc_type, contract=self.contract, timeout=executor_timeout)

    def test_tasks_tracks_every_future(
        self, executor: Any, executor_timeout: float, tracks_tasks: Optional[bool], tracks_completed_tasks: bool
    ) -> None:
        """Rule tasks-tracks-every-future: tasks maps a unique id to each returned future."""
        if not _capable(tracks_tasks, executor, "tasks"):
            pytest.skip("the executor has no `tasks` (capability fixture tracks_tasks)")
        check_tasks_tracks_every_future(
            executor, contract=self.contract, timeout=executor_timeout, tracks_completed=tracks_completed_tasks
        )

    def test_assignable_members_round_trip(
        self, executor: Any, executor_timeout: float, assignable_members: Sequence[str]
    ) -> None:
        """Rule assignable-round-trip: members Parsl assigns read back what was assigned."""
        check_assignable_members_round_trip(
            executor, assignable_members, contract=self.contract, timeout=executor_timeout
        )

    def test_scaling_returns_lists(
        self, executor: Any, executor_timeout: float, supports_scaling: Optional[bool]
    ) -> None:
        """Rule scaling-returns-lists: scaling out and in returns lists of block ids."""
        member = _scaling_names(self.contract)[0]
        if not _capable(supports_scaling, executor, member):
            pytest.skip(f"the executor has no `{member}` (capability fixture supports_scaling)")
        check_scaling_returns_lists(executor, contract=self.contract, timeout=executor_timeout)

    def test_status_reports_blocks(
        self,
        executor: Any,
        executor_timeout: float,
        reports_status: Optional[bool],
        supports_scaling: Optional[bool],
    ) -> None:
        """Rule status-reports-blocks: status() maps every known block, including new ones, to a job status."""
        if not _capable(reports_status, executor, "status"):
            pytest.skip("the executor has no `status` (capability fixture reports_status)")
        member = _scaling_names(self.contract)[0]
        check_status_reports_blocks(
            executor,
            contract=self.contract,
            timeout=executor_timeout,
            scale=_capable(supports_scaling, executor, member),
        )

    def test_bad_state_fails_pending_and_later(
        self, disposable_executor: Any, executor_timeout: float, supports_bad_state: Optional[bool]
    ) -> None:
        """Rules bad-state-*: after set_bad_state_and_fail_all(exc), pending and later tasks fail with exc."""
        if not _capable(supports_bad_state, disposable_executor, "set_bad_state_and_fail_all"):
            pytest.skip("the executor has no `set_bad_state_and_fail_all` (capability fixture supports_bad_state)")
        check_bad_state_fails_pending_and_later(disposable_executor, contract=self.contract, timeout=executor_timeout)

    def test_shutdown_resolves_pending(
        self,
        disposable_executor: Any,
        executor_timeout: float,
        shutdown_resolves_pending: bool,
        record_property: Callable[[str, object], None],
    ) -> None:
        """Rules shutdown-*: shutdown() returns in time, and leaves no future pending."""
        report = check_shutdown_resolves_pending(
            disposable_executor,
            contract=self.contract,
            timeout=executor_timeout,
            resolves_pending=shutdown_resolves_pending,
        )
        record_property("shutdown_returned", repr(report.returned))
        record_property("shutdown_futures", repr(report))

    def test_state_machine(
        self,
        executor_factory: Optional[Callable[[], Any]],
        *,  # pytest passes fixtures by name
        executor_timeout: float,
        state_machine_settings: settings,
        supports_bad_state: Optional[bool],
        supports_scaling: Optional[bool],
        reports_status: Optional[bool],
        tracks_tasks: Optional[bool],
        tracks_completed_tasks: bool,
        shutdown_resolves_pending: bool,
    ) -> None:
        """All rules at once: random interleavings of submit, status, scaling, bad state and shutdown."""
        if executor_factory is None:
            pytest.skip("the state machine needs a fresh executor per run: provide an `executor_factory` fixture")
        run_state_machine(
            executor_factory,
            contract=self.contract,
            timeout=executor_timeout,
            settings=state_machine_settings,
            supports_bad_state=supports_bad_state,
            supports_scaling=supports_scaling,
            reports_status=reports_status,
            tracks_tasks=tracks_tasks,
            tracks_completed_tasks=tracks_completed_tasks,
            shutdown_resolves_pending=shutdown_resolves_pending,
        )


class AbstractExecutorTests(_ExecutorSuite):
    """The 2020 contract's suite: ``submit(func, *args, **kwargs)``, and every member of the interface text.

    Subclass it as ``Test...`` and provide an ``executor`` fixture that yields a
    started executor.  Capability fixtures (override to change): every
    ``supports_*``/``reports_*``/``tracks_*`` flag defaults to ``True``
    (``None`` means: whether the executor has the members).
    """

    contract: ClassVar[Contract] = "2020"

    @pytest.fixture
    def supports_bad_state(self) -> Optional[bool]:
        """Whether bad state is tested (default ``True``)."""
        return True

    @pytest.fixture
    def supports_scaling(self) -> Optional[bool]:
        """Whether scaling is tested (default ``True``; ``scaling_enabled`` says what scaling must do)."""
        return True

    @pytest.fixture
    def reports_status(self) -> Optional[bool]:
        """Whether ``status()`` is tested (default ``True``)."""
        return True

    @pytest.fixture
    def tracks_tasks(self) -> Optional[bool]:
        """Whether ``tasks`` is tested (default ``True``)."""
        return True

    @pytest.fixture
    def tracks_completed_tasks(self) -> bool:
        """Whether finished tasks must stay in ``tasks`` (default ``True``: "all tasks that have been submitted")."""
        return True

    def test_scaling_enabled_consistent(
        self, executor: Any, executor_timeout: float, supports_scaling: Optional[bool]
    ) -> None:
        """Rule scaling-enabled-consistent: scaling_enabled is true exactly when scale_out adds blocks."""
        if not _capable(supports_scaling, executor, "scale_out"):
            pytest.skip("capability fixture supports_scaling is False")
        check_scaling_enabled_consistent(executor, timeout=executor_timeout)


class AbstractCurrentExecutorTests(_ExecutorSuite):
    """Today's contract's suite: ``submit(func, resource_specification, *args, **kwargs)``.

    Subclass it as ``Test...`` and provide an ``executor`` fixture that yields a
    started executor.  Bad state, scaling, status and ``tasks`` belong to
    Parsl's ``BlockProviderExecutor`` today: their capability fixtures default
    to ``None``, meaning "tested when the executor has the members".
    """

    contract: ClassVar[Contract] = "current"

    @pytest.fixture
    def supports_bad_state(self) -> Optional[bool]:
        """Whether bad state is tested (default ``None``: when the executor has ``set_bad_state_and_fail_all``)."""
        return None

    @pytest.fixture
    def supports_scaling(self) -> Optional[bool]:
        """Whether scaling is tested (default ``None``: when the executor has ``scale_out_facade``)."""
        return None

    @pytest.fixture
    def reports_status(self) -> Optional[bool]:
        """Whether ``status()`` is tested (default ``None``: when the executor has ``status``)."""
        return None

    @pytest.fixture
    def tracks_tasks(self) -> Optional[bool]:
        """Whether ``tasks`` is tested (default ``None``: when the executor has ``tasks``)."""
        return None

    @pytest.fixture
    def tracks_completed_tasks(self) -> bool:
        """Whether finished tasks must stay in ``tasks`` (default ``False``: Parsl's executors drop them)."""
        return False

    @pytest.fixture
    def rejects_unsupported_resources(self) -> bool:
        """Whether an unsupported resource-specification key must be rejected (default ``True``)."""
        return True

    @pytest.fixture
    def unsupported_resource_key(self) -> str:
        """A resource-specification key the executor does not support (default: a made-up one)."""
        return DEFAULT_UNSUPPORTED_RESOURCE_KEY

    def test_empty_resource_specification_runs(self, executor: Any, executor_timeout: float) -> None:
        """Rule empty-resource-specification-runs: submit(func, {}, ...) runs the task."""
        check_empty_resource_specification_runs(executor, timeout=executor_timeout)

    def test_unsupported_resources_rejected(
        self,
        executor: Any,
        executor_timeout: float,
        rejects_unsupported_resources: bool,
        unsupported_resource_key: str,
    ) -> None:
        """Rule unsupported-resources-rejected: an unsupported key is rejected with an error naming it."""
        if not rejects_unsupported_resources:
            pytest.skip("capability fixture rejects_unsupported_resources is False")
        check_unsupported_resources_rejected(executor, unsupported_resource_key, timeout=executor_timeout)
