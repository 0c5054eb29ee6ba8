"""Cached verdicts, keyed by class identity, and the guard against checking a cycle forever.

Verdicts are cached per (protocol, class).  Both are keyed by ``id()``:
hashing a class runs its metaclass's ``__hash__``, which may be user code (and
is Python code, hence slow, for typing_extensions' protocols on Python 3.10
and 3.11).  Protocols stay alive through :data:`models`; classes are watched through a
weak reference whose callback drops their entries when they die, so a dead
class's id is never answered from the cache.  A plan may hold the C
descriptor that reads its instances' ``__dict__`` or a slot, which belongs to
the class that introduced it and keeps that class alive, so that its weak
reference can never fire: such verdicts are dropped at the start of every full
garbage collection (see :func:`let_go_at_full_collections`), which can then
collect the class; a class still in use is judged again at its next check.
A per-protocol table holds at most :data:`MAX_CLASSES` classes, and starts
afresh when it is full.

What the cache holds is everything the *class* decides.  Facts about an
instance (its ``__dict__``, its slots) are read again on every check.

Threads: readers (``isinstance`` on the hot path) take no lock; a single
``dict.get`` or store is atomic.  Writers that loop over the tables (a store
into a full table, :func:`clear`, the weakref callback, which the garbage
collector may run in any thread at any time) take :data:`_lock`, reentrant
because the collector may run the callback in a thread already holding it,
and loop over snapshots, never over a dict another thread may be changing.
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
import weakref
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar

from .._memo import identity

#: Classes remembered per protocol before the table starts afresh.
MAX_CLASSES = 1024

#: identity(protocol) -> its model (see protocols._model), which keeps the protocol alive.
models: Dict[int, Any] = {}
#: identity(protocol) -> {identity(class): Plan}.
tables: Dict[int, Dict[int, Any]] = {}
#: The same tables, for the runtime-checkable protocols only: what isinstance/issubclass read.
hooked: Dict[int, Dict[int, Any]] = {}
#: Replaced, never changed, after anything that may leave a cached verdict stale (:func:`clear`,
#: :func:`install`): a recent entry (below) remembered under an older epoch is not used.
epoch: object = object()
#: What ``isinstance`` looked up last, and the same for ``check()``: ``(protocol, its table,
#: class, plan, epoch)``.  The hot paths try the class and then the protocol before the
#: identity-keyed lookups.  Read and replaced without a lock: a thread that read the epoch
#: before a clear stores its entry under the old one; a table is emptied before it is dropped
#: (see :func:`_drop`), so a stale table can only miss.  An entry holds its class, so every
#: full garbage collection starts by forgetting them (see :func:`_let_go`).
NO_RECENT: Tuple[Any, Dict[int, Any], Any, Any, object] = (None, {}, None, None, None)
recent_hooked = recent_checked = NO_RECENT
_watched: Dict[int, Any] = {}
_memos: List[Dict[Any, Any]] = []
_lock = threading.RLock()
_D = TypeVar("_D", bound=Dict[Any, Any])
_R = TypeVar("_R")


def memo(table: _D) -> _D:
    """Register a module's memo so that :func:`clear` empties it too; return it."""
    _memos.append(table)
    return table


def store(protocol_id: int, cls: type, key: int, plan: Any) -> None:
    """Remember ``plan`` for ``cls`` (whose identity is ``key``) and a protocol until ``cls`` dies or a clear.

    ``protocol_id`` is the protocol's identity.  A plan whose ``holds_class`` is true
    keeps ``cls`` alive, so it is also dropped at the start of every full garbage
    collection (see :func:`let_go_at_full_collections`).
    """
    watch = weakref.ref(cls, functools.partial(_forget, key)) if key not in _watched else None
    with _lock:
        table = tables.get(protocol_id)
        if table is None:
            return  # The cache was cleared meanwhile.
        if len(table) >= MAX_CLASSES:
            table.clear()
            _unwatch_unlisted()
        if watch is not None:
            _watched.setdefault(key, watch)
        table[key] = plan


def _unwatch_unlisted() -> None:
    # A class in no table needs no watch: without this, every class ever checked and still
    # alive would keep one, and the cache would grow with them (called with _lock held).
    listed: set[int] = set()
    for table in tables.values():
        listed.update(table)
    for key in [key for key in _watched if key not in listed]:
        del _watched[key]


def _forget(key: int, ref: weakref.ref[type]) -> None:
    # The callback of a cached class's weak reference, with the class's identity bound.
    with _lock:
        if _watched.get(key) is ref:
            del _watched[key]
        for table in list(tables.values()):
            table.pop(key, None)


def _let_go(phase: str, info: Dict[str, Any]) -> None:
    # A gc.callbacks entry: at the start of a full collection, before the collector looks for
    # garbage, drop the verdicts that keep their class alive and the recent entries (which hold
    # theirs), so that this very collection frees a class nothing else uses (and its weak
    # reference's callback, _forget, runs).  Their verdicts stay right: no new epoch.
    if phase != "start" or info.get("generation") != 2:
        return
    global recent_hooked, recent_checked  # noqa: PLW0603  (the hot paths read them as module attributes)
    recent_hooked = recent_checked = NO_RECENT
    with _lock:
        for table in list(tables.values()):
            for key, plan in list(table.items()):
                if plan.holds_class:
                    table.pop(key, None)


def let_go_at_full_collections() -> None:
    """Drop the verdicts that keep their class alive at the start of every full garbage collection.

    A class whose instances' ``__dict__`` or slots are read through its own C
    descriptor is held by its plan, and its weak reference can never fire;
    dropped before a full collection, it is collected by that collection once
    nothing else uses it.  A class still in use is judged again at its next
    check: one first check per full collection, where full collections are
    rare (the collector runs one when the objects that survived younger
    collections have grown by a quarter).  The classes ``isinstance`` and
    ``check()`` looked up last are let go at the same time.
    """
    if _let_go not in gc.callbacks:
        gc.callbacks.append(_let_go)


def clear(cls: Optional[type] = None) -> None:
    """Drop cached verdicts: all of them, or those of ``cls`` and of every class inheriting from it."""
    from ..protocols import _annotations, _model

    # Memos are keyed by code and annotations, not classes, but comparisons of
    # annotations naming a class used that class's verdict: they go too.
    _annotations.clear()
    for table in _memos:
        table.clear()
    _model.forget(cls)
    global recent_hooked, recent_checked, epoch  # noqa: PLW0603  (the hot paths read them as module attributes)
    with _lock:
        recent_hooked = recent_checked = NO_RECENT
        if cls is None:
            # Tables before models: a model found without its table is built afresh (see _engine.model_of).
            for key in list(tables):
                _drop(key)
            models.clear()
            _watched.clear()
        else:
            target = identity(cls)
            if models.pop(target, None) is not None:
                _drop(target)
            for table in list(tables.values()):
                for key, plan in list(table.items()):
                    if target in plan.mro_ids:
                        table.pop(key, None)
        # After the verdicts are gone: a thread that reads the new epoch finds them gone.
        epoch = object()


def install(key: int, model: Any, runtime_checkable: bool) -> None:
    """Make ``model`` the model of protocol ``key``, with a fresh verdict table in place of any old one."""
    global epoch  # noqa: PLW0603  (the hot paths read it as a module attribute)
    with _lock:
        _drop(key)
        models[key] = model
        table: Dict[int, Any] = {}
        tables[key] = table
        if runtime_checkable:
            hooked[key] = table
        epoch = object()  # the old model's verdicts, dropped above, may be a recent entry's


def _drop(key: int) -> None:
    # Emptied, not only dropped: a hot path may still hold it as its recent table.
    with _lock:
        table = tables.pop(key, None)
        hooked.pop(key, None)
        if table is not None:
            table.clear()


# --- cycles -------------------------------------------------------------------------------


#: How many levels below the object checked a check evaluates values typed with a protocol (a
#: member's value, that value's own, and so on) in full.  A value one level deeper has only its
#: quick tests run, which compare its members' types, as ``isinstance`` runs them on any value;
#: anything they leave open there, and every value deeper still, is not followed: like what
#: cannot be verified, it is taken to conform, and ``check()`` warns (see :func:`cut`).  The bound
#: is the engine's, not the interpreter's: the C hook and the Python hook count levels alike, and
#: a check of such a chain stays far inside the recursion limit.
NESTING_LIMIT = 64
#: What :func:`enter` returns for an instance it does not follow (see :data:`NESTING_LIMIT`).
CUT = -1
#: The threads whose stack holds entries (a check in Python under way), by ``threading.get_ident()``:
#: the C hook reads it before it follows a value in C (see ``protocol_passes``), where reading this
#: thread's own stack would cost more than the value's test.
busy: Dict[int, bool] = {}
_get_ident = threading.get_ident


class _Stack(threading.local):
    def __init__(self) -> None:
        self.keys: List[Any] = []
        #: How deep each entry of ``keys`` lies among the values followed (see :func:`enter`).
        self.levels: List[int] = []
        # Lowest stack index that a cycle assumed to hold; sys.maxsize when none.
        self.assumed = sys.maxsize
        #: The instances reported on during the check under way (see :func:`settled`).
        self.reports: Dict[Any, Tuple[object, type, Any, bool]] = {}
        #: How many values have not been followed, on this thread, because they lie too deep.
        self.cuts = 0


_stack = _Stack()


def enter(key: Any, skipped: Optional[int] = None) -> Optional[int]:
    """Start checking ``key``: its index on the stack; ``None`` if it is being checked further up (a cycle).

    A cycle is assumed to conform (as mypy does for recursive protocols); the
    assumption is settled when the outer check of ``key`` finishes.

    Levels count values from the object checked, at level 0 (an empty stack).
    ``skipped`` is given for a value the quick tests of an object met: it
    lies a level below that object, which is the entry on top of the stack,
    or one level below it when the entry's members are being evaluated (see
    :func:`values_below`), plus the ``skipped`` levels the C hook followed
    without entering them.  Any other instance is the value of a member being
    evaluated (or an item of it), at the level :func:`values_below` gave.
    An instance (a key ``("instance", ...)``) past :data:`NESTING_LIMIT` is
    not checked (:data:`CUT`; see :func:`cut`), but for a value met by the
    quick tests one level past it, whose own quick tests may still run (see
    :func:`in_full`).
    """
    stack = _stack
    keys = stack.keys
    if key in keys:
        stack.assumed = min(stack.assumed, keys.index(key))
        return None
    levels = stack.levels
    if not levels:
        busy[_get_ident()] = True
        level = 0 if skipped is None else 1 + skipped
    elif skipped is None and keys[-1] is VALUES:
        level = levels[-1]  # the value itself (or an item of it) whose level values_below() took
    else:
        level = levels[-1] + 1 + (skipped or 0)
    if level > NESTING_LIMIT + (skipped is not None) and key[0] == "instance":
        cut()
        return CUT
    keys.append(key)
    levels.append(level)
    return len(keys) - 1


def in_full(depth: int) -> bool:
    """Whether the instance entered at ``depth`` may be evaluated in full, or only by its quick tests.

    When not, the caller records a :func:`cut` and leaves the value to the
    full evaluation of the value above it, which warns.
    """
    return _stack.levels[depth] <= NESTING_LIMIT


#: The entry :func:`values_below` pushes: the level of the values of the members evaluated.
VALUES: Any = ("values",)


def values_below() -> int:
    """Mark that the members of the instance on top of the stack are being evaluated; returns what to :func:`leave`.

    Their values lie one level below it; the quick tests of such a value,
    which is not entered itself unless it is evaluated in full, meet values
    a level further down.
    """
    stack = _stack
    stack.keys.append(VALUES)
    stack.levels.append(stack.levels[-1] + 1)
    return len(stack.keys) - 1


def leave(depth: int) -> bool:
    """Finish the check started at ``depth``; whether its result may be cached.

    A result that relied on an assumption about a check further up the stack
    is not cached: that check may still fail.
    """
    stack = _stack
    del stack.keys[depth:]
    del stack.levels[depth:]
    cacheable = stack.assumed >= depth
    if not depth:
        busy.pop(_get_ident(), None)
        stack.reports.clear()
        stack.assumed = sys.maxsize
    elif cacheable:
        stack.assumed = sys.maxsize
    return cacheable


def class_check(key: Any, work: Callable[..., _R], *args: Any) -> Optional[Tuple[_R, bool]]:
    """``work(*args)`` as the check of the class ``key``: its result and whether it may be cached.

    ``None`` when ``key`` is being checked further up the stack (a cycle, which
    the caller assumes to conform).  A result may be cached unless it relied
    on an assumption about a check further up (see :func:`leave`) or a value
    below it was not followed (see :func:`cut`): where that value was met
    depends on where the check began, so the result is not a verdict on the
    class alone.
    """
    depth = enter(key)
    if depth is None:
        return None
    before = _stack.cuts
    try:
        result = work(*args)
    finally:
        cacheable = leave(depth)
    return result, cacheable and _stack.cuts == before


def cut() -> None:
    """Record that a value was not followed: it lies past :data:`NESTING_LIMIT`, or the recursion limit.

    The report on the value whose member led to it warns about that member
    (see ``_verdict.evaluate_value``); ``isinstance`` takes the value to
    conform, as it does anything that cannot be verified.  Where the value
    was reached depends on where the check began: a class verdict made
    meanwhile is not cached (see :func:`class_check`).
    """
    _stack.cuts += 1


def cuts() -> int:
    """How many values this thread has not followed so far (see :func:`cut`): compared before and after a check."""
    return _stack.cuts


# --- reports remembered for the rest of one check -----------------------------------------
#
# A value annotated with a protocol is tested quickly first and, when that cannot tell, in full
# (which tests its own protocol-typed values the same way): without a memory, a chain of such
# values that fails at its end is judged twice at every link, in time exponential in its length.
# The reports of the instances judged in full are remembered until the stack empties, when the
# outermost check finishes.  An entry holds its instance, whose identity cannot be reused while
# it is remembered, and its class, which an assignment to __class__ would change.


def settled(key: Any, obj: object) -> Optional[Tuple[Any, bool]]:
    """``(report, cut_below)`` remembered for ``obj`` under ``key`` during the check under way, else ``None``.

    A report made while a value below ``obj`` was not followed (``cut_below``)
    records that again (:func:`cut`): the check reusing it warns as the first
    one did.
    """
    stack = _stack
    found = stack.reports.get(key)
    if found is not None and found[0] is obj and found[1] is type(obj):
        if found[3]:
            cut()
        return found[2], found[3]
    return None


def settle(key: Any, obj: object, report: Any, cut_below: bool) -> None:
    """Remember the report on ``obj`` under ``key`` until the stack empties.

    Called after :func:`leave` said the report may be cached; nothing is
    remembered once the stack is empty: the report was the outermost one's.
    ``cut_below``: whether a value below ``obj`` was not followed.
    """
    stack = _stack
    if stack.keys:
        stack.reports[key] = (obj, type(obj), report, cut_below)


# --- classes changed by unittest.mock ----------------------------------------------------------
#
# Verdicts are cached per class and nothing tells Python code that a class
# changed (CPython's type version tag is not exposed; checking a snapshot on
# every isinstance would cost a large share of its time).  Test suites change
# classes mostly through unittest.mock's patchers, so those drop the verdicts
# of the class they patch when they start and when they stop.  unittest.mock
# is heavy to import: it is watched for, not imported.


def _forget_target(target: Any) -> None:
    from ..protocols._introspect import is_class

    if target is not None and is_class(target):
        clear(target)


def _hook_patcher(module: Any) -> None:
    patcher = getattr(module, "_patch", None)
    if patcher is None or getattr(patcher, "_parsl_executor_protocol_hooked", False):
        return
    enter, exit_ = patcher.__enter__, patcher.__exit__

    # The patcher is unittest.mock's own object: its __dict__ holds the target once entered.
    def __enter__(self: Any) -> Any:
        try:
            return enter(self)
        finally:
            _forget_target(self.__dict__.get("target"))

    def __exit__(self: Any, *exc_info: Any) -> Any:
        target = self.__dict__.get("target")  # __exit__ deletes it
        try:
            return exit_(self, *exc_info)
        finally:
            _forget_target(target)

    functools.update_wrapper(__enter__, enter)
    functools.update_wrapper(__exit__, exit_)
    patcher.__enter__, patcher.__exit__ = __enter__, __exit__
    patcher._parsl_executor_protocol_hooked = True


class _MockWatcher:
    """A meta path finder that hooks unittest.mock's patcher once the module is executed."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        """Let the other finders find ``unittest.mock``, and hook its loader; ``None`` for any other module."""
        if name != "unittest.mock":
            return None
        import importlib.util

        with _lock:
            if self in sys.meta_path:
                sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        loader = spec.loader if spec is not None else None
        execute = getattr(loader, "exec_module", None)
        if execute is None:
            return spec

        def exec_module(module: Any) -> None:
            execute(module)
            _hook_patcher(module)

        loader.exec_module = exec_module  # type: ignore[union-attr,method-assign]  # this spec's own loader
        return spec


def watch_mock_patches() -> None:
    """Make unittest.mock's patchers drop the verdicts of the classes they patch, now or once it is imported."""
    module = sys.modules.get("unittest.mock")
    if module is not None:
        _hook_patcher(module)
    elif not any(type(finder) is _MockWatcher for finder in sys.meta_path):
        sys.meta_path.insert(0, _MockWatcher())
