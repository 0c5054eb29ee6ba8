"""The specs of generated implementations, and the protocol model as the strategies read it.

The strategies never look at a protocol directly: they read the package's
one model of it (:func:`~parsl_executor_protocol.protocols._model.protocol_model`,
through :func:`model_of`, which refuses what they cannot generate) and draw
:class:`ImplementationSpec` values, plain frozen data that ``_render``
turns into Python source.  The same source is executed to build the class
and given to mypy, so the runtime and static halves always see the same
implementation.
"""

from __future__ import annotations

import inspect
import typing
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Optional, Tuple

from ..errors import NotAProtocolError, StrategyError
from ..protocols._introspect import (
    CLASSMETHOD,
    FUNCTION,
    PROPERTY,
    STATIC,
    class_dict,
    classify,
    describe_value,
    property_fget,
    type_name,
)
from ..protocols._model import ATTRIBUTE, Member, ProtocolModel, is_unresolved, protocol_model

__all__ = [
    "DefectKind",
    "ExpectedViolation",
    "ImplementationSpec",
    "MemberSpec",
    "ParamSpec",
    "Parameters",
    "Shape",
    "StrategyError",
    "model_of",
    "param_spec",
    "parameters_of",
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


def param_spec(
    p: inspect.Parameter, annotation: Any = inspect.Parameter.empty, has_default: Optional[bool] = None
) -> ParamSpec:
    """The spec of a generated parameter copying the protocol's parameter ``p``.

    ``annotation`` and ``has_default`` replace ``p``'s own when given.
    """
    return ParamSpec(
        p.name,
        p.kind,
        p.annotation if annotation is inspect.Parameter.empty else annotation,
        p.default is not inspect.Parameter.empty if has_default is None else has_default,
    )


# -- the protocol, as the strategies read it -----------------------------------------------------------------------


class Parameters(NamedTuple):
    """A method member's parameters after ``self``/``cls``, by kind."""

    positional: Tuple[inspect.Parameter, ...]
    var_positional: Optional[inspect.Parameter]
    keyword_only: Tuple[inspect.Parameter, ...]
    var_keyword: Optional[inspect.Parameter]


def parameters_of(member: Member) -> Parameters:
    """``member``'s parameters by kind (a signature has at most one ``*args`` and one ``**kwargs``)."""
    P = inspect.Parameter
    return Parameters(
        tuple(p for p in member.params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)),
        next((p for p in member.params if p.kind is P.VAR_POSITIONAL), None),
        tuple(p for p in member.params if p.kind is P.KEYWORD_ONLY),
        next((p for p in member.params if p.kind is P.VAR_KEYWORD), None),
    )


def model_of(protocol: Any) -> ProtocolModel:
    """The package's model of ``protocol``, or :class:`StrategyError` if the strategies cannot generate it.

    Refused: anything but a protocol class, and a protocol with a member
    whose annotation cannot be resolved, a property without a getter, or a
    value in the class body that is neither a method, a property nor annotated.
    """
    if not isinstance(protocol, type):
        raise StrategyError(f"strategies generate implementations of protocols; {protocol!r} is not a class")
    try:
        model = protocol_model(protocol)
    except NotAProtocolError:
        raise StrategyError(
            f"strategies generate implementations of protocols; {protocol!r} is not a protocol"
        ) from None
    for member in model.members:
        problem = _refusal(member)
        if problem is not None:
            owner = protocol if member.owner is None else member.owner
            raise StrategyError(f"{type_name(owner, qualified=False)}.{member.name}: {problem}")
    return model


#: Class-body entries that declare a member without an annotation.
_DECLARING_KINDS = frozenset({FUNCTION, STATIC, CLASSMETHOD, PROPERTY})


def _refusal(member: Member) -> Optional[str]:
    """Why the strategies cannot generate ``member``, or ``None``."""
    if member.owner is None:
        return "member not found in the protocol's classes"
    namespace = class_dict(member.owner)
    annotations = namespace.get("__annotations__", {})
    if member.name in namespace:
        entry = namespace[member.name]
        kind = classify(entry)
        if kind == PROPERTY and property_fget(entry) is None:
            return "a property without a getter"
        if kind not in _DECLARING_KINDS and not (type(annotations) is dict and member.name in annotations):
            return (
                f"unsupported protocol member, {describe_value(entry)} "
                "(expected a method, a property or an annotated attribute)"
            )
    unresolved = [(f"parameter {p.name!r}", p.annotation) for p in member.params if is_unresolved(p.annotation)]
    if is_unresolved(member.type):
        unresolved.insert(0, ("type" if member.kind == ATTRIBUTE else "return type", member.type))
    if unresolved:
        what, hint = unresolved[0]
        return f"cannot resolve the annotation {hint.text!r} of its {what}"
    return None
