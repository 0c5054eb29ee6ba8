"""Every exception the package raises on purpose.

Each subclasses a builtin so that callers can catch it either way, and each
message names the problem: which member, what was expected, what was found.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .checking import ConformanceReport

__all__ = [
    "BehaviourError",
    "ConformanceError",
    "ExecutorBadStateError",
    "ExecutorEnvironmentError",
    "ExecutorShutdownError",
    "MissingExtraError",
    "NotAProtocolError",
    "NotAnExecutorError",
    "UnsupportedResourceSpecificationError",
    "ParslExecutorProtocolError",
    "StrategyError",
    "TargetError",
]


class ParslExecutorProtocolError(Exception):
    """Base class of the package's own errors."""


# --- adapters ------------------------------------------------------------------------------------


class NotAnExecutorError(TypeError, ParslExecutorProtocolError):
    """``adapt()`` or ``as_futures_executor()`` was given an object it cannot wrap.

    ``found`` is the object's type name and ``missing`` the members it lacks.
    """

    def __init__(self, message: str, *, found: str = "", missing: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.found = found
        self.missing = missing


class MissingExtraError(ImportError, ParslExecutorProtocolError):
    """An optional dependency is not installed; the message says what to ``pip install``."""

    def __init__(self, message: str, *, extra: str = "", package: str = "") -> None:
        super().__init__(message)
        self.extra = extra
        self.package = package


class UnsupportedResourceSpecificationError(ValueError, ParslExecutorProtocolError):
    """A task's ``resource_specification`` names keys the executor does not support.

    When parsl is importable the adapters raise a subclass that is also
    parsl's ``InvalidResourceSpecification``, so either ``except`` clause catches it.
    """

    def __init__(
        self,
        message: str,
        *,
        invalid_keys: frozenset[str] = frozenset(),
        supported: tuple[str, ...] = (),
        executor_label: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.invalid_keys = set(invalid_keys)
        self.supported = supported
        self.executor_label = executor_label


class ExecutorBadStateError(RuntimeError, ParslExecutorProtocolError):
    """An executor is in an irrecoverable bad state; ``cause`` (also ``__cause__``) says why."""

    def __init__(self, message: str, *, executor_label: str = "", cause: BaseException | None = None) -> None:
        super().__init__(message)
        self.executor_label = executor_label
        self.cause = cause
        self.__cause__ = cause


class ExecutorShutdownError(RuntimeError, ParslExecutorProtocolError):
    """A task was submitted to, or was still running in, an executor that has shut down."""

    def __init__(self, message: str, *, executor_label: str = "") -> None:
        super().__init__(message)
        self.executor_label = executor_label


# --- hypothesis strategies -----------------------------------------------------------------------


class StrategyError(TypeError, ParslExecutorProtocolError):
    """The strategies cannot generate implementations of a protocol; the message names the member and why."""


# --- runtime conformance checks ------------------------------------------------------------------


class ConformanceError(TypeError, ParslExecutorProtocolError):
    """``assert_conforms`` found violations; the message is the whole report, ``report`` the report itself."""

    def __init__(self, report: ConformanceReport) -> None:
        super().__init__(str(report))
        self.report = report


class NotAProtocolError(TypeError, ParslExecutorProtocolError):
    """The conformance checks were given something other than a protocol class to check against."""


# --- behavioural conformance kit -----------------------------------------------------------------


class BehaviourError(AssertionError, ParslExecutorProtocolError):
    """An executor broke a behavioural rule of its contract (raised by ``parsl_executor_protocol.testing``).

    An ``AssertionError`` so that test runners report it as a failure.  ``rule`` is the
    rule's id (a key of ``parsl_executor_protocol.testing.RULES``), ``executor`` the
    executor's description, ``detail`` what was expected and what was found.
    """

    def __init__(self, message: str, *, rule: str, executor: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.executor = executor
        self.detail = detail


class ExecutorEnvironmentError(RuntimeError, ParslExecutorProtocolError):
    """An executor could not start because of its environment, not because it breaks a rule.

    Raised by ``parsl_executor_protocol.testing`` when ``start()`` fails to run a
    program it needs (e.g. HighThroughputExecutor's ``interchange.py`` not on
    ``PATH`` because the virtualenv is not activated).  Not an ``AssertionError``:
    test runners report it as an error of the setup.  ``program`` is the program
    that could not run, ``fix`` what to do about it.
    """

    def __init__(self, message: str, *, program: str = "", fix: str = "") -> None:
        super().__init__(message)
        self.program = program
        self.fix = fix


# --- command line --------------------------------------------------------------------------------


class TargetError(ParslExecutorProtocolError, ValueError):
    """The command line cannot load a target, protocol or base class it was given, or lacks parsl.

    The message is one line naming the target and the problem; ``parsl-executor-protocol``
    prints it after ``error:`` and exits 2.
    """
