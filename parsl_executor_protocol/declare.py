"""Declaring that a class implements a protocol: ``@implements(P)``.

At run time the decorator records the claim on the class (see
:func:`implemented_protocols`) and, with ``verify=True``, checks it with the
runtime conformance engine.  Statically, the claim is checked at the class
definition:

* with the package's mypy plugin (``plugins = parsl_executor_protocol.mypy_plugin``),
  mypy reports one ``[implements]`` error per non-conforming class, with a note
  for every missing and every incompatible member, for any protocol;
* without the plugin, mypy and pyright reject a class that does not conform to
  one of the three executor contracts at the decorator, because each contract's
  decorator takes a type variable bound to that contract.  The bound keeps the
  class's own type (a parameter typed ``type[P]`` would turn the class into
  ``type[P]`` under pyright).  A type variable's bound cannot itself be a type
  variable, so other protocols get an unchecked pass-through decorator there.

Nothing heavy is imported: the runtime engine is loaded only when ``verify=True``.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Generic, Tuple, Type, TypeVar, overload

from .protocols import CurrentBlockProviderExecutorProtocol, CurrentParslExecutorProtocol, ParslExecutorProtocol

__all__ = ["implemented_protocols", "implements"]

_P = TypeVar("_P")
_C = TypeVar("_C")
_T2020 = TypeVar("_T2020", bound=ParslExecutorProtocol)
_TCurrent = TypeVar("_TCurrent", bound=CurrentParslExecutorProtocol)
_TBlock = TypeVar("_TBlock", bound=CurrentBlockProviderExecutorProtocol)

#: Name of the class attribute holding the protocols a class itself declares.
_ATTRIBUTE = "__parsl_implements__"

# Claims on classes that refuse new attributes (built-in and extension types).
_FOREIGN: Dict[type, Tuple[type, ...]] = {}


class _Implements(Generic[_P]):
    """What ``implements(P)`` returns: applied to a class, it records (and optionally verifies) the claim.

    The mypy plugin recognises calls of this object (and of its subclasses,
    which differ only in their static signature) and checks the class there.
    """

    __slots__ = ("protocol", "verify")

    def __init__(self, protocol: type, verify: bool) -> None:
        self.protocol = protocol
        self.verify = verify

    def __repr__(self) -> str:
        return f"implements({self.protocol.__qualname__}{', verify=True' if self.verify else ''})"

    def _declare(self, cls: Type[_C]) -> Type[_C]:
        # Run-time guard for callers without a type checker.
        if not isinstance(cls, type):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise TypeError(f"{self!r} decorates a class; got {cls!r} of type {type(cls).__name__}")
        protocol = self.protocol
        if self.verify:
            # Imported here: the engine is heavier than the rest of the package.
            from .checking import assert_conforms

            assert_conforms(cls, protocol)
        own: Tuple[type, ...] = cls.__dict__.get(_ATTRIBUTE, ())
        if protocol in own or protocol in _FOREIGN.get(cls, ()):
            return cls
        try:
            setattr(cls, _ATTRIBUTE, (*own, protocol))
        except TypeError:
            _FOREIGN[cls] = (*_FOREIGN.get(cls, ()), protocol)
        return cls


class _ImplementsAny(_Implements[_P]):
    """``implements(P)`` for a protocol other than the three contracts: unchecked without the plugin."""

    __slots__ = ()

    def __call__(self, cls: Type[_C]) -> Type[_C]:
        return self._declare(cls)


class _ImplementsParslExecutorProtocol(_Implements[ParslExecutorProtocol]):
    """``implements(ParslExecutorProtocol)``: the class must satisfy the 2020 contract."""

    __slots__ = ()

    def __call__(self, cls: Type[_T2020]) -> Type[_T2020]:
        return self._declare(cls)


class _ImplementsCurrentParslExecutorProtocol(_Implements[CurrentParslExecutorProtocol]):
    """``implements(CurrentParslExecutorProtocol)``: the class must satisfy today's contract."""

    __slots__ = ()

    def __call__(self, cls: Type[_TCurrent]) -> Type[_TCurrent]:
        return self._declare(cls)


class _ImplementsCurrentBlockProviderExecutorProtocol(_Implements[CurrentBlockProviderExecutorProtocol]):
    """``implements(CurrentBlockProviderExecutorProtocol)``: today's contract plus the block-provider role."""

    __slots__ = ()

    def __call__(self, cls: Type[_TBlock]) -> Type[_TBlock]:
        return self._declare(cls)


_BY_PROTOCOL: Dict[type, Callable[[type, bool], _Implements[Any]]] = {
    ParslExecutorProtocol: _ImplementsParslExecutorProtocol,
    CurrentParslExecutorProtocol: _ImplementsCurrentParslExecutorProtocol,
    CurrentBlockProviderExecutorProtocol: _ImplementsCurrentBlockProviderExecutorProtocol,
}


# The parameter is Callable[..., P] rather than type[P]: mypy refuses a protocol
# where type[P] is expected ([type-abstract]), but a protocol class is a callable
# returning P.  Subprotocols come first, since a subprotocol also matches its bases.
# The overlaps are intended: the first matching overload gives the checked decorator.
@overload
def implements(  # type: ignore[overload-overlap]
    protocol: Callable[..., CurrentBlockProviderExecutorProtocol], *, verify: bool = ...
) -> _ImplementsCurrentBlockProviderExecutorProtocol: ...
@overload
def implements(  # type: ignore[overload-overlap]
    protocol: Callable[..., CurrentParslExecutorProtocol], *, verify: bool = ...
) -> _ImplementsCurrentParslExecutorProtocol: ...
@overload
def implements(  # type: ignore[overload-overlap]
    protocol: Callable[..., ParslExecutorProtocol], *, verify: bool = ...
) -> _ImplementsParslExecutorProtocol: ...
@overload
def implements(protocol: Callable[..., _P], *, verify: bool = ...) -> _ImplementsAny[_P]: ...
def implements(protocol: Callable[..., Any], *, verify: bool = False) -> _Implements[Any]:
    """Class decorator: declare that the decorated class satisfies ``protocol``.

    Use it as ``@implements(P)`` over a class, or as a call, ``implements(P)(C)``
    (for a class you do not own).  It returns the class unchanged, after
    recording the claim (read it back with :func:`implemented_protocols`).  With
    ``verify=True`` the class is checked at once by the runtime engine, which
    raises :class:`~parsl_executor_protocol.errors.ConformanceError` naming every
    problem.  mypy with ``parsl_executor_protocol.mypy_plugin`` checks the claim
    statically at the class definition.

    Raises :class:`~parsl_executor_protocol.errors.NotAProtocolError` (a
    ``TypeError``) if ``protocol`` is not a protocol class.
    """
    if not (isinstance(protocol, type) and getattr(protocol, "_is_protocol", False)):
        from .errors import NotAProtocolError

        raise NotAProtocolError(f"implements() takes a protocol class; {protocol!r} is not one")
    return _BY_PROTOCOL.get(protocol, _ImplementsAny)(protocol, verify)


def implemented_protocols(cls: type) -> Tuple[type, ...]:
    """Return the protocols ``cls`` was declared to implement with :func:`implements`, its bases' included.

    The order follows the method resolution order (the class's own claims
    first, in the order they were made); each protocol appears once.
    """
    if not isinstance(cls, type):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise TypeError(f"implemented_protocols() takes a class; got {cls!r}")
    found: Dict[type, None] = {}
    for klass in cls.__mro__:
        for protocol in (*klass.__dict__.get(_ATTRIBUTE, ()), *_FOREIGN.get(klass, ())):
            found.setdefault(protocol, None)
    return tuple(found)
