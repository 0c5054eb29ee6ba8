"""What a check returns: violations, warnings, and the report that lists them."""

from __future__ import annotations

import enum
import json
from typing import Any, Dict, Tuple


class ViolationKind(str, enum.Enum):
    """The kind of problem a :class:`Violation` describes; its value is the name used in JSON."""

    #: The member is absent (an optional member may be absent).
    MISSING = "missing"
    #: A method member is implemented by something that cannot be called (``None``, a number, ...).
    NOT_CALLABLE = "not_callable"
    #: A method is implemented by a property or attribute, or a property/attribute by a method.
    WRONG_KIND = "wrong_kind"
    #: The method does not accept every call the protocol's method accepts.
    INCOMPATIBLE_SIGNATURE = "incompatible_signature"
    #: A member the protocol lets callers assign is a property without a setter.
    READ_ONLY = "read_only"
    #: An attribute's value, or a property's return annotation, does not match the protocol's type.
    WRONG_ATTRIBUTE_TYPE = "wrong_attribute_type"
    #: An optional member is present but wrong (any of the problems above).
    OPTIONAL_WRONG_TYPE = "optional_wrong_type"
    #: A warning, not an error: something could not be checked without running code
    #: (a builtin without a signature, a custom descriptor, an unresolvable annotation).
    UNVERIFIABLE = "unverifiable"

    @property
    def severity(self) -> str:
        """``"warning"`` for :attr:`UNVERIFIABLE`, ``"error"`` for every other kind."""
        return "warning" if self is ViolationKind.UNVERIFIABLE else "error"


class Violation:
    """One problem with one member: what the protocol expects, what was found, and a one-line message."""

    __slots__ = ("expected", "found", "kind", "member", "message")

    def __init__(self, member: str, kind: ViolationKind, expected: str, found: str, message: str) -> None:
        self.member = member
        self.kind = kind
        self.expected = expected
        self.found = found
        self.message = message

    @property
    def severity(self) -> str:
        """``"error"`` or ``"warning"`` (see :attr:`ViolationKind.severity`)."""
        return self.kind.severity

    def to_dict(self) -> Dict[str, str]:
        """The violation as a JSON-ready dict."""
        return {
            "member": self.member,
            "kind": self.kind.value,
            "severity": self.severity,
            "expected": self.expected,
            "found": self.found,
            "message": self.message,
        }

    def __eq__(self, other: object) -> bool:
        return type(other) is Violation and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(tuple(self.to_dict().values()))

    def __repr__(self) -> str:
        return f"Violation({self.member!r}, {self.kind.value}, {self.message!r})"


class ConformanceReport:
    """The result of :func:`~parsl_executor_protocol.check`: every violation and warning, in member order.

    ``ok`` is true when there are no violations; warnings never make a report
    fail.  Reports are immutable and may be shared between calls.
    """

    __slots__ = ("protocol", "subject", "violations", "warnings")

    def __init__(self, subject: str, protocol: str, problems: Tuple[Violation, ...]) -> None:
        #: What was checked: ``"instance of module.Class"`` or ``"class module.Class"``.
        self.subject = subject
        #: The protocol's name.
        self.protocol = protocol
        #: The errors, one per member at most.
        self.violations: Tuple[Violation, ...] = ()
        #: The warnings (:attr:`ViolationKind.UNVERIFIABLE`).
        self.warnings: Tuple[Violation, ...] = ()
        if problems:
            self.violations = tuple(p for p in problems if p.kind is not ViolationKind.UNVERIFIABLE)
            self.warnings = tuple(p for p in problems if p.kind is ViolationKind.UNVERIFIABLE)

    @property
    def ok(self) -> bool:
        """Whether the subject conforms (no violations; warnings allowed)."""
        return not self.violations

    def to_dict(self) -> Dict[str, Any]:
        """The report as a JSON-ready dict."""
        return {
            "subject": self.subject,
            "protocol": self.protocol,
            "ok": self.ok,
            "violations": [v.to_dict() for v in self.violations],
            "warnings": [w.to_dict() for w in self.warnings],
        }

    def to_json(self) -> str:
        """The report as a JSON document (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), indent=2)

    def __str__(self) -> str:
        verdict = "conforms to" if self.ok else "does not conform to"
        counts = []
        if self.violations:
            counts.append(_plural(len(self.violations), "violation"))
        if self.warnings:
            counts.append(_plural(len(self.warnings), "warning"))
        head = f"{self.subject} {verdict} {self.protocol}"
        if not counts:
            return head
        lines = [f"{head} ({', '.join(counts)}):"]
        lines += [f"  {v.message}" for v in self.violations]
        lines += [f"  warning: {w.message}" for w in self.warnings]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ConformanceReport {self.subject} ok={self.ok} violations={len(self.violations)}>"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
