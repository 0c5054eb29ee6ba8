"""Hypothesis's ``hypothesis`` entry point: ``st.from_type(<protocol>)`` for the package's protocols.

Hypothesis runs :func:`_hypothesis_setup_hook` when it is imported (unless
``HYPOTHESIS_NO_PLUGINS`` is set).  The hook registers a strategy for every
protocol of the package and imports nothing beyond the (light) package
itself: the strategies are loaded when a strategy is first drawn.

It lives here, not in the ``strategies`` package, because an entry point
that must not import the strategies cannot be a module of that package:
importing it would run ``strategies/__init__``, which imports all of them.
"""

from __future__ import annotations

from typing import Any, Callable


def _lazy_strategy(protocol: type) -> Callable[[], Any]:
    """A thunk for ``st.deferred``: the strategies module is imported on first draw only."""

    def strategy() -> Any:
        from .strategies import working_executors

        return working_executors(protocol)

    return strategy


def _hypothesis_setup_hook() -> None:
    """Register working implementations as the strategy for each of the package's protocols."""
    from hypothesis import strategies as st

    from . import protocols

    for name in protocols.__all__:
        obj = getattr(protocols, name)
        if isinstance(obj, type) and obj.__dict__.get("_is_protocol", False):
            st.register_type_strategy(obj, st.deferred(_lazy_strategy(obj)))
