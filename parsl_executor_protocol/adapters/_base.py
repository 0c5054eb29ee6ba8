"""The state machine every adapter shares: task bookkeeping, bad state, shutdown, run context.

A *backend* (one module per kind of executor: :mod:`.futures`, :mod:`.dask`;
the interface they implement is :class:`._backend.Backend`) knows how to
submit to, cancel in, scale and close the executor it wraps.  The classes here
turn any backend into a Parsl executor: :class:`ExecutorAdapter` for today's
contract, :class:`ExecutorAdapter2020` for the 2020 one.  This module imports
no backend: :mod:`._select` picks one for each executor (see
:func:`set_backend_chooser`).

By default every future handed back is the adapter's own (a plain
``concurrent.futures.Future``), so that the adapter can settle it whatever the
wrapped executor does; it is completed in one of two ways:

* **runner** (thread pools): the pool runs :func:`_run`, which marks the
  adapter's future running, calls the task and sets its outcome on the future,
  all on the pool's thread.  No callback chain, no second result hand-over.
* **callback** (process pools, loky, Dask, other look-alikes): one
  ``add_done_callback`` on the wrapped executor's future copies its outcome
  (on the pool's result thread), or the backend hands outcomes over in
  batches (Dask: see :mod:`.dask`).

Either way ``set_bad_state_and_fail_all(exc)`` fails every pending future at
once with ``exc``, as parsl's ``BlockProviderExecutor`` does, running tasks
included (their eventual outcome is dropped); a shutdown timeout fails the
tasks still running; and a wrapped future that ends without running its task
(a broken pool fails all its queued futures; a pool shut down from outside
cancels them) still settles the adapter's future.

* **direct** (opt-in, ``bridge=False``): the wrapped executor's own futures
  are handed back with ``parsl_executor_task_id`` set, which costs next to
  nothing over the bare pool.  Only the pool can complete such a future, so
  bad state and shutdown can only *cancel* tasks that have not started;
  running ones finish normally, and a shutdown timeout leaves them pending.

Bookkeeping is one dict, :attr:`_AdapterCore._pending`: the wrapped
executor's future -> the future handed back (the same object in direct mode),
for every task not yet settled.  Its done-callback, bad state and a shutdown
timeout all *claim* a task by popping it, and only the claimant settles it; a
pop is atomic, so no lock is taken on the submit or completion paths.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import sys
import threading
from concurrent.futures import CancelledError, Future, InvalidStateError, wait
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Literal, Mapping, Optional, Sequence, TypeVar

from typing_extensions import Self

from ..errors import ExecutorBadStateError, ExecutorShutdownError, MissingExtraError
from ..protocols.parsl_types import JobStatusLike
from ._backend import Backend, BlockReport
from ._lean import new_future
from ._parsl import job_status, resource_error_class

__all__ = [
    "Backend",
    "BlockReport",
    "ExecutorAdapter",
    "ExecutorAdapter2020",
    "register_with_parsl",
    "set_backend_chooser",
]

_T = TypeVar("_T")

# Static checkers see ExecutorAdapter as the subclass of parsl's ParslExecutor that it is at
# run time (a virtual one, registered once parsl is imported), so that typed code passes it to
# parsl's Config with no cast.  Run time never imports parsl here: the base is object.
if TYPE_CHECKING:
    from parsl.executors.base import ParslExecutor as _ParslExecutorBase
else:
    _ParslExecutorBase = object

logger = logging.getLogger(__name__)

# --- Parsl integration, without importing parsl -----------------------------------------------

_registered = False


def _register_if_parsl_loaded() -> None:
    """Register :class:`ExecutorAdapter` with parsl's ``ParslExecutor`` ABC if parsl is already imported."""
    global _registered  # noqa: PLW0603  (one flag, written once)
    if _registered:
        return
    module = sys.modules.get("parsl.executors.base")
    parsl_executor = getattr(module, "ParslExecutor", None)
    if parsl_executor is None:
        return
    # Only today's contract: an ExecutorAdapter2020's submit() lacks
    # resource_specification, so the DataFlowKernel could not call it.
    parsl_executor.register(ExecutorAdapter)
    _registered = True


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


# Which backend wraps which executor is decided above this module, by ``._select``
# (the one adapter module that imports the backends); the adapters package hands its
# chooser to set_backend_chooser() when it is imported, so the core imports no backend.
_choose_backend: Callable[[object], Backend]


def set_backend_chooser(choose: Callable[[object], Backend]) -> None:
    """Set the function that picks the backend for the executor given to an adapter's constructor."""
    global _choose_backend  # noqa: PLW0603  (set once, by the adapters package)
    _choose_backend = choose


#: How an adapter hands futures back (see the module docstring).
Mode = Literal["runner", "callback", "direct"]


#: The adapter whose task the current thread is running (runner mode): shutdown() from
#: there must raise, not wait for the very task that called it.
_running = threading.local()


def _run(
    owner: object, future: Future[Any], func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
) -> None:
    """Run one task of adapter ``owner`` on a pool thread and settle its ``future`` with its outcome (runner mode)."""
    try:
        if not future.set_running_or_notify_cancel():
            return  # cancelled before it started; its waiters are notified now
    except RuntimeError:
        # Failed by bad state in the instant between the pool starting this runner and
        # the line above (concurrent.futures logs the "unexpected state"): do not run it.
        return
    # try/except rather than contextlib.suppress below: this runs once per task, and
    # suppress() would make an object each time.
    _running.owner = owner
    try:
        result = func(*args, **kwargs)
    except BaseException as exc:
        _running.owner = None
        try:  # noqa: SIM105
            future.set_exception(exc)
        except InvalidStateError:  # failed by bad state or a shutdown timeout while it ran
            pass
        # The traceback holds this frame, whose `future` holds the exception: break the cycle.
        del future
    else:
        _running.owner = None
        try:  # noqa: SIM105
            future.set_result(result)
        except InvalidStateError:
            pass


# A future handed back is settled by whoever *claims* its task (pops it from the
# pending map): its completion callback, bad state, a shutdown timeout, or a
# submit racing with them.  The helpers below are only called by the claimant.


def _cancel(future: Future[Any]) -> None:
    """Cancel a claimed future and notify its waiters, as an executor must."""
    future.cancel()
    _notify_cancelled(future)


def _notify_cancelled(future: Future[Any]) -> None:
    # cancel() alone leaves a future CANCELLED but not notified, and
    # concurrent.futures.wait() only counts notified ones as done; an executor
    # must also call set_running_or_notify_cancel(), as the standard pools do.
    if future.cancelled():
        with contextlib.suppress(RuntimeError):  # already notified (by its runner)
            future.set_running_or_notify_cancel()


def _settle_result(future: Future[Any], result: Any) -> None:
    try:
        future.set_result(result)
    except InvalidStateError:  # the caller cancelled it meanwhile
        _notify_cancelled(future)


def _settle_exception(future: Future[Any], exc: BaseException, *, notify: bool = True) -> None:
    """Fail a claimed future; ``notify=False`` when its runner has started, and so notifies a cancelled one."""
    try:
        future.set_exception(exc)
    except InvalidStateError:  # cancelled by the caller, or completed by its runner just before
        if notify:
            _notify_cancelled(future)


def _task_id(future: Future[Any]) -> Any:
    return getattr(future, "parsl_executor_task_id", None)


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
        bridge: bool = True,
    ) -> None:
        if not isinstance(bridge, bool):
            raise TypeError(f"bridge must be a bool, found {type(bridge).__name__}: {bridge!r}")
        backend = _choose_backend(executor)
        if not bridge and not backend.native_futures:
            raise ValueError(
                f"bridge=False is impossible for a {backend.kind} executor: its futures are not "
                "concurrent.futures.Future objects, which parsl needs"
            )
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
        # bridge=False hands the pool's futures back, so their results must be the tasks' own values.
        self._pool_submit: Callable[..., Any] = backend.submit if bridge else backend.direct_submit
        self._ids = itertools.count()
        # The one bookkeeping map: the wrapped executor's future -> the future handed
        # back, for every task not yet settled (see the module docstring).
        self._pending: Dict[Any, Future[Any]] = {}
        # Task id -> future for every task ever submitted: kept by the 2020 adapter only.
        self._submitted: Dict[int, Future[Any]] = {}
        self._mode: Mode
        self._on_done: Callable[[Any], Any]
        if not bridge:
            # The dict's own pop, C code: no Python runs per task on the pool's threads.
            self._mode, self._on_done = "direct", self._pending.pop
        elif backend.runs_inline:
            self._mode, self._on_done = "runner", self._runner_done
        else:
            self._mode, self._on_done = "callback", self._callback_done
        # Runner tasks straight onto a standard thread pool's queue, where possible (see ._lean).
        self._queue_runner = backend.queue_runner if self._mode == "runner" else None
        # Read on every submit: True once shut down or in bad state.
        self._closed = False
        self._shut_down = False
        # Set once the first shutdown() is over; later and concurrent calls wait for it.
        self._shutdown_done = threading.Event()
        self._exception: Optional[BaseException] = None
        self._lock = threading.Lock()
        self._scaled_in: Dict[str, None] = {}
        self._last_blocks: BlockReport = {}
        _register_if_parsl_loaded()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(label={self.label!r}, wraps={type(self.wrapped).__name__}, {self._mode})"

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        """Start: the wrapped executor already runs, so this only checks the adapter is not shut down."""
        if self._shut_down:
            raise ExecutorShutdownError(
                f"executor {self.label!r} was shut down and cannot be started again", executor_label=self.label
            )
        _register_if_parsl_loaded()
        self._backend.start(self.run_dir)

    def shutdown(self) -> None:
        """Stop accepting tasks, settle every pending future, then shut the wrapped executor down.

        Tasks that have not started are cancelled (``cancel_pending=True``, the
        default; Dask cannot tell queued from running tasks, so it cancels all
        unfinished ones).  Running tasks are waited for, at most
        ``shutdown_timeout`` seconds when one was given; after that their
        futures fail with :class:`ExecutorShutdownError` (not with
        ``bridge=False``: those futures belong to the pool) and the workers of
        an owned process pool (standard library or loky) are terminated;
        threads cannot be stopped and finish their task.  With
        ``owns_executor=True`` (the default) the wrapped executor is shut down
        (a Dask client is closed).  Parsl's monitoring receiver, if assigned,
        is shut down too.  A call made while another thread shuts the adapter
        down returns when that shutdown is over; a later one does nothing.  A
        call from one of the adapter's own tasks (thread pools) raises
        ``RuntimeError`` at once, as the standard pool does, rather than wait
        for itself.
        """
        if getattr(_running, "owner", None) is self or self._backend.in_worker():
            # As the standard pool raises (it cannot join the current thread) rather than
            # wait for the calling task, which can only finish once shutdown() returns.
            raise RuntimeError(
                f"executor {self.label!r} cannot be shut down from one of its own tasks: "
                "shutdown() waits for every running task, that one included"
            )
        with self._lock:
            first = not self._shut_down
            self._shut_down = True
            self._closed = True
        if not first:
            # Another thread is shutting down: return when it is done, as the standard pools do.
            self._shutdown_done.wait()
            return
        try:
            self._remember_blocks()
            stuck = self._settle_for_shutdown()
            self._backend.stop_watching()
            if self._owns:
                self._backend.close(wait=not stuck, kill=stuck)
        finally:
            try:
                receiver = self.monitoring_receiver
                if receiver is not None:
                    receiver.shutdown()
            finally:
                self._shutdown_done.set()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> Literal[False]:
        self.shutdown()
        return False

    def _settle_for_shutdown(self) -> bool:
        if self._cancel_pending:
            self._cancel_not_started()
        pending = list(self._pending.values())
        if not pending:
            return False
        _, not_done = wait(pending, timeout=self._shutdown_timeout)
        if not not_done:
            return False
        logger.warning(
            "executor %r: %d task(s) still running %ss after shutdown began", self.label, len(not_done),
            self._shutdown_timeout,
        )
        if self._mode != "direct":
            self._fail_all(
                lambda future: ExecutorShutdownError(
                    f"task {_task_id(future)} was still running {self._shutdown_timeout}s after executor "
                    f"{self.label!r} began to shut down",
                    executor_label=self.label,
                )
            )
        return True

    def _cancel_not_started(self) -> None:
        if self._mode == "direct":
            self._backend.cancel(list(self._pending))
            return
        # Cancelling a concurrent.futures future runs its done-callback, which settles the
        # adapter's future; Dask cancels later, so claim what it says will never run.
        inners = list(self._pending)
        for inner, gone in zip(inners, self._backend.cancel(inners), strict=True):
            claimed = self._pending.pop(inner, None) if gone else None
            if claimed is not None:
                _cancel(claimed)

    def _fail_all(self, error: Callable[[Future[Any]], BaseException], *, cancel: bool = True) -> None:
        """Claim every pending task, cancel it in the wrapped executor and fail its future with ``error(future)``.

        ``cancel=False`` when the wrapped executor broke and fails its futures itself.
        """
        pop = self._pending.pop
        claimed = [(inner, future) for inner in list(self._pending) if (future := pop(inner, None)) is not None]
        if not claimed:
            return
        # Cancel before failing: a task whose cancellation succeeds never starts, so its
        # runner cannot find its future already failed.
        inners = [inner for inner, _ in claimed]
        never_run = self._backend.cancel(inners) if cancel else [False] * len(inners)
        runner = self._mode == "runner"
        for (_, future), gone in zip(claimed, never_run, strict=True):
            # A runner that started notifies a future its caller cancelled; otherwise the claimant must.
            _settle_exception(future, error(future), notify=gone or not runner)

    # -- completion callbacks ------------------------------------------------------------------------

    def _runner_done(self, inner: Any) -> None:
        """Called when a runner task ends (its pool future's done-callback, or a lean task that never ran).

        Nothing to do unless the runner never ran.
        """
        future = self._pending.pop(inner, None)
        if future is None or (future.done() and not future.cancelled()):
            return  # settled by its runner (the usual case), by bad state or by a shutdown timeout
        if not inner.cancelled() and inner.exception() is None:
            return  # the runner ran and settled or notified the future
        # The pool dropped the task: cancelled it (shut down from outside) or failed it (broken).
        if not future.cancelled():
            self._settle_from(future, inner)
            return
        # The caller had cancelled it too, and the runner never ran to notify its waiters.
        _notify_cancelled(future)
        error = None if inner.cancelled() else inner.exception()
        if error is not None and not self._shut_down and self._backend.is_fatal(error):
            self._enter_bad_state(error)

    def _callback_done(self, inner: Any) -> None:
        """Done-callback of the wrapped executor's future in callback mode: copy its outcome."""
        if inner not in self._pending:
            return  # claimed already: failed by bad state or a shutdown timeout
        # Fetch the outcome before claiming the task: fetching may take a round trip (Dask
        # gets the result from its worker), and a task still unclaimed meanwhile is failed at
        # once by bad state, which must leave no future pending when it returns.
        outcome = self._outcome(inner)
        future = self._pending.pop(inner, None)
        if future is not None:
            self._settle(future, outcome)

    def _outcome(self, inner: Any) -> tuple[bool, Any]:
        try:
            return True, self._backend.result(inner)
        except BaseException as exc:
            return False, exc

    def _settle_from(self, future: Future[Any], inner: Any) -> None:
        self._settle(future, self._outcome(inner))

    def _settle(self, future: Future[Any], outcome: tuple[bool, Any]) -> None:
        ok, value = outcome
        if not ok:
            exc = value
            if isinstance(exc, CancelledError) and self._closed:  # cancelled by bad state or shutdown
                _cancel(future)
            elif not self._shut_down and self._backend.is_fatal(exc):
                self._enter_bad_state(exc)
                _settle_exception(future, self._exception or exc)
            elif isinstance(exc, CancelledError):  # e.g. the wrapped pool was shut down from outside
                _cancel(future)
            else:
                _settle_exception(future, exc)
            return
        _settle_result(future, value)

    # -- submission ----------------------------------------------------------------------------------

    def _submit_any(
        self, func: Callable[..., Any], resource_specification: Mapping[str, Any], args: Sequence[Any],
        kwargs: Mapping[str, Any],
    ) -> Future[Any]:
        """Submit on any path: resource specification, any mode, refusal when closed."""
        if resource_specification:
            self._check_resources(resource_specification)
        if self._closed:
            raise self._refusal()
        task_id = next(self._ids)
        mode = self._mode
        # Runner mode passes its future to the runner; callback mode makes one once submitted.
        future: Future[Any] = new_future()
        if mode == "runner":
            call: Callable[..., Any] = _run
            call_args: Sequence[Any] = (self, future, func, args, kwargs)
            call_kwargs: Mapping[str, Any] = {}
        else:
            call, call_args, call_kwargs = func, args, kwargs
        queue = None if resource_specification else self._queue_runner
        inner: Any
        if mode != "direct":
            future.parsl_executor_task_id = task_id  # type: ignore[attr-defined]
        try:
            if queue is not None:
                inner = queue(self._pending, self._on_done, _run, self, future, func, args, kwargs)
            elif resource_specification:
                inner = self._backend.submit_with(resource_specification, call, call_args, call_kwargs)
            else:
                inner = self._pool_submit(call, *call_args, **call_kwargs)
        except BaseException as exc:
            self._submission_failed(exc)
            raise
        if mode == "direct":
            future = inner
            future.parsl_executor_task_id = task_id  # type: ignore[attr-defined]
        if queue is None:
            self._pending[inner] = future
            self._backend.when_done(inner, self._on_done)
        if self._closed:  # another thread entered bad state or shut down meanwhile
            self._closed_during_submit(inner, future)  # type: ignore[unreachable]  # mypy keeps the narrowing
        return future

    def _closed_during_submit(self, inner: Any, future: Future[Any]) -> None:
        """Settle a task registered while bad state or shutdown was being entered on another thread."""
        if self._exception is not None:  # bad state: as set_bad_state_and_fail_all does
            if self._mode == "direct":
                self._backend.cancel([inner])
            elif self._pending.pop(inner, None) is not None:  # not claimed by bad state already
                gone = self._backend.cancel([inner])[0]
                _settle_exception(future, self._exception, notify=gone or self._mode != "runner")
        elif self._cancel_pending:
            # Shutdown: cancelled in time, its done-callback settles it (Dask's later, so it is
            # claimed here); otherwise it runs, as the tasks running when shutdown began do.
            gone = self._backend.cancel([inner])[0]
            claimed = self._pending.pop(inner, None) if gone and self._mode != "direct" else None
            if claimed is not None:
                _cancel(claimed)

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
        # Only called for a fatal cause: a broken executor fails every future it holds itself,
        # often from the very loop that runs this callback.  Cancelling them under it makes
        # CPython's ProcessPoolExecutor die with InvalidStateError before it stops its workers
        # and its queue's feeder thread.
        self._go_bad(error, cancel=False)
        self._backend.set_bad_state(error)

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        """Mark the executor irrecoverably bad and fail every pending task at once; later submissions raise.

        Every pending future, running or not, fails with ``exception`` (as
        parsl's ``BlockProviderExecutor`` does); tasks that have not started
        are cancelled in the wrapped executor, and what running ones return is
        dropped.  With ``bridge=False`` the futures belong to the pool: queued
        tasks are cancelled and running ones finish.  Later submissions raise
        :class:`ExecutorBadStateError` carrying the exception.  The first
        exception is kept as :attr:`executor_exception`.  A wrapped executor
        with a bad state of its own (one of the 2020 contract) is put in bad
        state too.
        """
        self._go_bad(exception)
        self._backend.set_bad_state(exception)

    def _go_bad(self, exception: BaseException, *, cancel: bool = True) -> None:
        with self._lock:
            if self._exception is None:
                self._exception = exception
            self._closed = True
        if self._mode == "direct":
            if cancel:
                self._backend.cancel(list(self._pending))
            return
        self._fail_all(lambda _: exception, cancel=cancel)

    def _adopt_bad_state(self) -> None:
        # A wrapped executor with a bad state of its own may enter it by itself: the adapter follows.
        if self._exception is None and not self._shut_down:
            cause = self._backend.broken()
            if cause is not None:
                self._go_bad(cause)

    @property
    def bad_state_is_set(self) -> bool:
        """Whether the executor (or the executor it wraps, where it has a bad state) is irrecoverably bad."""
        self._adopt_bad_state()
        return self._exception is not None

    @property
    def executor_exception(self) -> Optional[BaseException]:
        """Why the executor is in a bad state (``None`` while it is not)."""
        self._adopt_bad_state()
        return self._exception

    # -- tasks, status, scaling --------------------------------------------------------------------------

    @property
    def tasks(self) -> Mapping[int, Future[Any]]:
        """Task id -> future, for every task not yet settled (a read-only snapshot), as parsl's executors keep it.

        A task leaves once its future is settled, so that a long run holds no
        finished futures (or their results); :class:`ExecutorAdapter2020` keeps
        every task, as the 2020 text says.
        """
        return MappingProxyType({_task_id(future): future for future in list(self._pending.values())})

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



# pyright sees run_dir, run_id (attributes here, properties in parsl) and remote_monitoring_radio
# (a property here, an attribute in parsl) as conflicting; each is read and assigned alike.
class ExecutorAdapter(_AdapterCore, _ParslExecutorBase):  # pyright: ignore[reportIncompatibleVariableOverride]
    """A ``concurrent.futures`` executor, Dask client or 2020-contract executor as a Parsl executor of today's contract.

    Satisfies :class:`~parsl_executor_protocol.CurrentParslExecutorProtocol`
    and, once parsl is imported, is a virtual subclass of parsl's
    ``ParslExecutor``; static checkers see it as a subclass, so
    ``Config(executors=[adapt(pool)])`` type-checks with no cast.  Usually made
    with :func:`~parsl_executor_protocol.adapt`.
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
        if resource_specification or self._closed:
            return self._submit_any(func, resource_specification, args, kwargs)
        # The thread pool paths, kept short: they are all the cost a task adds.
        mode = self._mode
        if mode == "runner":
            future: Future[Any] = new_future()
            future.parsl_executor_task_id = next(self._ids)  # type: ignore[attr-defined]
            queue = self._queue_runner
            if queue is not None:
                # Recorded as pending and settled by the task itself: no done-callback.
                try:
                    inner = queue(self._pending, self._on_done, _run, self, future, func, args, kwargs)
                except BaseException as exc:
                    self._submission_failed(exc)
                    raise
                if self._closed:  # another thread entered bad state or shut down meanwhile
                    self._closed_during_submit(inner, future)  # type: ignore[unreachable]
                return future
            try:
                inner = self._pool_submit(_run, self, future, func, args, kwargs)
            except BaseException as exc:
                self._submission_failed(exc)
                raise
        elif mode == "direct":
            try:
                future = inner = self._pool_submit(func, *args, **kwargs)
            except BaseException as exc:
                self._submission_failed(exc)
                raise
            future.parsl_executor_task_id = next(self._ids)  # type: ignore[attr-defined]
        else:
            return self._submit_any(func, resource_specification, args, kwargs)
        self._pending[inner] = future
        inner.add_done_callback(self._on_done)
        if self._closed:  # another thread entered bad state or shut down meanwhile
            self._closed_during_submit(inner, future)  # type: ignore[unreachable]  # mypy keeps the narrowing
        return future


class ExecutorAdapter2020(_AdapterCore):
    """A ``concurrent.futures`` executor or Dask client as a Parsl executor of the 2020 contract.

    Satisfies :class:`~parsl_executor_protocol.ParslExecutorProtocol`:
    ``submit(func, *args, **kwargs)`` without a resource specification, plus
    ``hub_address``/``hub_port``.  Today's DataFlowKernel cannot use it (its
    ``submit`` passes a resource specification), so it is not registered with
    parsl's ``ParslExecutor``.

    :attr:`tasks` keeps every task ever submitted, as the 2020 text says ("for
    all tasks that have been submitted to this executor"), so memory grows
    with the number of tasks: each finished future, with its result, stays
    until the adapter is dropped.  For long runs, use today's contract
    (:class:`ExecutorAdapter`), whose ``tasks`` drops settled tasks as parsl's
    executors do.
    """

    hub_address: Optional[str] = None
    hub_port: Optional[int] = None

    def submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]:
        """Run ``func(*args, **kwargs)``; return a real ``concurrent.futures.Future``."""
        future = self._submit_any(func, {}, args, kwargs)
        self._submitted[_task_id(future)] = future
        return future

    @property
    def tasks(self) -> Mapping[int, Future[Any]]:
        """Task id -> future for every task submitted, finished or not (a read-only live view)."""
        return MappingProxyType(self._submitted)
