"""Drawing implementation specs: every member in a compatible shape, or one member with a defect.

:func:`implementation_spec` draws how a conforming class provides each
member of a protocol's model (the shape, and signatures and types varied
in ways every correct checker accepts); :func:`defects` lists the
single-defect replacements a mutant can carry, each with the violation a
checker must report, and :func:`mutant_spec` draws one of them.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import Any, Collection, List, Optional, Tuple

from hypothesis import strategies as st

from ..protocols._model import INSTANCE, METHOD, Member, ProtocolModel
from ._render import Behaviour, behaviour_for, can_synthesize
from ._spec import (
    DefectKind,
    ExpectedViolation,
    ImplementationSpec,
    MemberSpec,
    ParamSpec,
    Shape,
    StrategyError,
    param_spec,
    parameters_of,
)
from ._types import accepts_callables, has_typevar, narrower, wider, wrong_type

__all__ = ["Knobs", "defects", "implementation_spec", "mutant_spec"]

_P = inspect.Parameter


# -- conforming members -------------------------------------------------------------------------------------------


@st.composite
def _params(
    draw: st.DrawFn, member: Member, behaviour: Optional[Behaviour], generalise: bool
) -> Tuple[ParamSpec, ...]:
    used = set(behaviour.uses_params) if behaviour is not None else set()
    positional, var_pos, kw_only, var_kw = parameters_of(member)

    def free(p: _P) -> bool:
        return generalise and p.name not in used and not has_typevar(p.annotation)

    def annotation(p: _P) -> Any:
        return draw(st.sampled_from(wider(p.annotation))) if free(p) else p.annotation

    def variadic(p: Optional[_P], name: str, kind: inspect._ParameterKind) -> List[ParamSpec]:
        # The protocol's own *args/**kwargs (object and Any are interchangeable there);
        # without one, a generalised signature may add one.
        if p is not None:
            ann = p.annotation
            if generalise and ann in (object, Any):
                ann = draw(st.sampled_from([ann, Any]))
            return [param_spec(p, ann)]
        return [ParamSpec(name, kind, Any)] if generalise and draw(st.booleans()) else []

    # Defaults may only be added to a tail of the positional parameters.
    defaulted = {p.name for p in member.params if p.default is not _P.empty}
    for p in reversed(positional):
        if p.name in defaulted:
            continue
        if free(p) and can_synthesize(p.annotation) and draw(st.booleans()):
            defaulted.add(p.name)
        else:
            break
    out: List[ParamSpec] = []
    for p in positional:
        ann = annotation(p)
        out.append(param_spec(p, ann, p.name in defaulted and can_synthesize(ann)))
    extra_pos = extra_kw = 0
    if generalise:
        n_extra = draw(st.integers(0, 2))
        if var_pos is None:
            extra_pos = n_extra
        else:
            extra_kw = n_extra
    # The protocol's **kwargs lets callers pass any name, extra ones included:
    # an extra parameter must accept what **kwargs accepts.
    extra_type = var_kw.annotation if var_kw is not None else int
    out.extend(ParamSpec(f"extra_{i}", _P.POSITIONAL_OR_KEYWORD, extra_type, True) for i in range(extra_pos))
    out.extend(variadic(var_pos, "extra_args", _P.VAR_POSITIONAL))
    for p in kw_only:
        ann = annotation(p)
        default = p.default is not _P.empty or (free(p) and can_synthesize(ann) and draw(st.booleans()))
        out.append(param_spec(p, ann, default and can_synthesize(ann)))
    out.extend(ParamSpec(f"extra_kw_{i}", _P.KEYWORD_ONLY, extra_type, True) for i in range(extra_kw))
    out.extend(variadic(var_kw, "extra_kwargs", _P.VAR_KEYWORD))
    return tuple(out)


def _exact_params(member: Member) -> Tuple[ParamSpec, ...]:
    return tuple(param_spec(p) for p in member.params)


def _method_shapes(member: Member, behaviour: Optional[Behaviour]) -> List[str]:
    if member.binding != INSTANCE:
        return [Shape.STATICMETHOD, Shape.CLASSMETHOD]
    if behaviour is not None and behaviour.uses_state:
        return [Shape.METHOD]
    return [Shape.METHOD, Shape.STATICMETHOD, Shape.CLASSMETHOD]


def _data_shapes(member: Member, tp: Any, behaviour: Optional[Behaviour], slots: bool) -> List[str]:
    if member.classvar:
        return [Shape.CLASS_ATTR]
    if behaviour is not None and behaviour.dynamic:
        return [Shape.PROPERTY]
    has_value = behaviour is not None or can_synthesize(tp)
    shapes: List[str] = []
    if not member.settable:
        shapes.append(Shape.PROPERTY)
    shapes.append(Shape.PROPERTY_RW)
    # A class attribute of a slotted class cannot be assigned on instances.
    if has_value and (behaviour is None or not behaviour.uses_state) and not (slots and member.settable):
        shapes.append(Shape.CLASS_ATTR)
    if has_value:
        shapes.append(Shape.INIT_ATTR)
    return shapes


@st.composite
def _member(draw: st.DrawFn, member: Member, slots: bool, has_base: bool, generalise: bool) -> MemberSpec:
    behaviour = behaviour_for(member)
    in_base = draw(st.booleans()) if has_base else False
    narrowable = generalise and (behaviour is None or behaviour.narrowable)
    if member.kind == METHOD:
        shape = draw(st.sampled_from(_method_shapes(member, behaviour)))
        params = draw(_params(member, behaviour, generalise))
        returns = draw(st.sampled_from(narrower(member.type))) if narrowable else member.type
        return MemberSpec(member.name, shape, in_base, params, returns)
    if member.settable or not narrowable:
        tp = member.type
    else:
        tp = draw(st.sampled_from([t for t in narrower(member.type) if behaviour is not None or can_synthesize(t)]
                                  or [member.type]))
    shape = draw(st.sampled_from(_data_shapes(member, tp, behaviour, slots)))
    return MemberSpec(member.name, shape, in_base, (), tp)


@dataclass(frozen=True)
class Knobs:
    """The shape knobs of :func:`implementation_specs` (``None``: draw either way)."""

    optional: Optional[bool] = None
    base: Optional[bool] = None
    slots: Optional[bool] = None
    generalise: Optional[bool] = None


@st.composite
def implementation_spec(draw: st.DrawFn, model: ProtocolModel, knobs: Knobs) -> ImplementationSpec:
    """A conforming implementation of ``model``'s protocol, shaped by ``knobs``."""
    has_base = draw(st.booleans()) if knobs.base is None else knobs.base
    use_slots = draw(st.booleans()) if knobs.slots is None else knobs.slots
    vary = draw(st.booleans()) if knobs.generalise is None else knobs.generalise
    members: List[MemberSpec] = []
    for member in model.members:
        if member.optional:
            present = draw(st.booleans()) if knobs.optional is None else knobs.optional
            if not present:
                continue
        members.append(draw(_member(member, use_slots, has_base, vary)))
    return ImplementationSpec(
        model.protocol, f"Generated{model.protocol.__name__}", tuple(members), slots=use_slots, has_base=has_base
    )


# -- mutants ------------------------------------------------------------------------------------------------------


def _absorbed(member: Member, p: _P) -> bool:
    """Whether the protocol's own ``*args``/``**kwargs`` would still accept calls passing ``p``."""
    _, var_pos, _, var_kw = parameters_of(member)
    has_var_pos, has_var_kw = var_pos is not None, var_kw is not None
    if p.kind is _P.POSITIONAL_ONLY:
        return has_var_pos
    if p.kind is _P.POSITIONAL_OR_KEYWORD:
        return has_var_pos and has_var_kw
    if p.kind is _P.KEYWORD_ONLY:
        return has_var_kw
    return False


def _too_few(member: Member) -> List[Tuple[ParamSpec, ...]]:
    exact = _exact_params(member)
    out = []
    for i, p in enumerate(member.params):
        droppable = not _absorbed(member, p) and not has_typevar(p.annotation)
        if p.kind in (_P.VAR_POSITIONAL, _P.VAR_KEYWORD) or droppable:
            out.append((*exact[:i], *exact[i + 1 :]))
    return out


def _too_many(member: Member) -> Tuple[ParamSpec, ...]:
    exact = list(_exact_params(member))
    if parameters_of(member).var_positional is not None:
        at = next(i for i, p in enumerate(exact) if p.kind is _P.VAR_POSITIONAL) + 1
        exact.insert(at, ParamSpec("extra_required", _P.KEYWORD_ONLY, int, False))
    else:
        # After the positional parameters without defaults; before any with a default.
        at = next((i for i, p in enumerate(exact) if p.has_default or p.kind not in (
            _P.POSITIONAL_ONLY, _P.POSITIONAL_OR_KEYWORD)), len(exact))
        exact.insert(at, ParamSpec("extra_required", _P.POSITIONAL_OR_KEYWORD, int, False))
    return tuple(exact)


def _renamed(member: Member) -> List[Tuple[ParamSpec, ...]]:
    """Signatures with one parameter renamed where the name matters to mypy's rules.

    For protocol members, mypy (and the runtime engine, which follows it)
    ignores the names of parameters that can be passed positionally, unless
    the implementation takes ``**kwargs``: then a keyword reaches a
    different parameter than the position does.  So a renamed
    positional-or-keyword parameter comes with ``**kwargs``, and a renamed
    keyword-only parameter must not be absorbed by the protocol's own
    ``**kwargs`` (it is, if it has a default).
    """
    exact = _exact_params(member)
    has_var_kw = parameters_of(member).var_keyword is not None
    out = []
    for i, p in enumerate(member.params):
        renamed = dataclasses.replace(exact[i], name=f"{p.name}_renamed")
        params = (*exact[:i], renamed, *exact[i + 1 :])
        if p.kind is _P.POSITIONAL_OR_KEYWORD:
            if not has_var_kw:
                params = (*params, ParamSpec("extra_kwargs", _P.VAR_KEYWORD, Any))
        elif p.kind is not _P.KEYWORD_ONLY or (p.default is not _P.empty and has_var_kw):
            continue
        out.append(params)
    return out


_Defect = Tuple[ExpectedViolation, Optional[MemberSpec]]


def _defect(
    member: Member, in_base: bool, kind: str, detail: str, *, shape: str, tp: Any, params: Tuple[ParamSpec, ...] = ()
) -> _Defect:
    """``member`` written plainly in ``shape``, and the violation it causes (of an optional member: a wrong type)."""
    kind = DefectKind.OPTIONAL_WRONG_TYPE if member.optional else kind
    return ExpectedViolation(member.name, kind, detail), MemberSpec(member.name, shape, in_base, params, tp, plain=True)


def defects(model: ProtocolModel, spec: ImplementationSpec) -> List[_Defect]:
    """Every single-defect replacement for the members of ``spec`` (``None``: the member is removed)."""
    out: List[_Defect] = []
    for member in model.members:
        drawn = spec.member(member.name)
        in_base = drawn.in_base if drawn is not None else False
        if not member.optional:
            out.append((ExpectedViolation(member.name, DefectKind.MISSING, "member missing"), None))
        if member.kind == METHOD:
            shape = drawn.shape if drawn is not None and drawn.shape in (
                Shape.METHOD, Shape.STATICMETHOD, Shape.CLASSMETHOD) else (
                Shape.METHOD if member.binding == INSTANCE else Shape.STATICMETHOD)
            signatures = [
                *(("too few parameters", params) for params in _too_few(member)),
                ("too many required parameters", _too_many(member)),
                *(("renamed keyword", params) for params in _renamed(member)),
            ]
            for detail, params in signatures:
                out.append(_defect(member, in_base, DefectKind.INCOMPATIBLE_SIGNATURE, detail,
                                   shape=shape, tp=member.type, params=params))
            for value_type in (type(None), int):
                out.append(_defect(member, in_base, DefectKind.NOT_CALLABLE, f"{value_type.__name__} value",
                                   shape=Shape.VALUE, tp=value_type))
            continue
        # A plain method where a property or attribute is expected, unless a method is a value
        # of the member's type (Any, a Callable) and the member is read-only: mypy accepts that.
        # (The other way round, a property returning a callable, mypy accepts too.)
        if member.settable or not accepts_callables(member.type):
            out.append(_defect(member, in_base, DefectKind.WRONG_KIND, "method for data",
                               shape=Shape.PLAIN_METHOD_FOR_DATA, tp=member.type))
        if member.settable and not member.classvar:
            out.append(_defect(member, in_base, DefectKind.READ_ONLY, "read-only property",
                               shape=Shape.PROPERTY, tp=member.type))
        wrong = wrong_type(member.type)
        if wrong is not None:
            shapes = [Shape.PROPERTY_RW, Shape.INIT_ATTR]
            if not member.settable:
                shapes.append(Shape.PROPERTY)
            if not (spec.slots and member.settable):
                shapes.append(Shape.CLASS_ATTR)
            for shape in sorted(shapes):
                out.append(_defect(member, in_base, DefectKind.WRONG_TYPE, f"{wrong.__name__} {shape}",
                                   shape=shape, tp=wrong))
    return out


def mutant_spec(
    model: ProtocolModel, kinds: Optional[Collection[str]], knobs: Knobs
) -> st.SearchStrategy[ImplementationSpec]:
    """Implementations shaped by ``knobs`` with one defect of ``kinds`` (any kind if ``None``).

    :class:`StrategyError` at once if the protocol admits no defect of ``kinds``.
    """
    # Which kinds a protocol admits does not depend on the shapes drawn: refuse before drawing.
    admitted = {expected.kind for expected, _ in defects(model, ImplementationSpec(model.protocol, "", ()))}
    if not (admitted if kinds is None else admitted.intersection(kinds)):
        raise StrategyError(
            f"{model.protocol.__qualname__} admits no defect of kinds {sorted(kinds or admitted)}; "
            f"it admits {sorted(admitted)}"
        )
    return _mutant_spec(model, kinds, knobs)


@st.composite
def _mutant_spec(
    draw: st.DrawFn, model: ProtocolModel, kinds: Optional[Collection[str]], knobs: Knobs
) -> ImplementationSpec:
    spec = draw(implementation_spec(model, knobs))
    options = [d for d in defects(model, spec) if kinds is None or d[0].kind in kinds]
    # The kind first, then the member: every kind is drawn as often, however many members admit it.
    kind = draw(st.sampled_from(sorted({expected.kind for expected, _ in options})))
    expected, replacement = draw(st.sampled_from([o for o in options if o[0].kind == kind]))
    members = [m for m in spec.members if m.name != expected.member]
    if replacement is not None:
        members.append(replacement)
    order = {m.name: i for i, m in enumerate(model.members)}
    members.sort(key=lambda m: order[m.name])
    return ImplementationSpec(
        spec.protocol, f"Mutant{model.protocol.__name__}", tuple(members), slots=spec.slots,
        has_base=spec.has_base, expected=expected,
    )
