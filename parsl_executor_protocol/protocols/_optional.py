"""Optional protocol members: a registry the runtime engine and the mypy plugin both read.

PEP 544 has no optional members, and anything written in a protocol's body
becomes a required member.  An optional member is therefore declared by a
separate one-member protocol and attached to the main protocol with
:func:`with_optional`.  The attachment lives in a registry rather than on the
class so that subprotocols do not inherit it as a *required* member; the mypy
plugin recognises the decorator by its full name and records the same fact in
its own metadata.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Callable, Dict, Mapping, Tuple, TypeVar

_T = TypeVar("_T", bound=type)

_REGISTRY: Dict[type, Tuple[type, ...]] = {}


def _members_of(protocol: type) -> Tuple[str, ...]:
    # Imported here: typing_extensions is already loaded by any protocol module,
    # this only avoids a module-level cycle.
    import typing_extensions

    return tuple(sorted(typing_extensions.get_protocol_members(protocol)))


def with_optional(*member_protocols: type) -> Callable[[_T], _T]:
    """Class decorator: attach optional members to a protocol.

    Each argument is a protocol declaring exactly the optional members' names
    and types.  An implementation may lack those members; if it has one, it
    must match the declared type.

    >>> from typing_extensions import Protocol
    >>> class HasColour(Protocol):
    ...     @property
    ...     def colour(self) -> str: ...
    >>> @with_optional(HasColour)
    ... class Shape(Protocol):
    ...     sides: int
    >>> sorted(optional_members(Shape))
    ['colour']
    """
    for member_protocol in member_protocols:
        if not getattr(member_protocol, "_is_protocol", False):
            raise TypeError(
                f"with_optional() takes protocols declaring the optional members; "
                f"{member_protocol!r} is not a protocol"
            )

    def decorate(protocol: _T) -> _T:
        if not getattr(protocol, "_is_protocol", False):
            raise TypeError(f"with_optional() decorates a protocol; {protocol!r} is not one")
        required = set(_members_of(protocol))
        for member_protocol in member_protocols:
            clash = required.intersection(_members_of(member_protocol))
            if clash:
                raise TypeError(
                    f"{', '.join(sorted(clash))} cannot be both required and optional in "
                    f"{protocol.__qualname__}"
                )
        _REGISTRY[protocol] = _REGISTRY.get(protocol, ()) + tuple(member_protocols)
        return protocol

    return decorate


def optional_members(protocol: type) -> Mapping[str, type]:
    """Map each optional member name of ``protocol`` to the protocol that declares its type.

    Optional members are inherited: a protocol that extends one with optional
    members has them too.
    """
    required = set(_members_of(protocol))
    found: Dict[str, type] = {}
    for klass in reversed(getattr(protocol, "__mro__", (protocol,))):
        for member_protocol in _REGISTRY.get(klass, ()):
            for name in _members_of(member_protocol):
                # A subprotocol may make an inherited optional member required.
                if name not in required:
                    found[name] = member_protocol
    return MappingProxyType(found)


def required_members(protocol: type) -> frozenset[str]:
    """Return the names an implementation of ``protocol`` must have (optional members excluded)."""
    return frozenset(_members_of(protocol))
