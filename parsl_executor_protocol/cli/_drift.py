"""``drift``: the package's protocols against the installed parsl's executor base classes.

For each member a protocol states, the base class must still have it, of a
kind that serves (a method stays a method; a member the DataFlowKernel
assigns stays writable) and with a signature and types that still fit:
otherwise the protocol has drifted from Parsl.  The base class's public
members that the protocol does not require are listed for information.

Nothing is instantiated.  Members are read with the package's one model of
a class member (:mod:`parsl_executor_protocol.protocols._model`): the
protocol's from its model, the base class's from the class bodies along its
MRO, plus the ``self.x = ...`` assignments in each ``__init__``, read with
:mod:`ast` from the installed source (Parsl's ``ParslExecutor`` sets its
monitoring and logging members only there; instantiating it would need a
concrete subclass and would run executor code).  Types are compared with
beartype's ``is_subhint``, conservatively: only a definite "no" is drift.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import typing
from abc import ABC as abc_ABC
from dataclasses import dataclass
from types import UnionType as types_UnionType
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

import typing_extensions

from ..checking._hints import is_subhint
from ..protocols._annotations import hint_name, is_unresolved
from ..protocols._model import (
    ATTRIBUTE,
    METHOD,
    PROPERTY_MEMBER,
    Member,
    attribute_member,
    class_member,
    protocol_model,
)

__all__ = ["DRIFT_STATUSES", "DriftReport", "MemberDrift", "compare", "default_base_for"]

#: Every member status, and whether it counts as drift.
DRIFT_STATUSES: Dict[str, bool] = {
    "ok": False,
    "narrowed": False,  # compatible: the base class promises less than the protocol allows
    "optional-absent": False,  # an optional member the base class does not declare
    "unverified": False,  # a type that could not be evaluated or compared
    "missing": True,
    "moved": True,
    "wrong-kind": True,
    "read-only": True,
    "incompatible-signature": True,
    "incompatible-type": True,
}

# Dunder methods a base class defines as machinery rather than as executor interface.
_MACHINERY = frozenset({
    "__init__", "__new__", "__init_subclass__", "__subclasshook__", "__class_getitem__", "__repr__", "__str__",
    "__getattr__", "__getattribute__", "__setattr__", "__delattr__", "__dir__", "__reduce__", "__reduce_ex__",
    "__getstate__", "__setstate__", "__eq__", "__ne__", "__hash__", "__sizeof__", "__format__",
})


@dataclass(frozen=True)
class MemberDrift:
    """One protocol member compared with the base class."""

    member: str
    status: str
    """A key of :data:`DRIFT_STATUSES`."""
    required: bool
    expected: str
    found: str
    message: str

    @property
    def drift(self) -> bool:
        """Whether this member's status counts as drift."""
        return DRIFT_STATUSES[self.status]


@dataclass(frozen=True)
class DriftReport:
    """A protocol compared with one base class."""

    protocol: str
    base: str
    parsl_version: str
    members: Tuple[MemberDrift, ...]
    unrequired: Tuple[str, ...]
    """The base class's public members the protocol does not state."""
    label: str = "parsl"
    """What the table calls the base class's side: ``parsl``, or the ``--base`` given."""

    @property
    def drift(self) -> bool:
        """Whether any member drifted."""
        return any(member.drift for member in self.members)

    def to_dict(self) -> Dict[str, Any]:
        """The report as JSON-ready data (the schema is in docs/cli.md)."""
        return {
            "protocol": self.protocol,
            "base": self.base,
            "parsl_version": self.parsl_version,
            "drift": self.drift,
            "members": [
                {
                    "member": m.member, "status": m.status, "drift": m.drift, "required": m.required,
                    "expected": m.expected, "found": m.found, "message": m.message,
                }
                for m in self.members
            ],
            "unrequired": list(self.unrequired),
        }


def _qualname(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def default_base_for(protocol: type) -> Tuple[type, List[type]]:
    """The Parsl base class a protocol is compared with, and where members may have moved to.

    Protocols stating the block-provider role are compared with
    ``BlockProviderExecutor``; every other protocol with ``ParslExecutor``,
    looking in ``BlockProviderExecutor`` for members it lacks.
    """
    from parsl.executors.base import ParslExecutor
    from parsl.executors.status_handling import BlockProviderExecutor

    from ..protocols import BlockProviderRole

    if issubclass_nominal(protocol, BlockProviderRole):
        return BlockProviderExecutor, []
    return ParslExecutor, [BlockProviderExecutor]


def issubclass_nominal(cls: type, base: type) -> bool:
    """``issubclass`` by the MRO only (protocols' own ``issubclass`` is structural)."""
    return base in getattr(cls, "__mro__", ())


# --------------------------------------------------------------------------- reading a class

# Bases that add nothing an executor or a protocol declares.
_MACHINERY_BASES: Tuple[Any, ...] = (object, typing.Generic, typing.Protocol, typing_extensions.Protocol, abc_ABC)

# How an attribute's type was learnt; a stronger source is never overridden by a weaker one.
_UNTYPED, _INFERRED, _DECLARED = range(3)
_EMPTY = inspect.Parameter.empty


def _mro(cls: type) -> List[type]:
    return [klass for klass in cls.__mro__ if not any(klass is base for base in _MACHINERY_BASES)]


def _init_assignments(klass: type) -> Iterator[Tuple[str, Any, int]]:
    """``(name, annotation text or empty, how it was learnt)`` for each ``self.name = ...`` in ``klass.__init__``."""
    init = klass.__dict__.get("__init__")
    # typing gives protocols an __init__ of its own; it assigns nothing of theirs.
    if not inspect.isfunction(init) or init.__module__ in ("typing", "typing_extensions"):
        return
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(init)), type_comments=True)
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
                    yield name, _EMPTY, _UNTYPED


def class_members(cls: type) -> Dict[str, Member]:
    """Every member ``cls`` declares, by name, without instantiating it.

    Methods and properties are the model's reading of the class that defines
    them; an attribute is typed by its strongest declaration along the MRO
    (an annotation, a type comment, or the type of the ``__init__`` parameter
    assigned to it; subclasses win among equals).
    """
    annotations: Dict[str, Tuple[Any, type]] = {}
    strength: Dict[str, int] = {}
    names: Dict[str, None] = {}

    def learn(name: str, raw: Any, klass: type, how: int) -> None:
        names[name] = None
        if how >= strength.get(name, _UNTYPED):
            annotations[name] = (raw, klass)
            strength[name] = how

    mro = _mro(cls)
    for klass in reversed(mro):
        for name, text, how in _init_assignments(klass):
            learn(name, text, klass, how)
        for name, raw in inspect.get_annotations(klass).items():
            learn(name, raw, klass, _DECLARED)
        names.update(dict.fromkeys(klass.__dict__))
    members: Dict[str, Member] = {}
    for name in names:
        owner = next((klass for klass in mro if name in klass.__dict__), None)
        if owner is not None:
            member = class_member(owner, name, skip_library=False)
            if member is not None and member.kind != ATTRIBUTE:
                members[name] = member
                continue
        raw, declared_in = annotations.get(name, (_EMPTY, owner or cls))
        members[name] = attribute_member(declared_in, name, raw)
    return members


# --------------------------------------------------------------------------- comparing types


def fits(source: Any, target: Any) -> Optional[bool]:
    """Whether a value of type ``source`` is acceptable where ``target`` is expected (``None``: cannot tell).

    Unannotated (``Any``) and type variables fit anything; the rest is
    beartype's :func:`~beartype.door.is_subhint`.
    """
    if source is Any or target is Any or target is object:
        return True
    if isinstance(source, typing.TypeVar) or isinstance(target, typing.TypeVar):
        return True
    if is_unresolved(source) or is_unresolved(target):
        return None
    return is_subhint(source, target)


def _union_members(hint: Any) -> Optional[Tuple[Any, ...]]:
    if typing.get_origin(hint) in (typing.Union, types_UnionType):
        return typing.get_args(hint)
    return None


def uncovered(source: Any, target: Any) -> List[Any]:
    """The members of union ``target`` that no member of ``source`` can be.

    E.g. ``[bool]`` for ``None`` against ``Optional[bool]``.
    """
    target_members = _union_members(target)
    if target_members is None:
        return []
    source_members = _union_members(source) or (source,)
    return [
        member for member in target_members
        if not any(fits(candidate, member) is True for candidate in source_members)
    ]


# --------------------------------------------------------------------------- rendering members

# drift's words for the model's member kinds.
_KIND_WORDS = {METHOD: "method", PROPERTY_MEMBER: "property", ATTRIBUTE: "data"}


def render(member: Member) -> str:
    """A short description: ``method (func, *args) -> Future``, ``property (read-write): str``, ``data: int``.

    The type is left out where nothing was annotated.
    """
    if member.kind == METHOD:
        params = ", ".join(
            ("*" if p.kind is _VAR_POS else "**" if p.kind is _VAR_KW else "") + p.name
            + ("=..." if p.default is not _EMPTY else "")
            for p in member.params
        )
        returns = f" -> {hint_name(member.type)}" if member.typed else ""
        return f"method ({params}){returns}"
    mode = " (read-write)" if member.kind == PROPERTY_MEMBER and member.settable else ""
    typed = f": {hint_name(member.type)}" if member.typed else ""
    return f"{_KIND_WORDS[member.kind]}{mode}{typed}"


# --------------------------------------------------------------------------- member comparison


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VAR_POS = inspect.Parameter.VAR_POSITIONAL
_VAR_KW = inspect.Parameter.VAR_KEYWORD


def _counterpart(found: Member, expected: inspect.Parameter, index: int) -> Optional[inspect.Parameter]:
    """The parameter of ``found`` that receives what the protocol's callers pass as ``expected``."""
    if expected.kind in (_VAR_POS, _VAR_KW):
        return next((p for p in found.params if p.kind is expected.kind), None)
    named = next((p for p in found.params if p.name == expected.name), None)
    if named is not None or expected.kind not in _POSITIONAL:
        return named
    positional = [p for p in found.params if p.kind in _POSITIONAL]
    return positional[index] if index < len(positional) else None


def signature_problems(expected: Member, found: Member) -> List[str]:
    """Why a method ``found`` cannot be called as ``expected`` allows (empty: it can).

    Call shapes are judged by the runtime engine's rules (mypy's, names of
    positional parameters aside), so ``check`` and ``drift`` agree; parameter
    and return types are compared here, which the engine leaves to type checkers.
    """
    from ..checking._signatures import incompatibility, shape_of_signature

    problems: List[str] = []
    reason = incompatibility(shape_of_signature(found.signature), shape_of_signature(expected.signature))
    if reason:
        problems.append(reason)
    positional_index = 0
    for e in expected.params:
        f = _counterpart(found, e, positional_index)
        if e.kind in _POSITIONAL:
            positional_index += 1
        # Parameters are contravariant: what the protocol's callers pass must be accepted.
        if f is not None and fits(e.annotation, f.annotation) is False:
            problems.append(f"{f.name} takes {hint_name(f.annotation)}, not {hint_name(e.annotation)}")
    if fits(found.type, expected.type) is False:
        problems.append(f"returns {hint_name(found.type)}, not {hint_name(expected.type)}")
    return problems


def _writable(member: Member) -> bool:
    return member.kind == ATTRIBUTE or (member.kind == PROPERTY_MEMBER and member.settable)


def compare_member(expected: Member, found: Member, label: str = "parsl") -> Tuple[str, str]:
    """``(status, message)`` for a member present in both; ``label`` names the base class's side."""
    if expected.kind == METHOD:
        if found.kind != METHOD:
            return "wrong-kind", f"the protocol states a method; {label} has {_KIND_WORDS[found.kind]}"
        problems = signature_problems(expected, found)
        if problems:
            return "incompatible-signature", "; ".join(problems)
        return _narrowed(expected.type, found.type, "returns", label)
    if found.kind == METHOD:
        return "wrong-kind", f"the protocol states {_KIND_WORDS[expected.kind]}; {label} has a method"
    if _writable(expected) and not _writable(found):
        return "read-only", f"the protocol's member is assigned to, {label}'s is a read-only property"
    outward = fits(found.type, expected.type)
    # A member the protocol's users assign to must also accept what they assign.
    inward = fits(expected.type, found.type) if _writable(expected) else True
    if outward is False or inward is False:
        return "incompatible-type", f"{label}'s type is {hint_name(found.type)}, not {hint_name(expected.type)}"
    if outward is None or inward is None:
        return "unverified", f"cannot compare {hint_name(found.type)} with {hint_name(expected.type)}"
    return _narrowed(expected.type, found.type, "declares", label)


def _narrowed(expected: Any, found: Any, verb: str, label: str) -> Tuple[str, str]:
    lost = uncovered(found, expected)
    if lost:
        never = " or ".join(hint_name(member) for member in lost)
        return "narrowed", f"{label} {verb} {hint_name(found)}, never {never} (compatible)"
    return "ok", ""


def compare(protocol: type, base: Optional[type] = None, *, label: Optional[str] = None) -> DriftReport:
    """Compare ``protocol``'s members with ``base`` (default: the Parsl base class for that protocol).

    Only with the default base are members it lacks looked up in the other Parsl base class (``moved``).
    ``label`` names the base class's side in the table and messages (default ``"parsl"``).
    """
    import parsl

    side = label or "parsl"

    elsewhere: Sequence[type] = ()
    if base is None:
        base, elsewhere = default_base_for(protocol)
    found_members = class_members(base)
    others = [(other, class_members(other)) for other in elsewhere]
    stated = protocol_model(protocol).members
    members: List[MemberDrift] = []
    for expected in stated:
        name = expected.name
        found = found_members.get(name)
        if found is None:
            moved_to = next(((cls, there[name]) for cls, there in others if name in there), None)
            if expected.optional:
                members.append(MemberDrift(name, "optional-absent", False, render(expected), "-",
                                           f"optional; {base.__qualname__} does not declare it"))
            elif moved_to is not None:
                cls, member = moved_to
                status, detail = compare_member(expected, member, side)
                extra = f"; there, {detail}" if DRIFT_STATUSES[status] else ""
                members.append(MemberDrift(name, "moved", True, render(expected),
                                           f"{cls.__qualname__}: {render(member)}",
                                           f"moved to {cls.__qualname__}{extra}"))
            else:
                members.append(MemberDrift(name, "missing", True, render(expected), "-",
                                           f"{base.__qualname__} no longer has it"))
            continue
        status, message = compare_member(expected, found, side)
        members.append(MemberDrift(name, status, not expected.optional, render(expected), render(found), message))
    stated_names = {member.name for member in stated}
    unrequired = tuple(sorted(
        name for name, member in found_members.items()
        if name not in stated_names and _is_interface(name, member)
    ))
    # A partial parsl installation may lack __version__; the report still names what it compared.
    version = str(getattr(parsl, "__version__", "unknown version"))
    return DriftReport(_qualname(protocol), _qualname(base), version, tuple(members), unrequired, side)


def _is_interface(name: str, member: Member) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return member.kind == METHOD and name not in _MACHINERY
    return not name.startswith("_")


# --------------------------------------------------------------------------- rendering


def render_table(report: DriftReport) -> str:
    """The report as a human-readable table; each row's detail follows it on a line of its own."""
    lines = [f"{report.protocol} against {report.base} (parsl {report.parsl_version})"]
    rows = [("member", "status", "protocol states", f"{report.label} has")]
    rows += [(m.member + ("" if m.required else " (optional)"), m.status, m.expected, m.found) for m in report.members]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join(cells) + "  " + row[3])
        if index and report.members[index - 1].message:
            lines.append(" " * (6 + widths[0]) + "-> " + report.members[index - 1].message)
    if report.unrequired:
        lines.append(f"in {report.label}, not in the protocol (information): {', '.join(report.unrequired)}")
    drifted = [m.member for m in report.members if m.drift]
    if drifted:
        lines.append(f"DRIFT: {len(drifted)} member(s) changed incompatibly: {', '.join(drifted)}")
    else:
        lines.append("no drift")
    return "\n".join(lines)
