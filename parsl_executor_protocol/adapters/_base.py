"""The state machine every adapter shares: task bookkeeping, bad state, shutdown, run context.

A *backend* (one module per kind of executor: :mod:`.futures`, :mod:`.dask`)
knows how to submit to, cancel in, scale and close the executor it wraps.  The
classes here turn any backend into a Parsl executor: :class:`ExecutorAdapter`
for today's contract, :class:`ExecutorAdapter2020` for the 2020 one.

Futures are handed back in one of two ways:

* **direct** (thread pools, by default): the pool's own futures are real
  ``concurrent.futures.Future`` objects, so they are returned as they are,
  with ``parsl_executor_task_id`` set; the bookkeeping done-callback is the
  C-level ``dict.pop``, so no Python code runs per task on the pool's threads.
  That is what Parsl's own ``ThreadPoolExecutor`` returns, at almost no extra
  cost.  Such a future can only be completed by the pool, so bad state and
  shutdown *cancel* the tasks that have not started (running tasks finish),
  and a broken pool, which fails its futures itself, is noticed when the next
  submission is refused.
* **bridged** (process pools, loky and Dask by default; any pool with
  ``bridge=True``): each task gets a future of the adapter's own, completed by
  a done-callback on the wrapped executor's future.  The adapter then owns the
  returned futures: bad state fails every pending one at once with the given
  error, and a shutdown timeout fails the ones still running.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
import sys
import threading
from concurrent.futures import CancelledError, Future, InvalidStateError, wait
from types import MappingProxyType
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar

from typing_extensions import Literal, Protocol, Self

from ..errors import (
    ExecutorBadStateError,
    ExecutorShutdownError,
    MissingExtraError,
    NotAnExecutorError,
)
from ..protocols.parsl_types import JobStatusLike
from ._parsl import job_status, resource_error_class

__all__ = ["Backend", "ExecutorAdapter", "ExecutorAdapter2020", "register_with_parsl"]

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

#: Blocks as a backend reports them: block id -> (Parsl JobState name, message).
BlockReport = Dict[str, Tuple[str, Optional[str]]]


class Backend(Protocol):
    """What an adapter needs from the executor it wraps; one implementation per kind of executor."""

    #: Human-readable kind, used in messages ("thread pool", "Dask", ...).
    kind: str
    #: Label used when ``adapt()`` is given none.
    default_label: str
    #: Whether the adapter must hand back futures of its own (see the module docstring).
    bridged: bool
    #: Whether tasks run in other processes: decides ``monitor_resources()`` and the default radio.
    runs_in_processes: bool
    #: ``resource_specification`` keys the backend understands, each with what it means.
    supported_resources: Mapping[str, str]
    @property
    def submit(self) -> Callable[..., Any]:
        """``submit(func, *args, **kwargs)``: the wrapped executor's future of ``func(*args, **kwargs)``."""
        ...

    def submit_with(self, resources: Mapping[str, Any], func: Callable[..., Any], args: Sequence[Any],
                    kwargs: Mapping[str, Any]) -> Any:
        """Submit under a non-empty, already key-checked resource specification."""
        ...

    def result(self, future: Any) -> Any:
        """Return the result of a done future of the wrapped executor, or raise its exception."""
        ...

    def is_fatal(self, exc: BaseException) -> bool:
        """Whether ``exc``, raised by a task or by ``submit``, means the executor itself is broken."""
        ...

    def cancel(self, futures: Sequence[Any]) -> List[bool]:
        """Cancel the given futures of the wrapped executor; say which will never run."""
        ...

    def close(self, *, wait: bool, kill: bool) -> None:
        """Shut the wrapped executor down; ``kill`` stops workers still running tasks where possible."""
        ...

    @property
    def scaling_enabled(self) -> bool:
        """Whether ``scale_out``/``scale_in`` can change the number of workers."""
        ...

    def scale_out(self, blocks: int) -> List[str]:
        """Add ``blocks`` blocks; return their ids."""
        ...

    def scale_in(self, blocks: int) -> List[str]:
        """Remove ``blocks`` blocks; return their ids."""
        ...

    def blocks(self) -> BlockReport:
        """Report every block the wrapped executor has now."""
        ...

    def default_radio(self) -> Optional[Any]:
        """Parsl's monitoring radio suited to where tasks run (called only when parsl is loaded)."""
        ...


# --- Parsl integration, without importing parsl -----------------------------------------------

_registered = False


def _register_if_parsl_loaded() -> bool:
    """Register :class:`ExecutorAdapter` with parsl's ``ParslExecutor`` ABC if parsl is already imported."""
    global _registered  # noqa: PLW0603  (one flag, written once)
    if _registered:
        return True
    module = sys.modules.get("parsl.executors.base")
    parsl_executor = getattr(module, "ParslExecutor", None)
    if parsl_executor is None:
        return False
    # Only today's contract: an ExecutorAdapter2020's submit() lacks
    # resource_specification, so the DataFlowKernel could not call it.
    parsl_executor.register(ExecutorAdapter)
    _registered = True
    return True


def register_with_parsl() -> None:
    """Import parsl and register :class:`ExecutorAdapter` as a virtual subclass of its ``ParslExecutor``.

    Registration also happens by itself, without importing parsl: when the
    adapters are imported after parsl, and on every ``adapt()``, adapter
    construction and ``start()`` once parsl has been imported.  Call this only
    to make ``isinstance(adapter, ParslExecutor)`` true for an adapter created
    before parsl was first imported and not yet started.
    """
    try:
        import parsl.executors.base  # noqa: F401
    except ImportError as exc:
        raise MissingExtraError(
            "register_with_parsl() needs parsl: pip install 'parsl-executor-protocol[parsl]'",
            extra="parsl",
            package="parsl",
        ) from exc
    _register_if_parsl_loaded()


# --- the adapters --------------------------------------------------------------------------------


def _backend_for(executor: object, bridge: Optional[bool]) -> Backend:
    """Pick the backend for ``executor``: a Dask client, or anything with ``submit`` and ``shutdown``."""
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(executor, distributed.Client):
        from .dask import DaskBackend

        if bridge is False:
            raise ValueError("bridge=False is impossible for a Dask client: its futures are not concurrent.futures")
        return DaskBackend(executor)
    if isinstance(executor, _AdapterCore):
        raise NotAnExecutorError(
            f"{executor!r} is already an adapter: pass it to parsl's Config directly",
            found=type(executor).__name__,
        )
    parsl_base = sys.modules.get("parsl.executors.base")
    parsl_executor = getattr(parsl_base, "ParslExecutor", None)
    if parsl_executor is not None and isinstance(executor, parsl_executor):
        raise NotAnExecutorError(
            f"{type(executor).__name__} is already a Parsl executor: pass it to parsl's Config directly "
            "(as_futures_executor() goes the other way)",
            found=type(executor).__name__,
        )
    missing = tuple(name for name in ("submit", "shutdown") if not callable(getattr(executor, name, None)))
    if missing:
        raise NotAnExecutorError(
            f"cannot adapt {type(executor).__name__}: expected a concurrent.futures.Executor (thread pool, "
            f"process pool, loky, ...) or a dask distributed.Client; it lacks {', '.join(missing)}",
            found=type(executor).__name__,
            missing=missing,
        )
    from .futures import FuturesBackend

    return FuturesBackend(executor, bridge=bridge)


# A bridged future is settled by whoever *claims* its task id (pops it from
# the tasks map): exactly one of completion, bad state, shutdown or a submit
# racing with them.  The helpers below are only called by the claimant.


def _cancel(future: Future[Any]) -> None:
    # cancel() alone leaves the future CANCELLED but not notified, and
    # concurrent.futures.wait() only counts notified ones as done; an executor
    # must also call set_running_or_notify_cancel(), as the standard pools do.
    future.cancel()
    with contextlib.suppress(RuntimeError):  # not pending (cannot happen to a claimed future)
        future.set_running_or_notify_cancel()


def _settle_result(future: Future[Any], result: Any) -> None:
    try:
        future.set_result(result)
    except InvalidStateError:  # the caller cancelled it meanwhile
        _cancel(future)


def _settle_exception(future: Future[Any], exc: BaseException) -> None:
    try:
        future.set_exception(exc)
    except InvalidStateError:
        _cancel(future)


class _AdapterCore:
    """Everything both contracts share; ``submit`` lives in the subclasses."""

    label: str
    #: The executor (or Dask client) given to ``adapt()``.
    wrapped: object
    run_dir: str
    run_id: Optional[str]
    # Assigned by the DataFlowKernel (a LogConfig, a queue, a MonitoringRadioReceiver).
    log_config: Any
    monitoring_messages: Any
    monitoring_receiver: Any
    storage_access: Optional[List[Any]]
    working_dir: Optional[str]

    def __init__(
        self,
        executor: object,
        *,
        label: Optional[str] = None,
        storage_access: Optional[List[Any]] = None,
        working_dir: Optional[str] = None,
        remote_monitoring_radio: Optional[Any] = None,
        owns_executor: bool = True,
        cancel_pending: bool = True,
        shutdown_timeout: Optional[float] = None,
        bridge: Optional[bool] = None,
    ) -> None:
        backend = _backend_for(executor, bridge)
        if label is None:
            label = backend.default_label
        if not isinstance(label, str):
            raise TypeError(f"label must be a str, found {type(label).__name__}: {label!r}")
        if not label:
            raise ValueError("label must not be empty: parsl tells executors apart by label")
        if shutdown_timeout is not None and not shutdown_timeout >= 0:
            raise ValueError(f"shutdown_timeout must be None or >= 0 seconds, found {shutdown_timeout!r}")
        self._backend = backend
        self.wrapped = executor
        self.label = label
        self.storage_access = storage_access
        self.working_dir = working_dir
        self._radio = remote_monitoring_radio
        self.run_dir = os.path.abspath(".")
        self.run_id = None
        self.log_config = None
        self.monitoring_messages = None
        self.monitoring_receiver = None
        self._owns = owns_executor
        self._cancel_pending = cancel_pending
        self._shutdown_timeout = shutdown_timeout
        self._bridged = backend.bridged
        self._pool_submit: Callable[..., Future[Any]] = backend.submit
        self._ids = itertools.count()
        # Bridged tasks: task id -> our future.  Direct tasks: the pool's future -> task id,
        # so that the bookkeeping callback can be the dict's own pop.
        self._tasks: Dict[int, Future[Any]] = {}
        self._live: Dict[Future[Any], int] = {}
        self._forget_live: Callable[[Future[Any]], Any] = self._live.pop
        self._inner: Dict[int, Any] = {}
        # Read on every submit: True once shut down or in bad state.
        self._closed = False
        self._shut_down = False
        self._exception: Optional[BaseException] = None
        self._lock = threading.Lock()
        self._scaled_in: Dict[str, None] = {}
        self._last_blocks: BlockReport = {}
        _register_if_parsl_loaded()

    def __repr__(self) -> str:
        mode = "bridged" if self._bridged else "direct"
        return f"{type(self).__name__}(label={self.label!r}, wraps={type(self.wrapped).__name__}, {mode})"

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start: the wrapped executor already runs, so this only checks the adapter is not shut down."""
        if self._shut_down:
            raise ExecutorShutdownError(
                f"executor {self.label!r} was shut down and cannot be started again", executor_label=self.label
            )
        _register_if_parsl_loaded()

    def shutdown(self) -> None:
        """Stop accepting tasks, settle every pending future, then shut the wrapped executor down.

        Tasks that have not started are cancelled (``cancel_pending=True``, the
        default; Dask cannot tell queued from running tasks, so it cancels all
        unfinished ones).  Running tasks are waited for, at most
        ``shutdown_timeout`` seconds when one was given; after that, bridged
        futures fail with :class:`ExecutorShutdownError` and the workers of
        an owned process pool (standard library or loky) are terminated;
        threads cannot be stopped and finish their task.  With
        ``owns_executor=True`` (the default) the wrapped executor is shut down
        (a Dask client is closed).  Parsl's monitoring receiver, if assigned,
        is shut down too.  Calling it again does nothing.
        """
        with self._lock:
            if self._shut_down:
                return
            self._shut_down = True
            self._closed = True
        try:
            self._remember_blocks()
            stuck = self._settle_for_shutdown()
            if self._owns:
                self._backend.close(wait=not stuck, kill=stuck)
        finally:
            receiver = self.monitoring_receiver
            if receiver is not None:
                receiver.shutdown()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> Literal[False]:
        self.shutdown()
        return False

    def _settle_for_shutdown(self) -> bool:
        if self._cancel_pending:
            self._cancel_not_started()
        pending = self._pending_futures()
        if not pending:
            return False
        _, not_done = wait(pending, timeout=self._shutdown_timeout)
        if not not_done:
            return False
        logger.warning(
            "executor %r: %d task(s) still running %ss after shutdown began", self.label, len(not_done),
            self._shutdown_timeout,
        )
        if self._bridged:
            for task_id in list(self._tasks):
                claimed = self._claim(task_id)
                if claimed is None:
                    continue
                _settle_exception(
                    claimed[0],
                    ExecutorShutdownError(
                        f"task {task_id} was still running {self._shutdown_timeout}s after executor "
                        f"{self.label!r} began to shut down",
                        executor_label=self.label,
                    ),
                )
        return True

    def _pending_futures(self) -> List[Future[Any]]:
        return list(self._tasks.values()) if self._bridged else list(self._live)

    def _cancel_not_started(self) -> None:
        if not self._bridged:
            self._backend.cancel(list(self._live))
            return
        # Tasks whose inner future is not registered yet are being submitted
        # right now; their submit sees the adapter closed and settles them.
        known = [(task_id, inner) for task_id in list(self._tasks) if (inner := self._inner.get(task_id)) is not None]
        cancelled = self._backend.cancel([inner for _, inner in known])
        for (task_id, _), gone in zip(known, cancelled, strict=True):
            claimed = self._claim(task_id) if gone else None
            if claimed is not None:
                _cancel(claimed[0])

    def _claim(self, task_id: int) -> Optional[Tuple[Future[Any], Any]]:
        """Take a bridged task out of the maps; return (its future, its inner future) if nobody else did."""
        future = self._tasks.pop(task_id, None)
        if future is None:
            return None
        return future, self._inner.pop(task_id, None)

    # -- submission ----------------------------------------------------------------------------------

    def _submit_any(
        self, func: Callable[..., Any], resource_specification: Mapping[str, Any], args: Sequence[Any],
        kwargs: Mapping[str, Any],
    ) -> Future[Any]:
        """Submit on any path: resource specification, bridging, refusal when closed."""
        if resource_specification:
            self._check_resources(resource_specification)
        if self._closed:
            raise self._refusal()
        task_id = next(self._ids)
        backend = self._backend
        if not self._bridged:
            try:
                if resource_specification:
                    future: Future[Any] = backend.submit_with(resource_specification, func, args, kwargs)
                else:
                    future = self._pool_submit(func, *args, **kwargs)
            except BaseException as exc:
                self._submission_failed(exc)
                raise
            future.parsl_executor_task_id = task_id  # type: ignore[attr-defined]
            self._live[future] = task_id
            future.add_done_callback(self._forget_live)
        else:
            future = Future()
            future.parsl_executor_task_id = task_id  # type: ignore[attr-defined]
            self._tasks[task_id] = future
            try:
                if resource_specification:
                    inner = backend.submit_with(resource_specification, func, args, kwargs)
                else:
                    inner = self._pool_submit(func, *args, **kwargs)
            except BaseException as exc:
                self._tasks.pop(task_id, None)
                self._submission_failed(exc)
                raise
            self._inner[task_id] = inner
            inner.add_done_callback(functools.partial(self._bridged_done, task_id, future))
        if self._closed:  # another thread entered bad state or shut down meanwhile
            self._closed_during_submit(task_id, future)  # type: ignore[unreachable]  # mypy keeps the narrowing
        return future

    def _check_resources(self, resource_specification: Mapping[str, Any]) -> None:
        supported = self._backend.supported_resources
        invalid = sorted(set(resource_specification) - set(supported))
        if not invalid:
            return
        if supported:
            offer = "it supports: " + "; ".join(f"{key} ({meaning})" for key, meaning in supported.items())
        else:
            offer = "it supports none: submit with an empty specification (no parsl_resource_specification)"
        message = (
            f"executor {self.label!r} ({self._backend.kind}) does not support resource_specification "
            f"key(s) {', '.join(map(repr, invalid))}; {offer}"
        )
        raise resource_error_class()(
            message, invalid_keys=frozenset(invalid), supported=tuple(supported), executor_label=self.label
        )

    def _refusal(self) -> Exception:
        if self._exception is not None:
            return ExecutorBadStateError(
                f"executor {self.label!r} is in a bad state and accepts no tasks: "
                f"{type(self._exception).__name__}: {self._exception}",
                executor_label=self.label,
                cause=self._exception,
            )
        return ExecutorShutdownError(
            f"executor {self.label!r} has been shut down and accepts no tasks", executor_label=self.label
        )

    def _submission_failed(self, exc: BaseException) -> None:
        """Turn a failed submission into the adapter's error, entering bad state if the executor broke."""
        # Raised while exc is handled, so exc becomes the refusal's __context__; a
        # bad-state refusal's __cause__ is executor_exception, which carries exc.
        if self._backend.is_fatal(exc):
            self._enter_bad_state(exc)
            raise self._refusal()
        if self._closed:
            raise self._refusal()
        if isinstance(exc, RuntimeError) and "shutdown" in str(exc):
            raise ExecutorShutdownError(
                f"executor {self.label!r}: the wrapped {type(self.wrapped).__name__} was shut down "
                f"outside the adapter and refuses tasks ({exc})",
                executor_label=self.label,
            ) from exc

    def _closed_during_submit(self, task_id: int, future: Future[Any]) -> None:
        """Settle a task registered while bad state or shutdown was being entered on another thread."""
        if not self._bridged:
            self._backend.cancel([future])  # the pool notifies waiters when it skips the task
            return
        claimed = self._claim(task_id)
        if claimed is None:
            return
        future, inner = claimed
        if inner is not None:
            self._backend.cancel([inner])
        if self._exception is not None:
            _settle_exception(future, self._exception)
        else:
            _cancel(future)

    def _bridged_done(self, task_id: int, future: Future[Any], inner: Any) -> None:
        if self._claim(task_id) is None:  # already settled by bad state or shutdown
            return
        try:
            result = self._backend.result(inner)
        except BaseException as exc:
            if isinstance(exc, CancelledError) and self._closed:  # cancelled by bad state or shutdown
                _cancel(future)
            elif not self._shut_down and self._backend.is_fatal(exc):
                self._enter_bad_state(exc)
                _settle_exception(future, self._exception or exc)
            else:
                _settle_exception(future, exc)
            return
        _settle_result(future, result)

    # -- bad state ------------------------------------------------------------------------------------

    def _enter_bad_state(self, cause: BaseException) -> None:
        if self._exception is not None or self._shut_down:
            return
        error = ExecutorBadStateError(
            f"executor {self.label!r} ({self._backend.kind}) is broken and can run no more tasks: "
            f"{type(cause).__name__}: {cause}",
            executor_label=self.label,
            cause=cause,
        )
        logger.error("%s", error)
        self.set_bad_state_and_fail_all(error)

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        """Mark the executor irrecoverably bad and fail its pending tasks; later submissions raise.

        Bridged futures fail with ``exception``.  A direct (thread pool)
        future can only be completed by its pool: the tasks that have not
        started are cancelled, running ones finish.  The first exception is
        kept as :attr:`executor_exception`.
        """
        with self._lock:
            if self._exception is None:
                self._exception = exception
            self._closed = True
        if not self._bridged:
            self._backend.cancel(list(self._live))
            return
        inner = []
        for task_id in list(self._tasks):
            claimed = self._claim(task_id)
            if claimed is None:
                continue
            if claimed[1] is not None:
                inner.append(claimed[1])
            _settle_exception(claimed[0], exception)
        if inner:
            self._backend.cancel(inner)

    @property
    def bad_state_is_set(self) -> bool:
        """Whether the executor is in an irrecoverable bad state."""
        return self._exception is not None

    @property
    def executor_exception(self) -> Optional[BaseException]:
        """Why the executor is in a bad state (``None`` while it is not)."""
        return self._exception

    # -- tasks, status, scaling --------------------------------------------------------------------------

    @property
    def tasks(self) -> Mapping[int, Future[Any]]:
        """Task id -> future, for every task not yet finished (read-only; a snapshot in direct mode)."""
        if self._bridged:
            return MappingProxyType(self._tasks)
        return MappingProxyType({task_id: future for future, task_id in list(self._live.items())})

    @property
    def scaling_enabled(self) -> bool:
        """Whether scale_out/scale_in can change the number of workers (Dask clusters that scale)."""
        return self._backend.scaling_enabled and not self._closed

    def scale_out(self, blocks: int) -> List[str]:
        """Add ``blocks`` blocks (Dask workers); return their ids (``[]`` where scaling is not possible)."""
        self._check_blocks(blocks)
        if not self.scaling_enabled or blocks == 0:
            return []
        added = self._backend.scale_out(blocks)
        for block in added:
            self._scaled_in.pop(block, None)
        return added

    def scale_in(self, blocks: int) -> List[str]:
        """Remove ``blocks`` blocks (Dask workers); return their ids (``[]`` where scaling is not possible)."""
        self._check_blocks(blocks)
        if not self.scaling_enabled or blocks == 0:
            return []
        removed = self._backend.scale_in(blocks)
        self._scaled_in.update(dict.fromkeys(removed))
        return removed

    @staticmethod
    def _check_blocks(blocks: int) -> None:
        if not isinstance(blocks, int) or isinstance(blocks, bool) or blocks < 0:
            raise ValueError(f"blocks must be an int >= 0, found {blocks!r}")

    def status(self) -> Dict[str, JobStatusLike]:
        """Map each block (a pool, or a Dask worker) to its status, as parsl's ``JobStatus`` when installed."""
        report: BlockReport
        if self._shut_down:
            report = {block: ("COMPLETED", "executor shut down") for block in self._last_blocks}
        elif self._exception is not None:
            message = f"{type(self._exception).__name__}: {self._exception}"
            report = {block: ("FAILED", message) for block in (list(self._last_blocks) or ["0"])}
        else:
            report = self._backend.blocks()
            self._last_blocks = report
        for block in self._scaled_in:
            if block not in report or report[block][0] != "RUNNING":
                report[block] = ("SCALED_IN", None)
        return {block: job_status(name, message) for block, (name, message) in report.items()}

    def _remember_blocks(self) -> None:
        # Status after shutdown reports the blocks last seen, as COMPLETED.
        if self._exception is None:
            try:
                self._last_blocks = self._backend.blocks()
            except Exception:  # a closed or unreachable executor leaves the last poll
                logger.debug("executor %r: could not poll blocks at shutdown", self.label, exc_info=True)

    # -- monitoring ----------------------------------------------------------------------------------

    @property
    def remote_monitoring_radio(self) -> Optional[Any]:
        """The radio tasks report to monitoring through; made on first read once parsl is imported.

        Threads get parsl's ``MultiprocessingQueueRadio`` (as parsl's
        ThreadPoolExecutor), processes and Dask its ``FilesystemRadio`` (as
        WorkQueue and TaskVine), which needs a filesystem shared with the workers.
        """
        if self._radio is None and sys.modules.get("parsl") is not None:
            self._radio = self._backend.default_radio()
        return self._radio

    @remote_monitoring_radio.setter
    def remote_monitoring_radio(self, value: Optional[Any]) -> None:
        self._radio = value

    def monitor_resources(self) -> bool:
        """Monitor task resources only for process pools: threads share one process tree (as parsl's)."""
        return self._backend.runs_in_processes



class ExecutorAdapter(_AdapterCore):
    """A ``concurrent.futures`` executor or Dask client as a Parsl executor of today's contract.

    Satisfies :class:`~parsl_executor_protocol.CurrentParslExecutorProtocol`
    and, once parsl is imported, is a virtual subclass of parsl's
    ``ParslExecutor``.  Usually made with :func:`~parsl_executor_protocol.adapt`.
    """

    def submit(
        self,
        func: Callable[..., _T],
        resource_specification: Dict[str, Any],
        *args: object,
        **kwargs: object,
    ) -> Future[_T]:
        """Run ``func(*args, **kwargs)``; return a real ``concurrent.futures.Future``.

        ``resource_specification`` must be empty unless the wrapped executor
        supports its keys (Dask: ``priority``, ``resources``); otherwise the
        error is parsl's ``InvalidResourceSpecification`` (also the package's
        :class:`UnsupportedResourceSpecificationError`).
        """
        if resource_specification or self._closed or self._bridged:
            return self._submit_any(func, resource_specification, args, kwargs)
        # The direct path, kept short: it is all the cost a thread pool task adds.
        task_id = next(self._ids)
        try:
            future = self._pool_submit(func, *args, **kwargs)
        except BaseException as exc:
            self._submission_failed(exc)
            raise
        future.parsl_executor_task_id = task_id  # type: ignore[attr-defined]
        self._live[future] = task_id
        future.add_done_callback(self._forget_live)
        if self._closed:  # another thread entered bad state or shut down meanwhile
            self._closed_during_submit(task_id, future)  # type: ignore[unreachable]  # mypy keeps the narrowing
        return future


class ExecutorAdapter2020(_AdapterCore):
    """A ``concurrent.futures`` executor or Dask client as a Parsl executor of the 2020 contract.

    Satisfies :class:`~parsl_executor_protocol.ParslExecutorProtocol`:
    ``submit(func, *args, **kwargs)`` without a resource specification, plus
    ``hub_address``/``hub_port``.  Today's DataFlowKernel cannot use it (its
    ``submit`` passes a resource specification), so it is not registered with
    parsl's ``ParslExecutor``.
    """

    hub_address: Optional[str] = None
    hub_port: Optional[int] = None

    def submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]:
        """Run ``func(*args, **kwargs)``; return a real ``concurrent.futures.Future``."""
        return self._submit_any(func, {}, args, kwargs)
