"""The real, installed parsl against the package's stand-ins and today's contract, at run time."""

from __future__ import annotations

import pytest

from parsl_executor_protocol import (
    BlockProviderRole,
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    JobStateLike,
    JobStatusLike,
    ParslExecutorProtocol,
    StagingProvider,
    required_members,
)

parsl = pytest.importorskip("parsl")
pytestmark = pytest.mark.parsl

from parsl.data_provider.staging import Staging  # noqa: E402
from parsl.executors import HighThroughputExecutor, ThreadPoolExecutor  # noqa: E402
from parsl.jobs.states import JobState, JobStatus  # noqa: E402


def test_parsl_job_status_satisfies_stand_in() -> None:
    """Parsl's JobStatus and JobState members have the stand-ins' shape."""
    status = JobStatus(JobState.RUNNING, message="ok")
    assert isinstance(status, JobStatusLike)
    assert isinstance(JobState.RUNNING, JobStateLike)
    assert status.status_name == JobState.RUNNING.name


def test_parsl_staging_satisfies_stand_in() -> None:
    """Parsl's Staging base class and its default providers are StagingProviders."""
    from parsl.data_provider.data_manager import default_staging

    assert isinstance(Staging(), StagingProvider)
    for provider in default_staging:
        assert isinstance(provider, StagingProvider), provider


@pytest.mark.parametrize("factory", [ThreadPoolExecutor, HighThroughputExecutor])
def test_parsl_executors_satisfy_current_contract(factory: type) -> None:
    """Parsl's ThreadPoolExecutor and HighThroughputExecutor satisfy today's contract."""
    executor = factory()
    assert isinstance(executor, CurrentParslExecutorProtocol)


def test_htex_satisfies_block_provider_contract() -> None:
    """HighThroughputExecutor, a BlockProviderExecutor, satisfies the block-provider contract."""
    assert isinstance(HighThroughputExecutor(), CurrentBlockProviderExecutorProtocol)


def test_thread_pool_is_not_a_block_provider() -> None:
    """ThreadPoolExecutor lacks status and scaling: Parsl never polls or scales it."""
    executor = ThreadPoolExecutor()
    assert not isinstance(executor, BlockProviderRole)
    missing = {name for name in required_members(BlockProviderRole) if not hasattr(executor, name)}
    assert {"status", "scale_in", "scale_out_facade", "bad_state_is_set"} <= missing


def test_todays_executors_miss_the_2020_members() -> None:
    """No current parsl executor has the 2020 members that were removed since (hub_*, scaling_enabled)."""
    executors: tuple[object, ...] = (ThreadPoolExecutor(), HighThroughputExecutor())
    for executor in executors:
        assert not isinstance(executor, ParslExecutorProtocol)
        missing = {name for name in required_members(ParslExecutorProtocol) if not hasattr(executor, name)}
        assert {"hub_address", "hub_port", "scaling_enabled"} <= missing
