"""What the adapters hand to Parsl, without importing parsl until it is needed.

Each helper uses parsl's own type when parsl is importable (imported on first
use, which only happens on an error path or in ``status()``) and the
package's stand-in otherwise.  :func:`require_methods` is how both directions
refuse an object that is not the executor they wrap.
"""

from __future__ import annotations

import functools
from enum import IntEnum
from typing import TYPE_CHECKING, Callable, Optional, Tuple

from ..errors import NotAnExecutorError, UnsupportedResourceSpecificationError
from ..protocols.parsl_types import JobStatusLike

__all__ = ["PUBLIC_MODULE", "job_status", "require_methods", "resource_error_class"]


def require_methods(executor: object, names: Tuple[str, ...], expected: str) -> None:
    """:class:`NotAnExecutorError` naming what ``executor`` lacks of ``names``, if it lacks any.

    ``expected`` says what the caller takes, e.g. ``"an adapter wraps a ..."``.
    """
    missing = tuple(name for name in names if not callable(getattr(executor, name, None)))
    if missing:
        found = type(executor).__name__
        raise NotAnExecutorError(f"{expected}; {found} lacks {', '.join(missing)}", found=found, missing=missing)


#: Where the resource error is public: the adapters package hands it out by name.
PUBLIC_MODULE = "parsl_executor_protocol.adapters"

if TYPE_CHECKING:  # what static checkers see; at run time the class is made on first use
    from parsl.executors.errors import InvalidResourceSpecification

    class ParslUnsupportedResourceSpecificationError(
        UnsupportedResourceSpecificationError, InvalidResourceSpecification
    ):
        """Unsupported resource specification keys: both the package's error and parsl's own."""


@functools.cache
def resource_error_class() -> type[UnsupportedResourceSpecificationError]:
    """The package's resource error, made also parsl's ``InvalidResourceSpecification`` when parsl is importable."""
    try:
        from parsl.executors.errors import InvalidResourceSpecification
    except ImportError:
        return UnsupportedResourceSpecificationError

    class ParslUnsupportedResourceSpecificationError(
        UnsupportedResourceSpecificationError, InvalidResourceSpecification
    ):
        """Unsupported resource specification keys: both the package's error and parsl's own.

        What an adapter raises for ``resource_specification`` keys its executor
        does not support, when parsl is installed; importable as
        ``parsl_executor_protocol.adapters.ParslUnsupportedResourceSpecificationError``
        (which imports parsl on first access).
        """

    ParslUnsupportedResourceSpecificationError.__module__ = PUBLIC_MODULE
    ParslUnsupportedResourceSpecificationError.__qualname__ = "ParslUnsupportedResourceSpecificationError"
    return ParslUnsupportedResourceSpecificationError


# --- block status: parsl's JobStatus when importable, else a stand-in ------------------------


class _BlockState(IntEnum):
    """Stand-in for parsl's ``JobState`` (same names and values), used when parsl is not installed."""

    UNKNOWN = 0
    PENDING = 1
    RUNNING = 2
    CANCELLED = 3
    COMPLETED = 4
    FAILED = 5
    TIMEOUT = 6
    HELD = 7
    MISSING = 8
    SCALED_IN = 9


_TERMINAL = frozenset({"CANCELLED", "COMPLETED", "FAILED", "TIMEOUT", "MISSING", "SCALED_IN"})


class _BlockStatus:
    """Stand-in for parsl's ``JobStatus``; satisfies :class:`JobStatusLike`."""

    __slots__ = ("message", "state")

    def __init__(self, state: _BlockState, message: Optional[str] = None) -> None:
        self.state = state
        self.message = message

    @property
    def terminal(self) -> bool:
        """Whether the state is final."""
        return self.state.name in _TERMINAL

    @property
    def status_name(self) -> str:
        """Name of the state."""
        return self.state.name

    def __repr__(self) -> str:
        return f"BlockStatus({self.state.name}{'' if self.message is None else f', {self.message!r}'})"


@functools.cache
def _status_factory() -> Callable[[str, Optional[str]], JobStatusLike]:
    try:
        from parsl.jobs.states import JobState, JobStatus
    except ImportError:
        return lambda name, message: _BlockStatus(_BlockState[name], message)
    return lambda name, message: JobStatus(JobState[name], message)


def job_status(name: str, message: Optional[str] = None) -> JobStatusLike:
    """A block status: parsl's ``JobStatus`` when parsl is importable, else the stand-in."""
    return _status_factory()(name, message)
