"""``drift``: the package's protocols against the installed parsl's executor base classes.

For each member a protocol states, the base class must still have it, of a
kind that serves (a method stays a method; a member the DataFlowKernel
assigns stays writable) and with a signature and types that still fit:
otherwise the protocol has drifted from Parsl.  The base class's public
members that the protocol does not require are listed for information.

Nothing is instantiated: see :mod:`._shapes` for how members are read.
"""

from __future__ import annotations

import concurrent.futures
import inspect
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _shapes
from ._shapes import DATA, METHOD, PROPERTY, MemberShape, Param, assignable, class_shapes, format_type

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

    from .protocols import BlockProviderRole

    if issubclass_nominal(protocol, BlockProviderRole):
        return BlockProviderExecutor, []
    return ParslExecutor, [BlockProviderExecutor]


def issubclass_nominal(cls: type, base: type) -> bool:
    """``issubclass`` by the MRO only (protocols' own ``issubclass`` is structural)."""
    return base in getattr(cls, "__mro__", ())


# --------------------------------------------------------------------------- member comparison


def _find(params: Sequence[Param], name: str) -> Optional[Param]:
    return next((p for p in params if p.name == name), None)


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
_VAR_POS = inspect.Parameter.VAR_POSITIONAL
_VAR_KW = inspect.Parameter.VAR_KEYWORD


def _counterpart(found: MemberShape, expected: Param, index: int) -> Optional[Param]:
    """The parameter of ``found`` that receives what the protocol's callers pass as ``expected``."""
    if expected.kind in (_VAR_POS, _VAR_KW):
        return next((p for p in found.params if p.kind is expected.kind), None)
    named = _find(found.params, expected.name)
    if named is not None or expected.kind not in _POSITIONAL:
        return named
    positional = [p for p in found.params if p.kind in _POSITIONAL]
    return positional[index] if index < len(positional) else None


def signature_problems(expected: MemberShape, found: MemberShape) -> List[str]:
    """Why a method shaped ``found`` cannot be called as ``expected`` allows (empty: it can).

    Call shapes are judged by the runtime engine's rules (mypy's, names of
    positional parameters aside), so ``check`` and ``drift`` agree; parameter
    and return types are compared here, which the engine leaves to type checkers.
    """
    from .checking._signatures import incompatibility, shape_of_signature

    problems: List[str] = []
    if expected.signature is not None and found.signature is not None:
        reason = incompatibility(shape_of_signature(found.signature), shape_of_signature(expected.signature))
        if reason:
            problems.append(reason)
    positional_index = 0
    for e in expected.params:
        f = _counterpart(found, e, positional_index)
        if e.kind in _POSITIONAL:
            positional_index += 1
        # Parameters are contravariant: what the protocol's callers pass must be accepted.
        if f is not None and assignable(e.type, f.type) is False:
            problems.append(f"{f.name} takes {format_type(f.type)}, not {format_type(e.type)}")
    if assignable(found.type, expected.type) is False:
        problems.append(f"returns {format_type(found.type)}, not {format_type(expected.type)}")
    return problems


def _writable(shape: MemberShape) -> bool:
    return shape.kind == DATA or (shape.kind == PROPERTY and shape.writable)


def compare_member(expected: MemberShape, found: MemberShape) -> Tuple[str, str]:
    """``(status, message)`` for a member present in both."""
    if expected.kind == METHOD:
        if found.kind != METHOD:
            return "wrong-kind", f"the protocol states a method; parsl has {found.kind}"
        problems = signature_problems(expected, found)
        if problems:
            return "incompatible-signature", "; ".join(problems)
        return _narrowed(expected.type, found.type, "returns")
    if found.kind == METHOD:
        return "wrong-kind", f"the protocol states {expected.kind}; parsl has a method"
    if _writable(expected) and not _writable(found):
        return "read-only", "the protocol's member is assigned to, parsl's is a read-only property"
    outward = assignable(found.type, expected.type)
    # A member the protocol's users assign to must also accept what they assign.
    inward = assignable(expected.type, found.type) if _writable(expected) else True
    if outward is False or inward is False:
        return "incompatible-type", f"parsl's type is {format_type(found.type)}, not {format_type(expected.type)}"
    if outward is None or inward is None:
        return "unverified", f"cannot compare {format_type(found.type)} with {format_type(expected.type)}"
    return _narrowed(expected.type, found.type, "declares")


def _narrowed(expected: Any, found: Any, verb: str) -> Tuple[str, str]:
    lost = _shapes.uncovered(found, expected)
    if lost:
        never = " or ".join(format_type(member) for member in lost)
        return "narrowed", f"parsl {verb} {format_type(found)}, never {never} (compatible)"
    return "ok", ""


def compare(protocol: type, base: Optional[type] = None, elsewhere: Sequence[type] = ()) -> DriftReport:
    """Compare ``protocol``'s members with ``base`` (default: the Parsl base class for that protocol)."""
    import parsl

    from .protocols import optional_members, required_members

    if base is None:
        base, elsewhere = default_base_for(protocol)
    future = {"Future": concurrent.futures.Future}
    expected_shapes = class_shapes(protocol, future)
    for name, member_protocol in optional_members(protocol).items():
        expected_shapes[name] = class_shapes(member_protocol, future)[name]
    found_shapes = class_shapes(base, future)
    others = [(other, class_shapes(other, future)) for other in elsewhere]
    required = required_members(protocol)
    members: List[MemberDrift] = []
    for name in sorted(expected_shapes, key=lambda n: (n not in required, n)):
        if name not in required and name not in optional_members(protocol):
            continue
        expected = expected_shapes[name]
        is_required = name in required
        found = found_shapes.get(name)
        if found is None:
            moved_to = next(((cls, shapes[name]) for cls, shapes in others if name in shapes), None)
            if not is_required:
                members.append(MemberDrift(name, "optional-absent", False, expected.render(), "-",
                                           f"optional; {base.__qualname__} does not declare it"))
            elif moved_to is not None:
                cls, shape = moved_to
                status, detail = compare_member(expected, shape)
                extra = f"; there, {detail}" if DRIFT_STATUSES[status] else ""
                members.append(MemberDrift(name, "moved", True, expected.render(),
                                           f"{cls.__qualname__}: {shape.render()}",
                                           f"moved to {cls.__qualname__}{extra}"))
            else:
                members.append(MemberDrift(name, "missing", True, expected.render(), "-",
                                           f"{base.__qualname__} no longer has it"))
            continue
        status, message = compare_member(expected, found)
        members.append(MemberDrift(name, status, is_required, expected.render(), found.render(), message))
    stated = set(required) | set(optional_members(protocol))
    unrequired = tuple(sorted(
        name for name, shape in found_shapes.items()
        if name not in stated and _is_interface(name, shape)
    ))
    return DriftReport(_qualname(protocol), _qualname(base), parsl.__version__, tuple(members), unrequired)


def _is_interface(name: str, shape: MemberShape) -> bool:
    if name.startswith("__") and name.endswith("__"):
        return shape.kind == METHOD and name not in _MACHINERY
    return not name.startswith("_")


# --------------------------------------------------------------------------- rendering


def render_table(report: DriftReport) -> str:
    """The report as a human-readable table; each row's detail follows it on a line of its own."""
    lines = [f"{report.protocol} against {report.base} (parsl {report.parsl_version})"]
    rows = [("member", "status", "protocol states", "parsl has")]
    rows += [(m.member + ("" if m.required else " (optional)"), m.status, m.expected, m.found) for m in report.members]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for index, row in enumerate(rows):
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  " + "  ".join(cells) + "  " + row[3])
        if index and report.members[index - 1].message:
            lines.append(" " * (6 + widths[0]) + "-> " + report.members[index - 1].message)
    if report.unrequired:
        lines.append(f"in parsl, not in the protocol (information): {', '.join(report.unrequired)}")
    drifted = [m.member for m in report.members if m.drift]
    if drifted:
        lines.append(f"DRIFT: {len(drifted)} member(s) changed incompatibly: {', '.join(drifted)}")
    else:
        lines.append("no drift")
    return "\n".join(lines)
