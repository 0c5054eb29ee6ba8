"""The 2020 ``ParslExecutor`` ABC, written member for member from the interface text.

``tests/data/parsl-executor-interface-2020.txt`` is the source; a test checks
that this ABC's abstract members are exactly the ones the text lists, and mypy
checks (through ``Concrete2020Executor``) that a concrete subclass satisfies
``ParslExecutorProtocol``.
"""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional

from parsl_executor_protocol import JobStatusLike


class ParslExecutor2020(metaclass=ABCMeta):
    """Define the strict interface for all Executor classes (early-2020 text)."""

    label: str

    @abstractmethod
    def start(self) -> None:
        """Start the executor."""

    @abstractmethod
    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        """Submit."""

    @abstractmethod
    def scale_in(self, blocks: int) -> List[object]:
        """Scale in method."""

    @abstractmethod
    def scale_out(self, blocks: int) -> List[object]:
        """Scale out method."""

    @abstractmethod
    def status(self) -> Dict[object, JobStatusLike]:
        """Return the status of all jobs/blocks currently known to this executor."""

    @abstractmethod
    def shutdown(self) -> bool:
        """Shutdown the executor."""

    @abstractmethod
    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        """Mark this executor irrecoverably bad and fail all its tasks, now and in the future."""

    @property
    @abstractmethod
    def bad_state_is_set(self) -> bool:
        """Returns true if this executor is in an irrecoverable error state."""

    @property
    @abstractmethod
    def executor_exception(self) -> Exception:
        """Returns an exception that indicates why this executor is in an irrecoverable state."""

    @property
    @abstractmethod
    def hub_address(self) -> Optional[str]:
        """Address to the Hub for monitoring."""

    @hub_address.setter
    def hub_address(self, value: Optional[str]) -> None:
        raise NotImplementedError

    @property
    @abstractmethod
    def hub_port(self) -> Optional[int]:
        """Port to the Hub for monitoring."""

    @hub_port.setter
    def hub_port(self, value: Optional[int]) -> None:
        raise NotImplementedError

    @property
    @abstractmethod
    def run_dir(self) -> str:
        """Path to the run directory."""

    @run_dir.setter
    def run_dir(self, value: str) -> None:
        raise NotImplementedError

    @property
    @abstractmethod
    def scaling_enabled(self) -> bool:
        """Specify if scaling is enabled."""

    @property
    @abstractmethod
    def tasks(self) -> Dict[object, Future[Any]]:
        """Contains a dictionary mapping task IDs to the corresponding Future objects."""


class Concrete2020Executor(ParslExecutor2020):
    """A minimal concrete subclass: runs tasks inline."""

    def __init__(self, label: str = "concrete2020") -> None:
        self.label = label
        self._tasks: Dict[object, Future[Any]] = {}
        self._hub_address: Optional[str] = None
        self._hub_port: Optional[int] = None
        self._run_dir = "."
        self._exception: Optional[Exception] = None

    def start(self) -> None:
        return None

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._tasks[len(self._tasks)] = future
        if self._exception is not None:
            future.set_exception(self._exception)
            return future
        try:
            future.set_result(func(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def scale_in(self, blocks: int) -> List[object]:
        return []

    def scale_out(self, blocks: int) -> List[object]:
        return []

    def status(self) -> Dict[object, JobStatusLike]:
        return {}

    def shutdown(self) -> bool:
        return True

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        self._exception = exception

    @property
    def bad_state_is_set(self) -> bool:
        return self._exception is not None

    @property
    def executor_exception(self) -> Exception:
        if self._exception is None:
            raise RuntimeError("executor is not in a bad state")
        return self._exception

    @property
    def hub_address(self) -> Optional[str]:
        return self._hub_address

    @hub_address.setter
    def hub_address(self, value: Optional[str]) -> None:
        self._hub_address = value

    @property
    def hub_port(self) -> Optional[int]:
        return self._hub_port

    @hub_port.setter
    def hub_port(self, value: Optional[int]) -> None:
        self._hub_port = value

    @property
    def run_dir(self) -> str:
        return self._run_dir

    @run_dir.setter
    def run_dir(self, value: str) -> None:
        self._run_dir = value

    @property
    def scaling_enabled(self) -> bool:
        return False

    @property
    def tasks(self) -> Dict[object, Future[Any]]:
        return self._tasks
