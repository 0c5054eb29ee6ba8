"""What a backend is: the interface each kind of wrapped executor implements for the adapters.

A leaf module: it imports nothing from the other adapter modules, so that the
backends (:mod:`.futures`, :mod:`.dask`) and the adapter core (:mod:`._base`)
both depend on it and not on each other.  Which backend wraps which executor
is decided above them, in :mod:`._select`.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple

from ._lean import RunnerQueue

__all__ = ["Backend", "BlockReport"]

#: Blocks as a backend reports them: block id -> (Parsl JobState name, message).
BlockReport = Dict[str, Tuple[str, Optional[str]]]


class Backend(Protocol):
    """What an adapter needs from the executor it wraps; one implementation per kind of executor."""

    #: Human-readable kind, used in messages ("thread pool", "Dask", ...).
    kind: str
    #: Label used when ``adapt()`` is given none.
    default_label: str
    #: Whether ``submit`` returns ``concurrent.futures.Future`` objects, which ``bridge=False`` hands back as they are.
    native_futures: bool
    #: Whether each task runs exactly once on a thread of this process, so that the adapter's runner settles its future.
    runs_inline: bool
    #: Whether tasks run in other processes: decides ``monitor_resources()`` and the default radio.
    runs_in_processes: bool
    #: ``resource_specification`` keys the backend understands, each with what it means.
    supported_resources: Mapping[str, str]

    @property
    def submit(self) -> Callable[..., Any]:
        """``submit(func, *args, **kwargs)``: the wrapped executor's future of ``func(*args, **kwargs)``."""
        ...

    @property
    def direct_submit(self) -> Callable[..., Any]:
        """``submit`` for ``bridge=False``: the wrapped executor's future's result is the task's own value."""
        ...

    @property
    def queue_runner(self) -> Optional[RunnerQueue]:
        """Where ``runs_inline``: queues runner tasks without a pool future (see :mod:`._lean`); else ``None``."""
        ...

    def submit_with(
        self, resources: Mapping[str, Any], func: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> Any:
        """Submit under a non-empty, already key-checked resource specification."""
        ...

    def when_done(self, future: Any, callback: Callable[[Any], Any]) -> None:
        """Call ``callback(future)`` once a future ``submit`` returned is done (callback mode)."""
        ...

    def stop_watching(self) -> None:
        """Stop what :meth:`when_done` runs of its own, at shutdown (the wrapped executor is left alone)."""
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

    def in_worker(self) -> bool:
        """Whether the calling thread is one of the wrapped executor's workers, running a task."""
        ...

    def start(self, run_dir: str) -> None:
        """Start the wrapped executor where it needs starting (pools and Dask clients already run)."""
        ...

    def broken(self) -> Optional[BaseException]:
        """Why the wrapped executor has put itself in bad state, where it has one; ``None`` otherwise."""
        ...

    def set_bad_state(self, exception: Exception) -> None:
        """Tell the wrapped executor it is in bad state, where it has one (pools and Dask have none)."""
        ...

    def default_radio(self) -> Optional[Any]:
        """Parsl's monitoring radio suited to where tasks run (called only when parsl is loaded)."""
        ...
