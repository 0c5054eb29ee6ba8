"""What a protocol asks for, read once, and the specs of generated implementations.

The strategies never look at a protocol directly: they read this model of
it (one :class:`ProtocolMember` per member, with resolved annotations) and
draw :class:`ImplementationSpec` values, plain frozen data that
``_strategies_render`` turns into Python source.  The same source is
executed to build the class and given to mypy, so the runtime and static
halves always see the same implementation.
"""

from __future__ import annotations

import functools
import inspect
import sys
import typing
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple

import typing_extensions

from .errors import StrategyError
from .protocols._optional import optional_members

__all__ = [
    "DefectKind",
    "ExpectedViolation",
    "ImplementationSpec",
    "MemberSpec",
    "ParamSpec",
    "ProtocolMember",
    "ProtocolModel",
    "Shape",
    "StrategyError",
    "protocol_model",
]


class Shape:
    """How a generated class provides a member (the values are plain strings, for readable specs)."""

    METHOD = "method"
    STATICMETHOD = "staticmethod"
    CLASSMETHOD = "classmethod"
    PROPERTY = "property"
    #: A property with a setter.
    PROPERTY_RW = "property_rw"
    #: Annotated and assigned in the class body.
    CLASS_ATTR = "class_attr"
    #: Annotated in the class body, assigned in ``__init__`` (a slot when the spec has ``slots``).
    INIT_ATTR = "init_attr"
    #: A non-callable value where the protocol wants a method (a defect).
    VALUE = "value"
    #: A plain method where the protocol wants a property or attribute (a defect).
    PLAIN_METHOD_FOR_DATA = "method_for_data"


class DefectKind:
    """The defects a mutant carries, named as the runtime engine names the violation it causes."""

    MISSING = "missing"
    NOT_CALLABLE = "not_callable"
    WRONG_KIND = "wrong_kind"
    INCOMPATIBLE_SIGNATURE = "incompatible_signature"
    READ_ONLY = "read_only"
    WRONG_TYPE = "wrong_attribute_type"
    OPTIONAL_WRONG_TYPE = "optional_wrong_type"


class ExpectedViolation(typing.NamedTuple):
    """The one violation a checker must report for a mutant: the member and the kind of problem."""

    member: str
    kind: str
    #: Which defect produced it, e.g. ``"too few parameters"`` (for messages only).
    detail: str = ""


@dataclass(frozen=True)
class ProtocolMember:
    """One member of a protocol, with its annotations resolved to objects."""

    name: str
    #: ``"method"``, ``"property"`` or ``"attribute"``.
    kind: str
    #: Whether an implementation must let the member be assigned (data members, properties with setters).
    settable: bool
    #: Whether the member may be absent (declared through ``with_optional``).
    optional: bool
    #: Property/attribute type, or a method's return type.
    type: Any
    #: A method's parameters after ``self`` (annotations resolved); empty for data members.
    params: Tuple[inspect.Parameter, ...] = ()
    #: For methods: ``"instance"``, ``"static"`` or ``"class"``, as the protocol declares it.
    binding: str = "instance"
    #: Whether the protocol declares the member ``ClassVar``.
    classvar: bool = False


@dataclass(frozen=True)
class ProtocolModel:
    """Everything the strategies need to know about one protocol."""

    protocol: type
    members: Tuple[ProtocolMember, ...]

    @property
    def required(self) -> Tuple[ProtocolMember, ...]:
        """Members an implementation must have."""
        return tuple(m for m in self.members if not m.optional)

    @property
    def optional(self) -> Tuple[ProtocolMember, ...]:
        """Members an implementation may lack."""
        return tuple(m for m in self.members if m.optional)

    def member(self, name: str) -> ProtocolMember:
        """The member called ``name``."""
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a generated method."""

    name: str
    kind: inspect._ParameterKind
    annotation: Any
    #: Whether the parameter has a default (rendered as a value of its type).
    has_default: bool = False

    def __repr__(self) -> str:
        default = "=..." if self.has_default else ""
        star = {"VAR_POSITIONAL": "*", "VAR_KEYWORD": "**"}.get(self.kind.name, "")
        slash = "/" if self.kind is inspect.Parameter.POSITIONAL_ONLY else ""
        kw = "*," if self.kind is inspect.Parameter.KEYWORD_ONLY else ""
        return f"{kw}{star}{self.name}{slash}: {_type_repr(self.annotation)}{default}"


@dataclass(frozen=True)
class MemberSpec:
    """How one member is provided by a generated class."""

    name: str
    shape: str
    #: Defined on a base class rather than on the generated class itself.
    in_base: bool = False
    #: Methods: the parameters after ``self``/``cls``.
    params: Tuple[ParamSpec, ...] = ()
    #: Methods: the return annotation; data members and properties: their type.
    type: Any = None
    #: ``True`` for members written without behaviour (a mutant's defective member).
    plain: bool = False

    def __repr__(self) -> str:
        where = ", in_base" if self.in_base else ""
        plain = ", plain" if self.plain else ""
        if self.shape in (Shape.METHOD, Shape.STATICMETHOD, Shape.CLASSMETHOD):
            sig = ", ".join(repr(p) for p in self.params)
            return f"<{self.shape} {self.name}({sig}) -> {_type_repr(self.type)}{where}{plain}>"
        return f"<{self.shape} {self.name}: {_type_repr(self.type)}{where}{plain}>"


@dataclass(frozen=True)
class ImplementationSpec:
    """A generated implementation of ``protocol``: enough to render it as Python source."""

    protocol: type
    class_name: str
    members: Tuple[MemberSpec, ...]
    #: Whether the class (and its base, if any) define ``__slots__``.
    slots: bool = False
    #: Whether the class has a base class (holding the ``in_base`` members and the executor state).
    has_base: bool = False
    #: The defect of a mutant, ``None`` for a conforming implementation.
    expected: Optional[ExpectedViolation] = field(default=None)

    def __repr__(self) -> str:
        flags = "".join(
            f", {name}" for name, on in (("slots", self.slots), ("has_base", self.has_base)) if on
        )
        defect = f", expected={tuple(self.expected)!r}" if self.expected else ""
        members = ", ".join(repr(m) for m in self.members)
        return f"ImplementationSpec({self.protocol.__qualname__}, {self.class_name}{flags}{defect}, [{members}])"

    def member(self, name: str) -> Optional[MemberSpec]:
        """The spec of member ``name``, ``None`` if the class lacks it."""
        for m in self.members:
            if m.name == name:
                return m
        return None


def _type_repr(tp: Any) -> str:
    if isinstance(tp, type) and not typing.get_args(tp):
        return tp.__qualname__ if tp is not type(None) else "None"
    return repr(tp).replace("typing.", "").replace("concurrent.futures._base.", "")


def _namespace(obj: Any) -> Dict[str, Any]:
    """Globals to resolve ``obj``'s string annotations in: its module, plus ``Future``.

    The package's protocol modules import ``Future`` only under
    ``TYPE_CHECKING`` to keep ``import parsl_executor_protocol`` cheap.
    """
    import concurrent.futures

    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    ns: Dict[str, Any] = dict(vars(module)) if module is not None else {}
    ns.setdefault("Future", concurrent.futures.Future)
    return ns


def _resolve(annotation: Any, ns: Mapping[str, Any], where: str) -> Any:
    if annotation is inspect.Parameter.empty:
        return Any
    if isinstance(annotation, str):
        try:
            return eval(annotation, dict(ns))
        except Exception as exc:
            raise StrategyError(f"cannot resolve the annotation {annotation!r} of {where}: {exc}") from None
    return annotation


def _function_hints(func: Any, where: str) -> Dict[str, Any]:
    ns = _namespace(func)
    try:
        return typing.get_type_hints(func, globalns=ns)
    except Exception as exc:
        raise StrategyError(f"cannot resolve the annotations of {where}: {exc}") from None


_SKIP_BASES = (object, typing.Generic, typing.Protocol, typing_extensions.Protocol)


def _find_owner(protocol: type, name: str) -> Tuple[type, bool]:
    """The class of ``protocol``'s MRO declaring ``name``, and whether it is in its ``__dict__``."""
    for klass in protocol.__mro__:
        if klass in _SKIP_BASES:
            continue
        if name in klass.__dict__:
            return klass, True
        if name in inspect.get_annotations(klass):
            return klass, False
    raise StrategyError(f"{protocol.__qualname__}.{name}: member not found in the protocol's classes")


def _read_member(protocol: type, name: str, optional: bool) -> ProtocolMember:
    owner, in_dict = _find_owner(protocol, name)
    where = f"{owner.__qualname__}.{name}"
    if not in_dict:
        raw = inspect.get_annotations(owner)[name]
        tp = _resolve(raw, _namespace(owner), where)
        classvar = typing.get_origin(tp) is typing.ClassVar
        if classvar:
            args = typing.get_args(tp)
            tp = args[0] if args else Any
        return ProtocolMember(name, "attribute", settable=True, optional=optional, type=tp, classvar=classvar)
    value = owner.__dict__[name]
    if isinstance(value, property):
        if value.fget is None:
            raise StrategyError(f"{where}: a property without a getter")
        hints = _function_hints(value.fget, where)
        return ProtocolMember(
            name, "property", settable=value.fset is not None, optional=optional, type=hints.get("return", Any)
        )
    binding = "instance"
    func = value
    if isinstance(value, staticmethod):
        binding, func = "static", value.__func__
    elif isinstance(value, classmethod):
        binding, func = "class", value.__func__
    if inspect.isfunction(func):
        hints = _function_hints(func, where)
        params = list(inspect.signature(func).parameters.values())
        if binding != "static":
            params = params[1:]
        resolved = tuple(p.replace(annotation=hints.get(p.name, Any)) for p in params)
        return ProtocolMember(
            name, "method", settable=False, optional=optional, type=hints.get("return", Any),
            params=resolved, binding=binding,
        )
    if name in inspect.get_annotations(owner):
        tp = _resolve(inspect.get_annotations(owner)[name], _namespace(owner), where)
        return ProtocolMember(name, "attribute", settable=True, optional=optional, type=tp)
    raise StrategyError(
        f"{where}: unsupported protocol member {value!r} (expected a method, a property or an annotated attribute)"
    )


@functools.cache
def protocol_model(protocol: type) -> ProtocolModel:
    """Read ``protocol``'s required and optional members, with annotations resolved."""
    if not (isinstance(protocol, type) and getattr(protocol, "_is_protocol", False)):
        raise StrategyError(f"strategies generate implementations of protocols; {protocol!r} is not a protocol")
    members = [
        _read_member(protocol, name, optional=False)
        for name in sorted(typing_extensions.get_protocol_members(protocol))
    ]
    for name, member_protocol in sorted(optional_members(protocol).items()):
        members.append(_read_member(member_protocol, name, optional=True))
    return ProtocolModel(protocol, tuple(members))
