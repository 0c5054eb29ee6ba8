"""The executor contracts, as protocols: Parsl's 2020 interface and today's.

:class:`ParslExecutorProtocol` (the 2020 contract) is the default; the
contract of parsl 2026.10.26 is :class:`CurrentParslExecutorProtocol`.  Both
are composed of role protocols, one per concern.  :class:`ContractMeta` is
their metaclass: a protocol of your own declared with it is checked by the
same engine.
"""

from ._contracts import CONTRACTS, DEFAULT_CONTRACT, RUNTIME_CONTRACT, Contract, contract_protocol
from ._meta import ContractMeta
from ._optional import optional_members, required_members, with_optional
from .current import (
    BlockProviderRole,
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    HasProvider,
    HasRunContext,
    HasWorkingDir,
    MonitoringReceiverLike,
    RadioConfigLike,
    StartsAndStops,
    SubmitsWithResources,
    SupportsMonitoring,
)
from .parsl_types import JobStateLike, JobStatusLike, StagingProvider
from .v2020 import (
    HandlesBadState,
    HasLifecycle,
    HasMonitoringEndpoint,
    HasRunDir,
    HasStorageAccess,
    Labelled,
    ParslExecutorProtocol,
    ReportsStatus,
    Scalable,
    SubmitsTasks,
    TracksTasks,
)

__all__ = [
    "CONTRACTS",
    "DEFAULT_CONTRACT",
    "RUNTIME_CONTRACT",
    "Contract",
    "ContractMeta",
    "contract_protocol",
    "BlockProviderRole",
    "CurrentBlockProviderExecutorProtocol",
    "CurrentParslExecutorProtocol",
    "HandlesBadState",
    "HasLifecycle",
    "HasMonitoringEndpoint",
    "HasProvider",
    "HasRunContext",
    "HasRunDir",
    "HasStorageAccess",
    "HasWorkingDir",
    "JobStateLike",
    "JobStatusLike",
    "Labelled",
    "MonitoringReceiverLike",
    "ParslExecutorProtocol",
    "RadioConfigLike",
    "ReportsStatus",
    "Scalable",
    "StagingProvider",
    "StartsAndStops",
    "SubmitsTasks",
    "SubmitsWithResources",
    "SupportsMonitoring",
    "TracksTasks",
    "optional_members",
    "required_members",
    "with_optional",
]
