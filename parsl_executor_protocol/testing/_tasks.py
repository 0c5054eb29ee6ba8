"""Task functions the checks submit.

They are module-level functions and builtin or module-level exception types
so that executors running tasks in other processes (Parsl's
HighThroughputExecutor, process pools) can pickle them by reference.
"""

from __future__ import annotations

import os
import time
from typing import Any, NoReturn, Tuple, Type

__all__ = ["KitError", "echo", "raise_error", "wait_at_gate"]


class KitError(Exception):
    """An exception type that exists only in this package: its arrival proves the type survived the trip."""


def echo(*args: Any, **kwargs: Any) -> Tuple[Tuple[Any, ...], dict[str, Any]]:
    """Return the task's arguments, so that the result shows what the executor passed."""
    return args, kwargs


def raise_error(exc_type: Type[BaseException], message: str) -> NoReturn:
    """Raise ``exc_type(message)``."""
    raise exc_type(message)


def wait_at_gate(path: str, max_seconds: float, value: Any = None) -> Any:
    """Wait while the gate file ``path`` exists (at most ``max_seconds``), then return ``value``."""
    deadline = time.monotonic() + max_seconds
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.005)
    return value
