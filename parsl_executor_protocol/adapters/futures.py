"""Backend for ``concurrent.futures`` executors: thread pools, process pools, loky, look-alikes.

Anything with ``submit(fn, *args, **kwargs) -> Future`` and
``shutdown(wait=...)`` works.  What differs between pools:

* thread pools run each task through the adapter's runner, which settles the
  adapter's future on the pool's thread; every other pool's futures are
  copied to the adapter's by a done-callback (the modes are described in
  :mod:`._base`);
* the standard library's ``ProcessPoolExecutor`` pickles with :mod:`pickle`,
  which cannot pickle the closures Parsl wraps every app in, so tasks for it are
  serialized with ``cloudpickle`` (or ``dill``, which parsl installs) and
  unpickled in the worker; loky pickles with cloudpickle already;
* a pool that breaks (``concurrent.futures.BrokenExecutor``: a killed worker
  process, a failing initializer) puts the adapter in bad state.
"""

from __future__ import annotations

import concurrent.futures as cf
import importlib
import inspect
import pickle
from typing import Any, Callable, List, Mapping, Optional, Sequence

from ._backend import BlockReport

__all__ = ["FuturesBackend"]


def _run_pickled(payload: bytes) -> Any:
    """Run a task serialized by :func:`_serializer` (in a process pool worker)."""
    func, args, kwargs = pickle.loads(payload)
    return func(*args, **kwargs)


def _serializer() -> Optional[Callable[[Any], bytes]]:
    """``dumps`` of cloudpickle or dill, whichever is installed first; ``None`` if neither is."""
    for name in ("cloudpickle", "dill"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        dumps: Callable[[Any], bytes] = module.dumps
        return dumps
    return None


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
        self.runs_in_processes = self._loky or isinstance(pool, cf.ProcessPoolExecutor)
        if self._threads:
            self.kind, self.default_label = "thread pool", "threads"
        elif self._loky:
            self.kind, self.default_label = "loky process pool", "loky"
        elif self.runs_in_processes:
            self.kind, self.default_label = "process pool", "processes"
        else:
            self.kind, self.default_label = type(pool).__name__, type(pool).__name__
        # A thread pool (or subclass) calls each task once, on one of its threads.
        self.runs_inline = self._threads
        self.submit: Callable[..., Any] = pool.submit
        if isinstance(pool, cf.ProcessPoolExecutor):
            dumps = _serializer()
            if dumps is not None:
                self._dumps = dumps
                self.submit = self._submit_serialized
        try:
            self._kill_keyword = "kill_workers" in inspect.signature(pool.shutdown).parameters
        except (TypeError, ValueError):
            self._kill_keyword = False

    def _submit_serialized(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        return self.pool.submit(_run_pickled, self._dumps((func, args, kwargs)))  # type: ignore[no-any-return]

    def submit_with(
        self, resources: Mapping[str, Any], func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> Any:
        """Never reached: no resource keys are supported, so the adapter rejects them first."""
        raise AssertionError(f"{self.kind} supports no resource specification, got {dict(resources)!r}")

    def result(self, future: Any) -> Any:
        """The done future's result (or its exception, raised)."""
        return future.result()

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

    def default_radio(self) -> Optional[Any]:
        """Parsl's radio for where this pool runs tasks (parsl is imported when this is called)."""
        if self.runs_in_processes:
            from parsl.monitoring.radios.filesystem import FilesystemRadio

            return FilesystemRadio()
        from parsl.monitoring.radios.multiprocessing import MultiprocessingQueueRadio

        return MultiprocessingQueueRadio()

