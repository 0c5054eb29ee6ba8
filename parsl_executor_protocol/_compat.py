"""Python-version differences, each with the reason it exists.

Feature detection is preferred to version numbers where a feature can be
probed; every flag says why the code needs to know.
"""

from __future__ import annotations

import sys

#: typing's protocol isinstance uses inspect.getattr_static from 3.12 on
#: (CPython PR #103034); earlier versions run property getters and __getattr__.
PY_3_12_PLUS = sys.version_info >= (3, 12)
