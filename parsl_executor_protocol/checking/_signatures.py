"""Call shapes and mypy's callable-subtyping rules, applied to parameter kinds only.

A *shape* is what a callable accepts: its parameters' kinds, names and whether
they have defaults.  :func:`incompatibility` decides whether an implementation
accepts every call the protocol's method accepts, following mypy's
``are_parameters_compatible`` (``mypy/subtypes.py``) with argument types left
out, since types are the static checker's business.  As in mypy for protocol
members, the names of parameters that can be passed positionally are not
compared unless a keyword could reach a different parameter (for instance when
the implementation has ``**kwargs``).

Shapes are read from code objects, never by calling anything.
"""

from __future__ import annotations

import inspect
from types import FunctionType
from typing import Any, Dict, Optional, Tuple

from .._memo import MAX_ENTRIES, bounded_put, identity
from ..protocols._introspect import function_code, function_defaults, function_kwdefaults

# Parameter kinds, mypy's ARG_POS, ARG_OPT, ARG_STAR, ARG_NAMED, ARG_NAMED_OPT, ARG_STAR2.
POS, OPT, STAR, NAMED, NAMED_OPT, STAR2 = range(6)
_POSITIONAL = (POS, OPT)
_REQUIRED = (POS, NAMED)

_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08

_EMPTY = inspect.Parameter.empty

# mypy's FormalArgument without the type: (name, position, required).  Plain
# tuples: comparisons build many of them.
_Formal = Tuple[Optional[str], Optional[int], bool]

# One parameter as a shape keeps it: (mypy kind, the name callers may use or
# None when positional-only, its spelling in messages).
_Slot = Tuple[int, Optional[str], str]


class Shape:
    """What a callable accepts, with the lookups mypy's rules need worked out once.

    Parameter ``i`` is ``kinds[i]`` (mypy's kind), ``names[i]`` (the name a
    caller may pass it by, ``None`` when positional-only) and ``displays[i]``
    (its spelling, ``*args`` included).  ``star_any``/``star2_any``:
    ``*args``/``**kwargs`` are typed ``Any``.  Shapes are interned (see
    :func:`make_shape`): equal shapes are one object, so comparisons between
    them are cached by identity.
    """

    __slots__ = ("by_name", "displays", "formals", "has_star2", "kinds", "names", "star", "star2_any", "star_any")

    def __init__(self, slots: Tuple[_Slot, ...], star_any: bool = False, star2_any: bool = False) -> None:
        self.kinds = tuple(slot[0] for slot in slots)
        self.names = tuple(slot[1] for slot in slots)
        self.displays = tuple(slot[2] for slot in slots)
        self.star_any = star_any
        self.star2_any = star2_any
        self.star: Optional[int] = self.kinds.index(STAR) if STAR in self.kinds else None
        self.has_star2 = STAR2 in self.kinds
        formals = []
        by_name: Dict[str, _Formal] = {}
        done_with_positional = False
        for index, (kind, name, _) in enumerate(slots):
            if kind not in _POSITIONAL:
                done_with_positional = True
            if kind in (STAR, STAR2):
                continue
            formal = (name, None if done_with_positional else index, kind in _REQUIRED)
            formals.append(formal)
            if name is not None:
                by_name[name] = formal
        self.formals = tuple(formals)
        self.by_name = by_name

    @property
    def slots(self) -> Tuple[_Slot, ...]:
        """The parameters as ``(kind, name, display)`` triples."""
        return tuple(zip(self.kinds, self.names, self.displays, strict=True))

    def __repr__(self) -> str:
        return f"<Shape {describe('', self)}>"


# Interned shapes, and what is cached about them by identity.  Cleared together.
_interned: Dict[Tuple[Any, ...], Shape] = {}
_bound: Dict[int, Tuple[Shape, Optional[Shape]]] = {}
_verdicts: Dict[Tuple[int, int, bool], Tuple[Shape, Shape, Optional[str]]] = {}



def make_shape(slots: Tuple[_Slot, ...], star_any: bool = False, star2_any: bool = False) -> Shape:
    """The one :class:`Shape` with these parameters."""
    key = (slots, star_any, star2_any)
    shape = _interned.get(key)
    if shape is None:
        shape = Shape(slots, star_any, star2_any)
        if len(_interned) >= MAX_ENTRIES:
            _bound.clear()
            _verdicts.clear()
        bounded_put(_interned, key, shape)
    return shape


def _positional_only_name(name: str) -> bool:
    # PEP 484's convention, which mypy honours: ``__x`` (not dunder) is positional-only.
    return name.startswith("__") and not name.endswith("__")


_shapes: Dict[Tuple[Any, ...], Shape] = {}


def shape_of_function(func: FunctionType) -> Shape:
    """Read a Python function's shape from its code object, defaults and keyword defaults."""
    return shape_of_code(function_code(func), function_defaults(func), function_kwdefaults(func))


def code_key(code: Any, defaults: Any, kwdefaults: Any) -> Tuple[Any, ...]:
    """Everything the shape of a function with this code object and defaults depends on, as plain values.

    Functions that look alike (same parameter names and kinds) have equal keys,
    whatever their code objects: a class statement compiled anew gives the same.
    The key holds all of ``co_varnames`` and ``co_flags`` rather than the parts
    the shape reads (the parameters, the star flags), which would cost a slice and
    arithmetic on every first check of new code: functions with the same parameters
    but other locals or flags (a generator, an async function) get keys of their own.
    """
    return (
        code.co_varnames,
        code.co_argcount,
        code.co_posonlyargcount,
        code.co_kwonlyargcount,
        code.co_flags,
        len(defaults) if type(defaults) is tuple else 0,
        tuple(dict.keys(kwdefaults)) if isinstance(kwdefaults, dict) else (),
    )


def shape_of_code(code: Any, defaults: Any, kwdefaults: Any) -> Shape:
    """The shape of a function with this code object, ``__defaults__`` and ``__kwdefaults__``."""
    key = code_key(code, defaults, kwdefaults)
    shape = _shapes.get(key)
    if shape is None:
        shape = bounded_put(_shapes, key, _shape_of_code(key))
    return shape


def _shape_of_code(key: Tuple[Any, ...]) -> Shape:
    names, argcount, posonly, kwonly, flags, ndefaults, kwdefaults = key
    slots = []
    for index in range(argcount):
        name = names[index]
        kind = POS if index < argcount - ndefaults else OPT
        hidden = index < posonly or _positional_only_name(name)
        slots.append((kind, None if hidden else name, name))
    star_index = argcount + kwonly
    if flags & _CO_VARARGS:
        slots.append((STAR, None, "*" + names[star_index]))
        star_index += 1
    for name in names[argcount : argcount + kwonly]:
        slots.append((NAMED_OPT if name in kwdefaults else NAMED, name, name))
    if flags & _CO_VARKEYWORDS:
        slots.append((STAR2, None, "**" + names[star_index]))
    return make_shape(tuple(slots))


def _slot_of(parameter: inspect.Parameter, pep484_positional_only: bool) -> _Slot:
    kind = parameter.kind
    required = parameter.default is _EMPTY
    name = parameter.name
    if kind is inspect.Parameter.POSITIONAL_ONLY:
        return (POS if required else OPT, None, name)
    if kind is inspect.Parameter.POSITIONAL_OR_KEYWORD:
        hidden = pep484_positional_only and _positional_only_name(name)
        return (POS if required else OPT, None if hidden else name, name)
    if kind is inspect.Parameter.VAR_POSITIONAL:
        return (STAR, None, "*" + name)
    if kind is inspect.Parameter.KEYWORD_ONLY:
        return (NAMED if required else NAMED_OPT, name, name)
    return (STAR2, None, "**" + name)


def shape_of_signature(signature: inspect.Signature) -> Shape:
    """Convert an :class:`inspect.Signature` (of a builtin, or a ``__signature__``) to a shape."""
    return make_shape(tuple(_slot_of(parameter, False) for parameter in signature.parameters.values()))


def shape_of_params(params: Tuple[inspect.Parameter, ...]) -> Shape:
    """The shape of a protocol method from its model's parameters (``self`` already removed).

    ``*args``/``**kwargs`` annotated ``Any`` are noted: only ``(*args: Any,
    **kwargs: Any)`` makes a protocol method accept anything (mypy's ``...``).
    """
    star_any = star2_any = False
    for parameter in params:
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            star_any = parameter.annotation is Any
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            star2_any = parameter.annotation is Any
    return make_shape(tuple(_slot_of(parameter, True) for parameter in params), star_any, star2_any)


def bind(shape: Shape) -> Optional[Shape]:
    """The shape once the first positional argument (``self``/``cls``) is bound; ``None`` if it cannot be."""
    cached = _bound.get(identity(shape))
    if cached is not None and cached[0] is shape:
        return cached[1]
    kinds = shape.kinds
    bound: Optional[Shape] = None
    if kinds and kinds[0] in _POSITIONAL:
        bound = make_shape(shape.slots[1:], shape.star_any, shape.star2_any)
    elif kinds and kinds[0] == STAR:
        bound = shape
    bounded_put(_bound, identity(shape), (shape, bound))
    return bound


def describe(callee: str, shape: Shape) -> str:
    """Spell a shape like a ``def`` line without types: ``submit(func, *args, **kwargs)``."""
    parts = []
    slash_pending = False
    star_seen = False
    for kind, name, display in zip(shape.kinds, shape.names, shape.displays, strict=True):
        if kind in _POSITIONAL:
            if name is None:
                slash_pending = True
            elif slash_pending:
                parts.append("/")
                slash_pending = False
        else:
            if slash_pending:
                parts.append("/")
                slash_pending = False
            if kind == STAR:
                star_seen = True
            elif kind in (NAMED, NAMED_OPT) and not star_seen:
                parts.append("*")
                star_seen = True
        text = display
        if kind in (OPT, NAMED_OPT):
            text += "=…"
        parts.append(text)
    if slash_pending:
        parts.append("/")
    return f"{callee}({', '.join(parts)})"


# --- mypy's lookups on one side of the comparison -------------------------------------------


def _by_name(shape: Shape, name: Optional[str]) -> Optional[_Formal]:
    if name is None:
        return None
    found = shape.by_name.get(name)
    if found is not None:
        return found
    return (name, None, False) if shape.has_star2 else None


def _by_position(shape: Shape, position: Optional[int]) -> Optional[_Formal]:
    if position is None:
        return None
    kinds = shape.kinds
    if position < len(kinds) and kinds[position] in _POSITIONAL:
        return (shape.names[position], position, kinds[position] == POS)
    return (None, position, False) if shape.star is not None else None


def _corresponding(shape: Shape, model: _Formal) -> Optional[_Formal]:
    by_name = _by_name(shape, model[0])
    by_pos = _by_position(shape, model[1])
    if by_name is None or by_pos is None:
        return by_name if by_name is not None else by_pos
    if by_name == by_pos:
        return by_name
    # (*args, **kwargs) together stand in for any optional parameter.
    if not (by_name[2] or by_pos[2]) and by_pos[0] is None and by_name[1] is None:
        return (by_name[0], by_pos[1], False)
    return by_name


def _spell(formal: _Formal, shape: Shape) -> str:
    name, pos, _ = formal
    if pos is not None and pos < len(shape.displays):
        return repr(shape.displays[pos])
    if name is not None:
        return repr(name)
    return f"positional argument {pos}"


def _args_incompatible(
    left: _Formal, right: _Formal, left_shape: Shape, right_shape: Shape, ignore_names: bool
) -> Optional[str]:
    left_name, left_pos, left_required = left
    right_name, right_pos, right_required = right
    if right_name is not None and left_name != right_name and (not ignore_names or right_pos is None):
        if left_name is None and left_pos is not None:
            return f"the protocol passes {right_name!r} by keyword, but the implementation takes it positionally only"
        return f"the protocol passes {right_name!r} by keyword, which the implementation does not accept"
    if right_pos is not None and left_pos != right_pos:
        kinds, displays = left_shape.kinds, left_shape.displays
        if left_pos is None and right_pos < len(kinds) and kinds[right_pos] in _POSITIONAL:
            # mypy matched the keyword to **kwargs, which leaves the positional parameter unset.
            if left_shape.names[right_pos] is None:
                return (
                    f"{displays[right_pos]!r} is positional-only, but the protocol's callers may pass "
                    f"{right_name!r} by keyword"
                )
            return (
                f"the protocol's callers may pass {right_name!r} by keyword, but the implementation calls that "
                f"parameter {displays[right_pos]!r}"
            )
        return (
            f"the protocol passes {_spell(right, right_shape)} positionally, "
            f"but the implementation takes it by keyword only"
        )
    if not right_required and left_required:
        return f"{_spell(left, left_shape)} needs a default: the protocol's callers may omit it"
    return None




def incompatibility(impl: Shape, proto: Shape, *, ignore_names: bool = True) -> Optional[str]:
    """Why ``impl`` does not accept every call that ``proto`` accepts, or ``None`` if it does.

    Both shapes are bound (no ``self``).  ``ignore_names`` is mypy's
    ``ignore_pos_arg_names``, true for every protocol member but ``__call__``.
    """
    # Keyed by identity: shapes read from one code object are one object (see shape_of_function).
    key = (identity(impl), identity(proto), ignore_names)
    cached = _verdicts.get(key)
    if cached is not None and cached[0] is impl and cached[1] is proto:
        return cached[2]
    reason = _incompatibility(impl, proto, ignore_names)
    bounded_put(_verdicts, key, (impl, proto, reason))
    return reason


def _incompatibility(impl: Shape, proto: Shape, ignore_names: bool) -> Optional[str]:
    kinds = list(proto.kinds)
    if kinds == [STAR, STAR2] and proto.star_any and proto.star2_any:
        return None  # (*args: Any, **kwargs: Any) is mypy's "...": anything goes.
    trivial_suffix = kinds[-2:] == [STAR, STAR2] and proto.star_any and proto.star2_any
    trivial_vararg_suffix = kinds[-1:] == [STAR] and proto.star_any and all(k in (POS, OPT, STAR) for k in impl.kinds)
    if proto.star is not None and impl.star is None and not trivial_suffix and not trivial_vararg_suffix:
        return "it does not take *args, which the protocol's callers may pass"
    if proto.has_star2 and not impl.has_star2 and not trivial_suffix:
        return "it does not take **kwargs, which the protocol's callers may pass"

    for right in proto.formals:
        left = _corresponding(impl, right)
        if left is None:
            return f"it cannot take the protocol's parameter {_spell(right, proto)}"
        reason = _args_incompatible(left, right, impl, proto, ignore_names)
        if reason:
            return reason
    if trivial_suffix:
        return None

    if proto.star is not None and not trivial_vararg_suffix:
        index = proto.star
        while index < len(impl.kinds) and impl.kinds[index] in _POSITIONAL:
            if impl.kinds[index] == POS:
                return (
                    f"{impl.displays[index]!r} is required, but calls through the protocol's "
                    f"*args need not pass it"
                )
            index += 1

    if proto.has_star2:
        for kind, name, display in zip(impl.kinds, impl.names, impl.displays, strict=True):
            if name is None or kind in (STAR, STAR2) or name in proto.by_name:
                continue
            if kind in _REQUIRED:
                return f"{display!r} is required, but calls through the protocol's **kwargs need not pass it"

    for left in impl.formals:
        right_by_name = _by_name(proto, left[0])
        right_by_pos = _by_position(proto, left[1])
        if (
            right_by_name is not None
            and right_by_pos is not None
            and right_by_name != right_by_pos
            and (right_by_pos[2] or right_by_name[2])
        ):
            return f"{_spell(left, impl)} could receive two different arguments of the protocol's calls"
        if left[2] and right_by_pos is None and right_by_name is None:
            return f"{_spell(left, impl)} is required, but the protocol's callers never pass it"
    return None


def apply_partial(shape: Shape, nargs: int, keywords: Tuple[str, ...]) -> Optional[Shape]:
    """The shape of ``functools.partial(f, <nargs positional>, **<keywords>)`` given ``f``'s shape.

    Follows :func:`inspect.signature` on partials: the first ``nargs``
    positional parameters are consumed; a parameter given by keyword becomes
    keyword-only with a default, and so do the positional parameters after it.
    ``None`` if the partial could not be called at all.
    """
    slots = list(shape.slots)
    for _ in range(nargs):
        index = next((i for i, slot in enumerate(slots) if slot[0] in _POSITIONAL), None)
        if index is None:
            if STAR not in shape.kinds:
                return None
            break  # The rest go to *args, which stays.
        del slots[index]
    for keyword in keywords:
        index = next((i for i, slot in enumerate(slots) if slot[1] == keyword and slot[0] not in (STAR, STAR2)), None)
        if index is None:
            if STAR2 not in shape.kinds:
                return None
            continue  # Taken by **kwargs.
        kind, name, display = slots[index]
        if kind in _POSITIONAL:
            # This parameter and every positional one after it can now only be passed by keyword.
            for later in range(index, len(slots)):
                later_kind, later_name, later_display = slots[later]
                if later_kind in _POSITIONAL:
                    if later_name is None:
                        return None  # A positional-only parameter after a keyword cannot be reached.
                    required = later_kind == POS and later != index
                    slots[later] = (NAMED if required else NAMED_OPT, later_name, later_display)
            # Extra positional arguments would now collide with the keyword: *args is gone.
            slots = [slot for slot in slots if slot[0] != STAR]
        else:
            slots[index] = (NAMED_OPT, name, display)
    return make_shape(tuple(slots), shape.star_any, shape.star2_any)
