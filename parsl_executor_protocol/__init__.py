"""parsl-executor-protocol: the contract of a Parsl executor, stated once and checked three ways.

Importing this package is cheap: it defines the protocols and nothing else.
Parsl, mypy, hypothesis and dask are imported only by the modules that need
them.
"""

from .protocols import (
    BlockProviderRole,
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    HandlesBadState,
    HasLifecycle,
    HasMonitoringEndpoint,
    HasProvider,
    HasRunContext,
    HasRunDir,
    HasStorageAccess,
    HasWorkingDir,
    JobStateLike,
    JobStatusLike,
    Labelled,
    MonitoringReceiverLike,
    ParslExecutorProtocol,
    RadioConfigLike,
    ReportsStatus,
    Scalable,
    StagingProvider,
    StartsAndStops,
    SubmitsTasks,
    SubmitsWithResources,
    SupportsMonitoring,
    TracksTasks,
    optional_members,
    required_members,
    with_optional,
)

__version__ = "0.1.0"

__all__ = [
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
    "__version__",
    "optional_members",
    "required_members",
    "with_optional",
]
