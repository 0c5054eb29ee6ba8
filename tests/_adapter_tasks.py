"""Task functions for the adapter tests, importable by process-pool and Dask workers.

Kept free of heavy imports: a worker process imports this module to unpickle a task.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Any, List, Optional


class AppError(Exception):
    """Raised by a task, to check that exceptions arrive with their own type."""


def add(a: int, b: int) -> int:
    return a + b


def identity(x: Any) -> Any:
    return x


def noop() -> None:
    return None


def raise_app_error(message: str) -> None:
    raise AppError(message)


def raise_key_error(key: str) -> None:
    raise KeyError(key)


def sleep_then(seconds: float, value: Any) -> Any:
    time.sleep(seconds)
    return value


def wait_for(event: threading.Event, timeout: float) -> bool:
    """Block until ``event`` is set (in-process pools only); return whether it was."""
    return event.wait(timeout)


def pid() -> int:
    return os.getpid()


def raise_base_exception(name: str) -> None:
    """Raise ``KeyboardInterrupt`` or ``SystemExit``, which are not ``Exception`` subclasses."""
    exc: BaseException = KeyboardInterrupt("stop") if name == "KeyboardInterrupt" else SystemExit(3)
    raise exc


def make_lock() -> Any:
    """Return something no pickler can serialize."""
    return threading.Lock()


def kill_own_process() -> None:
    """Kill the worker process running this task with SIGKILL."""
    os.kill(os.getpid(), signal.SIGKILL)


def fail_until(counter_path: str, failures: int) -> int:
    """Fail the first ``failures`` calls (counted in a file, so across processes), then return the call count."""
    with open(counter_path, "a+") as handle:
        handle.seek(0)
        calls = len(handle.read()) + 1
        handle.write("x")
    if calls <= failures:
        raise AppError(f"call {calls} fails on purpose")
    return calls


def write_output(text: str, outputs: Optional[List[Any]] = None) -> str:
    """Write ``text`` to the first output File."""
    assert outputs
    with open(outputs[0].filepath, "w") as handle:
        handle.write(text)
    return str(outputs[0].filepath)


def read_input(inputs: Optional[List[Any]] = None) -> str:
    """Return the contents of the first input File."""
    assert inputs
    with open(inputs[0].filepath) as handle:
        return handle.read()


def echo_command(word: str, stdout: Optional[str] = None) -> str:
    """A bash_app body: echo ``word``."""
    return f"echo {word}"


def resource_spec_task(parsl_resource_specification: Optional[dict[str, Any]] = None) -> str:
    return "ran"
