"""Type variations the strategies draw: narrower, wider and incompatible annotations.

Each function returns only variations that every correct checker must judge
the same way, statically and at run time:

* narrower types go where the protocol reads (method returns, read-only
  properties): ``Optional[X]`` -> ``X`` or ``None``, ``Mapping`` -> ``Dict``,
  ``Sequence`` -> ``List``, ``int`` -> ``bool``.  ``float`` -> ``int`` is
  left out: mypy promotes ``int`` to ``float``, runtime hint checkers do not;
* wider types go where the protocol writes (method parameters): ``object``,
  ``Optional[X]``;
* an incompatible type is a builtin whose default value the protocol's type
  does not accept (checked against the very value the
  generated source uses).
"""

from __future__ import annotations

import collections.abc
import types
import typing
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

__all__ = ["accepts_callables", "has_typevar", "narrower", "wider", "wrong_type"]

_NoneType = type(None)


def has_typevar(tp: Any) -> bool:
    """Whether ``tp`` mentions a TypeVar (such annotations are never varied)."""
    if isinstance(tp, typing.TypeVar):
        return True
    for arg in typing.get_args(tp):
        # Callable's parameter list arrives as a list.
        if any(has_typevar(a) for a in arg) if isinstance(arg, list) else has_typevar(arg):
            return True
    return False


def _mentions(tp: Any, classes: Tuple[type, ...]) -> bool:
    if tp in classes:
        return True
    args = typing.get_args(tp)
    return any(_mentions(a, classes) for a in args if not isinstance(a, (list, type(Ellipsis))))


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def _narrower_once(tp: Any) -> List[Any]:
    out: List[Any] = []
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any or tp is object:
        out.append(str)
    elif tp is int:
        out.append(bool)
    elif _is_union(tp):
        out.extend(_NoneType if a is _NoneType else a for a in args)
    elif origin is collections.abc.Mapping and len(args) == 2:
        out.append(Dict[args[0], args[1]])  # type: ignore[valid-type]
    elif origin in (collections.abc.Sequence, collections.abc.Iterable) and len(args) == 1:
        out.append(List[args[0]])  # type: ignore[valid-type]
    elif origin is list and args == (Any,):
        out.append(List[str])
    return out


def narrower(tp: Any) -> List[Any]:
    """``tp`` and types whose values are all ``tp`` values (for covariant positions), ``tp`` first."""
    if has_typevar(tp):
        return [tp]
    found: List[Any] = [tp]
    for candidate in _narrower_once(tp):
        for variant in [candidate, *_narrower_once(candidate)]:
            if variant not in found:
                found.append(variant)
    return found


def wider(tp: Any) -> List[Any]:
    """``tp`` and types accepting every ``tp`` value (for parameters), ``tp`` first."""
    if has_typevar(tp):
        return [tp]
    found: List[Any] = [tp]
    if tp is not object:
        found.append(object)
    if tp is not Any and tp is not object and not (_is_union(tp) and _NoneType in typing.get_args(tp)):
        found.append(Optional[tp])
    return found


#: Incompatible candidates with the value the generated source writes for each.
_WRONG: Sequence[Tuple[type, object]] = ((int, 0), (str, ""), (bytes, b""))


def _accepts(tp: Any, value: object) -> Optional[bool]:
    """Whether ``value`` (one of the empty/zero candidates) is a value of ``tp``; ``None``: cannot tell.

    The candidates are empty or zero, so a container type accepts them
    whatever its item types: only the outer class matters.
    """
    if tp is Any or tp is object:
        return True
    if tp is None or tp is _NoneType:
        return value is None
    if isinstance(tp, typing.TypeVar):
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if _is_union(tp):
        verdicts = [_accepts(a, value) for a in args]
        return True if True in verdicts else (None if None in verdicts else False)
    if origin is typing.Literal:
        return any(a == value and type(a) is type(value) for a in args)
    if origin is collections.abc.Callable:
        return callable(value)
    cls = origin if origin is not None else tp
    if not isinstance(cls, type):
        return None
    try:
        return isinstance(value, cls)
    except TypeError:  # a protocol that is not runtime-checkable
        return None


def wrong_type(tp: Any) -> Optional[type]:
    """A builtin type whose default value ``tp`` rejects, or ``None`` if there is none.

    Deterministic on purpose (no hint-checking library that samples
    container items): it runs while hypothesis draws.
    """
    if tp is Any or tp is object or has_typevar(tp):
        return None
    for candidate, value in _WRONG:
        # mypy accepts int where float or complex is expected; a value check does not.
        if candidate is int and _mentions(tp, (float, complex)):
            continue
        if _accepts(tp, value) is False:
            return candidate
    return None


def _a_function() -> None:
    """A plain function, the value a method stands for."""


def accepts_callables(tp: Any) -> bool:
    """Whether a plain function may be a value of ``tp`` (``Any``, ``object``, ``Callable``, ...)."""
    return _accepts(tp, _a_function) is not False
