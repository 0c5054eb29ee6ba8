"""Differences between mypy versions' internal APIs that the mypy plugin uses.

Supported: mypy 1.15 up to the newest 2.x.  The plugin uses a few functions
that are not part of mypy's plugin API (the protocol helpers of
``mypy.messages``) and reporting details that changed; every difference is
handled here, with the reason.  mypy is compiled with mypyc, whose functions
have no introspectable signature, so where behaviour cannot be probed the
version number decides.
"""

from __future__ import annotations

import re
from typing import Any, Callable, List, Optional, Tuple

import mypy.version
from mypy.errorcodes import ErrorCode
from mypy.errors import ErrorInfo
from mypy.messages import get_conflict_protocol_types
from mypy.nodes import Context
from mypy.options import Options
from mypy.plugin import CheckerPluginInterface
from mypy.types import Instance, Type

__all__ = ["MYPY_VERSION", "conflicting_members", "report_error", "report_note"]


def _parse(version: str) -> Tuple[int, int]:
    match = re.match(r"(\d+)\.(\d+)", version)
    return (int(match[1]), int(match[2])) if match else (0, 0)


#: (major, minor) of the running mypy; dev builds count as their release.
MYPY_VERSION = _parse(mypy.version.__version__)

#: mypy 1.16 checks property setter types separately (python/mypy#18510):
#: get_conflict_protocol_types() gained the ``original_left`` parameter and
#: returns 4-tuples ending in ``is_lvalue`` (the conflict is in the setter).
_CONFLICTS_HAVE_SETTERS = MYPY_VERSION >= (1, 16)


def conflicting_members(left: Instance, right: Instance, options: Options) -> List[Tuple[str, Type, Type, bool]]:
    """List ``(member, got, expected, in_setter)`` for members of protocol ``right`` that ``left`` has incompatibly."""
    # Typed loosely: the installed mypy's stubs describe only one of the two signatures.
    conflicts: Callable[..., List[Tuple[Any, ...]]] = get_conflict_protocol_types
    if _CONFLICTS_HAVE_SETTERS:
        return [
            (name, got, expected, bool(in_setter))
            for name, got, expected, in_setter in conflicts(left, left, right, options=options)
        ]
    # Before 1.16 a settable member's conflict covers getter and setter at once.
    return [(name, got, expected, False) for name, got, expected in conflicts(left, right, options=options)]


def report_error(api: CheckerPluginInterface, message: str, context: Context, code: ErrorCode) -> Optional[ErrorInfo]:
    """Report an error; return what notes must be attached to, if this mypy attaches notes to errors.

    From mypy 1.17 ``fail()`` returns the error's ``ErrorInfo`` and notes name it
    as ``parent_error`` so that they share its fate (``# type: ignore[code]``,
    ``--disable-error-code``); before, it returns ``None`` and a note follows
    its error through the shared error code alone.
    """
    # fail() is declared to return None in older mypy; the value is probed, not assumed.
    fail: Callable[..., object] = api.fail
    info = fail(message, context, code=code)
    return info if isinstance(info, ErrorInfo) else None


def report_note(
    api: CheckerPluginInterface, message: str, context: Context, code: ErrorCode, parent: Optional[ErrorInfo]
) -> None:
    """Report a note that belongs to an error reported with :func:`report_error`."""
    # The plugin interface has no note(); the checker's message builder does.
    note: Callable[..., None] = api.msg.note
    if parent is None:
        note(message, context, code=code)
    else:
        # parent_error exists from mypy 1.17 (see report_error).
        note(message, context, code=code, parent_error=parent)
