"""Type hints: resolving annotations without running code, comparing them with beartype, naming them.

An implementation's string annotations (``from __future__ import annotations``)
are resolved by a small evaluator that only looks names up in dictionaries and
only subscripts objects from ``typing``, ``types``, ``collections.abc`` and the
builtins (or classes whose ``__class_getitem__`` comes from those), so that
resolving an annotation never calls the implementation's code.  Anything else
is reported as unresolvable rather than evaluated.

Comparisons and value checks are beartype's (:func:`beartype.door.is_subhint`
and :func:`beartype.door.is_bearable`); this module only caches them and maps
their failures to "cannot tell".
"""

from __future__ import annotations

import ast
import builtins
import collections.abc
import types
import typing
import warnings
from typing import Any, Callable, Dict, FrozenSet, Mapping, Optional, Tuple

import typing_extensions

from ._introspect import class_getitem_is_library, find_in_mro, is_class, module_dict, type_name

NoneType = type(None)

#: Returned when an annotation cannot be resolved without running code.
UNRESOLVED: Any = type("Unresolved", (), {"__repr__": lambda self: "<unresolved annotation>"})()

_LIBRARY_MODULES = frozenset(
    {"typing", "typing_extensions", "types", "builtins", "collections.abc", "_collections_abc", "abc"}
)
_type_module = type.__dict__["__module__"].__get__
_UNION_ORIGINS = (typing.Union, types.UnionType)
_LITERALS = (typing.Literal, typing_extensions.Literal)
_TE_ANY: Any = typing_extensions.Any

_MAX_CACHE = 4096
_resolved: Dict[Tuple[int, int, str], Tuple[Any, Any, Any]] = {}
_subhints: Dict[Tuple[int, int], Tuple[Any, Any, Optional[bool]]] = {}


def clear() -> None:
    """Forget every cached resolution and comparison."""
    _resolved.clear()
    _subhints.clear()


class _Unresolvable(Exception):
    pass


# --- resolving annotations ----------------------------------------------------------------


def resolve(annotation: Any, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]] = None) -> Any:
    """Turn an annotation into a hint; strings are evaluated safely.  :data:`UNRESOLVED` on failure."""
    if type(annotation) is not str:
        return annotation
    key = (id(globalns), id(localns), annotation)
    cached = _resolved.get(key)
    # The namespaces are kept alive by the entry, so their ids cannot be reused.
    if cached is not None and cached[1] is globalns and cached[2] is localns:
        return cached[0]
    try:
        tree = ast.parse(annotation.strip(), mode="eval")
        hint = _evaluate(tree.body, globalns, localns)
    except (_Unresolvable, SyntaxError, ValueError, RecursionError):
        hint = UNRESOLVED
    except Exception:
        # typing rejected the combination (e.g. a bad subscript): not a usable hint.
        hint = UNRESOLVED
    if len(_resolved) >= _MAX_CACHE:
        _resolved.clear()
    _resolved[key] = (hint, globalns, localns)
    return hint


def _lookup(name: str, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]) -> Any:
    for namespace in (localns, globalns):
        if type(namespace) is dict and dict.__contains__(namespace, name):
            return dict.__getitem__(namespace, name)
        if type(namespace) is types.MappingProxyType and name in namespace:
            return namespace[name]
    if name in builtins.__dict__:
        return builtins.__dict__[name]
    raise _Unresolvable(name)


def _subscript_allowed(base: Any) -> bool:
    if is_class(base):
        # A metaclass __getitem__ would run instead of __class_getitem__.
        if find_in_mro(type(base), "__getitem__", stop_at_type=True) is not None:
            return False
        return class_getitem_is_library(base)
    return _type_module(type(base)) in _LIBRARY_MODULES


def _evaluate(node: ast.AST, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]) -> Any:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return _evaluate(ast.parse(node.value.strip(), mode="eval").body, globalns, localns)
        return node.value
    if isinstance(node, ast.Name):
        return _lookup(node.id, globalns, localns)
    if isinstance(node, ast.Attribute):
        base = _evaluate(node.value, globalns, localns)
        if type(base) is types.ModuleType:
            namespace = module_dict(base)
            if type(namespace) is dict and dict.__contains__(namespace, node.attr):
                return dict.__getitem__(namespace, node.attr)
        elif is_class(base):
            found = find_in_mro(base, node.attr)
            if found is not None:
                return found[0]
        raise _Unresolvable(node.attr)
    if isinstance(node, (ast.Tuple, ast.List)):
        items = [_evaluate(element, globalns, localns) for element in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items
    if isinstance(node, ast.Subscript):
        base = _evaluate(node.value, globalns, localns)
        if not _subscript_allowed(base):
            raise _Unresolvable("subscript")
        if any(base is literal for literal in _LITERALS):
            # Literal's strings are values, not forward references.
            index = _literal_values(node.slice, globalns, localns)
        else:
            index = _evaluate(node.slice, globalns, localns)
        return base[index]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left = _evaluate(node.left, globalns, localns)
        right = _evaluate(node.right, globalns, localns)
        return typing.Union[left, right]
    raise _Unresolvable(type(node).__name__)


def _literal_values(node: ast.AST, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]) -> Any:
    if isinstance(node, ast.Tuple):
        return tuple(_literal_values(element, globalns, localns) for element in node.elts)
    if isinstance(node, ast.Constant):
        return node.value
    return _evaluate(node, globalns, localns)


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
    key = (id(sub), id(sup))
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
    if len(_subhints) >= _MAX_CACHE:
        _subhints.clear()
    _subhints[key] = (sub, sup, verdict)
    return verdict


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
    if _class_access_overridden(value_type):
        return is_subhint(value_type, hint)
    from beartype.door import is_bearable

    try:
        return bool(_quietly(is_bearable, value, hint))
    except RecursionError as error:
        _forget_traceback(error)
        return None
    except Exception as error:
        _forget_traceback(error)
        try:
            return bool(_quietly(is_bearable, value, _erase(hint)))
        except Exception as second:
            _forget_traceback(second)
            return None


def accept_ids(hint: Any) -> Optional[FrozenSet[int]]:
    """Ids of the value types that satisfy ``hint`` whatever the value (``None``: every type does).

    The isinstance fast path accepts a value when ``id(type(value))`` is in
    this set and otherwise falls back to :func:`value_matches`.
    """
    if hint is Any or hint is object or hint is _TE_ANY:
        return None
    if hint is None or hint is NoneType:
        return frozenset({id(NoneType)})
    if is_class(hint):
        if typing.get_origin(hint) is None and not getattr(hint, "_is_protocol", False):
            return frozenset({id(hint)})
        return frozenset()
    if typing.get_origin(hint) in _UNION_ORIGINS:
        found: set[int] = set()
        for arg in typing.get_args(hint):
            ids = accept_ids(arg)
            if ids is None:
                return None
            found |= ids
        return frozenset(found)
    return frozenset()


# --- naming -------------------------------------------------------------------------------


def hint_name(hint: Any) -> str:
    """A short, readable spelling of a hint (``Optional[str]``, ``Mapping[Any, Future[Any]]``)."""
    try:
        return _hint_name(hint)
    except Exception:
        return "<hint>"


def _hint_name(hint: Any) -> str:
    if hint is Any or hint is _TE_ANY:
        return "Any"
    if hint is None or hint is NoneType:
        return "None"
    if hint is Ellipsis:
        return "..."
    if hint is UNRESOLVED:
        return "<unresolved annotation>"
    if isinstance(hint, list):
        return "[" + ", ".join(_hint_name(arg) for arg in hint) + "]"
    if isinstance(hint, typing.TypeVar):
        return str(hint.__name__)
    origin = typing.get_origin(hint)
    if origin is None:
        return type_name(hint, qualified=False) if is_class(hint) else repr(hint).replace("typing.", "")
    args = typing.get_args(hint)
    if origin in _UNION_ORIGINS:
        names = [_hint_name(arg) for arg in args if arg is not NoneType]
        if len(names) < len(args):
            return f"Optional[{names[0]}]" if len(names) == 1 else f"Optional[Union[{', '.join(names)}]]"
        return f"Union[{', '.join(names)}]"
    if any(origin is literal for literal in _LITERALS):
        return f"Literal[{', '.join(repr(arg) for arg in args)}]"
    name = getattr(hint, "_name", None) or (type_name(origin, qualified=False) if is_class(origin) else repr(origin))
    if not args:
        return str(name)
    return f"{name}[{', '.join(_hint_name(arg) for arg in args)}]"
