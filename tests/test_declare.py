"""``implements`` at run time: it records the claim, returns the class unchanged and verifies on request."""

from __future__ import annotations

import importlib
from concurrent.futures import Future
from typing import Any, Callable, Dict, Optional, TypeVar

import pytest
from typing_extensions import Protocol

from parsl_executor_protocol import (
    CurrentParslExecutorProtocol,
    HasRunDir,
    Labelled,
    ParslExecutorProtocol,
    implemented_protocols,
    implements,
)
from parsl_executor_protocol.declare import _FOREIGN, _ImplementsAny, _ImplementsCurrentParslExecutorProtocol
from parsl_executor_protocol.errors import NotAProtocolError

T = TypeVar("T")


class Named:
    label = "named"


def test_decorator_returns_the_class_and_records_the_claim() -> None:
    """@implements(P) returns the very class and implemented_protocols() reports P."""

    @implements(Labelled)
    class Executor:
        label = "x"

    assert Executor.__name__ == "Executor"
    assert implemented_protocols(Executor) == (Labelled,)
    assert Executor.__dict__["__parsl_implements__"] == (Labelled,)


def test_call_form_records_on_a_class_defined_elsewhere() -> None:
    """implements(P)(C) records on C; repeating a claim keeps one entry; claims keep their order."""

    class Other:
        label = "other"
        run_dir = "."

    assert implements(Labelled)(Other) is Other
    implements(HasRunDir)(Other)
    implements(Labelled)(Other)
    assert implemented_protocols(Other) == (Labelled, HasRunDir)


def test_claims_are_inherited_own_first() -> None:
    """A subclass reports its own claims before its bases', without duplicates."""

    @implements(Labelled)
    class Base:
        label = "base"
        run_dir = "."

    @implements(HasRunDir)
    @implements(Labelled)
    class Child(Base):
        pass

    assert implemented_protocols(Child) == (Labelled, HasRunDir)
    assert implemented_protocols(Base) == (Labelled,)
    assert implemented_protocols(Named) == ()


class HasLength(Protocol):
    def __len__(self) -> int: ...


def test_classes_refusing_attributes_are_recorded_aside() -> None:
    """A built-in class cannot take the attribute; the claim is still recorded and reported."""
    assert implements(HasLength)(bytes) is bytes
    implements(HasLength)(bytes)
    assert not hasattr(bytes, "__parsl_implements__")
    assert implemented_protocols(bytes) == (HasLength,)
    assert _FOREIGN[bytes] == (HasLength,)


def test_rejects_what_is_not_a_protocol() -> None:
    """implements() names the offending argument when it is not a protocol, or not applied to a class."""
    with pytest.raises(NotAProtocolError, match=r"implements\(\) takes a protocol class; .*Named"):
        implements(Named)
    with pytest.raises(TypeError, match=r"implements\(Labelled\) decorates a class; got 42"):
        implements(Labelled)(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="implemented_protocols"):
        implemented_protocols(Named())  # type: ignore[arg-type]


def test_each_contract_has_its_decorator_type() -> None:
    """The executor contracts get their own decorator class (typed for checkers); others the generic one."""
    assert type(implements(CurrentParslExecutorProtocol)) is _ImplementsCurrentParslExecutorProtocol
    assert type(implements(Labelled)) is _ImplementsAny
    assert repr(implements(ParslExecutorProtocol, verify=True)) == "implements(ParslExecutorProtocol, verify=True)"


class _Complete:
    """Satisfies today's contract."""

    label: str = "complete"
    log_config: Any = None
    monitoring_messages: Any = None
    monitoring_receiver: Any = None
    remote_monitoring_radio: Any = None
    # Class-level: verify=True checks the class, which cannot see __init__'s assignments.
    run_dir: str = "."
    run_id: Optional[str] = None

    def submit(
        self, func: Callable[..., T], resource_specification: Dict[str, Any], *args: object, **kwargs: object
    ) -> Future[T]:
        return Future()

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def monitor_resources(self) -> bool:
        return False


def _engine() -> Any:
    checking = pytest.importorskip("parsl_executor_protocol.checking")
    if not hasattr(checking, "assert_conforms"):
        pytest.skip("the runtime engine has no assert_conforms yet")
    return importlib.import_module("parsl_executor_protocol.errors")


def test_verify_accepts_a_conforming_class() -> None:
    """verify=True runs the runtime engine; a conforming class passes and is recorded."""
    _engine()

    class Complete(_Complete):
        pass

    checked = implements(CurrentParslExecutorProtocol, verify=True)(Complete)
    assert implemented_protocols(checked) == (CurrentParslExecutorProtocol,)


def test_verify_rejects_a_non_conforming_class_and_records_nothing() -> None:
    """verify=True raises the engine's ConformanceError naming the missing member; no claim is recorded."""
    errors = _engine()

    class Incomplete(_Complete):
        start = None  # type: ignore[assignment]

    with pytest.raises(errors.ConformanceError, match="start") as raised:
        implements(CurrentParslExecutorProtocol, verify=True)(Incomplete)  # type: ignore[implements]
    assert isinstance(raised.value, TypeError)
    assert "__parsl_implements__" not in Incomplete.__dict__
