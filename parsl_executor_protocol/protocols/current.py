"""The executor contract of today's Parsl (parsl 2026.10.26).

This is what the DataFlowKernel really reads, writes and calls on an
executor, composed of role protocols like the 2020 contract:

* ``submit`` takes the task's ``resource_specification`` (``{}`` unless the
  app passes ``parsl_resource_specification``) and must return a real
  ``concurrent.futures.Future``;
* ``run_dir``, ``run_id`` and ``log_config`` are assigned by the DataFlowKernel,
  so they must be writable;
* the monitoring members are read and written when monitoring is configured.

Scaling, status and bad-state members moved to Parsl's
``BlockProviderExecutor``; :class:`BlockProviderRole` states what that base
class adds, and :class:`CurrentBlockProviderExecutorProtocol` is the union.

Members that the DataFlowKernel *assigns* are typed ``Any`` where Parsl's type
has no structural stand-in: writable members are invariant, so any narrower
type would reject Parsl's own executors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, TypeVar, Union

from typing_extensions import Protocol, runtime_checkable

if TYPE_CHECKING:
    # Only for annotations: importing concurrent.futures costs ~6 ms (it loads
    # logging).  The runtime engine resolves the name itself.
    from concurrent.futures import Future

from ._meta import ContractMeta
from ._optional import with_optional
from .parsl_types import JobStatusLike
from .v2020 import HandlesBadState, HasStorageAccess, Labelled, TracksTasks

__all__ = [
    "BlockProviderRole",
    "CurrentBlockProviderExecutorProtocol",
    "CurrentParslExecutorProtocol",
    "HasProvider",
    "HasRunContext",
    "HasWorkingDir",
    "MonitoringReceiverLike",
    "RadioConfigLike",
    "StartsAndStops",
    "SubmitsWithResources",
    "SupportsMonitoring",
]

_T = TypeVar("_T")


@runtime_checkable
class SubmitsWithResources(Protocol, metaclass=ContractMeta):
    """Accepts tasks with a resource specification and returns a future for each."""

    def submit(
        self,
        func: Callable[..., _T],
        resource_specification: Dict[str, Any],
        *args: object,
        **kwargs: object,
    ) -> Future[_T]:
        """Run ``func(*args, **kwargs)`` under ``resource_specification``; return its future.

        The parameter names are Parsl's own.  ``*args``/``**kwargs`` are ``object``, not
        ``Any``, because mypy treats ``(*args: Any, **kwargs: Any)`` as ``...``
        and would then accept an implementation that takes no task arguments.
        An empty specification must run; keys the
        executor does not support should be rejected with a clear error.
        """
        ...


@runtime_checkable
class StartsAndStops(Protocol, metaclass=ContractMeta):
    """Can be started and shut down (``shutdown`` returns ``None`` since 2023)."""

    def start(self) -> None:
        """Start the executor; called by the DataFlowKernel after it assigns the run context."""
        ...

    def shutdown(self) -> None:
        """Shut the executor down, resolving or cancelling every pending future."""
        ...


@runtime_checkable
class HasRunContext(Protocol, metaclass=ContractMeta):
    """Has the run context the DataFlowKernel assigns before ``start()``."""

    @property
    def run_dir(self) -> str:
        """Path to the run directory."""
        ...

    @run_dir.setter
    def run_dir(self, value: str) -> None: ...

    @property
    def run_id(self) -> Optional[str]:
        """Identifier of the enclosing DataFlowKernel's run."""
        ...

    @run_id.setter
    def run_id(self, value: Optional[str]) -> None: ...

    # Parsl's LogConfig: assigned, hence invariant, hence Any.
    log_config: Any


@runtime_checkable
class MonitoringReceiverLike(Protocol, metaclass=ContractMeta):
    """Receives monitoring messages; the executor must shut it down (Parsl's ``MonitoringRadioReceiver``)."""

    def shutdown(self) -> None:
        """Stop receiving."""
        ...


@runtime_checkable
class RadioConfigLike(Protocol, metaclass=ContractMeta):
    """How tasks report resource usage to monitoring (Parsl's ``RadioConfig``)."""

    def create_receiver(self, *, run_dir: str, resource_msgs: Any) -> MonitoringReceiverLike:
        """Create the receiving end, run by the submitting side."""
        ...

    def create_sender(self) -> Any:
        """Create the sending end, run next to each task."""
        ...


@runtime_checkable
class SupportsMonitoring(Protocol, metaclass=ContractMeta):
    """Takes part in Parsl monitoring."""

    @property
    def remote_monitoring_radio(self) -> Optional[RadioConfigLike]:
        """Radio tasks use to report resources; must not be ``None`` with resource monitoring on."""
        ...

    # Assigned by the DataFlowKernel when monitoring is configured.
    monitoring_messages: Any
    monitoring_receiver: Any

    def monitor_resources(self) -> bool:
        """Whether Parsl should monitor the resources of this executor's tasks."""
        ...


@runtime_checkable
class HasProvider(Protocol, metaclass=ContractMeta):
    """Has an execution provider (optional: the DataFlowKernel checks with ``hasattr``)."""

    @property
    def provider(self) -> Optional[Any]:
        """The execution provider, or ``None``."""
        ...


@runtime_checkable
class HasWorkingDir(Protocol, metaclass=ContractMeta):
    """Has a working directory (optional: needed for non-``file://`` staging)."""

    @property
    def working_dir(self) -> Optional[str]:
        """Directory staging providers stage files into."""
        ...


@with_optional(HasStorageAccess, HasProvider, HasWorkingDir)
@runtime_checkable
class CurrentParslExecutorProtocol(
    Labelled,
    SubmitsWithResources,
    StartsAndStops,
    HasRunContext,
    SupportsMonitoring,
    Protocol,
    metaclass=ContractMeta,
):
    """The executor contract of parsl 2026.10.26.

    ``storage_access``, ``provider`` and ``working_dir`` are optional members.
    """


@runtime_checkable
class BlockProviderRole(HandlesBadState, TracksTasks, Protocol, metaclass=ContractMeta):
    """What Parsl's ``BlockProviderExecutor`` adds: block status, scaling, bad state, polling.

    Parsl polls, scales and error-handles only executors that are
    ``isinstance(e, BlockProviderExecutor)``, a nominal check; this protocol
    states the members those code paths use.
    """

    def status(self) -> Mapping[str, JobStatusLike]:
        """Map each known block id to its job status (polls the provider)."""
        ...

    @property
    def status_facade(self) -> Mapping[str, JobStatusLike]:
        """The most recently polled status, without polling."""
        ...

    @property
    def status_polling_interval(self) -> Union[int, float]:
        """Seconds between ``status()`` polls; zero disables polling."""
        ...

    def poll_facade(self) -> None:
        """Poll ``status()`` if the polling interval has elapsed."""
        ...

    # The poller passes Parsl's JobStatus values; parameters are contravariant
    # and Dict is invariant, so only Any admits Parsl's own Dict[str, JobStatus].
    def handle_errors(self, status: Dict[str, Any]) -> None:
        """React to the polled block status (e.g. set bad state after repeated failures)."""
        ...

    def scale_in(self, blocks: int) -> List[str]:
        """Remove ``blocks`` blocks; return the ids removed."""
        ...

    def scale_out_facade(self, n: int) -> List[str]:
        """Launch ``n`` blocks; return the ids launched."""
        ...

    def scale_in_facade(self, n: int, max_idletime: Optional[float] = None) -> List[str]:
        """Scale in by ``n`` blocks, recording them as scaled in; return the ids removed."""
        ...

    def outstanding(self) -> int:
        """Number of tasks waiting or running."""
        ...

    @property
    def workers_per_node(self) -> Union[int, float]:
        """Workers each node of a block runs."""
        ...

    @property
    def provider(self) -> Optional[Any]:
        """The execution provider blocks are launched through."""
        ...


@with_optional(HasStorageAccess, HasWorkingDir)
@runtime_checkable
class CurrentBlockProviderExecutorProtocol(
    CurrentParslExecutorProtocol, BlockProviderRole, Protocol, metaclass=ContractMeta
):
    """Today's contract for executors built on ``BlockProviderExecutor`` (such as HighThroughputExecutor)."""
