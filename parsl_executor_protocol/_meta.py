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

    ``isinstance``/``issubclass`` start as tiny trampolines: the first check
    imports the runtime engine (``parsl_executor_protocol.checking``), which
    replaces both with its own functions through :func:`install_dispatch`, so
    importing the package never imports the engine.  The checks are installed
    as methods rather than wrapped, because ``typing`` decides whether a class
    check is allowed by looking at its caller's frame, and a wrapper frame
    would change that answer.
    """

    def __instancecheck__(cls, instance: Any) -> bool:
        return bool(_engine_method("__instancecheck__", base_instancecheck)(cls, instance))

    def __subclasscheck__(cls, other: Any) -> bool:
        return bool(_engine_method("__subclasscheck__", base_subclasscheck)(cls, other))


_TRAMPOLINES = {name: ContractMeta.__dict__[name] for name in ("__instancecheck__", "__subclasscheck__")}


def _engine_method(name: str, fallback: Callable[..., Any]) -> Callable[..., Any]:
    """Import the engine (which installs its checks) and return the check now installed."""
    from .checking import _engine  # noqa: F401  (importing it installs the engine's checks)

    method = ContractMeta.__dict__.get(name)
    if method is None or method is _TRAMPOLINES[name]:
        # The checks were uninstalled (install_hooks(None, None)): typing's behaviour.
        return fallback
    return method  # type: ignore[no-any-return]


def install_dispatch(
    instancecheck: Callable[[Any, Any], bool], subclasscheck: Callable[[Any, Any], bool]
) -> None:
    """Install ``isinstance``/``issubclass`` checks for every class of the metaclass, as they are.

    Unlike :func:`install_hooks` the callables are called for every class
    using the metaclass, protocols or not, without a wrapper frame: they must
    themselves use :data:`base_instancecheck`/:data:`base_subclasscheck` for
    classes that merely inherit from a protocol.
    """
    ContractMeta.__instancecheck__ = instancecheck  # type: ignore[method-assign, assignment]
    ContractMeta.__subclasscheck__ = subclasscheck  # type: ignore[method-assign, assignment]


def install_hooks(
    instancecheck: Optional[Callable[[type, Any], bool]],
    subclasscheck: Optional[Callable[[type, type], bool]],
) -> None:
    """Route ``isinstance``/``issubclass`` on the package's protocols through the given callables.

    Classes that merely inherit from a protocol keep ``typing``'s nominal
    behaviour.  Passing ``None`` restores ``typing``'s own behaviour for that check.
    """
    base_instancecheck = _ProtocolMetaBase.__instancecheck__
    base_subclasscheck = _ProtocolMetaBase.__subclasscheck__

    if instancecheck is None:
        if "__instancecheck__" in ContractMeta.__dict__:
            delattr(ContractMeta, "__instancecheck__")
    else:
        hook_i = instancecheck

        def __instancecheck__(cls: ABCMeta, instance: Any) -> bool:
            if is_protocol_class(cls):
                return hook_i(cls, instance)
            return bool(base_instancecheck(cls, instance))

        ContractMeta.__instancecheck__ = __instancecheck__  # type: ignore[method-assign]

    if subclasscheck is None:
        if "__subclasscheck__" in ContractMeta.__dict__:
            delattr(ContractMeta, "__subclasscheck__")
    else:
        hook_s = subclasscheck

        def __subclasscheck__(cls: ABCMeta, other: Any) -> bool:
            if is_protocol_class(cls):
                return hook_s(cls, other)
            return bool(base_subclasscheck(cls, other))

        ContractMeta.__subclasscheck__ = __subclasscheck__  # type: ignore[method-assign]
