"""Behavioural checks: plain functions that raise ``AssertionError`` naming the rule an executor broke.

Each check drives a started executor through one rule of its contract and
returns something useful (a result, a report) when the rule holds.  They need
no test framework; the pytest suite only calls them.  Every call into the
executor and every wait on a future is bounded by ``timeout`` seconds (see
:mod:`._bounded`).
"""

from __future__ import annotations

import inspect
import os
import tempfile
import threading
import uuid
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Type, Union

from ..protocols._contracts import EXECUTOR_CONTRACTS, contract_protocol, validate_contract
from ._bounded import (
    DEFAULT_TIMEOUT,
    Gate,
    Outcome,
    budgeted,
    call_within,
    get_within,
    resolve_within,
    unresolved,
)
from ._rules import DEFAULT_KIT_CONTRACT, Contract, fail, short_repr
from ._tasks import KitError, echo, raise_error, wait_at_gate

__all__ = [
    "DEFAULT_UNSUPPORTED_RESOURCE_KEY",
    "ShutdownReport",
    "carries",
    "check_assignable_members_round_trip",
    "check_bad_state_fails_pending_and_later",
    "check_empty_resource_specification_runs",
    "check_exception_propagates",
    "check_label",
    "check_scaling_enabled_consistent",
    "check_scaling_returns_lists",
    "check_shutdown_resolves_pending",
    "check_status_reports_blocks",
    "check_structure",
    "check_submit_result",
    "check_tasks_tracks_every_future",
    "check_unsupported_resources_rejected",
    "default_assignable_members",
    "job_status_problem",
    "submit",
]

#: The resource-specification key :func:`check_unsupported_resources_rejected` uses by default:
#: no executor supports it.
DEFAULT_UNSUPPORTED_RESOURCE_KEY = "parsl_executor_protocol_unsupported_key"

#: Seconds a future missing from ``tasks`` has to resolve in to count as a task that just completed.
_UNTRACKED_RESOLVES_WITHIN = 2.0


# --- helpers shared by the checks ----------------------------------------------------------------


def submit(
    executor: Any,
    func: Callable[..., Any],
    args: Sequence[Any] = (),
    kwargs: Optional[Mapping[str, Any]] = None,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    resource_specification: Optional[Dict[str, Any]] = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Outcome[Any]:
    """Submit ``func(*args, **kwargs)`` the way ``contract`` says, bounded by ``timeout``.

    Today's contract passes ``resource_specification`` (``{}`` by default) as
    ``submit``'s second argument, as the DataFlowKernel does.  Returns the
    outcome of the ``submit`` call itself: the future, or what it raised.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    kwargs = dict(kwargs or {})
    if contract == "current":
        spec = {} if resource_specification is None else resource_specification
        return call_within(
            timeout, "submit-returns-future", executor, "submit()", executor.submit, func, spec, *args, **kwargs
        )
    if resource_specification is not None:
        raise ValueError("the 2020 contract's submit() takes no resource_specification; pass contract='current'")
    return call_within(timeout, "submit-returns-future", executor, "submit()", executor.submit, func, *args, **kwargs)


def _future_of(executor: Any, outcome: Outcome[Any], rule: str, what: str) -> Future[Any]:
    if outcome.error is not None:
        fail(rule, executor, f"{what} raised {type(outcome.error).__name__}: {outcome.error}")
    if not isinstance(outcome.value, Future):
        fail(
            "submit-returns-future",
            executor,
            f"{what} returned {short_repr(outcome.value)} ({type(outcome.value).__qualname__}), "
            "not a concurrent.futures.Future (Parsl asserts it is one)",
        )
    return outcome.value


def _submit_future(
    executor: Any,
    func: Callable[..., Any],
    args: Sequence[Any],
    kwargs: Optional[Mapping[str, Any]],
    *,
    contract: Contract,
    timeout: float,
    rule: str = "submit-returns-future",
) -> Future[Any]:
    outcome = submit(executor, func, args, kwargs, contract=contract, timeout=timeout)
    return _future_of(executor, outcome, rule, f"submit({getattr(func, '__name__', func)!s}, ...)")


def _wait(executor: Any, future: Future[Any], timeout: float, rule: str, what: str) -> None:
    if not resolve_within(future, timeout):
        fail(rule, executor, unresolved(what, future, timeout, "later"))


def carries(error: BaseException, exc: BaseException) -> bool:
    """Whether ``error`` is ``exc`` or carries it.

    Carrying means: ``exc`` is reachable from ``error`` through ``__cause__``,
    ``__context__``, ``args`` or instance attributes (Parsl's wrappers keep it
    in one of these), or ``str(exc)`` appears in the message of one of the
    exceptions reached (Parsl's ``BadStateException`` keeps only the text;
    an exception that crossed a process boundary is a copy).
    """
    reached: List[BaseException] = []
    stack = [error]
    while stack:
        current = stack.pop()
        if any(current is seen for seen in reached):
            continue
        if current is exc:
            return True
        reached.append(current)
        linked: List[object] = [current.__cause__, current.__context__, *current.args]
        linked.extend(getattr(current, "__dict__", {}).values())
        stack.extend(item for item in linked if isinstance(item, BaseException))
    text = _text(exc)
    return bool(text) and any(text in _text(seen) for seen in reached)


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # a broken __str__ carries nothing
        return ""


def _outcome_text(future: Future[Any]) -> str:
    if future.cancelled():
        return "was cancelled"
    error = future.exception(timeout=0)
    if error is not None:
        return f"failed with {type(error).__name__}: {short_repr(_text(error))}"
    return f"completed with result {short_repr(future.result(timeout=0))}"


def _read(executor: Any, name: str, rule: str, timeout: float) -> Any:
    if not _has_member(executor, name):
        fail(rule, executor, f"it has no member {name!r}")
    return get_within(timeout, rule, executor, f"reading {name}", getattr, executor, name)


def _call(executor: Any, name: str, rule: str, timeout: float, *args: Any) -> Any:
    method = _read(executor, name, rule, timeout)
    shown = ", ".join(repr(arg) for arg in args)
    return get_within(timeout, rule, executor, f"{name}({shown})", method, *args)


def _has_member(executor: Any, name: str) -> bool:
    # Without running getters: a property or a blocking __getattr__ must not run here.
    try:
        inspect.getattr_static(executor, name)
    except AttributeError:
        return hasattr(type(executor), "__getattr__") and hasattr(executor, name)
    return True


def _task_ids(tasks: Mapping[Any, Any], future: Future[Any]) -> List[Any]:
    return [key for key, value in list(tasks.items()) if value is future]


# --- label and assignable members ----------------------------------------------------------------


@budgeted
def check_label(executor: Any, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Rule ``label``: ``label`` is a non-empty string.  Returns the label."""
    label = _read(executor, "label", "label", timeout)
    if not isinstance(label, str):
        fail("label", executor, f"label is {short_repr(label)} ({type(label).__qualname__}), not a str")
    if not label.strip():
        fail("label", executor, f"label is {label!r}, an empty or blank string")
    return label


_MISSING = object()


def _round_trip_values(member: str, original: Any) -> List[Any]:
    if member == "run_dir":
        base = original if isinstance(original, str) and original else tempfile.gettempdir()
        return [os.path.join(os.path.abspath(base), "parsl-executor-protocol-round-trip")]
    if member == "hub_address":
        return ["127.0.0.1", None]
    if member == "hub_port":
        return [55055, None]
    if member == "run_id":
        return [f"parsl-executor-protocol-{uuid.uuid4()}"]
    if member == "log_config":
        # Parsl assigns its LogConfig or None; anything else could trip a typed setter.
        return [None] if original is None else [None, original]
    return [f"parsl-executor-protocol-{member}"]


def default_assignable_members(contract: Contract) -> Tuple[str, ...]:
    """The members Parsl assigns under ``contract``.

    2020: ``hub_address``, ``hub_port``, ``run_dir``; today: ``run_dir``, ``run_id``, ``log_config``.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    return ("hub_address", "hub_port", "run_dir") if contract == "2020" else ("run_dir", "run_id", "log_config")


@budgeted
def check_assignable_members_round_trip(
    executor: Any,
    members: Union[Iterable[str], Mapping[str, Sequence[Any]], None] = None,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """Rule ``assignable-round-trip``: each member Parsl assigns reads back what was assigned.

    ``members`` defaults to the contract's (see :func:`default_assignable_members`);
    a mapping gives the values to assign to each member.  Every member is
    restored to its original value afterwards.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    if members is None:
        members = default_assignable_members(contract)
    plan: Dict[str, Optional[Sequence[Any]]] = (
        {name: list(values) for name, values in members.items()}
        if isinstance(members, Mapping)
        else {name: None for name in members}
    )
    rule = "assignable-round-trip"
    for member, values in plan.items():
        if not _has_member(executor, member):
            fail(rule, executor, f"it has no member {member!r}, which Parsl assigns")
        original = _read(executor, member, rule, timeout)
        try:
            for value in values if values is not None else _round_trip_values(member, original):
                outcome = call_within(timeout, rule, executor, f"assigning {member}", setattr, executor, member, value)
                if outcome.error is not None:
                    fail(
                        rule,
                        executor,
                        f"assigning {member} = {value!r} raised {type(outcome.error).__name__}: {outcome.error}",
                    )
                found = get_within(timeout, rule, executor, f"reading {member}", getattr, executor, member)
                if not (found is value or (value is not None and type(value) in (str, int) and found == value)):
                    fail(
                        rule,
                        executor,
                        f"{member} was assigned {short_repr(value)} but reads back {short_repr(found)}",
                    )
        finally:
            call_within(timeout, rule, executor, f"restoring {member}", setattr, executor, member, original)


# --- submit, results and exceptions --------------------------------------------------------------


@budgeted
def check_submit_result(
    executor: Any,
    func: Callable[..., Any] = echo,
    args: Sequence[Any] = (),
    kwargs: Optional[Mapping[str, Any]] = None,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
) -> Any:
    """Rules ``submit-returns-future`` and ``submit-result``: the future's result equals ``func(*args, **kwargs)``.

    ``func`` must return normally, and must be picklable for executors that
    run tasks in other processes (the default, ``echo``, returns its
    arguments).  Returns the result.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    try:
        expected = func(*args, **(kwargs or {}))
    except Exception as exc:
        raise ValueError(
            f"check_submit_result needs a func that returns normally; it raised {type(exc).__name__}: {exc} "
            "(check_exception_propagates checks raising tasks)"
        ) from exc
    future = _submit_future(executor, func, args, kwargs, contract=contract, timeout=timeout)
    _wait(executor, future, timeout, "submit-result", "the task's future")
    if future.cancelled() or future.exception(timeout=0) is not None:
        fail(
            "submit-result",
            executor,
            f"expected result {short_repr(expected)}, but the future {_outcome_text(future)}",
        )
    result = future.result(timeout=0)
    if result != expected:
        fail("submit-result", executor, f"expected result {short_repr(expected)}, found {short_repr(result)}")
    return result


@budgeted
def check_exception_propagates(
    executor: Any,
    exc_type: Type[BaseException] = KitError,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
) -> BaseException:
    """Rule ``exception-propagates``: an exception raised by the task arrives through the future, type intact.

    ``exc_type`` must accept one message argument (and be importable by the
    workers of process-based executors).  Returns the exception that arrived.
    """
    message = f"raised on purpose by parsl-executor-protocol {uuid.uuid4().hex[:8]}"
    future = _submit_future(
        executor,
        raise_error,
        (exc_type, message),
        None,
        contract=contract,
        timeout=timeout,
        rule="exception-propagates",
    )
    _wait(executor, future, timeout, "exception-propagates", f"the future of a task raising {exc_type.__name__}")
    if future.cancelled():
        fail("exception-propagates", executor, f"the future of a task raising {exc_type.__name__} was cancelled")
    error = future.exception(timeout=0)
    if error is None:
        fail(
            "exception-propagates",
            executor,
            f"the task raised {exc_type.__name__}({message!r}) but its future completed with result "
            f"{short_repr(future.result(timeout=0))}: the exception was swallowed",
        )
    if type(error) is not exc_type:
        fail(
            "exception-propagates",
            executor,
            f"the task raised {exc_type.__qualname__} but its future failed with {type(error).__qualname__}: "
            f"{short_repr(_text(error))}",
        )
    if message not in _text(error):
        fail(
            "exception-propagates",
            executor,
            f"the task raised {exc_type.__name__}({message!r}) but the exception that arrived says "
            f"{short_repr(_text(error))}",
        )
    return error


# --- tasks ---------------------------------------------------------------------------------------


def _check_tracked(
    executor: Any, tasks: Mapping[Any, Any], future: Future[Any], which: str, *, tracks_completed: bool, timeout: float
) -> None:
    ids = _task_ids(tasks, future)
    if len(ids) > 1:
        fail("tasks-tracks-every-future", executor, f"{which} appears under {len(ids)} task ids: {ids!r}")
    if ids:
        return
    if tracks_completed:
        fail("tasks-tracks-every-future", executor, f"{which} is missing from tasks ({len(tasks)} entries)")
    # A task may leave `tasks` just before its future is resolved (Parsl's HighThroughputExecutor
    # pops it first), so a missing future must resolve promptly to count as completed.
    if not resolve_within(future, min(timeout, _UNTRACKED_RESOLVES_WITHIN)):
        fail(
            "tasks-tracks-every-future",
            executor,
            f"{which} is still pending but missing from tasks ({len(tasks)} entries)",
        )


def _read_tasks(executor: Any, timeout: float) -> Mapping[Any, Any]:
    tasks = _read(executor, "tasks", "tasks-tracks-every-future", timeout)
    if not isinstance(tasks, Mapping) and not (hasattr(tasks, "items") and hasattr(tasks, "__len__")):
        fail("tasks-tracks-every-future", executor, f"tasks is {short_repr(tasks)}, not a mapping of id to Future")
    return dict(get_within(timeout, "tasks-tracks-every-future", executor, "reading tasks.items()", tasks.items))


@budgeted
def check_tasks_tracks_every_future(
    executor: Any,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
    tracks_completed: Optional[bool] = None,
    count: int = 3,
) -> Mapping[Any, Future[Any]]:
    """Rule ``tasks-tracks-every-future``: ``tasks`` maps a unique id to the very Future ``submit`` returned.

    Submits ``count`` tasks held pending at a gate and ``count`` quick ones.
    ``tracks_completed`` (default: true for the 2020 contract, false for
    today's, whose executors drop finished tasks) also requires finished tasks
    to stay.  Returns the ids found, mapped to their futures.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    keep = contract == "2020" if tracks_completed is None else tracks_completed
    found: Dict[Any, Future[Any]] = {}
    with Gate() as gate:
        futures: List[Tuple[str, Future[Any]]] = []
        for index in range(count):
            gated = _submit_future(
                executor, wait_at_gate, gate.task_args(timeout, index), None, contract=contract, timeout=timeout
            )
            futures.append((f"the future of pending task #{index}", gated))
            _check_tracked(
                executor, _read_tasks(executor, timeout), gated, futures[-1][0], tracks_completed=keep, timeout=timeout
            )
            quick = _submit_future(executor, echo, (index,), None, contract=contract, timeout=timeout)
            futures.append((f"the future of quick task #{index}", quick))
            _check_tracked(
                executor, _read_tasks(executor, timeout), quick, futures[-1][0], tracks_completed=keep, timeout=timeout
            )
        tasks = _read_tasks(executor, timeout)
        for which, future in futures:
            _check_tracked(executor, tasks, future, which, tracks_completed=keep, timeout=timeout)
            found.update({key: future for key in _task_ids(tasks, future)})
        gate.open()
        for which, future in futures:
            _wait(executor, future, timeout, "submit-result", which)
    if keep:
        tasks = _read_tasks(executor, timeout)
        for which, future in futures:
            _check_tracked(executor, tasks, future, f"{which} (now completed)", tracks_completed=True, timeout=timeout)
    return found


# --- bad state -----------------------------------------------------------------------------------


@budgeted
def check_bad_state_fails_pending_and_later(
    executor: Any,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
    pending: int = 2,
) -> BaseException:
    """Rules ``bad-state-flags``, ``bad-state-fails-pending`` and ``bad-state-fails-later``.

    Submits ``pending`` tasks held at a gate, calls
    ``set_bad_state_and_fail_all(exc)``, and checks that the flags say so,
    that every pending future fails with ``exc`` (or an exception carrying it,
    see :func:`carries`) and that a later submission fails the same way.  The
    executor is left in bad state.  Returns ``exc``.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    exc = KitError(f"bad state set on purpose by parsl-executor-protocol {uuid.uuid4().hex[:8]}")
    with Gate() as gate:
        futures = [
            _submit_future(
                executor, wait_at_gate, gate.task_args(timeout, index), None, contract=contract, timeout=timeout
            )
            for index in range(pending)
        ]
        pending_futures = [future for future in futures if not future.done()]
        _call(executor, "set_bad_state_and_fail_all", "bad-state-flags", timeout, exc)
        is_set = _read(executor, "bad_state_is_set", "bad-state-flags", timeout)
        if is_set is not True:
            fail(
                "bad-state-flags",
                executor,
                f"bad_state_is_set is {short_repr(is_set)} after set_bad_state_and_fail_all(exc)",
            )
        recorded = _read(executor, "executor_exception", "bad-state-flags", timeout)
        same = recorded is exc  # not in the `if`: mypy would narrow `exc` to `recorded`'s type, Any
        if not same:
            fail(
                "bad-state-flags",
                executor,
                f"executor_exception is {short_repr(recorded)}, not the exception passed to set_bad_state_and_fail_all",
            )
        for index, future in enumerate(pending_futures):
            which = f"pending future #{index}"
            if not resolve_within(future, timeout):
                fail(
                    "bad-state-fails-pending",
                    executor,
                    unresolved(which, future, timeout, "after set_bad_state_and_fail_all(exc) returned"),
                )
            error = None if future.cancelled() else future.exception(timeout=0)
            if error is None or not carries(error, exc):
                fail(
                    "bad-state-fails-pending", executor, f"{which} {_outcome_text(future)} instead of failing with exc"
                )
    later = submit(executor, echo, ("after bad state",), None, contract=contract, timeout=timeout)
    if later.error is not None:
        if not carries(later.error, exc):
            fail(
                "bad-state-fails-later",
                executor,
                f"submit() after bad state raised {type(later.error).__name__}: {short_repr(_text(later.error))}, "
                "which does not carry exc",
            )
        return exc
    future = _future_of(executor, later, "bad-state-fails-later", "submit() after bad state")
    _wait(executor, future, timeout, "bad-state-fails-later", "the future of a task submitted after bad state")
    error = None if future.cancelled() else future.exception(timeout=0)
    if error is None or not carries(error, exc):
        fail(
            "bad-state-fails-later",
            executor,
            f"a task submitted after bad state {_outcome_text(future)} instead of failing with exc",
        )
    return exc


# --- scaling and status --------------------------------------------------------------------------


def _scaling_names(contract: Contract) -> Tuple[str, str]:
    return ("scale_out", "scale_in") if contract == "2020" else ("scale_out_facade", "scale_in_facade")


def _block_ids(executor: Any, result: Any, what: str) -> List[Any]:
    if type(result) is not list:
        fail(
            "scaling-returns-lists",
            executor,
            f"{what} returned {short_repr(result)} ({type(result).__qualname__}), not a list",
        )
    for block_id in result:
        try:
            hash(block_id)
        except TypeError:
            fail("scaling-returns-lists", executor, f"{what} returned an unhashable block id {short_repr(block_id)}")
    return list(result)


def job_status_problem(status: object) -> Optional[str]:
    """What keeps ``status`` from being a job status (Parsl's ``JobStatus`` shape), or ``None``."""
    state = getattr(status, "state", _MISSING)
    if state is _MISSING:
        return "it has no 'state'"
    if not isinstance(getattr(state, "name", None), str):
        return f"its state {short_repr(state)} has no str 'name'"
    if not isinstance(getattr(state, "value", None), int):
        return f"its state {short_repr(state)} has no int 'value'"
    if not isinstance(getattr(status, "terminal", None), bool):
        return "it has no bool 'terminal'"
    if not isinstance(getattr(status, "status_name", None), str):
        return "it has no str 'status_name'"
    message = getattr(status, "message", _MISSING)
    if message is not None and not isinstance(message, str):
        return "its 'message' is neither None nor a str"
    return None


def _status(executor: Any, timeout: float) -> Dict[Any, Any]:
    status = _call(executor, "status", "status-reports-blocks", timeout)
    if not isinstance(status, Mapping):
        fail("status-reports-blocks", executor, f"status() returned {short_repr(status)}, not a mapping")
    status = dict(status)
    for block_id, value in status.items():
        problem = job_status_problem(value)
        if problem is not None:
            fail(
                "status-reports-blocks",
                executor,
                f"status() reports block {block_id!r} as {short_repr(value)}, not a job status: {problem}",
            )
    return status


@budgeted
def check_scaling_returns_lists(
    executor: Any, *, contract: Contract = DEFAULT_KIT_CONTRACT, timeout: float = DEFAULT_TIMEOUT, blocks: int = 1
) -> Tuple[List[Any], List[Any]]:
    """Rule ``scaling-returns-lists``: scaling out and back in returns lists of block ids.

    Scales out by ``blocks`` and back in by as many blocks as were added (the
    2020 contract's ``scale_out``/``scale_in``; today's ``scale_out_facade`` /
    ``scale_in_facade``, which Parsl's scaling strategy calls).  Blocks scaled
    in must be blocks the executor knew.  Returns ``(added, removed)``.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    out_name, in_name = _scaling_names(contract)
    known_before = (
        set(_call(executor, "status", "scaling-returns-lists", timeout) or ())
        if _has_member(executor, "status")
        else set()
    )
    added = _block_ids(
        executor, _call(executor, out_name, "scaling-returns-lists", timeout, blocks), f"{out_name}({blocks})"
    )
    if len(added) > blocks:
        fail("scaling-returns-lists", executor, f"{out_name}({blocks}) returned {len(added)} block ids: {added!r}")
    zero = _block_ids(executor, _call(executor, out_name, "scaling-returns-lists", timeout, 0), f"{out_name}(0)")
    if zero:
        fail("scaling-returns-lists", executor, f"{out_name}(0) returned block ids {zero!r}; it should add none")
    removed = _block_ids(
        executor, _call(executor, in_name, "scaling-returns-lists", timeout, len(added)), f"{in_name}({len(added)})"
    )
    unknown = [block_id for block_id in removed if block_id not in known_before and block_id not in added]
    if unknown:
        fail("scaling-returns-lists", executor, f"{in_name}({len(added)}) returned unknown block ids {unknown!r}")
    return added, removed


@budgeted
def check_status_reports_blocks(
    executor: Any, *, contract: Contract = DEFAULT_KIT_CONTRACT, timeout: float = DEFAULT_TIMEOUT, scale: bool = True
) -> Dict[Any, Any]:
    """Rule ``status-reports-blocks``: ``status()`` maps every known block id to a job status.

    With ``scale`` it scales out by one block, checks that ``status()`` reports
    the new block, and scales back in.  Returns the status that reported it.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    status = _status(executor, timeout)
    if not scale:
        return status
    out_name, in_name = _scaling_names(contract)
    added = _block_ids(executor, _call(executor, out_name, "status-reports-blocks", timeout, 1), f"{out_name}(1)")
    try:
        status = _status(executor, timeout)
        missing = [block_id for block_id in added if block_id not in status]
        if missing:
            fail(
                "status-reports-blocks",
                executor,
                f"{out_name}(1) added block(s) {missing!r} but status() does not report them "
                f"(it reports {sorted(map(repr, status))})",
            )
    finally:
        if added:
            _call(executor, in_name, "status-reports-blocks", timeout, len(added))
    return status


@budgeted
def check_scaling_enabled_consistent(executor: Any, *, timeout: float = DEFAULT_TIMEOUT) -> bool:
    """Rule ``scaling-enabled-consistent`` (2020 contract): ``scaling_enabled`` says whether scaling adds blocks.

    If true, ``scale_out(1)`` adds one block that ``status()`` reports; if false,
    ``scale_out(1)`` adds none (returning ``[]`` or raising) and ``status()``
    gains no block.  Scales back in afterwards.  Returns ``scaling_enabled``.
    """
    rule = "scaling-enabled-consistent"
    enabled = _read(executor, "scaling_enabled", rule, timeout)
    if not isinstance(enabled, bool):
        fail(rule, executor, f"scaling_enabled is {short_repr(enabled)}, not a bool")
    before = set(_status(executor, timeout))
    outcome = call_within(timeout, rule, executor, "scale_out(1)", executor.scale_out, 1)
    added = [] if outcome.error is not None or type(outcome.value) is not list else list(outcome.value)
    try:
        new = set(_status(executor, timeout)) - before
        if enabled:
            if outcome.error is not None:
                fail(
                    rule,
                    executor,
                    f"scaling_enabled is True but scale_out(1) raised {type(outcome.error).__name__}: {outcome.error}",
                )
            if len(added) != 1 or added[0] not in new:
                fail(
                    rule,
                    executor,
                    f"scaling_enabled is True but scale_out(1) returned {short_repr(outcome.value)} "
                    f"and status() gained blocks {sorted(map(repr, new))}",
                )
        elif added or new:
            fail(
                rule,
                executor,
                f"scaling_enabled is False but scale_out(1) returned {short_repr(outcome.value)} "
                f"and status() gained blocks {sorted(map(repr, new))}",
            )
    finally:
        if added:
            call_within(timeout, rule, executor, f"scale_in({len(added)})", executor.scale_in, len(added))
    return enabled


# --- shutdown ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShutdownReport:
    """What :func:`check_shutdown_resolves_pending` saw.

    ``returned`` is what ``shutdown()`` returned; the counts classify the
    futures of the tasks submitted just before it (``unresolved`` is non-zero
    only when ``resolves_pending`` was false).
    """

    returned: object
    completed: int
    failed: int
    cancelled: int
    unresolved: int


@budgeted
def check_shutdown_resolves_pending(
    executor: Any,
    *,
    contract: Contract = DEFAULT_KIT_CONTRACT,
    timeout: float = DEFAULT_TIMEOUT,
    count: int = 3,
    resolves_pending: bool = True,
) -> ShutdownReport:
    """Rules ``shutdown-returns`` and ``shutdown-resolves-pending``.

    Submits ``count`` tasks, calls ``shutdown()`` at once and checks that it
    returns within ``timeout`` with ``None`` (or, for the 2020 contract, a
    bool) and, with ``resolves_pending``, that every future is resolved
    (done, failed or cancelled) within ``timeout`` of its return.  A task that
    completed must have the right result.  The executor is shut down
    afterwards.  Returns a :class:`ShutdownReport`.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    with Gate() as gate:
        futures = [
            _submit_future(
                executor, wait_at_gate, gate.task_args(timeout, index), None, contract=contract, timeout=timeout
            )
            for index in range(count)
        ]
        # The tasks are still held when shutdown() starts, and released soon after: an executor may
        # wait for running tasks (Parsl's ThreadPoolExecutor does), and they must not outlive the bound.
        opener = threading.Timer(min(0.1, timeout / 4), gate.open)
        opener.daemon = True
        opener.start()
        try:
            outcome = call_within(timeout, "shutdown-returns", executor, "shutdown()", executor.shutdown)
        finally:
            opener.cancel()
    if outcome.error is not None:
        fail("shutdown-returns", executor, f"shutdown() raised {type(outcome.error).__name__}: {outcome.error}")
    allowed = (type(None), bool) if contract == "2020" else (type(None),)
    if type(outcome.value) not in allowed:
        fail(
            "shutdown-returns",
            executor,
            f"shutdown() returned {short_repr(outcome.value)}; expected "
            + ("a bool or None" if contract == "2020" else "None (today's Parsl ignores anything else)"),
        )
    counts = {"completed": 0, "failed": 0, "cancelled": 0, "unresolved": 0}
    for index, future in enumerate(futures):
        if not resolve_within(future, timeout if resolves_pending else 0):
            if resolves_pending:
                fail(
                    "shutdown-resolves-pending",
                    executor,
                    unresolved(f"the future of task #{index}", future, timeout, "after shutdown() returned"),
                )
            counts["unresolved"] += 1
        elif future.cancelled():
            counts["cancelled"] += 1
        elif future.exception(timeout=0) is not None:
            counts["failed"] += 1
        else:
            if future.result(timeout=0) != index:
                fail(
                    "submit-result",
                    executor,
                    f"task #{index} completed with {short_repr(future.result(timeout=0))}, not {index}",
                )
            counts["completed"] += 1
    return ShutdownReport(returned=outcome.value, **counts)


# --- today's contract: resource specifications ---------------------------------------------------


@budgeted
def check_empty_resource_specification_runs(executor: Any, *, timeout: float = DEFAULT_TIMEOUT) -> Any:
    """Rule ``empty-resource-specification-runs`` (today's contract): ``submit(func, {}, ...)`` runs the task."""
    rule = "empty-resource-specification-runs"
    outcome = submit(executor, echo, (1, "two"), {"three": 3.0}, contract="current", timeout=timeout)
    future = _future_of(executor, outcome, rule, "submit(func, {}, ...)")
    _wait(executor, future, timeout, rule, "the future of a task submitted with {}")
    expected = ((1, "two"), {"three": 3.0})
    if future.cancelled() or future.exception(timeout=0) is not None or future.result(timeout=0) != expected:
        fail(
            rule,
            executor,
            f"a task submitted with an empty specification {_outcome_text(future)}; expected result {expected!r}",
        )
    return future.result(timeout=0)


@budgeted
def check_unsupported_resources_rejected(
    executor: Any, key: str = DEFAULT_UNSUPPORTED_RESOURCE_KEY, *, timeout: float = DEFAULT_TIMEOUT
) -> BaseException:
    """Rule ``unsupported-resources-rejected`` (today's contract): an unsupported key is rejected by name.

    ``submit(func, {key: 1})`` must raise, or return a future that fails, with
    an error whose message names ``key``.  Returns that error.
    """
    rule = "unsupported-resources-rejected"
    what = f"submit(func, {{{key!r}: 1}})"
    outcome = submit(executor, echo, (), None, contract="current", resource_specification={key: 1}, timeout=timeout)
    error: Optional[BaseException]
    if outcome.error is not None:
        error = outcome.error
    else:
        future = _future_of(executor, outcome, rule, what)
        _wait(executor, future, timeout, rule, f"the future of {what}")
        error = None if future.cancelled() else future.exception(timeout=0)
        if error is None:
            fail(rule, executor, f"{what} was accepted silently: its future {_outcome_text(future)}")
    if key not in _text(error):
        fail(
            rule,
            executor,
            f"{what} was rejected with {type(error).__name__}: {short_repr(_text(error))}, "
            f"which does not name the key {key!r}",
        )
    return error


# --- structure (optional, needs parsl_executor_protocol.checking) --------------------------------


def check_structure(executor: Any, protocol: Any = None, *, contract: Contract = DEFAULT_KIT_CONTRACT) -> None:
    """Rule ``structure``: the executor conforms structurally (uses :mod:`parsl_executor_protocol.checking`).

    ``protocol`` defaults to the contract's protocol.  Raises ``ImportError``
    if the runtime checking engine is not available.
    """
    validate_contract(contract, EXECUTOR_CONTRACTS)
    from ..checking import check  # the engine is optional here: imported only when asked for

    if protocol is None:
        protocol = contract_protocol(contract)
    report = check(executor, protocol)
    if not report.ok:
        fail("structure", executor, str(report))
