"""Static shapes of a class's members, and whether one type can stand where another is expected.

Used by ``drift`` to compare the package's protocols with Parsl's executor
base classes without instantiating anything: members come from the class
bodies along the MRO (methods, properties, annotated or assigned data) and
from the ``self.x = ...`` assignments in each ``__init__``, read with
:mod:`ast` from the installed source.  Parsl's ``ParslExecutor`` sets its
monitoring and logging members only in ``__init__``; instantiating it would
need a concrete subclass and would run executor code, which a static read of
the installed source avoids while seeing exactly the assignments Parsl makes.

Types are compared conservatively: :func:`assignable` answers ``True``,
``False`` or ``None`` ("cannot tell"), and only ``False`` counts as a change.
"""

from __future__ import annotations

import abc
import ast
import collections.abc
import functools
import inspect
import re
import sys
import textwrap
import types
import typing
from dataclasses import dataclass
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

import typing_extensions

__all__ = ["NO_TYPE", "MemberShape", "Param", "Unresolved", "assignable", "class_shapes", "format_type", "uncovered"]

METHOD = "method"
PROPERTY = "property"
DATA = "data"


class _NoType:
    """The member carries no annotation: nothing to compare."""

    def __repr__(self) -> str:
        return "unannotated"


NO_TYPE: Any = _NoType()


@dataclass(frozen=True)
class Unresolved:
    """An annotation whose text could not be evaluated (e.g. a name imported only for type checkers)."""

    text: str

    def __repr__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Param:
    """One parameter of a method (``self`` excluded)."""

    name: str
    kind: inspect._ParameterKind
    has_default: bool
    type: Any = NO_TYPE

    def render(self) -> str:
        """The parameter as written in a signature, without its type."""
        prefix = "*" if self.kind is inspect.Parameter.VAR_POSITIONAL else ""
        prefix = "**" if self.kind is inspect.Parameter.VAR_KEYWORD else prefix
        return f"{prefix}{self.name}{'=...' if self.has_default else ''}"


@dataclass(frozen=True)
class MemberShape:
    """What a member is, as far as the class body, ``__init__`` and annotations tell."""

    name: str
    kind: str
    """``"method"``, ``"property"`` or ``"data"``."""
    writable: bool
    type: Any = NO_TYPE
    """The data type, the property's type, or the method's return type."""
    params: Tuple[Param, ...] = ()
    signature: Optional[inspect.Signature] = None
    """A method's signature without ``self``."""
    owner: str = ""
    """Qualified name of the class that defines the member."""

    def render(self) -> str:
        """A short description: ``method (func, *args) -> Future``, ``property (read-write): str``..."""
        if self.kind == METHOD:
            params = ", ".join(param.render() for param in self.params)
            returns = "" if self.type is NO_TYPE else f" -> {format_type(self.type)}"
            return f"method ({params}){returns}"
        mode = " (read-write)" if self.kind == PROPERTY and self.writable else ""
        typed = "" if self.type is NO_TYPE else f": {format_type(self.type)}"
        return f"{self.kind}{mode}{typed}"


_DOTTED = re.compile(r"\b(?:[A-Za-z_]\w*\.)+(?=[A-Za-z_])")


def format_type(hint: Any) -> str:
    """A short spelling of a type: module paths and ``typing.`` dropped."""
    if hint is NO_TYPE:
        return "unannotated"
    if hint is type(None) or hint is None:
        return "None"
    if isinstance(hint, type) and not typing.get_args(hint):
        return hint.__qualname__
    if hint is Any:
        return "Any"
    text = _DOTTED.sub("", repr(hint)).replace("NoneType", "None")
    return text.replace("~", "")


# --------------------------------------------------------------------------- reading a class


def _eval(text: str, namespace: Mapping[str, Any]) -> Any:
    # The runtime engine's evaluator: it looks names up and subscripts only
    # typing's and the standard library's generics, so no annotation runs code.
    from .checking import _hints

    hint = _hints.resolve(text, namespace)
    return Unresolved(text) if hint is _hints.UNRESOLVED else hint


def _resolve(annotation: Any, namespace: Mapping[str, Any]) -> Any:
    if annotation is inspect.Parameter.empty or annotation is inspect.Signature.empty:
        return NO_TYPE
    if isinstance(annotation, str):
        return _eval(annotation, namespace)
    return annotation


_NAMESPACES: Dict[Tuple[type, Tuple[Tuple[str, Any], ...]], Dict[str, Any]] = {}


def _namespace(klass: type, extra: Mapping[str, Any]) -> Dict[str, Any]:
    """The names ``klass``'s annotations may use: its module's globals plus ``extra``."""
    key = (klass, tuple(sorted(extra.items())))
    namespace = _NAMESPACES.get(key)
    if namespace is None:
        module = sys.modules.get(klass.__module__)
        namespace = dict(vars(module)) if module is not None else {}
        namespace.update(extra)
        _NAMESPACES[key] = namespace
    return namespace


def _method_shape(name: str, function: Any, owner: type, drop_first: bool, extra: Mapping[str, Any]) -> MemberShape:
    namespace = _namespace(owner, extra)
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        # No signature to compare (some builtins): the shape says only "a method".
        return MemberShape(name, METHOD, False, owner=owner.__qualname__)
    parameters = list(signature.parameters.values())
    if drop_first and parameters and parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
    ):
        parameters = parameters[1:]
    params = tuple(
        Param(p.name, p.kind, p.default is not inspect.Parameter.empty, _resolve(p.annotation, namespace))
        for p in parameters
    )
    returns = _resolve(signature.return_annotation, namespace)
    bound = signature.replace(parameters=parameters)
    return MemberShape(name, METHOD, False, returns, params, bound, owner.__qualname__)


def _getter_type(function: Any, owner: type, extra: Mapping[str, Any]) -> Any:
    if function is None:
        return NO_TYPE
    try:
        annotation = inspect.signature(function).return_annotation
    except (TypeError, ValueError):
        return NO_TYPE
    return _resolve(annotation, _namespace(owner, extra))


# How an attribute's type was learnt; a stronger source is never overridden by a weaker one.
_UNTYPED, _INFERRED, _DECLARED = range(3)


def _init_assignments(klass: type) -> Iterator[Tuple[str, Optional[str], int]]:
    """``(name, annotation text or None, how it was learnt)`` for each ``self.name = ...`` in ``klass.__init__``."""
    init = klass.__dict__.get("__init__")
    # typing gives protocols an __init__ of its own; it assigns nothing of theirs.
    if not inspect.isfunction(init) or init.__module__ in ("typing", "typing_extensions"):
        return
    try:
        source = textwrap.dedent(inspect.getsource(init))
        tree = ast.parse(source, type_comments=True)
    except (OSError, TypeError, SyntaxError):
        return
    function = tree.body[0]
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) or not function.args.args:
        return
    me = function.args.args[0].arg
    param_types = {
        arg.arg: ast.unparse(arg.annotation)
        for arg in (*function.args.args, *function.args.kwonlyargs)
        if arg.annotation is not None
    }

    def target_name(node: ast.expr) -> Optional[str]:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me:
            return node.attr
        return None

    for node in ast.walk(function):
        if isinstance(node, ast.AnnAssign):
            name = target_name(node.target)
            if name:
                yield name, ast.unparse(node.annotation), _DECLARED
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                name = target_name(target)
                if not name:
                    continue
                if node.type_comment:
                    yield name, node.type_comment, _DECLARED
                elif isinstance(node.value, ast.Name) and node.value.id in param_types:
                    # `self.x = x`: the attribute has the parameter's declared type.
                    yield name, param_types[node.value.id], _INFERRED
                else:
                    yield name, None, _UNTYPED


# Bases that add nothing an executor or a protocol declares.
_MACHINERY: Tuple[Any, ...] = (object, typing.Generic, typing.Protocol, typing_extensions.Protocol, abc.ABC)


def _mro(cls: type) -> List[type]:
    return [klass for klass in cls.__mro__ if not any(klass is base for base in _MACHINERY)]


def class_shapes(cls: type, extra_names: Optional[Mapping[str, Any]] = None) -> Dict[str, MemberShape]:
    """Every member ``cls`` declares, by name, without instantiating it.

    ``extra_names`` completes the namespace annotations are evaluated in (for
    names imported only under ``TYPE_CHECKING``).
    """
    extra = dict(extra_names or {})
    # name -> (annotation as written, or None; the class whose namespace resolves it)
    annotations: Dict[str, Tuple[Any, type]] = {}
    strength: Dict[str, int] = {}
    names: Dict[str, None] = {}

    def learn(name: str, raw: Any, klass: type, how: int) -> None:
        names[name] = None
        # Subclasses come later and win among equally strong sources.
        if how >= strength.get(name, _UNTYPED):
            annotations[name] = (raw, klass)
            strength[name] = how

    for klass in reversed(_mro(cls)):
        for name, text, how in _init_assignments(klass):
            learn(name, text, klass, how)
        for name, raw in inspect.get_annotations(klass).items():
            learn(name, raw, klass, _DECLARED)
        names.update(dict.fromkeys(klass.__dict__))
    shapes: Dict[str, MemberShape] = {}
    for name in names:
        shape = _shape(cls, name, annotations, extra)
        if shape is not None:
            shapes[name] = shape
    return shapes


def _shape(
    cls: type, name: str, annotations: Mapping[str, Tuple[Any, type]], extra: Mapping[str, Any]
) -> Optional[MemberShape]:
    static = inspect.getattr_static(cls, name, NO_TYPE)
    owner = next((klass for klass in _mro(cls) if name in klass.__dict__), None)
    if owner is None and name not in annotations:
        return None
    if owner is not None:
        if isinstance(static, property):
            return MemberShape(name, PROPERTY, static.fset is not None, _getter_type(static.fget, owner, extra),
                               owner=owner.__qualname__)
        if isinstance(static, functools.cached_property):
            # A non-data descriptor: assigning shadows it in the instance dict.
            return MemberShape(name, PROPERTY, True, _getter_type(static.func, owner, extra),
                               owner=owner.__qualname__)
        if isinstance(static, staticmethod):
            return _method_shape(name, static.__func__, owner, False, extra)
        if isinstance(static, classmethod):
            return _method_shape(name, static.__func__, owner, True, extra)
        if inspect.isfunction(static) or (inspect.ismethoddescriptor(static) and callable(static)):
            return _method_shape(name, static, owner, True, extra)
    raw, declared_in = annotations.get(name, (None, owner or cls))
    hint = NO_TYPE if raw is None else _resolve(raw, _namespace(declared_in, extra))
    where = owner or declared_in
    return MemberShape(name, DATA, True, hint, owner=where.__qualname__)


# --------------------------------------------------------------------------- comparing types


def _and(results: List[Optional[bool]]) -> Optional[bool]:
    if any(result is False for result in results):
        return False
    return None if any(result is None for result in results) else True


def _or(results: List[Optional[bool]]) -> Optional[bool]:
    if any(result is True for result in results):
        return True
    return None if any(result is None for result in results) else False


def _strip(hint: Any) -> Any:
    if typing.get_origin(hint) is typing.Annotated:
        return typing.get_args(hint)[0]
    return type(None) if hint is None else hint


def _union_members(hint: Any) -> Optional[Tuple[Any, ...]]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return typing.get_args(hint)
    return None


def _class_assignable(source: type, target: type) -> Optional[bool]:
    if getattr(target, "_is_protocol", False):
        try:
            return issubclass(source, target)
        except TypeError:
            # Protocols with data members refuse issubclass; compare member names statically.
            from .protocols import required_members

            return required_members(target) <= set(class_shapes(source))
    try:
        return issubclass(source, target)
    except TypeError:
        return None


# Typed Any: type checkers see collections.abc.Callable as a special form, not a class.
_CALLABLE: Any = collections.abc.Callable


def assignable(source: Any, target: Any) -> Optional[bool]:
    """Whether a value of type ``source`` is acceptable where ``target`` is expected (``None``: cannot tell)."""
    source, target = _strip(source), _strip(target)
    if source is NO_TYPE or target is NO_TYPE or source is Any or target is Any or target is object:
        return True
    if isinstance(source, typing.TypeVar) or isinstance(target, typing.TypeVar):
        return True
    if isinstance(source, Unresolved) or isinstance(target, Unresolved):
        return None
    if source == target:
        return True
    members = _union_members(source)
    if members is not None:
        return _and([assignable(member, target) for member in members])
    members = _union_members(target)
    if members is not None:
        return _or([assignable(source, member) for member in members])
    source_origin = typing.get_origin(source) or source
    target_origin = typing.get_origin(target) or target
    if not (isinstance(source_origin, type) and isinstance(target_origin, type)):
        return None
    if target_origin is _CALLABLE:
        # Callable parameter lists are not compared: Parsl annotates bare `Callable`.
        return issubclass(source_origin, _CALLABLE)
    origin_ok = _class_assignable(source_origin, target_origin)
    if origin_ok is not True:
        return origin_ok
    source_args, target_args = typing.get_args(source), typing.get_args(target)
    if not source_args or not target_args:
        return True  # a bare generic means "any parameters"
    if len(source_args) != len(target_args) or Ellipsis in source_args or Ellipsis in target_args:
        return None
    # Covariant comparison: the protocols use Any where Parsl's containers are invariant.
    return _and([assignable(s, t) for s, t in zip(source_args, target_args, strict=True)])


def uncovered(source: Any, target: Any) -> List[Any]:
    """The members of union ``target`` that no member of ``source`` can be.

    E.g. ``[bool]`` for ``None`` against ``Optional[bool]``.
    """
    target_members = _union_members(_strip(target))
    if target_members is None:
        return []
    source_members = _union_members(_strip(source)) or (_strip(source),)
    return [
        member for member in target_members
        if not any(assignable(candidate, member) is True for candidate in source_members)
    ]
