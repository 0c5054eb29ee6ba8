"""Which backend wraps which executor: the one adapter module that imports the backends.

It sits above the backends (:mod:`.futures`, :mod:`.dask`, :mod:`._lifted`) and the adapter
core (:mod:`._base`), none of which import it; the adapters package hands
:func:`backend_for` to the core when it is imported.  Importing :mod:`.dask`
does not import ``distributed``: a Dask client is recognised only once
``distributed`` has been imported by whoever made the client.
"""

from __future__ import annotations

import sys

from ..errors import NotAnExecutorError
from ._backend import Backend
from ._base import _AdapterCore
from ._parsl import require_methods

__all__ = ["backend_for"]


def _written_to_2020(executor: object) -> bool:
    """Whether ``executor`` is a Parsl executor of the 2020 contract (``submit(func, *args, **kwargs)``, ...)."""
    # A cheap look first, so that adapting a pool does not load the checking engine.
    if not all(callable(getattr(type(executor), name, None)) for name in ("scale_out", "set_bad_state_and_fail_all")):
        return False
    from ..checking import conforms
    from ..protocols import ParslExecutorProtocol

    return conforms(executor, ParslExecutorProtocol)


def backend_for(executor: object) -> Backend:
    """Pick the backend for ``executor``: a Dask client, a 2020-contract executor, or a pool with ``submit``."""
    # The backends are imported on first use, as the adapters always did: importing the
    # adapters loads neither backend module.
    distributed = sys.modules.get("distributed")
    if distributed is not None and isinstance(executor, distributed.Client):
        from .dask import DaskBackend

        return DaskBackend(executor)
    if isinstance(executor, _AdapterCore):
        raise NotAnExecutorError(
            f"{executor!r} is already an adapter: pass it to parsl's Config directly",
            found=type(executor).__name__,
        )
    parsl_base = sys.modules.get("parsl.executors.base")
    parsl_executor = getattr(parsl_base, "ParslExecutor", None)
    if parsl_executor is not None and isinstance(executor, parsl_executor):
        raise NotAnExecutorError(
            f"{type(executor).__name__} is already a Parsl executor: pass it to parsl's Config directly "
            "(as_futures_executor() goes the other way)",
            found=type(executor).__name__,
        )
    if _written_to_2020(executor):
        from ._lifted import Lifted2020Backend

        return Lifted2020Backend(executor)
    require_methods(
        executor,
        ("submit", "shutdown"),
        "an adapter wraps a concurrent.futures.Executor (thread pool, process pool, loky, ...) "
        "or a dask distributed.Client",
    )
    from .futures import FuturesBackend

    return FuturesBackend(executor)
