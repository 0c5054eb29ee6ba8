"""Backend for an executor written to the 2020 Parsl contract, lifted to today's by the adapters.

The 2020 contract (:class:`~parsl_executor_protocol.ParslExecutorProtocol`)
has ``submit(func, *args, **kwargs)`` and ``shutdown() -> bool``; today's
DataFlowKernel calls ``submit(func, resource_specification, *args,
**kwargs)`` and ``shutdown()`` of today's executors.  Such an executor already
has blocks, scaling and a bad state of its own: this backend hands them through
rather than standing in for them, starts it when the DataFlowKernel starts the
adapter (after giving it the run directory), and shuts it down the 2020 way.
"""

from __future__ import annotations

from typing import Any, Callable, List, Mapping, Optional, Sequence

from ._backend import BlockReport

__all__ = ["Lifted2020Backend"]


class Lifted2020Backend:
    """Wraps an executor of the 2020 contract for the adapters."""

    #: A 2020 executor's ``submit`` returns ``concurrent.futures.Future`` objects.
    native_futures = True
    # Where its tasks run is its own business: its futures are copied by a done-callback.
    runs_inline = False
    runs_in_processes = False
    queue_runner = None
    # The 2020 submit takes no resource specification.
    supported_resources: Mapping[str, str] = {}

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.kind = f"2020-contract {type(executor).__name__}"
        label = getattr(executor, "label", None)
        self.default_label = label if isinstance(label, str) and label else type(executor).__name__
        self.submit: Callable[..., Any] = executor.submit
        self.direct_submit: Callable[..., Any] = executor.submit
        self._started = False

    def submit_with(
        self, resources: Mapping[str, Any], func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> Any:
        """Never reached: no resource keys are supported, so the adapter rejects them first."""
        raise AssertionError(f"{self.kind} supports no resource specification, got {dict(resources)!r}")

    def when_done(self, future: Any, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(future)`` once the future is done: its own done-callback."""
        future.add_done_callback(callback)

    def stop_watching(self) -> None:
        """Nothing to stop: the wrapped executor runs the done-callbacks."""

    def result(self, future: Any) -> Any:
        """The done future's result (or its exception, raised)."""
        return future.result()

    def is_fatal(self, exc: BaseException) -> bool:
        """Fatal once the executor says it is in bad state."""
        return self.broken() is not None

    def cancel(self, futures: Sequence[Any]) -> List[bool]:
        """Cancel each future; those the executor had not started will never run."""
        return [future.cancel() for future in futures]

    def close(self, *, wait: bool, kill: bool) -> None:
        """Shut it down the 2020 way: ``shutdown()`` with no arguments, its bool ignored."""
        self.executor.shutdown()

    @property
    def scaling_enabled(self) -> bool:
        """The executor's own ``scaling_enabled``."""
        return bool(self.executor.scaling_enabled)

    def scale_out(self, blocks: int) -> List[str]:
        """The executor's own ``scale_out``, its block ids as strings."""
        return [str(block) for block in self.executor.scale_out(blocks) or ()]

    def scale_in(self, blocks: int) -> List[str]:
        """The executor's own ``scale_in``, its block ids as strings."""
        return [str(block) for block in self.executor.scale_in(blocks) or ()]

    def blocks(self) -> BlockReport:
        """The executor's own ``status()``, as block id -> (state name, message)."""
        report: BlockReport = {}
        for block, status in dict(self.executor.status()).items():
            name = getattr(status, "status_name", None) or status.state.name
            report[str(block)] = (str(name), getattr(status, "message", None))
        return report

    def in_worker(self) -> bool:
        """Never known: where the executor runs its tasks is its own business."""
        return False

    def start(self, run_dir: str) -> None:
        """Give the executor the run directory the DataFlowKernel chose, then start it, once."""
        if self._started:
            return
        self._started = True
        self.executor.run_dir = run_dir
        self.executor.start()

    def broken(self) -> Optional[BaseException]:
        """The executor's ``executor_exception`` once its ``bad_state_is_set``."""
        if not self.executor.bad_state_is_set:
            return None
        exception: Optional[BaseException] = self.executor.executor_exception
        return exception if exception is not None else RuntimeError(f"{self.kind} reports a bad state")

    def set_bad_state(self, exception: Exception) -> None:
        """Put the executor in bad state too: its own ``set_bad_state_and_fail_all``."""
        self.executor.set_bad_state_and_fail_all(exception)

    def default_radio(self) -> Optional[Any]:
        """Parsl's ``FilesystemRadio``: the executor's tasks may run anywhere that shares the run directory."""
        from parsl.monitoring.radios.filesystem import FilesystemRadio

        return FilesystemRadio()
