"""CPython's own ``concurrent.futures`` tests, loaded by name where the interpreter ships them."""

from __future__ import annotations

import importlib
import sys
from typing import Any, Optional, Tuple


def cpython_test_classes(*names: Tuple[str, str]) -> Optional[Tuple[Any, ...]]:
    """The classes named, each as (its module in the 3.13+ package, class name); ``None`` where not shipped.

    Some Python builds ship without the ``test`` package (here: 3.11 and 3.12).
    """
    try:
        if sys.version_info >= (3, 13):  # 3.13 split the module into a package
            return tuple(
                getattr(importlib.import_module(f"test.test_concurrent_futures.{module}"), name)
                for module, name in names
            )
        single = importlib.import_module("test.test_concurrent_futures")
        return tuple(getattr(single, name) for _, name in names)
    except (ImportError, AttributeError):
        return None
