"""A hypothesis state machine that interleaves submit, status, scaling, bad state and shutdown.

Each run makes a fresh executor from a factory, applies a random sequence of
operations and checks after every step that ``tasks`` holds each returned
future under its own id and that the bad-state flags are right; at the end it
shuts the executor down and checks that every future resolved the way the
contract says (its result, its exception, the bad-state exception, or, for a
task still pending at shutdown, cancelled or failed).
"""

from __future__ import annotations

import contextlib
import functools
import uuid
from concurrent.futures import Future
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple, Type, TypeVar

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from ..errors import BehaviourError
from ..protocols._contracts import EXECUTOR_CONTRACTS, validate_contract
from ._arguments import exception_types, task_args, task_kwargs
from ._bounded import DEFAULT_TIMEOUT, Gate, budgeted, call_within, resolve_within, unresolved
from ._checks import (
    _block_ids,
    _call,
    _check_tracked,
    _future_of,
    _outcome_text,
    _read,
    _read_tasks,
    _scaling_names,
    _status,
    _text,
    carries,
    submit,
)
from ._lifecycle import shutdown_quietly, start_failed
from ._rules import DEFAULT_KIT_CONTRACT, Contract, fail, short_repr
from ._tasks import KitError, echo, raise_error, wait_at_gate

__all__ = ["ExecutorStateMachine", "make_state_machine", "run_state_machine"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _noting_failure(method: _F) -> _F:
    # Teardown must not mask the failure of a step with a second, different one.
    @functools.wraps(method)
    def wrapper(self: ExecutorStateMachine, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except BaseException:
            self.broken = True
            raise

    return wrapper  # type: ignore[return-value]


class _Record:
    """One submitted task and what the machine knew about it."""

    __slots__ = (
        "after_bad",
        "expected",
        "future",
        "kind",
        "number",
        "pending_at_bad",
        "pending_at_shutdown",
        "strict_at_bad",
    )

    def __init__(self, number: int, kind: str, future: Future[Any], expected: Any, after_bad: bool) -> None:
        self.number = number
        self.kind = kind  # "value", "raise" or "held"
        self.future = future
        self.expected = expected
        self.after_bad = after_bad
        self.pending_at_bad = False
        self.strict_at_bad = False  # held at a closed gate when bad state was set: must fail
        self.pending_at_shutdown = False

    def __str__(self) -> str:
        return f"the future of task #{self.number} ({self.kind})"


class ExecutorStateMachine(RuleBasedStateMachine):
    """Random interleavings of an executor's operations, checked against the contract's invariants.

    Do not use it directly: :func:`make_state_machine` makes a subclass bound
    to an executor factory, a contract and capabilities; :func:`run_state_machine`
    runs one.  Capabilities left ``None`` are detected on each new executor
    (whether it has the members).
    """

    factory: ClassVar[Optional[Callable[[], Any]]] = None
    contract: ClassVar[Contract] = DEFAULT_KIT_CONTRACT
    timeout: ClassVar[float] = DEFAULT_TIMEOUT
    capabilities: ClassVar[Dict[str, Optional[bool]]] = {}

    def __init__(self) -> None:
        super().__init__()
        # A plain callable stored on the class; pyright would model the access as
        # binding a method, but make_state_machine stores it as a class attribute.
        factory = type(self).factory  # pyright: ignore[reportAttributeAccessIssue]
        if factory is None:
            raise TypeError(
                "ExecutorStateMachine needs an executor factory: use make_state_machine(factory, contract=...) "
                "or run_state_machine(factory, contract=...)"
            )
        self.broken = False
        made = call_within(self.timeout, "start-returns", factory, "the executor factory", factory)
        if made.error is not None:
            start_failed(factory, "the executor factory", made.error)
        self.executor: Any = made.value
        caps = type(self).capabilities
        current = self.contract == "current"

        def capable(name: str, member: str) -> bool:
            value = caps.get(name)
            if value is None:
                return hasattr(self.executor, member) if current else True
            return value

        self.supports_bad_state = capable("supports_bad_state", "set_bad_state_and_fail_all")
        self.supports_scaling = capable("supports_scaling", _scaling_names(self.contract)[0])
        self.reports_status = capable("reports_status", "status")
        self.tracks_tasks = capable("tracks_tasks", "tasks")
        tracks_completed = caps.get("tracks_completed_tasks")
        self.tracks_completed_tasks = (not current) if tracks_completed is None else tracks_completed
        resolves = caps.get("shutdown_resolves_pending")
        self.shutdown_resolves_pending = True if resolves is None else resolves
        self.records: List[_Record] = []
        self.gate = Gate()
        self.bad_exc: Optional[BaseException] = None
        self.shut = False
        self.known_blocks: set[Any] = set(_status(self.executor, self.timeout)) if self.reports_status else set()
        self.live_blocks: List[Any] = []

    # --- operations ------------------------------------------------------------------------------

    def _submit(
        self, kind: str, func: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any], expected: Any
    ) -> None:
        outcome = submit(self.executor, func, args, kwargs, contract=self.contract, timeout=self.timeout)
        if outcome.error is not None and self.bad_exc is not None:
            if not carries(outcome.error, self.bad_exc):
                fail(
                    "bad-state-fails-later",
                    self.executor,
                    f"submit() after bad state raised {type(outcome.error).__name__}: "
                    f"{short_repr(_text(outcome.error))}, which does not carry the bad-state exception",
                )
            return
        future = _future_of(self.executor, outcome, "submit-returns-future", "submit()")
        self.records.append(_Record(len(self.records), kind, future, expected, after_bad=self.bad_exc is not None))

    @precondition(lambda self: not self.shut)
    @rule(args=task_args(), kwargs=task_kwargs())
    @_noting_failure
    def submit_task(self, args: Tuple[Any, ...], kwargs: Dict[str, Any]) -> None:
        """Submit a task that returns its arguments."""
        self._submit("value", echo, args, kwargs, (args, kwargs))

    @precondition(lambda self: not self.shut)
    @rule(exc_type=exception_types())
    @_noting_failure
    def submit_raising_task(self, exc_type: Type[BaseException]) -> None:
        """Submit a task that raises."""
        message = f"raised on purpose by parsl-executor-protocol {uuid.uuid4().hex[:8]}"
        self._submit("raise", raise_error, (exc_type, message), {}, (exc_type, message))

    @precondition(lambda self: not self.shut and not self.gate.is_open)
    @rule()
    @_noting_failure
    def submit_held_task(self) -> None:
        """Submit a task that stays pending until the gate opens."""
        self._submit("held", wait_at_gate, self.gate.task_args(self.timeout, "held"), {}, "held")

    @precondition(lambda self: not self.gate.is_open)
    @rule()
    @_noting_failure
    def release_held_tasks(self) -> None:
        """Open the gate: held tasks finish."""
        self.gate.open()

    @precondition(lambda self: not self.shut and self.reports_status)
    @rule()
    @_noting_failure
    def poll_status(self) -> None:
        """``status()`` reports every live block with a job status."""
        status = _status(self.executor, self.timeout)
        missing = [block for block in self.live_blocks if block not in status]
        if missing:
            fail(
                "status-reports-blocks",
                self.executor,
                f"status() does not report block(s) {missing!r} added by scaling out",
            )

    @precondition(lambda self: not self.shut and self.supports_scaling and self.bad_exc is None)
    @rule(blocks=st.integers(0, 2))
    @_noting_failure
    def scale_out(self, blocks: int) -> None:
        """Scaling out returns a list of at most ``blocks`` new block ids."""
        name = _scaling_names(self.contract)[0]
        added = _block_ids(
            self.executor,
            _call(self.executor, name, "scaling-returns-lists", self.timeout, blocks),
            f"{name}({blocks})",
        )
        if len(added) > blocks:
            fail("scaling-returns-lists", self.executor, f"{name}({blocks}) returned {len(added)} block ids: {added!r}")
        self.known_blocks.update(added)
        self.live_blocks.extend(added)
        if self.reports_status and added:
            self.poll_status()

    @precondition(lambda self: not self.shut and self.supports_scaling and self.bad_exc is None)
    @rule(blocks=st.integers(0, 2))
    @_noting_failure
    def scale_in(self, blocks: int) -> None:
        """Scaling in returns a list of known block ids."""
        name = _scaling_names(self.contract)[1]
        removed = _block_ids(
            self.executor,
            _call(self.executor, name, "scaling-returns-lists", self.timeout, blocks),
            f"{name}({blocks})",
        )
        unknown = [block for block in removed if block not in self.known_blocks]
        if unknown or len(removed) > blocks:
            fail(
                "scaling-returns-lists",
                self.executor,
                f"{name}({blocks}) returned {removed!r}; unknown block ids: {unknown!r}",
            )
        self.live_blocks = [block for block in self.live_blocks if block not in removed]

    @precondition(lambda self: not self.shut and self.supports_bad_state and self.bad_exc is None)
    @rule()
    @_noting_failure
    def set_bad_state(self) -> None:
        """``set_bad_state_and_fail_all(exc)``: pending and later tasks must fail with ``exc``."""
        exc = KitError(f"bad state set on purpose by parsl-executor-protocol {uuid.uuid4().hex[:8]}")
        for record in self.records:
            if not record.future.done():
                record.pending_at_bad = True
                record.strict_at_bad = record.kind == "held" and not self.gate.is_open
        _call(self.executor, "set_bad_state_and_fail_all", "bad-state-flags", self.timeout, exc)
        self.bad_exc = exc

    @precondition(lambda self: not self.shut)
    @rule()
    @_noting_failure
    def shutdown(self) -> None:
        """``shutdown()`` returns within the bound, with the contract's return value."""
        self.gate.open()
        for record in self.records:
            record.pending_at_shutdown = not record.future.done()
        self.shut = True
        outcome = call_within(self.timeout, "shutdown-returns", self.executor, "shutdown()", self.executor.shutdown)
        if outcome.error is not None:
            fail(
                "shutdown-returns", self.executor, f"shutdown() raised {type(outcome.error).__name__}: {outcome.error}"
            )
        allowed = (type(None), bool) if self.contract == "2020" else (type(None),)
        if type(outcome.value) not in allowed:
            fail("shutdown-returns", self.executor, f"shutdown() returned {short_repr(outcome.value)}")

    @rule()
    @_noting_failure
    def inspect_finished_tasks(self) -> None:
        """Every future already resolved has the outcome the contract says (always available)."""
        for record in self.records:
            if record.future.done():
                self._check_resolution(record)

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    @_noting_failure
    def tasks_hold_every_future(self) -> None:
        """``tasks`` maps a unique id to each returned future (today's contract: while it is pending)."""
        if self.tracks_tasks and not self.shut:
            tasks = _read_tasks(self.executor, self.timeout)
            for record in self.records:
                _check_tracked(
                    self.executor,
                    tasks,
                    record.future,
                    str(record),
                    tracks_completed=self.tracks_completed_tasks,
                    timeout=self.timeout,
                )

    @invariant()
    @_noting_failure
    def bad_state_flags(self) -> None:
        """``bad_state_is_set`` and ``executor_exception`` say whether, and why, the executor is bad."""
        if not self.supports_bad_state or self.shut:
            return
        is_set = _read(self.executor, "bad_state_is_set", "bad-state-flags", self.timeout)
        if self.bad_exc is None:
            if is_set is not False:
                fail(
                    "bad-state-flags",
                    self.executor,
                    f"bad_state_is_set is {short_repr(is_set)} before any bad state was set",
                )
            return
        if is_set is not True:
            fail(
                "bad-state-flags",
                self.executor,
                f"bad_state_is_set is {short_repr(is_set)} after set_bad_state_and_fail_all(exc)",
            )
        recorded = _read(self.executor, "executor_exception", "bad-state-flags", self.timeout)
        if recorded is not self.bad_exc:
            fail(
                "bad-state-flags",
                self.executor,
                f"executor_exception is {short_repr(recorded)}, not the exception passed",
            )

    # --- the end of a run ------------------------------------------------------------------------

    def teardown(self) -> None:
        """Shut down (if no step did) and check how every future resolved."""
        try:
            if self.broken:
                return
            if not self.shut:
                self.shutdown()
            for record in self.records:
                self._check_resolution(record)
        finally:
            self.gate.open()
            if self.broken and not self.shut:
                # A step already failed; a hanging shutdown must not replace that failure.
                with contextlib.suppress(BehaviourError):
                    shutdown_quietly(self.executor, timeout=self.timeout)

    def _check_resolution(self, record: _Record) -> None:
        future = record.future
        wait = self.timeout if (self.shutdown_resolves_pending or not record.pending_at_shutdown) else 0.0
        if not resolve_within(future, wait):
            if self.shutdown_resolves_pending or not record.pending_at_shutdown:
                rule = "shutdown-resolves-pending" if record.pending_at_shutdown else "submit-result"
                fail(rule, self.executor, unresolved(str(record), future, wait, "after shutdown() returned"))
            return
        error = None if future.cancelled() else future.exception(timeout=0)
        carried = error is not None and self.bad_exc is not None and carries(error, self.bad_exc)
        if record.after_bad or record.strict_at_bad:
            if not carried:
                rule = "bad-state-fails-later" if record.after_bad else "bad-state-fails-pending"
                fail(
                    rule,
                    self.executor,
                    f"{record} {_outcome_text(future)} instead of failing with the bad-state exception",
                )
            return
        if carried and record.pending_at_bad:
            return
        if future.cancelled():
            if not record.pending_at_shutdown:
                fail("submit-result", self.executor, f"{record} was cancelled, though nobody cancelled it")
            return
        if record.kind == "raise":
            exc_type, message = record.expected
            if error is not None and type(error) is exc_type and message in _text(error):
                return
            if error is not None and record.pending_at_shutdown:
                return
            fail(
                "exception-propagates",
                self.executor,
                f"{record} raised {exc_type.__name__}({message!r}) but {_outcome_text(future)}",
            )
        if error is not None:
            if record.pending_at_shutdown:
                return
            fail(
                "submit-result",
                self.executor,
                f"{record} {_outcome_text(future)}; expected {short_repr(record.expected)}",
            )
        result = future.result(timeout=0)
        if result != record.expected:
            fail(
                "submit-result",
                self.executor,
                f"{record} completed with {short_repr(result)}; expected {short_repr(record.expected)}",
            )


#: What the kit's property tests and state machines share: a failure is reported as found, not
#: shrunk (each replay would wait for a broken executor again; pass settings with ``Phase.shrink``
#: for the shortest failing example), and no deadline (executors have their own latencies; every
#: call is bounded by the kit's timeout instead).
UNSHRUNK = settings(deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate], report_multiple_bugs=False)

#: Settings :func:`run_state_machine` uses unless given others: small, and :data:`UNSHRUNK`.
DEFAULT_STATE_MACHINE_SETTINGS = settings(
    UNSHRUNK,
    max_examples=10,
    stateful_step_count=10,
    suppress_health_check=[HealthCheck.too_slow],
)


def make_state_machine(
    factory: Callable[[], Any],
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
    supports_bad_state: Optional[bool] = None,
    supports_scaling: Optional[bool] = None,
    reports_status: Optional[bool] = None,
    tracks_tasks: Optional[bool] = None,
    tracks_completed_tasks: Optional[bool] = None,
    shutdown_resolves_pending: bool = True,
) -> Type[ExecutorStateMachine]:
    """Return an :class:`ExecutorStateMachine` subclass bound to ``factory`` (a callable making a started executor).

    Capabilities left ``None`` default to true under the 2020 contract and,
    under today's, to whether each new executor has the members
    (``set_bad_state_and_fail_all``, ``scale_out_facade``, ``status``,
    ``tasks``); ``tracks_completed_tasks`` defaults to true for 2020 only.
    Run it with ``hypothesis.stateful.run_state_machine_as_test`` or expose
    ``.TestCase`` to unittest/pytest.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    if not callable(factory):
        raise TypeError(f"factory must be a callable returning a started executor, got {short_repr(factory)}")
    caps: Dict[str, Optional[bool]] = {
        "supports_bad_state": supports_bad_state,
        "supports_scaling": supports_scaling,
        "reports_status": reports_status,
        "tracks_tasks": tracks_tasks,
        "tracks_completed_tasks": tracks_completed_tasks,
        "shutdown_resolves_pending": shutdown_resolves_pending,
    }
    name = f"ExecutorStateMachine_{getattr(factory, '__name__', 'factory')}"
    namespace: Dict[str, Any] = {
        "factory": staticmethod(factory),
        "contract": contract,
        "timeout": timeout,
        "capabilities": caps,
    }
    return type(name, (ExecutorStateMachine,), namespace)


def run_state_machine(
    factory: Callable[[], Any],
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
    settings: Optional[settings] = None,
    **capabilities: Optional[bool],
) -> None:
    """Run the state machine for ``factory`` (see :func:`make_state_machine`); raise on the first broken rule.

    ``settings`` default to :data:`DEFAULT_STATE_MACHINE_SETTINGS` (10 runs of
    up to 10 steps, stopping at the first failure).  A failure is a
    ``BehaviourError`` naming the rule, after hypothesis has printed the
    sequence of steps that broke it.  The time the executor may hang, over all
    runs, is :data:`~._bounded.BUDGET_FACTOR` times ``timeout`` (shared with
    the test class, inside the suite).
    """
    machine = make_state_machine(factory, contract=contract, timeout=timeout, **capabilities)  # type: ignore[arg-type]
    # All runs and steps share one budget for the time the executor hangs (see _bounded).
    _run_budgeted(machine, settings or DEFAULT_STATE_MACHINE_SETTINGS, timeout=timeout)


@budgeted
def _run_budgeted(machine: Type[ExecutorStateMachine], chosen: settings, *, timeout: float) -> None:
    # hypothesis documents the factory as anything that returns a machine; its annotation says a class.
    run_state_machine_as_test(_machine_factory(machine), settings=chosen)  # type: ignore[arg-type]


def _machine_factory(machine: Type[ExecutorStateMachine]) -> Callable[[], ExecutorStateMachine]:
    """What hypothesis is given to make ``machine``: a partial that has no source, named as ``machine``.

    hypothesis keys its example database by the factory's source, found with
    :func:`inspect.getsource`.  A class made at run time has none: before
    Python 3.13 the lookup parses this whole module with :mod:`ast` and then
    fails, on every run, while the executor's threads are running; and on
    CPython 3.11 and 3.12 releases before the fix of CPython issue 106905 a
    parse that races another thread's parse can raise ``SystemError``.  A
    partial fails the lookup at once, so the key is the machine's name, as it
    was.
    """
    factory = functools.partial(machine)
    factory.__name__ = machine.__name__  # type: ignore[attr-defined]
    return factory
