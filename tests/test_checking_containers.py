"""Container members on the fast path: a dict or list is judged by its type and its first item, as beartype samples.

``tasks: Mapping[Any, Future[Any]]`` and its kind used to send every
instance that sets them in ``__init__`` or a slot to the full evaluation; the
fast path now accepts a plain ``dict``/``list`` whose first item passes, and
leaves anything else (a subclass, a wrong first item) to the full evaluation,
so the verdict is the same either way.
"""

from __future__ import annotations

import gc
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import pytest
import typing_extensions

from parsl_executor_protocol import CurrentBlockProviderExecutorProtocol, JobStatusLike, check, conforms
from parsl_executor_protocol._memo import identity
from parsl_executor_protocol.checking import _cache
from parsl_executor_protocol.checking._engine import fast_verdict
from parsl_executor_protocol.checking._hints import quick_vet
from parsl_executor_protocol.protocols._meta import ContractMeta

from .fixtures_abc2020 import Concrete2020Executor


class _State:
    """Satisfies JobStateLike."""

    name = "RUNNING"
    value = 2


class _Status:
    """Satisfies JobStatusLike."""

    def __init__(self) -> None:
        self.state = _State()
        self.message: Optional[str] = None

    @property
    def terminal(self) -> bool:
        return False

    @property
    def status_name(self) -> str:
        return "RUNNING"


class MyFuture(Future):  # type: ignore[type-arg]
    """A subclass, as parsl's own futures are."""


def _fast(obj: object, protocol: Any) -> Any:
    assert isinstance(obj, protocol) in (True, False)
    plan = _cache.hooked[identity(protocol)][identity(type(obj))]
    return fast_verdict(plan.fast, obj)


def test_quick_vet_of_a_mapping_samples_the_first_item() -> None:
    """Mapping[Any, Future[Any]]: an empty dict or one whose first value is a Future (subclass) passes."""
    vet = quick_vet(Mapping[Any, Future[Any]])
    assert vet is not None
    assert vet({}) is True
    assert vet({1: Future()}) is True
    assert vet({1: MyFuture()}) is True
    assert vet({1: "not a future"}) is False
    assert vet([]) is False


def test_quick_vet_reads_no_overridden_method() -> None:
    """A dict subclass is not read by the quick test at all (its methods could run code)."""

    class Loud(dict):  # type: ignore[type-arg]
        def items(self) -> Any:
            raise AssertionError("ran")

        def __iter__(self) -> Any:
            raise AssertionError("ran")

    vet = quick_vet(Dict[str, int])
    assert vet is not None
    assert vet(Loud(a=1)) is False


def test_quick_vet_of_protocol_items_and_sequences() -> None:
    """Items typed by one of the package's protocols are judged by its isinstance; lists by their first item."""
    vet = quick_vet(Mapping[str, JobStatusLike])
    assert vet is not None
    assert vet({"0": _Status()}) is True
    assert vet({"0": object()}) is False
    seq = quick_vet(Sequence[int])
    assert seq is not None
    assert seq([1, 2]) is True
    assert seq(["x"]) is False
    assert seq([]) is True
    assert quick_vet(List[Any]) is not None
    assert quick_vet(int) is None


def test_a_protocol_typed_member_is_judged_inside_the_enclosing_check() -> None:
    """``state: JobStateLike`` is judged by the engine directly: the enclosing isinstance keeps its recent entry.

    Through ``isinstance`` the nested check made ``JobStateLike`` the protocol
    looked up last, and every repeated ``isinstance(status, JobStatusLike)``
    then looked both up again.  Verdicts are the engine's either way.
    """
    status = _Status()

    def judged() -> bool:
        return isinstance(status, JobStatusLike)

    assert judged()
    assert judged()
    assert _cache.recent_hooked[0] is JobStatusLike
    assert _fast(status, JobStatusLike) is True
    vars(status)["state"] = object()  # not a JobStateLike: the quick test fails and the full evaluation decides
    assert _fast(status, JobStatusLike) is None
    assert not judged()
    assert not check(status, JobStatusLike).ok

    class Renamed:
        value = 2  # no name: not a JobStateLike, though its class was never checked before

    vars(status)["state"] = Renamed()
    assert not judged()
    vars(status)["state"] = _State()
    assert judged()
    assert _cache.recent_hooked[0] is JobStatusLike


@pytest.mark.parametrize("tasks", [{}, {1: Future()}, {1: MyFuture(), 2: Future()}])
def test_instances_with_tasks_in_init_take_the_fast_path(tasks: Dict[int, Any]) -> None:
    """The 2020 fixture, its tasks dict set per instance, is settled by the fast path; verdicts agree."""
    executor = Concrete2020Executor()
    executor.__dict__["tasks"] = tasks  # the instance's own dict, as an executor's __init__ sets it
    from parsl_executor_protocol import ParslExecutorProtocol

    assert conforms(executor, ParslExecutorProtocol)
    assert check(executor, ParslExecutorProtocol).ok


def test_a_wrong_first_item_goes_to_the_full_evaluation() -> None:
    """A dict whose first value is not a Future is not accepted quickly; the full evaluation decides."""

    class Exec:
        label = "x"

        def __init__(self, tasks: Dict[Any, Any]) -> None:
            self.tasks = tasks
            self.status_facade: Dict[str, Any] = {}

    good, bad = Exec({1: Future()}), Exec({1: "nope"})
    protocol = CurrentBlockProviderExecutorProtocol
    assert _fast(good, protocol) is not None or not conforms(good, protocol)
    # Whatever the rest of Exec lacks, the bad dict never makes the fast path say yes.
    assert _fast(bad, protocol) is not True
    assert isinstance(bad, protocol) is conforms(bad, protocol)


def test_the_cache_watches_only_the_classes_it_lists() -> None:
    """Checking more live classes than a table holds keeps watches for the listed ones only: bounded memory."""
    from parsl_executor_protocol import HasLifecycle, clear_cache

    clear_cache()
    classes = [type(f"C{i}", (), {"start": lambda self: None, "shutdown": lambda self: None}) for i in range(2_500)]
    # Each class introduces its instances' __dict__, so a full collection drops its verdict and
    # leaves its watch until the next table overflow: whether one falls inside this loop depends
    # on what earlier tests allocated.  Without collections the count is exact.
    gc.disable()
    try:
        for cls in classes:
            assert isinstance(cls(), HasLifecycle)
    finally:
        gc.enable()
    listed = set().union(*(set(table) for table in _cache.tables.values()))
    assert len(_cache._watched) <= len(listed) + 1
    assert len(listed) <= _cache.MAX_CLASSES * len(_cache.tables)
    clear_cache()
    assert not _cache._watched


_FIVE_AND_NONE = Union[int, str, bytes, float, complex, None]


def _has_value(hint: Any) -> Any:
    @typing_extensions.runtime_checkable
    class HasValue(typing_extensions.Protocol, metaclass=ContractMeta):
        __annotations__ = {"value": hint}  # type: ignore[misc]  # the hint is a parameter

    return HasValue


def _holder(placement: str, value: Any) -> object:
    if placement == "set in __init__":

        class Required:
            def __init__(self) -> None:
                self.value = value

        return Required()
    if placement == "class default overridden":

        class Optional_:
            value: Any = None

            def __init__(self) -> None:
                self.__dict__["value"] = value

        return Optional_()

    class Slotted:
        __slots__ = ("value",)

        def __init__(self) -> None:
            self.value = value

    return Slotted()


@pytest.mark.parametrize("placement", ["set in __init__", "class default overridden", "slot"])
@pytest.mark.parametrize(
    ("hint", "value", "quick", "ok"),
    [
        (int, 3, True, True),
        (int, True, False, True),  # a bool is an int, but not by type identity: the full evaluation says so
        (int, "3", False, False),
        (Optional[str], "a", True, True),
        (Optional[str], None, True, True),
        (Optional[str], 3, False, False),
        (_FIVE_AND_NONE, b"x", True, True),  # more types than are tested one by one: a set of identities
        (_FIVE_AND_NONE, None, True, True),
        (_FIVE_AND_NONE, [], False, False),
        (List[int], [1], True, True),  # no type accepted outright: the quick test of the first item
        (List[int], ["x"], False, False),
        (List[int], (1,), False, False),
        (Callable[[], int], len, False, True),  # no type accepted outright and no quick test
        (Callable[[], int], 3, False, False),
    ],
)
def test_the_fast_path_accepts_exactly_the_hints_types_and_agrees_with_check(
    placement: str, hint: Any, value: Any, quick: bool, ok: bool
) -> None:
    """Each way of testing a value's type (one type, a few, many, none but a quick test) agrees with check()."""
    protocol = _has_value(hint)
    holder = _holder(placement, value)
    assert check(holder, protocol).ok is ok
    assert isinstance(holder, protocol) is ok
    fast = _fast(holder, protocol)
    # The fast path says yes only for what it can tell by type identity or the quick test, and never no
    # to a conforming value: it leaves the rest to the full evaluation (None).
    assert (fast is True) is quick, fast
    assert fast is not False


@typing_extensions.runtime_checkable
class _Runs(typing_extensions.Protocol, metaclass=ContractMeta):
    label: str

    def run(self) -> int: ...


class _Runner:
    label = "default"  # a class default: an instance may override it, with a value of the right type

    def run(self) -> int:
        return 1


@pytest.mark.parametrize(
    ("own", "verdict", "ok"),
    [
        ({}, True, True),
        ({"other": 1, "more": 2}, True, True),  # other names: each protocol name is looked up, none is found
        ({"label": "mine"}, True, True),
        ({"label": 3}, None, False),
        ({"other": 1, "label": 3}, None, False),
        ({"run": 3}, None, False),  # a method overridden on the instance needs the full evaluation
        ({"label": "mine", "run": 3}, None, False),
        ({"label": "mine", "run": lambda: 1}, None, True),
    ],
)
def test_overridden_methods_and_class_defaults_in_the_instance_dict(
    own: Dict[str, Any], verdict: Optional[bool], ok: bool
) -> None:
    """The fast path looks each other name of the protocol up once: a method override defers, a default is typed."""
    runner = _Runner()
    runner.__dict__.update(own)
    assert _fast(runner, _Runs) is verdict
    assert isinstance(runner, _Runs) is ok
    assert check(runner, _Runs).ok is ok
