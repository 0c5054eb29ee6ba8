"""The hypothesis strategies: generated implementations conform, mutants carry exactly their defect, executors work."""

from __future__ import annotations

import operator
import subprocess
import sys
import textwrap
import typing
from concurrent.futures import Future
from typing import Any, List, Optional

import pytest
from beartype.door import is_bearable
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typing_extensions import Protocol, runtime_checkable

import parsl_executor_protocol.protocols as protocols_pkg
from parsl_executor_protocol import (
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    HasStorageAccess,
    ParslExecutorProtocol,
    Scalable,
    SubmitsTasks,
    TracksTasks,
    check,
    conforms,
    with_optional,
)
from parsl_executor_protocol.errors import StrategyError
from parsl_executor_protocol.protocols._model import protocol_model
from parsl_executor_protocol.strategies import (
    DefectKind,
    ImplementationSpec,
    Mutant,
    build,
    implementation_specs,
    implementations,
    mutant_specs,
    mutants,
    render_source,
    spec_of,
    working_executors,
)
from parsl_executor_protocol.strategies._types import wrong_type

from ._mypy import REPO
from ._strategy_regressions import REGRESSIONS

#: Every protocol the package defines (contracts, roles and stand-ins).
PROTOCOLS: List[type] = [
    obj for name in protocols_pkg.__all__
    if isinstance(obj := getattr(protocols_pkg, name), type) and obj.__dict__.get("_is_protocol", False)
]
CONTRACTS = [ParslExecutorProtocol, CurrentParslExecutorProtocol, CurrentBlockProviderExecutorProtocol]

FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _violations(obj: Any, protocol: type) -> List[tuple[str, str]]:
    return sorted((v.member, v.kind.value) for v in check(obj, protocol).violations)


# --- a protocol of the user's, to show the strategies are generic -------------------------------------------


class HasColour(Protocol):
    @property
    def colour(self) -> str: ...


@with_optional(HasColour)
@runtime_checkable
class Widget(Protocol):
    """Keyword-only, positional-only and defaulted parameters, a static method, a settable property."""

    sides: int

    def area(self, scale: float, /, *, rounding: Optional[int] = None) -> float: ...

    def rename(self, new_name: str, *, notify: bool) -> None: ...

    @staticmethod
    def kind() -> str: ...

    @property
    def name(self) -> str: ...

    @name.setter
    def name(self, value: str) -> None: ...


ALL_PROTOCOLS = [*PROTOCOLS, Widget]


def _regression(class_name: str) -> type:
    """The class of the regression spec named ``class_name`` (see tests/_strategy_regressions.py)."""
    return build(next(spec for _, spec in REGRESSIONS if spec.class_name == class_name))


@pytest.mark.parametrize(("what", "spec"), REGRESSIONS, ids=[spec.class_name for _, spec in REGRESSIONS])
def test_regression_specs_get_their_verdict(what: str, spec: ImplementationSpec) -> None:
    """Each kept regression case gets exactly its expected verdict, as a class and as an instance."""
    expected = [] if spec.expected is None else [(spec.expected.member, spec.expected.kind)]
    cls = build(spec)
    assert _violations(cls, spec.protocol) == expected, what
    assert _violations(cls(), spec.protocol) == expected, what


# --- conforming implementations --------------------------------------------------------------------------------


@FAST
@given(st.sampled_from(ALL_PROTOCOLS).flatmap(implementation_specs))
def test_every_spec_builds_and_renders(spec: ImplementationSpec) -> None:
    """A spec builds a class (spec_of gives it back); its rendered source, with imports, runs to the same verdict."""
    cls = build(spec)
    assert spec_of(cls) is spec
    assert spec_of(cls()) is spec
    namespace: dict[str, Any] = {"__name__": "rendered"}
    exec(compile(render_source(spec), "<rendered>", "exec"), namespace)
    rendered = namespace[spec.class_name]
    assert _violations(rendered, spec.protocol) == _violations(cls, spec.protocol)


@FAST
@given(st.sampled_from(ALL_PROTOCOLS).flatmap(lambda p: st.tuples(st.just(p), implementations(p))))
@example(case=(HasStorageAccess, _regression("StorageAccessOnClass")))
@example(case=(SubmitsTasks, _regression("SubmitWithExtraKeywords")))
@example(case=(Scalable, _regression("ScaleInRenamedPositional")))
def test_engine_accepts_every_implementation_class(case: tuple[type, type]) -> None:
    """check() finds no violation in a generated conforming class, and conforms/issubclass agree."""
    protocol, cls = case
    assert _violations(cls, protocol) == []
    assert conforms(cls, protocol)
    if protocol is not Widget:
        assert issubclass(cls, protocol)


@FAST
@given(st.sampled_from(ALL_PROTOCOLS).flatmap(lambda p: st.tuples(st.just(p), implementations(p, as_instances=True))))
@example(case=(TracksTasks, _regression("TasksInInit")()))
@example(case=(TracksTasks, _regression("SlottedTasks")()))
def test_engine_accepts_every_implementation_instance(case: tuple[type, Any]) -> None:
    """check() finds no violation in an instance of a generated conforming class; conforms/isinstance agree."""
    protocol, obj = case
    assert _violations(obj, protocol) == []
    assert conforms(obj, protocol)
    if protocol is not Widget:
        assert isinstance(obj, protocol)


# --- mutants -----------------------------------------------------------------------------------------------------


def _mutant_cases(as_instances: bool) -> st.SearchStrategy[tuple[type, Mutant]]:
    return st.sampled_from(ALL_PROTOCOLS).flatmap(
        lambda p: st.tuples(st.just(p), mutants(p, as_instances=as_instances))
    )


@FAST
@given(_mutant_cases(as_instances=False))
@example(case=(Scalable, Mutant(_regression("ScaleInRenamedWithKwargs"), spec_of(_regression(
    "ScaleInRenamedWithKwargs")).expected)))  # type: ignore[arg-type]
def test_engine_reports_exactly_the_mutant_defect_on_classes(case: tuple[type, Mutant]) -> None:
    """A mutant class has exactly one violation: the expected member and kind; conforms/issubclass say no."""
    protocol, (cls, expected) = case
    assert _violations(cls, protocol) == [(expected.member, expected.kind)], render_source(spec_of(cls))
    assert not conforms(cls, protocol)
    if protocol is not Widget:
        assert not issubclass(cls, protocol)


@FAST
@given(_mutant_cases(as_instances=True))
def test_engine_reports_exactly_the_mutant_defect_on_instances(case: tuple[type, Mutant]) -> None:
    """An instance of a mutant has exactly the expected violation; conforms/isinstance say no."""
    protocol, (obj, expected) = case
    assert _violations(obj, protocol) == [(expected.member, expected.kind)], render_source(spec_of(obj))
    assert not conforms(obj, protocol)
    if protocol is not Widget:
        assert not isinstance(obj, protocol)


@FAST
@given(st.sampled_from(PROTOCOLS).flatmap(lambda p: st.one_of(implementations(p, as_instances=True), mutants(
    p, as_instances=True).map(operator.itemgetter(0)))), st.sampled_from(PROTOCOLS))
def test_isinstance_conforms_and_check_agree_on_any_protocol(obj: Any, protocol: type) -> None:
    """For any generated object and any package protocol, isinstance, conforms and check().ok give one verdict."""
    report = check(obj, protocol)
    assert isinstance(obj, protocol) == conforms(obj, protocol) == report.ok
    assert issubclass(type(obj), protocol) == conforms(type(obj), protocol) == check(type(obj), protocol).ok


def _admissible_kinds(protocol: type) -> set[str]:
    model = protocol_model(protocol)
    kinds = {DefectKind.MISSING} if model.required else set()
    if any(m.kind == "method" and not m.optional for m in model.members):
        kinds |= {DefectKind.INCOMPATIBLE_SIGNATURE, DefectKind.NOT_CALLABLE}
    if any(m.settable and not m.optional for m in model.members):
        kinds.add(DefectKind.READ_ONLY)
    if any(m.optional and wrong_type(m.type) is not None for m in model.members):
        kinds.add(DefectKind.OPTIONAL_WRONG_TYPE)
    if any(m.kind != "method" and not m.optional and wrong_type(m.type) is not None for m in model.members):
        kinds.add(DefectKind.WRONG_TYPE)
    return kinds


@pytest.mark.parametrize("protocol", ALL_PROTOCOLS, ids=lambda p: p.__name__)
def test_mutants_of_each_admissible_kind_are_drawn(protocol: type) -> None:
    """For every defect kind a protocol's members admit, mutants(kinds=[kind]) draws that kind only."""
    for kind in sorted(_admissible_kinds(protocol)):
        seen: set[str] = set()

        @settings(max_examples=3, deadline=None, database=None)
        @given(mutant_specs(protocol, kinds=[kind]))
        def collect(spec: ImplementationSpec) -> None:
            assert spec.expected is not None
            seen.add(spec.expected.kind)

        collect()
        assert seen == {kind}, protocol


def test_a_defect_kind_the_protocol_cannot_have_is_refused() -> None:
    """Asking for read-only mutants of a protocol without settable members raises StrategyError naming the kinds."""

    with pytest.raises(StrategyError, match=r"SubmitsTasks admits no defect of kinds \['read_only'\]; it admits"):
        mutant_specs(protocols_pkg.SubmitsTasks, kinds=[DefectKind.READ_ONLY])


# --- working executors -------------------------------------------------------------------------------------------


def _submit(executor: Any, protocol: type, func: Any, *args: Any, **kwargs: Any) -> Future[Any]:
    if protocol is ParslExecutorProtocol:
        return executor.submit(func, *args, **kwargs)  # type: ignore[no-any-return]
    return executor.submit(func, {}, *args, **kwargs)  # type: ignore[no-any-return]


def _scale_out(executor: Any, n: int) -> List[Any]:
    method = getattr(executor, "scale_out", None) or executor.scale_out_facade
    return list(method(n))


@FAST
@given(st.sampled_from(CONTRACTS).flatmap(lambda p: st.tuples(st.just(p), working_executors(p))))
def test_generated_executors_work(case: tuple[type, Any]) -> None:
    """Generated executors run tasks, keep their futures, scale, report status, and fail everything once bad."""
    protocol, executor = case
    executor.start()
    assert _submit(executor, protocol, operator.add, 2, 3).result(timeout=5) == 5
    assert _submit(executor, protocol, dict, a=1).result(timeout=5) == {"a": 1}
    failing = _submit(executor, protocol, operator.truediv, 1, 0)
    assert isinstance(failing.exception(timeout=5), ZeroDivisionError)
    if hasattr(executor, "tasks"):
        assert failing in executor.tasks.values()
        assert len(executor.tasks) == 3
    if hasattr(executor, "status"):
        added = _scale_out(executor, 2)
        assert len(added) == 2
        assert set(executor.status()) == set(added)
        removed = executor.scale_in(1)
        assert len(removed) == 1
        assert set(executor.status()) == set(added) - set(removed)
    if hasattr(executor, "set_bad_state_and_fail_all"):
        assert not executor.bad_state_is_set
        boom = RuntimeError("boom")
        executor.set_bad_state_and_fail_all(boom)
        assert executor.bad_state_is_set
        assert executor.executor_exception is boom
        assert _submit(executor, protocol, operator.add, 1, 1).exception(timeout=5) is boom
    executor.shutdown()


@pytest.mark.filterwarnings("ignore::beartype.roar.BeartypeDecorHintPep585DeprecationWarning")
@FAST
@given(st.sampled_from(PROTOCOLS).flatmap(lambda p: st.tuples(st.just(p), working_executors(p))))
def test_generated_members_return_values_of_their_annotated_types(case: tuple[type, Any]) -> None:
    """Every data member, property and parameterless method of a generated object gives a value of its type."""
    protocol, obj = case
    for member in protocol_model(protocol).members:
        if not hasattr(type(obj), member.name) and member.name not in getattr(obj, "__dict__", {}) and member.optional:
            continue
        if member.kind == "method":
            if any(p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in member.params):
                continue
            value = getattr(obj, member.name)()
        else:
            value = getattr(obj, member.name)
        assert is_bearable(value, member.type), (member.name, value, member.type)


def test_working_executors_default_to_the_2020_contract() -> None:
    """working_executors() with no protocol draws ParslExecutorProtocol implementations."""

    @settings(max_examples=5, deadline=None, database=None)
    @given(working_executors())
    def run(executor: Any) -> None:
        assert isinstance(executor, ParslExecutorProtocol)
        assert executor.submit(len, "abc").result(timeout=5) == 3

    run()


def test_from_type_needs_no_import_of_the_strategies() -> None:
    """In a fresh interpreter, st.from_type(ParslExecutorProtocol) draws working executors via the entry point."""
    code = textwrap.dedent(
        """
        import sys
        from hypothesis import given, settings, strategies as st
        from parsl_executor_protocol import CurrentParslExecutorProtocol, ParslExecutorProtocol, Scalable
        assert "parsl_executor_protocol.strategies" not in sys.modules
        results = []

        @settings(max_examples=10, deadline=None, database=None)
        @given(st.from_type(ParslExecutorProtocol), st.from_type(CurrentParslExecutorProtocol),
               st.from_type(Scalable))
        def run(old, new, scalable):
            results.append(old.submit(pow, 2, 10).result(timeout=5))
            results.append(new.submit(pow, {}, 3, 2).result(timeout=5))
            assert len(scalable.scale_out(3)) == 3

        run()
        print(sorted(set(results)))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[9, 1024]"


def test_hypothesis_hook_imports_nothing_heavy() -> None:
    """Importing hypothesis runs the hook, which loads neither the strategies module nor mypy, beartype or parsl."""
    code = "import sys, hypothesis; print(sorted(m for m in ('parsl_executor_protocol.strategies', 'mypy', " \
           "'beartype', 'parsl', 'parsl_executor_protocol._hypothesis_hook') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert out.stdout.strip() == "['parsl_executor_protocol._hypothesis_hook']", out.stderr


def test_missing_hypothesis_says_what_to_install() -> None:
    """Without hypothesis, importing the strategies raises MissingExtraError (an ImportError) naming the pip install."""
    code = "import sys; sys.modules['hypothesis'] = None\nimport parsl_executor_protocol.strategies"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, check=False
    )
    assert out.returncode != 0
    assert "MissingExtraError" in out.stderr  # an ImportError subclass
    assert "pip install" in out.stderr
    assert "hypothesis" in out.stderr


# --- bad input ---------------------------------------------------------------------------------------------------


def test_a_class_that_is_not_a_protocol_is_refused() -> None:
    """Asking for implementations of a plain class raises StrategyError naming it."""
    with pytest.raises(StrategyError, match=r"int.*not a protocol"):
        implementations(int)


def test_an_unresolvable_annotation_is_named() -> None:
    """A protocol annotation that cannot be evaluated raises StrategyError naming the member and the text."""

    class Broken(Protocol):
        def go(self) -> NoSuchType: ...  # type: ignore[name-defined]  # noqa: F821

    with pytest.raises(StrategyError, match=r"Broken\.go.*NoSuchType"):
        implementation_specs(Broken)


def test_spec_of_a_foreign_class_is_refused() -> None:
    """spec_of() of a class the strategies did not build raises StrategyError."""
    with pytest.raises(StrategyError, match="not generated"):
        spec_of(int)


# --- differential: typing's own isinstance (presence only) --------------------------------------------------------


def _plain_protocol(protocol: type) -> type:
    """A plain runtime-checkable typing.Protocol with the same required member names."""
    model = protocol_model(protocol)
    namespace: dict[str, Any] = {"__annotations__": {}}
    for member in model.required:
        if member.kind == "method":
            namespace[member.name] = lambda self, *args, **kwargs: None
        elif member.kind == "property":
            namespace[member.name] = property(lambda self: None)
        else:
            namespace["__annotations__"][member.name] = Any
    plain = type(f"Plain{protocol.__name__}", (typing.Protocol,), namespace)
    return typing.runtime_checkable(plain)


@pytest.mark.skipif(
    sys.version_info < (3, 12), reason="typing's isinstance runs property getters before 3.12 (CPython #103034)"
)
@FAST
@given(
    st.sampled_from(PROTOCOLS).flatmap(
        lambda p: st.tuples(
            st.just(p),
            st.one_of(
                implementations(p, as_instances=True),
                mutants(p, as_instances=True, kinds=[DefectKind.MISSING]).map(operator.itemgetter(0)),
            ),
        )
    )
)
def test_presence_verdicts_match_typing_isinstance(case: tuple[type, Any]) -> None:
    """For complete objects and objects missing one member, the engine agrees with typing's isinstance."""
    protocol, obj = case
    assert isinstance(obj, _plain_protocol(protocol)) == conforms(obj, protocol)

