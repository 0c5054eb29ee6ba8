"""Type hints compared: beartype's answers, cached, with its failures mapped to "cannot tell".

Comparisons and value checks are beartype's (:func:`beartype.door.is_subhint`
and :func:`beartype.door.is_bearable`).  Annotations are resolved by the one
resolver, :mod:`parsl_executor_protocol.protocols._annotations`, whose names
this module re-exports for the engine.
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing
import warnings
from typing import Any, Callable, Dict, Optional, Tuple

from .._memo import bounded_put, identity
from ..protocols._annotations import (
    _LIBRARY_MODULES,
    _LITERALS,
    _TE_ANY,
    _UNION_ORIGINS,
    NoneType,
    hint_name,
    is_unresolved,
    resolve,
)
from ..protocols._introspect import find_in_mro, is_class, metaclass_runs_code
from ..protocols._meta import ContractMeta
from . import _cache

__all__ = [
    "accepted_classes",
    "hint_name",
    "is_subhint",
    "is_unresolved",
    "native_vet",
    "quick_vet",
    "resolve",
    "value_matches",
]

_type_module = type.__dict__["__module__"].__get__
# Emptied with the verdicts (see _cache.clear), as are the protocols' resolved annotations.
_subhints: Dict[Tuple[int, int], Tuple[Any, Any, Optional[bool]]] = _cache.memo({})


# --- comparing ----------------------------------------------------------------------------


def _forget_traceback(error: BaseException) -> None:
    # beartype caches the exceptions its TypeHint methods raise; their
    # tracebacks would keep the engine's frames, and through them the checked
    # classes, alive for good.
    seen = 0
    current: Optional[BaseException] = error
    while current is not None and seen < 16:
        current.__traceback__ = None
        context = current.__context__ or current.__cause__
        current, seen = context, seen + 1


def _quietly(function: Callable[..., Any], *args: Any) -> Any:
    # beartype warns that typing.List & co. are deprecated (PEP 585); those
    # hints are the protocols' own spelling, so the warning is noise here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return function(*args)


def _erase(hint: Any) -> Any:
    """Drop the parameters of generics beartype's TypeHint does not support (``Future[Any]`` -> ``Future``)."""
    origin = typing.get_origin(hint)
    if origin is None:
        return hint
    args = typing.get_args(hint)
    if origin in _UNION_ORIGINS:
        return typing.Union[tuple(_erase(arg) for arg in args)]
    if origin is collections.abc.Callable or any(origin is literal for literal in _LITERALS):
        return hint
    module = _type_module(origin) if is_class(origin) else ""
    if module not in _LIBRARY_MODULES:
        return origin
    erased = tuple(_erase(arg) for arg in args)
    if type(hint) is types.GenericAlias:
        return types.GenericAlias(origin, erased)
    copy_with = getattr(hint, "copy_with", None)
    return copy_with(erased) if copy_with is not None else hint


def is_subhint(sub: Any, sup: Any) -> Optional[bool]:
    """Whether ``sub`` is a subhint of ``sup`` (beartype's answer), or ``None`` if that cannot be told."""
    if sub is sup or sup is Any or sup is object or sup is _TE_ANY:
        return True
    # Keyed by identity: hashing typing's aliases runs Python code, and resolved
    # annotations are cached objects anyway.
    key = (identity(sub), identity(sup))
    cached = _subhints.get(key)
    if cached is not None and cached[0] is sub and cached[1] is sup:
        return cached[2]
    from beartype.door import is_subhint as beartype_is_subhint

    verdict: Optional[bool]
    try:
        verdict = bool(_quietly(beartype_is_subhint, sub, sup))
    except Exception as error:
        _forget_traceback(error)
        try:
            verdict = bool(_quietly(beartype_is_subhint, _erase(sub), _erase(sup)))
        except Exception as second:
            _forget_traceback(second)
            verdict = None
    return bounded_put(_subhints, key, (sub, sup, verdict))[2]


_OBJECT_CLASS = object.__dict__["__class__"]


def _class_access_overridden(cls: type) -> bool:
    # isinstance() reads value.__class__ when the type does not match: a
    # __class__ other than object's, or a __getattribute__ written in Python,
    # would run there (builtin types have C __getattribute__ wrappers).
    found = find_in_mro(cls, "__class__")
    if found is None or found[0] is not _OBJECT_CLASS:
        return True
    found = find_in_mro(cls, "__getattribute__")
    return found is None or type(found[0]) is not types.WrapperDescriptorType


def value_matches(value: Any, hint: Any) -> Optional[bool]:
    """Whether ``value`` satisfies ``hint`` (beartype's ``is_bearable``), or ``None`` if that cannot be told.

    A value whose type overrides ``__class__`` or ``__getattribute__`` (a
    proxy, a ``Mock``) is judged by its type alone, because ``isinstance`` would
    run those overrides.
    """
    if hint is Any or hint is object or hint is _TE_ANY:
        return True
    value_type = type(value)
    if value_type is hint:
        return True
    if metaclass_runs_code(value_type):
        return None  # beartype hashes and asks the value's type: its metaclass's code would run.
    if _class_access_overridden(value_type):
        return is_subhint(value_type, hint)
    value = _as_builtin(value, value_type)
    if value is _CANNOT_TELL:
        return None
    from beartype.door import is_bearable

    try:
        return bool(_quietly(is_bearable, value, hint))
    except RecursionError as error:  # values nested past what the interpreter's stack allows
        _forget_traceback(error)
        _cache.cut()
        return None
    except Exception as error:
        _forget_traceback(error)
        try:
            return bool(_quietly(is_bearable, value, _erase(hint)))
        except Exception as second:
            _forget_traceback(second)
            return None


_PLAIN_KEY_IDS = frozenset(map(identity, (str, int, float, bytes, bool, NoneType)))


def _copy_dict(value: Any) -> Any:
    # dict.copy would call an overridden keys(); dict.keys/dict.items read the
    # storage.  Building the copy hashes the keys again: only plain ones.
    if all(identity(type(key)) in _PLAIN_KEY_IDS for key in dict.keys(value)):
        return dict(dict.items(value))
    return _CANNOT_TELL


_CANNOT_TELL: Any = object()
# Builtin containers and the builtin method that copies a subclass's items into the plain type.
_CONTAINERS = (
    (dict, _copy_dict),
    (list, list.copy),
    (set, set.copy),
    (frozenset, frozenset.copy),
    (tuple, lambda value: tuple.__getitem__(value, slice(None))),
)
_TRUSTED_SUBCLASS_MODULES = frozenset({"collections", "builtins", "typing"})


def _as_builtin(value: Any, value_type: type) -> Any:
    # beartype reads a container through its len(), iteration and indexing,
    # which a subclass may override; a copy made by the builtin type's own
    # method holds the same items and runs none of the subclass's code.
    if value_type in (dict, list, set, frozenset, tuple) or _type_module(value_type) in _TRUSTED_SUBCLASS_MODULES:
        return value
    for base, copy in _CONTAINERS:
        if issubclass(value_type, base):
            return copy(value)
    return value


def accepted_classes(hint: Any) -> Optional[Tuple[type, ...]]:
    """The value types that satisfy ``hint`` whatever the value (``None``: every type does), each once.

    The fast path accepts a value whose type is one of them (by identity, so
    that no metaclass ``__hash__`` or ``__eq__`` runs) and otherwise falls back
    to :func:`quick_vet` and then :func:`value_matches`.
    """
    if hint is Any or hint is object or hint is _TE_ANY:
        return None
    if hint is None or hint is NoneType:
        return (NoneType,)
    if is_class(hint):
        if typing.get_origin(hint) is None and not getattr(hint, "_is_protocol", False):
            return (hint,)
        return ()
    if typing.get_origin(hint) in _UNION_ORIGINS:
        found: Dict[int, type] = {}
        for arg in typing.get_args(hint):
            classes = accepted_classes(arg)
            if classes is None:
                return None
            found.update((identity(cls), cls) for cls in classes)
        return tuple(found.values())
    return ()


# --- the fast path's look at a container: its type and its first item ---------------------

_MAPPING_ORIGINS = (collections.abc.Mapping, collections.abc.MutableMapping, dict)
_SEQUENCE_ORIGINS = (
    collections.abc.Sequence,
    collections.abc.MutableSequence,
    collections.abc.Collection,
    collections.abc.Iterable,
    list,
)


def _isinstance_of(protocol: Any, value: Any, skipped: int = 0) -> bool:
    return isinstance(value, protocol)


#: ``protocol_check(protocol, value, skipped=0)``, the quick test of a value annotated with one
#: of the package's protocols: ``isinstance`` until the engine installs its own (see
#: :func:`install_protocol_check`).
_protocol_check: Callable[..., bool] = _isinstance_of


def install_protocol_check(protocol_check: Callable[..., bool]) -> None:
    """Test values annotated with one of the package's protocols with ``protocol_check(protocol, value)``.

    The engine installs its ``isinstance`` for values inside a check, which
    skips ``isinstance``'s dispatch and leaves the check that called it the
    (protocol, class) it looked up last.  The C hook passes a third argument,
    how many levels of such values it followed above this one (see
    ``_cache.enter``).  Tests made before the call keep the old one.
    """
    global _protocol_check  # noqa: PLW0603  (set once, by the engine)
    _protocol_check = protocol_check


def _is_package_protocol(hint: Any) -> bool:
    # One of the package's runtime protocols: its isinstance is the engine's, which runs no
    # object code (a recursive reference is assumed to conform, as in any check).
    return is_class(hint) and type(hint) is ContractMeta and bool(getattr(hint, "_is_runtime_protocol", False))


def _item_test(hint: Any) -> Optional[Callable[[Any], bool]]:
    """A test one item surely passes when it satisfies ``hint`` (``None``: every item does); raises if none."""
    classes = accepted_classes(hint)
    if classes is None:
        return None
    if classes:
        return functools.partial(_type_among, frozenset(map(identity, classes)))
    if _is_package_protocol(hint):
        return functools.partial(_protocol_check, hint)
    origin = typing.get_origin(hint)
    # A generic class that holds no items (Future[Any]): beartype checks the class alone, and
    # so does this, without running code: issubclass() on a class whose metaclass is type
    # reads the item type's MRO.
    if (
        origin is not None
        and is_class(origin)
        and type(origin) is type
        and not issubclass(origin, collections.abc.Iterable)
        and not getattr(origin, "_is_protocol", False)
    ):
        return functools.partial(_type_inherits, origin)
    return _never


# The tests below are partials of these module-level functions, so that native_vet can read
# them as data: the engine's C hook runs the same tests without calling back into Python.


def _type_among(ids: frozenset[int], item: Any) -> bool:
    return identity(type(item)) in ids


def _type_inherits(origin: type, item: Any) -> bool:
    return issubclass(type(item), origin)


def _never(item: Any) -> bool:
    """No quick test for such items: only an empty container is accepted quickly."""
    return False


def _any_of(vets: Tuple[Callable[[Any], bool], ...], value: Any) -> bool:
    return any(vet(value) for vet in vets)


_Test = Optional[Callable[[Any], bool]]


def _vet_mapping(key_test: _Test, value_test: _Test, value: Any) -> bool:
    if type(value) is not dict:
        return False
    for key, item in dict.items(value):
        return (key_test is None or key_test(key)) and (value_test is None or value_test(item))
    return True


def _vet_sequence(item_test: _Test, value: Any) -> bool:
    if type(value) is not list:
        return False
    return not list.__len__(value) or item_test is None or item_test(list.__getitem__(value, 0))


def names_protocol(hint: Any) -> bool:
    """Whether ``hint`` is, or has among its arguments at any depth, one of the package's runtime protocols.

    A value of such a hint may lead to values too deep to follow (see
    ``_cache.cut``), which its report warns about.
    """
    return _is_package_protocol(hint) or any(map(names_protocol, typing.get_args(hint)))


def quick_vet(hint: Any) -> Optional[Callable[[Any], bool]]:
    """A quick test for values of a container hint that :func:`accepted_classes` cannot accept by type alone.

    ``Mapping[K, V]`` accepts a plain ``dict`` and ``Sequence[T]`` a plain
    ``list`` when empty or when their first item passes, which is the one
    item beartype's own O(1) check samples; anything else (``None``: no quick
    test) is left to the full evaluation.  The containers are read with the
    builtin types' own methods.
    """
    if _is_package_protocol(hint):
        return functools.partial(_protocol_check, hint)
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in _UNION_ORIGINS:
        vets = tuple(vet for vet in map(quick_vet, args) if vet is not None)
        return functools.partial(_any_of, vets) if vets else None
    if origin in _MAPPING_ORIGINS and len(args) == 2:
        return functools.partial(_vet_mapping, _item_test(args[0]), _item_test(args[1]))
    if origin in _SEQUENCE_ORIGINS and len(args) == 1:
        return functools.partial(_vet_sequence, _item_test(args[0]))
    return None


#: Codes of the tests native_vet writes as data (the C hook's run() reads them).
NATIVE_PROTOCOL, NATIVE_MAPPING, NATIVE_SEQUENCE, NATIVE_ANY, NATIVE_AMONG, NATIVE_INHERITS, NATIVE_NEVER = range(1, 8)
#: Bytes of the memo in which the C hook keeps the plan it last applied for a protocol test
#: (at least its ``Memo``; see ``protocol_passes`` in ``_speedups.c``).
NATIVE_MEMO_SIZE = 64


def native_vet(vet: Optional[Callable[[Any], bool]]) -> Any:
    """A test :func:`quick_vet` or :func:`_item_test` made, as data for the C hook; else the test itself.

    ``None`` (no test), or a tuple whose first item is a ``NATIVE_*`` code:
    ``(PROTOCOL, protocol, vet, memo)`` (the protocol's own check, ``vet``
    when it cannot tell, a ``bytearray`` the hook keeps its last lookup in),
    ``(MAPPING, key test, value test)``, ``(SEQUENCE, item test)``, ``(ANY,
    tests)``, ``(AMONG, type identities)``, ``(INHERITS, class)``,
    ``(NEVER,)``; a test of another kind is returned as it is, to be called.
    """
    if vet is None or vet is _never:
        return None if vet is None else (NATIVE_NEVER,)
    if not isinstance(vet, functools.partial):
        return vet
    function, args = vet.func, vet.args
    if function is _protocol_check and len(args) == 1:
        return (NATIVE_PROTOCOL, args[0], vet, bytearray(NATIVE_MEMO_SIZE))
    if function is _vet_mapping:
        return (NATIVE_MAPPING, native_vet(args[0]), native_vet(args[1]))
    if function is _vet_sequence:
        return (NATIVE_SEQUENCE, native_vet(args[0]))
    if function is _any_of:
        return (NATIVE_ANY, tuple(map(native_vet, args[0])))
    if function is _type_among:
        return (NATIVE_AMONG, args[0])
    if function is _type_inherits:
        return (NATIVE_INHERITS, args[0])
    return vet
