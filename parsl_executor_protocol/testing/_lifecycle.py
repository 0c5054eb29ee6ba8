"""Starting and stopping an executor the way the DataFlowKernel does, for tests."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from typing import Any, Iterator, Optional, TypeVar, Union

from ..errors import BehaviourError
from ._bounded import DEFAULT_TIMEOUT, call_within, get_within
from ._rules import fail

__all__ = ["shutdown_executor", "start_executor", "started"]

_E = TypeVar("_E")


def start_executor(
    executor: _E,
    run_dir: Union[str, os.PathLike[str]],
    *,
    init_blocks: Optional[int] = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> _E:
    """Prepare and start ``executor`` as ``parsl.load()`` would; return it.

    Like the DataFlowKernel: assigns ``run_dir`` (and ``run_id`` when the
    executor has one), points ``provider.script_dir`` into ``run_dir`` when
    the provider has one, and calls ``start()`` (bounded by ``timeout``,
    failing rule ``start-returns``).  Then, like Parsl's scaling strategy,
    launches ``init_blocks`` blocks through ``scale_out_facade`` (default: the
    provider's ``init_blocks``; executors without ``scale_out_facade`` launch none).
    """
    ex: Any = executor
    assignments = {"run_dir": os.fspath(run_dir)}
    if hasattr(ex, "run_id"):
        assignments["run_id"] = f"parsl-executor-protocol-{uuid.uuid4()}"
    for member, value in assignments.items():
        try:
            setattr(ex, member, value)
        except (AttributeError, TypeError) as error:
            fail(
                "assignable-round-trip", ex, f"assigning {member} before start() raised {type(error).__name__}: {error}"
            )
    provider = getattr(ex, "provider", None)
    if provider is not None and hasattr(provider, "script_dir"):
        provider.script_dir = os.path.join(os.fspath(run_dir), "submit_scripts")
        os.makedirs(provider.script_dir, exist_ok=True)
    outcome = call_within(timeout, "start-returns", ex, "start()", ex.start)
    if outcome.error is not None:
        fail("start-returns", ex, f"start() raised {type(outcome.error).__name__}: {outcome.error}")
    if init_blocks is None:
        init_blocks = getattr(provider, "init_blocks", 0) if hasattr(ex, "scale_out_facade") else 0
    if init_blocks:
        get_within(timeout, "start-returns", ex, f"scale_out_facade({init_blocks})", ex.scale_out_facade, init_blocks)
    return executor


def shutdown_executor(executor: Any, *, timeout: float = DEFAULT_TIMEOUT) -> object:
    """Shut ``executor`` down as the DataFlowKernel's cleanup does; return what ``shutdown()`` returned.

    Blocks are scaled in first (through ``status_facade`` and
    ``scale_in_facade``, when the executor has them and is not in bad state),
    so that no worker outlives the test.  Bounded: fails rule
    ``shutdown-returns`` if ``shutdown()`` does not return within ``timeout``.
    """
    # Like Parsl's job status poller at cleanup: blocks of a bad executor are left alone.
    scales = hasattr(executor, "scale_in_facade") and hasattr(executor, "status_facade")
    if scales and not getattr(executor, "bad_state_is_set", False):
        blocks = len(getattr(executor, "status_facade", None) or ())
        if blocks:
            what = f"scale_in_facade({blocks})"
            call_within(timeout, "shutdown-returns", executor, what, executor.scale_in_facade, blocks)
    return get_within(timeout, "shutdown-returns", executor, "shutdown()", executor.shutdown)


@contextmanager
def started(
    executor: _E,
    run_dir: Union[str, os.PathLike[str]],
    *,
    init_blocks: Optional[int] = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Iterator[_E]:
    """Context manager: :func:`start_executor` on entry, :func:`shutdown_executor` on exit.

    Shutting down an executor that a test already shut down (or put in bad
    state) is the executor's business: errors from that second ``shutdown()``
    are ignored, but it must still return within ``timeout``.
    """
    start_executor(executor, run_dir, init_blocks=init_blocks, timeout=timeout)
    try:
        yield executor
    finally:
        shutdown_quietly(executor, timeout=timeout)


def shutdown_quietly(executor: Any, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """:func:`shutdown_executor`, ignoring what a repeated ``shutdown()`` raises (but not a hang)."""
    try:
        shutdown_executor(executor, timeout=timeout)
    except BehaviourError as error:
        if "did not return" in error.detail:
            raise
