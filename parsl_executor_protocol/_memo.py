"""The bounded memo every cache of the package uses: a plain dict that starts afresh when full.

A dict lookup is the fastest memo Python has, and the engine's hot paths
need it: ``functools.lru_cache`` hashes its arguments (which may run user
code, for classes with a metaclass ``__hash__``) and costs a Python call more.
Starting afresh rather than evicting one entry keeps an insertion at one
``len()`` and one store; the tables are sized so that this is rare.
"""

from __future__ import annotations

import sys
from typing import Callable, Dict, TypeVar

_K = TypeVar("_K")
_V = TypeVar("_V")

#: The identity key of an object, for memos and caches keyed by identity.  ``id()`` raises
#: the audit event ``builtins.id``, so with any Python audit hook installed each call runs
#: that hook; from Python 3.12 the ``filelock`` that parsl imports installs one, making
#: ``id()`` ten times slower.  ``object.__hash__`` (the address, rotated: as unique among
#: live objects as ``id``, and never the object's own ``__hash__``) raises no event.  Before
#: 3.12 the plain ``id()`` is the faster of the two.
identity: Callable[[object], int] = object.__hash__ if sys.version_info >= (3, 12) else id

#: The metaclass whose classes hot paths key with builtin ``hash()``: a class whose metaclass is
#: exactly ``type`` hashes to its address, rotated, which from 3.12 is :data:`identity` of it, at
#: half the cost of calling ``object.__hash__``.  Before 3.12 (``id()``) no class qualifies.
#: ``hash(c) if type(c) is HASHED_AS_IDENTITY else identity(c)`` is then ``identity(c)``, never
#: running a metaclass's own ``__hash__``.
HASHED_AS_IDENTITY: type = type if sys.version_info >= (3, 12) else type("NoClassHasThisMetaclass", (type,), {})

#: Entries a memo holds before it starts afresh.
MAX_ENTRIES = 4096


def bounded_put(table: Dict[_K, _V], key: _K, value: _V, limit: int = MAX_ENTRIES) -> _V:
    """Store ``value`` under ``key``, emptying ``table`` first if it holds ``limit`` entries; return ``value``."""
    if len(table) >= limit:
        table.clear()
    table[key] = value
    return value
