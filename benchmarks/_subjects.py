"""What the runtime benchmarks check: every protocol of the package, implemented four ways, and typing's twin.

For each protocol that ``parsl_executor_protocol`` exports, this module writes
the source of

* four conforming classes, one per way of providing the data members
  (attributes and properties of the protocol): ``class`` (class-level
  attributes), ``init`` (set in ``__init__``), ``property`` (properties, with
  setters where the protocol lets a member be assigned) and ``slots``
  (``__slots__``, set in ``__init__``); methods are always defined in the class
  body, with the protocol's own signatures;
* ``Plain``: a plain ``@typing.runtime_checkable`` ``typing.Protocol`` with the
  same required members, the anchor for ``isinstance``;

and executes it as a real module (registered in ``sys.modules``, so that
annotations resolve as in any user module).  Nothing here reads the package's
private modules: members come from :func:`required_members`,
:func:`optional_members` and the protocols' own class dictionaries.
"""

from __future__ import annotations

import inspect
import itertools
import sys
import types
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import parsl_executor_protocol as package
from parsl_executor_protocol import optional_members, required_members

SHAPES = ("class", "init", "property", "slots")

_counter = itertools.count()

_PRELUDE = '''\
import typing
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, TypeVar, Union

from parsl_executor_protocol import (
    JobStateLike, JobStatusLike, MonitoringReceiverLike, RadioConfigLike, StagingProvider,
)

_T = TypeVar("_T")


class _State:
    name = "RUNNING"
    value = 2


_STATE = _State()
'''

# A value of each annotation the protocols give their data members, as source text.
_VALUES = {
    "str": '"x"',
    "bool": "False",
    "int": "0",
    "Any": "None",
    "JobStateLike": "_STATE",
    "Union[int, float]": "1",
}


def _value(annotation: str) -> str:
    if annotation in _VALUES:
        return _VALUES[annotation]
    if annotation.startswith("Optional["):
        return "None"
    if annotation.startswith(("Mapping[", "Dict[")):
        return "{}"
    raise ValueError(f"no value for a data member annotated {annotation!r}")


@dataclass(frozen=True)
class Member:
    """One member of a protocol, as source text needs it."""

    name: str
    kind: str  # "method" or "data"
    annotation: str = ""  # data members: the annotation's text
    settable: bool = False  # data members: whether an implementation must let it be assigned
    signature: str = ""  # methods: the parameters and return annotation, as source


def _annotation_text(annotation: Any) -> str:
    return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)


def _member(protocol: type, name: str) -> Member:
    for klass in protocol.__mro__:
        found = klass.__dict__.get(name)
        if isinstance(found, property):
            returns = found.fget.__annotations__.get("return", "Any") if found.fget else "Any"
            return Member(name, "data", _annotation_text(returns), settable=found.fset is not None)
        if inspect.isfunction(found):
            return Member(name, "method", signature=str(inspect.signature(found)))
        annotations = vars(klass).get("__annotations__", {})
        if name in annotations:
            return Member(name, "data", _annotation_text(annotations[name]), settable=True)
    raise LookupError(f"{protocol.__name__} has no member {name!r}")


def members(protocol: type, *, optional: bool = True) -> List[Member]:
    """The members of ``protocol`` (the optional ones too unless ``optional`` is false), by name."""
    names = set(required_members(protocol))
    found = [_member(protocol, name) for name in sorted(names)]
    if optional:
        for name, role in sorted(optional_members(protocol).items()):
            if name not in names:
                found.append(_member(role, name))
    return found


def protocols() -> List[Tuple[str, type]]:
    """Every protocol the package exports, by name."""
    found = []
    for name in package.__all__:
        value = getattr(package, name)
        if isinstance(value, type) and value.__dict__.get("_is_protocol", False):
            found.append((name, value))
    return found


def _methods(found: List[Member]) -> List[str]:
    return [f"    def {m.name}{m.signature}: ..." for m in found if m.kind == "method"]


def implementation_source(name: str, found: List[Member], shape: str) -> str:
    """The source of a conforming class named ``name`` providing the data members in ``shape``."""
    data = [m for m in found if m.kind == "data"]
    lines = [f"class {name}:"]
    if shape == "class":
        lines += [f"    {m.name} = {_value(m.annotation)}" for m in data]
    elif shape in ("init", "slots"):
        if shape == "slots":
            lines.append(f"    __slots__ = {tuple(m.name for m in data)!r}")
        if data:
            lines.append("    def __init__(self) -> None:")
            lines += [f"        self.{m.name} = {_value(m.annotation)}" for m in data]
    elif shape == "property":
        if any(m.settable for m in data):
            lines.append("    def __init__(self) -> None:")
            lines += [f"        self._{m.name} = {_value(m.annotation)}" for m in data if m.settable]
        for m in data:
            lines += ["    @property", f"    def {m.name}(self) -> {m.annotation!r}:"]
            lines.append(f"        return self._{m.name}" if m.settable else f"        return {_value(m.annotation)}")
            if m.settable:
                lines += [f"    @{m.name}.setter", f"    def {m.name}(self, value: {m.annotation!r}) -> None:",
                          f"        self._{m.name} = value"]
    else:
        raise ValueError(f"unknown shape {shape!r}")
    lines += _methods(found)
    if len(lines) == 1:
        lines.append("    pass")
    return "\n".join(lines) + "\n"


def plain_source(name: str, found: List[Member]) -> str:
    """The source of a plain runtime-checkable ``typing.Protocol`` with the members ``found``."""
    lines = ["@typing.runtime_checkable", f"class {name}(typing.Protocol):"]
    for m in found:
        if m.kind == "method":
            continue
        if m.settable:
            lines.append(f"    {m.name}: {m.annotation!r}")
        else:
            lines += ["    @property", f"    def {m.name}(self) -> {m.annotation!r}: ..."]
    lines += _methods(found)
    return "\n".join(lines) + "\n"


def load(source: str, label: str) -> Dict[str, Any]:
    """Execute ``source`` (after the prelude) as a new module in ``sys.modules``; return its namespace."""
    module_name = f"_bench_subjects_{label}_{next(_counter)}"
    module = types.ModuleType(module_name)
    sys.modules[module_name] = module
    exec(compile(_PRELUDE + source, f"<{module_name}>", "exec"), module.__dict__)
    return module.__dict__


@dataclass
class Subject:
    """One protocol with its plain twin and an instance of each implementation shape."""

    name: str
    protocol: type
    plain: type
    instances: Dict[str, object]
    member_count: int


def subjects() -> List[Subject]:
    """One :class:`Subject` per protocol the package exports, from one generated module."""
    parts, plan = [], []
    for name, protocol in protocols():
        found = members(protocol)
        required = [m for m in found if m.name in required_members(protocol)]
        parts.append(plain_source(f"Plain_{name}", required))
        for shape in SHAPES:
            parts.append(implementation_source(f"{name}_{shape}", found, shape))
        plan.append((name, protocol, len(required)))
    namespace = load("\n\n".join(parts), "all")
    return [
        Subject(
            name,
            protocol,
            namespace[f"Plain_{name}"],
            {shape: namespace[f"{name}_{shape}"]() for shape in SHAPES},
            count,
        )
        for name, protocol, count in plan
    ]
