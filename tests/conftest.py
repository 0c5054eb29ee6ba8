"""Suite-wide options (`--run-slow` enables tests marked slow: `make test-slow`) and shared fixtures."""

from __future__ import annotations

import warnings
from typing import Any, Iterator

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (make test-slow)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[Any]:
    """One small in-process Dask cluster for the module, on the loopback interface."""
    distributed = pytest.importorskip("distributed")
    with warnings.catch_warnings():
        # The scheduler's HTTP health routes get a free loopback port, not 8787.
        cluster = distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1",
            dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )
    with cluster:
        yield cluster
