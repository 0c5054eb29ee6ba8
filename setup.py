"""The optional C part of the package: the checking engine's ``isinstance`` hook.

Everything else lives in pyproject.toml.  The extension is optional: where it
cannot be built (no C compiler, no Python headers), the install goes on and
the engine runs its pure-Python hook, with the same verdicts.  It is not built
for other interpreters than CPython, nor for free-threaded builds (whose GIL it
would switch back on), nor when ``PARSL_EXECUTOR_PROTOCOL_PURE_PYTHON`` is set.
"""

import os
import platform
import sysconfig
from typing import List

from setuptools import Extension, setup


def _extensions() -> List[Extension]:
    if (
        platform.python_implementation() != "CPython"
        or sysconfig.get_config_var("Py_GIL_DISABLED")
        or os.environ.get("PARSL_EXECUTOR_PROTOCOL_PURE_PYTHON")
    ):
        return []
    source = "parsl_executor_protocol/checking/_speedups.c"
    return [Extension("parsl_executor_protocol.checking._speedups", [source], optional=True)]


setup(ext_modules=_extensions())
