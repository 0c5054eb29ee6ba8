"""The runtime engine: verdicts on executors of every shape, reports, caching, and isinstance/issubclass."""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import textwrap
import weakref
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest
import typing_extensions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsl_executor_protocol as pep
from parsl_executor_protocol import (
    ConformanceError,
    ConformanceReport,
    CurrentParslExecutorProtocol,
    ParslExecutorProtocol,
    Violation,
    ViolationKind,
    assert_conforms,
    check,
    clear_cache,
    conforms,
)
from parsl_executor_protocol.errors import NotAProtocolError, ParslExecutorProtocolError
from parsl_executor_protocol.protocols._meta import ContractMeta

from ._checking_cases import HITS, HOSTILE, STYLES, build, conforming_choices, kinds
from ._mypy import REPO
from .fixtures_abc2020 import Concrete2020Executor

# --- executors of every shape -----------------------------------------------------------------


def _assert_verdicts(choices: Dict[str, str], hostile: frozenset[str], future: bool) -> None:
    case = build(choices, hostile, future)
    instance = case.cls()
    HITS.count = 0
    instance_report, class_report = check(instance), check(case.cls)
    assert kinds(instance_report) == case.on_instance, case.source
    assert kinds(class_report) == case.on_class, case.source
    assert instance_report.warnings == class_report.warnings == ()
    assert isinstance(instance, ParslExecutorProtocol) is conforms(instance) is (not case.on_instance)
    assert issubclass(case.cls, ParslExecutorProtocol) is conforms(case.cls) is (not case.on_class)  # type: ignore[misc]
    assert HITS.count == 0, "checking ran code of the checked class"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choices=st.fixed_dictionaries({name: st.sampled_from(sorted(styles)) for name, styles in STYLES.items()}),
    hostile=st.frozensets(st.sampled_from(sorted(HOSTILE))),
    future=st.booleans(),
)
def test_generated_executors_get_exactly_their_violations(
    choices: Dict[str, str], hostile: frozenset[str], future: bool
) -> None:
    """Executors mixing every member shape get exactly the expected violations, and none of their code runs."""
    _assert_verdicts(choices, hostile, future)


def test_each_member_shape_alone() -> None:
    """Each member shape, in an otherwise plain executor, gets exactly its expected verdict (both annotation modes)."""
    for future in (False, True):
        for name, styles in STYLES.items():
            for style in styles:
                _assert_verdicts({**conforming_choices(), name: style}, frozenset(), future)


# --- reports --------------------------------------------------------------------------------------


class _Broken:
    label = 5

    def submit(self, func: Callable[..., Any], resource_specification: Dict[str, Any]) -> None:
        pass

    def start(self) -> None:
        pass

    shutdown = None

    @property
    def run_dir(self) -> str:
        return "."

    def scaling_enabled(self) -> bool:
        return False


def test_report_lists_every_violation_with_expected_and_found() -> None:
    """A report names each broken member once, with its kind, what was expected and what was found."""
    report = check(_Broken())
    assert not report.ok
    by_member = {v.member: v for v in report.violations}
    assert set(by_member) == {
        "label", "submit", "shutdown", "run_dir", "scaling_enabled", "scale_in", "scale_out", "status",
        "set_bad_state_and_fail_all", "bad_state_is_set", "executor_exception", "hub_address", "hub_port", "tasks",
    }
    assert by_member["label"].kind is ViolationKind.WRONG_ATTRIBUTE_TYPE
    assert by_member["label"].expected == "read-write attribute of type str"
    assert by_member["label"].found == "an int value in the class"
    assert by_member["submit"].kind is ViolationKind.INCOMPATIBLE_SIGNATURE
    assert by_member["submit"].expected == "method submit(func, *args, **kwargs)"
    assert by_member["submit"].found == "method submit(func, resource_specification)"
    assert "does not take *args" in by_member["submit"].message
    assert by_member["shutdown"].kind is ViolationKind.NOT_CALLABLE
    assert by_member["run_dir"].kind is ViolationKind.READ_ONLY
    assert by_member["scaling_enabled"].kind is ViolationKind.WRONG_KIND
    assert by_member["scaling_enabled"].found == "a method"
    assert by_member["tasks"].kind is ViolationKind.MISSING
    assert all(v.severity == "error" for v in report.violations)


def test_report_text_is_one_line_per_violation() -> None:
    """str(report) is a headline and one line per violation, each starting with the member's name."""
    report = check(_Broken())
    lines = str(report).splitlines()
    count = len(report.violations)
    assert lines[0] == f"instance of {__name__}._Broken does not conform to ParslExecutorProtocol ({count} violations):"
    assert [line.strip().split(":")[0] for line in lines[1:]] == [v.member for v in report.violations]
    assert str(check(Concrete2020Executor())) == (
        "instance of tests.fixtures_abc2020.Concrete2020Executor conforms to ParslExecutorProtocol"
    )


def test_report_json_round_trips() -> None:
    """to_json() holds the subject, the verdict and every violation's fields."""
    report = check(_Broken())
    document = json.loads(report.to_json())
    assert document["ok"] is False
    assert document["protocol"] == "ParslExecutorProtocol"
    assert document["subject"] == f"instance of {__name__}._Broken"
    assert [v["member"] for v in document["violations"]] == [v.member for v in report.violations]
    first = document["violations"][0]
    assert set(first) == {"member", "kind", "severity", "expected", "found", "message"}
    assert first == report.violations[0].to_dict()
    assert document["warnings"] == []


def test_assert_conforms_raises_conformance_error_with_the_whole_report() -> None:
    """assert_conforms raises a TypeError subclass whose message is the report; it passes silently otherwise."""
    with pytest.raises(ConformanceError) as raised:
        assert_conforms(_Broken())
    assert isinstance(raised.value, TypeError)
    assert isinstance(raised.value, ParslExecutorProtocolError)
    assert str(raised.value) == str(raised.value.report) == str(check(_Broken()))
    assert_conforms(Concrete2020Executor())
    assert_conforms(Concrete2020Executor)


def test_repeated_checks_of_a_conforming_instance_share_one_report() -> None:
    """check() on a conforming instance returns the class's shared, immutable report (the fast path)."""
    executor = Concrete2020Executor()
    assert check(executor) is check(executor) is check(Concrete2020Executor())


def test_violations_compare_by_value() -> None:
    """Two checks of the same broken object give equal violations."""
    assert check(_Broken()).violations == check(_Broken()).violations
    assert isinstance(check(_Broken()).violations[0], Violation)
    assert isinstance(check(_Broken()), ConformanceReport)


# --- isinstance / issubclass --------------------------------------------------------------------


def test_importing_the_package_does_not_import_the_engine() -> None:
    """`import parsl_executor_protocol` loads no engine module; the first isinstance on a protocol does."""
    code = textwrap.dedent(
        """
        import sys
        import parsl_executor_protocol as pep
        before = [m for m in sys.modules if m.startswith("parsl_executor_protocol.checking")]
        verdict = isinstance(object(), pep.ParslExecutorProtocol)
        after = "parsl_executor_protocol.checking._engine" in sys.modules
        print(before, verdict, after, "beartype" in sys.modules)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.split() == ["[]", "False", "True", "False"]


def test_issubclass_works_for_protocols_with_data_members() -> None:
    """issubclass on a protocol with data members answers instead of raising (typing raises TypeError)."""
    # mypy rejects these calls statically (data members): the type: ignore comments say so.
    assert issubclass(Concrete2020Executor, ParslExecutorProtocol)  # type: ignore[misc]
    assert not issubclass(int, ParslExecutorProtocol)  # type: ignore[misc]
    assert issubclass(Concrete2020Executor, pep.Labelled)  # type: ignore[misc]
    with pytest.raises(TypeError, match="issubclass\\(\\) arg 1 must be a class"):
        issubclass(Concrete2020Executor(), ParslExecutorProtocol)  # type: ignore[arg-type, misc]


def test_protocols_of_the_metaclass_go_through_the_engine() -> None:
    """A user protocol with the package's metaclass gets the engine: signatures count, not just names."""

    @typing_extensions.runtime_checkable
    class Greeter(typing_extensions.Protocol, metaclass=ContractMeta):
        name: str

        def greet(self, other: str) -> str: ...

    class Good:
        def __init__(self) -> None:
            self.name = "good"

        def greet(self, other: str) -> str:
            return other

    class WrongArity:
        name = "bad"

        def greet(self) -> str:
            return ""

    assert isinstance(Good(), Greeter)
    assert not isinstance(WrongArity(), Greeter)
    assert issubclass(Good, Greeter)  # type: ignore[misc]
    assert kinds(check(WrongArity(), Greeter)) == {"greet": "incompatible_signature"}

    class Implementation(Greeter):
        """Inherits from the protocol: a plain class, checked nominally by isinstance."""

        def __init__(self) -> None:
            self.name = "nominal"

        def greet(self, other: str) -> str:
            return other

    assert isinstance(Implementation(), Implementation)
    assert not isinstance(Good(), Implementation)


def test_isinstance_needs_runtime_checkable_but_check_does_not() -> None:
    """Like typing, isinstance rejects a protocol not marked @runtime_checkable; check() accepts any protocol."""

    class Sized(typing_extensions.Protocol, metaclass=ContractMeta):
        def size(self) -> int: ...

    class Box:
        def size(self) -> int:
            return 1

    with pytest.raises(TypeError, match="runtime_checkable"):
        isinstance(Box(), Sized)  # type: ignore[misc]
    assert check(Box(), Sized).ok

    class PlainProtocol(typing_extensions.Protocol):
        def size(self) -> int: ...

    assert check(Box(), PlainProtocol).ok
    assert not check(object(), PlainProtocol).ok


def test_check_rejects_what_is_not_a_protocol() -> None:
    """Checking against something other than a protocol class raises NotAProtocolError, naming it."""
    for not_a_protocol in (Concrete2020Executor, int, 42, None):
        with pytest.raises(NotAProtocolError, match="expected a protocol class"):
            check(Concrete2020Executor(), not_a_protocol)
    assert issubclass(NotAProtocolError, TypeError)


# --- the class-level rule for data members -----------------------------------------------------------


class _LabelledBase:
    label: str


class _ByAnnotation:
    label: str


class _ByBaseAnnotation(_LabelledBase):
    pass


class _ByClassAttribute:
    label = "x"


class _ByProperty:
    @property
    def label(self) -> str:
        return "x"

    @label.setter
    def label(self, value: str) -> None:
        pass


class _BySlot:
    __slots__ = ("label",)


class _ByAssignment:
    def __init__(self) -> None:
        self.label = "x"


class _ByAssignmentInBase(_ByAssignment):
    pass


class _Undeclared:
    def configure(self, other: Any) -> None:
        other.label = "x"  # assigns another object's attribute, not self's


@pytest.mark.parametrize(
    "cls",
    [_ByAnnotation, _ByBaseAnnotation, _ByClassAttribute, _ByProperty, _BySlot, _ByAssignment, _ByAssignmentInBase],
)
def test_class_level_check_accepts_each_declared_data_member(cls: type) -> None:
    """issubclass accepts a data member annotated, assigned, a property, a slot, or set as self.<name> in a method."""
    assert issubclass(cls, pep.Labelled)  # type: ignore[misc]
    assert check(cls, pep.Labelled).ok


def test_class_level_check_rejects_an_undeclared_data_member() -> None:
    """A class that never declares nor assigns self.label is not Labelled, at class level or as an instance."""
    assert not issubclass(_Undeclared, pep.Labelled)  # type: ignore[misc]
    assert kinds(check(_Undeclared, pep.Labelled)) == {"label": "missing"}
    assert not isinstance(_Undeclared(), pep.Labelled)


def test_instances_must_really_have_what_the_class_promises() -> None:
    """An annotation or an empty slot satisfies issubclass but not isinstance: the instance must hold a value."""
    assert not isinstance(_ByAnnotation(), pep.Labelled)
    assert not isinstance(_BySlot(), pep.Labelled)
    assert "only an annotation in _ByAnnotation" in check(_ByAnnotation(), pep.Labelled).violations[0].message
    assert check(_BySlot(), pep.Labelled).violations[0].found == "a slot that is not assigned"
    filled = _BySlot()
    setattr(filled, "label", "x")  # the slot is untyped on purpose
    assert isinstance(filled, pep.Labelled)


def test_class_level_annotation_types_are_compared() -> None:
    """A data member annotated with an incompatible type fails the class-level check."""

    class WrongAnnotation:
        label: int

    assert kinds(check(WrongAnnotation, pep.Labelled)) == {"label": "wrong_attribute_type"}


# --- instance facts are never stale ----------------------------------------------------------------


def test_instance_facts_are_read_on_every_check() -> None:
    """Deleting a data member or replacing a method with None on an instance shows at once, and so does undoing it."""
    executor = Concrete2020Executor()
    assert isinstance(executor, ParslExecutorProtocol)
    del executor.label
    assert not isinstance(executor, ParslExecutorProtocol)
    assert kinds(check(executor)) == {"label": "missing"}
    executor.label = "back"
    assert isinstance(executor, ParslExecutorProtocol)
    executor.shutdown = None  # type: ignore[assignment]
    assert not isinstance(executor, ParslExecutorProtocol)
    assert kinds(check(executor)) == {"shutdown": "not_callable"}
    del executor.shutdown
    assert isinstance(executor, ParslExecutorProtocol)
    executor.label = 5  # type: ignore[assignment]
    assert kinds(check(executor)) == {"label": "wrong_attribute_type"}
    assert isinstance(Concrete2020Executor(), ParslExecutorProtocol)


class _ClassLevel(Concrete2020Executor):
    """Every member at class level: nothing is required of an instance's own __dict__."""

    label = "class-level"

    def __init__(self) -> None:
        pass


def test_instance_facts_are_read_on_every_check_when_the_class_has_every_member() -> None:
    """An instance whose class has every member: its own __dict__ still decides, on every check."""
    executor = _ClassLevel()
    assert isinstance(executor, ParslExecutorProtocol)
    executor._private = 1  # type: ignore[attr-defined]  # a name of no member: still conforms
    assert isinstance(executor, ParslExecutorProtocol)
    executor.shutdown = None  # type: ignore[assignment]
    assert not isinstance(executor, ParslExecutorProtocol)
    assert kinds(check(executor)) == {"shutdown": "not_callable"}
    executor.shutdown = _ClassLevel().shutdown  # type: ignore[method-assign]  # a bound method that fits
    assert isinstance(executor, ParslExecutorProtocol)
    del executor.shutdown
    executor.label = 5  # type: ignore[assignment]
    assert not isinstance(executor, ParslExecutorProtocol)
    del executor.label
    assert isinstance(executor, ParslExecutorProtocol)
    assert check(_ClassLevel()).ok


_PROTOCOLS = [
    obj for name in pep.protocols.__all__
    if isinstance(obj := getattr(pep.protocols, name), type) and obj.__dict__.get("_is_protocol", False)
]


@st.composite
def _tampered_instances(draw: st.DrawFn) -> Any:
    """An instance of a generated implementation (conforming or with one defect) of any protocol, then tampered with."""
    from parsl_executor_protocol.strategies import build as build_spec
    from parsl_executor_protocol.strategies import implementation_specs, mutant_specs

    protocol = draw(st.sampled_from(_PROTOCOLS))
    spec = draw(st.one_of(implementation_specs(protocol), mutant_specs(protocol)))
    instance = build_spec(spec)()
    names = sorted({*pep.required_members(protocol), *pep.optional_members(protocol)})
    namespace = getattr(instance, "__dict__", None)
    if isinstance(namespace, dict):
        # What an instance's own __dict__ may do to a member: override it, or hold a stray name.
        for name in draw(st.lists(st.sampled_from(names), max_size=3)):
            namespace[name] = draw(st.sampled_from([None, "x", 0, {}, [], print]))
        if draw(st.booleans()):
            namespace["_private"] = 1
    return protocol, instance


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=_tampered_instances())
def test_the_quick_report_and_the_fast_verdict_agree_with_the_full_evaluation(case: Any) -> None:
    """check()'s quick answer is the plan's ok report exactly when the fast verdict says True.

    Whatever they answer, the report equals the full evaluation's.
    """
    from parsl_executor_protocol.checking._engine import fast_verdict, instance_report, plan_of

    protocol, instance = case
    report = check(instance, protocol)
    plan = plan_of(protocol, type(instance))
    verdict = fast_verdict(plan.fast, instance)
    quick = plan.quick  # None: the class alone decides that every instance conforms
    answer = plan.ok_report if quick is None else quick(instance)
    assert (answer is plan.ok_report) is (verdict is True)
    assert answer is plan.ok_report or answer is None or answer is False
    full = instance_report(plan, instance)
    assert (report.ok, report.violations) == (full.ok, full.violations)
    if verdict is not None:
        assert verdict is full.ok
    if getattr(protocol, "_is_runtime_protocol", False):
        assert isinstance(instance, protocol) is full.ok


def test_a_dropped_table_answers_nothing() -> None:
    """clear_cache() empties the verdict tables it drops: a hot path still holding one can only miss."""
    from parsl_executor_protocol.checking import _cache

    cls = _fresh_executor_class()
    assert isinstance(cls(), ParslExecutorProtocol)
    assert isinstance(cls(), ParslExecutorProtocol)
    assert check(cls()).ok
    held = (_cache.recent_hooked, _cache.recent_checked)
    assert [pair[0] for pair in held] == [ParslExecutorProtocol] * 2
    cls.start = None  # type: ignore[attr-defined]
    clear_cache()
    _cache.recent_hooked, _cache.recent_checked = held  # as a thread that read them before the clear
    assert not isinstance(cls(), ParslExecutorProtocol)
    assert kinds(check(cls())) == {"start": "not_callable"}
    assert [pair[1] for pair in held] == [{}, {}]
    assert _cache.recent_hooked[1] is not held[0][1]
    assert _cache.recent_checked[1] is not held[1][1]


def test_deleted_slot_shows_at_once() -> None:
    """A slot emptied with del after a positive check makes the next check fail."""
    instance = _BySlot()
    setattr(instance, "label", "x")
    assert isinstance(instance, pep.Labelled)
    delattr(instance, "label")
    assert not isinstance(instance, pep.Labelled)


# --- class verdicts are cached until clear_cache ---------------------------------------------------


def _fresh_executor_class() -> type:
    class Fresh(Concrete2020Executor):
        def scale_out(self, blocks: int) -> List[object]:
            return []

    return Fresh


def test_class_changes_are_seen_after_clear_cache() -> None:
    """A class changed after its first check keeps its cached verdict until clear_cache(cls) drops it."""
    cls = _fresh_executor_class()
    assert isinstance(cls(), ParslExecutorProtocol)
    del cls.scale_out  # type: ignore[attr-defined]
    cls.start = None  # type: ignore[attr-defined]
    assert isinstance(cls(), ParslExecutorProtocol)  # cached: the documented behaviour
    clear_cache(cls)
    assert not isinstance(cls(), ParslExecutorProtocol)
    assert kinds(check(cls())) == {"start": "not_callable"}  # scale_out still comes from the base class


def test_the_class_looked_up_last_answers_only_for_itself() -> None:
    """isinstance and check() remember the (protocol, class) they looked up last, never an instance's facts.

    Instances of a conforming and of a non-conforming class, checked in turn
    and repeatedly, each get their own class's verdict; an instance of the
    remembered class that lost a member on itself does not conform; a
    ``clear_cache(cls)`` is seen by the very next check.
    """
    def judged(obj: object) -> bool:
        return isinstance(obj, ParslExecutorProtocol)

    good, bad = _fresh_executor_class(), _fresh_executor_class()
    bad.start = None  # type: ignore[attr-defined]
    for _ in range(3):
        for cls, ok in ((good, True), (good, True), (bad, False), (bad, False), (good, True)):
            assert judged(cls()) is ok
            assert check(cls()).ok is ok
    instance = good()
    assert judged(instance)
    instance.submit = None
    assert not judged(instance)
    assert kinds(check(instance)) == {"submit": "not_callable"}
    assert judged(good())
    good.shutdown = None  # type: ignore[attr-defined]
    clear_cache(good)
    assert not judged(good())
    assert kinds(check(good())) == {"shutdown": "not_callable"}


def test_clear_cache_of_a_base_drops_its_subclasses_verdicts() -> None:
    """clear_cache(Base) also forgets the verdicts of classes inheriting from Base."""

    class Base:
        label = "base"

    class Child(Base):
        pass

    assert isinstance(Child(), pep.Labelled)
    del Base.label
    assert isinstance(Child(), pep.Labelled)
    clear_cache(Base)
    assert not isinstance(Child(), pep.Labelled)
    Base.label = "again"
    clear_cache()
    assert isinstance(Child(), pep.Labelled)


def test_verdicts_of_dead_classes_are_dropped() -> None:
    """A class that is garbage-collected leaves no cached verdict behind."""
    from parsl_executor_protocol._memo import identity
    from parsl_executor_protocol.checking import _cache

    def make() -> int:
        cls = _fresh_executor_class()
        assert isinstance(cls(), ParslExecutorProtocol)
        key = identity(cls)
        assert any(key in table for table in _cache.tables.values())
        return key

    key = make()
    gc.collect()
    assert all(key not in table for table in _cache.tables.values())


def _labelled_class(kind: str) -> type:
    # Classes whose instances are read through a descriptor of the class itself.
    if kind == "slots":

        class Slotted:
            __slots__ = ("label",)

            def __init__(self) -> None:
                self.label = "slotted"

        return Slotted

    class Plain:  # introduces its instances' __dict__
        def __init__(self) -> None:
            self.label = "plain"

    return Plain


@pytest.mark.parametrize("kind", ["plain", "slots"])
def test_a_class_its_verdicts_would_hold_is_collected_by_a_full_collection(kind: str) -> None:
    """Verdicts that hold their class through its own descriptor are dropped as a full collection begins."""
    from parsl_executor_protocol._memo import identity
    from parsl_executor_protocol.checking import _cache

    def checked() -> tuple[weakref.ref[type], int]:
        cls = _labelled_class(kind)
        assert isinstance(cls(), pep.Labelled)
        assert check(cls(), pep.Labelled).ok
        assert any(identity(cls) in table for table in _cache.tables.values())
        return weakref.ref(cls), identity(cls)

    ref, key = checked()
    gc.collect()
    assert ref() is None, "the cache kept the class alive"
    assert all(key not in table for table in _cache.tables.values())

    alive = _labelled_class(kind)  # a class still in use is judged again, alike
    instance = alive()
    assert isinstance(instance, pep.Labelled)
    gc.collect()
    assert all(identity(alive) not in table for table in _cache.tables.values())
    assert isinstance(instance, pep.Labelled)
    assert check(instance, pep.Labelled).ok
    del instance.label
    assert not isinstance(instance, pep.Labelled)


def test_verdicts_that_do_not_hold_their_class_outlive_a_full_collection() -> None:
    """A subclass of a class with a __dict__ is not held: its verdicts stay until it dies."""
    from parsl_executor_protocol._memo import identity
    from parsl_executor_protocol.checking import _cache

    cls = _fresh_executor_class()
    assert isinstance(cls(), ParslExecutorProtocol)
    gc.collect()
    assert identity(cls) in _cache.tables[identity(ParslExecutorProtocol)]


# --- optional members, builtins, parsl -----------------------------------------------------------------


def test_optional_members_may_be_absent_but_not_wrong() -> None:
    """storage_access may be missing; if present it must be None or a sequence of staging providers."""
    executor = Concrete2020Executor()
    assert check(executor).ok
    executor.storage_access = None  # type: ignore[attr-defined]
    assert check(executor).ok
    executor.storage_access = []  # type: ignore[attr-defined]
    assert check(executor).ok
    executor.storage_access = [object()]  # type: ignore[attr-defined]
    assert kinds(check(executor)) == {"storage_access": "optional_wrong_type"}
    assert "optional member present but wrong" in check(executor).violations[0].message


def test_builtins_without_signature_are_warnings_not_passes() -> None:
    """A builtin with no readable signature is reported as unverifiable (a warning); one with a signature is checked."""

    class WithBuiltins(Concrete2020Executor):
        shutdown = max  # type: ignore[assignment]
        status = dict.pop  # type: ignore[assignment]

    report = check(WithBuiltins())
    assert report.ok
    assert {(w.member, w.kind) for w in report.warnings} == {
        ("shutdown", ViolationKind.UNVERIFIABLE),
        ("status", ViolationKind.UNVERIFIABLE),
    }
    assert all(w.severity == "warning" for w in report.warnings)
    assert "the builtin 'max' has no readable signature" in str(report)
    assert "warning" in str(report)
    assert isinstance(WithBuiltins(), ParslExecutorProtocol)

    class WithLen(Concrete2020Executor):
        start = len  # type: ignore[assignment]  # len(obj, /) needs an argument start() is not given

    assert kinds(check(WithLen())) == {"start": "incompatible_signature"}


def test_decorated_methods_are_judged_by_what_they_wrap() -> None:
    """A functools.wraps wrapper is judged by the wrapped function's shape; __signature__ is honoured."""
    import functools
    import inspect

    def logged(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return func(*args, **kwargs)

        return wrapper

    class Decorated(Concrete2020Executor):
        @logged
        def scale_in(self, blocks: int) -> List[object]:
            return []

        @logged
        def scale_out(self) -> List[object]:  # the protocol passes blocks
            return []

    assert kinds(check(Decorated())) == {"scale_out": "incompatible_signature"}

    def start(self: Any, *args: Any) -> None: ...

    start.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
         inspect.Parameter("required", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    )

    class Signed(Concrete2020Executor):
        pass

    Signed.start = start  # type: ignore[method-assign]
    assert kinds(check(Signed())) == {"start": "incompatible_signature"}


def test_string_annotations_of_the_implementation_are_resolved_without_running_code() -> None:
    """A property annotated with an expression that would run code is reported unverifiable, and never evaluated."""
    calls: List[str] = []

    class Sneaky(Concrete2020Executor):
        @property
        def tasks(self) -> calls.append('evaluated') or dict:  # type: ignore[valid-type]
            return {}

    report = check(Sneaky())
    assert report.ok
    assert [w.member for w in report.warnings] == ["tasks"]
    assert calls == []


def test_one_annotation_text_is_judged_by_what_its_names_are_bound_to() -> None:
    """The same annotation text in new namespaces: alike where its names are bound alike, apart where not."""
    source = textwrap.dedent(
        """
        from __future__ import annotations

        class Executor(Base):
            @property
            def hub_address(self) -> Optional[str]:
                return None

            @hub_address.setter
            def hub_address(self, value) -> None:
                pass
        """
    )

    def executor(**names: Any) -> object:
        namespace: Dict[str, Any] = {"Base": Concrete2020Executor, "Optional": Optional, **names}
        exec(source, namespace)
        return namespace["Executor"]()

    assert check(executor()).ok
    assert check(executor()).ok  # a new namespace, the same bindings
    assert kinds(check(executor(str=bytes))) == {"hub_address": "wrong_attribute_type"}
    assert kinds(check(executor(Optional=List))) == {"hub_address": "wrong_attribute_type"}
    assert check(executor()).ok


@pytest.mark.parsl
def test_parsl_executors_conform_to_todays_contract() -> None:
    """Parsl's ThreadPoolExecutor and HighThroughputExecutor conform to today's contract, as instances and classes."""
    from parsl.executors import HighThroughputExecutor, ThreadPoolExecutor

    for factory in (ThreadPoolExecutor, HighThroughputExecutor):
        assert check(factory(), CurrentParslExecutorProtocol).ok
        assert check(factory, CurrentParslExecutorProtocol).ok
        assert issubclass(factory, CurrentParslExecutorProtocol)  # type: ignore[misc]
    assert check(HighThroughputExecutor(), pep.CurrentBlockProviderExecutorProtocol).ok


@pytest.mark.parsl
def test_parsl_executors_against_the_2020_contract_lack_exactly_the_removed_members() -> None:
    """Against the 2020 contract, parsl's executors miss exactly the members Parsl dropped or moved."""
    from parsl.executors import HighThroughputExecutor, ThreadPoolExecutor

    missing_in_both = {"hub_address", "hub_port", "scaling_enabled", "scale_out"}
    block_provider = {"bad_state_is_set", "executor_exception", "scale_in", "set_bad_state_and_fail_all", "status",
                      "tasks"}
    expected = {
        ThreadPoolExecutor: {**dict.fromkeys(missing_in_both | block_provider, "missing"),
                             "submit": "incompatible_signature"},
        HighThroughputExecutor: {**dict.fromkeys(missing_in_both, "missing"), "submit": "incompatible_signature"},
    }
    for factory, violations in expected.items():
        report = check(factory())
        assert kinds(report) == violations
        assert kinds(check(factory)) == violations
        submit = next(v for v in report.violations if v.member == "submit")
        assert "'resource_specification' is required" in submit.message


def test_current_contract_with_a_plain_executor() -> None:
    """An executor written for today's contract conforms to it; the optional provider must be typed right."""

    class Today:
        label = "today"
        run_dir = "."
        run_id: Optional[str] = None
        log_config: Any = None
        remote_monitoring_radio = None
        monitoring_messages: Any = None
        monitoring_receiver: Any = None

        def submit(self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any,
                   **kwargs: Any) -> Future[Any]:
            return Future()

        def start(self) -> None:
            pass

        def shutdown(self) -> None:
            pass

        def monitor_resources(self) -> bool:
            return False

    assert check(Today(), CurrentParslExecutorProtocol).ok
    assert isinstance(Today(), CurrentParslExecutorProtocol)

    class WithProviderMethod(Today):
        def provider(self) -> None:
            pass

    assert kinds(check(WithProviderMethod(), CurrentParslExecutorProtocol)) == {"provider": "optional_wrong_type"}


@pytest.mark.parametrize("name", ["submit", "shutdown", "start"])
def test_a_coroutine_function_where_a_plain_method_is_declared_is_a_violation(name: str) -> None:
    """`async def submit/shutdown/start`: calling them returns a coroutine, which no caller awaits."""
    namespace: Dict[str, Any] = {}
    exec(f"async def {name}(self, *args, **kwargs):\n    return None\n", namespace)
    cls = type(f"Async{name.title()}", (Concrete2020Executor,), {name: namespace[name]})
    for subject in (cls, cls()):
        report = check(subject, ParslExecutorProtocol)
        assert [(v.member, v.kind) for v in report.violations] == [(name, ViolationKind.INCOMPATIBLE_SIGNATURE)]
        assert "coroutine function (async def)" in report.violations[0].message
    assert not isinstance(cls(), ParslExecutorProtocol)
    assert not issubclass(cls, ParslExecutorProtocol)  # type: ignore[misc]  # the engine answers at runtime
    executor = Concrete2020Executor()
    setattr(executor, name, namespace[name].__get__(executor))  # an async bound method on the instance
    assert [v.member for v in check(executor).violations] == [name]


def _mock_patched_executor_class() -> type:
    return type("Patched", (Concrete2020Executor,), {})


@pytest.mark.parametrize("new", [None, 5, lambda: None], ids=["None", "number", "no-arguments"])
def test_mock_patching_a_class_is_seen_while_patched_and_after(new: Any) -> None:
    """unittest.mock.patch.object on an already-checked class (or its base) changes every verdict, then restores it."""
    from unittest import mock

    base = _mock_patched_executor_class()
    derived = type("Derived", (base,), {})
    for cls in (base, derived):
        assert isinstance(cls(), ParslExecutorProtocol)
        assert check(cls).ok
    with mock.patch.object(base, "submit", new):
        for cls in (base, derived):
            assert not isinstance(cls(), ParslExecutorProtocol)
            assert not conforms(cls())
            assert not check(cls).ok
            assert not issubclass(cls, ParslExecutorProtocol)  # type: ignore[misc]  # the engine answers at runtime
            assert [v.member for v in check(cls()).violations] == ["submit"]
    for cls in (base, derived):
        assert isinstance(cls(), ParslExecutorProtocol)
        assert check(cls).ok
        assert check(cls()).ok
    patcher = mock.patch.object(derived, "shutdown", new)
    patcher.start()
    try:
        assert not isinstance(derived(), ParslExecutorProtocol)
        assert isinstance(base(), ParslExecutorProtocol)
    finally:
        patcher.stop()
    assert isinstance(derived(), ParslExecutorProtocol)


def test_mock_patching_with_a_mock_keeps_a_class_conforming() -> None:
    """The default replacement, a MagicMock, accepts any call: the patched class still conforms."""
    from unittest import mock

    cls = _mock_patched_executor_class()
    assert isinstance(cls(), ParslExecutorProtocol)
    with mock.patch.object(cls, "submit") as submit:
        assert isinstance(cls(), ParslExecutorProtocol)
        assert check(cls).ok
    assert submit.mock_calls == []


@pytest.mark.timeout(60)
def test_mock_imported_after_the_first_check_is_hooked_too() -> None:
    """unittest.mock imported only after a verdict was cached still drops it when patching."""
    script = textwrap.dedent(
        """
        import sys
        from tests.fixtures_abc2020 import Concrete2020Executor
        from parsl_executor_protocol import ParslExecutorProtocol
        assert "unittest.mock" not in sys.modules
        C = type("C", (Concrete2020Executor,), {})
        assert isinstance(C(), ParslExecutorProtocol)
        from unittest import mock
        with mock.patch.object(C, "submit", None):
            assert not isinstance(C(), ParslExecutorProtocol)
        assert isinstance(C(), ParslExecutorProtocol)
        """
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=str(Path(__file__).resolve().parent.parent))


def test_classes_the_hot_paths_key_by_hash_are_keyed_by_their_identity() -> None:
    """``hash()`` keys a class in the hot paths only where it is the cache's identity key of that class."""
    from parsl_executor_protocol._memo import HASHED_AS_IDENTITY, identity

    class Plain:
        pass

    if HASHED_AS_IDENTITY is type:
        assert all(hash(cls) == identity(cls) for cls in (Plain, Concrete2020Executor, int, object))
    else:
        assert type(Plain) is not HASHED_AS_IDENTITY
    assert check(Concrete2020Executor()).ok
    assert isinstance(Concrete2020Executor(), ParslExecutorProtocol)


@typing_extensions.runtime_checkable
class _Greeter(typing_extensions.Protocol, metaclass=ContractMeta):
    @property
    def name(self) -> str: ...

    def greet(self, other: str) -> str: ...


def _compiled_anew(greet: str, name_type: type) -> type:
    """A class statement compiled in a fresh namespace: new code objects and new globals every time."""
    source = textwrap.dedent(
        f"""
        class Greeting:
            {greet}:
                return other

            @property
            def name(self) -> NameType:
                return "x"
        """
    )
    namespace: Dict[str, Any] = {"NameType": name_type}
    exec(compile(source, "<compiled anew>", "exec", dont_inherit=True), namespace)
    return namespace["Greeting"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("greet", "name_type", "expected"),
    [
        ("def greet(self, other)", str, {}),
        ("async def greet(self, other)", str, {"greet": "incompatible_signature"}),
        ("def greet(self)", str, {"greet": "incompatible_signature"}),
        ("def greet(self, another)", str, {}),  # a positional parameter's name is not compared
        ("def greet(self, other)", int, {"name": "wrong_attribute_type"}),
    ],
)
def test_classes_compiled_anew_share_only_verdicts_of_members_that_look_alike(
    greet: str, name_type: type, expected: Dict[str, str]
) -> None:
    """Verdicts are shared between new code objects and globals by what they look like, and nothing less."""
    # The conforming class first, compiled anew each time, so that every case follows a verdict to share.
    for _ in range(2):
        assert check(_compiled_anew("def greet(self, other)", str)(), _Greeter).ok
    for _ in range(2):
        assert kinds(check(_compiled_anew(greet, name_type)(), _Greeter)) == expected


def test_check_of_a_class_stays_class_level_after_isinstance_of_that_class() -> None:
    """isinstance(SomeClass, P) judges a class object as an instance of its metaclass; check() judges it as a class."""

    class Meta(type(Concrete2020Executor)):  # type: ignore[misc]
        pass

    class Executor2020(Concrete2020Executor, metaclass=Meta):
        pass

    for cls in (Concrete2020Executor, Executor2020):
        pep.clear_cache()
        assert check(cls).ok
        assert not isinstance(cls, ParslExecutorProtocol)  # the class object has no instance members
        assert check(cls).ok  # the metaclass's plan, now in the table, is not the class's verdict
        assert check(cls()).ok


def test_code_compiled_anew_again_and_again_shares_one_verdict_and_is_not_kept() -> None:
    """A method's verdict is remembered by its parameters: classes compiled anew share it; no code object is kept."""
    from parsl_executor_protocol.checking import _verdict

    pep.clear_cache()
    codes = []
    for _ in range(20):
        cls = _compiled_anew("def greet(self, other)", str)
        assert check(cls(), _Greeter).ok
        codes.append(weakref.ref(vars(cls)["greet"].__code__))
    verdicts = {id(entry[1]) for key, entry in list(_verdict._functions.items()) if entry[0].name == "greet"}
    assert len(verdicts) == 1
    assert not check(_compiled_anew("def greet(self)", str)(), _Greeter).ok  # other parameters: a verdict of their own
    del cls
    gc.collect()
    assert [ref for ref in codes if ref() is not None] == []
    pep.clear_cache()


def test_functions_sharing_code_with_keyword_defaults_of_a_dict_subclass_get_their_own_verdict() -> None:
    """Keyword defaults in a dict subclass (which __kwdefaults__ accepts) are part of the memo key."""

    @typing_extensions.runtime_checkable
    class Stops(typing_extensions.Protocol, metaclass=ContractMeta):
        def stop(self) -> None: ...

    class Defaults(dict):  # type: ignore[type-arg]
        pass

    def make() -> Any:
        def stop(self: object, *, now: bool) -> None: ...

        return stop

    required, defaulted = make(), make()
    assert required.__code__ is defaulted.__code__
    defaulted.__kwdefaults__ = Defaults(now=True)
    assert not check(type("Required", (), {"stop": required})(), Stops).ok
    assert check(type("Defaulted", (), {"stop": defaulted})(), Stops).ok
