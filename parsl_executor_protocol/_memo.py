"""The bounded memo every cache of the package uses: a plain dict that starts afresh when full.

A dict lookup is the fastest memo Python has, and the engine's hot paths
need it: ``functools.lru_cache`` hashes its arguments (which may run user
code, for classes with a metaclass ``__hash__``) and costs a Python call more.
Starting afresh rather than evicting one entry keeps an insertion at one
``len()`` and one store; the tables are sized so that this is rare.
"""

from __future__ import annotations

from typing import Dict, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: Entries a memo holds before it starts afresh.
MAX_ENTRIES = 4096


def bounded_put(table: Dict[_K, _V], key: _K, value: _V, limit: int = MAX_ENTRIES) -> _V:
    """Store ``value`` under ``key``, emptying ``table`` first if it holds ``limit`` entries; return ``value``."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value
