"""The one model of a protocol, the contract vocabulary and the facade's list of public names."""

from __future__ import annotations

import importlib
import inspect
import sys
import types
import typing
from concurrent.futures import Future
from typing import Any, ClassVar, List, Optional

import pytest
from typing_extensions import Protocol

import parsl_executor_protocol as pep
from parsl_executor_protocol import protocols
from parsl_executor_protocol.errors import NotAProtocolError
from parsl_executor_protocol.protocols import _contracts
from parsl_executor_protocol.protocols._annotations import Unresolved, is_unresolved
from parsl_executor_protocol.protocols._model import ATTRIBUTE, METHOD, PROPERTY_MEMBER, protocol_model

PROTOCOLS = [
    getattr(protocols, name) for name in protocols.__all__
    if isinstance(getattr(protocols, name), type) and getattr(protocols, name).__dict__.get("_is_protocol", False)
]


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_the_model_names_exactly_the_protocols_members(protocol: type) -> None:
    """Required members, then optional ones, each sorted; the same as typing's and the registry's lists."""
    model = protocol_model(protocol)
    assert model is protocol_model(protocol)  # cached
    required = sorted(protocols.required_members(protocol))
    optional = sorted(protocols.optional_members(protocol))
    assert [m.name for m in model.members] == required + optional
    assert [m.name for m in model.required] == required
    assert [m.name for m in model.optional] == optional


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_method_members_carry_inspects_parameters_with_resolved_annotations(protocol: type) -> None:
    """A method's parameters are inspect's, without self, and no annotation is left as a string."""
    for member in protocol_model(protocol).members:
        if member.kind != METHOD:
            assert member.params == ()
            continue
        owner_function = inspect.getattr_static(member.owner, member.name)
        function = getattr(owner_function, "__func__", owner_function)
        names = list(inspect.signature(function).parameters)
        if member.binding != "static":
            names = names[1:]
        assert [p.name for p in member.params] == names
        for hint in [member.type, *(p.annotation for p in member.params)]:
            assert not isinstance(hint, str)
            assert not is_unresolved(hint)


def test_the_2020_contract_reads_as_the_interface_text() -> None:
    """Spot checks against the 2020 text: submit's shape, label's kind, Future supplied to the annotations."""
    model = protocol_model(pep.ParslExecutorProtocol)
    submit = model.member("submit")
    assert submit.kind == METHOD
    assert submit.binding == "instance"
    assert not submit.settable
    assert [(p.name, p.kind) for p in submit.params] == [
        ("func", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        ("args", inspect.Parameter.VAR_POSITIONAL),
        ("kwargs", inspect.Parameter.VAR_KEYWORD),
    ]
    assert typing.get_origin(submit.type) is Future
    label = model.member("label")
    assert (label.kind, label.settable, label.type) == (ATTRIBUTE, True, str)
    assert label.describe() == "read-write attribute of type str"
    assert submit.describe() == "method submit(func, *args, **kwargs) -> Future[_T]"


def test_properties_classvars_and_unresolvable_annotations() -> None:
    """Every member kind, ClassVar unwrapped, and an annotation naming nothing is Unresolved, with its text."""

    class Shape(Protocol):
        sides: ClassVar[int]
        colour: NoSuchName  # type: ignore[name-defined]  # noqa: F821

        @property
        def area(self) -> float: ...

        @property
        def name(self) -> str: ...

        @name.setter
        def name(self, value: str) -> None: ...

        @staticmethod
        def unit(scale: Optional[int] = None) -> List[Any]: ...

    model = protocol_model(Shape)
    sides, colour = model.member("sides"), model.member("colour")
    assert (sides.kind, sides.classvar, sides.type) == (ATTRIBUTE, True, int)
    assert colour.type == Unresolved("NoSuchName")
    assert colour.describe() == "read-write attribute of type NoSuchName"
    area, name = model.member("area"), model.member("name")
    assert (area.kind, area.settable, area.type) == (PROPERTY_MEMBER, False, float)
    assert (name.kind, name.settable) == (PROPERTY_MEMBER, True)
    unit = model.member("unit")
    assert unit.binding == "static"
    assert [p.name for p in unit.params] == ["scale"]
    assert unit.params[0].annotation == Optional[int]
    assert unit.type == List[Any]


def test_resolving_a_protocols_annotations_runs_no_code() -> None:
    """A subscript whose class has a metaclass __getitem__ is not evaluated: it would run that code."""
    ran: List[str] = []

    class Meta(type):
        def __getitem__(cls, item: object) -> object:
            ran.append("metaclass __getitem__")
            return cls

    class Boxed(metaclass=Meta):
        pass

    module = types.ModuleType("generated_protocol_module")
    module.__dict__.update({"Boxed": Boxed, "Protocol": Protocol})
    sys.modules[module.__name__] = module
    try:
        exec(
            "from __future__ import annotations\n"
            "class HasBox(Protocol):\n"
            "    box: Boxed[int]\n"
            "    plain: Boxed\n",
            module.__dict__,
        )
        model = protocol_model(module.HasBox)
    finally:
        del sys.modules[module.__name__]
    assert model.member("plain").type is Boxed  # the name itself resolves
    assert model.member("box").type == Unresolved("Boxed[int]")
    assert ran == []


def test_not_a_protocol_is_one_clear_error() -> None:
    """A class that is not a protocol, or an instance, is named in a NotAProtocolError."""
    with pytest.raises(NotAProtocolError, match=r"expected a protocol class.*got int"):
        protocol_model(int)
    with pytest.raises(NotAProtocolError, match="str instance"):
        protocol_model("ParslExecutorProtocol")


def test_clear_cache_of_a_protocol_rebuilds_its_model() -> None:
    """After a protocol changes, clear_cache(protocol) makes the model, and the verdicts, see the change."""

    class Named(Protocol):
        name: str

    before = protocol_model(Named)
    assert pep.check(type("Thing", (), {"name": "x"}), Named).ok
    Named.__annotations__["size"] = int
    Named.__protocol_attrs__ = {"name", "size"}  # type: ignore[attr-defined]
    pep.clear_cache(Named)
    after = protocol_model(Named)
    assert after is not before
    if "size" in protocols.required_members(Named):
        assert [m.name for m in after.members] == ["name", "size"]


# --- the contract vocabulary -------------------------------------------------------------------


def test_every_contract_name_stands_for_a_protocol_of_the_package() -> None:
    """Each name maps to an exported protocol; the defaults are names of the vocabulary."""
    for name, attribute in _contracts.CONTRACTS.items():
        protocol = pep.contract_protocol(name)
        assert protocol is getattr(pep, attribute)
        assert protocol.__dict__.get("_is_protocol")
        assert name in _contracts.CONTRACT_DESCRIPTIONS
    assert pep.DEFAULT_CONTRACT in pep.CONTRACTS
    assert pep.RUNTIME_CONTRACT in pep.CONTRACTS
    assert set(_contracts.EXECUTOR_CONTRACTS) <= set(pep.CONTRACTS)
    assert typing.get_args(pep.Contract) == tuple(pep.CONTRACTS)


def test_an_unknown_contract_is_one_line_naming_the_choices() -> None:
    """The one validation every part of the package uses."""
    with pytest.raises(ValueError, match="got 'v3'") as caught:
        _contracts.validate_contract("v3")
    message = str(caught.value)
    assert "\n" not in message
    for name in pep.CONTRACTS:
        assert repr(name) in message


def test_check_defaults_to_the_documented_default_contract() -> None:
    """check() with no protocol holds an object to DEFAULT_CONTRACT's protocol."""
    default = inspect.signature(pep.check).parameters["protocol"].default
    assert default is pep.contract_protocol(pep.DEFAULT_CONTRACT)


# --- the facade ---------------------------------------------------------------------------------


def test_all_is_exactly_the_public_names_and_each_resolves() -> None:
    """__all__ lists every public name once; each resolves, lazily or not, to the object its module defines."""
    assert len(pep.__all__) == len(set(pep.__all__))
    for name in pep.__all__:
        assert getattr(pep, name) is not None
    public = {
        name for name in dir(pep)
        if not name.startswith("_") and not inspect.ismodule(getattr(pep, name))
    }
    assert public | {"__version__"} == set(pep.__all__)
    for name, module_name in pep._LAZY.items():
        module = importlib.import_module(module_name, "parsl_executor_protocol")
        assert name in module.__all__
        assert getattr(pep, name) is getattr(module, name)
    assert set(protocols.__all__) <= set(pep.__all__)
