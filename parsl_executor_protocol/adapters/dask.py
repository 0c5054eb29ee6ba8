"""Backend for a Dask ``distributed.Client``: Dask futures bridged into ``concurrent.futures``.

``distributed`` is imported only when a client is adapted; without it the
error says what to install.  Results are handed over in batches, as
``client.gather`` fetches them: one thread per adapter (not per task) reads
the status of the Dask futures still running every few tens of milliseconds
(nothing per task runs on Dask's event loop), fetches the values of the
finished ones in one ``gather`` and settles the adapter's futures; a failed
or cancelled task is settled with its own outcome.  The thread starts with
the first task, ends after a few idle seconds or at shutdown, and starts
again with the next task.  Dask workers are the blocks: ``status()`` reports each,
and ``scale_out``/``scale_in`` call the cluster's ``scale`` where the client
has a cluster object that scales (``LocalCluster``, dask-jobqueue, ...).

Resource specification keys: ``priority`` (Dask's task priority, an int) and
``resources`` (Dask worker resources, e.g. ``{"GPU": 1}``).

Each task runs through :func:`_guarded`, which hands ``KeyboardInterrupt`` and
``SystemExit`` back as values (a Dask worker would otherwise leave the task
unfinished for ever); a task whose arguments or result Dask cannot serialize
fails its own future with one line saying so.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import importlib
import logging
import pickle
import threading
import time
import uuid
from types import ModuleType
from typing import Any, Callable, Deque, Dict, List, Mapping, Optional, Sequence, Tuple

from ..errors import MissingExtraError, NotAnExecutorError, UnsupportedResourceSpecificationError
from ._backend import BlockReport

__all__ = ["DaskBackend"]

logger = logging.getLogger(__name__)

_MISSING = object()

#: While tasks are still running, a batch smaller than _BATCH waits this long for more to finish
#: before the next look and gather: each gather is a round trip through the scheduler ...
_WINDOW_SECONDS = 0.02
_BATCH = 256
#: ... and longer with many tasks running: this much per task, up to _MAX_WINDOW_SECONDS.
_WINDOW_PER_TASK = 1e-5
_MAX_WINDOW_SECONDS = 0.1
#: ... or, longer still, this many times as long as the last batch's gather took (up to
#: _MAX_WINDOW_SECONDS): each gather takes the scheduler's event loop, which with an in-process
#: cluster also runs the workers, and a gather every few milliseconds is a tenth of its time.
_GATHER_SPACING = 10
#: While nothing has finished, the looks come sooner: this often for _QUICK_LOOKS looks after a
#: task was handed over or arrived, then twice as far apart each time, up to the window above.
#: A lone short task is settled about a millisecond after it finishes, not a window later.
_QUICK_LOOK_SECONDS = 0.001
_QUICK_LOOKS = 20
#: Dask runs tasks of one priority in the order they came; a window's scan stops after this many
#: unfinished ones in a row ...
_LOOKAHEAD = 64
#: ... and reads every status only after this many times as long as the last full scan took.
_FULL_SCAN_SPACING = 100
#: A Dask future's states that end it; "lost" does not: Dask computes a lost result again.
_OVER = frozenset({"finished", "error", "cancelled"})

#: Seconds the hand-over thread waits for a new task before it ends (the next task starts it again).
_IDLE_SECONDS = 5.0


def _distributed() -> ModuleType:
    """Import ``distributed``, or say exactly what to install."""
    try:
        return importlib.import_module("distributed")
    except ImportError as exc:
        raise MissingExtraError(
            "adapting a Dask client needs the 'distributed' package: "
            "pip install 'parsl-executor-protocol[dask]'",
            extra="dask",
            package="distributed",
        ) from exc


class _Exited:
    """What :func:`_guarded` returns for a task that raised ``KeyboardInterrupt`` or ``SystemExit``."""

    __slots__ = ("exception",)

    def __init__(self, exception: BaseException) -> None:
        self.exception = exception

    def __reduce__(self) -> Any:
        return (_Exited, (self.exception,))


def _guarded(func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    """Run a task on a Dask worker; hand ``KeyboardInterrupt``/``SystemExit`` back rather than raise them.

    A Dask worker lets those two escape its task runner: the task never finishes
    and its future stays pending for ever.  Returned in an :class:`_Exited`, they
    are raised again from the future's result in the adapter's process.
    """
    try:
        return func(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit) as exc:
        return _Exited(exc)


def _serialization_error(exc: BaseException) -> bool:
    # distributed says so in its message, whichever pickler failed (and the type varies).
    return "serialize" in str(exc).split("\n", 1)[0].lower()


class _FailedSubmission:
    """A task Dask could not accept, as far as the adapter is concerned: a finished, failed Dask future."""

    status = "error"
    key = None

    def __init__(self, future: cf.Future[Any]) -> None:
        self._future = future

    def result(self) -> Any:
        """Raise why the task could not be submitted."""
        return self._future.result()

    def add_done_callback(self, callback: Callable[[Any], Any]) -> None:
        """Call ``callback`` at once: the submission is over."""
        callback(self)


class _HandOver:
    """Hands finished Dask futures to their callbacks in batches, each batch's values fetched in one ``gather``.

    One thread polls the status of the futures still running, a plain
    attribute each future's client keeps up to date: unlike
    ``distributed.as_completed`` or ``add_done_callback``, this puts no
    coroutine per future on the client's event loop, which with an in-process
    cluster also runs the scheduler and the workers.  Every window it takes
    whatever has finished (in any order: a long task blocks no later one),
    gathers the values of those that succeeded in one round trip and calls
    each future's callback, which reads its value with :meth:`take`.  A failed
    batch gather (a worker lost meanwhile) leaves each future to fetch its own
    outcome.
    """

    def __init__(self, client: Any) -> None:
        self._client = client
        # Filled by any submitting thread, emptied by the hand-over thread alone into its own
        # ordered dict, which it can then scan without a lock.
        self._arrived: Deque[Tuple[Any, Callable[[Any], Any]]] = collections.deque()
        self._values: Dict[Any, Any] = {}
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._stopped = False

    def add(self, future: Any, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(future)`` once ``future`` is finished (in a batch with others)."""
        self._arrived.append((future, callback))
        if not self._wake.is_set():  # set() takes a lock; a burst of tasks needs only the first
            self._wake.set()
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None and not self._stopped:
                self._thread = threading.Thread(
                    target=self._run, name="parsl-executor-protocol-dask-results", daemon=True
                )
                self._thread.start()

    def take(self, future: Any) -> Any:
        """The value gathered for ``future``, once (``_MISSING`` if it was not gathered in a batch)."""
        return self._values.pop(future, _MISSING)

    def stop(self) -> None:
        """End the thread; futures still unfinished are forgotten (the adapter has settled them)."""
        with self._lock:
            self._stopped = True
            thread = self._thread
        self._halt.set()
        self._wake.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        self._arrived.clear()
        self._values.clear()

    def _run(self) -> None:
        pending: Dict[Any, Callable[[Any], Any]] = {}
        arrived = self._arrived
        next_full = 0.0
        quiet = 0  # looks in a row that found nothing over
        gathered_in = 0.0  # seconds the last batch's gather took
        while True:
            if not pending and not self._wake.wait(_IDLE_SECONDS):
                with self._lock:  # idle: end, unless a task arrived meanwhile (its add() restarts us)
                    if not self._wake.is_set():
                        self._thread = None
                        return
            # Cleared before draining, so that a task added meanwhile wakes the next wait.
            self._wake.clear()
            if self._stopped:
                return
            if arrived:
                quiet = 0
            _drain(arrived, pending)
            if time.monotonic() >= next_full:
                # Every future's status, in case some finished out of order; reading thousands takes
                # milliseconds, so this is spaced to stay a small part of the time.
                start = time.monotonic()
                over = [future for future in pending if future.status in _OVER]
                next_full = start + (time.monotonic() - start) * _FULL_SCAN_SPACING
            else:
                over = _first_over(pending)
            if over:
                gathered_in = self._hand_over(over, [pending.pop(future) for future in over])
                quiet = 0
            else:
                quiet = min(quiet + 1, _QUICK_LOOKS + 16)
            # The batch's Dask futures must not outlive it here: while one is referenced, its
            # result stays in the cluster's memory, through the idle wait too.
            size = len(over)
            over = []
            if pending and size < _BATCH:
                # Let more finish, so that one gather fetches them all: longer with many tasks
                # running, when each gather is worth more and adds less latency than the queue does.
                window = min(
                    _MAX_WINDOW_SECONDS,
                    max(_WINDOW_SECONDS, len(pending) * _WINDOW_PER_TASK, gathered_in * _GATHER_SPACING),
                )
                if not size:
                    window = min(window, _QUICK_LOOK_SECONDS * 2 ** max(0, quiet - _QUICK_LOOKS))
                self._halt.wait(window)

    def _hand_over(self, over: List[Any], callbacks: List[Callable[[Any], Any]]) -> float:
        """Gather the finished futures' values, call each future's callback; return the gather's seconds."""
        finished = [future for future in over if future.status == "finished"]
        start = time.monotonic()
        if finished:
            try:
                values = self._client.gather(finished)
            except Exception:  # e.g. a worker lost since: each future fetches its own outcome
                logger.debug("batch gather of %d Dask results failed", len(finished), exc_info=True)
            else:
                self._values.update(zip(finished, values, strict=True))
        gathered_in = time.monotonic() - start
        for future, callback in zip(over, callbacks, strict=True):
            try:
                callback(future)
            except Exception:  # as Dask's own callback thread does: log, and go on with the others
                logger.exception("callback of Dask future %s failed", getattr(future, "key", "?"))
        return gathered_in


def _drain(arrived: Deque[Tuple[Any, Callable[[Any], Any]]], pending: Dict[Any, Callable[[Any], Any]]) -> None:
    """Move what was submitted into ``pending`` (a function, so that no local keeps a future alive)."""
    while arrived:
        future, callback = arrived.popleft()
        pending[future] = callback


def _first_over(pending: Dict[Any, Callable[[Any], Any]]) -> List[Any]:
    """The finished futures among the oldest in ``pending``, up to _LOOKAHEAD unfinished ones in a row."""
    over = []
    unfinished = 0
    for future in pending:
        if future.status in _OVER:
            over.append(future)
            unfinished = 0
        else:
            unfinished += 1
            if unfinished > _LOOKAHEAD:
                break
    return over


def _one_line(exc: BaseException) -> str:
    # distributed's serialization errors carry a traceback, or a (message, repr) pair.
    first = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return first.split("\n", 1)[0]


class DaskBackend:
    """Wraps a ``distributed.Client`` for the adapters."""

    kind = "Dask"
    default_label = "dask"
    native_futures = False
    # Dask may run a task more than once (a lost worker) or in another process.
    runs_inline = False
    # Dask workers may be threads of one process; per-task resource monitoring
    # forks a monitor per task, which parsl avoids for threads.
    runs_in_processes = False
    queue_runner = None
    supported_resources: Mapping[str, str] = {
        "priority": "Dask task priority, an int; higher runs first",
        "resources": "Dask worker resources, e.g. {'GPU': 1}",
    }

    def __init__(self, client: Any) -> None:
        distributed = _distributed()
        if not isinstance(client, distributed.Client):
            raise NotAnExecutorError(
                f"DaskBackend takes a distributed.Client, found {type(client).__name__}",
                found=type(client).__name__,
            )
        self.client = client
        self._hand_over = _HandOver(client)

    @staticmethod
    def _key(func: Callable[..., Any]) -> str:
        # Unique keys: Dask would otherwise run two identical tries only once.
        return f"{getattr(func, '__name__', 'task')}-{uuid.uuid4().hex}"

    def submit(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        """Submit ``func(*args, **kwargs)``; the task's keywords travel as one dict, apart from Dask's own."""
        return self._submit(func, args, kwargs)

    def _submit(self, func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any], **options: Any) -> Any:
        # _guarded itself is the function Dask sends (it pickles it once and caches it); a
        # partial made per task would be pickled anew for every task.
        try:
            return self.client.submit(_guarded, func, args, kwargs, key=self._key(func), pure=False, **options)
        except Exception as exc:
            if not _serialization_error(exc):
                raise
            # As the standard pools do, a task that cannot be serialized fails its own future.
            error = pickle.PicklingError(
                f"task {getattr(func, '__name__', 'task')} cannot be sent to Dask: its function or arguments "
                f"cannot be serialized ({type(exc).__name__}: {_one_line(exc)})"
            )
            future: cf.Future[Any] = cf.Future()
            future.set_exception(error)
            return _FailedSubmission(future)

    #: Never used: Dask's futures cannot be handed back as they are (``native_futures`` is false).
    direct_submit = submit

    def submit_with(
        self, resources: Mapping[str, Any], func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> Any:
        """Submit with Dask's ``priority`` and/or worker ``resources``."""
        priority = resources.get("priority", 0)
        worker_resources = resources.get("resources")
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise UnsupportedResourceSpecificationError(
                f"resource_specification 'priority' must be an int, found {priority!r}",
                invalid_keys=frozenset({"priority"}),
                supported=tuple(self.supported_resources),
            )
        if worker_resources is not None and not (
            isinstance(worker_resources, Mapping)
            and all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in worker_resources.items())
        ):
            raise UnsupportedResourceSpecificationError(
                "resource_specification 'resources' must map resource names to amounts, "
                f"e.g. {{'GPU': 1}}, found {worker_resources!r}",
                invalid_keys=frozenset({"resources"}),
                supported=tuple(self.supported_resources),
            )
        return self._submit(
            func, args, kwargs,
            priority=priority,
            resources=dict(worker_resources) if worker_resources is not None else None,
        )

    def when_done(self, future: Any, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(future)`` once the task is over, its value fetched with others' in one batch."""
        if isinstance(future, _FailedSubmission):
            callback(future)
            return
        self._hand_over.add(future, callback)

    def stop_watching(self) -> None:
        """End the thread that hands results over (the client itself is left as it is)."""
        self._hand_over.stop()

    def result(self, future: Any) -> Any:
        """The done Dask future's result, or its task's exception with its original type."""
        if isinstance(future, _FailedSubmission):
            return future.result()
        value = self._hand_over.take(future)
        if value is _MISSING:  # not gathered in a batch: a failed task, or a failed batch gather
            try:
                value = future.result()
            except Exception as exc:
                if not _serialization_error(exc):
                    raise
                raise pickle.PicklingError(
                    f"the result of Dask task {getattr(future, 'key', '?')} cannot be serialized back "
                    f"({type(exc).__name__}: {_one_line(exc)})"
                ) from exc
        if isinstance(value, _Exited):
            raise value.exception
        return value

    def _running(self) -> bool:
        return str(getattr(self.client, "status", "running")) in {"running", "connecting", "newly-created"}

    def is_fatal(self, exc: BaseException) -> bool:
        """A task failure is not fatal; losing the client (closed, scheduler gone) is."""
        return not self._running()

    def cancel(self, futures: Sequence[Any]) -> List[bool]:
        """Cancel the unfinished futures in Dask, which cannot tell queued from running tasks.

        Finished ones are left to be bridged with their outcome.
        """
        unfinished = [future.status not in ("finished", "error") for future in futures]
        doomed = [future for future, cancel in zip(futures, unfinished, strict=True) if cancel]
        if doomed and self._running():
            with contextlib.suppress(Exception):  # the client went away meanwhile: nothing left to cancel
                self.client.cancel(doomed)
        return unfinished

    def close(self, *, wait: bool, kill: bool) -> None:
        """Close the client (and a cluster the client itself created, as Dask does)."""
        self.client.close()

    @property
    def _cluster(self) -> Optional[Any]:
        cluster = getattr(self.client, "cluster", None)
        return cluster if callable(getattr(cluster, "scale", None)) else None

    @property
    def scaling_enabled(self) -> bool:
        """Whether the client has a cluster object that can scale."""
        return self._cluster is not None

    def _workers(self) -> Mapping[str, Any]:
        try:
            info = self.client.scheduler_info(n_workers=-1)
        except TypeError:  # distributed before 2025 has no n_workers and always lists every worker
            info = self.client.scheduler_info()
        workers: Mapping[str, Any] = info.get("workers", {})
        return workers

    def _names(self) -> List[str]:
        """Names of the workers the cluster wants (launched or not), else of those connected."""
        spec = getattr(self._cluster, "worker_spec", None)
        if isinstance(spec, Mapping):
            return [str(name) for name in spec]
        return [str(w.get("name", address)) for address, w in self._workers().items()]

    def scale_out(self, blocks: int) -> List[str]:
        """Ask the cluster for ``blocks`` more workers; return the new workers' names."""
        cluster = self._cluster
        if cluster is None:
            return []
        before = self._names()
        cluster.scale(len(before) + blocks)
        known = set(before)
        return [name for name in self._names() if name not in known]

    def scale_in(self, blocks: int) -> List[str]:
        """Ask the cluster for ``blocks`` fewer workers; return the removed workers' names."""
        cluster = self._cluster
        if cluster is None:
            return []
        before = self._names()
        cluster.scale(max(0, len(before) - blocks))
        after = set(self._names())
        return [name for name in before if name not in after]

    def blocks(self) -> BlockReport:
        """Each worker is a block: RUNNING once connected to the scheduler, PENDING before."""
        connected = {str(w.get("name", address)) for address, w in self._workers().items()}
        report: BlockReport = {}
        for name in self._names():
            report[name] = ("RUNNING", None) if name in connected else ("PENDING", "launched, not yet connected")
        for name in connected - set(report):
            report[name] = ("RUNNING", None)
        return report

    def in_worker(self) -> bool:
        """Never known: Dask runs tasks on its workers' own threads or processes."""
        return False

    def start(self, run_dir: str) -> None:
        """Nothing to start: the wrapped executor already runs."""

    def broken(self) -> Optional[BaseException]:
        """Never: the wrapped executor has no bad state of its own (failures are seen task by task)."""
        return None

    def set_bad_state(self, exception: Exception) -> None:
        """Nothing to tell: the wrapped executor has no bad state of its own."""

    def default_radio(self) -> Optional[Any]:
        """Parsl's ``FilesystemRadio``: workers write monitoring messages under the run directory."""
        from parsl.monitoring.radios.filesystem import FilesystemRadio

        return FilesystemRadio()
