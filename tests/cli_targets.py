"""Targets for the command line's tests: ``tests.cli_targets:Name``.

Importing this module has no side effects beyond defining these names.
"""

from __future__ import annotations

import functools
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Callable

from .fixtures_abc2020 import Concrete2020Executor

if TYPE_CHECKING:
    # Unresolvable at run time: the engine can only warn about annotations that use it.
    from builtins import bool as Flag


class Inline2020Executor(Concrete2020Executor):
    """A complete 2020 executor whose label is visible on the class too."""

    label = "inline2020"


#: An instance target.
EXECUTOR = Inline2020Executor()


def make_executor() -> Inline2020Executor:
    """A zero-argument factory target."""
    return Inline2020Executor(label="from-factory")


#: A partial is a factory too.
PARTIAL_FACTORY = functools.partial(Inline2020Executor, label="from-partial")


class Namespace:
    """Holds targets reached through a dotted attribute path."""

    Executor = Inline2020Executor

    @staticmethod
    def make() -> Inline2020Executor:
        return Inline2020Executor(label="nested")


class SubmitOnly:
    """Far from any contract: a submit without task arguments and nothing else."""

    label = "submit-only"

    def submit(self) -> Future[Any]:
        return Future()


def failing_factory() -> object:
    """A factory that raises."""
    raise RuntimeError("no cluster available")


def factory_with_arguments(workers: int) -> object:
    """Not a zero-argument factory."""
    return workers


def factory_returning_none() -> None:
    """A factory whose result is not an executor."""


NOT_AN_EXECUTOR = 42

CALLBACK: Callable[[], object] = make_executor


class DriftedBase:
    """A stand-in for a future parsl base class that broke today's contract in three ways."""

    label: str = "drifted"

    def __init__(self) -> None:
        self.remote_monitoring_radio: object = None
        self.monitoring_messages: object = None
        self.monitoring_receiver: object = None
        self.log_config: object = None
        self.run_id: str | None = None
        #: was a method
        self.monitor_resources = True

    def start(self) -> None:
        """Start."""

    def submit(self, func: Callable[..., Any], resource_specification: dict[str, Any], *args: Any,
               **kwargs: Any) -> Future[Any]:
        return Future()

    def shutdown(self) -> None:
        """Stop."""

    @property
    def run_dir(self) -> str:
        """No longer assignable."""
        return "."

    def scale_out(self, blocks: int) -> list[str]:
        """A member the protocol does not state."""
        return []


class WarnedExecutor(Inline2020Executor):
    """Conforms, but one property's annotation names a type imported only for type checkers."""

    @property
    def scaling_enabled(self) -> Flag:
        return False
