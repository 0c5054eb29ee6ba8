"""The metaclass shared by every protocol this package defines.

``typing``'s protocol metaclass gives different ``isinstance`` answers on
Python 3.10/3.11 and 3.12+ (it runs property getters on the former), is slow
for protocols with many members, and raises ``TypeError`` from ``issubclass``
for protocols with data members.  Routing the package's protocols through one
metaclass gives the runtime conformance engine a single place to take over
those checks.
"""

from __future__ import annotations

from abc import ABCMeta
from typing import TYPE_CHECKING, Any, Callable, Optional

import typing_extensions

if TYPE_CHECKING:
    # Type checkers model every protocol's metaclass as ABCMeta; the real
    # metaclass is private to typing/typing_extensions, so it is only named
    # at run time.
    _ProtocolMetaBase = ABCMeta
else:
    _ProtocolMetaBase = type(typing_extensions.Protocol)


def is_protocol_class(cls: type) -> bool:
    """Return whether ``cls`` itself is a protocol (not a class that merely inherits from one)."""
    return bool(cls.__dict__.get("_is_protocol", False))


base_instancecheck = _ProtocolMetaBase.__instancecheck__
base_subclasscheck = _ProtocolMetaBase.__subclasscheck__


class ContractMeta(_ProtocolMetaBase):
    """Metaclass of the package's protocols; the runtime engine installs its checks here.

    Declare a protocol of your own with it (``class Node(Protocol,
    metaclass=ContractMeta)``, ``@runtime_checkable`` for ``isinstance``) and
    ``isinstance``, ``issubclass``, ``check()`` and ``conforms()`` judge it as
    they judge the package's, on every Python, without running the object's
    code.

    ``isinstance``/``issubclass`` start as tiny trampolines: the first check
    calls the loader the package facade registered (:func:`set_engine_loader`),
    which imports the runtime engine; the engine replaces both with its own
    functions through :func:`install_dispatch`, so importing the package never
    imports the engine, and this module never imports it either.  The checks are installed
    as methods rather than wrapped, because ``typing`` decides whether a class
    check is allowed by looking at its caller's frame, and a wrapper frame
    would change that answer.
    """

    def __instancecheck__(cls, instance: Any) -> bool:
        return bool(_engine_method("__instancecheck__", base_instancecheck)(cls, instance))

    def __subclasscheck__(cls, other: Any) -> bool:
        return bool(_engine_method("__subclasscheck__", base_subclasscheck)(cls, other))


_TRAMPOLINES = {name: ContractMeta.__dict__[name] for name in ("__instancecheck__", "__subclasscheck__")}

# Loads the runtime engine, which then installs its checks with install_dispatch.  Set by
# the package facade: this module never imports the engine, the engine imports it.
_engine_loader: Optional[Callable[[], object]] = None


def set_engine_loader(loader: Callable[[], object]) -> None:
    """Name the function that loads the runtime engine on the first ``isinstance``/``issubclass``."""
    global _engine_loader  # noqa: PLW0603  (set once, by the package facade)
    _engine_loader = loader


def _engine_method(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """Load the engine (which installs its checks) and return the check now installed."""
    if _engine_loader is not None:
        _engine_loader()
    method = ContractMeta.__dict__.get(name)
    if method is None or method is _TRAMPOLINES[name]:
        return fallback  # No engine: typing's behaviour.
    return method  # type: ignore[no-any-return]


def install_dispatch(
    instancecheck: Callable[[Any, Any], bool], subclasscheck: Callable[[Any, Any], bool]
) -> None:
    """Install ``isinstance``/``issubclass`` checks for every class of the metaclass, as they are.

    The callables are called for every class using the metaclass, protocols
    or not, without a wrapper frame: they must themselves use
    :data:`base_instancecheck`/:data:`base_subclasscheck` for classes that
    merely inherit from a protocol.
    """
    ContractMeta.__instancecheck__ = instancecheck  # type: ignore[method-assign, assignment]
    ContractMeta.__subclasscheck__ = subclasscheck  # type: ignore[method-assign, assignment]
