"""parsl-executor-protocol: the contract of a Parsl executor, stated once and checked three ways.

Importing this package is cheap: it defines the protocols and nothing else.
Parsl, mypy, hypothesis and dask are imported only by the modules that need
them.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from .declare import implemented_protocols, implements
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

# Public names that live in modules with heavier imports (or that later
# capabilities add): resolved on first access so that `import
# parsl_executor_protocol` stays cheap.  Maps each name to its module.
_LAZY: dict[str, str] = {
    "ConformanceError": ".errors",
    "ConformanceReport": ".checking",
    "Violation": ".checking",
    "ViolationKind": ".checking",
    "assert_conforms": ".checking",
    "check": ".checking",
    "clear_cache": ".checking",
    "conforms": ".checking",
    "ExecutorAdapter": ".adapters",
    "ExecutorAdapter2020": ".adapters",
    "ParslFuturesExecutor": ".adapters",
    "adapt": ".adapters",
    "as_futures_executor": ".adapters",
    "register_with_parsl": ".adapters",
}

if _TYPE_CHECKING:  # lazy names, typed for static checkers
    from .adapters import (
        ExecutorAdapter,
        ExecutorAdapter2020,
        ParslFuturesExecutor,
        adapt,
        as_futures_executor,
        register_with_parsl,
    )
    from .checking import (
        ConformanceReport,
        Violation,
        ViolationKind,
        assert_conforms,
        check,
        clear_cache,
        conforms,
    )
    from .errors import ConformanceError


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "ConformanceError",
    "ConformanceReport",
    "Violation",
    "ViolationKind",
    "assert_conforms",
    "check",
    "clear_cache",
    "conforms",
    "ExecutorAdapter",
    "ExecutorAdapter2020",
    "ParslFuturesExecutor",
    "adapt",
    "as_futures_executor",
    "register_with_parsl",
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
    "implemented_protocols",
    "implements",
    "optional_members",
    "required_members",
    "with_optional",
]
