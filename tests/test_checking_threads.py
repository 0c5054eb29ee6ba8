"""Threads: checks never raise because another thread changes a class, an instance, or the cache."""

from __future__ import annotations

import contextlib
import gc
import sys
import threading
import time
import traceback
from typing import Any, List

import pytest

import parsl_executor_protocol as pep
from parsl_executor_protocol import ParslExecutorProtocol, check, clear_cache, conforms

from .fixtures_abc2020 import Concrete2020Executor

CHECKERS = 16
ROUNDS = 300
EXTRAS = 400
#: Seconds the checkers run at most: on a slow machine they stop before ROUNDS rather than time out.
BUDGET = 45.0
#: Seconds past the budget a checker may take to finish its round; one still running after is hung.
GRACE = 30.0


def _make_classes() -> List[type]:
    # Fresh classes per run, so that the first checks (plans being built) race too.
    # Many members, so that reading a namespace takes long enough for another thread to step in.
    namespace = {f"value{i}": i for i in range(EXTRAS)}
    classes = [type(f"Threaded{i}", (Concrete2020Executor,), dict(namespace)) for i in range(4)]
    # Labelled only through `self.label = ...` in a method: the class check reads the methods' code.
    classes += [type(f"SelfLabelled{i}", (SelfLabelled,), dict(namespace)) for i in range(2)]
    return classes


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    return f"{frames[-1].name} ({frames[-1].filename}:{frames[-1].lineno})" if frames else "?"


class SelfLabelled:
    """A class whose label comes from an assignment in __init__, not from an annotation."""

    def __init__(self) -> None:
        self.label = "self"


@pytest.mark.timeout(int(BUDGET + 2 * GRACE))
def test_checks_under_concurrent_mutation_never_raise() -> None:
    """16 checking threads, mutating threads and clear_cache() together: no error, no unraisable error, no hang."""
    errors: List[str] = []
    previous_hook, previous_unraisable = threading.excepthook, sys.unraisablehook

    def record_thread_error(args: Any) -> None:
        errors.append(f"thread: {args.exc_type.__name__}: {args.exc_value} in {_where(args.exc_value)}")

    def record_unraisable(args: Any) -> None:
        errors.append(f"unraisable: {args.exc_type.__name__}: {args.exc_value} in {args.object!r}")

    threading.excepthook = record_thread_error
    sys.unraisablehook = record_unraisable
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: races show within a few rounds
    stop = threading.Event()
    try:
        classes = _make_classes()
        instances = [cls() for cls in classes for _ in range(4)]
        for obj in instances:
            obj.__dict__.update((f"value{i}", i) for i in range(EXTRAS))
        deadline = time.monotonic() + BUDGET

        def checker() -> None:
            try:
                # A slow machine runs fewer rounds, never past the budget: only a hang outlasts it.
                for index in range(ROUNDS):
                    if stop.is_set() or time.monotonic() > deadline:
                        break
                    obj = instances[index % len(instances)]
                    isinstance(obj, ParslExecutorProtocol)
                    conforms(obj)
                    check(obj)
                    issubclass(type(obj), ParslExecutorProtocol)  # type: ignore[misc]  # the engine answers at runtime
                    check(type(obj), pep.Labelled)
            except Exception as error:
                errors.append(f"{type(error).__name__}: {error} in {_where(error)}")

        def class_mutator() -> None:
            index = 0
            keep: List[type] = []
            while not stop.is_set():
                cls = classes[index % len(classes)]
                setattr(cls, f"extra{index % 50}", index)
                if index % 3 == 0:
                    with contextlib.suppress(AttributeError):
                        delattr(cls, f"extra{(index - 30) % 50}")
                # Short-lived classes: their weakref callbacks fire while others iterate the cache.
                doomed = type(f"Checked{index}", (Concrete2020Executor,), {})
                isinstance(doomed(), ParslExecutorProtocol)
                keep.append(doomed)
                if len(keep) > 20:
                    del keep[:10]
                    gc.collect()
                index += 1

        def instance_mutator() -> None:
            index = 0
            while not stop.is_set():
                obj = instances[index % len(instances)]
                obj.__dict__[f"extra{index % 50}"] = index
                obj.__dict__.pop(f"extra{(index - 25) % 50}", None)
                # A method overridden on the instance sends checks to the full evaluation.
                if index % 2:
                    obj.__dict__["submit"] = len
                else:
                    obj.__dict__.pop("submit", None)
                index += 1

        def clearer() -> None:
            index = 0
            while not stop.is_set():
                clear_cache(classes[index % len(classes)] if index % 2 else None)
                index += 1

        # Daemons, and stop set on every way out: a hung or timed-out run leaves no thread
        # mutating classes and clearing the cache under the tests that follow.
        checkers = [threading.Thread(target=checker, daemon=True) for _ in range(CHECKERS)]
        others = [threading.Thread(target=work, daemon=True) for work in (class_mutator, instance_mutator, clearer)]
        for thread in others + checkers:
            thread.start()
        for thread in checkers:
            thread.join(max(deadline + GRACE - time.monotonic(), 0.0))
        hung = sum(thread.is_alive() for thread in checkers)
        stop.set()
        for thread in others:
            thread.join(GRACE)
        assert not hung, f"{hung} checking thread(s) still running {GRACE:g} s after the budget: a hang"
    finally:
        stop.set()
        threading.excepthook = previous_hook
        sys.unraisablehook = previous_unraisable
        sys.setswitchinterval(switch_interval)
        clear_cache()
    assert sorted(set(errors))[:8] == [], f"{len(errors)} errors"


def test_a_parse_another_thread_disturbed_is_retried() -> None:
    """CPython 3.11's parser fails a parse another thread disturbed with SystemError: retried twice, then raised."""
    from parsl_executor_protocol.protocols._introspect import parser_race_retried

    calls: List[int] = []

    def disturbed(times: int) -> Any:
        def parse() -> str:
            calls.append(1)
            if len(calls) <= times:
                raise SystemError("AST constructor recursion depth mismatch (before=3, after=5)")
            return "parsed"

        return parse

    assert parser_race_retried(disturbed(2)) == "parsed"
    assert len(calls) == 3
    calls.clear()
    with pytest.raises(SystemError):
        parser_race_retried(disturbed(3))
    assert len(calls) == 3


def test_no_check_that_starts_after_a_clear_answers_from_what_it_dropped() -> None:
    """A class changed and cleared while threads check it: every check begun after clear_cache() sees the change.

    The hot paths remember the (protocol, class) they looked up last.  A thread
    that looked the class up just before the clear stores its entry after it;
    the entry carries the epoch read before the lookup, which the clear
    replaced, so that no later check uses it.
    """
    stale: List[str] = []
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for round_ in range(40):
            cls = type(f"Cleared{round_}", (Concrete2020Executor,), {})
            obj = cls()
            assert isinstance(obj, ParslExecutorProtocol)
            assert check(obj).ok
            cleared, stop = threading.Event(), threading.Event()

            def checker(obj: Any = obj, cleared: threading.Event = cleared, stop: threading.Event = stop) -> None:
                while not stop.is_set():
                    after = cleared.is_set()
                    verdicts = (isinstance(obj, ParslExecutorProtocol), check(obj).ok)
                    if after and any(verdicts):
                        stale.append(f"round {round_}: {verdicts}")
                        return

            threads = [threading.Thread(target=checker, daemon=True) for _ in range(4)]
            for thread in threads:
                thread.start()
            time.sleep(0.002)
            cls.start = None  # type: ignore[attr-defined]
            clear_cache(cls)
            cleared.set()
            time.sleep(0.005)
            stop.set()
            for thread in threads:
                thread.join(GRACE)
            assert not any(thread.is_alive() for thread in threads), "a checking thread hung"
    finally:
        sys.setswitchinterval(switch_interval)
        clear_cache()
    assert stale == []
