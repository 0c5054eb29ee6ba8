"""parsl-executor-protocol: the contract of a Parsl executor, stated once and checked three ways.

Importing this package is cheap: it defines the protocols and nothing else.
Parsl, mypy, hypothesis and dask are imported only by the modules that need
them.
"""

from typing import TYPE_CHECKING as _TYPE_CHECKING

from . import protocols as _protocols
from .declare import implemented_protocols as implemented_protocols
from .declare import implements as implements
from .protocols import *  # noqa: F403  (every name of the protocols package's __all__)
from .protocols import _meta

__version__ = "0.1.0"

# The public names that live in modules with heavier imports, each with its
# module: resolved on first access so that `import parsl_executor_protocol`
# stays cheap.  With the protocols package's __all__ this is the one list of
# the public names; __all__ below is built from the two.
_LAZY: dict[str, str] = {
    "ConformanceError": ".errors",
    **dict.fromkeys(
        ("ConformanceReport", "Violation", "ViolationKind", "assert_conforms", "check", "clear_cache", "conforms"),
        ".checking",
    ),
    **dict.fromkeys(
        ("ExecutorAdapter", "ExecutorAdapter2020", "ParslFuturesExecutor",
         "ParslUnsupportedResourceSpecificationError", "adapt", "as_futures_executor", "register_with_parsl"),
        ".adapters",
    ),
}

if _TYPE_CHECKING:  # the lazy names, re-exported for static checkers
    from .adapters import ExecutorAdapter as ExecutorAdapter
    from .adapters import ExecutorAdapter2020 as ExecutorAdapter2020
    from .adapters import ParslFuturesExecutor as ParslFuturesExecutor
    from .adapters import ParslUnsupportedResourceSpecificationError as ParslUnsupportedResourceSpecificationError
    from .adapters import adapt as adapt
    from .adapters import as_futures_executor as as_futures_executor
    from .adapters import register_with_parsl as register_with_parsl
    from .checking import ConformanceReport as ConformanceReport
    from .checking import Violation as Violation
    from .checking import ViolationKind as ViolationKind
    from .checking import assert_conforms as assert_conforms
    from .checking import check as check
    from .checking import clear_cache as clear_cache
    from .checking import conforms as conforms
    from .errors import ConformanceError as ConformanceError

__all__ = ["__version__", "implemented_protocols", "implements"]
__all__ += _protocols.__all__
__all__.extend(_LAZY)


def __getattr__(name: str) -> object:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _load_engine() -> object:
    # The protocols' metaclass calls this on the first isinstance/issubclass:
    # importing the engine installs its checks.
    import importlib

    return importlib.import_module(".checking._engine", __name__)


_meta.set_engine_loader(_load_engine)
