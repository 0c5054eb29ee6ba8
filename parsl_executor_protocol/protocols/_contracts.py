"""The contract names, in one place: what ``"2020"``, ``"current"`` and ``"current-blocks"`` mean.

Every part of the package that takes a contract by name (``check``'s
``--protocol``, ``drift``, ``adapt``, ``as_futures_executor``, the
behavioural kit, the demo) reads this module, so a name means the same
protocol everywhere and an unknown name gets the same one-line error.

Two defaults, each with its reason:

* :data:`DEFAULT_CONTRACT` (``"2020"``) is what an executor is *checked*
  against when no contract is named: the 2020 interface text is the
  package's default export.
* :data:`RUNTIME_CONTRACT` (``"current"``) is what the package *builds or
  compares against the installed Parsl* when no contract is named: an
  adapter must run in today's Parsl, and ``drift`` measures today's Parsl.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal, Mapping, Tuple

#: A contract name.
Contract = Literal["2020", "current", "current-blocks"]

#: Contract name -> the name of its protocol in :mod:`parsl_executor_protocol.protocols`.
CONTRACTS: Mapping[str, str] = MappingProxyType(
    {
        "2020": "ParslExecutorProtocol",
        "current": "CurrentParslExecutorProtocol",
        "current-blocks": "CurrentBlockProviderExecutorProtocol",
    }
)

#: Contract name -> a few words on what it is, for help texts and errors.
CONTRACT_DESCRIPTIONS: Mapping[str, str] = MappingProxyType(
    {
        "2020": "the 2020 ParslExecutor interface text",
        "current": "today's Parsl executor contract",
        "current-blocks": "today's contract for BlockProviderExecutor subclasses",
    }
)

#: The contract an executor is checked against when none is named.
DEFAULT_CONTRACT: Contract = "2020"

#: The contract an adapter is built for, and ``drift`` compares, when none is named.
RUNTIME_CONTRACT: Contract = "current"

#: The contracts an executor can be *built* for (adapters) or *held to* behaviourally (the kit), as a type.
ExecutorContract = Literal["2020", "current"]

#: The names of :data:`ExecutorContract`.
EXECUTOR_CONTRACTS: Tuple[ExecutorContract, ...] = ("2020", "current")


def validate_contract(name: object, choices: Tuple[str, ...] = tuple(CONTRACTS)) -> Contract:
    """Return ``name`` if it is one of ``choices``; otherwise raise a one-line ``ValueError`` naming them.

    The message lists ``choices`` in the order given, then what each means:
    ``contract must be '2020' or 'current': '2020' for ..., or 'current' for ...; got 'x'``.
    """
    if isinstance(name, str) and name in choices:
        return name  # type: ignore[return-value]
    quoted = [repr(choice) for choice in choices]
    names = f"{', '.join(quoted[:-1])} or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    meanings = [f"{choice!r} for {CONTRACT_DESCRIPTIONS[choice]}" for choice in choices]
    if len(meanings) > 1:
        meanings[-1] = f"or {meanings[-1]}"
    raise ValueError(f"contract must be {names}: {', '.join(meanings)}; got {name!r}")


def contract_protocol(name: str) -> type:
    """The protocol class a contract name stands for (``"2020"`` -> ``ParslExecutorProtocol``)."""
    from .. import protocols

    protocol: type = getattr(protocols, CONTRACTS[validate_contract(name)])
    return protocol
