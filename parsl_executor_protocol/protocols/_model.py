"""The one model of a protocol: what each member is, read once per protocol and cached.

Everything in the package that needs to know what a protocol asks for (the
runtime engine, the strategies, ``drift``, the demo) reads a
:class:`ProtocolModel` from :func:`protocol_model`; nothing else reads a
protocol's class body.  The mypy plugin works on mypy's own types instead.

A member is described by plain facts: its kind (method, property or
attribute), whether an implementation must let it be assigned, whether it
may be absent, its resolved type, and for a method its parameters (as
:class:`inspect.Parameter` objects with resolved annotations, ``self`` or
``cls`` removed) and how it binds.  Annotations are resolved by the one
resolver, :func:`~._annotations.resolve`, which never runs code; one it
cannot resolve is an :class:`~._annotations.Unresolved` holding its text.

:func:`class_member` reads one member of any class the same way, for
callers (``drift``) that compare a protocol with a concrete class.
"""

from __future__ import annotations

import inspect
import threading
import typing
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

from .._memo import identity
from ..errors import NotAProtocolError
from ._annotations import Unresolved, hint_name, is_unresolved, module_namespace, resolve
from ._introspect import (
    CACHED_PROPERTY,
    CLASSMETHOD,
    FUNCTION,
    PROPERTY,
    STATIC,
    cached_property_func,
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
from ._optional import optional_members, required_members

__all__ = [
    "ATTRIBUTE",
    "CLASS",
    "INSTANCE",
    "METHOD",
    "PROPERTY_MEMBER",
    "STATIC_BINDING",
    "Unresolved",
    "Member",
    "ProtocolModel",
    "attribute_member",
    "class_member",
    "forget",
    "is_unresolved",
    "protocol_model",
]

#: Member kinds.
METHOD = "method"
PROPERTY_MEMBER = "property"
ATTRIBUTE = "attribute"

#: Method bindings, as the class declares them.
INSTANCE, CLASS, STATIC_BINDING = "instance", "class", "static"

# Classes every protocol inherits from: their attributes are not members.
_LIBRARY_MODULES = frozenset({"typing", "typing_extensions", "builtins", "abc"})
_module_of_type = type.__dict__["__module__"].__get__
_EMPTY = inspect.Parameter.empty
_NONE_TYPE = type(None)


@dataclass(frozen=True)
class Member:
    """One member of a protocol (or of a class, through :func:`class_member`)."""

    name: str
    #: :data:`METHOD`, :data:`PROPERTY_MEMBER` or :data:`ATTRIBUTE`.
    kind: str
    #: Whether an implementation must let the member be assigned (attributes, properties with setters).
    settable: bool
    #: Whether the member may be absent (declared through ``with_optional``).
    optional: bool
    #: The attribute's or property's type, or a method's return type; ``Any`` when unannotated,
    #: an :class:`~._annotations.Unresolved` when the annotation cannot be resolved without running code.
    type: Any
    #: A method's parameters after ``self``/``cls``, annotations resolved (``Any`` when unannotated).
    params: Tuple[inspect.Parameter, ...] = ()
    #: For methods: ``"instance"``, ``"class"`` or ``"static"``.
    binding: str = INSTANCE
    #: Whether the member is declared ``ClassVar`` (``type`` is then the ClassVar's argument).
    classvar: bool = False
    #: The class whose body declares the member.
    owner: Optional[type] = field(default=None, compare=False, repr=False)
    #: Whether the class declares the member only by an annotation (or an assignment in ``__init__``).
    annotated_only: bool = False
    #: Whether ``type`` was written (``False``: it is ``Any`` because nothing was annotated).
    typed: bool = field(default=True, compare=False)

    @property
    def is_method(self) -> bool:
        """Whether the member is a method."""
        return self.kind == METHOD

    @property
    def signature(self) -> inspect.Signature:
        """A method's signature without ``self``/``cls``, annotations resolved."""
        return inspect.Signature(list(self.params), return_annotation=self.type)

    def describe(self) -> str:
        """What the member is, in words: ``method submit(func, ...) -> Future``, ``read-only property of type str``."""
        if self.kind == METHOD:
            return f"method {self.name}{_spell_params(self.params)} -> {hint_name(self.type)}"
        access = "read-write" if self.settable else "read-only"
        what = "property" if self.kind == PROPERTY_MEMBER else "attribute"
        return f"{access} {what} of type {hint_name(self.type)}"


@dataclass(frozen=True)
class ProtocolModel:
    """Every member of a protocol: required ones first, then optional ones, each group sorted by name."""

    protocol: type
    members: Tuple[Member, ...]
    #: The protocol's name, unqualified.
    name: str = field(init=False, compare=False)
    #: Each member's :data:`~parsl_executor_protocol._memo.identity`, in order: the engine's
    #: memos are keyed by them on every first check of a class.
    member_ids: Tuple[int, ...] = field(init=False, compare=False, repr=False)
    #: ``(name, identity, is a method)`` for each member, in order: what the C extension reads of
    #: the members on a first check (see ``_verdict.evaluate_members``).
    member_facts: Tuple[Tuple[str, int, bool], ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Worked out once here, rather than on each of the many first checks that read them.
        object.__setattr__(self, "name", type_name(self.protocol, qualified=False))
        object.__setattr__(self, "member_ids", tuple(map(identity, self.members)))
        facts = tuple((m.name, i, m.kind == METHOD) for m, i in zip(self.members, self.member_ids, strict=True))
        object.__setattr__(self, "member_facts", facts)

    @property
    def required(self) -> Tuple[Member, ...]:
        """Members an implementation must have."""
        return tuple(m for m in self.members if not m.optional)

    @property
    def optional(self) -> Tuple[Member, ...]:
        """Members an implementation may lack."""
        return tuple(m for m in self.members if m.optional)

    def member(self, name: str) -> Member:
        """The member called ``name`` (``KeyError`` if there is none)."""
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)


def _spell_params(params: Tuple[inspect.Parameter, ...]) -> str:
    # inspect's own spelling, without annotations and with defaults elided.
    bare = [p.replace(annotation=_EMPTY, default=... if p.default is not _EMPTY else _EMPTY) for p in params]
    return str(inspect.Signature(bare)).replace("=Ellipsis", "=…")


def _resolve_in(annotation: Any, owner: type) -> Any:
    if annotation is _EMPTY:
        return Any
    hint = resolve(annotation, module_namespace(_module_of_type(owner)), class_dict(owner))
    return _NONE_TYPE if hint is None else hint  # as typing.get_type_hints spells it


def _unwrap_classvar(hint: Any) -> Tuple[Any, bool]:
    if typing.get_origin(hint) is typing.ClassVar:
        args = typing.get_args(hint)
        return (args[0] if args else Any), True
    if hint is typing.ClassVar:
        return Any, True
    return hint, False


def _method(name: str, func: Any, owner: type, binding: str, optional: bool) -> Member:
    # inspect's own reading of the parameters (following functools.wraps), annotations as written.
    signature = inspect.signature(func)
    parameters = list(signature.parameters.values())
    if binding != STATIC_BINDING and parameters and parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD
    ):
        parameters = parameters[1:]
    params = tuple(p.replace(annotation=_resolve_in(p.annotation, owner)) for p in parameters)
    returns = _resolve_in(signature.return_annotation, owner)
    return Member(name, METHOD, settable=False, optional=optional, type=returns, params=params,
                  binding=binding, owner=owner, typed=signature.return_annotation is not _EMPTY)


def _getter_member(name: str, getter: Any, owner: type, settable: bool, optional: bool) -> Member:
    annotations = function_annotations(getter) if inspect.isfunction(getter) else {}
    annotation = annotations.get("return", _EMPTY) if type(annotations) is dict else _EMPTY
    return Member(name, PROPERTY_MEMBER, settable=settable, optional=optional,
                  type=_resolve_in(annotation, owner), owner=owner, typed=annotation is not _EMPTY)


def _attribute(name: str, annotation: Any, owner: type, optional: bool, annotated_only: bool) -> Member:
    hint, classvar = _unwrap_classvar(_resolve_in(annotation, owner))
    return Member(name, ATTRIBUTE, settable=True, optional=optional, type=hint, classvar=classvar,
                  owner=owner, annotated_only=annotated_only, typed=annotation is not _EMPTY)


def attribute_member(owner: type, name: str, annotation: Any = _EMPTY) -> Member:
    """An attribute ``owner`` declares by ``annotation`` (a string is resolved in ``owner``'s module)."""
    return _attribute(name, annotation, owner, optional=False, annotated_only=True)


def class_member(cls: type, name: str, *, optional: bool = False, skip_library: bool = True) -> Optional[Member]:
    """Read member ``name`` of ``cls`` from the first class along its MRO that declares it.

    A class declares a member by defining it in its body (a method, a static
    or class method, a property, a ``cached_property``, a value) or by
    annotating it.  ``None`` if no class does.  With ``skip_library``, classes
    of ``typing``, ``typing_extensions``, ``abc`` and the builtins are not read.
    """
    for owner in mro(cls):
        if skip_library and _module_of_type(owner) in _LIBRARY_MODULES:
            continue
        namespace = class_dict(owner)
        annotations = namespace.get("__annotations__", {})
        annotations = annotations if type(annotations) is dict else {}
        if name in namespace:
            return _entry_member(name, namespace[name], owner, annotations, optional)
        if name in annotations:
            return _attribute(name, annotations[name], owner, optional, annotated_only=True)
    return None


def _entry_member(name: str, entry: Any, owner: type, annotations: Mapping[str, Any], optional: bool) -> Member:
    kind = classify(entry)
    if kind == PROPERTY:
        return _getter_member(name, property_fget(entry), owner, property_fset(entry) is not None, optional)
    if kind == CACHED_PROPERTY:
        # A non-data descriptor: assigning shadows it in the instance dict.
        return _getter_member(name, cached_property_func(entry), owner, True, optional)
    if kind == FUNCTION:
        return _method(name, entry, owner, INSTANCE, optional)
    if kind == STATIC:
        return _method(name, staticmethod_func(entry), owner, STATIC_BINDING, optional)
    if kind == CLASSMETHOD:
        return _method(name, classmethod_func(entry), owner, CLASS, optional)
    # A value in the class body: an attribute, typed by its annotation if any.
    return _attribute(name, annotations.get(name, _EMPTY), owner, optional, annotated_only=False)


_models: Dict[int, ProtocolModel] = {}
_lock = threading.Lock()


def protocol_model(protocol: Any) -> ProtocolModel:
    """The model of ``protocol``, built on first use and cached.

    Raises :class:`~parsl_executor_protocol.errors.NotAProtocolError` if
    ``protocol`` is not a protocol class.
    """
    model = _models.get(identity(protocol))
    if model is not None and model.protocol is protocol:
        return model
    if not is_class(protocol) or not class_dict(protocol).get("_is_protocol", False):
        raise NotAProtocolError(
            f"expected a protocol class (a subclass of typing.Protocol that lists Protocol among its bases), "
            f"got {hint_name(protocol) if is_class(protocol) else type_name(type(protocol)) + ' instance'}"
        )
    optional = optional_members(protocol)
    members = [_protocol_member(protocol, name, False) for name in sorted(required_members(protocol))]
    members += [_protocol_member(optional[name], name, True) for name in sorted(optional)]
    model = ProtocolModel(protocol, tuple(members))
    with _lock:
        _models[identity(protocol)] = model  # The model keeps the protocol alive: its id stays its own.
    return model


def _protocol_member(protocol: type, name: str, optional: bool) -> Member:
    found = class_member(protocol, name, optional=optional)
    # A member typing lists but no class body declares (not seen in practice): an untyped attribute.
    return found if found is not None else Member(name, ATTRIBUTE, settable=True, optional=optional, type=Any)


def forget(protocol: Optional[type] = None) -> None:
    """Drop the cached model of ``protocol`` (of every protocol if ``None``): after changing a protocol."""
    with _lock:
        if protocol is None:
            _models.clear()
        else:
            _models.pop(identity(protocol), None)

