"""Structural stand-ins for the Parsl types that appear in the executor contract.

They let the contract be stated, checked and implemented without Parsl
installed.  Parsl's own classes satisfy them: ``parsl.jobs.states.JobStatus``
satisfies :class:`JobStatusLike`, ``parsl.jobs.states.JobState`` members
satisfy :class:`JobStateLike` and ``parsl.data_provider.staging.Staging``
satisfies :class:`StagingProvider` (the test suite proves each with the real
Parsl, statically and at run time).

Parameters whose Parsl types (``File``, ``DataManager``) have no stable
structural shape are typed ``Any``: a stand-in must accept everything Parsl
passes, and parameter types are contravariant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from typing_extensions import Protocol, runtime_checkable

if TYPE_CHECKING:
    # Only for annotations: importing concurrent.futures costs ~6 ms (it loads
    # logging).  The runtime engine resolves the name itself.
    from concurrent.futures import Future

from ._meta import ContractMeta

__all__ = ["JobStateLike", "JobStatusLike", "StagingProvider"]


@runtime_checkable
class JobStateLike(Protocol, metaclass=ContractMeta):
    """A block's machine-readable state: Parsl's ``JobState`` enum members have this shape."""

    @property
    def name(self) -> str:
        """Symbolic name of the state, e.g. ``"RUNNING"``."""
        ...

    @property
    def value(self) -> int:
        """Numeric code of the state (Parsl's ``JobState`` is an ``IntEnum``)."""
        ...


@runtime_checkable
class JobStatusLike(Protocol, metaclass=ContractMeta):
    """The status of one block, as ``status()`` reports it (Parsl's ``JobStatus``)."""

    @property
    def state(self) -> JobStateLike:
        """The block's state."""
        ...

    @property
    def message(self) -> Optional[str]:
        """Optional human-readable detail."""
        ...

    @property
    def terminal(self) -> bool:
        """Whether the state is final (completed, failed, cancelled, ...)."""
        ...

    @property
    def status_name(self) -> str:
        """Name of the state, as used in monitoring messages."""
        ...


@runtime_checkable
class StagingProvider(Protocol, metaclass=ContractMeta):
    """A file staging provider, as listed in an executor's ``storage_access`` (Parsl's ``Staging``)."""

    def can_stage_in(self, file: Any) -> bool:
        """Whether this provider can stage ``file`` in."""
        ...

    def can_stage_out(self, file: Any) -> bool:
        """Whether this provider can stage ``file`` out."""
        ...

    def stage_in(
        self, dm: Any, executor: str, file: Any, parent_fut: Optional[Future[Any]]
    ) -> Optional[Future[Any]]:
        """Prepare stage-in; may return a future the task must wait for."""
        ...

    def stage_out(self, dm: Any, executor: str, file: Any, app_fu: Future[Any]) -> Optional[Future[Any]]:
        """Prepare stage-out; may return a future that completes when the file is out."""
        ...

    def replace_task(
        self, dm: Any, executor: str, file: Any, func: Callable[..., Any]
    ) -> Optional[Callable[..., Any]]:
        """Optionally wrap the task function to stage ``file`` in on the worker."""
        ...

    def replace_task_stage_out(
        self, dm: Any, executor: str, file: Any, func: Callable[..., Any]
    ) -> Optional[Callable[..., Any]]:
        """Optionally wrap the task function to stage ``file`` out on the worker."""
        ...
