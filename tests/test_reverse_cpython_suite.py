"""CPython's own executor tests (``test.test_concurrent_futures``) against the reverse adapter.

The interpreter's test package holds the generic tests every executor of the
standard library passes: ExecutorTest (submit, keywords, map, map timeout,
references), WaitTests, AsCompletedTests and ExecutorShutdownTest.  They run
here unchanged on ``as_futures_executor(parsl ThreadPoolExecutor)``.  Some
Python builds ship without the test package (here: 3.11 and 3.12); the
matrix runs this module on those that have it.

Left out, each for a reason that is not a difference in behaviour: the tests
named in :data:`NOT_APPLICABLE`.
"""

from __future__ import annotations

import os
import sys
import unittest
from typing import Any, Dict, Optional, Tuple

import pytest

parsl = pytest.importorskip("parsl")
pytestmark = [pytest.mark.parsl, pytest.mark.timeout(300)]

from parsl.executors import ThreadPoolExecutor as ParslThreadPoolExecutor  # noqa: E402

from parsl_executor_protocol import ParslFuturesExecutor, as_futures_executor  # noqa: E402

from ._cpython_futures import cpython_test_classes  # noqa: E402

#: CPython tests that cannot apply to a wrapper, and why (nothing else is left out).
_CHILD = "runs a child interpreter that imports the executor class by name from concurrent.futures"
NOT_APPLICABLE: Dict[str, str] = {
    "test_interpreter_shutdown": _CHILD,
    "test_submit_after_interpreter_shutdown": _CHILD,
    "test_hang_gh83386": _CHILD,
}


def _suite_classes() -> Optional[Tuple[Any, ...]]:
    """(ExecutorMixin, BaseTestCase, ExecutorTest, WaitTests, AsCompletedTests, ExecutorShutdownTest), if shipped."""
    return cpython_test_classes(
        ("util", "ExecutorMixin"),
        ("util", "BaseTestCase"),
        ("executor", "ExecutorTest"),
        ("test_wait", "WaitTests"),
        ("test_as_completed", "AsCompletedTests"),
        ("test_shutdown", "ExecutorShutdownTest"),
    )


def parsl_thread_pool(max_workers: Optional[int] = None, **_: Any) -> ParslFuturesExecutor:
    """The executor under test, built as the CPython tests build theirs: ``executor_type(max_workers=n)``."""
    return as_futures_executor(ParslThreadPoolExecutor(max_threads=max_workers))


def parsl_high_throughput(max_workers: Optional[int] = None, **_: Any) -> ParslFuturesExecutor:
    """parsl's HighThroughputExecutor with a LocalProvider, one block of ``max_workers`` workers."""
    from parsl.executors import HighThroughputExecutor
    from parsl.providers import LocalProvider

    # parsl starts its interchange and workers by script name, as an activated environment finds them
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    provider = LocalProvider(init_blocks=1)  # type: ignore[no-untyped-call]
    return as_futures_executor(HighThroughputExecutor(provider=provider, max_workers_per_node=max_workers or 1))


#: Tests left out over HighThroughputExecutor, and why: each is parsl's doing, not the wrapper's.
NOT_APPLICABLE_HTEX: Dict[str, str] = {
    "test_free_reference": "parsl's result thread keeps the last finished future and its result until the next one",
    "test_map_timeout": "its 5 s budget includes parsl's block start, one strategy period (5 s) as under parsl.load",
    "test_max_workers_negative": "HighThroughputExecutor accepts max_workers_per_node=0 at construction",
}


_CLASSES = _suite_classes()

if _CLASSES is None:

    def test_cpython_suite_is_not_shipped_with_this_interpreter() -> None:
        """Recorded as a skip, so the report says the suite did not run here."""
        version = f"{sys.version_info.major}.{sys.version_info.minor}"
        pytest.skip(f"Python {version} ships without test.test_concurrent_futures")

else:
    ExecutorMixin, BaseTestCase, ExecutorTest, WaitTests, AsCompletedTests, ExecutorShutdownTest = _CLASSES

    class ReverseAdapterMixin(ExecutorMixin):  # type: ignore[misc, valid-type]
        """Builds the reverse adapter over parsl's ThreadPoolExecutor where the suite builds its pools."""

        executor_type = staticmethod(parsl_thread_pool)

    def _skip_not_applicable(cls: type, extra: Optional[Dict[str, str]] = None) -> type:
        for name, reason in {**NOT_APPLICABLE, **(extra or {})}.items():
            if hasattr(cls, name):
                setattr(cls, name, unittest.skip(f"not applicable to a wrapper: {reason}")(getattr(cls, name)))
        return cls

    @_skip_not_applicable
    class TestReverseExecutor(ReverseAdapterMixin, ExecutorTest, BaseTestCase):  # type: ignore[misc, valid-type]
        """CPython's ExecutorTest."""

    @_skip_not_applicable
    class TestReverseWait(ReverseAdapterMixin, WaitTests, BaseTestCase):  # type: ignore[misc, valid-type]
        """CPython's WaitTests."""

    @_skip_not_applicable
    class TestReverseAsCompleted(ReverseAdapterMixin, AsCompletedTests, BaseTestCase):  # type: ignore[misc, valid-type]
        """CPython's AsCompletedTests."""

    @_skip_not_applicable
    class TestReverseShutdown(ReverseAdapterMixin, ExecutorShutdownTest, BaseTestCase):  # type: ignore[misc, valid-type]
        """CPython's ExecutorShutdownTest."""

    # The same suite over parsl's HighThroughputExecutor: minutes, so only under `make test-slow`.
    class HighThroughputMixin(ExecutorMixin):  # type: ignore[misc, valid-type]
        """Builds the reverse adapter over HighThroughputExecutor where the suite builds its pools."""

        executor_type = staticmethod(parsl_high_throughput)

    for _name, _suite in (
        ("TestReverseHighThroughputExecutor", ExecutorTest),
        ("TestReverseHighThroughputWait", WaitTests),
        ("TestReverseHighThroughputAsCompleted", AsCompletedTests),
        ("TestReverseHighThroughputShutdown", ExecutorShutdownTest),
    ):
        globals()[_name] = pytest.mark.slow(
            _skip_not_applicable(
                type(_name, (HighThroughputMixin, _suite, BaseTestCase), {"__doc__": f"CPython's {_suite.__name__}."}),
                NOT_APPLICABLE_HTEX,
            )
        )
