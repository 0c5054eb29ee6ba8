"""Hypothesis strategies for task arguments: picklable values whose equality survives a round trip.

NaN is left out (it is not equal to itself).  Keyword names start with
``kw_`` so that they can never collide with ``submit``'s own parameters
(``func``, ``resource_specification``).
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

from hypothesis import strategies as st

__all__ = ["exception_types", "task_args", "task_kwargs", "task_values"]


def task_values() -> st.SearchStrategy[Any]:
    """Small nested values: None, bools, ints, floats, text, bytes, and lists, tuples and dicts of them."""
    scalars = (
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8)
        | st.binary(max_size=8)
    )
    return st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.tuples(inner, inner)
            | st.dictionaries(st.text(max_size=4), inner, max_size=3)
        ),
        max_leaves=6,
    )


def task_args() -> st.SearchStrategy[Tuple[Any, ...]]:
    """Positional arguments for a task."""
    return st.lists(task_values(), max_size=4).map(tuple)


def task_kwargs() -> st.SearchStrategy[Dict[str, Any]]:
    """Keyword arguments for a task; names never collide with ``submit``'s parameters."""
    return st.dictionaries(st.from_regex(r"kw_[a-z]{1,6}", fullmatch=True), task_values(), max_size=3)


def exception_types() -> st.SearchStrategy[type]:
    """Exception types that take one message argument and pickle by reference."""
    from ._tasks import KitError

    return st.sampled_from([ValueError, TypeError, RuntimeError, ZeroDivisionError, LookupError, KitError])
