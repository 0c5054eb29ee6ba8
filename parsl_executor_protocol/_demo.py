"""The main job behind ``make demo``: which of the installed parsl's executors satisfy which contract."""

from __future__ import annotations

import sys
from typing import Callable, Dict, List, Sequence, TextIO, Tuple

from .protocols import (
    CurrentBlockProviderExecutorProtocol,
    CurrentParslExecutorProtocol,
    ParslExecutorProtocol,
    required_members,
)

CONTRACTS: Dict[str, type] = {
    "2020": ParslExecutorProtocol,
    "current": CurrentParslExecutorProtocol,
    "current+blocks": CurrentBlockProviderExecutorProtocol,
}


def _parsl_executors() -> List[Tuple[str, Callable[[], object]]]:
    """Factories for the installed parsl's executors that can be built without external services."""
    from parsl.executors import HighThroughputExecutor, MPIExecutor, ThreadPoolExecutor
    from parsl.launchers import SimpleLauncher
    from parsl.providers import LocalProvider

    return [
        ("parsl ThreadPoolExecutor", ThreadPoolExecutor),
        ("parsl HighThroughputExecutor", HighThroughputExecutor),
        ("parsl MPIExecutor", lambda: MPIExecutor(provider=LocalProvider(launcher=SimpleLauncher()))),  # type: ignore[no-untyped-call]
    ]


def missing_members(obj: object, protocol: type) -> List[str]:
    """Names of ``protocol``'s required members that ``obj`` lacks."""
    return sorted(name for name in required_members(protocol) if not hasattr(obj, name))


def run_demo(out: TextIO = sys.stdout, executors: Sequence[Tuple[str, Callable[[], object]]] = ()) -> int:
    """Print, for each executor, which contract it satisfies and what it lacks; return an exit code."""
    try:
        import parsl
    except ImportError:
        print("parsl is not installed: pip install 'parsl-executor-protocol[parsl]'", file=sys.stderr)
        return 2
    executors = list(executors) or _parsl_executors()
    print(f"parsl {parsl.__version__}: executors against the contracts", file=out)
    width = max(len(name) for name, _ in executors)
    print(f"{'executor':<{width}}  " + "  ".join(f"{c:<14}" for c in CONTRACTS), file=out)
    for name, factory in executors:
        executor = factory()
        cells = []
        for protocol in CONTRACTS.values():
            cells.append(f"{'yes' if isinstance(executor, protocol) else 'no':<14}")
        print(f"{name:<{width}}  " + "  ".join(cells), file=out)
        for label, protocol in CONTRACTS.items():
            gaps = missing_members(executor, protocol)
            if gaps:
                print(f"{'':<{width}}    {label}: lacks {', '.join(gaps)}", file=out)
    return 0
