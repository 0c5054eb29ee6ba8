"""The executor contract of Parsl's ``ParslExecutor`` as documented in early 2020.

The full contract, :class:`ParslExecutorProtocol`, is composed of one role
protocol per concern so that code can ask for only what it uses (a scheduler
that only submits can accept a :class:`SubmitsTasks`).

Types are chosen so that an executor written straight from the 2020 text
(``Future`` results, ``Dict[object, Future]`` tasks, ``List[object]`` block
ids, ``shutdown() -> bool``) satisfies the contract under ``mypy --strict``,
and so do Parsl's later executors where the member still exists:

* block-id lists are ``List[Any]`` because ``List`` is invariant: ``List[object]``
  would reject Parsl's ``List[str]`` and vice versa;
* mappings are ``Mapping[Any, ...]`` because a mapping's key type is invariant
  and its value type is covariant, so ``Dict[str, JobStatus]`` and
  ``Dict[object, Future]`` both fit;
* ``shutdown`` returns ``Optional[bool]``: the 2020 text returns ``bool``,
  Parsl since 2023 returns ``None``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, List, Mapping, Optional, Sequence, TypeVar

from typing_extensions import Protocol, runtime_checkable

if TYPE_CHECKING:
    # Only for annotations: importing concurrent.futures costs ~6 ms (it loads
    # logging).  The runtime engine resolves the name itself.
    from concurrent.futures import Future

from ._meta import ContractMeta
from ._optional import with_optional
from .parsl_types import JobStatusLike, StagingProvider

__all__ = [
    "HandlesBadState",
    "HasLifecycle",
    "HasMonitoringEndpoint",
    "HasRunDir",
    "HasStorageAccess",
    "Labelled",
    "ParslExecutorProtocol",
    "ReportsStatus",
    "Scalable",
    "SubmitsTasks",
    "TracksTasks",
]

_T = TypeVar("_T")


@runtime_checkable
class Labelled(Protocol, metaclass=ContractMeta):
    """Has a human-readable label, unique among the executors of a configuration."""

    label: str


@runtime_checkable
class SubmitsTasks(Protocol, metaclass=ContractMeta):
    """Accepts tasks and returns a future for each."""

    def submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]:
        """Run ``func(*args, **kwargs)`` and return a future of its result.

        ``*args`` and ``**kwargs`` are ``object``, not ``Any``: mypy treats
        ``(*args: Any, **kwargs: Any)`` as ``...`` and would then accept an
        implementation that takes no task arguments.  ``func`` keeps its name
        from the interface text; an implementation must use the same name.
        """
        ...


@runtime_checkable
class HasLifecycle(Protocol, metaclass=ContractMeta):
    """Can be started and shut down."""

    def start(self) -> None:
        """Start the executor (spin up pools, connect to resources)."""
        ...

    def shutdown(self) -> Optional[bool]:
        """Shut the executor down; the 2020 text returns ``bool``, later Parsl ``None``."""
        ...


@runtime_checkable
class Scalable(Protocol, metaclass=ContractMeta):
    """Adds and removes blocks of workers."""

    def scale_in(self, blocks: int) -> List[Any]:
        """Remove ``blocks`` blocks; return the ids of the blocks removed."""
        ...

    def scale_out(self, blocks: int) -> List[Any]:
        """Add ``blocks`` blocks; return the ids of the blocks added."""
        ...

    @property
    def scaling_enabled(self) -> bool:
        """Whether the executor can scale at all."""
        ...


@runtime_checkable
class ReportsStatus(Protocol, metaclass=ContractMeta):
    """Reports the status of every block it knows."""

    def status(self) -> Mapping[Any, JobStatusLike]:
        """Map each known block id to its job status."""
        ...


@runtime_checkable
class HandlesBadState(Protocol, metaclass=ContractMeta):
    """Can be marked irrecoverably bad, failing all present and future tasks."""

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        """Mark the executor bad and fail every task, now and later, with ``exception``."""
        ...

    @property
    def bad_state_is_set(self) -> bool:
        """Whether the executor is in an irrecoverable error state."""
        ...

    @property
    def executor_exception(self) -> Optional[BaseException]:
        """Why the executor is in a bad state (``None`` while it is not)."""
        ...


@runtime_checkable
class HasMonitoringEndpoint(Protocol, metaclass=ContractMeta):
    """Has the monitoring hub's address and port, which Parsl assigns."""

    @property
    def hub_address(self) -> Optional[str]:
        """Address of the monitoring hub."""
        ...

    @hub_address.setter
    def hub_address(self, value: Optional[str]) -> None: ...

    @property
    def hub_port(self) -> Optional[int]:
        """Port of the monitoring hub."""
        ...

    @hub_port.setter
    def hub_port(self, value: Optional[int]) -> None: ...


@runtime_checkable
class HasRunDir(Protocol, metaclass=ContractMeta):
    """Has a run directory, which Parsl assigns."""

    @property
    def run_dir(self) -> str:
        """Path to the run directory."""
        ...

    @run_dir.setter
    def run_dir(self, value: str) -> None: ...


@runtime_checkable
class TracksTasks(Protocol, metaclass=ContractMeta):
    """Keeps every submitted task's future, keyed by a unique task id."""

    @property
    def tasks(self) -> Mapping[Any, Future[Any]]:
        """Map task ids to the futures ``submit`` returned."""
        ...


@runtime_checkable
class HasStorageAccess(Protocol, metaclass=ContractMeta):
    """Declares the staging providers used for its tasks' files (an optional member).

    Read-only and a ``Sequence`` so that it is covariant: an executor declaring
    ``storage_access: List[MyStaging]`` satisfies it, which the 2020 text's
    ``List[Staging]`` could not offer.  ``None`` means Parsl's default staging.
    """

    @property
    def storage_access(self) -> Optional[Sequence[StagingProvider]]:
        """Staging providers, or ``None`` for Parsl's defaults."""
        ...


@with_optional(HasStorageAccess)
@runtime_checkable
class ParslExecutorProtocol(
    Labelled,
    SubmitsTasks,
    HasLifecycle,
    Scalable,
    ReportsStatus,
    HandlesBadState,
    HasMonitoringEndpoint,
    HasRunDir,
    TracksTasks,
    Protocol,
    metaclass=ContractMeta,
):
    """The whole 2020 ``ParslExecutor`` contract; ``storage_access`` is optional.

    Satisfied structurally: an executor need not inherit from anything.
    """
