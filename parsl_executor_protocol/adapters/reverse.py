"""Any Parsl executor, of either contract, as a ``concurrent.futures.Executor``.

Code written for the standard library (``executor.submit``, ``executor.map``,
``with executor:``) can then run on a Parsl executor: parsl's own
``ThreadPoolExecutor`` or ``HighThroughputExecutor``, an adapter, or any
executor written to the 2020 text.

The futures handed out are the wrapper's own, completed from the Parsl
executor's futures by a done-callback.  Cancelling one (or
``shutdown(cancel_futures=True)``) therefore never touches a future the Parsl
executor will complete later (parsl's HighThroughputExecutor, for one, does
not expect its futures to be cancelled); the task itself may still run.
Most Parsl executors never mark a future as running, so
``shutdown(cancel_futures=True)`` cancels every pending future except those
whose Parsl future reports ``running()`` (thread pools do).
"""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import threading
from typing import Any, Callable, Dict, Literal, Optional, ParamSpec, TypeVar

from ..errors import NotAnExecutorError
from ..protocols._contracts import EXECUTOR_CONTRACTS, validate_contract

__all__ = ["ParslFuturesExecutor", "as_futures_executor"]

_T = TypeVar("_T")
_P = ParamSpec("_P")

#: The contracts a Parsl executor can be wrapped under (the names of ``EXECUTOR_CONTRACTS``), as a type.
Contract = Literal["current", "2020"]


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


def _copy_outcome(target: cf.Future[Any], source: cf.Future[Any]) -> None:
    if target.done():
        return
    try:
        if source.cancelled():
            target.cancel()
            return
        exc = source.exception()
        if exc is not None:
            target.set_exception(exc)
        else:
            target.set_result(source.result())
    except cf.InvalidStateError:  # cancelled by the caller meanwhile
        pass


class ParslFuturesExecutor(cf.Executor):
    """A Parsl executor seen as a ``concurrent.futures.Executor``; made by :func:`as_futures_executor`."""

    def __init__(self, executor: Any, *, contract: Optional[Contract] = None, start: bool = True) -> None:
        needed = ("submit", "shutdown", "start") if start else ("submit", "shutdown")
        missing = tuple(name for name in needed if not callable(getattr(executor, name, None)))
        if missing:
            raise NotAnExecutorError(
                f"as_futures_executor() takes a Parsl executor (today's contract or the 2020 one); "
                f"{type(executor).__name__} lacks {', '.join(missing)}",
                found=type(executor).__name__,
                missing=missing,
            )
        if contract is None:
            contract = _detect_contract(executor)
        else:
            validate_contract(contract, EXECUTOR_CONTRACTS)
        self.wrapped = executor
        self.contract: Contract = contract
        self._lock = threading.Lock()
        # the wrapper's pending futures -> the Parsl executor's futures
        self._pending: Dict[cf.Future[Any], cf.Future[Any]] = {}
        self._shutdown = False
        self._closer: Optional[threading.Thread] = None
        if start:
            executor.start()

    def __repr__(self) -> str:
        return f"ParslFuturesExecutor({self.wrapped!r}, contract={self.contract!r})"

    def submit(self, fn: Callable[_P, _T], /, *args: _P.args, **kwargs: _P.kwargs) -> cf.Future[_T]:
        """Run ``fn(*args, **kwargs)`` on the Parsl executor (with an empty resource specification)."""
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            if self.contract == "current":
                inner = self.wrapped.submit(fn, {}, *args, **kwargs)
            else:
                inner = self.wrapped.submit(fn, *args, **kwargs)
            if not isinstance(inner, cf.Future):
                raise TypeError(
                    f"{type(self.wrapped).__name__}.submit returned {type(inner).__name__}, "
                    "expected a concurrent.futures.Future"
                )
            future: cf.Future[_T] = cf.Future()
            self._pending[future] = inner
        future.add_done_callback(self._forget)
        inner.add_done_callback(lambda source: _copy_outcome(future, source))
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse new tasks; optionally cancel pending futures; shut the Parsl executor down once all settle.

        With ``wait=False`` the Parsl executor is shut down on a background
        thread once the pending futures settle, as the standard pools free
        their workers then.
        """
        with self._lock:
            first = not self._shutdown
            self._shutdown = True
        if cancel_futures:
            for future, inner in list(self._pending.items()):
                if not inner.running():
                    future.cancel()
        if not first:
            if wait and self._closer is not None:
                self._closer.join()
            return
        if wait:
            self._close()
        else:
            self._closer = threading.Thread(target=self._close, name="ParslFuturesExecutor-shutdown")
            self._closer.start()

    def _forget(self, future: cf.Future[Any]) -> None:
        self._pending.pop(future, None)

    def _close(self) -> None:
        cf.wait(list(self._pending))
        self.wrapped.shutdown()


def as_futures_executor(
    executor: Any, *, contract: Optional[Contract] = None, start: bool = True
) -> ParslFuturesExecutor:
    """Wrap a Parsl executor (today's contract or the 2020 one) as a ``concurrent.futures.Executor``.

    ``contract`` is detected from ``submit``'s signature unless given.  The
    executor is started now unless ``start=False`` (pass that if it was
    started already), and shut down by the wrapper's ``shutdown()``.
    """
    return ParslFuturesExecutor(executor, contract=contract, start=start)
