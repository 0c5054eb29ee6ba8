"""Turning implementation specs into Python source, and source into classes.

One rendering serves both halves: :func:`build` executes the source to get
the class the runtime engine checks, :func:`render_source` writes the same
source (with imports and ``@implements`` decorators) for mypy.

Generated members *behave* where the member is one of the executor
contract's (``submit`` runs the task and returns a resolved future that
``tasks`` keeps, scaling adds and removes block ids that ``status`` reports,
``set_bad_state_and_fail_all`` fails every task); every other member returns
a value of its annotated type.
"""

from __future__ import annotations

import collections.abc
import enum
import inspect
import keyword
import sys
import types
import typing
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from .. import declare
from ..protocols._meta import is_protocol_class
from ..protocols._model import CLASS, INSTANCE, METHOD, STATIC_BINDING, Member
from ._spec import (
    ImplementationSpec,
    MemberSpec,
    ParamSpec,
    Shape,
    StrategyError,
    model_of,
    param_spec,
    parameters_of,
)

__all__ = [
    "Behaviour",
    "RenderedModule",
    "behaviour_for",
    "build",
    "can_synthesize",
    "render_module",
    "render_source",
]

_NoneType = type(None)
_P = inspect.Parameter
_METHOD_SHAPES = (Shape.METHOD, Shape.STATICMETHOD, Shape.CLASSMETHOD)
_SHAPE_OF_BINDING = {INSTANCE: Shape.METHOD, STATIC_BINDING: Shape.STATICMETHOD, CLASS: Shape.CLASSMETHOD}

# typing spellings for the runtime generic origins, so that the source reads like the protocols.
_TYPING_NAME_OF_ORIGIN: Dict[Any, str] = {
    list: "List",
    dict: "Dict",
    set: "Set",
    frozenset: "FrozenSet",
    tuple: "Tuple",
    type: "Type",
    collections.abc.Callable: "Callable",
}


class _Names:
    """The names a rendered module uses: imports, TypeVars and helper classes, shared by its classes."""

    def __init__(self) -> None:
        #: alias -> (module, qualified name, object)
        self.imports: Dict[str, Tuple[str, str, Any]] = {}
        self._alias_of: Dict[int, str] = {}
        self.typevars: Dict[str, Any] = {}
        #: helper implementations of protocols used as values: protocol -> (class name, lines)
        self.aux: Dict[type, Tuple[str, List[str]]] = {}

    # -- names -----------------------------------------------------------------------------------------------

    def typing_name(self, name: str) -> str:
        return self._import(getattr(typing, name), "typing", name)

    def obj(self, obj: Any) -> str:
        """A name (or dotted path) for the class or object ``obj``."""
        if getattr(obj, "__module__", None) == "builtins":
            return str(obj.__qualname__)
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
        if not module or not qualname:
            raise StrategyError(f"cannot name {obj!r} in generated source")
        module = _public_module(module, qualname, obj)
        top, _, rest = qualname.partition(".")
        top_obj = getattr(sys.modules.get(module), top, obj) if rest else obj
        alias = self._import(top_obj, module, top)
        return f"{alias}.{rest}" if rest else alias

    def _import(self, obj: Any, module: str, name: str) -> str:
        known = self._alias_of.get(id(obj))
        if known is not None:
            return known
        alias = name
        counter = 1
        while alias in self.imports or keyword.iskeyword(alias) or alias in self.typevars:
            counter += 1
            alias = f"{name}_{counter}"
        self.imports[alias] = (module, name, obj)
        self._alias_of[id(obj)] = alias
        return alias

    def typevar(self, tv: Any) -> str:
        name = tv.__name__
        existing = self.typevars.get(name)
        if existing is not None and existing is not tv:
            same = (existing.__bound__, existing.__constraints__, existing.__covariant__, existing.__contravariant__)
            if same != (tv.__bound__, tv.__constraints__, tv.__covariant__, tv.__contravariant__):
                raise StrategyError(f"two different TypeVars named {name!r} in one generated module")
        self.typevars.setdefault(name, tv)
        return str(name)

    # -- types -----------------------------------------------------------------------------------------------

    def annotation(self, tp: Any) -> str:
        """Source text for the annotation ``tp``."""
        if tp is Any:
            return self.typing_name("Any")
        if tp is None or tp is _NoneType:
            return "None"
        if isinstance(tp, typing.TypeVar):
            return self.typevar(tp)
        if isinstance(tp, typing.ForwardRef):
            raise StrategyError(f"unresolved forward reference {tp!r}")
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is Union or origin is types.UnionType:
            others = [a for a in args if a is not _NoneType]
            if len(others) == 1 and len(args) == 2:
                return f"{self.typing_name('Optional')}[{self.annotation(others[0])}]"
            return f"{self.typing_name('Union')}[{', '.join(self.annotation(a) for a in args)}]"
        if origin is typing.Literal:
            return f"{self.typing_name('Literal')}[{', '.join(repr(a) for a in args)}]"
        if origin is typing.ClassVar:
            return f"{self.typing_name('ClassVar')}[{self.annotation(args[0])}]"
        if origin is collections.abc.Callable:
            params, ret = args[0], args[-1]
            head = "..." if params is Ellipsis else "[" + ", ".join(self.annotation(p) for p in params) + "]"
            return f"{self.typing_name('Callable')}[{head}, {self.annotation(ret)}]"
        if origin is not None:
            base = self._origin(origin)
            if origin is tuple and not args:
                return f"{base}[()]"
            rendered = ", ".join("..." if a is Ellipsis else self.annotation(a) for a in args)
            return f"{base}[{rendered}]"
        if isinstance(tp, type):
            return self.obj(tp)
        raise StrategyError(f"cannot write the annotation {tp!r} as source")

    def _origin(self, origin: Any) -> str:
        name = _TYPING_NAME_OF_ORIGIN.get(origin)
        if name is None and getattr(origin, "__module__", "") == "collections.abc":
            name = origin.__name__ if hasattr(typing, origin.__name__) else None
        if name is not None:
            return self.typing_name(name)
        return self.obj(origin)

    # -- values ----------------------------------------------------------------------------------------------

    def value(self, tp: Any) -> Optional[str]:
        """Source text of an expression of type ``tp`` with no side effects, or ``None`` if there is none."""
        return _value(self, tp, depth=0)

    def aux_class(self, protocol: type) -> str:
        """Name of a minimal helper class implementing ``protocol`` (rendered into the module)."""
        known = self.aux.get(protocol)
        if known is not None:
            return known[0]
        name = f"_{protocol.__name__}Value"
        taken = {n for n, _ in self.aux.values()}
        while name in taken:
            name += "_"
        lines: List[str] = []
        self.aux[protocol] = (name, lines)
        lines.extend(_render_aux(protocol, name, self))
        return name


def _public_module(module: str, qualname: str, obj: Any) -> str:
    """The shortest already-imported parent module exporting ``obj`` under the same name."""
    parts = module.split(".")
    top = qualname.partition(".")[0]
    best = module
    for i in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:i])
        mod = sys.modules.get(candidate)
        if mod is not None and getattr(mod, top, None) is getattr(sys.modules.get(module), top, obj):
            best = candidate
    return best


_SIMPLE_VALUES: Dict[Any, str] = {
    bool: "False",
    int: "0",
    float: "0.0",
    complex: "0j",
    str: "''",
    bytes: "b''",
    object: "None",
}


def _value(names: _Names, tp: Any, depth: int) -> Optional[str]:
    if depth > 6:
        return None
    if tp is Any or tp is None or tp is _NoneType:
        return "None"
    if tp in _SIMPLE_VALUES:
        return _SIMPLE_VALUES[tp]
    if isinstance(tp, typing.TypeVar):
        return None
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is Union or origin is types.UnionType:
        if _NoneType in args:
            return "None"
        for arg in args:
            found = _value(names, arg, depth + 1)
            if found is not None:
                return found
        return None
    if origin is typing.Literal:
        return repr(args[0]) if args and isinstance(args[0], (str, int, bool, bytes)) else None
    if origin in (list, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Iterable,
                  collections.abc.Collection, collections.abc.Container, collections.abc.Reversible):
        return "[]"
    if origin in (dict, collections.abc.Mapping, collections.abc.MutableMapping):
        return "{}"
    if origin in (set, collections.abc.Set, collections.abc.MutableSet):
        return "set()"
    if origin is frozenset:
        return "frozenset()"
    if origin is collections.abc.Iterator:
        return "iter([])"
    if origin is tuple:
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            return "()"
        items = [_value(names, a, depth + 1) for a in args]
        if any(i is None for i in items):
            return None
        return "(" + ", ".join(typing.cast(List[str], items)) + ("," if len(items) == 1 else "") + ")"
    if origin is collections.abc.Callable:
        result = _value(names, args[-1], depth + 1)
        if result is None:
            return None
        return f"lambda *_args, **_kwargs: {result}"
    if origin is not None and isinstance(origin, type):
        return _class_value(names, origin, depth)
    if isinstance(tp, type):
        return _class_value(names, tp, depth)
    return None


def _class_value(names: _Names, cls: type, depth: int) -> Optional[str]:
    if cls is Future:
        return f"{names.obj(cls)}()"
    if issubclass(cls, enum.Enum):
        first = next(iter(cls.__members__), None)
        return f"{names.obj(cls)}.{first}" if first is not None else None
    if cls in (list, collections.abc.Sequence, collections.abc.Iterable):
        return "[]"
    if cls in (dict, collections.abc.Mapping):
        return "{}"
    if is_protocol_class(cls):
        try:
            return f"{names.aux_class(cls)}()"
        except StrategyError:
            return None
    return None


def can_synthesize(tp: Any) -> bool:
    """Whether generated source can produce a value of type ``tp``."""
    try:
        return _Names().value(tp) is not None
    except StrategyError:
        return False


# -- behaviours ---------------------------------------------------------------------------------------------------


#: A behaviour's body: given the member's spec and model and the module's names, its source lines.
_Body = Callable[[MemberSpec, Member, _Names], List[str]]


@dataclass(frozen=True)
class Behaviour:
    """What a member of the executor contract does in a generated working executor."""

    #: Reads or writes the executor's state (so: no static/class method, no class attribute).
    uses_state: bool
    #: Its value changes over time (so: a property or a method, never a stored attribute).
    dynamic: bool
    #: Parameters the body uses (so: never widened, renamed or defaulted).
    uses_params: Tuple[str, ...]
    #: Whether the return type may be narrowed (the body's value fits every narrowing the strategies draw).
    narrowable: bool
    #: Methods and property getters: body lines.  Attributes: ``["<value expression>"]``.
    body: _Body


def _is_future(tp: Any) -> bool:
    return tp is Future or typing.get_origin(tp) is Future


def _is_list(tp: Any) -> bool:
    return typing.get_origin(tp) in (list, collections.abc.Sequence) or tp in (list,)


def _is_mapping(tp: Any) -> bool:
    return typing.get_origin(tp) in (dict, collections.abc.Mapping) or tp in (dict,)


def _lines(*lines: str) -> _Body:
    return lambda spec, member, names: list(lines)


def _submit(func: str, args: str, kwargs: str) -> _Body:
    def body(spec: MemberSpec, member: Member, names: _Names) -> List[str]:
        future = names.obj(Future)
        any_ = names.typing_name("Any")
        return [
            f"future: {future}[{any_}] = {future}()",
            "self._tasks[len(self._tasks)] = future",
            "if self._exception is not None:",
            "    future.set_exception(self._exception)",
            "    return future",
            "try:",
            f"    future.set_result({func}(*{args}, **{kwargs}))",
            "except Exception as exc:",
            "    future.set_exception(exc)",
            "return future",
        ]

    return body


def _fail_all(exc: str) -> _Body:
    return _lines(
        f"self._exception = {exc}",
        "for future in self._tasks.values():",
        "    if not future.done():",
        f"        future.set_exception({exc})",
    )


def _scale_out(n: str) -> _Body:
    return _lines(
        f"added = [f'block-{{len(self._blocks) + i}}' for i in range({n})]",
        "self._blocks.extend(added)",
        "return added",
    )


def _scale_in(n: str) -> _Body:
    return _lines(
        f"removed = self._blocks[:max({n}, 0)]",
        "del self._blocks[: len(removed)]",
        "return removed",
    )


_SCALING: Dict[str, Callable[[str], _Body]] = {
    "scale_out": _scale_out,
    "scale_out_facade": _scale_out,
    "scale_in": _scale_in,
    "scale_in_facade": _scale_in,
}


def _status(prefix: str) -> _Body:
    """Every block with the first value of the mapping's value type (``prefix`` + the expression)."""

    def body(spec: MemberSpec, member: Member, names: _Names) -> List[str]:
        args = typing.get_args(member.type)
        status = names.value(args[1]) if len(args) == 2 else None
        return [prefix + ("{}" if status is None else f"{{block: {status} for block in self._blocks}}")]

    return body


def behaviour_for(member: Member) -> Optional[Behaviour]:
    """The behaviour a working executor gives ``member``, or ``None`` (it then returns a default value)."""
    name, tp = member.name, member.type
    if member.kind == METHOD:
        params = parameters_of(member)
        positional = [p.name for p in params.positional]
        var_pos, var_kw = params.var_positional, params.var_keyword
        if name == "submit" and var_pos and var_kw and positional and _is_future(tp):
            return Behaviour(True, False, (positional[0], var_pos.name, var_kw.name), False,
                             _submit(positional[0], var_pos.name, var_kw.name))
        if name == "set_bad_state_and_fail_all" and positional and tp in (None, _NoneType):
            return Behaviour(True, False, (positional[0],), False, _fail_all(positional[0]))
        if name in _SCALING and positional and member.params[0].annotation is int and _is_list(tp):
            return Behaviour(True, False, (positional[0],), True, _SCALING[name](positional[0]))
        if name == "status" and _is_mapping(tp):
            return Behaviour(True, False, (), True, _status("return "))
        if name == "outstanding" and tp is int:
            return Behaviour(True, False, (), False,
                             _lines("return sum(1 for f in self._tasks.values() if not f.done())"))
        return None
    # properties and attributes
    if name == "tasks" and _is_mapping(tp):
        return Behaviour(True, False, (), True, _lines("self._tasks"))
    if name == "bad_state_is_set" and tp is bool:
        return Behaviour(True, True, (), False, _lines("self._exception is not None"))
    if name == "executor_exception" and typing.get_origin(tp) is Union and BaseException in typing.get_args(tp):
        return Behaviour(True, True, (), False, _lines("self._exception"))
    if name == "status_facade" and _is_mapping(tp):
        return Behaviour(True, True, (), True, _status(""))
    constants: Dict[str, Tuple[Any, str]] = {
        "label": (str, "'generated-executor'"),
        "scaling_enabled": (bool, "True"),
        "run_dir": (str, "'.'"),
    }
    if name in constants and tp is constants[name][0]:
        return Behaviour(False, False, (), False, _lines(constants[name][1]))
    return None


# -- rendering -----------------------------------------------------------------------------------------------------

def _state_lines(names: _Names) -> List[Tuple[str, str, str]]:
    """The working executor's private state: (name, annotation, initial value)."""
    any_ = names.typing_name("Any")
    future = names.obj(Future)
    return [
        ("_tasks", f"{names.typing_name('Dict')}[{any_}, {future}[{any_}]]", "{}"),
        ("_blocks", f"{names.typing_name('List')}[str]", "[]"),
        ("_exception", f"{names.typing_name('Optional')}[BaseException]", "None"),
    ]


def _param_source(params: Sequence[ParamSpec], names: _Names, first: Optional[str]) -> str:
    parts: List[str] = [first] if first else []
    seen_kw_marker = False
    last_pos_only = max((i for i, p in enumerate(params) if p.kind is _P.POSITIONAL_ONLY), default=-1)
    for i, p in enumerate(params):
        ann = names.annotation(p.annotation)
        if p.kind is _P.VAR_POSITIONAL:
            parts.append(f"*{p.name}: {ann}")
            seen_kw_marker = True
        elif p.kind is _P.VAR_KEYWORD:
            parts.append(f"**{p.name}: {ann}")
        else:
            if p.kind is _P.KEYWORD_ONLY and not seen_kw_marker:
                parts.append("*")
                seen_kw_marker = True
            default = ""
            if p.has_default:
                value = names.value(p.annotation)
                if value is None:
                    raise StrategyError(f"no default value of type {p.annotation!r} for parameter {p.name!r}")
                default = f" = {value}"
            parts.append(f"{p.name}: {ann}{default}")
        if i == last_pos_only:
            parts.append("/")
    return ", ".join(parts)


def _body_lines(spec: MemberSpec, member: Optional[Member], names: _Names) -> List[str]:
    """Body of a method or property getter (``spec.type`` is the return type)."""
    behaviour = None if (spec.plain or member is None) else behaviour_for(member)
    if member is not None and behaviour is not None and spec.shape not in (Shape.STATICMETHOD, Shape.CLASSMETHOD):
        lines = behaviour.body(spec, member, names)
        return lines if member.kind == METHOD else [f"return {lines[0]}"]
    if spec.type is None or spec.type is _NoneType:
        return ["return None"]
    value = names.value(spec.type)
    if value is None:
        return [f"raise NotImplementedError({spec.name!r})"]
    return [f"return {value}"]


def _attr_value(spec: MemberSpec, member: Optional[Member], names: _Names) -> Optional[str]:
    behaviour = None if (spec.plain or member is None) else behaviour_for(member)
    if behaviour is not None and member is not None and member.kind != METHOD:
        return behaviour.body(spec, member, names)[0]
    return names.value(spec.type)


@dataclass
class _ClassParts:
    body: List[str]
    init: List[str]
    slots: List[str]
    #: Annotations of private instance fields, declared in the class body.
    fields: List[str] = field(default_factory=list)


def _render_member(spec: MemberSpec, member: Optional[Member], names: _Names, parts: _ClassParts) -> None:
    ind = "    "
    rtype = names.annotation(spec.type)
    if spec.shape in _METHOD_SHAPES:
        first = {Shape.METHOD: "self", Shape.CLASSMETHOD: "cls", Shape.STATICMETHOD: None}[spec.shape]
        if spec.shape != Shape.METHOD:
            parts.body.append(f"{ind}@{spec.shape}")
        parts.body.append(f"{ind}def {spec.name}({_param_source(spec.params, names, first)}) -> {rtype}:")
        parts.body.extend(f"{ind * 2}{line}" for line in _body_lines(spec, member, names))
        return
    if spec.shape == Shape.PLAIN_METHOD_FOR_DATA:
        parts.body.append(f"{ind}def {spec.name}(self) -> {rtype}:")
        parts.body.extend(f"{ind * 2}{line}" for line in _body_lines(spec, None, names))
        return
    if spec.shape in (Shape.PROPERTY, Shape.PROPERTY_RW):
        behaviour = None if (spec.plain or member is None) else behaviour_for(member)
        dynamic = behaviour is not None and behaviour.dynamic
        parts.body.append(f"{ind}@property")
        parts.body.append(f"{ind}def {spec.name}(self) -> {rtype}:")
        if spec.shape == Shape.PROPERTY_RW and not dynamic:
            backing = f"_{spec.name}_value"
            value = _attr_value(spec, member, names)
            if value is None:
                # No value of this type can be written: the getter fails until one is assigned.
                parts.body.append(f"{ind * 2}if self.{backing} is None:")
                parts.body.append(f"{ind * 3}raise AttributeError({spec.name!r})")
                parts.fields.append(f"{backing}: {names.typing_name('Optional')}[{rtype}]")
                parts.init.append(f"self.{backing} = None")
            else:
                parts.fields.append(f"{backing}: {rtype}")
                parts.init.append(f"self.{backing} = {value}")
            parts.body.append(f"{ind * 2}return self.{backing}")
            parts.slots.append(backing)
        else:
            parts.body.extend(f"{ind * 2}{line}" for line in _body_lines(spec, member, names))
        if spec.shape == Shape.PROPERTY_RW:
            parts.body.append(f"{ind}@{spec.name}.setter")
            parts.body.append(f"{ind}def {spec.name}(self, value: {rtype}) -> None:")
            if dynamic:
                parts.body.append(f"{ind * 2}raise AttributeError({spec.name!r} + ' is computed')")
            else:
                parts.body.append(f"{ind * 2}self._{spec.name}_value = value")
        return
    value = _attr_value(spec, member, names)
    if spec.shape == Shape.VALUE:
        parts.body.append(f"{ind}{spec.name}: {rtype} = {value}")
        return
    if value is None:
        raise StrategyError(f"no value of type {spec.type!r} for attribute {spec.name!r}; use a property")
    if spec.shape == Shape.CLASS_ATTR:
        parts.body.append(f"{ind}{spec.name}: {rtype} = {value}")
    elif spec.shape == Shape.INIT_ATTR:
        parts.body.append(f"{ind}{spec.name}: {rtype}")
        parts.init.append(f"self.{spec.name} = {value}")
        parts.slots.append(spec.name)
    else:
        raise StrategyError(f"unknown member shape {spec.shape!r}")


def _class_block(
    name: str,
    base: Optional[str],
    parts: _ClassParts,
    *,
    slots: bool,
    decorators: Sequence[str],
    state: Sequence[Tuple[str, str, str]],
) -> List[str]:
    lines = [f"@{d}" for d in decorators]
    lines.append(f"class {name}{f'({base})' if base else ''}:")
    if slots:
        all_slots = [s for s, _, _ in state] + parts.slots
        lines.append(f"    __slots__ = ({''.join(repr(s) + ', ' for s in all_slots)})")
    lines.extend(f"    {s}: {t}" for s, t, _ in state)
    lines.extend(f"    {f}" for f in parts.fields)
    lines.extend(parts.body)
    init = [f"self.{s} = {v}" for s, _, v in state] + parts.init
    if init:
        lines.append("    def __init__(self) -> None:")
        if base:
            lines.append("        super().__init__()")
        lines.extend(f"        {line}" for line in init)
    if len(lines) == 1 + len(decorators):
        lines.append("    pass")
    return lines


def _render_aux(protocol: type, name: str, names: _Names) -> List[str]:
    """A minimal implementation of ``protocol``: methods and properties returning default values."""
    model = model_of(protocol)
    parts = _ClassParts([], [], [])
    for member in model.required:
        if member.kind == METHOD:
            params = tuple(param_spec(p) for p in member.params)
            shape = _SHAPE_OF_BINDING[member.binding]
            spec = MemberSpec(member.name, shape, params=params, type=member.type, plain=True)
        elif member.settable:
            spec = MemberSpec(member.name, Shape.PROPERTY_RW, type=member.type, plain=True)
        else:
            spec = MemberSpec(member.name, Shape.PROPERTY, type=member.type, plain=True)
        _render_member(spec, member, names, parts)
    return _class_block(name, None, parts, slots=False, decorators=(), state=())


def _needs_state(spec: ImplementationSpec) -> bool:
    model = model_of(spec.protocol)
    for m in spec.members:
        if m.plain or m.shape in (Shape.STATICMETHOD, Shape.CLASSMETHOD, Shape.VALUE):
            continue
        try:
            member = model.member(m.name)
        except KeyError:
            continue
        behaviour = behaviour_for(member)
        if behaviour is not None and behaviour.uses_state:
            return True
    return False


def _render_class(
    spec: ImplementationSpec, class_name: str, names: _Names, decorators: Sequence[str]
) -> List[str]:
    model = model_of(spec.protocol)
    by_name = {m.name: m for m in model.members}
    base_parts = _ClassParts([], [], [])
    own_parts = _ClassParts([], [], [])
    for m in spec.members:
        target = base_parts if (spec.has_base and m.in_base) else own_parts
        _render_member(m, by_name.get(m.name), names, target)
    state = _state_lines(names) if _needs_state(spec) else []
    lines: List[str] = []
    if spec.has_base:
        base_name = f"_{class_name}Base"
        lines += _class_block(base_name, None, base_parts, slots=spec.slots, decorators=(), state=state)
        lines.append("")
        lines.append("")
        lines += _class_block(class_name, base_name, own_parts, slots=spec.slots, decorators=decorators, state=())
    else:
        lines += _class_block(class_name, None, own_parts, slots=spec.slots, decorators=decorators, state=state)
    return lines


@dataclass(frozen=True)
class RenderedModule:
    """Source of a module holding generated classes, and where each class is."""

    source: str
    #: Each class's name and its first and last line (1-based, inclusive, base class included).
    classes: Tuple[Tuple[str, int, int], ...]
    #: The objects the module's imports name (alias -> object), for executing it without imports.
    objects: Tuple[Tuple[str, Any], ...]
    #: Number of lines of the header (imports and TypeVars) to skip when executing with ``objects``.
    header_lines: int


def render_module(
    specs: Sequence[ImplementationSpec],
    *,
    implements: bool = True,
    class_names: Optional[Sequence[str]] = None,
) -> RenderedModule:
    """Render ``specs`` into one module; class names are made unique (``<name>_<index>`` when repeated).

    With ``implements=True`` each class is decorated with ``@implements(<protocol>)``
    so that the package's mypy plugin reports any non-conformance at the class.
    """
    names = _Names()
    blocks: List[Tuple[str, List[str]]] = []
    used: Dict[str, int] = {}
    for index, spec in enumerate(specs):
        if class_names is not None:
            cname = class_names[index]
        else:
            cname = spec.class_name
            if cname in used or len(specs) > 1:
                cname = f"{spec.class_name}_{index}"
        used[cname] = index
        decorators: List[str] = []
        if implements:
            impl = names._import(declare.implements, "parsl_executor_protocol", "implements")
            decorators.append(f"{impl}({names.obj(spec.protocol)})")
        blocks.append((cname, _render_class(spec, cname, names, decorators)))
    # Helper classes may add more helpers while they render; they are all known now.
    aux_lines: List[str] = []
    for _, lines in list(names.aux.values()):
        aux_lines += [*lines, "", ""]
    header = _header(names)
    body: List[str] = [*aux_lines]
    classes: List[Tuple[str, int, int]] = []
    offset = len(header)
    for cname, lines in blocks:
        start = offset + len(body) + 1
        body += lines
        classes.append((cname, start, offset + len(body)))
        body += ["", ""]
    source = "\n".join(header + body).rstrip() + "\n"
    objects = tuple((alias, obj) for alias, (_, _, obj) in names.imports.items())
    return RenderedModule(source, tuple(classes), objects, len(header))


def _header(names: _Names) -> List[str]:
    typevar_lines: List[str] = []
    if names.typevars:
        tv_alias = names.typing_name("TypeVar")
        for name, tv in sorted(names.typevars.items()):
            extra = ""
            if tv.__bound__ is not None:
                extra = f", bound={names.annotation(tv.__bound__)}"
            elif tv.__constraints__:
                extra = ", " + ", ".join(names.annotation(c) for c in tv.__constraints__)
            typevar_lines.append(f"{name} = {tv_alias}({name!r}{extra})")
    lines = ['"""Generated by parsl_executor_protocol.strategies."""', ""]
    by_module: Dict[str, List[str]] = {}
    for alias, (module, name, _) in names.imports.items():
        by_module.setdefault(module, []).append(name if alias == name else f"{name} as {alias}")
    for module in sorted(by_module):
        lines.append(f"from {module} import {', '.join(sorted(by_module[module]))}")
    if typevar_lines:
        lines += ["", *typevar_lines]
    lines += ["", ""]
    return lines


def render_source(specs: Union[ImplementationSpec, Iterable[ImplementationSpec]], *, implements: bool = True) -> str:
    """Python source of one or more generated implementations, ready for mypy (``--strict``, with the plugin).

    Each class is decorated with ``@implements(<protocol>)`` unless
    ``implements=False``.  The source is exactly what :func:`build` executes,
    plus the imports.
    """
    if isinstance(specs, ImplementationSpec):
        return render_module([specs], implements=implements).source
    return render_module(list(specs), implements=implements).source


def build(spec: ImplementationSpec) -> type:
    """Execute ``spec``'s source and return the generated class (not decorated with ``@implements``)."""
    rendered = render_module([spec], implements=False, class_names=[spec.class_name])
    module = types.ModuleType(f"parsl_executor_protocol._generated.{spec.class_name}")
    namespace = module.__dict__
    namespace.update(dict(rendered.objects))
    # The header's imports are replaced by the objects themselves, so that
    # protocols and types defined in functions (tests, notebooks) work too.
    lines = rendered.source.splitlines()
    header = [line if "TypeVar(" in line and " = " in line else "" for line in lines[: rendered.header_lines]]
    body = "\n".join(header + lines[rendered.header_lines :])
    try:
        code = compile(body, f"<generated {spec.class_name}>", "exec")
        exec(code, namespace)
    except Exception as exc:
        raise StrategyError(f"generated source for {spec.class_name} does not run: {exc}\n{rendered.source}") from exc
    cls = namespace[spec.class_name]
    assert isinstance(cls, type)
    return cls
