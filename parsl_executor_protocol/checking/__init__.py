"""Runtime conformance checks: full reports, a fast boolean, and the engine behind ``isinstance``.

The engine never runs the checked object's code: members are read from class
and instance dictionaries through the builtin types' own descriptors, call
shapes from code objects, and annotations without calling anything.  Importing
this module installs the engine behind ``isinstance``/``issubclass`` on the
package's protocols (the package does so lazily, on the first such check).
"""

from __future__ import annotations

from typing import Any, Optional

from .._memo import HASHED_AS_IDENTITY, identity
from ..errors import ConformanceError
from ..protocols import ParslExecutorProtocol
from ..protocols._introspect import is_class
from . import _cache
from ._engine import Plan, conforms_instance, instance_report, native_program, plan_of, report_in_c
from ._report import ConformanceReport, Violation, ViolationKind

__all__ = [
    "ConformanceReport",
    "Violation",
    "ViolationKind",
    "assert_conforms",
    "check",
    "clear_cache",
    "conforms",
]


_tables = _cache.tables


def check(obj_or_class: object, protocol: Any = ParslExecutorProtocol) -> ConformanceReport:
    """Check an object (or a class) against ``protocol`` and report every violation.

    A class is checked at class level, as ``issubclass`` does: a data member
    counts as present when the class or a base annotates it, assigns it, makes
    it a property or another descriptor, or lists it in ``__slots__``.  Any
    other object is checked as an instance: its own ``__dict__`` and slots are
    read (never a getter) and data values are checked against the protocol's
    types with beartype.

    Raises :class:`~parsl_executor_protocol.errors.NotAProtocolError` if
    ``protocol`` is not a protocol class; never raises because of the object.
    """
    # The engine's plan lookup, inlined (see _cache.recent_checked), and the plan's quick report:
    # this is every repeated check().
    cls = type(obj_or_class)
    recent = _cache.recent_checked
    if recent[2] is cls and recent[0] is protocol and recent[4] is _cache.epoch:
        plan: Plan = recent[3]
    else:
        epoch = _cache.epoch  # before the lookup: a clear meanwhile leaves the entry unused
        try:
            table = recent[1] if recent[0] is protocol else _tables[identity(protocol)]
            plan = table[hash(cls) if type(cls) is HASHED_AS_IDENTITY else identity(cls)]
        except KeyError:
            if issubclass(cls, type):  # a class, judged at class level (is_class, without the call)
                return _class_report(protocol, obj_or_class)
            plan = plan_of(protocol, cls)  # possibly not cached (a recursive reference): not remembered
            current = _tables.get(identity(protocol))
            if current is not None:  # the recent table may be one clear_cache() dropped: take the current one
                _cache.recent_checked = (protocol, current, None, None, None)
        else:
            _cache.recent_checked = (protocol, table, cls, plan, epoch)
            if plan.native is None and report_in_c is not None:
                native_program(plan)  # from the second check() of the class on, its tests run in C
    quick = plan.quick
    if quick is None:  # the class decides alone: every instance conforms
        return plan.ok_report
    native = plan.native
    # The plan's report for a conforming instance, else None or False: from its tests in C once
    # they are made, but for a plan of a metaclass, whose instances (classes) its quick report
    # leaves to class_verdict().
    if native.__class__ is tuple and report_in_c is not None and not plan.of_classes:
        report: ConformanceReport = report_in_c(native, obj_or_class)
    else:
        report = quick(obj_or_class)
    if not report:
        if plan.of_classes:  # a class whose metaclass has a plan (from an isinstance() of a class)
            return _class_report(protocol, obj_or_class)
        return instance_report(plan, obj_or_class)
    return report


def _class_report(protocol: Any, cls: Any) -> ConformanceReport:
    return plan_of(protocol, cls).class_verdict(cls)


def conforms(obj_or_class: object, protocol: Any = ParslExecutorProtocol) -> bool:
    """Whether :func:`check` would report no violation, answered from cached verdicts where possible."""
    if is_class(obj_or_class):
        return plan_of(protocol, obj_or_class).class_verdict(obj_or_class).ok  # type: ignore[arg-type]
    return conforms_instance(protocol, obj_or_class)


def assert_conforms(obj_or_class: object, protocol: Any = ParslExecutorProtocol) -> None:
    """Raise :class:`~parsl_executor_protocol.errors.ConformanceError` (a ``TypeError``) unless it conforms.

    The error's message is the whole report; ``error.report`` is the report.
    """
    report = check(obj_or_class, protocol)
    if not report.ok:
        raise ConformanceError(report)


def clear_cache(cls: Optional[type] = None) -> None:
    """Drop cached verdicts: all of them, or those of ``cls`` and of every class inheriting from it.

    Verdicts are cached per class; call this after changing a class that was
    already checked (adding, deleting or replacing members, reassigning
    ``__bases__``), or after changing a protocol.  ``unittest.mock``'s patchers
    do it for the class they patch, when they start and stop; instance facts
    are never cached.  Safe to call at any time, from any thread.
    """
    _cache.clear(cls)
