"""P1 and P2: the runtime engine against typing's isinstance, isinstance(x, object) and zope.interface.

P1, ``isinstance`` on every protocol the package exports (``_subjects.py``
writes a conforming class for each, four ways: members at class level, set in
``__init__``, properties, ``__slots__``), each against two anchors timed in the
same rounds on the same object:

* typing's ``isinstance`` on an equivalent plain ``@typing.runtime_checkable``
  ``typing.Protocol`` (the same required members), repeated on the same object,
  which is typing's cached path where it has one.  Goal: at most 0.8x its time
  on Python 3.12 and 3.13, at least 30x faster (at most 1/30 of its time) on
  3.10 and 3.11 (lines ``P1_isinstance_vs_typing``, goal ``P1-typing``);
* ``isinstance(x, object)``, the floor of any ``isinstance``.  Goal: at most
  8x (lines ``P1_isinstance_vs_floor``, goal ``P1-floor``).

P2, ``check()`` of ``ParslExecutorProtocol``:

* the first ``check()`` of a class, against zope.interface's ``verifyObject``
  on an equivalent interface, for classes created by re-executing the class
  statement (new class and function objects, shared code objects) and for
  classes whose statement is compiled anew each time (new code objects too,
  as for the first check after import).  Goal: no slower (``P2-first``);
* ``check()`` repeated on the same instance, against ``isinstance(x, object)``.
  Goal: at most 20x (``P2-repeat``); zope's repeated ``verifyObject`` is
  reported alongside.

Each goal line's ``value`` is the time ratio ours/anchor and ``limit`` the
largest ratio that meets the goal.  Times are medians of rounds in which ours
and the anchors alternate, with the garbage collector off while timing, as
timeit does.  P2-first times the two call by call in pairs (the one called
first alternating), each on classes of its own, and its ratio is the median
of the FIRST_ROUNDS per-round ratios.  The script measures in this interpreter, then (unless
``--here-only``) runs itself under every other environment of the matrix that
exists (``.venv``, ``.venv-3.X``; ``.ci/matrix`` creates them) and under each
``--python`` given.  ``--quick`` is a short smoke run.
"""

from __future__ import annotations

import gc
import inspect
import itertools
import statistics
import subprocess
import sys
import textwrap
import time
import timeit
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import REPO, arguments, at_most, emit, other_interpreters, paired
from _subjects import SHAPES, subjects
from zope.interface import Attribute, Interface, implementer
from zope.interface.interface import InterfaceClass
from zope.interface.verify import verifyObject

from parsl_executor_protocol import JobStatusLike, ParslExecutorProtocol, check
from parsl_executor_protocol._memo import identity
from parsl_executor_protocol.checking import _engine

#: Which isinstance hook the engine installed: the C one where it was built.
HOOK = "C" if _engine.HOOK_IN_C else "Python"

#: Rounds per measurement, classes per first-call round, and seconds one timed batch lasts.
REPEATS, FRESH_CLASSES, BATCH_SECONDS, FIRST_ROUNDS = 7, 200, 0.01, 15
QUICK = (3, 20, 0.002, 3)


# --- the anchors of P2: the same members as ParslExecutorProtocol, as a zope.interface interface ---------


# zope.interface describes methods by functions without self.
def _submit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
    raise NotImplementedError


def _start() -> None: ...
def _shutdown() -> Optional[bool]: ...


def _scale_in(blocks: int) -> List[Any]:
    raise NotImplementedError


def _scale_out(blocks: int) -> List[Any]:
    raise NotImplementedError


def _status() -> Mapping[Any, JobStatusLike]:
    raise NotImplementedError


def _set_bad_state_and_fail_all(exception: Exception) -> None: ...


_ATTRIBUTES = ("label", "scaling_enabled", "bad_state_is_set", "executor_exception", "tasks", "hub_address",
               "hub_port", "run_dir")
_METHODS = (_submit, _start, _shutdown, _scale_in, _scale_out, _status, _set_bad_state_and_fail_all)
#: ParslExecutorProtocol's members, as a zope.interface interface.
IExecutor: Any = InterfaceClass(
    "IExecutor",
    (Interface,),
    {**{name: Attribute(name) for name in _ATTRIBUTES}, **{f.__name__[1:]: f for f in _METHODS}},
)


# --- the executor: a fresh class each time this runs ---------------------------------------------------


def make_executor_class() -> type:
    """Execute the class statement of a conforming executor (``label`` set in ``__init__``)."""

    @implementer(IExecutor)
    class InlineExecutor:
        def __init__(self) -> None:
            self.label = "inline"
            self._tasks: Dict[int, Future[Any]] = {}
            self._hub_address: Optional[str] = None
            self._hub_port: Optional[int] = None
            self._run_dir = "."

        def submit(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()
            future.set_result(func(*args, **kwargs))
            self._tasks[len(self._tasks)] = future
            return future

        def start(self) -> None:
            pass

        def shutdown(self) -> bool:
            return True

        def scale_in(self, blocks: int) -> List[Any]:
            return []

        def scale_out(self, blocks: int) -> List[Any]:
            return []

        def status(self) -> Dict[Any, JobStatusLike]:
            return {}

        def set_bad_state_and_fail_all(self, exception: Exception) -> None:
            pass

        @property
        def scaling_enabled(self) -> bool:
            return False

        @property
        def bad_state_is_set(self) -> bool:
            return False

        @property
        def executor_exception(self) -> Optional[BaseException]:
            return None

        @property
        def tasks(self) -> Dict[int, Future[Any]]:
            return self._tasks

        @property
        def hub_address(self) -> Optional[str]:
            return self._hub_address

        @hub_address.setter
        def hub_address(self, value: Optional[str]) -> None:
            self._hub_address = value

        @property
        def hub_port(self) -> Optional[int]:
            return self._hub_port

        @hub_port.setter
        def hub_port(self, value: Optional[int]) -> None:
            self._hub_port = value

        @property
        def run_dir(self) -> str:
            return self._run_dir

        @run_dir.setter
        def run_dir(self, value: str) -> None:
            self._run_dir = value

    return InlineExecutor


# --- measurements --------------------------------------------------------------------------------------


def _number(timer: timeit.Timer) -> int:
    """Calls per timed batch, so that a batch lasts about BATCH_SECONDS."""
    calls = 100
    while True:
        elapsed = timer.timeit(calls)
        if elapsed >= BATCH_SECONDS / 4 or calls >= 10_000_000:
            return max(1, int(calls * BATCH_SECONDS / max(elapsed, 1e-9)))
        calls *= 4


def _interleaved(statements: Dict[str, str], namespace: Dict[str, Any]) -> Dict[str, float]:
    """Median microseconds per call of each statement, over REPEATS rounds in which they alternate."""
    timers = {name: timeit.Timer(statement, globals=namespace) for name, statement in statements.items()}
    numbers = {name: _number(timer) for name, timer in timers.items()}
    times: Dict[str, List[float]] = {name: [] for name in timers}
    for _ in range(REPEATS):
        for name, timer in timers.items():
            times[name].append(timer.timeit(numbers[name]) / numbers[name] * 1e6)
    return {name: statistics.median(values) for name, values in times.items()}


def _typing_limit() -> float:
    return 0.8 if sys.version_info >= (3, 12) else 1 / 30


def measure_p1() -> None:
    """P1: isinstance on every protocol, four implementation shapes, against typing and the floor."""
    limit = _typing_limit()
    typing_text = ">= 30x faster than typing's isinstance"
    if sys.version_info >= (3, 12):
        typing_text = "<= 0.8x typing's cached isinstance"
    for subject in subjects():
        for shape in SHAPES:
            x = subject.instances[shape]
            conforms = isinstance(x, subject.protocol)
            assert isinstance(x, subject.plain), (subject.name, shape)
            namespace = {"x": x, "ours": subject.protocol, "plain": subject.plain}
            times = _interleaved(
                {"ours": "isinstance(x, ours)", "typing": "isinstance(x, plain)", "floor": "isinstance(x, object)"},
                namespace,
            )
            common = {"protocol": subject.name, "shape": shape, "members": subject.member_count,
                      "conforms": conforms, "isinstance_hook": HOOK}
            emit("P1_isinstance_vs_typing", times["ours"], times["typing"], "us", **common,
                 **at_most("P1-typing", typing_text, times["ours"] / times["typing"], limit))
            emit("P1_isinstance_vs_floor", times["ours"], times["floor"], "us", **common,
                 **at_most("P1-floor", "<= 8x isinstance(x, object)", times["ours"] / times["floor"], 8.0))


_SOURCE = textwrap.dedent(inspect.getsource(make_executor_class))
_compiled = itertools.count()


def _recompiled_class() -> type:
    """The same class statement compiled anew: new code objects, nothing shared with earlier classes."""
    namespace = dict(globals())
    exec(compile(_SOURCE, f"<recompiled {next(_compiled)}>", "exec", dont_inherit=True), namespace)
    return namespace["make_executor_class"]()  # type: ignore[no-any-return]


def _first_calls_paired(make: Callable[[], type]) -> Tuple[float, float]:
    """Microseconds per first ``check()`` and per ``verifyObject``, each on FRESH_CLASSES new classes of its own.

    The two are timed call by call in pairs, the one called first alternating,
    so that both sides of every pair run at the machine's speed of that moment.
    On a shared machine that speed drifts within milliseconds: timed as one
    batch of 200 calls per side in turn (about 10 ms each), the two batches of
    one round differed by up to 2x.  As timeit does, the garbage collector is
    off while timing (after a collection).
    """
    sides = ((check, [make()() for _ in range(FRESH_CLASSES)]), (_zope, [make()() for _ in range(FRESH_CLASSES)]))
    clock = time.perf_counter
    spent = [0.0, 0.0]
    gc.collect()
    gc.disable()
    try:
        for index in range(FRESH_CLASSES):
            for side in (0, 1) if index % 2 else (1, 0):
                call, instance = sides[side][0], sides[side][1][index]
                start = clock()
                call(instance)
                spent[side] += clock() - start
    finally:
        gc.enable()
    return spent[0] / FRESH_CLASSES * 1e6, spent[1] / FRESH_CLASSES * 1e6


def _zope(obj: object) -> object:
    return verifyObject(IExecutor, obj)


class _ConstantHook(type):
    """A metaclass whose ``__instancecheck__`` is the least a Python-level hook can do: answer at once."""

    def __instancecheck__(cls, instance: Any) -> bool:
        return True


_TABLES: Dict[int, Dict[int, bool]] = {}


class _LookupHook(type):
    """A metaclass whose ``__instancecheck__`` only looks the answer up, keyed by identity, as a cache must.

    With the engine's identity key (``id()``, or ``object.__hash__`` where an
    audit hook makes ``id()`` slow: see ``parsl_executor_protocol._memo``).
    """

    def __instancecheck__(cls, instance: Any) -> bool:
        try:
            return _TABLES[identity(cls)][identity(type(instance))]
        except KeyError:
            return False


def measure_hook_floor() -> None:
    """Reported, no goal: what any Python-level ``__instancecheck__`` costs, against ``isinstance(x, object)``.

    It bounds the P1-floor goal from below for the engine's pure-Python hook,
    which does the lookup below and then applies the class's verdict; the C
    hook, installed where it was built, pays neither the bound method nor the
    frame.
    """
    constant = _ConstantHook("Constant", (), {})
    lookup = _LookupHook("Lookup", (), {})
    x = make_executor_class()()
    _TABLES[identity(lookup)] = {identity(type(x)): True}
    namespace = {"x": x, "constant": constant, "lookup": lookup}
    times = _interleaved(
        {"constant": "isinstance(x, constant)", "lookup": "isinstance(x, lookup)", "floor": "isinstance(x, object)"},
        namespace,
    )
    for name, what in (("constant", "returns True"), ("lookup", "two dict lookups keyed by identity")):
        emit(f"P1_python_hook_{name}", times[name], times["floor"], "us", hook=what,
             note="reported without a goal: the least a Python-level __instancecheck__ costs")


def measure_alternating() -> None:
    """Reported, no goal: isinstance and check() on instances of four classes in turn, each a class other than the last.

    The hot paths remember the (protocol, class) they looked up last; in turn,
    every call misses that and looks the class up in the protocol's table.
    The anchor is the same sixteen calls grouped by class (four in a row of
    each), which miss four times; typing's isinstance in turn is reported
    alongside (``typing_us``).
    """
    subject = next(s for s in subjects() if s.protocol is ParslExecutorProtocol)
    xs = [subject.instances[shape] for shape in SHAPES]
    assert len({type(x) for x in xs}) == len(xs)
    assert all(isinstance(x, subject.protocol) and isinstance(x, subject.plain) for x in xs)
    in_turn, grouped = xs * len(xs), [x for x in xs for _ in xs]
    namespace = {"in_turn": in_turn, "grouped": grouped, "ours": subject.protocol, "plain": subject.plain,
                 "check": check}
    times = _interleaved(
        {
            "ours": "for y in in_turn: isinstance(y, ours)",
            "ours_grouped": "for y in grouped: isinstance(y, ours)",
            "typing": "for y in in_turn: isinstance(y, plain)",
            "check": "for y in in_turn: check(y)",
            "check_grouped": "for y in grouped: check(y)",
        },
        namespace,
    )
    calls = len(in_turn)
    note = "reported without a goal: the anchor is the same calls grouped by class"
    emit("P1_isinstance_in_turn", times["ours"] / calls, times["ours_grouped"] / calls, "us", classes=len(xs),
         typing_us=round(times["typing"] / calls, 4), note=note)
    emit("P2_check_in_turn", times["check"] / calls, times["check_grouped"] / calls, "us", classes=len(xs), note=note)


def measure_p2() -> None:
    """P2: the first check() of new classes against verifyObject; repeated check() against the floor."""
    executor = make_executor_class()()
    assert check(executor).ok
    assert verifyObject(IExecutor, executor)
    _first_calls_paired(make_executor_class)  # compile the protocol once; not counted
    for make, variant in ((make_executor_class, "class statement re-executed (same code objects)"),
                          (_recompiled_class, "class statement compiled anew (new code objects)")):
        ours_rounds, zope_rounds = [], []
        for _ in range(FIRST_ROUNDS):
            ours_us, zope_us = _first_calls_paired(make)
            ours_rounds.append(ours_us)
            zope_rounds.append(zope_us)
        ours, anchor = statistics.median(ours_rounds), statistics.median(zope_rounds)
        ratio = paired(ours_rounds, zope_rounds)
        emit("P2_check_first_call", ours, anchor, "us", variant=variant, classes=FRESH_CLASSES, rounds=FIRST_ROUNDS,
             **at_most("P2-first", "first check() of a new class <= zope's verifyObject", ratio, 1.0))

    namespace = {"x": executor, "check": check, "verify": verifyObject, "IExecutor": IExecutor}
    times = _interleaved(
        {"ours": "check(x)", "floor": "isinstance(x, object)", "zope": "verify(IExecutor, x)"}, namespace
    )
    emit("P2_check_repeat", times["ours"], times["floor"], "us", zope_us=round(times["zope"], 4),
         **at_most("P2-repeat", "repeated check() <= 20x isinstance(x, object)", times["ours"] / times["floor"], 20.0))


def main() -> None:
    """Measure here, then under every other interpreter present."""
    global REPEATS, FRESH_CLASSES, BATCH_SECONDS, FIRST_ROUNDS
    args = arguments(__doc__, interpreters=True).parse_args()
    if args.quick:
        REPEATS, FRESH_CLASSES, BATCH_SECONDS, FIRST_ROUNDS = QUICK
    measure_p1()
    measure_hook_floor()
    measure_alternating()
    measure_p2()
    if args.here_only:
        return
    rest = ["--here-only"] + (["--quick"] if args.quick else [])
    for python in other_interpreters(args.python):
        proc = subprocess.run([python, __file__, *rest], cwd=REPO, check=False)
        if proc.returncode:
            sys.exit(f"bench_isinstance: {python} failed (exit {proc.returncode})")


if __name__ == "__main__":
    main()
