"""The executor protocols: membership, composition, optional members, and mypy's verdicts."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from abc import ABCMeta, abstractmethod
from pathlib import Path
from typing import Any, Dict, List

import pytest
import typing_extensions

import parsl_executor_protocol as pep
from parsl_executor_protocol import (
    CurrentParslExecutorProtocol,
    HasStorageAccess,
    ParslExecutorProtocol,
    optional_members,
    required_members,
    with_optional,
)
from parsl_executor_protocol.protocols import current, v2020

from ._mypy import REPO, run_mypy
from .fixtures_abc2020 import Concrete2020Executor, ParslExecutor2020

INTERFACE_TEXT = Path(__file__).parent / "data" / "parsl-executor-interface-2020.txt"

ROLES_2020 = [
    pep.Labelled,
    pep.SubmitsTasks,
    pep.HasLifecycle,
    pep.Scalable,
    pep.ReportsStatus,
    pep.HandlesBadState,
    pep.HasMonitoringEndpoint,
    pep.HasRunDir,
    pep.TracksTasks,
]


# Checked by mypy --strict over the tests: the fixture ABC and its concrete
# subclass satisfy the 2020 contract.
def _abc_satisfies(executor: ParslExecutor2020) -> ParslExecutorProtocol:
    return executor


def _concrete_satisfies(executor: Concrete2020Executor) -> ParslExecutorProtocol:
    return executor


def _parse_interface_text(text: str) -> Dict[str, List[str]]:
    """Return the methods, properties and data members the 2020 interface text lists."""
    # The text comes from rendered HTML: non-breaking spaces separate some words.
    text = text.replace("\u00a0", " ")
    methods = re.findall(r"^(\w+)\(.*?\)\s", text, flags=re.MULTILINE)
    methods = [m for m in methods if m != "__init__"]
    # Properties are listed, one per line, after the last method.
    tail = text.split("submit(func, *args, **kwargs) Submit.", 1)[1]
    properties = re.findall(r"^([a-z_]+) [A-Z]", tail, flags=re.MULTILINE)
    data = re.findall(r"^(\w+): str - ", text, flags=re.MULTILINE)
    optional = re.findall(r"^(\w+): List\[", text, flags=re.MULTILINE)
    return {"methods": methods, "properties": properties, "data": data, "optional": optional}


@pytest.fixture(scope="module")
def interface_2020() -> Dict[str, List[str]]:
    """The members listed by the 2020 interface text."""
    return _parse_interface_text(INTERFACE_TEXT.read_text())


@pytest.fixture(scope="module")
def abc_from_text(interface_2020: Dict[str, List[str]]) -> type:
    """An ABC built from the interface text: abstract methods and properties as listed."""
    namespace: Dict[str, Any] = {"__annotations__": {name: str for name in interface_2020["data"]}}
    for name in interface_2020["methods"]:

        def method(self: Any, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        method.__name__ = name
        namespace[name] = abstractmethod(method)
    for name in interface_2020["properties"]:

        def getter(self: Any) -> Any:
            raise NotImplementedError

        namespace[name] = property(abstractmethod(getter))
    return ABCMeta("ParslExecutor2020FromText", (), namespace)


def test_interface_text_parses_to_the_documented_members(interface_2020: Dict[str, List[str]]) -> None:
    """The parser finds the seven methods, seven properties, label and storage_access."""
    assert sorted(interface_2020["methods"]) == sorted(
        ["scale_in", "scale_out", "set_bad_state_and_fail_all", "shutdown", "start", "status", "submit"]
    )
    assert len(interface_2020["properties"]) == 7
    assert interface_2020["data"] == ["label"]
    assert interface_2020["optional"] == ["storage_access"]


def test_protocol_members_equal_the_abc_built_from_the_text(
    abc_from_text: type, interface_2020: Dict[str, List[str]]
) -> None:
    """No member of the 2020 text is missing from the protocol, and none is invented."""
    abc_members = set(getattr(abc_from_text, "__abstractmethods__")) | set(abc_from_text.__annotations__)
    assert required_members(ParslExecutorProtocol) == abc_members
    assert set(optional_members(ParslExecutorProtocol)) == set(interface_2020["optional"])


def test_handwritten_fixture_abc_matches_the_text(abc_from_text: type) -> None:
    """The fixture ABC that mypy checks lists exactly the text's abstract members."""
    assert ParslExecutor2020.__abstractmethods__ == getattr(abc_from_text, "__abstractmethods__")
    assert set(ParslExecutor2020.__annotations__) == {"label"}


def test_full_protocol_is_the_union_of_its_roles() -> None:
    """The 2020 protocol is composed of its role protocols and adds nothing of its own."""
    union = set().union(*(required_members(role) for role in ROLES_2020))
    assert required_members(ParslExecutorProtocol) == union
    for role in ROLES_2020:
        assert role in ParslExecutorProtocol.__mro__
    # The roles do not overlap: each member has exactly one home.
    assert sum(len(required_members(role)) for role in ROLES_2020) == len(union)


def test_current_protocol_members() -> None:
    """Today's contract has what the DataFlowKernel uses, and not the members moved to BlockProviderExecutor."""
    members = required_members(CurrentParslExecutorProtocol)
    assert members == {
        "label",
        "submit",
        "start",
        "shutdown",
        "run_dir",
        "run_id",
        "log_config",
        "remote_monitoring_radio",
        "monitoring_messages",
        "monitoring_receiver",
        "monitor_resources",
    }
    assert set(optional_members(CurrentParslExecutorProtocol)) == {"storage_access", "provider", "working_dir"}
    block = required_members(pep.CurrentBlockProviderExecutorProtocol)
    assert {"status", "scale_in", "scale_out_facade", "bad_state_is_set", "status_polling_interval"} <= block
    # provider is required there, so it is no longer optional.
    assert set(optional_members(pep.CurrentBlockProviderExecutorProtocol)) == {"storage_access", "working_dir"}


def test_storage_access_is_optional_and_not_required_by_isinstance() -> None:
    """storage_access is declared optional and an executor without it still passes isinstance."""
    assert "storage_access" not in required_members(ParslExecutorProtocol)
    assert optional_members(ParslExecutorProtocol)["storage_access"] is HasStorageAccess
    executor = Concrete2020Executor()
    assert not hasattr(executor, "storage_access")
    assert isinstance(executor, ParslExecutorProtocol)


def test_with_optional_rejects_bad_declarations() -> None:
    """with_optional names the problem: a non-protocol argument, or a member both required and optional."""

    class NotAProtocol:
        pass

    with pytest.raises(TypeError, match="is not a protocol"):
        with_optional(NotAProtocol)

    class Colour(typing_extensions.Protocol):
        colour: str

    class Shape(typing_extensions.Protocol):
        colour: str

    with pytest.raises(TypeError, match="colour cannot be both required and optional in"):
        with_optional(Colour)(Shape)
    with pytest.raises(TypeError, match="decorates a protocol"):
        with_optional(Colour)(NotAProtocol)


def test_public_names_match_all() -> None:
    """__all__ lists exactly the public names: everything a package re-exports, what a module defines."""
    import parsl_executor_protocol.protocols as protocols_pkg
    from parsl_executor_protocol.protocols import parsl_types

    for package in (pep, protocols_pkg):
        public = {
            name for name, value in vars(package).items()
            if not name.startswith("_") and not isinstance(value, type(sys))
        }
        lazy = set(getattr(package, "_LAZY", {}))
        assert set(package.__all__) - {"__version__"} == public | lazy, package.__name__
        for name in lazy:
            assert getattr(package, name) is not None, name
    for module in (v2020, current, parsl_types):
        defined = {
            name for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        }
        assert set(module.__all__) == defined, module.__name__


def test_import_is_light() -> None:
    """Importing the package imports none of parsl, mypy, hypothesis, dask or beartype."""
    code = textwrap.dedent(
        """
        import sys, parsl_executor_protocol
        heavy = [m for m in ("parsl", "mypy", "hypothesis", "dask", "distributed", "beartype", "typeguard")
                 if m in sys.modules]
        print(heavy)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert out.stdout.strip() == "[]"


# --- mypy: positive and negative samples -------------------------------------------------------

_SAMPLE_HEADER = '''\
from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional

from parsl_executor_protocol import JobStatusLike, ParslExecutorProtocol


class Sample:
    def __init__(self) -> None:
        self._tasks: Dict[object, Future] = {}  # type: ignore[type-arg]
        self._hub_address: Optional[str] = None
        self._hub_port: Optional[int] = None
        self._run_dir = "."
'''

_MEMBER_SOURCE = {
    "label": "    label: str = 'sample'\n",
    "start": "    def start(self) -> None:\n        pass\n",
    "submit": (
        "    def submit(self, func: Callable, *args: Any, **kwargs: Any) -> Future:  # type: ignore[type-arg]\n"
        "        return Future()\n"
    ),
    "scale_in": "    def scale_in(self, blocks: int) -> List[object]:\n        return []\n",
    "scale_out": "    def scale_out(self, blocks: int) -> List[object]:\n        return []\n",
    "status": "    def status(self) -> Dict[object, JobStatusLike]:\n        return {}\n",
    "shutdown": "    def shutdown(self) -> bool:\n        return True\n",
    "set_bad_state_and_fail_all": (
        "    def set_bad_state_and_fail_all(self, exception: Exception) -> None:\n        pass\n"
    ),
    "bad_state_is_set": "    @property\n    def bad_state_is_set(self) -> bool:\n        return False\n",
    "executor_exception": (
        "    @property\n    def executor_exception(self) -> Exception:\n        return RuntimeError()\n"
    ),
    "scaling_enabled": "    @property\n    def scaling_enabled(self) -> bool:\n        return False\n",
    "tasks": (
        "    @property\n    def tasks(self) -> Dict[object, Future]:  # type: ignore[type-arg]\n"
        "        return self._tasks\n"
    ),
    "hub_address": (
        "    @property\n    def hub_address(self) -> Optional[str]:\n        return self._hub_address\n"
        "    @hub_address.setter\n    def hub_address(self, value: Optional[str]) -> None:\n"
        "        self._hub_address = value\n"
    ),
    "hub_port": (
        "    @property\n    def hub_port(self) -> Optional[int]:\n        return self._hub_port\n"
        "    @hub_port.setter\n    def hub_port(self, value: Optional[int]) -> None:\n"
        "        self._hub_port = value\n"
    ),
    "run_dir": (
        "    @property\n    def run_dir(self) -> str:\n        return self._run_dir\n"
        "    @run_dir.setter\n    def run_dir(self, value: str) -> None:\n        self._run_dir = value\n"
    ),
}

_SAMPLE_FOOTER = "\n\nexecutor: ParslExecutorProtocol = Sample()\n"


def _sample(without: str | None = None) -> str:
    body = "".join(src for name, src in _MEMBER_SOURCE.items() if name != without)
    return _SAMPLE_HEADER + body + _SAMPLE_FOOTER


def test_member_sources_cover_the_protocol() -> None:
    """The sample generator writes every member of the 2020 protocol."""
    assert set(_MEMBER_SOURCE) == required_members(ParslExecutorProtocol)


@pytest.fixture(scope="module")
def mypy_on_samples(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, List[str]]:
    """One real mypy run over the complete sample and one negative sample per member."""
    root = tmp_path_factory.mktemp("samples")
    paths = [root / "complete.py"]
    paths[0].write_text(_sample())
    for name in _MEMBER_SOURCE:
        path = root / f"without_{name}.py"
        path.write_text(_sample(without=name))
        paths.append(path)
    static = REPO / "tests" / "samples" / "protocols"
    paths.extend(sorted(static.glob("*.py")))
    return run_mypy(paths, cache_dir=root / ".mypy_cache")


def test_mypy_accepts_complete_2020_sample(mypy_on_samples: Dict[str, List[str]]) -> None:
    """An executor written straight from the 2020 text passes mypy --strict against the protocol."""
    assert mypy_on_samples["complete.py"] == []


@pytest.mark.parametrize("member", sorted(_MEMBER_SOURCE))
def test_mypy_rejects_sample_missing_member(member: str, mypy_on_samples: Dict[str, List[str]]) -> None:
    """Removing any one member makes mypy reject the assignment and name that member."""
    lines = mypy_on_samples[f"without_{member}.py"]
    assert any("error: Incompatible types in assignment" in line for line in lines), lines
    assert any(re.search(rf"\b{member}\b", line) for line in lines if ": note: " in line), lines


def test_mypy_on_static_samples(mypy_on_samples: Dict[str, List[str]]) -> None:
    """Each file in tests/samples/protocols produces exactly the output written in its '# out:' lines."""
    static = REPO / "tests" / "samples" / "protocols"
    for path in sorted(static.glob("*.py")):
        expected = [m[1] for m in re.finditer(r"^# out: (.*)$", path.read_text(), flags=re.MULTILINE)]
        assert mypy_on_samples[path.name] == expected, path.name
