"""Annotations: the one resolver, the one place that supplies ``Future``, and readable hint names.

Every part of the package resolves annotations here, protocols' and
implementations' alike.  String annotations (``from __future__ import
annotations``) are resolved by a small evaluator that only looks names up in
dictionaries and only subscripts objects from ``typing``, ``types``,
``collections.abc`` and the builtins (or classes whose ``__class_getitem__``
comes from those), so that resolving an annotation never calls user code.
Anything else is reported as :class:`Unresolved` (with its text) rather than evaluated.

The package's protocol modules import ``Future`` only for type checkers (to
keep ``import parsl_executor_protocol`` cheap); :func:`module_namespace`
supplies it to every annotation resolved in those modules' names.
"""

from __future__ import annotations

import ast
import builtins
import itertools
import sys
import types
import typing
from typing import Any, Dict, Mapping, Optional, Tuple

import typing_extensions

from .._memo import bounded_put, identity
from ._introspect import (
    class_getitem_is_library,
    find_in_mro,
    is_class,
    metaclass_runs_code,
    module_dict,
    parser_race_retried,
    type_name,
)

NoneType = type(None)



class Unresolved:
    """An annotation that cannot be resolved without running code; ``text`` is how it is written.

    Equal annotations give equal (and, from the resolver's cache, identical)
    objects; its ``repr`` is the text, so messages quote what was written.
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return type(other) is Unresolved and other.text == self.text

    def __hash__(self) -> int:
        return hash((Unresolved, self.text))


def is_unresolved(hint: object) -> bool:
    """Whether ``hint`` is an annotation the resolver could not resolve (an :class:`Unresolved`)."""
    return type(hint) is Unresolved

_LIBRARY_MODULES = frozenset(
    {"typing", "typing_extensions", "types", "builtins", "collections.abc", "_collections_abc", "abc"}
)
_type_module = type.__dict__["__module__"].__get__
_UNION_ORIGINS = (typing.Union, types.UnionType)
_LITERALS = (typing.Literal, typing_extensions.Literal)
_TE_ANY: Any = typing_extensions.Any

_resolved: Dict[Tuple[int, int, str], Tuple[Any, Any, Any]] = {}
# identity(hint) -> (hint, the class in it whose metaclass runs code, or None).  typing caches
# its aliases (Optional[str] is one object), so classes written alike share the walk.
_culprits: Dict[int, Tuple[Any, Any]] = {}
_namespaces: Dict[str, Dict[str, Any]] = {}
# Annotation text -> its parsed expression: the same text written in many modules or classes
# (or in a class statement compiled anew) is parsed once, whatever namespace resolves it.
_trees: Dict[str, ast.Expression] = {}
# Annotation text -> the names it reads, when they are all it reads (names, subscripts, tuples,
# lists, "|", constants other than strings); None when it reads more (an attribute, a string).
_names_read: Dict[str, Optional[Tuple[str, ...]]] = {}
# (text, identity of each name's object) -> (hint, those objects).  Such a text resolves to the same
# hint wherever its names are bound to the same objects: a text met in a namespace not seen before
# (a module imported, a class statement compiled anew) is resolved by lookups, not evaluated anew.
_by_binding: Dict[Tuple[Any, ...], Tuple[Any, Tuple[Any, ...]]] = {}


def clear() -> None:
    """Forget every cached resolution and namespace."""
    _trees.clear()
    _names_read.clear()
    _by_binding.clear()
    _resolved.clear()
    _namespaces.clear()
    _culprits.clear()


def module_namespace(module_name: str) -> Mapping[str, Any]:
    """The globals annotations written in ``module_name`` are resolved in, with ``Future`` supplied.

    ``Future`` is ``concurrent.futures.Future`` unless the module defines a
    ``Future`` of its own.
    """
    namespace = _namespaces.get(module_name)
    if namespace is None:
        from concurrent.futures import Future

        module = sys.modules.get(module_name)
        found = module_dict(module) if type(module) is types.ModuleType else None
        namespace = {"Future": Future, **(found if type(found) is dict else {})}
        _namespaces[module_name] = namespace
    return namespace


class _Unresolvable(Exception):
    pass


def resolve(annotation: Any, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]] = None) -> Any:
    """Turn an annotation into a hint; strings are evaluated safely.  An :class:`Unresolved` on failure.

    A hint naming a class whose metaclass has hooks of its own (``__hash__``,
    ``__eq__``, ``__getattribute__``...) is unresolved too: comparing it would
    run them.
    """
    if type(annotation) is not str:
        culprit = _culprit(annotation)
        return annotation if culprit is None else Unresolved(type_name(culprit, qualified=False))
    key = (identity(globalns), identity(localns), annotation)
    cached = _resolved.get(key)
    # The namespaces are kept alive by the entry, so their ids cannot be reused.
    if cached is not None and cached[1] is globalns and cached[2] is localns:
        return cached[0]
    text = annotation.strip()
    names = _names_read.get(text, _UNSEEN)
    binding: Optional[Tuple[Any, ...]] = None
    if names is not None and names is not _UNSEEN:
        binding = _binding(names, globalns, localns)
        # The entry keeps the objects alive, so their identities in the key are theirs.
        by_binding = _by_binding.get((text, *map(identity, binding)))
        if by_binding is not None:
            return bounded_put(_resolved, key, (by_binding[0], globalns, localns))[0]
    try:
        tree = _trees.get(text)
        if tree is None:
            tree = bounded_put(_trees, text, _parse(text))
        if names is _UNSEEN:
            names = bounded_put(_names_read, text, _plain_names(tree.body))
            if names is not None:
                binding = _binding(names, globalns, localns)
        hint = _evaluate(tree.body, globalns, localns)
        if _culprit(hint) is not None:
            raise _Unresolvable("a class whose metaclass runs code")
    except (_Unresolvable, SyntaxError, ValueError, RecursionError):
        hint = Unresolved(text)
    except Exception:
        # typing rejected the combination (e.g. a bad subscript): not a usable hint.
        hint = Unresolved(text)
    if binding is not None:
        bounded_put(_by_binding, (text, *map(identity, binding)), (hint, binding))
    return bounded_put(_resolved, key, (hint, globalns, localns))[0]


_UNSEEN: Any = object()
_UNBOUND: Any = object()
_PLAIN_NODES = (ast.Subscript, ast.Tuple, ast.List, ast.BinOp, ast.BitOr, ast.Load)


def _binding(
    names: Tuple[str, ...], globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]
) -> Tuple[Any, ...]:
    """The objects ``names`` are bound to (:func:`_find` of each)."""
    if localns is None and type(globalns) is dict:
        # The usual case (a module's globals), in C: the global, else the builtin, else _UNBOUND.
        return tuple(map(globalns.get, names, map(_builtin, names, itertools.repeat(_UNBOUND))))
    return tuple([_find(name, globalns, localns) for name in names])


_builtin = builtins.__dict__.get


def _plain_names(tree: ast.AST) -> Optional[Tuple[str, ...]]:
    """The names ``tree`` reads, if names are all it reads: its hint then depends on their objects alone."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.append(node.id)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return None  # a nested forward reference: resolved by another parse
        elif not isinstance(node, _PLAIN_NODES):
            return None
    return tuple(dict.fromkeys(names))


def _parse(text: str) -> ast.Expression:
    """``ast.parse(text, mode="eval")``, retried when another thread's parse disturbed it.

    See :func:`~._introspect.parser_race_retried`.
    """
    try:
        return parser_race_retried(lambda: ast.parse(text, mode="eval"))
    except SystemError:
        raise _Unresolvable("the parser failed while other threads parsed") from None


def _culprit(hint: Any) -> Any:
    """:func:`_runs_code` of ``hint``, remembered by identity."""
    key = identity(hint)
    found = _culprits.get(key)
    if found is not None and found[0] is hint:
        return found[1]
    return bounded_put(_culprits, key, (hint, _runs_code(hint)))[1]


def _runs_code(hint: Any, depth: int = 0) -> Any:
    """The first class in ``hint`` that hashing or comparing the hint would run code of, else ``None``."""
    if depth > 32:
        return None
    if is_class(hint):
        return hint if metaclass_runs_code(hint) else None
    if isinstance(hint, (list, tuple)):
        parts: Tuple[Any, ...] = tuple(hint)
    elif _type_module(type(hint)) in _LIBRARY_MODULES:
        parts = (typing.get_origin(hint), *typing.get_args(hint))
    else:
        return None
    for part in parts:
        culprit = _runs_code(part, depth + 1)
        if culprit is not None:
            return culprit
    return None


def _safe(value: Any) -> Any:
    # Subscripting or uniting a class hashes it: not one whose metaclass runs code.
    if is_class(value) and metaclass_runs_code(value):
        raise _Unresolvable("a class whose metaclass runs code")
    return value


def _find(name: str, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]) -> Any:
    """The object ``name`` is bound to, looked up as an annotation's names are; ``_UNBOUND`` if none."""
    for namespace in (localns, globalns):
        if type(namespace) is dict and dict.__contains__(namespace, name):
            return dict.__getitem__(namespace, name)
        if type(namespace) is types.MappingProxyType and name in namespace:
            return namespace[name]
    return builtins.__dict__.get(name, _UNBOUND)


def _lookup(name: str, globalns: Mapping[str, Any], localns: Optional[Mapping[str, Any]]) -> Any:
    found = _find(name, globalns, localns)
    if found is _UNBOUND:
        raise _Unresolvable(name)
    return _safe(found)


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
            return _evaluate(_parse(node.value.strip()).body, globalns, localns)
        return node.value
    if isinstance(node, ast.Name):
        return _lookup(node.id, globalns, localns)
    if isinstance(node, ast.Attribute):
        base = _evaluate(node.value, globalns, localns)
        if type(base) is types.ModuleType:
            namespace = module_dict(base)
            if type(namespace) is dict and dict.__contains__(namespace, node.attr):
                return _safe(dict.__getitem__(namespace, node.attr))
        elif is_class(base):
            found = find_in_mro(base, node.attr)
            if found is not None:
                return _safe(found[0])
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
    if type(hint) is Unresolved:
        return hint.text
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
