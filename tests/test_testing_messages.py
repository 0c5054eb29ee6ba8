"""The kit's messages say what happened: a cancelled future nobody woke, an environment that cannot start the executor.

Real executors throughout: a tiny one written here that cancels its queued
futures, and parsl's HighThroughputExecutor started with ``PATH`` lacking
the interpreter's ``bin`` directory, where pip put ``interchange.py``.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from parsl_executor_protocol.errors import BehaviourError, ExecutorEnvironmentError
from parsl_executor_protocol.testing import check_shutdown_resolves_pending, start_executor

TIMEOUT = 0.5  # the unwoken futures are caught by this bound


class QueueingExecutor:
    """Today's contract, just enough for the shutdown check: tasks wait in a queue that shutdown() cancels."""

    label = "queueing"

    def __init__(self, *, notify: bool) -> None:
        self.notify = notify
        self.queued: List[Future[Any]] = []

    def submit(
        self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any, **kwargs: Any
    ) -> Future[Any]:
        future: Future[Any] = Future()
        self.queued.append(future)  # never run: shutdown() comes first
        return future

    def shutdown(self) -> None:
        for future in self.queued:
            future.cancel()
            if self.notify:
                future.set_running_or_notify_cancel()


def test_cancelled_but_unwoken_future_is_named_with_the_fix() -> None:
    executor = QueueingExecutor(notify=False)
    with pytest.raises(BehaviourError) as caught:
        check_shutdown_resolves_pending(executor, contract="current", timeout=TIMEOUT)
    error = caught.value
    assert error.rule == "shutdown-resolves-pending"
    assert all(future.cancelled() for future in executor.queued)
    assert "the future of task #0 was cancelled but its waiters were never woken" in error.detail
    assert "call future.set_running_or_notify_cancel() after future.cancel()" in error.detail
    assert "still pending" not in error.detail


def test_cancelled_and_notified_futures_pass() -> None:
    report = check_shutdown_resolves_pending(QueueingExecutor(notify=True), contract="current", timeout=TIMEOUT)
    assert report.cancelled == 3
    assert report.unresolved == 0


class SpawnsAMissingProgram:
    """start() runs a program by a name found nowhere on PATH."""

    label = "spawns"

    def start(self) -> None:
        import subprocess

        subprocess.run(["parsl-executor-protocol-no-such-program.py"], check=True)


def test_missing_program_is_an_environment_problem_not_a_rule(tmp_path: Path) -> None:
    with pytest.raises(ExecutorEnvironmentError) as caught:
        start_executor(SpawnsAMissingProgram(), tmp_path, timeout=5)
    message = str(caught.value)
    assert message.startswith("environment problem, not a broken rule: SpawnsAMissingProgram(label='spawns').start()")
    assert "it is in no directory on PATH" in message
    assert not isinstance(caught.value, BehaviourError)
    assert isinstance(caught.value.__cause__, FileNotFoundError)


def test_an_error_of_the_executor_itself_still_breaks_start_returns(tmp_path: Path) -> None:
    class OpensAMissingFile:
        label = "opens"

        def start(self) -> None:
            open(tmp_path / "absent.cfg").close()  # the executor's own mistake, not its environment

    with pytest.raises(BehaviourError) as caught:
        start_executor(OpensAMissingFile(), tmp_path, timeout=5)
    assert caught.value.rule == "start-returns"


@pytest.mark.timeout(120)
def test_htex_without_the_environment_on_path_is_told_to_activate_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parsl.executors import HighThroughputExecutor
    from parsl.providers import LocalProvider

    env_bin = os.path.dirname(sys.executable)
    assert os.path.exists(os.path.join(env_bin, "interchange.py")), "parsl installs interchange.py next to python"
    path = [d for d in os.environ.get("PATH", "").split(os.pathsep) if d and os.path.abspath(d) != env_bin]
    monkeypatch.setenv("PATH", os.pathsep.join(path or [os.defpath]))
    executor = HighThroughputExecutor(  # the default interchange_launch_cmd: interchange.py, looked up on PATH
        label="htex_no_path",
        address="127.0.0.1",
        loopback_address="127.0.0.1",
        provider=LocalProvider(init_blocks=0, min_blocks=0, max_blocks=0),  # type: ignore[no-untyped-call]
    )
    try:
        with pytest.raises(ExecutorEnvironmentError) as caught:
            start_executor(executor, tmp_path, init_blocks=0, timeout=60)
    finally:
        executor.shutdown()
    error = caught.value
    assert error.program == "interchange.py"
    assert "HighThroughputExecutor(label='htex_no_path').start() could not run the program 'interchange.py'" in str(
        error
    )
    assert f"it is in {env_bin}, the bin directory of this Python environment, which is not on PATH" in str(error)
    assert error.fix.startswith("activate the environment")
    assert f"put {env_bin} on PATH" in error.fix
    assert "start-returns" not in str(error)
