"""Parsl's own executors (installed parsl) through the call form, against today's contract and the 2020 one."""

from parsl.executors import FluxExecutor, HighThroughputExecutor, MPIExecutor, ThreadPoolExecutor, WorkQueueExecutor
from parsl.executors.base import ParslExecutor
from parsl.executors.globus_compute import GlobusComputeExecutor
from parsl.executors.taskvine import TaskVineExecutor

from parsl_executor_protocol import (
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    ParslExecutorProtocol,
    implements,
)

implements(CurrentParslExecutorProtocol)(ThreadPoolExecutor)
implements(CurrentParslExecutorProtocol)(HighThroughputExecutor)
implements(CurrentParslExecutorProtocol)(MPIExecutor)
implements(CurrentParslExecutorProtocol)(WorkQueueExecutor)
implements(CurrentParslExecutorProtocol)(TaskVineExecutor)
implements(CurrentParslExecutorProtocol)(FluxExecutor)
implements(CurrentParslExecutorProtocol)(GlobusComputeExecutor)
implements(CurrentParslExecutorProtocol)(ParslExecutor)

implements(CurrentBlockProviderExecutorProtocol)(HighThroughputExecutor)
implements(CurrentBlockProviderExecutorProtocol)(MPIExecutor)
implements(CurrentBlockProviderExecutorProtocol)(WorkQueueExecutor)
implements(CurrentBlockProviderExecutorProtocol)(TaskVineExecutor)

# Today's executors no longer have the 2020 scaling and monitoring-hub members.
implements(ParslExecutorProtocol)(HighThroughputExecutor)
# out: 30: error: Class "HighThroughputExecutor" does not implement protocol "ParslExecutorProtocol"  [implements]
# out: 30: note: Missing member "hub_address": expected "str | None"
# out: 30: note: Missing member "hub_port": expected "int | None"
# out: 30: note: Missing member "scale_out": expected "def scale_out(self, blocks: int) -> list[Any]"
# out: 30: note: Missing member "scaling_enabled": expected "bool"
# out: 30: note: Incompatible member "submit": expected "def [_T] submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]", got "def submit(self, func: Callable[..., Any], resource_specification: dict[Any, Any], *args: Any, **kwargs: Any) -> HTEXFuture"
