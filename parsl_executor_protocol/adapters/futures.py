"""Backend for ``concurrent.futures`` executors: thread pools, process pools, loky, look-alikes.

Anything with ``submit(fn, *args, **kwargs) -> Future`` and
``shutdown(wait=...)`` works.  What differs between pools:

* thread pools run each task through the adapter's runner, which settles the
  adapter's future on the pool's thread; every other pool's futures are
  copied to the adapter's by a done-callback (the modes are described in
  :mod:`._base`);
* the standard library's ``ProcessPoolExecutor`` and mpi4py's
  ``MPIPoolExecutor`` pickle with :mod:`pickle`, which cannot pickle the
  closures Parsl wraps every app in, nor a function defined in ``__main__``
  (the workers' ``__main__`` is another module), nor a local class or lambda a
  task returns.  Tasks for them are serialized by value with ``cloudpickle``
  (or ``dill``, which parsl installs) and run by :func:`_run_by_value` in the
  worker, which sends the outcome back serialized the same way; loky pickles
  with cloudpickle already, both ways;
* a pool that breaks (``concurrent.futures.BrokenExecutor``: a killed worker
  process, a failing initializer) puts the adapter in bad state.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import inspect
import pickle
import threading
import traceback
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

from ._backend import BlockReport
from ._lean import RunnerQueue, runner_queue

__all__ = ["FuturesBackend", "RemoteTraceback"]


class RemoteTraceback(Exception):
    """The traceback of a task that raised in a worker process, set as its exception's ``__cause__``."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def _import_dumps(name: str) -> Callable[[Any], bytes]:
    dumps: Callable[[Any], bytes] = importlib.import_module(name).dumps
    return dumps


def _run_by_value(serializer: str, payload: bytes) -> bytes:
    """Run a task serialized by :func:`_serializer` (in a worker process); return its outcome serialized the same way.

    The outcome goes back as bytes so that the pool's own pickling (the
    standard :mod:`pickle` for ``ProcessPoolExecutor`` and mpi4py) never sees
    the task's value, which may be a local class or a lambda.  Exceptions,
    ``KeyboardInterrupt`` and ``SystemExit`` included, travel back with their
    traceback as text, as the standard pool sends them.
    """
    dumps = _import_dumps(serializer)
    func, args, kwargs = pickle.loads(payload)
    try:
        outcome: Tuple[bool, Any, Optional[str]] = (True, func(*args, **kwargs), None)
    except BaseException as exc:  # the task's own failure, sent back as the standard pool does
        outcome = (False, exc, "".join(traceback.format_exception(exc)))
    try:
        return dumps(outcome)
    except Exception as exc:  # the value cannot travel: say so, with a picklable error
        ok, value, text = outcome
        what = f"returned a {type(value).__name__}" if ok else f"raised {type(value).__name__}: {value}"
        error = pickle.PicklingError(
            f"task {_name(func)} {what} that cannot be pickled back from the worker "
            f"({serializer}: {type(exc).__name__}: {exc})"
        )
        return dumps((False, error, text))


def _run_args_by_value(payload: bytes) -> Any:
    """Run a task serialized by :func:`_serializer` and return its result as it is (``bridge=False``)."""
    func, args, kwargs = pickle.loads(payload)
    return func(*args, **kwargs)


def _name(func: Any) -> str:
    return str(getattr(func, "__qualname__", None) or getattr(func, "__name__", None) or type(func).__name__)


def _serializer() -> Optional[str]:
    """The module whose ``dumps`` serializes tasks by value: cloudpickle or dill, whichever is installed first."""
    for name in ("cloudpickle", "dill"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return name
    return None


def _failed(exc: BaseException) -> cf.Future[Any]:
    future: cf.Future[Any] = cf.Future()
    future.set_exception(exc)
    return future


class FuturesBackend:
    """Wraps a ``concurrent.futures.Executor`` (or look-alike) for the adapters."""

    supported_resources: Mapping[str, str] = {}

    #: ``submit`` returns concurrent.futures.Future objects (look-alikes are trusted to).
    native_futures = True

    def __init__(self, pool: Any) -> None:
        self.pool = pool
        module = type(pool).__module__ or ""
        self._loky = "loky" in module.split(".")
        self._threads = isinstance(pool, cf.ThreadPoolExecutor)
        # mpi4py's MPIPoolExecutor runs tasks in MPI processes and pickles with the standard pickle.
        self._mpi = module.startswith("mpi4py.futures")
        self.runs_in_processes = self._loky or self._mpi or isinstance(pool, cf.ProcessPoolExecutor)
        if self._threads:
            self.kind, self.default_label = "thread pool", "threads"
        elif self._loky:
            self.kind, self.default_label = "loky process pool", "loky"
        elif self._mpi:
            self.kind, self.default_label = "MPI pool", "mpi"
        elif self.runs_in_processes:
            self.kind, self.default_label = "process pool", "processes"
        else:
            self.kind, self.default_label = type(pool).__name__, type(pool).__name__
        # A thread pool (or subclass) calls each task once, on one of its threads.
        self.runs_inline = self._threads
        self.submit: Callable[..., Any] = pool.submit
        self.direct_submit: Callable[..., Any] = pool.submit
        # The adapter's runner settles its own future: the pool's would be bookkeeping only.
        self.queue_runner: Optional[RunnerQueue] = runner_queue(pool) if self._threads else None
        # Pools that pickle with the standard pickle cannot carry the closures Parsl wraps
        # every app in, nor what an app defined in __main__ returns: tasks and outcomes
        # travel as bytes of cloudpickle (or dill).  loky pickles with cloudpickle already.
        self._serializer = _serializer() if isinstance(pool, cf.ProcessPoolExecutor) or self._mpi else None
        if self._serializer is not None:
            self._dumps = _import_dumps(self._serializer)
            self.submit = self._submit_by_value
            self.direct_submit = self._submit_args_by_value
        try:
            self._kill_keyword = "kill_workers" in inspect.signature(pool.shutdown).parameters
        except (TypeError, ValueError):
            self._kill_keyword = False

    def _payload(self, func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]) -> bytes:
        try:
            return self._dumps((func, args, kwargs))
        except Exception as exc:
            raise pickle.PicklingError(
                f"task {_name(func)} cannot be sent to the {self.kind}: its function or arguments cannot be "
                f"pickled ({self._serializer}: {type(exc).__name__}: {exc})"
            ) from exc

    def _submit_by_value(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        # As the standard pool does, a task that cannot be pickled fails its future, not submit().
        try:
            payload = self._payload(func, args, kwargs)
        except pickle.PicklingError as exc:
            return _failed(exc)
        return self.pool.submit(_run_by_value, self._serializer, payload)  # type: ignore[no-any-return]

    def _submit_args_by_value(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        try:
            payload = self._payload(func, args, kwargs)
        except pickle.PicklingError as exc:
            return _failed(exc)
        return self.pool.submit(_run_args_by_value, payload)  # type: ignore[no-any-return]

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
        """The done future's result (or its exception, raised), unpickled when it came back by value."""
        if self._serializer is None:
            return future.result()
        raw = future.result()
        try:
            ok, value, text = pickle.loads(raw)
        except Exception as exc:
            raise pickle.UnpicklingError(
                f"the outcome of a task sent back by the {self.kind} cannot be unpickled here: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        if ok:
            return value
        if text is not None and value.__cause__ is None:
            value.__cause__ = RemoteTraceback(text)
        raise value

    def is_fatal(self, exc: BaseException) -> bool:
        """A broken pool (killed worker, failed initializer) is fatal; task errors are not."""
        return isinstance(exc, cf.BrokenExecutor)

    def cancel(self, futures: Sequence[Any]) -> List[bool]:
        """Cancel each future; those not yet started by the pool will never run."""
        return [future.cancel() for future in futures]

    def close(self, *, wait: bool, kill: bool) -> None:
        """Shut the pool down; ``kill`` terminates process workers still running tasks where the pool can."""
        if kill:
            if self._kill_keyword:  # loky
                self.pool.shutdown(wait=False, kill_workers=True)
                return
            # ProcessPoolExecutor.terminate_workers() exists from Python 3.14 on
            # (CPython gh-128041) and terminates the processes in the pool's
            # _processes map; before 3.14 that private map is the only way to
            # stop a worker stuck in a task.  Threads can never be stopped.
            terminate = getattr(self.pool, "terminate_workers", None)
            if callable(terminate):
                terminate()
                return
            processes = getattr(self.pool, "_processes", None)
            if isinstance(self.pool, cf.ProcessPoolExecutor) and isinstance(processes, dict):
                workers = list(processes.values())
                for process in workers:
                    process.terminate()
                for process in workers:
                    process.join(timeout=10)
                self.pool.shutdown(wait=True)
                return
        self.pool.shutdown(wait=wait)

    @property
    def scaling_enabled(self) -> bool:
        """A pool has a fixed number of workers."""
        return False

    def scale_out(self, blocks: int) -> List[str]:
        """Not possible: returns ``[]``."""
        return []

    def scale_in(self, blocks: int) -> List[str]:
        """Not possible: returns ``[]``."""
        return []

    def blocks(self) -> BlockReport:
        """The whole pool is one block, ``"0"``."""
        workers = getattr(self.pool, "_max_workers", None)
        detail = f"{self.kind} of {workers} workers" if isinstance(workers, int) else self.kind
        return {"0": ("RUNNING", detail)}

    def in_worker(self) -> bool:
        """Whether the calling thread is one of a thread pool's workers (its ``_threads``, in every CPython)."""
        return self._threads and threading.current_thread() in getattr(self.pool, "_threads", ())

    def start(self, run_dir: str) -> None:
        """Nothing to start: the wrapped executor already runs."""

    def broken(self) -> Optional[BaseException]:
        """Never: the wrapped executor has no bad state of its own (failures are seen task by task)."""
        return None

    def set_bad_state(self, exception: Exception) -> None:
        """Nothing to tell: the wrapped executor has no bad state of its own."""

    def default_radio(self) -> Optional[Any]:
        """Parsl's radio for where this pool runs tasks (parsl is imported when this is called)."""
        if self.runs_in_processes:
            from parsl.monitoring.radios.filesystem import FilesystemRadio

            return FilesystemRadio()
        from parsl.monitoring.radios.multiprocessing import MultiprocessingQueueRadio

        return MultiprocessingQueueRadio()

