"""Any Parsl executor, of either contract, as a ``concurrent.futures.Executor``.

Code written for the standard library (``executor.submit``, ``executor.map``,
``with executor:``, ``wait``, ``as_completed``) then runs on a Parsl
executor: parsl's own ``ThreadPoolExecutor``, ``HighThroughputExecutor`` or
``MPIExecutor``, an adapter, or any executor written to the 2020 text.

The semantics are the standard library's, and its own executor tests run
against the wrapper in this package's test suite.  As in its
``ProcessPoolExecutor``, tasks wait in the wrapper's queue until the Parsl
executor has a free worker; a task handed over is *running*:
``running()`` is true and ``cancel()`` refuses, because the Parsl executor
cannot take a task back.  A task still queued can be cancelled, it never
runs, and its future wakes ``wait()`` and ``as_completed()`` at once.  How
many tasks are handed over at a time is read from the executor (parsl's
``ThreadPoolExecutor``: ``max_threads``; a block executor: its workers per
node times nodes per block times ``max_blocks``; otherwise one per core)
unless ``max_workers`` is given.

A Parsl executor with a block provider is started as ``parsl.load`` starts
it: a run directory (a temporary one owned by the wrapper unless
``run_dir`` is given), a ``run_id``, the provider's ``script_dir``, and
parsl's own ``JobStatusPoller`` to launch ``init_blocks`` and scale by the
Config's default strategy.  ``shutdown()`` scales the blocks in and shuts the
executor down; every future the wrapper handed out is settled by then, even
if the Parsl executor leaves its own futures pending.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import contextlib
import functools
import inspect
import logging
import math
import os
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, ParamSpec, TypeVar

from ..protocols._contracts import EXECUTOR_CONTRACTS, ExecutorContract, validate_contract
from ._launch import Launch, launch
from ._parsl import require_methods

__all__ = ["ParslFuturesExecutor", "as_futures_executor"]

logger = logging.getLogger(__name__)

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: The contracts a Parsl executor can be wrapped under, as a type.
Contract = ExecutorContract


def _detect_contract(executor: Any) -> Contract:
    """Today's contract if ``submit``'s second parameter is ``resource_specification``, else 2020's."""
    try:
        parameters = list(inspect.signature(executor.submit).parameters.values())
    except (TypeError, ValueError):
        return "2020"
    positional = [
        p for p in parameters if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]
    return "current" if len(positional) >= 2 and positional[1].name == "resource_specification" else "2020"


def _positive(value: object) -> Optional[int]:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 1:
        return None
    return int(value)


def detect_workers(executor: Any) -> int:
    """How many tasks ``executor`` runs at once, read from it; one per core when it does not say.

    parsl's ``ThreadPoolExecutor`` says ``max_threads`` (``None`` is the
    standard pool's default); a block executor says ``workers_per_node`` and
    its provider ``nodes_per_block`` and ``max_blocks``.
    """
    cores = os.cpu_count() or 1
    if hasattr(executor, "max_threads"):
        return _positive(executor.max_threads) or min(32, cores + 4)
    provider = getattr(executor, "provider", None)
    per_node = _positive(getattr(executor, "workers_per_node", None))
    if provider is not None and per_node is not None:
        nodes = _positive(getattr(provider, "nodes_per_block", 1)) or 1
        blocks = _positive(getattr(provider, "max_blocks", 1)) or 1
        return per_node * nodes * blocks
    return cores


#: What an executor in parsl's MPI mode is given for a plain Python task: one rank on one node.
MPI_TASK = {"num_nodes": 1, "ranks_per_node": 1}


def detect_resource_specification(executor: Any) -> Dict[str, Any]:
    """The resource specification tasks get by default: empty, or :data:`MPI_TASK` in parsl's MPI mode.

    parsl's MPIExecutor (a HighThroughputExecutor with ``enable_mpi_mode``)
    refuses tasks without one.
    """
    return dict(MPI_TASK) if getattr(executor, "enable_mpi_mode", False) is True else {}


class _Item(NamedTuple):
    """A task waiting in the wrapper's queue."""

    future: cf.Future[Any]
    call: Callable[[], Any]


#: What the Parsl executor is asked to run: the task, a ``functools.partial``, is its argument.
_CALL = functools.partial.__call__


class _Completion:
    """The Parsl future's done-callback; lets go of the wrapper's future once it has run.

    A Parsl executor may keep a finished future alive a while (parsl's
    HighThroughputExecutor keeps the last one), and with it its callbacks:
    they must not keep the task's result alive too.
    """

    __slots__ = ("future", "owner")

    def __init__(self, owner: ParslFuturesExecutor, future: cf.Future[Any]) -> None:
        self.owner: Optional[ParslFuturesExecutor] = owner
        self.future: Optional[cf.Future[Any]] = future

    def __call__(self, source: cf.Future[Any]) -> None:
        owner, future = self.owner, self.future
        self.owner = self.future = None
        if owner is not None and future is not None:
            owner._complete(future, source)


def _settle(future: cf.Future[Any], source: cf.Future[Any]) -> None:
    """Copy the Parsl future's outcome onto the wrapper's (running, so it cannot be cancelled any more)."""
    try:
        if source.cancelled():
            future.set_exception(cf.CancelledError("the Parsl executor cancelled the task"))
            return
        exc = source.exception()
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(source.result())
    except cf.InvalidStateError:  # settled already: by shutdown, after the Parsl executor stopped
        pass


def _shutdown_at_exit(ref: weakref.ref[ParslFuturesExecutor]) -> None:
    wrapper = ref()
    if wrapper is not None and not wrapper._closed.is_set():
        wrapper.shutdown(wait=True)


class ParslFuturesExecutor(cf.Executor):
    """A Parsl executor seen as a ``concurrent.futures.Executor``; made by :func:`as_futures_executor`."""

    def __init__(
        self,
        executor: Any,
        *,
        contract: Optional[Contract] = None,
        start: bool = True,
        max_workers: Optional[int] = None,
        run_dir: Optional[str] = None,
        resource_specification: Optional[Mapping[str, Any]] = None,
    ) -> None:
        require_methods(
            executor,
            ("submit", "shutdown", "start") if start else ("submit", "shutdown"),
            "as_futures_executor() takes a Parsl executor (today's contract or the 2020 one)",
        )
        if contract is None:
            contract = _detect_contract(executor)
        else:
            validate_contract(contract, EXECUTOR_CONTRACTS)
        if max_workers is not None and (isinstance(max_workers, bool) or not isinstance(max_workers, int)):
            raise TypeError(f"max_workers must be an int, found {type(max_workers).__name__}")
        if max_workers is not None and max_workers <= 0:
            raise ValueError("max_workers must be greater than 0")
        self.wrapped = executor
        self.contract: Contract = contract
        #: The resource specification every task is submitted with (today's contract only).
        self.resource_specification: Mapping[str, Any] = (
            detect_resource_specification(executor) if resource_specification is None else resource_specification
        )
        #: How many tasks are handed to the Parsl executor at a time.
        self.max_workers: int = max_workers if max_workers is not None else detect_workers(executor)
        self._lock = threading.Lock()
        self._queue: OrderedDict[cf.Future[Any], _Item] = OrderedDict()
        self._running: set[cf.Future[Any]] = set()
        self._idle = threading.Condition(self._lock)
        self._local = threading.local()
        self._shutdown = False
        self._closing = False
        self._closed = threading.Event()
        self._launch: Optional[Launch] = launch(executor, run_dir) if start else None
        # As the standard pools finish their work at interpreter exit, so does the wrapper: a
        # block executor left running would leave its interchange and workers behind.
        atexit.register(_shutdown_at_exit, weakref.ref(self))

    def __repr__(self) -> str:
        return f"ParslFuturesExecutor({self.wrapped!r}, contract={self.contract!r}, max_workers={self.max_workers})"

    @property
    def run_dir(self) -> Optional[str]:
        """The run directory the Parsl executor was given, or ``None`` if it was started elsewhere."""
        return None if self._launch is None else self._launch.run_dir

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> cf.Future[_T]:
        """Schedule ``fn(*args, **kwargs)`` on the Parsl executor, with :attr:`resource_specification`."""
        # The task's arguments travel inside one callable, so that no keyword of the task can
        # collide with a parameter of the Parsl executor's submit (self, func, resource_specification).
        call = functools.partial(fn, *args, **kwargs)
        future: cf.Future[_T] = cf.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue[future] = _Item(future, call)
        future.add_done_callback(self._dequeue_cancelled)
        self._dispatch()
        return future

    def _dequeue_cancelled(self, future: cf.Future[Any]) -> None:
        # A queued future the caller cancels leaves the queue now and wakes wait()/as_completed(),
        # rather than when a worker would have reached it.
        if not future.cancelled():
            return
        with self._lock:
            item = self._queue.pop(future, None)
            if item is not None:
                future.set_running_or_notify_cancel()
                self._idle.notify_all()

    def _dispatch(self) -> None:
        """Hand queued tasks to the Parsl executor while it has free workers."""
        if getattr(self._local, "dispatching", False):
            return  # a task settled synchronously inside our own loop: the loop picks up the slot
        self._local.dispatching = True
        try:
            while True:
                with self._lock:
                    if len(self._running) >= self.max_workers or not self._queue:
                        return
                    future, item = self._queue.popitem(last=False)
                    if not future.set_running_or_notify_cancel():
                        self._idle.notify_all()
                        continue
                    self._running.add(future)
                self._hand_over(item)
        finally:
            self._local.dispatching = False

    def _hand_over(self, item: _Item) -> None:
        try:
            # today's submit(func, resource_specification, ...) or the 2020 submit(func, ...)
            # The Parsl executor's function is always partial.__call__ and the task is its
            # argument: executors that cache serialized functions (parsl's serializer keeps
            # the last 128) then hold one builtin, never a task's function or arguments.
            inner = (
                self.wrapped.submit(_CALL, dict(self.resource_specification), item.call)
                if self.contract == "current"
                else self.wrapped.submit(_CALL, item.call)
            )
            if not isinstance(inner, cf.Future):
                raise TypeError(
                    f"{type(self.wrapped).__name__}.submit returned {type(inner).__name__}, "
                    "expected a concurrent.futures.Future"
                )
        except BaseException as exc:  # the Parsl executor refused the task: the task's future says why
            item.future.set_exception(exc)
            self._release(item.future)
            return
        inner.add_done_callback(_Completion(self, item.future))

    def _complete(self, future: cf.Future[Any], source: cf.Future[Any]) -> None:
        _settle(future, source)
        self._release(future)
        self._dispatch()

    def _release(self, future: cf.Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)
            if not self._running:
                self._idle.notify_all()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks, optionally cancel the queued ones, and shut the Parsl executor down once all settle.

        As the standard pools: queued tasks still run unless
        ``cancel_futures``; ``wait=True`` returns once every task has
        finished and the Parsl executor is shut down; ``wait=False`` returns at
        once and the shutdown finishes on a background thread.  Calling it
        again is harmless, and waits if asked to.
        """
        with self._lock:
            self._shutdown = True
            cancelled = []
            if cancel_futures:
                while self._queue:
                    cancelled.append(self._queue.popitem(last=False)[0])
            first = not self._closing
            self._closing = True
        for future in cancelled:
            if future.cancel():
                future.set_running_or_notify_cancel()
        if first:
            if wait:
                self._close()
            else:
                threading.Thread(target=self._close, name="ParslFuturesExecutor-shutdown").start()
        elif wait:
            self._closed.wait()

    def _close(self) -> None:
        try:
            with self._lock:
                self._idle.wait_for(lambda: not self._queue and not self._running)
            if self._launch is not None:
                self._launch.scale_in()
            self.wrapped.shutdown()
        except Exception:
            logger.exception("shutting down %r failed", self.wrapped)
        finally:
            self._fail_leftovers()
            if self._launch is not None:
                self._launch.remove_run_dir()
            self._closed.set()

    def _fail_leftovers(self) -> None:
        # Only reached with tasks unsettled when the Parsl executor's shutdown raised: every
        # future handed out still resolves.
        with self._lock:
            leftovers = [*self._running, *self._queue]
            self._running.clear()
            self._queue.clear()
        for future in leftovers:
            if future.running() or future.set_running_or_notify_cancel():
                with contextlib.suppress(cf.InvalidStateError):
                    future.set_exception(cf.BrokenExecutor("the Parsl executor shut down before the task finished"))


def as_futures_executor(
    executor: Any,
    *,
    contract: Optional[Contract] = None,
    start: bool = True,
    max_workers: Optional[int] = None,
    run_dir: Optional[str] = None,
    resource_specification: Optional[Mapping[str, Any]] = None,
) -> ParslFuturesExecutor:
    """Wrap a Parsl executor (today's contract or the 2020 one) as a ``concurrent.futures.Executor``.

    * ``contract`` is detected from ``submit``'s signature unless given.
    * ``start``: start the executor now as ``parsl.load`` would (run
      directory, ``run_id``, blocks); pass ``False`` if it was started already.
    * ``max_workers``: how many tasks to hand over at a time (read from the
      executor by default); the rest wait in the wrapper, cancellable.
    * ``run_dir``: where the executor writes (its logs, submit scripts);
      default a temporary directory removed at shutdown.
    * ``resource_specification``: what every task is submitted with under
      today's contract; default empty, or one rank on one node for an
      executor in parsl's MPI mode (:data:`MPI_TASK`).

    ``shutdown()`` shuts the executor down.
    """
    return ParslFuturesExecutor(
        executor,
        contract=contract,
        start=start,
        max_workers=max_workers,
        run_dir=run_dir,
        resource_specification=resource_specification,
    )
