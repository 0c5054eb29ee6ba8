"""Executors for testing the behavioural kit: a correct 2020-contract executor and broken variants.

``Reference2020Executor`` follows the 2020 interface text to the letter (a
thread pool, simulated blocks, bad state, a ``tasks`` map that keeps every
future).  Each ``Broken*`` class breaks exactly one rule; ``BROKEN_2020`` and
``BROKEN_CURRENT`` map each to the rule the kit must name.  The current-contract
variants subclass parsl's own ``ThreadPoolExecutor``.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Dict, List, Optional, Tuple

from parsl.executors import ThreadPoolExecutor


class BlockState(IntEnum):
    """A block's state; an IntEnum like parsl's JobState."""

    RUNNING = 2
    CANCELLED = 3


@dataclass
class BlockStatus:
    """A block's status, shaped like parsl's JobStatus."""

    state: BlockState
    message: Optional[str] = None

    @property
    def terminal(self) -> bool:
        return self.state is BlockState.CANCELLED

    @property
    def status_name(self) -> str:
        return self.state.name


class Reference2020Executor:
    """A correct executor for the 2020 contract: thread pool, simulated blocks, bad state."""

    def __init__(self, label: str = "reference2020", max_workers: int = 2, scaling_enabled: bool = True) -> None:
        self.label = label
        self._max_workers = max_workers
        self._pool: Optional[cf.ThreadPoolExecutor] = None
        self._lock = threading.Lock()
        self._tasks: Dict[object, Future[Any]] = {}
        self._task_ids = itertools.count()
        self._exception: Optional[Exception] = None
        self._blocks: Dict[object, BlockStatus] = {}
        self._block_ids = itertools.count()
        self._scaling_enabled = scaling_enabled
        self._hub_address: Optional[str] = None
        self._hub_port: Optional[int] = None
        self._run_dir = "."

    def start(self) -> None:
        self._pool = cf.ThreadPoolExecutor(self._max_workers, thread_name_prefix=self.label)

    def _settle(self, future: Future[Any], result: Any = None, error: Optional[BaseException] = None) -> None:
        with self._lock:
            if future.done():  # already failed by bad state
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)

    def _run(
        self, future: Future[Any], func: Callable[..., Any], args: Tuple[Any, ...], kwargs: Dict[str, Any]
    ) -> None:
        with self._lock:
            if not future.set_running_or_notify_cancel():
                return
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            self._settle(future, error=exc)
        else:
            self._settle(future, result=result)

    def _record(self, future: Future[Any]) -> None:
        self._tasks[next(self._task_ids)] = future

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        assert self._pool is not None, "start() first"
        future: Future[Any] = Future()
        with self._lock:
            self._record(future)
            if self._exception is not None:
                future.set_exception(RuntimeError(f"executor {self.label} is in bad state: {self._exception}"))
                return future
        self._pool.submit(self._run, future, func, args, kwargs)
        return future

    def shutdown(self) -> bool:
        with self._lock:
            for future in self._tasks.values():
                future.cancel()  # only tasks that have not started
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        return True

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        with self._lock:
            self._exception = exception
            for future in self._tasks.values():
                if not future.done():
                    future.set_exception(exception)

    @property
    def bad_state_is_set(self) -> bool:
        return self._exception is not None

    @property
    def executor_exception(self) -> Optional[Exception]:
        return self._exception

    def scale_out(self, blocks: int) -> List[object]:
        if not self.scaling_enabled:
            return []
        added: List[object] = []
        for _ in range(blocks):
            block_id = f"block-{next(self._block_ids)}"
            self._blocks[block_id] = BlockStatus(BlockState.RUNNING)
            added.append(block_id)
        return added

    def scale_in(self, blocks: int) -> List[object]:
        live = [block_id for block_id, status in self._blocks.items() if not status.terminal][:blocks]
        for block_id in live:
            self._blocks[block_id] = BlockStatus(BlockState.CANCELLED, "scaled in")
        return list(live)

    def status(self) -> Dict[object, BlockStatus]:
        return dict(self._blocks)

    @property
    def scaling_enabled(self) -> bool:
        return self._scaling_enabled

    @property
    def tasks(self) -> Dict[object, Future[Any]]:
        return self._tasks

    @property
    def hub_address(self) -> Optional[str]:
        return self._hub_address

    @hub_address.setter
    def hub_address(self, value: Optional[str]) -> None:
        self._hub_address = value

    @property
    def hub_port(self) -> Optional[int]:
        return self._hub_port

    @hub_port.setter
    def hub_port(self, value: Optional[int]) -> None:
        self._hub_port = value

    @property
    def run_dir(self) -> str:
        return self._run_dir

    @run_dir.setter
    def run_dir(self, value: str) -> None:
        self._run_dir = value


# --- broken 2020 executors: one rule each --------------------------------------------------------

_FOREVER = threading.Event()  # never set while a test runs: stands for "blocks forever"


class BrokenLabel(Reference2020Executor):
    """Has an empty label."""

    def __init__(self) -> None:
        super().__init__(label="")


class BrokenReturnsNonFuture(Reference2020Executor):
    """Returns a look-alike instead of a concurrent.futures.Future."""

    class LookAlike:
        def __init__(self, future: Future[Any]) -> None:
            self.result = future.result

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return self.LookAlike(super().submit(func, *args, **kwargs))


class BrokenSubmitBlocks(Reference2020Executor):
    """submit() never returns."""

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        _FOREVER.wait()
        return super().submit(func, *args, **kwargs)


class BrokenNeverResolves(Reference2020Executor):
    """Returns futures that never resolve."""

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        self._record(future)
        return future


class BrokenDropsKeywords(Reference2020Executor):
    """Runs func(*args), dropping the keyword arguments."""

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        return super().submit(func, *args)


class BrokenSwallowsExceptions(Reference2020Executor):
    """Completes a raising task's future with None."""

    def _settle(self, future: Future[Any], result: Any = None, error: Optional[BaseException] = None) -> None:
        super()._settle(future, result=None if error is not None else result)


class BrokenWrapsExceptions(Reference2020Executor):
    """Replaces a task's exception with a RuntimeError: the type is lost."""

    def _settle(self, future: Future[Any], result: Any = None, error: Optional[BaseException] = None) -> None:
        wrapped = None if error is None else RuntimeError(f"task failed: {error}")
        super()._settle(future, result=result, error=wrapped)


class BrokenLosesTasks(Reference2020Executor):
    """Never records tasks in `tasks`."""

    def _record(self, future: Future[Any]) -> None:
        pass


class BrokenReusesTaskIds(Reference2020Executor):
    """Keys tasks by len(tasks) after forgetting finished ones: ids collide and futures are lost."""

    def _record(self, future: Future[Any]) -> None:
        self._tasks[len(self._tasks) % 2] = future


class BrokenForgetsFinishedTasks(Reference2020Executor):
    """Drops finished tasks from `tasks` (allowed today, not by the 2020 text)."""

    def _settle(self, future: Future[Any], result: Any = None, error: Optional[BaseException] = None) -> None:
        with self._lock:
            for key, value in list(self._tasks.items()):
                if value is future:
                    del self._tasks[key]
        super()._settle(future, result=result, error=error)


class BrokenIgnoresBadState(Reference2020Executor):
    """Records bad state but fails no pending task."""

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        self._exception = exception


class BrokenRunsAfterBadState(Reference2020Executor):
    """Fails pending tasks on bad state, then keeps running new ones."""

    def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        saved, self._exception = self._exception, None
        try:
            return super().submit(func, *args, **kwargs)
        finally:
            self._exception = saved


class BrokenBadStateFlag(Reference2020Executor):
    """Fails everything on bad state, but bad_state_is_set stays False."""

    @property
    def bad_state_is_set(self) -> bool:
        return False


class BrokenShutdownBlocks(Reference2020Executor):
    """shutdown() never returns."""

    def shutdown(self) -> bool:
        _FOREVER.wait()
        return True


class BrokenShutdownAbandonsPending(Reference2020Executor):
    """shutdown() drops queued tasks without resolving their futures."""

    def shutdown(self) -> bool:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        return True


class BrokenShutdownReturnsText(Reference2020Executor):
    """shutdown() returns a string."""

    def shutdown(self) -> Any:
        super().shutdown()
        return "shut down"


class BrokenScaleOutTuple(Reference2020Executor):
    """scale_out() returns a tuple."""

    def scale_out(self, blocks: int) -> Any:
        return tuple(super().scale_out(blocks))


class BrokenScaleInNone(Reference2020Executor):
    """scale_in() returns None."""

    def scale_in(self, blocks: int) -> Any:
        super().scale_in(blocks)
        return None


class BrokenStatusMissesBlocks(Reference2020Executor):
    """status() never reports any block."""

    def status(self) -> Dict[object, BlockStatus]:
        return {}


class BrokenStatusStrings(Reference2020Executor):
    """status() maps blocks to strings, not job statuses."""

    def status(self) -> Any:
        return {block_id: status.state.name for block_id, status in self._blocks.items()}


class BrokenScalingEnabledLies(Reference2020Executor):
    """scaling_enabled is False, yet scale_out adds blocks."""

    @property
    def scaling_enabled(self) -> bool:
        return False

    def scale_out(self, blocks: int) -> List[object]:
        added: List[object] = [f"block-{next(self._block_ids)}" for _ in range(blocks)]
        self._blocks.update({str(block_id): BlockStatus(BlockState.RUNNING) for block_id in added})
        return added


class BrokenRunDir(Reference2020Executor):
    """run_dir ignores what is assigned."""

    @property
    def run_dir(self) -> str:
        return "."

    @run_dir.setter
    def run_dir(self, value: str) -> None:
        pass


class BrokenHubPortReadOnly(Reference2020Executor):
    """hub_port cannot be assigned."""

    @property  # type: ignore[misc]  # read-only on purpose: that is the defect
    def hub_port(self) -> Optional[int]:
        return None


#: Each broken 2020 executor, with the rule the kit must name.
BROKEN_2020: Dict[type, str] = {
    BrokenLabel: "label",
    BrokenReturnsNonFuture: "submit-returns-future",
    BrokenSubmitBlocks: "submit-returns-future",
    BrokenNeverResolves: "submit-result",
    BrokenDropsKeywords: "submit-result",
    BrokenSwallowsExceptions: "exception-propagates",
    BrokenWrapsExceptions: "exception-propagates",
    BrokenLosesTasks: "tasks-tracks-every-future",
    BrokenReusesTaskIds: "tasks-tracks-every-future",
    BrokenForgetsFinishedTasks: "tasks-tracks-every-future",
    BrokenIgnoresBadState: "bad-state-fails-pending",
    BrokenRunsAfterBadState: "bad-state-fails-later",
    BrokenBadStateFlag: "bad-state-flags",
    BrokenShutdownBlocks: "shutdown-returns",
    BrokenShutdownAbandonsPending: "shutdown-resolves-pending",
    BrokenShutdownReturnsText: "shutdown-returns",
    BrokenScaleOutTuple: "scaling-returns-lists",
    BrokenScaleInNone: "scaling-returns-lists",
    BrokenStatusMissesBlocks: "status-reports-blocks",
    BrokenStatusStrings: "status-reports-blocks",
    BrokenScalingEnabledLies: "scaling-enabled-consistent",
    BrokenRunDir: "assignable-round-trip",
    BrokenHubPortReadOnly: "assignable-round-trip",
}


# --- broken executors for today's contract (parsl's ThreadPoolExecutor, one rule broken) ---------


class BrokenAcceptsUnsupportedResources(ThreadPoolExecutor):
    """Ignores the resource specification silently."""

    def submit(
        self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        return super().submit(func, {}, *args, **kwargs)  # type: ignore[no-untyped-call]


class BrokenRejectsVaguely(ThreadPoolExecutor):
    """Rejects an unsupported key without saying which."""

    def submit(
        self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        if resource_specification:
            raise ValueError("bad resource specification")
        return super().submit(func, {}, *args, **kwargs)  # type: ignore[no-untyped-call]


class BrokenRejectsEmptySpecification(ThreadPoolExecutor):
    """Rejects even an empty specification."""

    def submit(
        self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any, **kwargs: Any
    ) -> Any:
        raise ValueError(f"unsupported resource specification {resource_specification!r}")


class BrokenRunId(ThreadPoolExecutor):
    """run_id ignores what the DataFlowKernel assigns."""

    @property
    def run_id(self) -> Optional[str]:
        return None

    @run_id.setter
    def run_id(self, value: Optional[str]) -> None:
        pass


#: Each broken current-contract executor, with the rule the kit must name.
BROKEN_CURRENT: Dict[type, str] = {
    BrokenAcceptsUnsupportedResources: "unsupported-resources-rejected",
    BrokenRejectsVaguely: "unsupported-resources-rejected",
    BrokenRejectsEmptySpecification: "empty-resource-specification-runs",
    BrokenRunId: "assignable-round-trip",
}
