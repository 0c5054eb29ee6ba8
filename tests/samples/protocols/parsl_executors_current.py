"""Parsl's own executors (installed parsl) against today's contract and the 2020 one, statically."""

from parsl.data_provider.staging import Staging
from parsl.executors import FluxExecutor, HighThroughputExecutor, MPIExecutor, ThreadPoolExecutor, WorkQueueExecutor
from parsl.executors.base import ParslExecutor
from parsl.executors.globus_compute import GlobusComputeExecutor
from parsl.executors.status_handling import BlockProviderExecutor
from parsl.executors.taskvine import TaskVineExecutor
from parsl.jobs.states import JobState, JobStatus

from parsl_executor_protocol import (
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    JobStateLike,
    JobStatusLike,
    ParslExecutorProtocol,
    StagingProvider,
)


def base(x: ParslExecutor) -> CurrentParslExecutorProtocol:
    return x


def threads(x: ThreadPoolExecutor) -> CurrentParslExecutorProtocol:
    return x


def htex(x: HighThroughputExecutor) -> CurrentBlockProviderExecutorProtocol:
    return x


def mpi(x: MPIExecutor) -> CurrentBlockProviderExecutorProtocol:
    return x


def workqueue(x: WorkQueueExecutor) -> CurrentBlockProviderExecutorProtocol:
    return x


def taskvine(x: TaskVineExecutor) -> CurrentBlockProviderExecutorProtocol:
    return x


def flux(x: FluxExecutor) -> CurrentParslExecutorProtocol:
    return x


def globus_compute(x: GlobusComputeExecutor) -> CurrentParslExecutorProtocol:
    return x


def job_status(x: JobStatus) -> JobStatusLike:
    return x


def job_state(x: JobState) -> JobStateLike:
    return x


def staging(x: Staging) -> StagingProvider:
    return x


# BlockProviderExecutor declares outstanding() and workers_per_node abstract,
# so the base class itself is only checked for today's plain contract.
def block_base(x: BlockProviderExecutor) -> CurrentParslExecutorProtocol:
    return x


# Today's executors no longer have the 2020 members (scaling_enabled,
# hub_address and hub_port were removed); plain mypy does not say which.
def htex_2020(x: HighThroughputExecutor) -> ParslExecutorProtocol:
    return x
# out: 74: error: Incompatible return value type (got "HighThroughputExecutor", expected "ParslExecutorProtocol")  [return-value]
