"""Adapters: existing executors inside real Parsl, and Parsl executors as ``concurrent.futures``.

* :func:`adapt` takes a ``concurrent.futures.Executor`` (thread pool, process
  pool, loky's reusable executor, anything with ``submit``/``shutdown``) or a
  Dask ``distributed.Client`` and returns a Parsl executor for today's
  contract (:class:`ExecutorAdapter`) or, with ``contract="2020"``, the 2020
  one (:class:`ExecutorAdapter2020`).
* :func:`as_futures_executor` goes the other way.
* ``ParslUnsupportedResourceSpecificationError``: what an adapter raises for
  ``resource_specification`` keys its executor does not support; both the
  package's ``UnsupportedResourceSpecificationError`` and parsl's
  ``InvalidResourceSpecification`` (accessing it imports parsl).

One module per kind of executor: :mod:`.futures` (standard library pools and
loky), :mod:`.dask` (imports ``distributed`` only when a client is adapted),
:mod:`.reverse`.  The interface every backend implements is in
:mod:`._backend`, which imports no other adapter module; the shared state
machine is in :mod:`._base`, which imports no backend; :mod:`._select`, above
both, picks the backend for an executor and is handed to the state machine
here.

Parsl is never imported by these modules.  :class:`ExecutorAdapter` is
registered as a virtual subclass of parsl's ``ParslExecutor`` as soon as
parsl has been imported: when this package is imported after parsl, or on the
next ``adapt()``, adapter construction or ``start()`` (the DataFlowKernel
calls ``start()``).  :func:`register_with_parsl` does it on demand.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Literal, Mapping, Optional, Tuple, Union, overload

from ..protocols._contracts import EXECUTOR_CONTRACTS, RUNTIME_CONTRACT, Contract, validate_contract
from ._base import (
    ExecutorAdapter,
    ExecutorAdapter2020,
    _register_if_parsl_loaded,
    register_with_parsl,
    set_backend_chooser,
)
from ._parsl import PUBLIC_MODULE, resource_error_class
from ._select import backend_for
from .reverse import ParslFuturesExecutor, as_futures_executor

if TYPE_CHECKING:
    from ._parsl import ParslUnsupportedResourceSpecificationError

__all__ = [
    "ExecutorAdapter",
    "ExecutorAdapter2020",
    "ParslFuturesExecutor",
    "ParslUnsupportedResourceSpecificationError",
    "adapt",
    "as_futures_executor",
    "register_with_parsl",
]

set_backend_chooser(backend_for)

# The adapter classes are defined in private modules; their public home is this package.
ExecutorAdapter.__module__ = ExecutorAdapter2020.__module__ = PUBLIC_MODULE


def __getattr__(name: str) -> object:
    # The resource error derives from parsl's own, so it is made (importing parsl) on first access.
    if name == "ParslUnsupportedResourceSpecificationError":
        return resource_error_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: The adapter class for each contract an adapter is built for.
_ADAPTER_CLASSES: Mapping[str, type[Union[ExecutorAdapter, ExecutorAdapter2020]]] = {
    "current": ExecutorAdapter,
    "2020": ExecutorAdapter2020,
}
#: Those contracts as errors list them: the default (:data:`RUNTIME_CONTRACT`) first.
_ADAPT_CHOICES: Tuple[str, ...] = (
    RUNTIME_CONTRACT,
    *(contract for contract in EXECUTOR_CONTRACTS if contract != RUNTIME_CONTRACT),
)


@overload
def adapt(
    executor: object,
    *,
    label: Optional[str] = ...,
    contract: Literal["current"] = ...,
    storage_access: Optional[List[Any]] = ...,
    working_dir: Optional[str] = ...,
    remote_monitoring_radio: Optional[Any] = ...,
    owns_executor: bool = ...,
    cancel_pending: bool = ...,
    shutdown_timeout: Optional[float] = ...,
    bridge: bool = ...,
) -> ExecutorAdapter: ...


@overload
def adapt(
    executor: object,
    *,
    label: Optional[str] = ...,
    contract: Literal["2020"],
    storage_access: Optional[List[Any]] = ...,
    working_dir: Optional[str] = ...,
    remote_monitoring_radio: Optional[Any] = ...,
    owns_executor: bool = ...,
    cancel_pending: bool = ...,
    shutdown_timeout: Optional[float] = ...,
    bridge: bool = ...,
) -> ExecutorAdapter2020: ...


def adapt(
    executor: object,
    *,
    label: Optional[str] = None,
    contract: Contract = RUNTIME_CONTRACT,
    storage_access: Optional[List[Any]] = None,
    working_dir: Optional[str] = None,
    remote_monitoring_radio: Optional[Any] = None,
    owns_executor: bool = True,
    cancel_pending: bool = True,
    shutdown_timeout: Optional[float] = None,
    bridge: bool = True,
) -> Union[ExecutorAdapter, ExecutorAdapter2020]:
    """Wrap ``executor`` as a Parsl executor that drops into ``parsl.load(Config(executors=[...]))``.

    ``executor`` is a ``concurrent.futures.Executor`` (or anything with
    ``submit(fn, *args, **kwargs) -> Future`` and ``shutdown(wait=...)``) or
    a Dask ``distributed.Client``.

    * ``label``: the executor's label (default ``"threads"``, ``"processes"``,
      ``"loky"`` or ``"dask"``); labels must be unique within a Config.
    * ``contract``: ``"current"`` (today's Parsl, the default: ``RUNTIME_CONTRACT``) or ``"2020"``.
    * ``storage_access``, ``working_dir``, ``remote_monitoring_radio``: as on
      parsl's own executors (``None``: default staging; a radio suited to
      threads or processes, made when parsl is loaded).
    * ``owns_executor``: ``shutdown()`` also shuts ``executor`` down (closes a
      Dask client); pass ``False`` to keep it running.
    * ``cancel_pending``: ``shutdown()`` cancels tasks that have not started
      rather than running them; ``shutdown_timeout``: seconds to wait for
      running tasks (``None``: as long as they take).
    * ``bridge``: hand back futures of the adapter's own (the default), which
      bad state fails at once, running tasks included.  ``False`` hands back
      the wrapped executor's own futures (not possible for Dask): cheaper,
      but only the pool can complete them, so bad state and shutdown cancel
      the tasks not started and running ones finish.
    """
    cls = _ADAPTER_CLASSES[validate_contract(contract, _ADAPT_CHOICES)]
    return cls(
        executor,
        label=label,
        storage_access=storage_access,
        working_dir=working_dir,
        remote_monitoring_radio=remote_monitoring_radio,
        owns_executor=owns_executor,
        cancel_pending=cancel_pending,
        shutdown_timeout=shutdown_timeout,
        bridge=bridge,
    )


_register_if_parsl_loaded()
