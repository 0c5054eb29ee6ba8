"""Hostile objects: the engine runs none of their code, never raises because of them, and is not fooled."""

from __future__ import annotations

import functools
import gc
import json
import sys
import types
import weakref
from abc import ABCMeta
from concurrent.futures import Future
from typing import Any, Callable, Dict, Iterator, List, Optional
from unittest import mock

import pytest
import typing_extensions
from hypothesis import given, settings
from hypothesis import strategies as st

import parsl_executor_protocol as pep
from parsl_executor_protocol import ParslExecutorProtocol, check, conforms
from parsl_executor_protocol.checking._cache import NESTING_LIMIT
from parsl_executor_protocol.protocols._meta import ContractMeta

from ._checking_cases import kinds
from .fixtures_abc2020 import Concrete2020Executor


class Counter:
    """Counts calls from hostile code."""

    def __init__(self) -> None:
        self.calls: List[str] = []

    def __call__(self, what: str) -> None:
        self.calls.append(what)


COUNT = Counter()


@pytest.fixture(autouse=True)
def _reset_counter() -> None:
    COUNT.calls.clear()


def _all_checks(obj: object, protocol: Any = ParslExecutorProtocol) -> bool:
    """Run every entry point on obj (and its class); return the instance verdict."""
    report = check(obj, protocol)
    assert conforms(obj, protocol) is report.ok
    assert isinstance(obj, protocol) is report.ok
    cls = type(obj)
    assert issubclass(cls, protocol) is check(cls, protocol).ok is conforms(cls, protocol)
    return report.ok


# --- a conforming executor with hostile extras ---------------------------------------------------------


class HostileMeta(ABCMeta):
    """Every metaclass hook a check could trip over, each counting and most raising."""

    def __getattr__(cls, name: str) -> Any:
        COUNT("meta __getattr__")
        raise AttributeError(name)

    def __getattribute__(cls, name: str) -> Any:
        if not name.startswith("__"):
            COUNT(f"meta __getattribute__ {name}")
        return type.__getattribute__(cls, name)

    def __instancecheck__(cls, instance: Any) -> bool:
        COUNT("meta __instancecheck__")
        return True

    def __subclasscheck__(cls, other: Any) -> bool:
        COUNT("meta __subclasscheck__")
        return True

    def __eq__(cls, other: object) -> bool:
        COUNT("meta __eq__")
        raise RuntimeError("metaclass __eq__")

    def __hash__(cls) -> int:
        COUNT("meta __hash__")
        raise RuntimeError("metaclass __hash__")


class HostileExecutor(Concrete2020Executor, metaclass=HostileMeta):
    """Conforms, but every hook it has counts and raises."""

    def __getattr__(self, name: str) -> Any:
        COUNT(f"__getattr__ {name}")
        raise RuntimeError("__getattr__")

    def __getattribute__(self, name: str) -> Any:
        COUNT(f"__getattribute__ {name}")
        return object.__getattribute__(self, name)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        COUNT("__class__")
        return int

    def __eq__(self, other: object) -> bool:
        COUNT("__eq__")
        raise RuntimeError("__eq__")

    def __hash__(self) -> int:
        COUNT("__hash__")
        raise RuntimeError("__hash__")

    def __repr__(self) -> str:
        COUNT("__repr__")
        raise RuntimeError("__repr__")

    @property
    def bad_state_is_set(self) -> bool:
        COUNT("bad_state_is_set getter")
        raise RuntimeError("getter")


def test_hostile_hooks_neither_run_nor_change_the_verdict() -> None:
    """A conforming executor whose every hook counts and raises conforms, and none of the hooks runs."""
    executor = object.__new__(HostileExecutor)
    object.__setattr__(executor, "label", "hostile")
    COUNT.calls.clear()
    assert _all_checks(executor)
    assert str(check(executor)) == f"instance of {__name__}.HostileExecutor conforms to ParslExecutorProtocol"
    assert COUNT.calls == []


def test_hostile_class_property_does_not_fool_the_type() -> None:
    """An object claiming another __class__ is judged by its real type."""

    class Pretender:
        @property  # type: ignore[misc]
        def __class__(self) -> type:
            COUNT("__class__")
            return Concrete2020Executor

    assert not _all_checks(Pretender())
    assert COUNT.calls == []


def test_dict_override_hides_the_instance_dict_and_is_not_run() -> None:
    """A __dict__ property is not called: members set on the instance are then not seen, and the report says why."""

    class HiddenDict(Concrete2020Executor):
        @property
        def __dict__(self) -> Dict[str, Any]:  # type: ignore[override]
            COUNT("__dict__")
            return {"label": "fake"}

    report = check(HiddenDict())
    assert kinds(report) == {"label": "missing"}
    assert "its __dict__ is overridden in the class and was not read" in report.violations[0].message
    assert COUNT.calls == []


def test_getattr_does_not_invent_members() -> None:
    """Members a class would only produce through __getattr__ are missing: __getattr__ is never called."""

    class Dynamic:
        def __getattr__(self, name: str) -> Any:
            COUNT(name)
            return lambda *args, **kwargs: None

    report = check(Dynamic())
    assert len(report.violations) == 15
    assert {v.kind for v in report.violations} == {pep.ViolationKind.MISSING}
    assert not isinstance(Dynamic(), ParslExecutorProtocol)
    assert COUNT.calls == []


# --- proxies ------------------------------------------------------------------------------------


class ObjectProxy:
    """A wrapt-style transparent proxy: attributes, __class__ and __dict__ are the wrapped object's."""

    def __init__(self, wrapped: object) -> None:
        object.__setattr__(self, "__wrapped__", wrapped)

    def __getattr__(self, name: str) -> Any:
        COUNT(f"proxy {name}")
        return getattr(object.__getattribute__(self, "__wrapped__"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(object.__getattribute__(self, "__wrapped__"), name, value)

    @property  # type: ignore[misc]
    def __class__(self) -> type:
        COUNT("proxy __class__")
        return type(object.__getattribute__(self, "__wrapped__"))

    @property
    def __dict__(self) -> Dict[str, Any]:  # type: ignore[override]
        COUNT("proxy __dict__")
        return object.__getattribute__(self, "__wrapped__").__dict__  # type: ignore[no-any-return]


def test_proxies_are_checked_as_what_they_are() -> None:
    """A forwarding proxy is not an executor (its own class has none of the members), and it is not run."""
    proxy = ObjectProxy(Concrete2020Executor())
    assert not _all_checks(proxy)
    assert len(check(proxy).violations) == 15
    assert COUNT.calls == []
    assert check(proxy.__wrapped__).ok  # check the wrapped object instead


def test_weakref_proxy_is_not_an_executor() -> None:
    """weakref.proxy forwards in C; the engine judges the proxy type itself."""
    executor = Concrete2020Executor()
    proxy = weakref.proxy(executor)
    assert not check(proxy).ok
    assert not isinstance(proxy, ParslExecutorProtocol)


# --- slots, recursion ---------------------------------------------------------------------------


def test_unassigned_slots_are_missing_on_instances() -> None:
    """A slot declared but never assigned is missing on the instance, present for the class."""

    class Slotted:
        __slots__ = ("label",)

    assert issubclass(Slotted, pep.Labelled)  # type: ignore[misc]  # mypy forbids it statically; the engine answers
    assert not isinstance(Slotted(), pep.Labelled)
    assert check(Slotted(), pep.Labelled).violations[0].found == "a slot that is not assigned"


@typing_extensions.runtime_checkable
class Node(typing_extensions.Protocol, metaclass=ContractMeta):
    """A recursive protocol: a node's next node is a node."""

    @property
    def next(self) -> Optional[Node]: ...


class Link:
    def __init__(self, following: Optional[Link] = None) -> None:
        self.next = following


class BrokenLink:
    def __init__(self) -> None:
        self.next = 5


def test_cycles_of_recursive_protocols_terminate() -> None:
    """A cycle of objects checked against a recursive protocol terminates; a bad node anywhere is found."""
    first = Link()
    second = Link(first)
    first.next = second
    assert isinstance(first, Node)
    assert check(first, Node).ok
    broken: Any = Link(BrokenLink())  # type: ignore[arg-type]
    assert not isinstance(broken, Node)
    assert kinds(check(broken, Node)) == {"next": "wrong_attribute_type"}
    assert issubclass(Link, Node)  # type: ignore[misc]  # mypy forbids it statically; the engine answers


def _chain(links: int, end: Any = None) -> Any:
    """``links`` links, the first at level 0 (the object checked), then ``end``."""
    head = end
    for _ in range(links):
        head = Link(head)
    return head


def _deep_warnings(report: Any) -> List[str]:
    return [w.member for w in report.warnings if f"more than {NESTING_LIMIT} levels below" in w.message]


def test_a_chain_far_deeper_than_the_nesting_limit_is_followed_to_the_limit_and_warned_about() -> None:
    """A chain far deeper than the C hook follows in C, and than the limit, is cut at the limit with a warning."""
    head = _chain(500)
    assert isinstance(head, Node)
    assert isinstance(head, Node)
    reports = [check(head, Node) for _ in range(3)]  # the first in Python, then in C
    assert [(r.ok, _deep_warnings(r)) for r in reports] == [(True, ["next"])] * 3
    assert "check one of them on its own" in reports[0].warnings[0].message


@pytest.mark.parametrize("level", [NESTING_LIMIT - 1, NESTING_LIMIT, NESTING_LIMIT + 1, NESTING_LIMIT + 2])
def test_values_are_followed_exactly_to_the_nesting_limit(level: int) -> None:
    """A bad value at the limit is found and one below it is not, by isinstance, conforms and check alike, every time.

    A value one level below the limit still has its quick tests run (its members' types), as
    isinstance runs them on any value: a sound chain ending there has nothing left unchecked.
    The same expectations hold through the C hook and the Python one (the file runs under both).
    """
    found = level <= NESTING_LIMIT
    broken = _chain(level, BrokenLink())  # the broken link at `level`
    sound = _chain(level + 1)  # its last link at `level`
    pep.clear_cache()
    for _ in range(2):  # the first check of each class in Python, then from the cache (and in C)
        assert [isinstance(broken, Node), conforms(broken, Node), check(broken, Node).ok] == [not found] * 3
        assert _deep_warnings(check(broken, Node)) == ([] if found else ["next"])
        assert [isinstance(sound, Node), conforms(sound, Node), check(sound, Node).ok] == [True] * 3
        assert _deep_warnings(check(sound, Node)) == ([] if level <= NESTING_LIMIT + 1 else ["next"])


@typing_extensions.runtime_checkable
class Step(typing_extensions.Protocol, metaclass=ContractMeta):
    """A recursive protocol with a second member, tested before the first."""

    @property
    def label(self) -> str: ...

    @property
    def next(self) -> Optional[Step]: ...


class Name(str):
    """A ``str`` the quick tests, which compare types, leave to the full evaluation."""


class Stage:
    def __init__(self, following: Any = None, label: str = "stage") -> None:
        self.label = label
        self.next = following


def test_the_nesting_limit_holds_below_a_value_judged_in_full() -> None:
    """Below a value judged in full deep down, values are counted from the object checked, not from that value.

    The value at level 40 has a label the quick tests leave to the full evaluation (before they
    follow its next value), which tests its next value with isinstance, in C where the C hook is
    installed: values past the limit below it are not followed, as everywhere else.
    """

    def chain(end: Any) -> Any:
        head = end
        for level in range(NESTING_LIMIT + 5, -1, -1):
            head = Stage(head, Name("stage") if level == 40 else "stage")
        return head

    pep.clear_cache()
    for _ in range(2):
        for head in (chain(None), chain(Stage(5))):  # sound, and with a bad value past the limit
            assert [isinstance(head, Step), check(head, Step).ok] == [True, True]
            assert _deep_warnings(check(head, Step)) == ["next"]


@pytest.mark.timeout(120)
def test_a_class_value_past_the_nesting_limit_is_warned_about_and_judged_once_per_link() -> None:
    """A chain held by a class, past the limit: judged a few times per link (not twice per link above), with a warning.

    A class verdict made while a value was cut is not cached, and the reports made meanwhile
    are still remembered for the rest of the check.
    """
    links = NESTING_LIMIT + 10
    holders = [type(name, (), {"next": _chain(links, end)}) for name, end in (("Sound", None), ("Bad", BrokenLink()))]
    for holder in holders:
        assert _reports_made(holder(), Node) <= 4 * links
        for _ in range(2):
            assert issubclass(holder, Node)  # type: ignore[misc]  # answered at run time (see docs/checking.md)
            assert isinstance(holder(), Node)
            assert _deep_warnings(check(holder, Node)) == ["next"]
            assert _deep_warnings(check(holder(), Node)) == ["next"]


def _at_depth(frames: int, call: Callable[[], Any]) -> Any:
    return call() if frames == 0 else _at_depth(frames - 1, call)


def test_the_nesting_limit_is_reached_well_inside_the_recursion_limit() -> None:
    """A check called 400 frames deep still follows a failing chain to the limit: the limit, not the stack, cuts it."""
    assert sys.getrecursionlimit() >= 1000
    broken = _chain(NESTING_LIMIT, BrokenLink())
    pep.clear_cache()
    for _ in range(2):
        assert _at_depth(400, lambda: (isinstance(broken, Node), kinds(check(broken, Node)))) == (
            False,
            {"next": "wrong_attribute_type"},
        )


def _reports_made(obj: object, protocol: Any) -> int:
    """How many full reports one ``check()`` of ``obj`` makes (the engine's instance_report calls)."""
    from parsl_executor_protocol.checking import _engine

    code = _engine.instance_report.__code__
    calls = 0

    def count(frame: types.FrameType, event: str, arg: object) -> None:
        nonlocal calls
        if event == "call" and frame.f_code is code:
            calls += 1

    pep.clear_cache()
    sys.setprofile(count)
    try:
        check(obj, protocol)
    finally:
        sys.setprofile(None)
    return calls


def test_a_chain_that_fails_at_its_end_is_judged_once_per_link() -> None:
    """A bad node at the end of a chain is found judging each link a few times, not twice per link above it."""

    def chain(length: int) -> Any:
        head: Any = Link(BrokenLink())  # type: ignore[arg-type]
        for _ in range(length):
            head = Link(head)
        return head

    short, long = _reports_made(chain(6), Node), _reports_made(chain(12), Node)
    assert long <= 3 * short, f"{short} reports for 6 links, {long} for 12: the work doubles with each link"
    deep = chain(NESTING_LIMIT - 2)
    assert not isinstance(deep, Node)
    assert [kinds(check(deep, Node)) for _ in range(3)] == [{"next": "wrong_attribute_type"}] * 3


@typing_extensions.runtime_checkable
class Pair(typing_extensions.Protocol, metaclass=ContractMeta):
    """A recursive protocol with two protocol-typed members."""

    @property
    def left(self) -> Optional[Pair]: ...

    @property
    def right(self) -> Optional[Pair]: ...


class Twin:
    def __init__(self, left: Any = None, right: Any = None) -> None:
        self.left = left
        self.right = right


def test_a_value_judged_under_an_assumed_cycle_is_judged_again_outside_it() -> None:
    """A verdict that assumed an enclosing value conforms is not reused once that value is found failing."""
    first, second = Twin(), Twin()
    first.left, first.right = second, 5  # first fails on its own
    second.left = first  # second fails through first, which it reaches in a cycle
    top = Twin(first, second)
    assert not isinstance(second, Pair)
    assert kinds(check(top, Pair)) == {"left": "wrong_attribute_type", "right": "wrong_attribute_type"}
    assert not isinstance(top, Pair)


def test_self_referencing_values_terminate() -> None:
    """An object whose members refer to itself, or a mapping containing itself, is checked without recursing."""
    executor = Concrete2020Executor()
    executor.label = executor  # type: ignore[assignment]
    assert kinds(check(executor)) == {"label": "wrong_attribute_type"}
    looping: Dict[Any, Any] = {}
    looping["self"] = looping
    executor = Concrete2020Executor()
    executor._tasks = looping
    executor.storage_access = [executor]  # type: ignore[attr-defined]
    assert kinds(check(executor)) == {"storage_access": "optional_wrong_type"}


def test_deep_recursion_is_not_an_error() -> None:
    """A chain of nodes longer than the recursion limit yields a verdict or a warning, never a RecursionError."""
    head = Link()
    node = head
    for _ in range(sys.getrecursionlimit()):
        node.next = Link()
        node = node.next
    report = check(head, Node)
    assert report.ok  # too deep to verify: at most a warning


# --- mocks -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [
        mock.Mock,
        mock.MagicMock,
        mock.NonCallableMock,
        lambda: mock.Mock(spec=Concrete2020Executor),
        lambda: mock.Mock(spec_set=Concrete2020Executor),
        lambda: mock.MagicMock(spec=ParslExecutorProtocol),
        lambda: mock.create_autospec(Concrete2020Executor, instance=True),
    ],
    ids=["Mock", "MagicMock", "NonCallableMock", "spec", "spec_set", "spec_protocol", "autospec"],
)
def test_mocks_are_not_executors(factory: Callable[[], Any]) -> None:
    """No kind of Mock is an executor, whatever its spec claims, on every Python."""
    fake = factory()
    report = check(fake)
    assert not report.ok
    assert not isinstance(fake, ParslExecutorProtocol)
    assert not conforms(fake)
    assert fake.mock_calls == []  # nothing was called or even looked up


def test_a_mock_with_a_real_implementation_is_an_executor() -> None:
    """A Mock subclass implementing every member, or a Mock given every member, is judged on those members."""

    class MockExecutor(mock.Mock, Concrete2020Executor):
        pass

    assert check(MockExecutor(label="mock")).ok

    fake = mock.Mock()
    real = Concrete2020Executor()
    values = {"label": "fake", "bad_state_is_set": False, "executor_exception": None, "scaling_enabled": False,
              "tasks": {}, "hub_address": None, "hub_port": None, "run_dir": "."}
    for name in pep.required_members(ParslExecutorProtocol):
        setattr(fake, name, values[name] if name in values else getattr(real, name))
    assert check(fake).ok
    assert isinstance(fake, ParslExecutorProtocol)
    fake.submit = mock.Mock()  # a Mock as a method accepts any call: it fits
    assert check(fake).ok


# --- nothing makes the engine raise -------------------------------------------------------------


def _generator() -> Iterator[int]:
    yield 1


class _Weird:
    """Instances get odd __dict__ keys and values."""

    def __init__(self) -> None:
        self.__dict__[1] = "int key"  # type: ignore[index]
        self.__dict__["label"] = self


class _RaisingHashKey(str):
    """An attribute name whose hash and equality raise once it sits in a __dict__."""

    armed = False

    def __hash__(self) -> int:
        if self.armed:
            raise RuntimeError("key hash")
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        if self.armed:
            raise RuntimeError("key eq")
        return str.__eq__(self, other)


def _raising_key_object() -> object:
    obj = Concrete2020Executor()
    key = _RaisingHashKey("label")  # equal to a member's name, so lookups compare with it
    del obj.label
    obj.__dict__[key] = "raising"
    key.armed = True
    return obj


ODD_OBJECTS: List[Callable[[], object]] = [
    object, lambda: None, lambda: 42, lambda: "text", lambda: b"bytes", lambda: [1], lambda: {"label": "x"},
    lambda: types, lambda: sys, lambda: len, lambda: print, lambda: check, lambda: int, lambda: type,
    lambda: ParslExecutorProtocol, lambda: Concrete2020Executor, Concrete2020Executor,
    lambda: ValueError("x"), _generator, Future, lambda: weakref.proxy(Concrete2020Executor()),
    mock.Mock, _Weird, _raising_key_object, lambda: object.__new__(HostileExecutor),
    lambda: ObjectProxy(Concrete2020Executor()), lambda: HostileMeta, lambda: gc, lambda: NotImplemented,
    lambda: Ellipsis, lambda: (lambda self: self), lambda: staticmethod(len), lambda: property(len),
]
PROTOCOLS = [getattr(pep, name) for name in pep.__all__ if getattr(getattr(pep, name), "_is_protocol", False)]


@settings(max_examples=200, deadline=None)
@given(make=st.sampled_from(ODD_OBJECTS), protocol=st.sampled_from(PROTOCOLS))
def test_the_engine_never_raises_because_of_the_object(make: Callable[[], object], protocol: Any) -> None:
    """Whatever the object, check/conforms/isinstance return a verdict; issubclass raises only for non-classes."""
    obj = make()
    report = check(obj, protocol)
    assert conforms(obj, protocol) is report.ok
    assert str(report).startswith(report.subject)
    assert json.loads(report.to_json())["ok"] is report.ok
    is_a_class = issubclass(type(obj), type)
    verdict = isinstance(obj, protocol)  # a class is checked as an object here, at class level by check()
    assert verdict is report.ok or is_a_class
    if is_a_class:
        assert issubclass(obj, protocol) is report.ok  # type: ignore[arg-type]
    else:
        with pytest.raises(TypeError):
            issubclass(obj, protocol)  # type: ignore[arg-type]


# --- nothing of the object runs through its keys, values, hints or wrappers -------------------------------


class _RecordingKey:
    """A non-str __dict__ key whose hash and equality record that they ran."""

    def __hash__(self) -> int:
        COUNT("key __hash__")
        return 1

    def __eq__(self, other: object) -> bool:
        COUNT("key __eq__")
        return False


def test_non_str_keys_of_an_instance_dict_never_run() -> None:
    """Keys of other types in an instance __dict__ are skipped, never hashed or compared."""
    executor = Concrete2020Executor()
    executor.__dict__[_RecordingKey()] = "odd"  # type: ignore[index]
    executor.__dict__["submit"] = Concrete2020Executor().submit  # a method override: the full evaluation runs
    COUNT.calls.clear()
    assert _all_checks(executor)
    assert COUNT.calls == []


class _RecordingDict(Dict[Any, Any]):
    """A dict whose Python-level methods record that they ran."""

    def __len__(self) -> int:
        COUNT("dict __len__")
        return dict.__len__(self)

    def __iter__(self) -> Iterator[Any]:
        COUNT("dict __iter__")
        return dict.__iter__(self)

    def __getitem__(self, key: Any) -> Any:
        COUNT("dict __getitem__")
        return dict.__getitem__(self, key)

    def values(self) -> Any:
        COUNT("dict values")
        return dict.values(self)

    def items(self) -> Any:
        COUNT("dict items")
        return dict.items(self)

    def keys(self) -> Any:
        COUNT("dict keys")
        return dict.keys(self)


class _RecordingList(List[Any]):
    """A list whose Python-level methods record that they ran."""

    def __len__(self) -> int:
        COUNT("list __len__")
        return list.__len__(self)

    def __iter__(self) -> Iterator[Any]:
        COUNT("list __iter__")
        return list.__iter__(self)

    def __getitem__(self, index: Any) -> Any:
        COUNT("list __getitem__")
        return list.__getitem__(self, index)


@typing_extensions.runtime_checkable
class _HasMapping(typing_extensions.Protocol, metaclass=ContractMeta):
    @property
    def tasks(self) -> Dict[str, int]: ...


@typing_extensions.runtime_checkable
class _HasSequence(typing_extensions.Protocol, metaclass=ContractMeta):
    @property
    def items(self) -> List[int]: ...


def test_container_subclass_values_are_read_with_the_builtin_methods() -> None:
    """A dict or list subclass as a member's value is checked through dict's and list's own methods."""

    class Holder:
        def __init__(self, tasks: Any, items: Any) -> None:
            self.tasks = tasks
            self.items = items

    good = Holder(_RecordingDict(a=1), _RecordingList([1, 2]))
    bad = Holder(_RecordingDict(a="x"), _RecordingList(["x"]))
    COUNT.calls.clear()
    assert _all_checks(good, _HasMapping)
    assert _all_checks(good, _HasSequence)
    assert not _all_checks(bad, _HasMapping)
    assert not _all_checks(bad, _HasSequence)
    assert COUNT.calls == []


class _AnnotationMeta(type):
    """A metaclass whose hooks record: a class of it used as an annotation must not be hashed or asked."""

    def __hash__(cls) -> int:
        COUNT("annotation meta __hash__")
        return 1

    def __eq__(cls, other: object) -> bool:
        COUNT("annotation meta __eq__")
        return False

    def __getattribute__(cls, name: str) -> Any:
        COUNT(f"annotation meta __getattribute__ {name}")
        return type.__getattribute__(cls, name)


class _HostileLabel(str, metaclass=_AnnotationMeta):
    pass


def test_annotations_naming_a_class_with_a_hostile_metaclass_are_unverifiable() -> None:
    """An annotation naming such a class is not compared: unverifiable, with the reason, and nothing runs."""
    namespace: Dict[str, Any] = {"_HostileLabel": _HostileLabel, "Optional": Optional}

    class Annotated:
        label: _HostileLabel

    class StringAnnotated:
        __annotations__ = {"label": "Optional[_HostileLabel]"}

    class Held:
        label = _HostileLabel("x")

    del namespace
    COUNT.calls.clear()
    for cls in (Annotated, StringAnnotated):
        report = check(cls, pep.Labelled)
        assert [w.member for w in report.warnings] == ["label"]
        assert "cannot be resolved without running code" in report.warnings[0].message
    report = check(Held(), pep.Labelled)
    assert [w.member for w in report.warnings] == ["label"]
    isinstance(Held(), pep.Labelled)
    assert COUNT.calls == []


class _SignatureBomb:
    """An object whose __signature__ and __wrapped__ record when read."""

    @property
    def __signature__(self) -> Any:
        COUNT("__signature__")
        raise RuntimeError("__signature__")

    @property
    def __wrapped__(self) -> Any:
        COUNT("__wrapped__")
        raise RuntimeError("__wrapped__")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        COUNT("__call__")


def test_partials_are_read_without_running_what_they_wrap() -> None:
    """A partial whose function or own __dict__ leads to a hostile object is read statically or unverifiable."""

    def submit(func: Any, *args: Any, **kwargs: Any) -> Any:
        return None

    submit.__wrapped__ = _SignatureBomb()  # type: ignore[attr-defined]
    through_function = functools.partial(submit)
    own_dict = functools.partial(submit)
    own_dict.__wrapped__ = _SignatureBomb()  # type: ignore[attr-defined]
    wrapping_object = functools.partial(_SignatureBomb())
    for member in (through_function, own_dict, wrapping_object):
        executor = Concrete2020Executor()
        executor.submit = member  # type: ignore[method-assign]
        COUNT.calls.clear()
        report = check(executor)
        isinstance(executor, ParslExecutorProtocol)
        assert COUNT.calls == []
        assert report.ok
    executor = Concrete2020Executor()
    executor.submit = own_dict  # type: ignore[method-assign]
    assert "functools.partial" in check(executor).warnings[0].message


def test_a_c_dict_descriptor_of_a_proxy_type_is_not_trusted() -> None:
    """A __dict__ getset that a non-builtin C type defines may run code: it is not read, and the report says so."""
    wrapt = pytest.importorskip("wrapt")

    class DictProperty:
        label = "class"

        @property
        def __dict__(self) -> Dict[str, Any]:  # type: ignore[override]
            COUNT("wrapped __dict__")
            return {"label": "from the property"}

    proxy = wrapt.ObjectProxy(DictProperty())
    report = check(proxy, pep.Labelled)
    isinstance(proxy, pep.Labelled)
    assert COUNT.calls == []
    assert "may run code" in str(report) or report.ok



_DATA_MEMBERS = {"label": "autospec", "bad_state_is_set": False, "executor_exception": None, "scaling_enabled": False,
                 "tasks": {}, "hub_address": None, "hub_port": None, "run_dir": "."}


class _WrongSubmit(Concrete2020Executor):
    def submit(self, func: Callable[..., Any]) -> Future[Any]:  # no *args, **kwargs
        return Future()


@pytest.mark.parametrize("spec", [Concrete2020Executor, _WrongSubmit], ids=["conforming", "wrong-submit"])
def test_autospec_instances_are_judged_by_the_signatures_they_copy(spec: type) -> None:
    """create_autospec copies the real methods' signatures: its instances pass or fail as the real class does.

    Data members are not created by autospec: until a test sets them, the mock is missing them.
    """
    for fake in (mock.create_autospec(spec, instance=True), mock.create_autospec(spec).return_value):
        assert not check(fake).ok
        assert set(_DATA_MEMBERS) <= {v.member for v in check(fake).violations}
        for name, value in _DATA_MEMBERS.items():
            setattr(fake, name, value)
        report = check(fake)
        assert report.ok is check(spec()).ok
        assert isinstance(fake, ParslExecutorProtocol) is report.ok
        if not report.ok:
            assert kinds(report) == {"submit": "incompatible_signature"}
        assert fake.mock_calls == []
