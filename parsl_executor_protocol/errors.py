"""Every exception the package raises on purpose.

Each subclasses a builtin so that callers can catch it either way, and each
message names the problem: which member, what was expected, what was found.
"""

from __future__ import annotations

__all__ = ["ParslExecutorProtocolError"]


class ParslExecutorProtocolError(Exception):
    """Base class of the package's own errors."""
