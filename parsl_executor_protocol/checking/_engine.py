"""The engine: plans per class, the fast instance check, full reports, and the isinstance hooks.

Data flows one way: the protocol's :class:`~parsl_executor_protocol.protocols._model.ProtocolModel` and a class's
static view give one :class:`~._verdict.ClassMember` per member (cached in a
:class:`Plan`); a check of an instance then reads only the instance's own
``__dict__`` and slots.

The *fast verdict* of a plan answers most instance checks with a few dict
operations: ``True``/``False`` when the class alone decides, else a function
generated for the class that returns the plan's report of a conforming
instance (the instance conforms), ``False`` or ``None`` (look closer: run the
full evaluation).  It reads the instance ``__dict__``
through the C descriptor and then, member by member:

* members the ``__dict__`` must provide (they are not on the class): absent
  means ``False``; a value whose type is not among the types the
  protocol's hint accepts whatever the value (compared by identity, one by
  one up to four, else by identity in a set) means ``None``;
* members the class provides but a ``__dict__`` entry would override (a
  method replaced on the instance): present means ``None``.  This test looks
  the watched names up in the ``__dict__`` and never hashes its keys;
* members the ``__dict__`` may provide (optional ones, class attributes): a
  value of a type not accepted outright means ``None``;
* slots: read through their member descriptors.

Returning the report rather than ``True`` lets ``check()`` answer with one
call of that function, the plan's *quick report*, and no test of the
verdict's form; ``isinstance`` reads any answer but ``False`` and ``None`` as
``True``.  A plan whose class decides alone that its instances conform has no
quick report (``check()`` answers without a call), and one whose class
decides that they do not, a quick report that always answers ``None``.

The ``isinstance`` hook installed is :func:`_instancecheck`, or, where the
package was built with its C extension, the same lookup in C (``_speedups.c``),
which applies the plan's *native program* instead of the fast verdict: the
class's verdict, or the generated function's tests as data (see
:func:`native_program`), so that neither the hook nor the function costs a
Python frame.  It calls back into :func:`_instancecheck_miss` and
:func:`_instancecheck_full` for what the cache does not settle (see :func:`_hook`).
``check()`` too applies the native program, through :data:`report_in_c`, from
the second check of a class on; its first check calls the quick report, and
makes no program.
"""

from __future__ import annotations

import os
import threading
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._memo import HASHED_AS_IDENTITY, bounded_put, identity
from ..protocols import _meta
from ..protocols._introspect import (
    SLOT,
    ClassView,
    class_dict,
    instance_dict_reader,
    is_class,
    read_instance_dict,
    self_assignments,
    type_name,
)
from ..protocols._model import ProtocolModel, protocol_model
from . import _cache, _hints
from ._report import ConformanceReport, Violation
from ._verdict import (
    ABSENT,
    ANNOTATION,
    FAIL,
    OPTIONAL,
    REQUIRED,
    WATCH,
    ClassMember,
    class_problems,
    evaluate_members,
    evaluate_value,
    install_memo_reader,
    missing,
)

_is_protocol_class = _meta.is_protocol_class


class Plan:
    """Everything a class decides for one protocol, compiled for repeated checks."""

    __slots__ = (
        "class_ok",
        "class_report",
        "dict_note",
        "fast",
        "holds_class",
        "members",
        "mro_ids",
        "native",
        "of_classes",
        "ok_report",
        "protocol_id",
        "protocol_name",
        "quick",
        "read_dict",
        "subject",
        "template",
    )

    def __init__(self, model: ProtocolModel, cls: type) -> None:
        view = ClassView(cls)
        self.members: Tuple[ClassMember, ...] = evaluate_members(model, view)
        self.read_dict, self.dict_note = instance_dict_reader(view)
        self.mro_ids = tuple(map(identity, view.mro))
        #: Whether ``cls`` is a metaclass, whose instances are classes: check() judges those at
        #: class level (isinstance() of a class, which can put this plan in the table, does not).
        self.of_classes = issubclass(cls, type)
        self.protocol_id = identity(model.protocol)
        self.protocol_name = model.name
        self.subject = f"instance of {type_name(cls)}"
        # The class-level verdict is worked out on first use (see class_verdict).
        self.class_report: Optional[ConformanceReport] = None
        self.class_ok: Optional[bool] = None
        template, warnings = _template_of(self.members, self.read_dict is None)
        # What an instance that overrides nothing in its __dict__ gets: the class's warnings.
        self.ok_report = ConformanceReport(self.subject, self.protocol_name, warnings)
        self.quick: Optional[Callable[[object], Any]]
        self.fast, self.quick = _instantiate(template, self.read_dict, self.ok_report)
        #: What the C hook applies (see native_program): the class's verdict, else made on first use.
        self.native: Any = template if type(template) is bool else None
        self.template: Any = template
        if self.of_classes:
            self.quick = _unsettled  # check() judges its instances, classes, at class level
        #: Whether the plan may keep ``cls`` alive: ``cls`` introduced its instances' ``__dict__``
        #: or has ``__slots__`` of its own, and the descriptors the plan reads them through (in
        #: the class's own namespace) belong to ``cls``.
        namespace = class_dict(cls)
        self.holds_class = "__dict__" in namespace or "__slots__" in namespace

    def class_verdict(self, cls: type) -> ConformanceReport:
        """The class-level report on ``cls`` (the class this plan was built for), computed once."""
        report = self.class_report
        if report is not None:
            return report
        subject = f"class {type_name(cls)}"
        done = _cache.class_check(("class", self.protocol_id, identity(cls)), self._judge_class, cls, subject)
        if done is None:
            return ConformanceReport(subject, self.protocol_name, ())  # A cycle: assumed to conform.
        report, cacheable = done
        if cacheable:
            self.class_report = report
            self.class_ok = report.ok
        return report

    def _judge_class(self, cls: type, subject: str) -> ConformanceReport:
        view = ClassView(cls)
        assignments = self_assignments(cls) if any(m.entry == ABSENT for m in self.members) else {}
        problems = tuple(p for m in self.members for p in class_problems(m, view, assignments))
        return ConformanceReport(subject, self.protocol_name, problems)


_compiled: Dict[Tuple[Tuple[ClassMember, ...], bool], Tuple[Any, Tuple[Violation, ...]]] = _cache.memo({})


def _template_of(members: Tuple[ClassMember, ...], no_dict: bool) -> Tuple[Any, Tuple[Violation, ...]]:
    """A plan's template (see :func:`_template`) and the warnings of an instance that overrides nothing."""
    # Members are mostly shared objects (see _verdict.evaluate_members): classes made alike
    # share the work below.  A ClassMember hashes and compares by identity, in C, so the
    # members themselves are the key (which the entry keeps alive).
    key = (members, no_dict)
    cached = _compiled.get(key)
    if cached is None:
        warnings = tuple(
            p for m in members if m.entry not in (ABSENT, ANNOTATION, SLOT) for p in m.instance_problems
            if p.severity == "warning"
        )
        cached = (_template(members, no_dict), warnings)
        # A slot's member is the class's own (its reader holds the class), so no other class
        # shares the entry, which would keep the class alive.
        if not any(m.entry == SLOT for m in members):
            bounded_put(_compiled, key, cached)
    return cached


def _instantiate(
    template: Any, read_dict: Optional[Callable[[Any], Any]], ok: ConformanceReport
) -> Tuple[Any, Optional[Callable[[object], Any]]]:
    """A plan's fast verdict and quick report (see the module's doc), from its template.

    The quick report is the generated function itself; ``None`` when the class
    decides alone that its instances conform (``check()`` then answers ``ok``
    without a call).
    """
    if template is True:
        return True, None
    if template is False:
        return False, _unsettled
    factory, constants, slot_members, names, _ = template
    arguments = [read_dict, *constants]
    for member in slot_members:
        arguments += [member.slot_reader, _accepting(member.accepted), member.vet]
    fast = factory(ok, *arguments)
    if names is not None:
        # Nothing required of the instance: isinstance applies the common verdict itself (see
        # _instancecheck), without calling the fast function.
        return (read_dict, names, fast), fast
    return fast, fast


def native_program(plan: Plan) -> Any:
    """The plan's native program, which the C hook applies: made on its first use (a first ``check()`` makes none).

    The tests of the plan's generated function as data: ``(ok, read_dict,
    required, watched, optional, slots, places, layout)``, with ``(name,
    accepted, vet)`` for each required and optional member, the watched names,
    and ``(reader, accepted, vet, needed)`` for each slot (a reader that is a C
    descriptor's ``__get__`` written as the descriptor); ``accepted`` is what
    the generated code receives (see :func:`_accepting`), ``vet`` ``None`` or
    the member's quick test.  ``_speedups.c`` runs it as the function runs its
    tests.

    ``places`` maps each required and optional name to its place among them
    (required first) and each watched name to :data:`WATCHED_PLACE`; ``None``
    when there are more members than a place can number.  ``layout`` is a list
    of one item in which the hook keeps the keys of the last ``__dict__`` it
    found conforming, in order, with their members' tests made ready and, for
    a split ``__dict__``, where it keeps each key: a ``__dict__`` whose keys are
    those same objects is read in one pass, without a lookup (see ``learn`` and
    ``gather`` in ``_speedups.c``).
    """
    program = plan.native
    if program is None:
        _, _, slot_members, _, (required, watch, optional) = plan.template
        vet = _hints.native_vet
        named = [m.wanted.name for m in (*required, *optional)]
        places: Optional[Dict[str, int]] = None
        if len(named) < WATCHED_PLACE:
            places = {name: place for place, name in enumerate(named)}
            places.update(dict.fromkeys(watch, WATCHED_PLACE))
        program = (
            plan.ok_report,
            _native_reader(plan.read_dict),
            tuple((m.wanted.name, _accepting(m.accepted), vet(m.vet)) for m in required),
            tuple(watch),
            tuple((m.wanted.name, _accepting(m.accepted), vet(m.vet)) for m in optional),
            tuple(
                (_native_reader(m.slot_reader), _accepting(m.accepted), vet(m.vet), not m.wanted.optional)
                for m in slot_members
            ),
            places,
            [None],
        )
        # Set once: the C hook keeps a borrowed reference to the program while its plan is the
        # recent entry's, which a second thread's program, replacing it, would leave dangling.
        with _native_lock:
            if plan.native is None:
                plan.native = program
            program = plan.native
    return program


_native_lock = threading.Lock()


#: The place of a watched name in a native program's ``places`` (see native_program); a key of no
#: member has the place one below it; ``places`` is made only for fewer members than that.
WATCHED_PLACE = 255


def _unsettled(obj: object) -> None:
    """The quick report of a plan whose instances ``check()`` always evaluates in full."""
    return None


def _template(members: Tuple[ClassMember, ...], no_dict: bool) -> Any:
    required = []
    optional = []
    watch = []
    slots = []
    for member in members:
        role = member.role
        if role == FAIL:
            return False
        if role == SLOT:
            slots.append(member)
        elif role == REQUIRED:
            required.append(member)
        elif role == WATCH:
            watch.append(member.wanted.name)
        elif role == OPTIONAL:
            optional.append(member)
    if no_dict:
        if required:
            return False
        required, optional, watch = [], [], []
    if not required and not optional and not watch and not slots:
        return True
    # Tuples, so that the __dict__'s keys are looked up, never hashed (see _factory).
    names = tuple(sorted({*watch, *(m.wanted.name for m in optional)}))
    shape = (
        tuple((m.wanted.name, _test_of(m.accepted), m.vet is not None) for m in required),
        len(watch),
        tuple((_test_of(m.accepted), m.vet is not None) for m in optional),
        tuple((_test_of(m.accepted), not m.wanted.optional, m.vet is not None) for m in slots),
    )
    factory = _factories.get(shape)
    if factory is None:
        factory = _factory(*shape)
        if len(_factories) >= 1024:
            _factories.clear()
        _factories[shape] = factory
    constants: List[Any] = [tuple(watch)]
    constants += [_accepting(m.accepted) for m in required] + [m.vet for m in required]
    constants += [m.wanted.name for m in optional] + [_accepting(m.accepted) for m in optional]
    constants += [m.vet for m in optional]
    # The members themselves too, from which native_program writes the same tests as data.
    parts = (required, watch, optional)
    return factory, constants, tuple(slots), names if not required and not slots else None, parts


#: A factory makes a plan's fast function, which returns its report of a conforming instance, False or None.
_factories: Dict[Tuple[Any, ...], Callable[..., Callable[[object], Any]]] = {}


#: A member's accepted types are tested one by one (``is``) up to this many, else looked up in a set.
_CHAINED = 4
#: How a member's value type is tested: ``None`` not at all, ``_BY_SET`` in a set of identities, or a
#: number: against that many types by identity (0: no type is accepted outright).
_BY_SET = -1


def _test_of(accepted: Optional[Tuple[type, ...]]) -> Optional[int]:
    if accepted is None:
        return None
    return len(accepted) if len(accepted) <= _CHAINED else _BY_SET


def _accepting(accepted: Optional[Tuple[type, ...]]) -> Any:
    """What the generated code receives for a member's accepted types (see :func:`_test_of`)."""
    if accepted is None or len(accepted) <= _CHAINED:
        return accepted
    return frozenset(map(identity, accepted))


def _unaccepted(value: str, accepted: str, test: int, vet: Optional[str], indent: str) -> List[str]:
    """Lines returning ``None`` when ``value``'s type is not accepted and the quick test ``vet`` fails.

    ``accepted`` names what :func:`_accepting` gave: the types themselves when
    ``test`` counts them (the factory unpacks them to ``{accepted}_0``...),
    identities when ``test`` is ``_BY_SET``.  Types are compared by identity,
    so no metaclass ``__eq__`` or ``__hash__`` runs.
    """
    lines = []
    if test == _BY_SET:
        key = f"identity(type({value}))"
        if HASHED_AS_IDENTITY is type:  # 3.12+: see _memo.HASHED_AS_IDENTITY
            lines = [f"{indent}kind = type({value})"]
            key = "(hash(kind) if type(kind) is type else identity(kind))"
        tests = [f"{key} not in {accepted}"]
    elif test == 1:
        tests = [f"type({value}) is not {accepted}_0"]
    elif test:
        lines = [f"{indent}kind = type({value})"]
        tests = [f"kind is not {accepted}_{index}" for index in range(test)]
    else:
        tests = []
    if vet is not None:
        tests.append(f"not {vet}({value})")
    if not tests:
        return [f"{indent}return None"]
    return [*lines, f"{indent}if {' and '.join(tests)}:", f"{indent}  return None"]


def _factory(
    required: Tuple[Tuple[str, Optional[int], bool], ...],
    watch: int,
    optional: Tuple[Tuple[Optional[int], bool], ...],
    slots: Tuple[Tuple[Optional[int], bool, bool], ...],
) -> Callable[..., Callable[[object], Any]]:
    params = ["ok", "read_dict", "watch"] + [f"ids{i}" for i in range(len(required))]
    params += [f"vet{i}" for i in range(len(required))]
    params += [f"optional{i}" for i in range(len(optional))] + [f"opt{i}" for i in range(len(optional))]
    params += [f"opt_vet{i}" for i in range(len(optional))]
    for index in range(len(slots)):
        params += [f"slot{index}", f"slot_ids{index}", f"slot_vet{index}"]
    lines = [f"def factory({', '.join(params)}):"]
    # Accepted types tested by identity arrive as tuples: unpacked once, here.
    tested = [(f"ids{i}", test) for i, (_, test, _) in enumerate(required)]
    tested += [(f"opt{i}", test) for i, (test, _) in enumerate(optional)]
    tested += [(f"slot_ids{i}", test) for i, (test, _, _) in enumerate(slots)]
    for param, test in tested:
        if test is not None and test > 0:
            lines += [f"  {', '.join(f'{param}_{j}' for j in range(test))}, = {param}"]
    if watch:
        lines += [f"  {', '.join(f'watch{j}' for j in range(watch))}, = watch"]
    body = ["    try:"]
    if required or optional or watch:
        body += ["      namespace = read_dict(obj)", "      if type(namespace) is not dict:", "        return None"]
    if required:
        # Subscripts, cheaper than get(): a missing member is the KeyError below.
        body += ["      try:"]
        for index, (name, test, vetted) in enumerate(required):
            body += [f"        value = namespace[{name!r}]"]
            if test is not None:
                body += _unaccepted("value", f"ids{index}", test, f"vet{index}" if vetted else None, "        ")
        body += ["      except KeyError:", "        return False"]
    if watch or optional:
        # The common instance holds nothing beyond the required members (often nothing at
        # all): one length test settles it.  Otherwise each of the protocol's other names is
        # looked up once: a method the __dict__ would override needs the full evaluation, an
        # optional member's value is tested like a required one's.  `name in namespace` looks
        # the name up in the __dict__: keys of other types are neither hashed nor compared
        # (unless their stored hash equals a name's), where set operations on the dict would
        # hash them all.  Unrolled, it costs about two thirds of one dict_keys.isdisjoint(names).
        body += [f"      if len(namespace) != {len(required)}:"]
        if watch:
            present = " or ".join(f"watch{j} in namespace" for j in range(watch))
            body += [f"        if {present}:", "          return None"]
        for index, (test, vetted) in enumerate(optional):
            assert test is not None  # an optional member accepts some types outright (see ClassMember._role)
            body += [f"        if optional{index} in namespace:", f"          value = namespace[optional{index}]"]
            body += _unaccepted("value", f"opt{index}", test, f"opt_vet{index}" if vetted else None, "          ")
    for index, (test, needed, vetted) in enumerate(slots):
        body += [
            "      try:",
            f"        value = slot{index}(obj)",
            "      except AttributeError:",
            "        return False" if needed else "        pass",
        ]
        if test is not None:
            body += ["      else:"]
            body += _unaccepted("value", f"slot_ids{index}", test, f"slot_vet{index}" if vetted else None, "        ")
    # A conforming instance gets the plan's report: check() returns it as it is (see the module's doc).
    body += ["    except Exception:", "      return None", "    return ok"]
    lines += ["  def fast(obj):", *body, "  return fast"]
    namespace: Dict[str, Any] = {"identity": identity}
    exec("\n".join(lines), namespace)
    return namespace["factory"]  # type: ignore[no-any-return]


def fast_verdict(fast: Any, obj: object) -> Optional[bool]:
    """The plan's quick answer for ``obj``: ``True``, ``False``, or ``None`` (evaluate in full).

    A plan's ``fast`` is ``True`` or ``False`` (the class decides), a function of the
    instance, or, when nothing is required of the instance's ``__dict__``,
    ``(read_dict, names, function)``: an instance whose ``__dict__`` holds none of
    ``names`` conforms, and ``function`` answers for any other (with the plan's
    report for a conforming instance, ``False`` or ``None``).
    """
    if fast is True or fast is False:
        return bool(fast)
    if type(fast) is tuple:
        fast = fast[2]
    verdict = fast(obj)
    return None if verdict is None else verdict is not False


_C_DESCRIPTORS = (types.GetSetDescriptorType, types.MemberDescriptorType)


def _native_reader(reader: Any) -> Any:
    # The C descriptor a reader is the bound __get__ of (a __dict__ or a slot; see
    # _introspect.instance_dict_reader): the C hook calls its __get__ itself, without the bound
    # method's argument tuple.  Any other reader is called.
    descriptor = getattr(reader, "__self__", None) if type(reader) is types.MethodWrapperType else None
    if type(descriptor) in _C_DESCRIPTORS and reader.__name__ == "__get__":
        return descriptor
    return reader


# --- plans and reports --------------------------------------------------------------------


def model_of(protocol: Any) -> ProtocolModel:
    """The model of ``protocol``, with its verdict tables set up on first use."""
    key = identity(protocol)
    model: Optional[ProtocolModel] = _cache.models.get(key)
    # A clear_cache() in another thread may have dropped the table but not yet the model.
    if model is None or model.protocol is not protocol or key not in _cache.tables:
        model = protocol_model(protocol)
        _cache.install(key, model, getattr(protocol, "_is_runtime_protocol", False))
    return model


def plan_of(protocol: type, cls: type) -> Plan:
    """The plan of ``cls`` for ``protocol``, from the cache or built now."""
    protocol_id, cls_id = identity(protocol), identity(cls)
    table = _cache.tables.get(protocol_id)
    if table is not None:
        plan = table.get(cls_id)
        if plan is not None:
            return plan  # type: ignore[no-any-return]
    model = model_of(protocol)
    done = _cache.class_check(("class", protocol_id, cls_id), Plan, model, cls)
    if done is None:
        return _assumed_plan(model)
    plan, cacheable = done
    if cacheable:
        _cache.store(protocol_id, cls, cls_id, plan)
    return plan


def _assumed_plan(model: ProtocolModel) -> Plan:
    # A class checked against a protocol while that very check is under way
    # (a recursive type): assumed to conform, like mypy does.
    plan = Plan.__new__(Plan)
    plan.members = ()
    plan.read_dict, plan.dict_note = None, ""
    plan.mro_ids = ()
    plan.of_classes = False
    plan.protocol_id = identity(model.protocol)
    plan.protocol_name = model.name
    plan.subject = "a recursive reference"
    plan.class_report = plan.ok_report = ConformanceReport(plan.subject, plan.protocol_name, ())
    plan.class_ok = True
    plan.fast = plan.native = plan.template = True
    plan.quick = None
    plan.holds_class = False
    return plan


def instance_report(plan: Plan, obj: object) -> ConformanceReport:
    """The full report on ``obj``: the class's verdicts plus what its ``__dict__`` and slots hold."""
    key = ("instance", plan.protocol_id, identity(obj))
    found = _cache.settled(key, obj)
    if found is not None:
        return found[0]  # type: ignore[no-any-return]
    depth = _cache.enter(key)
    if depth is None or depth == _cache.CUT:
        return plan.ok_report  # a cycle, or too deep (see _cache.cut): taken to conform
    cuts = _cache.cuts()
    report: Optional[ConformanceReport] = None
    try:
        report = _evaluate(plan, obj)
        return report
    finally:
        # Remembered for the rest of the check, unless it assumed that a check further up holds.
        if _cache.leave(depth) and report is not None:
            _cache.settle(key, obj, report, _cache.cuts() != cuts)


def _evaluate(plan: Plan, obj: object) -> ConformanceReport:
    # The full evaluation of an instance, once on the cycle stack (see instance_report).
    depth = _cache.values_below()
    try:
        return _evaluate_members(plan, obj)
    finally:
        _cache.leave(depth)


def _evaluate_members(plan: Plan, obj: object) -> ConformanceReport:
    namespace = read_instance_dict(plan.read_dict, obj) if plan.read_dict is not None else None
    # Say why an instance's own members were not seen, unless it simply has no __dict__.
    note = plan.dict_note if namespace is None and plan.dict_note.startswith("its") else ""
    if namespace is None and plan.read_dict is not None:
        note = "its __dict__ could not be read"
    problems: list[Violation] = []
    for member in plan.members:
        wanted = member.wanted
        if member.entry == SLOT:
            try:
                value = member.slot_reader(obj)
            except AttributeError:
                problems += missing(wanted, "a slot that is not assigned")
                continue
            except Exception:
                problems += missing(wanted, "a slot that cannot be read")
                continue
            problems += evaluate_value(wanted, value, "slot")
        elif member.shadowable and namespace is not None and wanted.name in namespace:
            problems += evaluate_value(wanted, namespace[wanted.name], "instance __dict__")
        elif note and member.entry in (ABSENT, ANNOTATION):
            problems += missing(wanted, f"nothing ({note})")
        else:
            problems += member.instance_problems
    return ConformanceReport(plan.subject, plan.protocol_name, tuple(problems))


def conforms_instance(protocol: type, obj: object) -> bool:
    """Whether ``obj``, as an instance, conforms."""
    plan = plan_of(protocol, type(obj))
    verdict = fast_verdict(plan.fast, obj)
    if verdict is None:
        return instance_report(plan, obj).ok
    return verdict


# --- isinstance / issubclass ----------------------------------------------------------------

_base_instancecheck: Callable[[Any, Any], Any] = _meta.base_instancecheck
_base_subclasscheck: Callable[[Any, Any], Any] = _meta.base_subclasscheck
_hooked = _cache.hooked
_HASHED = HASHED_AS_IDENTITY


def _require_runtime_checkable(cls: type) -> None:
    if not getattr(cls, "_is_runtime_protocol", False):
        raise TypeError(
            "Instance and class checks can only be used with @runtime_checkable protocols; "
            f"{type_name(cls)} is not one (use check() or conforms() instead)"
        )


def _instancecheck(cls: type, instance: object) -> bool:
    """``isinstance(instance, cls)`` for the package's metaclass: the engine for protocols."""
    # The plan lookup through the recent entry (see _cache.recent_hooked), written out here and in
    # check(): a shared helper would cost each a Python call, a sixth of a repeated isinstance.
    # _speedups.c takes the same steps: a change here is a change there.
    kind = type(instance)
    recent = _cache.recent_hooked
    if recent[2] is kind and recent[0] is cls and recent[4] is _cache.epoch:
        fast = recent[3].fast
    else:
        epoch = _cache.epoch  # before the lookup: a clear meanwhile leaves the entry unused
        try:
            table = recent[1] if recent[0] is cls else _hooked[identity(cls)]
            plan = table[hash(kind) if type(kind) is _HASHED else identity(kind)]
        except KeyError:
            return _instancecheck_miss(cls, instance)
        _cache.recent_hooked = (cls, table, kind, plan, epoch)
        fast = plan.fast
    # fast_verdict, inlined: this is the hot path of every isinstance.
    if fast is True:
        return True
    if fast is False:
        return False
    if type(fast) is tuple:
        namespace = fast[0](instance)
        if type(namespace) is dict and (not namespace or namespace.keys().isdisjoint(fast[1])):
            return True
        fast = fast[2]
    verdict = fast(instance)
    if verdict is None:
        return _instancecheck_full(cls, instance)
    return verdict is not False  # the plan's report, for a conforming instance


def _instancecheck_full(cls: type, instance: object) -> bool:
    return instance_report(plan_of(cls, type(instance)), instance).ok


def _instancecheck_miss(cls: type, instance: object) -> bool:
    if not _is_protocol_class(cls):
        return bool(_base_instancecheck(cls, instance))
    _require_runtime_checkable(cls)
    verdict = conforms_instance(cls, instance)
    table = _hooked.get(identity(cls))
    if table is not None:  # the recent table may be one clear_cache() dropped: take the current one
        _cache.recent_hooked = (cls, table, None, None, None)
    return verdict


def _nested_instancecheck(cls: type, instance: object, skipped: int = 0) -> bool:
    # isinstance() of a value the fast path vets (a member annotated with a package protocol),
    # called directly: no dispatch through isinstance, and the recent entry stays the enclosing
    # check's, where a nested isinstance would replace it on every call (see _cache.recent_hooked).
    # On the cycle stack, like a full report: a value met again further down is a cycle, assumed
    # to conform (not followed until the recursion limit); one judged in full earlier in the same
    # check is not judged again (see _cache.settled).  A value too deep to follow (`skipped`: the
    # levels the C hook followed above it; see _cache.enter), or one whose report says a value
    # below it was, fails the quick test: the full evaluation, which warns about it, takes over.
    kind = type(instance)
    try:
        plan = _hooked[identity(cls)][hash(kind) if type(kind) is _HASHED else identity(kind)]
    except KeyError:
        plan = plan_of(cls, kind)
    fast = plan.fast
    if fast is True or fast is False:
        return fast  # the class decides alone: nothing below to follow
    key = ("instance", plan.protocol_id, identity(instance))
    found = _cache.settled(key, instance)
    if found is not None:
        return found[0].ok and not found[1]
    depth = _cache.enter(key, skipped)
    if depth is None or depth == _cache.CUT:
        return depth is None
    report: Optional[ConformanceReport] = None
    cut_below = False
    try:
        verdict = fast_verdict(fast, instance)
        if verdict is not None:
            return verdict
        if not _cache.in_full(depth):
            _cache.cut()
            return False
        cuts = _cache.cuts()
        report = _evaluate(plan, instance)
        cut_below = _cache.cuts() != cuts
        return report.ok and not cut_below
    finally:
        if _cache.leave(depth) and report is not None:
            _cache.settle(key, instance, report, cut_below)


def _subclasscheck(cls: type, other: object) -> bool:
    """``issubclass(other, cls)`` for the package's metaclass: the engine's class-level check for protocols."""
    try:
        ok = _hooked[identity(cls)][hash(other) if type(other) is _HASHED else identity(other)].class_ok
    except KeyError:
        ok = None
    if ok is not None:
        return ok  # type: ignore[no-any-return]
    if not _is_protocol_class(cls):
        return bool(_base_subclasscheck(cls, other))
    if not is_class(other):
        raise TypeError("issubclass() arg 1 must be a class")
    _require_runtime_checkable(cls)
    return plan_of(cls, other).class_verdict(other).ok  # type: ignore[arg-type]  # other is a class


#: Set to a non-empty value, the engine installs :func:`_instancecheck` even where the C hook
#: was built (setup.py then builds none): the same verdicts, without the C code.
PURE_PYTHON_VARIABLE = "PARSL_EXECUTOR_PROTOCOL_PURE_PYTHON"


def _hook() -> Callable[[Any, Any], bool]:
    # The C hook (_speedups.c) is _instancecheck in C: a Python __instancecheck__ costs a bound
    # method and a frame before it does anything, 2-5x isinstance(x, object).
    if os.environ.get(PURE_PYTHON_VARIABLE):
        return _instancecheck
    try:
        from . import _speedups
    except ImportError:  # not built: no C compiler at install, or another interpreter
        return _instancecheck
    meta = type("ProbeMeta", (type,), {})
    probes = (object(), meta, meta("Probe", (), {}))
    if any(_speedups.identity(p) != (hash(p) if type(p) is _HASHED else identity(p)) for p in probes):
        return _instancecheck  # it would key the tables otherwise than the cache does
    return _speedups.Hook(_cache.__dict__, _instancecheck_miss, _instancecheck_full, native_program)


#: The ``isinstance`` hook installed: the C one when it was built, else :func:`_instancecheck`.
installed_instancecheck = _hook()
HOOK_IN_C = installed_instancecheck is not _instancecheck
#: ``(program, instance) -> report, False or None``: a plan's native program (:func:`native_program`)
#: applied in C, what ``check()`` uses once a class has been checked before; ``None`` without the C hook.
report_in_c: Optional[Callable[[Any, object], Any]] = getattr(installed_instancecheck, "report", None)
if HOOK_IN_C:
    from . import _speedups

    # Not built for free-threaded Python, where the memos' entries cannot be borrowed.
    if hasattr(_speedups, "known_members"):
        install_memo_reader(_speedups.known_members)
_meta.install_dispatch(installed_instancecheck, _subclasscheck)
_hints.install_protocol_check(_nested_instancecheck)
_cache.watch_mock_patches()
_cache.let_go_at_full_collections()
