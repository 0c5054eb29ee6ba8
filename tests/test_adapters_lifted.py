"""Executors written to the 2020 Parsl contract, lifted by ``adapt()`` to today's and run by a real DataFlowKernel."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

parsl = pytest.importorskip("parsl")
pytestmark = pytest.mark.parsl

from parsl import python_app  # noqa: E402
from parsl.config import Config  # noqa: E402
from parsl.dataflow.dflow import DataFlowKernel  # noqa: E402
from parsl.executors.errors import InvalidResourceSpecification  # noqa: E402
from parsl.jobs.states import JobState, JobStatus  # noqa: E402

from parsl_executor_protocol import CurrentParslExecutorProtocol, ParslExecutorProtocol, adapt, conforms  # noqa: E402

from . import _adapter_tasks as tasks  # noqa: E402
from .fixtures_abc2020 import Concrete2020Executor  # noqa: E402

TIMEOUT = 60


class Threaded2020Executor(Concrete2020Executor):
    """A 2020-contract executor with blocks: tasks run on a thread pool; scaling adds blocks."""

    def __init__(self, label: str = "old") -> None:
        super().__init__(label)
        self.pool = cf.ThreadPoolExecutor(2)
        self.blocks: Dict[str, JobStatus] = {"0": JobStatus(JobState.RUNNING)}
        self.calls: List[str] = []

    def start(self) -> None:
        self.calls.append(f"start {self.run_dir}")

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> cf.Future[Any]:
        future = self.pool.submit(func, *args, **kwargs)
        self._tasks[len(self._tasks)] = future
        return future

    @property
    def scaling_enabled(self) -> bool:
        return True

    def scale_out(self, blocks: int) -> List[object]:
        new = [str(len(self.blocks) + i) for i in range(blocks)]
        self.blocks.update({block: JobStatus(JobState.RUNNING) for block in new})
        return list(new)

    def scale_in(self, blocks: int) -> List[object]:
        gone = sorted(self.blocks)[-blocks:]
        for block in gone:
            self.blocks[block] = JobStatus(JobState.CANCELLED)
        return list(gone)

    def status(self) -> Dict[object, Any]:
        return {block: status for block, status in self.blocks.items()}

    def shutdown(self) -> bool:  # the 2020 contract: no arguments, a bool back
        self.calls.append("shutdown")
        self.pool.shutdown(wait=True)
        return True

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        self.calls.append(f"bad state: {exception}")
        super().set_bad_state_and_fail_all(exception)


def test_a_2020_executor_runs_under_a_real_dataflow_kernel(tmp_path: Path) -> None:
    """Apps run, dfk.cleanup() shuts the 2020 executor down the 2020 way, and the adapter is today's contract."""
    old = Threaded2020Executor()
    assert conforms(old, ParslExecutorProtocol)
    adapter = adapt(old)
    assert adapter.label == "old"
    assert isinstance(adapter, CurrentParslExecutorProtocol)
    dfk = DataFlowKernel(Config(executors=[adapter], run_dir=str(tmp_path)))
    try:
        add = python_app(tasks.add, data_flow_kernel=dfk)
        assert add(add(1, 2), 3).result(timeout=TIMEOUT) == 6
        assert old.calls == [f"start {adapter.run_dir}"]
        assert adapter.run_dir.startswith(str(tmp_path))
    finally:
        dfk.cleanup()
        parsl.clear()
    assert old.calls[-1] == "shutdown"


def test_the_lifted_executor_keeps_its_scaling_status_and_bad_state() -> None:
    """Scaling and status are the 2020 executor's own; bad state reaches it; resources are refused."""
    old = Threaded2020Executor()
    adapter = adapt(old)
    adapter.start()
    assert adapter.scaling_enabled
    assert adapter.scale_out(2) == ["1", "2"]
    assert adapter.scale_in(1) == ["2"]
    assert {block: status.state for block, status in adapter.status().items()} == {
        "0": JobState.RUNNING, "1": JobState.RUNNING, "2": JobState.SCALED_IN,  # as parsl marks what it scaled in
    }
    with pytest.raises(InvalidResourceSpecification, match="does not support resource_specification key"):
        adapter.submit(tasks.add, {"cores": 2}, 1, 1)
    assert adapter.submit(tasks.add, {}, 1, 1).result(timeout=TIMEOUT) == 2
    error = RuntimeError("provider lost")
    adapter.set_bad_state_and_fail_all(error)
    assert old.bad_state_is_set
    assert old.calls[-1] == "bad state: provider lost"
    assert adapter.executor_exception is error
    adapter.shutdown()
    assert old.calls[-1] == "shutdown"


def test_bad_state_entered_by_the_2020_executor_is_the_adapters() -> None:
    """A 2020 executor that goes bad by itself makes the adapter report bad state and refuse tasks."""
    old = Threaded2020Executor()
    adapter = adapt(old)
    adapter.start()
    old.set_bad_state_and_fail_all(RuntimeError("blocks failed"))
    assert adapter.bad_state_is_set
    assert str(adapter.executor_exception) == "blocks failed"
    with pytest.raises(Exception, match="bad state"):
        adapter.submit(tasks.add, {}, 1, 1)
    adapter.shutdown()
