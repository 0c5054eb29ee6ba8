"""Runner tasks for a standard ``ThreadPoolExecutor`` without the pool's own future, and the adapters' futures.

In runner mode (see :mod:`._base`) the adapter hands back a future of its own
and runs each task through a runner that settles it, so the future the
pool's ``submit`` makes, and the done-callback that would clean up after it,
are bookkeeping only.  They cost as much as the task itself: a ``Future``
carries a ``threading.Condition`` (an ``RLock`` and more), and twice the
futures alive means the garbage collector scans twice as much.
:func:`runner_queue` returns a function that queues a :class:`LeanTask`
straight onto the pool's work queue, as ``ThreadPoolExecutor.submit`` queues
its work item: one object that is the pool's work item and, to the pool, its
future, guarded by one lock shared by all of them (each holds it for a few
bytecodes, once per task).  Once the pool has all its threads, the pool's
thread-count bookkeeping, which can start no more, is skipped.

Only for ``concurrent.futures.ThreadPoolExecutor`` itself (not subclasses,
which may override ``submit``) on Pythons whose work item is
``_WorkItem(future, fn, args, kwargs)`` with ``run()`` (3.10 to 3.13): there
the pool's worker calls ``run()``, ``shutdown(cancel_futures=True)`` calls
``future.cancel()`` and a failed initializer ``future.set_exception()``.
Anywhere else the pool's public ``submit`` is used, unchanged.

:data:`new_future` makes the future every adapter hands back: a
``concurrent.futures.Future`` whose condition does not bind its lock's
methods to each instance, so that it is 6 objects for the garbage collector
to track rather than 11.
"""

from __future__ import annotations

import concurrent.futures as cf
import concurrent.futures.thread as cf_thread
import inspect
import threading
from collections import deque
from concurrent.futures import CancelledError, Future
from concurrent.futures._base import PENDING
from typing import Any, Callable, Dict, Mapping, Optional, Sequence

__all__ = ["LeanTask", "RunnerQueue", "new_future", "runner_queue"]

_PENDING, _RUNNING, _CANCELLED, _FINISHED = range(4)
_LOCK = threading.Lock()


class LeanTask:
    """One runner task on the pool's queue: its work item and, to the pool and the adapter, its future.

    Running it calls ``runner(owner, future, func, args, kwargs)``, the
    adapter's runner with the adapter, the future it hands back and the task;
    the five are the task's own fields, not a tuple, so that a task is one
    object for the garbage collector to track, as the pool's work item is.
    ``pending`` is the adapter's map of unsettled tasks; a task that ran takes
    itself out of it.  ``on_done(task)`` is called only when the task ends
    without running (cancelled, or failed by a broken pool), to settle the
    adapter's future the way a done-callback would.
    """

    __slots__ = (
        "_args", "_exception", "_func", "_future", "_kwargs", "_on_done", "_owner", "_pending", "_runner", "_state",
    )

    def __init__(  # noqa: PLR0917  (called once per task: positional arguments are the cheapest)
        self,
        runner: Callable[[Any, Any, Callable[..., Any], Sequence[Any], Mapping[str, Any]], Any],
        owner: Any,
        future: Any,
        func: Callable[..., Any],
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
        pending: Dict[Any, Any],
        on_done: Callable[[LeanTask], Any],
    ) -> None:
        self._runner = runner
        self._owner = owner
        self._future = future
        self._func = func
        self._args = args
        self._kwargs = kwargs
        self._pending = pending
        self._on_done = on_done
        self._state = _PENDING
        self._exception: Optional[BaseException] = None

    @property
    def future(self) -> LeanTask:
        """The pool's handle on the task (the pool cancels or fails ``work_item.future``): the task itself."""
        return self

    def run(self) -> None:
        """Called by the pool's worker: run the task unless it was cancelled or failed first."""
        with _LOCK:
            if self._state != _PENDING:
                return
            self._state = _RUNNING
        try:
            self._runner(self._owner, self._future, self._func, self._args, self._kwargs)
        finally:
            self._state = _FINISHED
            # The runner settled (or was told the caller cancelled) the adapter's future.
            self._pending.pop(self, None)

    def cancel(self) -> bool:
        """Cancel the task if it has not started; ``False`` once it runs or has run."""
        with _LOCK:
            if self._state != _PENDING:
                return self._state == _CANCELLED
            self._state = _CANCELLED
        self._on_done(self)
        return True

    def set_exception(self, exception: BaseException) -> None:
        """Called by a pool whose initializer failed: the queued task will never run."""
        with _LOCK:
            if self._state != _PENDING:
                return
            self._exception = exception
            self._state = _FINISHED
        self._on_done(self)

    def cancelled(self) -> bool:
        """Whether the task was cancelled before it started."""
        return self._state == _CANCELLED

    def done(self) -> bool:
        """Whether the task ran, was cancelled or was failed by the pool."""
        return self._state in (_CANCELLED, _FINISHED)

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        """The pool's error for the task, once done (raises ``CancelledError`` if it was cancelled)."""
        if self._state == _CANCELLED:
            raise CancelledError()
        return self._exception

    def result(self, timeout: Optional[float] = None) -> None:
        """``None``, or the pool's error raised (the task's own result went to the adapter's future)."""
        error = self.exception()
        if error is not None:
            raise error


#: ``queue(pending, on_done, runner, owner, future, func, args, kwargs)``: record
#: ``pending[task] = future``, queue ``runner(owner, future, func, args, kwargs)`` as a
#: :class:`LeanTask` and return it (see :func:`runner_queue`).
RunnerQueue = Callable[..., LeanTask]


def _work_item_takes_fn_args_kwargs() -> bool:
    try:
        names = list(inspect.signature(cf_thread._WorkItem).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return names == ["future", "fn", "args", "kwargs"] and callable(getattr(cf_thread._WorkItem, "run", None))


_SUPPORTED = _work_item_takes_fn_args_kwargs() and all(
    hasattr(cf_thread, name) for name in ("_global_shutdown_lock", "_shutdown", "BrokenThreadPool")
)


def runner_queue(pool: Any) -> Optional[RunnerQueue]:
    """A function queueing runner tasks straight onto ``pool``'s work queue; ``None`` where unsupported.

    The task is recorded in ``pending`` before it is queued (it may run and
    take itself out at once), and taken out again if the pool refuses it.
    """
    if not _SUPPORTED or type(pool) is not cf.ThreadPoolExecutor:
        return None
    if not all(hasattr(pool, name) for name in ("_shutdown_lock", "_broken", "_shutdown", "_work_queue")):
        return None
    global_lock = cf_thread._global_shutdown_lock

    def queue(  # noqa: PLR0917  (called once per task: positional arguments are the cheapest)
        pending: Dict[Any, Any],
        on_done: Callable[[LeanTask], Any],
        runner: Callable[..., Any],
        owner: Any,
        future: Any,
        func: Callable[..., Any],
        args: Sequence[Any],
        kwargs: Mapping[str, Any],
    ) -> LeanTask:
        task = LeanTask(runner, owner, future, func, args, kwargs, pending, on_done)
        pending[task] = future
        # ThreadPoolExecutor.submit, line for line, with the task as the work item (but see below).
        try:
            with pool._shutdown_lock, global_lock:
                if pool._broken:
                    raise cf_thread.BrokenThreadPool(pool._broken)
                if pool._shutdown:
                    raise RuntimeError("cannot schedule new futures after shutdown")
                if cf_thread._shutdown:
                    raise RuntimeError("cannot schedule new futures after interpreter shutdown")
                pool._work_queue.put(task)  # type: ignore[arg-type]  # the worker needs only run() and future
                # Once the pool has all its threads, _adjust_thread_count() only takes one
                # from the idle count (a Python-level Semaphore, which each finished task
                # raises again): it starts no thread, and with no thread idle it waits on a
                # Condition for zero seconds.  The count is read nowhere else, and a pool never
                # loses a thread before it shuts down, so a full pool is left as it is.
                if len(pool._threads) < pool._max_workers:
                    pool._adjust_thread_count()
        except BaseException:
            pending.pop(task, None)
            raise
        return task

    return queue


class _Condition(threading.Condition):
    """A future's ``threading.Condition`` that binds nothing per instance.

    ``Condition.__init__`` stores five bound methods of its lock on every
    condition: 5 of the 11 objects a ``Future`` makes the garbage collector
    track.  Here they are methods of the class, calling the same methods of
    the same kind of lock.
    """

    def __init__(self) -> None:  # Condition.__init__ is not called: it would bind the five per instance.
        self._lock = threading.RLock()
        self._waiters: deque[Any] = deque()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Acquire the lock, as ``RLock.acquire``."""
        return self._lock.acquire(blocking, timeout)

    def release(self) -> None:
        """Release the lock, as ``RLock.release``."""
        self._lock.release()

    def _release_save(self) -> Any:
        return self._lock._release_save()  # type: ignore[attr-defined]

    def _acquire_restore(self, state: Any) -> None:
        self._lock._acquire_restore(state)  # type: ignore[attr-defined]

    def _is_owned(self) -> bool:
        return self._lock._is_owned()  # type: ignore[attr-defined,no-any-return]


def _lean_futures_supported() -> bool:
    """Whether a ``Future`` is the six fields this module sets, its condition a plain ``Condition`` on an ``RLock``."""
    future: Any = Future()
    condition: Any = future._condition
    lock = threading.RLock()
    return (
        tuple(vars(future)) == ("_condition", "_state", "_result", "_exception", "_waiters", "_done_callbacks")
        and type(condition) is threading.Condition
        and set(vars(condition)) == {"_lock", "acquire", "release", "_release_save", "_acquire_restore", "_is_owned",
                                     "_waiters"}
        and type(vars(condition)["_lock"]) is type(lock)
        and all(hasattr(lock, name) for name in ("_release_save", "_acquire_restore", "_is_owned"))
    )


_new_object = object.__new__


def _lean_future() -> Future[Any]:
    """A ``concurrent.futures.Future``, made as ``Future.__init__`` makes it but with a :class:`_Condition`."""
    future: Any = _new_object(Future)
    future._condition = _Condition()
    future._state = PENDING
    future._result = None
    future._exception = None
    future._waiters = []
    future._done_callbacks = []
    return future  # type: ignore[no-any-return]


#: The futures the adapters hand back: real ``concurrent.futures.Future`` objects (the class
#: itself), each 6 objects for the garbage collector to track instead of 11, where this
#: Python's ``Future`` is what :func:`_lean_futures_supported` expects; else ``Future``.
new_future: Callable[[], Future[Any]] = _lean_future if _lean_futures_supported() else Future
