"""The behavioural rules the kit checks, by id, and the one way a check reports a broken rule."""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, NoReturn, cast

from ..errors import BehaviourError
from ..protocols._contracts import DEFAULT_CONTRACT, EXECUTOR_CONTRACTS, ExecutorContract, validate_contract

__all__ = ["CONTRACTS", "DEFAULT_KIT_CONTRACT", "RULES", "Contract", "describe", "fail", "short_repr"]

#: The contracts a check can hold an executor to, as a type: the vocabulary's ``ExecutorContract``
#: (the 2020 interface text, or today's Parsl).
Contract = ExecutorContract

#: Their names: the vocabulary's ``EXECUTOR_CONTRACTS`` itself.
CONTRACTS = EXECUTOR_CONTRACTS

#: The contract a check holds an executor to when none is named: the vocabulary's ``DEFAULT_CONTRACT``.
DEFAULT_KIT_CONTRACT: Contract = cast(Contract, validate_contract(DEFAULT_CONTRACT, EXECUTOR_CONTRACTS))

#: Every rule, by id, with the one-line statement that failure messages quote.
RULES: Mapping[str, str] = MappingProxyType(
    {
        "label": "label is a non-empty string",
        "start-returns": "start() returns within the time bound",
        "submit-returns-future": "submit() returns a concurrent.futures.Future within the time bound",
        "submit-result": "the future's result equals func(*args, **kwargs)",
        "exception-propagates": "an exception raised by func arrives through the future with its original type",
        "tasks-tracks-every-future": (
            "tasks maps a unique id to the very Future submit() returned, for every submitted task "
            "(under today's contract: at least until the task completes)"
        ),
        "bad-state-flags": (
            "after set_bad_state_and_fail_all(exc), bad_state_is_set is true and executor_exception is exc"
        ),
        "bad-state-fails-pending": (
            "every future pending when set_bad_state_and_fail_all(exc) is called fails with exc "
            "or an exception that carries it"
        ),
        "bad-state-fails-later": (
            "every submission after set_bad_state_and_fail_all(exc) fails, raised or through its future, "
            "with exc or an exception that carries it"
        ),
        "scaling-returns-lists": (
            "scale_out(n) and scale_in(n) (today: scale_out_facade, scale_in_facade) return lists of block ids"
        ),
        "status-reports-blocks": "status() maps every known block id to a job status",
        "scaling-enabled-consistent": "scaling_enabled is true exactly when scale_out(n) adds blocks",
        "assignable-round-trip": "a member Parsl assigns reads back the value assigned to it",
        "shutdown-returns": "shutdown() returns within the time bound, with None (the 2020 text: a bool or None)",
        "shutdown-resolves-pending": (
            "every future left pending by shutdown() is resolved (done, failed or cancelled) once it returns"
        ),
        "empty-resource-specification-runs": "submit(func, {}, *args, **kwargs) runs the task",
        "unsupported-resources-rejected": (
            "a resource specification with a key the executor does not support is rejected, raised or "
            "through the future, with an error that names the key"
        ),
        "structure": "the executor has every member of its contract's protocol, with the right shape",
    }
)


def describe(executor: object) -> str:
    """Name an executor for messages: its class and, when it has a string one, its label."""
    label = getattr(executor, "__dict__", {}).get("label")
    if label is None:
        label = getattr(type(executor), "label", None)
    name = type(executor).__qualname__
    return f"{name}(label={label!r})" if isinstance(label, str) else name


def fail(rule: str, executor: object, detail: str) -> NoReturn:
    """Raise the :class:`~parsl_executor_protocol.errors.BehaviourError` for ``rule``, quoting the rule."""
    who = describe(executor)
    raise BehaviourError(
        f"{who} breaks rule '{rule}' ({RULES[rule]}): {detail}", rule=rule, executor=who, detail=detail
    )


def short_repr(value: object, limit: int = 200) -> str:
    """``repr(value)``, cut to ``limit`` characters so that messages stay readable."""
    try:
        text = repr(value)
    except Exception as exc:  # a broken __repr__ must not hide the rule that broke
        text = f"<unrepresentable {type(value).__qualname__}: {type(exc).__name__}>"
    return text if len(text) <= limit else text[: limit - 3] + "..."
