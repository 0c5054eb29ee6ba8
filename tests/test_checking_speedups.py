"""The C isinstance hook: built where it can be, the same verdicts as the Python hook, no leaks.

The rest of the suite checks verdicts through whichever hook is installed (the C one
wherever it was built); ``make test`` also runs the checking tests with
``PARSL_EXECUTOR_PROTOCOL_PURE_PYTHON`` set, through the Python hook.
"""

from __future__ import annotations

import gc
import os
import platform
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import weakref
from concurrent.futures import Future
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union, cast

import pytest
import typing_extensions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsl_executor_protocol as pep
from parsl_executor_protocol import ParslExecutorProtocol, check, clear_cache
from parsl_executor_protocol.checking import _cache, _engine
from parsl_executor_protocol.checking._verdict import ABSENT, ANNOTATION
from parsl_executor_protocol.protocols._meta import ContractMeta
from parsl_executor_protocol.strategies import implementations, mutants

from ._checking_cases import HITS, HOSTILE, all_styles_once, build, conforming_choices
from .test_checking_containers import _has_value, _holder

PURE = bool(os.environ.get(_engine.PURE_PYTHON_VARIABLE))
needs_c_hook = pytest.mark.skipif(not _engine.HOOK_IN_C, reason="the C hook is not installed")


def _can_build() -> bool:
    compiler = (sysconfig.get_config_var("CC") or "").split()
    return (
        platform.python_implementation() == "CPython"
        and not sysconfig.get_config_var("Py_GIL_DISABLED")
        and bool(compiler)
        and shutil.which(compiler[0]) is not None
        and os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h"))
    )


def test_the_c_hook_is_installed_wherever_it_can_be_built() -> None:
    installed = ContractMeta.__dict__["__instancecheck__"]
    assert installed is _engine.installed_instancecheck
    if PURE:
        assert installed is _engine._instancecheck
    elif _can_build():
        assert _engine.HOOK_IN_C, "a C compiler and Python.h are here, but the C hook was not built or not installed"
    else:
        pytest.skip("no C compiler or no Python.h: the pure-Python hook is the one to have")


def test_the_pure_python_variable_installs_the_python_hook() -> None:
    script = textwrap.dedent(
        """
        from parsl_executor_protocol import HasLifecycle
        from parsl_executor_protocol.checking import _engine
        from parsl_executor_protocol.protocols._meta import ContractMeta

        class Lifecycle:
            def start(self): ...
            def shutdown(self): ...

        assert isinstance(Lifecycle(), HasLifecycle) and not isinstance(3, HasLifecycle)
        assert ContractMeta.__dict__["__instancecheck__"] is _engine._instancecheck
        print(_engine.HOOK_IN_C)
        """
    )
    env = {**os.environ, _engine.PURE_PYTHON_VARIABLE: "1"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@needs_c_hook
def test_the_c_hook_hands_nested_values_to_python_before_the_nesting_limit() -> None:
    """Values nested deeper than the C hook follows go to the Python check, which alone applies the limit."""
    from parsl_executor_protocol.checking import _speedups

    assert 0 < _speedups.NATIVE_DEPTH < _cache.NESTING_LIMIT


def _instances() -> Iterator[Tuple[str, object]]:
    """Executors of every member style, hostile ones too, and each with every member shadowed by ``None``."""
    for name, style in all_styles_once():
        for hostile in (frozenset(), frozenset(HOSTILE) - {"metaclass"}):
            case = build({**conforming_choices(), name: style}, hostile)
            instance = case.cls()
            yield f"{name}={style} hostile={sorted(hostile)}", instance
            for member in ("submit", "label", "tasks", "run_dir"):
                shadowed = case.cls()
                namespace = getattr(shadowed, "__dict__", None)  # __getattribute__ may be hostile: HITS reset later
                if type(namespace) is not dict:
                    break
                namespace[member] = None  # past any property
                yield f"{name}={style} hostile={sorted(hostile)} {member}=None", shadowed


def _protocols() -> List[Any]:
    return [value for value in map(vars(pep).get, pep.__all__) if isinstance(value, ContractMeta)]


@needs_c_hook
def test_the_c_hook_and_the_python_hook_agree() -> None:
    c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck
    subjects: List[Tuple[str, object]] = [*_instances(), ("int", 3), ("object", object()), ("None", None)]
    protocols = _protocols()
    HITS.count = 0
    compared = 0
    for round_ in range(2):  # the first round fills the cache, the second answers from it
        for label, instance in subjects:
            for protocol in protocols if label in ("int", "object", "None") else [ParslExecutorProtocol]:
                # In both orders, so that each finds the recent entry the other left.
                first, second = (c_hook, python_hook) if round_ else (python_hook, c_hook)
                a, b, again = first(protocol, instance), second(protocol, instance), first(protocol, instance)
                assert type(a) is type(b) is bool
                assert a == b == again, (label, protocol)
                compared += 1
    assert compared > 200
    assert HITS.count == 0, "a hook ran code of the checked class"


def _said(report: Any) -> Tuple[Any, ...]:
    return (report.ok, report.subject, report.protocol, tuple(map(repr, report.violations)), report.warnings)


@needs_c_hook
def test_a_repeated_check_says_what_the_first_said() -> None:
    """From the second ``check()`` of a class on, its instances are tested in C (``Hook.report``): the same reports."""
    subjects: List[Tuple[str, object]] = [*_instances(), ("int", 3), ("object", object())]
    conforming = build(conforming_choices()).cls
    assert isinstance(conforming, ParslExecutorProtocol) is False  # a plan of the metaclass, of classes
    subjects.append(("a class", conforming))
    HITS.count = 0
    in_c = 0
    for label, subject in subjects:
        first = check(subject)  # a new plan: its Python quick report
        later = [check(subject) for _ in range(3)]
        assert [_said(report) for report in later] == [_said(first)] * 3, label
        plan = _engine.plan_of(ParslExecutorProtocol, type(subject))
        in_c += type(plan.native) is tuple and plan.quick is not None and not plan.of_classes
    assert in_c > len(subjects) // 2, "check() did not run the tests in C"
    assert HITS.count == 0, "check() ran code of the checked class"


#: Values an instance's own member may be overwritten with: of accepted types and not, containers
#: whose first item passes the member's quick test and not, a value no annotation accepts.
_VALUES = st.one_of(
    st.sampled_from([None, 0, 1.5, "label", b"x", True, {}, {"key": 1}, {1: "x"}, [], [1], object(), print]),
    st.builds(lambda: {1: Future()}),
    st.builds(lambda: [Future()]),
    implementations(pep.JobStateLike, as_instances=True),
    implementations(pep.JobStatusLike, as_instances=True),
    implementations(pep.JobStatusLike, as_instances=True).map(lambda status: {"block": status}),
    implementations(pep.StagingProvider, as_instances=True).map(lambda provider: [provider]),
)


def _drawn(data: st.DataObject, as_instances: bool) -> Tuple[Any, Any]:
    """A protocol of the package, and a conforming implementation of it or one with a defect."""
    protocol = data.draw(st.sampled_from(_protocols()), label="protocol")
    drawn = implementations(protocol, as_instances=as_instances)
    broken = mutants(protocol, as_instances=as_instances).map(lambda mutant: mutant[0])
    return protocol, data.draw(st.one_of(drawn, broken), label="instance" if as_instances else "class")


@needs_c_hook
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_hooks_agree_on_drawn_implementations_of_every_protocol(data: st.DataObject) -> None:
    protocol, instance = _drawn(data, as_instances=True)
    c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck
    namespace = getattr(instance, "__dict__", None)
    names = sorted(set(dir(type(instance))) | set(namespace or ()))
    for _ in range(data.draw(st.integers(0, 3), label="changes")):
        assert c_hook(protocol, instance) == python_hook(protocol, instance) == c_hook(protocol, instance)
        if type(namespace) is not dict:
            break
        name = data.draw(st.sampled_from([n for n in names if not n.startswith("__")] or ["label"]), label="member")
        namespace[name] = data.draw(_VALUES, label="value")  # past any property
    assert c_hook(protocol, instance) == python_hook(protocol, instance) == c_hook(protocol, instance)
    for name in list(namespace or ())[:2]:
        del namespace[name]  # type: ignore[union-attr]  # namespace is the dict here
        assert c_hook(protocol, instance) == python_hook(protocol, instance)


def _vetted_protocols() -> List[Any]:
    """The protocols with a member whose values a type alone does not settle (containers, protocols)."""
    found = []
    for protocol in _protocols():
        plan = _engine.plan_of(protocol, object)
        if any(m.vet is not None for m in plan.members) or protocol is pep.JobStatusLike:
            found.append(protocol)
    return found


_CONTAINERS = st.one_of(
    st.sampled_from([{}, [], {"key": 1}, {1: "x"}, [1], ["x"], {1: None}, [None]]),
    st.builds(lambda: {1: Future()}),
    st.builds(lambda: {"key": Future()}),
    st.builds(lambda: [Future()]),
    implementations(pep.JobStateLike, as_instances=True),
    implementations(pep.JobStatusLike, as_instances=True),
    implementations(pep.JobStatusLike, as_instances=True).map(lambda status: {"block": status}),
    implementations(pep.JobStatusLike, as_instances=True).map(lambda status: {1: status}),
    implementations(pep.StagingProvider, as_instances=True).map(lambda provider: [provider]),
    implementations(pep.StagingProvider, as_instances=True).map(lambda provider: (provider,)),
)


_IN_DICT = (ABSENT, ANNOTATION)


@needs_c_hook
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_hooks_agree_on_container_and_protocol_values(data: st.DataObject) -> None:
    protocol = data.draw(st.sampled_from(_vetted_protocols()), label="protocol")
    instance = data.draw(implementations(protocol, as_instances=True, slots=False), label="instance")
    namespace = vars(instance)
    # The members whose values the __dict__ gives (a property's stays the property's).
    members = _engine.plan_of(protocol, type(instance)).members
    vetted = sorted(m.wanted.name for m in members if m.vet is not None and (m.shadowable or m.entry in _IN_DICT))
    if not vetted:
        return
    for name in data.draw(st.lists(st.sampled_from(vetted), min_size=1, max_size=3), label="members"):
        namespace[name] = data.draw(_CONTAINERS, label=name)  # past any property
        c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck
        assert c_hook(protocol, instance) == python_hook(protocol, instance) == c_hook(protocol, instance)


_HINTS = [
    Mapping[str, int],
    Dict[str, pep.JobStatusLike],
    Mapping[Any, Future[Any]],
    Sequence[pep.JobStatusLike],
    List[int],
    Optional[Mapping[str, int]],
    Union[List[int], Dict[str, int]],
    pep.JobStatusLike,
    Optional[pep.JobStatusLike],
]


@needs_c_hook
@pytest.mark.parametrize("placement", ["set in __init__", "class default overridden", "slot"])
@pytest.mark.parametrize("hint", _HINTS, ids=repr)
def test_the_hooks_agree_on_the_quick_tests_of_every_kind(placement: str, hint: Any) -> None:
    protocol = _has_value(hint)
    from parsl.jobs.states import JobState, JobStatus

    status, future = JobStatus(JobState.RUNNING), Future()  # type: ignore[var-annotated]
    values = [{}, {1: 1}, {"a": 1}, {"a": "x"}, [], [1], ["x"], (1,), None, 3, {"a": future}, {1: future},
              [future], status, {"a": status}, {1: status}, [status], {"a": None}]
    c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck
    verdicts = []
    for value in values:
        holder = _holder(placement, value)
        verdicts.append(python_hook(protocol, holder))
        assert c_hook(protocol, holder) == verdicts[-1], (hint, value)
    assert True in verdicts, hint  # the values tell the hint's types apart
    assert False in verdicts, hint


@needs_c_hook
def test_a_protocol_typed_value_is_judged_anew_when_its_class_or_its_verdict_changes() -> None:
    """The hook's memo of the last plan applied to a protocol-typed value (``JobStatusLike.state``) is never stale."""

    class State:
        name = "RUNNING"
        value = 2

    class Other(State):  # read through the same descriptors as State, and no JobStateLike
        value = "two"  # type: ignore[assignment]

    class Status:
        terminal = False
        status_name = "RUNNING"

        def __init__(self) -> None:
            self.state: object = State()
            self.message = None

    status = Status()
    c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck

    def verdicts() -> Tuple[bool, ...]:
        return tuple(hook(pep.JobStatusLike, status) for hook in (c_hook, python_hook, c_hook))

    assert verdicts() == (True, True, True)
    del State.value
    clear_cache(State)  # as the documentation asks after a change to a class
    assert verdicts() == (False, False, False)
    State.value = 3
    clear_cache(State)
    assert verdicts() == (True, True, True)
    status.state = Other()
    assert verdicts() == (False, False, False)
    status.state = State()
    assert verdicts() == (True, True, True)
    clear_cache()
    assert verdicts() == (True, True, True)


@needs_c_hook
def test_the_hook_bound_to_a_protocol_is_kept_and_keeps_no_protocol_alive() -> None:
    """``isinstance`` finds the hook already bound to the protocol; a protocol that dies is not kept, nor mistaken."""

    class Lifecycle:
        def start(self) -> None: ...

        def shutdown(self) -> None: ...

    bound = pep.HasLifecycle.__instancecheck__
    assert bound is pep.HasLifecycle.__instancecheck__, "bound anew on every lookup"
    assert bound(Lifecycle()) is True
    assert bound(3) is False
    with pytest.raises(TypeError, match="takes one instance"):
        cast(Any, bound)()

    addresses: Dict[int, int] = {}
    for index in range(300):
        # A protocol of its own each time, collected before the next: its address comes round
        # again, and the hook bound to the dead one must not answer for the new one.
        name = f"member_{index}"
        Mine: Any = typing_extensions.runtime_checkable(
            ContractMeta(
                f"Mine{index}", (typing_extensions.Protocol,), {"__annotations__": {name: int}, "__module__": __name__}
            )
        )
        holder = type(f"Holder{index}", (), {name: index})()
        addresses[id(Mine)] = addresses.get(id(Mine), 0) + 1
        assert isinstance(holder, Mine)
        assert not isinstance(Lifecycle(), Mine)
        kept, gone = Mine.__instancecheck__, weakref.ref(Mine)
        clear_cache()  # the engine keeps the model of a protocol it has used until then
        del Mine, holder
        gc.collect()
        assert gone() is None, "the hook bound to a protocol keeps it alive"
        with pytest.raises(ReferenceError, match="no longer exists"):
            kept(Lifecycle())
        del kept
    assert max(addresses.values()) > 1, "no address came round again: the test proves nothing here"


class _Payload:
    pass


class _Other:
    pass


@typing_extensions.runtime_checkable
class _Record(typing_extensions.Protocol, metaclass=ContractMeta):
    """Members of every kind the hook's one-pass read tests: types, a class, a vetted container, a wide union."""

    label: str
    count: int
    payload: _Payload
    tags: Dict[str, int]
    note: Union[int, float, str, bytes, bool, complex, None]

    def describe(self) -> str: ...


class _Recorded:
    """A conforming record whose members are set in ``__init__``, in the order given."""

    def __init__(self, order: Sequence[str] = ("label", "count", "payload", "tags", "note")) -> None:
        values = {"label": "x", "count": 1, "payload": _Payload(), "tags": {"a": 1}, "note": 2.5}
        for name in order:
            setattr(self, name, values[name])

    def describe(self) -> str:
        return "record"


class _Lookalike:
    """A record's members, set in another order: the members named ``count`` and ``label`` hold each other's values."""

    def __init__(self) -> None:
        self.count = "x"
        self.label = 1
        self.payload, self.tags, self.note = _Payload(), {"a": 1}, None

    def describe(self) -> str:
        return "lookalike"


#: A split __dict__ (an instance's, its keys shared with its class) is read in place from 3.11 on.
_IN_PLACE = (3, 11) <= sys.version_info[:2] <= (3, 13)


def _known(protocol: Any, cls: type) -> Tuple[List[Any], List[int]]:
    """What the C extension reads from the member memos for ``cls``, as evaluate_members asks it."""
    from parsl_executor_protocol.checking import _speedups, _verdict
    from parsl_executor_protocol.protocols._introspect import ClassView

    view = ClassView(cls)
    model = _engine.model_of(protocol)
    return _speedups.known_members(
        model.member_facts, view.merged, view.fallback, _verdict._functions, _verdict._raw_memo, _verdict._NO_ANNOTATION
    )


def _judged(protocol: Any, cls: type) -> List[Any]:
    """What member_of, the Python reading of the same memos, gives for each member of ``protocol``."""
    from parsl_executor_protocol.checking._verdict import member_of
    from parsl_executor_protocol.protocols._introspect import ClassView

    view = ClassView(cls)
    model = _engine.model_of(protocol)
    return [member_of(w, i, view) for w, i in zip(model.members, model.member_ids, strict=True)]


def _agree(protocol: Any, cls: type) -> List[int]:
    """Assert that each member the C reading answers for is the one member_of gives; the places left to it."""
    found, holes = _known(protocol, cls)
    judged = _judged(protocol, cls)
    names = [m.name for m in _engine.model_of(protocol).members]
    assert len(found) == len(judged)
    for place, (member, expected) in enumerate(zip(found, judged, strict=True)):
        if place in holes:
            assert member is None, names[place]
        else:
            assert member is expected, f"{names[place]}: the memos gave the verdict on another entry"
    return holes


_ALIKE_SOURCE = """
{future}
import functools
from typing import Any, Dict, List, Optional

def _wrapped(method):
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        return method(*args, **kwargs)
    return wrapper

def _bare(method):
    def wrapper(*args, **kwargs):
        return method(*args, **kwargs)
    return wrapper

class Executor:
    label = "alike"

    def submit(self, func: Any, resource_specification: Dict[str, Any], *args: Any, **kwargs: Any) -> Any: ...
    def start(self) -> None: ...
    {shutdown}
    def scale_in(self, blocks: int, *, {keyword}: bool = True) -> List[Any]: ...
    def scale_out(self, blocks: int{default}) -> List[Any]: ...
    @{decorator}
    def status(self) -> Dict[Any, Any]: ...
    set_bad_state_and_fail_all = staticmethod(lambda exception: None)

    @property
    def run_dir(self) -> {run_dir}: ...
    @run_dir.setter
    def run_dir(self, value: str) -> None: ...
    @property
    def bad_state_is_set(self) -> bool: ...
    @property
    def executor_exception(self): ...
    @property
    def scaling_enabled(self) -> bool: ...
    {hub_port}
"""

_ALIKE = {
    "future": "from __future__ import annotations",
    "decorator": "_wrapped",
    "shutdown": "def shutdown(self) -> None: ...",
    "keyword": "force",
    "default": "",
    "run_dir": "str",
    "hub_port": "@property\n    def hub_port(self) -> Optional[int]: ...",
}


def _alike_class(namespace: Dict[str, Any], number: int, **changes: str) -> type:
    """The class statement of _ALIKE_SOURCE, with ``changes``, compiled anew (new code objects) in ``namespace``.

    A string annotation is keyed with the globals it is resolved in: a class
    compiled in other globals is met anew (``test_...keys_them_as_member_of_does``).
    """
    source = _ALIKE_SOURCE.format(**{**_ALIKE, **changes})
    exec(compile(source, f"<alike {number}>", "exec", dont_inherit=True), namespace)
    return cast(type, namespace["Executor"])


@needs_c_hook
@pytest.mark.parametrize("future", [True, False], ids=["string annotations", "evaluated annotations"])
def test_the_c_reading_of_the_member_memos_keys_them_as_member_of_does(future: bool) -> None:
    clear_cache()
    made = {"future": _ALIKE["future"] if future else ""}
    protocol = ParslExecutorProtocol
    names = [m.name for m in _engine.model_of(protocol).members]
    # What member_of leaves to a full evaluation, whatever the memos hold: absent members, a
    # wrapped function (whose signature is its __wrapped__'s), a static method.
    always = sorted(
        names.index(name)
        for name in ("hub_address", "label", "set_bad_state_and_fail_all", "status", "storage_access", "tasks")
    )
    module: Dict[str, Any] = {}
    first = _alike_class(module, 0, **made)
    assert len(_agree(protocol, first)) == len(names)  # nothing known yet: every member left to Python
    assert _agree(protocol, first) == always  # member_of (in _agree) remembered the rest
    assert _agree(protocol, _alike_class(module, 1, **made)) == always  # compiled anew: every key is met again
    # In other globals a string annotation may mean something else: its properties are judged anew.
    getters = sorted(names.index(name) for name in ("bad_state_is_set", "hub_port", "run_dir", "scaling_enabled"))
    elsewhere = _alike_class({}, 2, **made)
    assert _agree(protocol, elsewhere) == (sorted([*always, *getters]) if future else always)
    # A plain function with the wrapper's code: its verdict is not that of a function wrapping another.
    _agree(protocol, _alike_class(module, 90, **made, decorator="_bare"))
    assert _agree(protocol, _alike_class(module, 91, **made)) == always

    # A changed fact changes the key: that member alone is left to member_of, judged anew, then known.
    changes = {
        "shutdown": "async def shutdown(self) -> None: ...",  # a flag of the code object
        "keyword": "strict",  # the keyword-only defaults
        "default": " = 1",  # the number of defaults
        "run_dir": "int",  # the getter's annotation
        "hub_port": "@property\n    def hub_port(self) -> Optional[int]: ...\n"
        "    @hub_port.setter\n    def hub_port(self, value: Optional[int]) -> None: ...",  # a setter
    }
    member = {"shutdown": "shutdown", "keyword": "scale_in", "default": "scale_out", "run_dir": "run_dir",
              "hub_port": "hub_port"}
    for number, (fact, change) in enumerate(changes.items(), start=3):
        changed = _alike_class(module, number, **made, **{fact: change})
        assert _agree(protocol, changed) == sorted([*always, names.index(member[fact])]), fact
        assert _agree(protocol, _alike_class(module, 100 + number, **made, **{fact: change})) == always, fact
        verdict = _engine.plan_of(protocol, changed).members[names.index(member[fact])]
        assert bool(verdict.instance_problems) is (fact in {"run_dir", "shutdown"}), (fact, verdict)


@needs_c_hook
def test_the_c_reading_of_the_member_memos_leaks_no_reference_and_says_what_it_takes() -> None:
    from parsl_executor_protocol.checking import _speedups

    cls = _alike_class({}, 0)
    _judged(ParslExecutorProtocol, cls)
    found, holes = _known(ParslExecutorProtocol, cls)
    assert len(holes) < len(found)
    getters = [value for value in vars(cls).values() if isinstance(value, property)]
    functions = [value for value in vars(cls).values() if isinstance(value, type(_counts))]
    watched = [cls, *(m for m in found if m is not None), *getters, *functions]
    watched += [g.fget for g in getters] + [g.fset for g in getters if g.fset is not None]
    watched += [f.__code__ for f in functions]
    before = _counts(watched)
    for _ in range(2000):
        _known(ParslExecutorProtocol, cls)
    assert _counts(watched) == before

    reader: Any = _speedups.known_members
    with pytest.raises(TypeError, match="two namespaces"):
        reader((), {}, {}, {}, [], None)
    with pytest.raises(TypeError, match="per member"):
        reader((("submit", 1),), {}, {}, {}, {}, None)


@needs_c_hook
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_c_reading_of_the_member_memos_agrees_on_drawn_classes(data: st.DataObject) -> None:
    protocol, cls = _drawn(data, as_instances=False)
    _agree(protocol, cls)  # before the class is judged: only what earlier classes taught the memos
    _agree(protocol, cls)  # after: what it taught them too


@needs_c_hook
def test_the_one_pass_reads_of_a_dict_answer_as_the_lookups_do() -> None:
    """The hook reads a __dict__ like the last one it found conforming in one pass: in place where it is split."""
    from parsl_executor_protocol.checking import _speedups

    c_hook, python_hook = _engine.installed_instancecheck, _engine._instancecheck

    def judged(instance: object, expected: bool) -> None:
        # Twice through C (the first may learn the layout the second reads), then through Python.
        assert c_hook(_Record, instance) is expected
        assert c_hook(_Record, instance) is expected
        assert python_hook(_Record, instance) is expected

    first: Any = _Recorded()
    judged(first, True)
    assert _speedups.reads_in_place(_engine.plan_of(_Record, _Recorded).native) is _IN_PLACE
    judged(_Recorded(order=("note", "tags", "payload", "count", "label")), True)  # other order, same keys
    first.count = "3"
    judged(first, False)
    first.count = 3
    judged(first, True)
    first.payload.__class__ = _Other  # the value's class changes, not the __dict__
    judged(first, False)
    first.payload.__class__ = _Payload
    judged(first, True)
    first.note = 1j
    judged(first, True)
    first.note = []
    judged(first, False)
    first.note = None
    judged(first, True)
    first.tags["a"] = "no"  # the vet tests the first item
    judged(first, False)
    first.tags = {"b": 2}
    judged(first, True)
    del first.tags
    judged(first, False)  # a required member's key is gone; its index stays in the shared keys
    first.tags = {"c": 3}
    judged(first, True)
    grown: Any = _Recorded()
    grown.extra = 1  # the class's shared keys grow
    judged(grown, True)
    judged(first, True)
    assert _speedups.reads_in_place(_engine.plan_of(_Record, _Recorded).native) is _IN_PLACE
    first.describe = None  # a watched name shadows the method
    judged(first, False)
    del first.describe
    judged(first, True)
    # Another class's instance made a record: its __dict__ is split along that class's keys,
    # where each member has another index; read by the indices learnt, both values would pass.
    borrowed: Any = _Lookalike()
    borrowed.__class__ = _Recorded
    judged(borrowed, False)
    borrowed.count, borrowed.label = 4, "y"
    judged(borrowed, True)
    combined: Any = _Recorded()
    combined.__dict__ = dict(vars(combined))  # a __dict__ of its own, not split
    judged(combined, True)
    combined.count = None
    judged(combined, False)
    combined.count = 0
    judged(combined, True)
    judged(first, True)


@needs_c_hook
def test_classes_checked_in_turn_with_collections_in_between() -> None:
    # Every allocation may start a collection here, whose callbacks replace the recent entry
    # and drop verdicts while the hook is between its reads and its store.
    def conforming(index: int) -> type:
        return build(conforming_choices()).cls if index % 2 else type(f"NotOne{index}", (), {})

    classes = [conforming(index) for index in range(40)]
    thresholds = gc.get_threshold()
    gc.set_threshold(1, 1, 1)
    try:
        for round_ in range(30):
            for index, cls in enumerate(classes):
                assert isinstance(cls(), ParslExecutorProtocol) is bool(index % 2)
            if round_ % 3 == 0:
                clear_cache(classes[round_ % len(classes)])
            if round_ % 7 == 0:
                gc.collect()
    finally:
        gc.set_threshold(*thresholds)


def _counts(objects: List[Any]) -> List[int]:
    return [sys.getrefcount(o) for o in objects]


@needs_c_hook
@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: build(conforming_choices()).cls(), id="function-verdict"),
        pytest.param(lambda: build({**conforming_choices(), "label": "class_attribute"}).cls(), id="class-attribute"),
        pytest.param(type("Plain", (), {}), id="class-decides"),
    ],
)
def test_the_c_hook_leaks_no_reference(make: Callable[[], object]) -> None:
    instance = make()
    shadowed = make()
    if hasattr(shadowed, "__dict__"):
        vars(shadowed)["submit"] = None  # the full evaluation, through _instancecheck_full
    protocol = ParslExecutorProtocol
    hook = _engine.installed_instancecheck
    # No collection meanwhile: a full one drops the verdicts of these classes (they introduce
    # their instances' __dict__), and a new plan would make its program in the loop.
    gc.disable()
    try:
        for subject in (instance, shadowed, instance):
            hook(protocol, subject)  # the plan, its program, the recent entry
        plan = _engine.plan_of(protocol, type(instance))
        assert plan.native is not None
        watched = [instance, shadowed, type(instance), protocol, plan, plan.fast, plan.native, _cache.epoch]
        if type(plan.fast) is tuple:
            watched += list(plan.fast)
        watched += [vars(subject) for subject in (instance, shadowed) if hasattr(subject, "__dict__")]
        _cache.recent_hooked = _cache.NO_RECENT  # it holds some of them
        before = _counts(watched)
        for _ in range(2000):
            hook(protocol, instance)
            hook(protocol, shadowed)
            hook(protocol, 3)  # a miss in turn: the recent entry is replaced every time
        _cache.recent_hooked = _cache.NO_RECENT
        after = _counts(watched)
    finally:
        gc.enable()
    assert after == before


@needs_c_hook
def test_the_c_hook_says_what_it_takes() -> None:
    hook: Any = _engine.installed_instancecheck
    with pytest.raises(TypeError, match="takes the class and one instance"):
        hook(ParslExecutorProtocol)
    with pytest.raises(TypeError):
        cast(Any, type(hook))(state=[], miss=print, full=print, native=print)
