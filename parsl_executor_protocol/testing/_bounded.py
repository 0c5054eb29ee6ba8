"""Bounded calls: every call into an executor runs in a daemon helper thread and is given up after a timeout.

A broken executor (a ``shutdown()`` that blocks, a future that never resolves)
must make a check fail with a message, never hang the test run.  The helper
thread is a daemon so that a call that never returns cannot keep the
interpreter alive either.

Each wait is bounded by the timeout, and all the waits of a check, of a state
machine run or of a test class of the suite share a :class:`Budget`
(:data:`BUDGET_FACTOR` times the timeout) for the time the executor spends
hanging: once it is spent, later waits fail at once, saying so.  A working
executor never hangs, so it never spends any of it.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import tempfile
import threading
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from types import TracebackType
from typing import Any, Callable, Generic, Iterator, Optional, Tuple, TypeVar

from ._rules import fail

__all__ = [
    "BUDGET_FACTOR",
    "DEFAULT_TIMEOUT",
    "Budget",
    "Gate",
    "Outcome",
    "budgeted",
    "call_within",
    "get_within",
    "resolve_within",
    "unresolved",
    "using_budget",
]

#: Seconds a single executor call, or a single task, may take before a check fails.
DEFAULT_TIMEOUT = 30.0
#: The total time an executor may hang across a check, a state machine run or a test class of
#: the suite, in timeouts: the first hang takes a whole timeout, later ones share half of one.
BUDGET_FACTOR = 1.5

_T = TypeVar("_T")
_F = TypeVar("_F", bound=Callable[..., Any])


class Budget:
    """Seconds an executor may spend hanging (calls not returning, futures not resolving), shared by many waits."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.spent = 0.0
        self._lock = threading.Lock()

    def remaining(self) -> float:
        """Seconds left to wait, ``0`` once spent."""
        return max(0.0, self.seconds - self.spent)

    def charge(self, seconds: float) -> None:
        """Record ``seconds`` spent waiting for something that did not come."""
        with self._lock:
            self.spent += seconds

    def exhausted_note(self) -> str:
        """What a failure says when the budget cut a wait short."""
        return (
            f"not waited for: the executor already hung for {self.spent:g} s, the kit's total budget "
            f"({BUDGET_FACTOR:g} x the executor timeout)"
        )


_current: contextvars.ContextVar[Optional[Budget]] = contextvars.ContextVar(
    "parsl_executor_protocol_budget", default=None
)


@contextlib.contextmanager
def using_budget(budget: Budget) -> Iterator[Budget]:
    """Make the bounded waits inside the ``with`` block share ``budget``."""
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def budgeted(check: _F) -> _F:
    """Run ``check`` (taking a ``timeout`` keyword) within a budget of its own, unless one is already in use."""

    @functools.wraps(check)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _current.get() is not None:
            return check(*args, **kwargs)
        timeout = kwargs.get("timeout", DEFAULT_TIMEOUT)
        with using_budget(Budget(BUDGET_FACTOR * timeout)):
            return check(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _allowed(timeout: float) -> Tuple[float, Optional[Budget]]:
    budget = _current.get()
    return (timeout, None) if budget is None else (min(timeout, budget.remaining()), budget)


class Outcome(Generic[_T]):
    """What a bounded call did: returned ``value`` or raised ``error``."""

    __slots__ = ("error", "value")

    def __init__(self, value: Optional[_T] = None, error: Optional[BaseException] = None) -> None:
        self.value = value
        self.error = error


def call_within(
    timeout: float, rule: str, executor: object, what: str, fn: Callable[..., _T], *args: Any, **kwargs: Any
) -> Outcome[_T]:
    """Call ``fn(*args, **kwargs)`` in a daemon thread; fail ``rule`` if it has not returned after ``timeout`` s.

    ``what`` describes the call in the failure message (``"shutdown()"``).  An
    exception raised by the call is returned in the outcome, not raised, so that
    the check decides what it means.
    """
    outcome: Outcome[_T] = Outcome()
    wait, budget = _allowed(timeout)
    if budget is not None and wait <= 0:
        fail(rule, executor, f"{what}: {budget.exhausted_note()}")

    def run() -> None:
        try:
            outcome.value = fn(*args, **kwargs)
        except BaseException as exc:  # reported to the check, which judges it
            outcome.error = exc

    thread = threading.Thread(target=run, name=f"parsl-executor-protocol check: {what}", daemon=True)
    thread.start()
    thread.join(wait)
    if thread.is_alive():
        if budget is not None:
            budget.charge(wait)
        fail(rule, executor, f"{what} did not return within {wait:g} s")
    return outcome


def get_within(timeout: float, rule: str, executor: object, what: str, fn: Callable[..., _T], *args: Any) -> _T:
    """Like :func:`call_within`, but an exception raised by the call fails ``rule`` too."""
    outcome = call_within(timeout, rule, executor, what, fn, *args)
    if outcome.error is not None:
        fail(rule, executor, f"{what} raised {type(outcome.error).__name__}: {outcome.error}")
    return outcome.value  # type: ignore[return-value]  # set when error is None


def resolve_within(future: Future[Any], timeout: float) -> bool:
    """Wait up to ``timeout`` s (less if the budget in use has less left) for ``future``; return whether it is done."""
    wait, budget = _allowed(timeout)
    done, _ = wait_futures([future], timeout=wait)
    if not done and budget is not None:
        budget.charge(wait)
    return bool(done)


def unresolved(subject: str, future: Future[Any], waited: float, since: str) -> str:
    """What a failure says of ``future`` (``subject``) when :func:`resolve_within` gave up on it.

    ``since`` ends the sentence: ``"later"``, ``"after shutdown() returned"``.  A
    future that is ``cancelled()`` yet not done for ``concurrent.futures.wait()``
    was cancelled without its waiters being notified: saying "still pending"
    would send its author looking for a task that never finished.
    """
    if future.cancelled():
        return (
            f"{subject} was cancelled but its waiters were never woken ({waited:g} s {since}): "
            "cancel() alone does not notify concurrent.futures.wait() or as_completed(), which never return "
            "for it; call future.set_running_or_notify_cancel() after future.cancel(), as the standard pools "
            "do before running a task (a wrapped pool's shutdown(cancel_futures=True) does not: notify the "
            "futures it cancels)"
        )
    return f"{subject} was still pending {waited:g} s {since}"


class Gate:
    """Holds gated tasks pending until opened; works across processes on one machine.

    The gate is a file: tasks wait while it exists (see :func:`._tasks.wait_at_gate`),
    and opening the gate deletes it, so nothing is left behind.  Tasks that run
    where the file is not visible (another machine) pass straight through, and
    the checks then treat them as ordinary tasks.
    """

    def __init__(self) -> None:
        handle, self.path = tempfile.mkstemp(prefix="parsl-executor-protocol-gate-")
        os.close(handle)
        self.is_open = False

    def task_args(self, timeout: float, value: object) -> Tuple[str, float, object]:
        """Arguments of :func:`._tasks.wait_at_gate` for a task held here and returning ``value``.

        The task gives up waiting after ``4 * timeout`` s, well after any check waiting
        ``timeout`` for it has decided, so that a held task is never mistaken for one
        that finished on its own; the checks open the gate on every path anyway.
        """
        return (self.path, 4 * timeout, value)

    def open(self) -> None:
        """Let every gated task finish (idempotent)."""
        if not self.is_open:
            self.is_open = True
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path)

    def __enter__(self) -> Gate:
        return self

    def __exit__(
        self, exc_type: Optional[type[BaseException]], error: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.open()
