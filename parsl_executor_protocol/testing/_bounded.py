"""Bounded calls: every call into an executor runs in a daemon helper thread and is given up after a timeout.

A broken executor (a ``shutdown()`` that blocks, a future that never resolves)
must make a check fail with a message, never hang the test run.  The helper
thread is a daemon so that a call that never returns cannot keep the
interpreter alive either.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from concurrent.futures import Future
from concurrent.futures import wait as wait_futures
from types import TracebackType
from typing import Any, Callable, Generic, Optional, Tuple, TypeVar

from ._rules import fail

__all__ = ["DEFAULT_TIMEOUT", "Gate", "Outcome", "call_within", "get_within", "resolve_within"]

#: Seconds a single executor call, or a single task, may take before a check fails.
DEFAULT_TIMEOUT = 30.0

_T = TypeVar("_T")


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

    def run() -> None:
        try:
            outcome.value = fn(*args, **kwargs)
        except BaseException as exc:  # reported to the check, which judges it
            outcome.error = exc

    thread = threading.Thread(target=run, name=f"parsl-executor-protocol check: {what}", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        fail(rule, executor, f"{what} did not return within {timeout:g} s")
    return outcome


def get_within(timeout: float, rule: str, executor: object, what: str, fn: Callable[..., _T], *args: Any) -> _T:
    """Like :func:`call_within`, but an exception raised by the call fails ``rule`` too."""
    outcome = call_within(timeout, rule, executor, what, fn, *args)
    if outcome.error is not None:
        fail(rule, executor, f"{what} raised {type(outcome.error).__name__}: {outcome.error}")
    return outcome.value  # type: ignore[return-value]  # set when error is None


def resolve_within(future: Future[Any], timeout: float) -> bool:
    """Wait up to ``timeout`` s for ``future`` to be done; return whether it is."""
    done, _ = wait_futures([future], timeout=timeout)
    return bool(done)


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
