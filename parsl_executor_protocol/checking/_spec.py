"""The protocol side: what each member of a protocol requires, compiled once per protocol.

A protocol is trusted code, so its string annotations are evaluated with
``eval`` in its module's namespace, plus ``Future`` (the package's protocol
modules import it only for type checkers, to keep ``import`` cheap).
"""

from __future__ import annotations

import sys
import types
from typing import Any, Dict, FrozenSet, Mapping, Optional, Tuple

from ..errors import NotAProtocolError
from ..protocols._optional import optional_members, required_members
from . import _hints
from ._introspect import (
    CLASSMETHOD,
    FUNCTION,
    PROPERTY,
    STATIC,
    class_dict,
    classify,
    classmethod_func,
    function_annotations,
    is_class,
    mro,
    property_fget,
    property_fset,
    staticmethod_func,
    type_name,
)
from ._signatures import Shape, bind, describe, shape_of_function

METHOD = "method"
PROPERTY_MEMBER = "property"
DATA = "data"

# Classes every protocol inherits from; their attributes are not members.
_LIBRARY_MODULES = frozenset({"typing", "typing_extensions", "builtins", "abc"})
_module_of_type = type.__dict__["__module__"].__get__
_namespaces: Dict[str, Dict[str, Any]] = {}


class MemberSpec:
    """One member a protocol requires (or allows, if ``optional``)."""

    __slots__ = ("accept_ids", "expected", "hint", "kind", "name", "optional", "shape", "writable")

    def __init__(
        self, name: str, kind: str, *, writable: bool, optional: bool, hint: Any, shape: Optional[Shape] = None
    ) -> None:
        self.name = name
        self.kind = kind
        self.writable = writable
        self.optional = optional
        #: Resolved hint of a property's value or a data member; ``Any`` for methods.
        self.hint = hint
        #: Bound call shape of a method.
        self.shape = shape
        self.accept_ids: Optional[FrozenSet[int]] = (
            None if hint is _hints.UNRESOLVED else _hints.accept_ids(hint)
        )
        if kind == METHOD and shape is not None:
            self.expected = f"method {describe(name, shape)}"
        else:
            access = "read-write" if writable else "read-only"
            what = "property" if kind == PROPERTY_MEMBER else "attribute"
            self.expected = f"{access} {what} of type {_hints.hint_name(hint)}"


class ProtocolSpec:
    """Every member of a protocol, required ones first, each group sorted by name."""

    __slots__ = ("members", "name", "protocol", "protocol_id")

    def __init__(self, protocol: type, members: Tuple[MemberSpec, ...]) -> None:
        self.name = type_name(protocol, qualified=False)
        #: The protocol itself: the caches key it by id, this keeps it alive.
        self.protocol = protocol
        self.protocol_id = id(protocol)
        self.members = members


def _namespace(owner: type) -> Dict[str, Any]:
    name = owner.__module__
    namespace = _namespaces.get(name)
    if namespace is None:
        from concurrent.futures import Future

        module = sys.modules.get(name)
        namespace = {"Future": Future, **(vars(module) if module is not None else {})}
        _namespaces[name] = namespace
    return namespace


def _resolve(annotation: Any, owner: type) -> Any:
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, _namespace(owner), dict(class_dict(owner)))
    except Exception:
        return _hints.UNRESOLVED


def _star_any(func: types.FunctionType, shape: Shape, owner: type) -> Shape:
    # Only `(*args: Any, **kwargs: Any)` makes a protocol method accept anything (mypy's "...").
    annotations = function_annotations(func)
    star_any = star2_any = False
    for param in shape.params:
        name = param.display.lstrip("*")
        if param.display.startswith("**"):
            star2_any = _resolve(annotations.get(name), owner) is Any
        elif param.display.startswith("*"):
            star_any = _resolve(annotations.get(name), owner) is Any
    return Shape(shape.params, star_any, star2_any)


def _member(protocol: type, name: str, optional: bool) -> MemberSpec:
    for owner in mro(protocol):
        if _module_of_type(owner) in _LIBRARY_MODULES:
            continue
        namespace = class_dict(owner)
        annotations = namespace.get("__annotations__", {})
        if name in namespace:
            entry = namespace[name]
            kind = classify(entry)
            if kind == PROPERTY:
                fget = property_fget(entry)
                hint = _resolve(function_annotations(fget).get("return", Any), owner) if fget else Any
                writable = property_fset(entry) is not None
                return MemberSpec(name, PROPERTY_MEMBER, writable=writable, optional=optional, hint=hint)
            if kind in (FUNCTION, STATIC, CLASSMETHOD):
                func = entry
                if kind == STATIC:
                    func = staticmethod_func(entry)
                elif kind == CLASSMETHOD:
                    func = classmethod_func(entry)
                shape = _star_any(func, shape_of_function(func), owner)
                bound = shape if kind == STATIC else bind(shape)
                return MemberSpec(
                    name, METHOD, writable=False, optional=optional, hint=Any, shape=shape if bound is None else bound
                )
            # A value in the protocol's body (rare): a data member, typed by its annotation if any.
            hint = _resolve(annotations[name], owner) if name in annotations else Any
            return MemberSpec(name, DATA, writable=True, optional=optional, hint=hint)
        if name in annotations:
            return MemberSpec(name, DATA, writable=True, optional=optional, hint=_resolve(annotations[name], owner))
    return MemberSpec(name, DATA, writable=True, optional=optional, hint=Any)


def protocol_spec(protocol: Any) -> ProtocolSpec:
    """Compile what ``protocol`` requires; :class:`NotAProtocolError` if it is not a protocol class."""
    if not is_class(protocol) or not class_dict(protocol).get("_is_protocol", False):
        raise NotAProtocolError(
            f"expected a protocol class (a subclass of typing.Protocol that lists Protocol among its bases), "
            f"got {_hints.hint_name(protocol) if is_class(protocol) else type_name(type(protocol)) + ' instance'}"
        )
    optional: Mapping[str, type] = optional_members(protocol)
    members = [_member(protocol, name, False) for name in sorted(required_members(protocol))]
    members += [_member(optional[name], name, True) for name in sorted(optional)]
    return ProtocolSpec(protocol, tuple(members))
