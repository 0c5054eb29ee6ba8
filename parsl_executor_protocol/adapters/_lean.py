"""Tasks for a standard ``ThreadPoolExecutor`` without the pool's own future.

In runner mode (see :mod:`._base`) the adapter hands back a future of its own
and runs each task through a runner that settles it, so the future the
pool's ``submit`` makes is bookkeeping only.  It costs as much as the task
itself: a ``Future`` carries a ``threading.Condition`` (an ``RLock`` and
more), and twice the futures alive means the garbage collector scans twice
as much.  :func:`lean_submitter` returns a ``submit`` that queues the pool's
own work item, exactly as ``ThreadPoolExecutor.submit`` does, with a
:class:`LeanFuture` in place of the pool's future: the few states and the one
done-callback the adapter and the pool's worker use, guarded by one lock
shared by all of them (each holds it for a few bytecodes).

Only for ``concurrent.futures.ThreadPoolExecutor`` itself (not subclasses,
which may override ``submit``) on Pythons whose work item is
``_WorkItem(future, fn, args, kwargs)`` (3.10 to 3.13); anywhere else the
pool's public ``submit`` is used, unchanged.
"""

from __future__ import annotations

import concurrent.futures as cf
import concurrent.futures.thread as cf_thread
import inspect
import threading
from concurrent.futures import CancelledError
from typing import Any, Callable, Optional

__all__ = ["LeanFuture", "lean_submitter"]

_PENDING, _RUNNING, _CANCELLED, _NOTIFIED, _FINISHED = range(5)
_LOCK = threading.Lock()


class LeanFuture:
    """The pool-side future of one runner task: states and one done-callback, no Condition, no waiters."""

    __slots__ = ("_callback", "_exception", "_state")

    def __init__(self) -> None:
        self._state = _PENDING
        self._exception: Optional[BaseException] = None
        self._callback: Optional[Callable[[LeanFuture], Any]] = None

    def set_running_or_notify_cancel(self) -> bool:
        """Called by the pool's worker before the task: ``False`` if it was cancelled meanwhile."""
        with _LOCK:
            if self._state == _CANCELLED:
                self._state = _NOTIFIED
                return False
            self._state = _RUNNING
            return True

    def cancel(self) -> bool:
        """Cancel a task not yet started; ``False`` once it runs or has run."""
        with _LOCK:
            if self._state in (_RUNNING, _FINISHED):
                return False
            if self._state != _PENDING:
                return True
            self._state = _CANCELLED
        self._done()
        return True

    def cancelled(self) -> bool:
        """Whether the task was cancelled before it started."""
        return self._state in (_CANCELLED, _NOTIFIED)

    def running(self) -> bool:
        """Whether the task is running."""
        return self._state == _RUNNING

    def done(self) -> bool:
        """Whether the task finished or was cancelled."""
        return self._state in (_CANCELLED, _NOTIFIED, _FINISHED)

    def set_result(self, result: Any) -> None:
        """Called by the pool's worker: the runner settled the adapter's future already, so the value is dropped."""
        self._state = _FINISHED
        self._done()

    def set_exception(self, exception: BaseException) -> None:
        """Called by the pool (a broken pool fails the queued tasks with ``BrokenThreadPool``)."""
        self._exception = exception
        self._state = _FINISHED
        self._done()

    def exception(self, timeout: Optional[float] = None) -> Optional[BaseException]:
        """The pool's error for the task, once done (raises ``CancelledError`` if it was cancelled)."""
        if self.cancelled():
            raise CancelledError()
        return self._exception

    def result(self, timeout: Optional[float] = None) -> None:
        """``None``, or the pool's error raised, once done (the task's own result went to the adapter's future)."""
        error = self.exception()
        if error is not None:
            raise error

    def add_done_callback(self, callback: Callable[[LeanFuture], Any]) -> None:
        """Call ``callback(self)`` once done (now, if it is): the one callback the adapter registers."""
        with _LOCK:
            if self._state in (_PENDING, _RUNNING):
                self._callback = callback
                return
        callback(self)

    def _done(self) -> None:
        with _LOCK:
            callback, self._callback = self._callback, None
        if callback is not None:
            callback(self)


def _work_item_takes_fn_args_kwargs() -> bool:
    try:
        names = list(inspect.signature(cf_thread._WorkItem).parameters)
    except (AttributeError, TypeError, ValueError):
        return False
    return names == ["future", "fn", "args", "kwargs"]


_SUPPORTED = _work_item_takes_fn_args_kwargs() and all(
    hasattr(cf_thread, name) for name in ("_global_shutdown_lock", "_shutdown", "BrokenThreadPool")
)


def lean_submitter(pool: Any) -> Optional[Callable[..., LeanFuture]]:
    """A ``submit`` for ``pool`` queueing its work items with a :class:`LeanFuture`; ``None`` where unsupported."""
    if not _SUPPORTED or type(pool) is not cf.ThreadPoolExecutor:
        return None
    if not all(hasattr(pool, name) for name in ("_shutdown_lock", "_broken", "_shutdown", "_work_queue")):
        return None
    work_item: Any = cf_thread._WorkItem  # typed for a real Future; the worker uses only what LeanFuture has
    global_lock = cf_thread._global_shutdown_lock

    def submit(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> LeanFuture:
        # ThreadPoolExecutor.submit, line for line, with a LeanFuture for the pool's Future.
        with pool._shutdown_lock, global_lock:
            if pool._broken:
                raise cf_thread.BrokenThreadPool(pool._broken)
            if pool._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if cf_thread._shutdown:
                raise RuntimeError("cannot schedule new futures after interpreter shutdown")
            future = LeanFuture()
            pool._work_queue.put(work_item(future, fn, args, kwargs))
            pool._adjust_thread_count()
            return future

    return submit
