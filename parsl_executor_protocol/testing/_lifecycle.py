"""Starting and stopping an executor the way the DataFlowKernel does, for tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import traceback
import uuid
from contextlib import contextmanager
from typing import Any, Iterator, NoReturn, Optional, TypeVar, Union

from ..errors import BehaviourError, ExecutorEnvironmentError
from ._bounded import DEFAULT_TIMEOUT, call_within, get_within
from ._rules import describe, fail

__all__ = ["environment_problem", "shutdown_executor", "start_executor", "start_failed", "started"]

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
        start_failed(ex, "start()", outcome.error, named=f"{describe(ex)}.start()")
    if init_blocks is None:
        init_blocks = getattr(provider, "init_blocks", 0) if hasattr(ex, "scale_out_facade") else 0
    if init_blocks:
        get_within(timeout, "start-returns", ex, f"scale_out_facade({init_blocks})", ex.scale_out_facade, init_blocks)
    return executor


def _raised_by_subprocess(error: BaseException) -> bool:
    # Popen re-raises the child's exec() failure from subprocess.py: a missing program,
    # not a missing file the executor opened (that one would be the executor's business).
    return any(frame.f_code.co_filename == subprocess.__file__ for frame, _ in traceback.walk_tb(error.__traceback__))


def _missing_program_fix(program: str, error: OSError) -> tuple[str, str]:
    """``(what went wrong, the fix)`` for a program that ``subprocess`` could not run."""
    if os.sep in program or (os.altsep and os.altsep in program):
        if isinstance(error, PermissionError):
            return "it is not executable", f"make it executable (chmod +x {program}) or run it through python"
        return "no such file", "correct the command that names it, or install what provides it"
    env_bin = os.path.dirname(sys.executable)
    found = shutil.which(program)
    if isinstance(error, PermissionError) or found is not None:
        return "it is not executable", f"make {found or program} executable"
    if shutil.which(program, path=env_bin) is not None:
        return (
            f"it is in {env_bin}, the bin directory of this Python environment, which is not on PATH",
            f"activate the environment (source {os.path.join(env_bin, 'activate')}) or put {env_bin} on PATH",
        )
    return (
        "it is in no directory on PATH",
        "install the package that provides it in this environment, or put the directory holding it on PATH",
    )


def environment_problem(what: str, error: BaseException) -> Optional[ExecutorEnvironmentError]:
    """The :class:`~parsl_executor_protocol.errors.ExecutorEnvironmentError` behind ``error``, or ``None``.

    ``error`` was raised by ``what`` (``"MyExecutor(label='x').start()"``, ``"the executor factory"``).  It is an
    environment problem when it already is one, or when it is ``subprocess``
    failing to run a program (not found, not executable): the executor is
    installed or configured wrongly, and no rule of its contract is at stake.
    """
    if isinstance(error, ExecutorEnvironmentError):
        return error
    if not isinstance(error, (FileNotFoundError, PermissionError)) or not _raised_by_subprocess(error):
        return None
    if not error.filename:
        return None
    program = os.fsdecode(error.filename)
    reason, fix = _missing_program_fix(program, error)
    return ExecutorEnvironmentError(
        f"environment problem, not a broken rule: {what} could not run the program "
        f"{program!r} ({reason}); fix: {fix}",
        program=program,
        fix=fix,
    )


def start_failed(subject: object, what: str, error: BaseException, *, named: Optional[str] = None) -> NoReturn:
    """Raise what ``error``, raised by ``what`` while starting ``subject``, means.

    An environment problem (see :func:`environment_problem`, which calls ``what``
    ``named`` when given) is raised as one; anything else fails rule ``start-returns``.
    """
    problem = environment_problem(named or what, error)
    if problem is not None:
        raise problem from error
    fail("start-returns", subject, f"{what} raised {type(error).__name__}: {error}")


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
