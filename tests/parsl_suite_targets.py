"""Targets for parsl-suite's smoke tests: ``tests/parsl_suite_targets.py:Name``.

Importing this module imports nothing heavy; parsl is imported by the factories.
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any, Callable, Dict


def never_completes() -> Any:
    """Parsl's ThreadPoolExecutor, except that no task's future ever completes: each test must time out."""
    from parsl.executors import ThreadPoolExecutor

    class NeverCompletes(ThreadPoolExecutor):
        def submit(self, func: Callable[..., Any], resource_specification: Dict[str, Any],
                   *args: Any, **kwargs: Any) -> Future[Any]:
            return Future()

    return NeverCompletes(label="never")
