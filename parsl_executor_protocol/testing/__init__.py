"""Behavioural conformance kit: does an executor *do* what its contract says?

Three layers, each usable on its own:

* plain check functions (``check_submit_result``, ``check_bad_state_fails_pending_and_later``, ...)
  that raise an ``AssertionError`` (:class:`~parsl_executor_protocol.errors.BehaviourError`)
  naming the broken rule, usable without any test framework;
* a hypothesis state machine (:func:`run_state_machine`) interleaving submit, status,
  scaling, bad state and shutdown;
* a pytest suite to subclass: :class:`AbstractExecutorTests` (the 2020 contract) and
  :class:`AbstractCurrentExecutorTests` (today's Parsl).

Every call into the executor is bounded by a timeout, so a broken executor fails a
check instead of hanging it.  Importing this package is cheap: the names below
are loaded from their modules on first use (the suite and the state machine
import pytest and hypothesis).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

__all__ = [
    "BUDGET_FACTOR",
    "CONTRACTS",
    "DEFAULT_STATE_MACHINE_SETTINGS",
    "DEFAULT_TIMEOUT",
    "DEFAULT_UNSUPPORTED_RESOURCE_KEY",
    "RULES",
    "AbstractCurrentExecutorTests",
    "AbstractExecutorTests",
    "BehaviourError",
    "Contract",
    "ExecutorStateMachine",
    "KitError",
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
    "echo",
    "job_status_problem",
    "make_state_machine",
    "run_state_machine",
    "shutdown_executor",
    "start_executor",
    "started",
    "submit",
]

_LAZY: dict[str, str] = {
    "CONTRACTS": "._rules",
    "Contract": "._rules",
    "RULES": "._rules",
    "BehaviourError": "..errors",
    "DEFAULT_TIMEOUT": "._bounded",
    "BUDGET_FACTOR": "._bounded",
    "KitError": "._tasks",
    "echo": "._tasks",
    "start_executor": "._lifecycle",
    "started": "._lifecycle",
    "shutdown_executor": "._lifecycle",
    "DEFAULT_STATE_MACHINE_SETTINGS": "._statemachine",
    "ExecutorStateMachine": "._statemachine",
    "make_state_machine": "._statemachine",
    "run_state_machine": "._statemachine",
    "AbstractExecutorTests": "._suite",
    "AbstractCurrentExecutorTests": "._suite",
}
_LAZY.update(dict.fromkeys([name for name in __all__ if name not in _LAZY], "._checks"))

if TYPE_CHECKING:  # lazy names, typed for static checkers
    from ..errors import BehaviourError
    from ._bounded import BUDGET_FACTOR, DEFAULT_TIMEOUT
    from ._checks import (
        DEFAULT_UNSUPPORTED_RESOURCE_KEY,
        ShutdownReport,
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
        check_structure,
        check_submit_result,
        check_tasks_tracks_every_future,
        check_unsupported_resources_rejected,
        default_assignable_members,
        job_status_problem,
        submit,
    )
    from ._lifecycle import shutdown_executor, start_executor, started
    from ._rules import CONTRACTS, RULES, Contract
    from ._statemachine import (
        DEFAULT_STATE_MACHINE_SETTINGS,
        ExecutorStateMachine,
        make_state_machine,
        run_state_machine,
    )
    from ._suite import AbstractCurrentExecutorTests, AbstractExecutorTests
    from ._tasks import KitError, echo


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    try:
        module = importlib.import_module(module_name, __name__)
    except ModuleNotFoundError as exc:
        if exc.name not in ("hypothesis", "pytest"):
            raise
        from ..errors import MissingExtraError

        raise MissingExtraError(
            f"parsl_executor_protocol.testing.{name} needs {exc.name}: pip install 'parsl-executor-protocol[testing]'",
            extra="testing",
            package=exc.name,
        ) from exc
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
