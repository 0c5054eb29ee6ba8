"""Parsl's monitoring database records a workflow through every adapter as it does for parsl's ThreadPoolExecutor.

A real DataFlowKernel with a real ``MonitoringHub`` writes its SQLite database;
the test reads it back.  Each backend's record is compared with the record of
the same workflow through parsl's own ThreadPoolExecutor: the same tasks, each
with the same states, and resource rows exactly where tasks run in other
processes.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

parsl = pytest.importorskip("parsl")
pytest.importorskip("sqlalchemy")  # parsl's monitoring database
pytestmark = pytest.mark.parsl

from parsl import python_app  # noqa: E402
from parsl.config import Config  # noqa: E402
from parsl.dataflow.dflow import DataFlowKernel  # noqa: E402
from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor  # noqa: E402
from parsl.monitoring import MonitoringHub  # noqa: E402

from parsl_executor_protocol import adapt  # noqa: E402

from . import _adapter_tasks as tasks  # noqa: E402

TIMEOUT = 60



def _executor(kind: str, request: pytest.FixtureRequest) -> Any:
    if kind == "parsl-threads":
        return ParslThreadPoolExecutor(max_threads=2, label=kind)
    if kind == "threads":
        return adapt(cf.ThreadPoolExecutor(2), label=kind)
    if kind == "processes":
        return adapt(cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")), label=kind)
    if kind == "loky":
        loky = pytest.importorskip("loky")
        return adapt(loky.ProcessPoolExecutor(2), label=kind)
    import distributed

    client = distributed.Client(request.getfixturevalue("dask_cluster"))  # type: ignore[no-untyped-call]
    return adapt(client, label=kind)


Record = Tuple[int, Dict[int, List[str]], Dict[int, Tuple[str, bool, bool]], int]


def _record(kind: str, request: pytest.FixtureRequest, run_dir: Path) -> Record:
    """Run three good apps and a failing one with monitoring on; read back what the database holds."""
    database = run_dir / "monitoring.db"
    hub = MonitoringHub(logging_endpoint=f"sqlite:///{database}", resource_monitoring_interval=0.1)
    dfk = DataFlowKernel(Config(executors=[_executor(kind, request)], run_dir=str(run_dir), monitoring=hub))
    try:
        sleep_then = python_app(tasks.sleep_then, data_flow_kernel=dfk)
        fails = python_app(tasks.raise_app_error, data_flow_kernel=dfk)
        assert [sleep_then(0.3, i).result(timeout=TIMEOUT) for i in range(3)] == [0, 1, 2]
        with pytest.raises(tasks.AppError):
            fails("no").result(timeout=TIMEOUT)
    finally:
        dfk.cleanup()
        parsl.clear()
    with sqlite3.connect(database) as db:
        states: Dict[int, List[str]] = {}
        for task_id, name in db.execute("SELECT task_id, task_status_name FROM status ORDER BY task_id"):
            states.setdefault(task_id, []).append(name)
        tries = {
            task_id: (executor, running is not None, returned is not None)
            for task_id, executor, running, returned in db.execute(
                "SELECT task_id, task_executor, task_try_time_running, task_try_time_returned FROM try"
            )
        }
        (resources,) = db.execute("SELECT count(*) FROM resource").fetchone()
        (count,) = db.execute("SELECT count(*) FROM task").fetchone()
    return count, {task: sorted(names) for task, names in states.items()}, tries, resources


@pytest.fixture(scope="module")
def reference(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Record:
    """What parsl's own ThreadPoolExecutor leaves in the database."""
    return _record("parsl-threads", request, tmp_path_factory.mktemp("monitoring-parsl"))


# Each run starts a monitoring hub (seconds): loky and Dask run with the slow tests (make test-slow).
@pytest.mark.parametrize(
    "kind", ["threads", "processes", pytest.param("loky", marks=pytest.mark.slow),
             pytest.param("dask", marks=pytest.mark.slow)],
)
def test_monitoring_records_every_task_and_state_as_for_parsls_thread_pool(
    kind: str, reference: Record, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Every task, each state transition and each try as parsl's ThreadPoolExecutor; resource rows for processes."""
    count, states, tries, resources = _record(kind, request, tmp_path)
    ref_count, ref_states, ref_tries, ref_resources = reference
    assert count == ref_count == 4
    assert states == ref_states
    assert {task: (kind, *rest) for task, (_, *rest) in ref_tries.items()} == tries
    assert ref_resources == 0  # parsl does not monitor resources of threads
    if kind in ("processes", "loky"):
        assert resources > 0
    else:
        assert resources == 0
