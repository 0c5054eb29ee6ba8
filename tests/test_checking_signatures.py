"""Call-shape compatibility: the engine agrees with mypy's callable subtyping on hundreds of pairs."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsl_executor_protocol.checking._signatures import Shape, bind, describe, incompatibility
from parsl_executor_protocol.checking._signatures import shape_of_function as _shape_of_function

from ._mypy import run_mypy


def shape_of_function(func: Any) -> Shape:
    """The engine's reader, for any Python function (typed loosely for the tests' local functions)."""
    return _shape_of_function(func)

# A parameter: [kind, name, has default]; kinds as written in a def.
Param = List[Any]
_ORDER = {"posonly": 0, "pos": 1, "star": 2, "kw": 3, "star2": 4}


def _random_params(rng: random.Random) -> List[Param]:
    names = iter(rng.sample("abcdef", 6))
    params: List[Param] = [["pos", next(names), False] for _ in range(rng.randint(0, 3))]
    if params and rng.random() < 0.3:
        for param in params[: rng.randint(1, len(params))]:
            param[0] = "posonly"
    for param in params[rng.randint(0, len(params)):]:
        param[2] = True
    if rng.random() < 0.5:
        params.append(["star", "args", False])
    params += [["kw", next(names), rng.random() < 0.5] for _ in range(rng.randint(0, 2))]
    if rng.random() < 0.5:
        params.append(["star2", "kwargs", False])
    return params


def _mutate(rng: random.Random, params: List[Param]) -> List[Param]:
    """The kind of edits people make to a method they implement: generalise, rename, add, drop, reorder kinds."""
    out = [list(p) for p in params]
    for _ in range(rng.randint(0, 3)):
        choice = rng.randrange(8)
        named = [p for p in out if p[0] in ("pos", "posonly", "kw")]
        if choice == 0 and not any(p[0] == "star" for p in out):
            out.append(["star", "args", False])
        elif choice == 1 and not any(p[0] == "star2" for p in out):
            out.append(["star2", "kwargs", False])
        elif choice == 2:
            out.append([rng.choice(["pos", "kw"]), rng.choice("xyz"), rng.random() < 0.7])
        elif choice == 3 and named:
            rng.choice(named)[2] = True
        elif choice == 4 and named:
            rng.choice(named)[2] = False
        elif choice == 5 and named:
            rng.choice(named)[1] += "2"
        elif choice == 6 and out:
            out.remove(rng.choice(out))
        elif choice == 7 and named:
            rng.choice(named)[0] = rng.choice(["pos", "posonly", "kw"])
    seen = set()
    unique = []
    for param in out:
        key = param[0] if param[0] in ("star", "star2") else param[1]
        if key not in seen:
            seen.add(key)
            unique.append(param)
    return unique


def _render(params: List[Param]) -> str:
    params = sorted((list(p) for p in params), key=lambda p: _ORDER[p[0]])
    seen_default = False
    for param in params:  # a positional after a defaulted one needs a default too
        if param[0] in ("pos", "posonly"):
            seen_default = seen_default or param[2]
            param[2] = param[2] or seen_default
    out = ["self"]
    posonly = any(p[0] == "posonly" for p in params)
    slash_done = star_done = False
    for kind, name, default in params:
        if posonly and kind != "posonly" and not slash_done:
            out.append("/")
            slash_done = True
        if kind == "star":
            out.append("*args: int")
            star_done = True
        elif kind == "star2":
            out.append("**kwargs: int")
        else:
            if kind == "kw" and not star_done:
                out.append("*")
                star_done = True
            out.append(f"{name}: int" + (" = 0" if default else ""))
    if posonly and not slash_done:
        out.append("/")
    return ", ".join(out)


def _cases(seed: int, count: int) -> List[Tuple[str, str]]:
    rng = random.Random(seed)
    cases = []
    for _ in range(count):
        protocol = _random_params(rng)
        cases.append((_render(protocol), _render(_mutate(rng, protocol))))
    return cases


def _shapes(protocol_params: str, impl_params: str) -> Tuple[Shape, Shape]:
    namespace: Dict[str, Any] = {}
    exec(f"def proto({protocol_params}) -> None: ...\ndef impl({impl_params}) -> None: ...\n", namespace)
    proto, impl = bind(shape_of_function(namespace["proto"])), bind(shape_of_function(namespace["impl"]))
    assert proto is not None
    assert impl is not None
    return proto, impl


CASES = _cases(seed=20240611, count=300)


@pytest.fixture(scope="module")
def mypy_verdicts(tmp_path_factory: pytest.TempPathFactory) -> List[bool]:
    """One real mypy --strict run: for each case, whether mypy accepts the implementation for the protocol."""
    root = tmp_path_factory.mktemp("signatures")
    lines = ["from typing import Protocol", ""]
    for index, (protocol, impl) in enumerate(CASES):
        lines += [
            f"class P{index}(Protocol):",
            f"    def f({protocol}) -> None: ...",
            f"class C{index}:",
            f"    def f({impl}) -> None: ...",
            f"x{index}: P{index} = C{index}()",
        ]
    path = root / "signature_cases.py"
    path.write_text("\n".join(lines) + "\n")
    output = run_mypy([path], cache_dir=root / ".mypy_cache")[path.name]
    source = lines
    rejected = set()
    for line in output:
        match = re.match(r"(\d+): error: Incompatible types in assignment", line)
        if match:
            rejected.add(int(re.match(r"x(\d+):", source[int(match[1]) - 1])[1]))  # type: ignore[index]
        else:
            assert ": note:" in line, line  # no other error: the samples themselves are valid
    return [index not in rejected for index in range(len(CASES))]


def test_cases_cover_both_verdicts(mypy_verdicts: List[bool]) -> None:
    """The generated pairs include plenty of compatible and incompatible ones."""
    assert 60 < sum(mypy_verdicts) < len(CASES) - 30


def test_engine_agrees_with_mypy_on_every_pair(mypy_verdicts: List[bool]) -> None:
    """For every generated (protocol, implementation) pair the engine's verdict equals mypy's."""
    disagreements = []
    for (protocol, impl), accepted in zip(CASES, mypy_verdicts, strict=True):
        proto_shape, impl_shape = _shapes(protocol, impl)
        reason = incompatibility(impl_shape, proto_shape)
        if (reason is None) != accepted:
            disagreements.append(f"protocol ({protocol}) / impl ({impl}): mypy {accepted}, engine {reason}")
    assert disagreements == []


# --- properties of the rules, named cases ------------------------------------------------------------


def _verdict(protocol: str, impl: str) -> Optional[str]:
    proto_shape, impl_shape = _shapes(protocol, impl)
    return incompatibility(impl_shape, proto_shape)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_every_shape_accepts_its_own_calls(seed: int) -> None:
    """A method is compatible with itself, and `(*args, **kwargs)` is compatible with anything."""
    params = _render(_random_params(random.Random(seed)))
    assert _verdict(params, params) is None
    assert _verdict(params, "self, *args, **kwargs") is None


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_adding_optional_parameters_keeps_compatibility(seed: int) -> None:
    """Appending a keyword-only parameter with a default never breaks a compatible method.

    (Appending **kwargs can: a renamed positional parameter then no longer
    receives the keyword the protocol's callers may use, and mypy says so too.)
    """
    rng = random.Random(seed)
    protocol = _random_params(rng)
    impl = _mutate(rng, protocol)
    if _verdict(_render(protocol), _render(impl)) is not None:
        return
    extended = [*impl, ["kw", "zz_extra", True]]
    assert _verdict(_render(protocol), _render(extended)) is None


@pytest.mark.parametrize(
    ("protocol", "impl", "reason"),
    [
        ("self, func, *args, **kwargs", "self, func, *args, **kwargs", None),
        ("self, func, *args, **kwargs", "self, *args, **kwargs", None),
        ("self, func, *args, **kwargs", "self, func, extra=None, *args, **kwargs", None),
        ("self, func, *args, **kwargs", "self, func, *args, extra, **kwargs",
         "'extra' is required, but calls through the protocol's **kwargs need not pass it"),
        ("self, func, *args, **kwargs", "self, func, resource_specification, *args, **kwargs",
         "'resource_specification' is required, but calls through the protocol's *args need not pass it"),
        ("self, func, *args, **kwargs", "self, fn, *args, **kwargs",
         "the protocol's callers may pass 'func' by keyword, but the implementation calls that parameter 'fn'"),
        ("self, blocks", "self, count, **kwargs",
         "the protocol's callers may pass 'blocks' by keyword, but the implementation calls that parameter 'count'"),
        ("self, func, *args, **kwargs", "self, func, /, *args, **kwargs",
         "'func' is positional-only, but the protocol's callers may pass 'func' by keyword"),
        ("self, func, *args, **kwargs", "self, func, **kwargs",
         "it does not take *args, which the protocol's callers may pass"),
        ("self, blocks", "self, count", None),  # mypy ignores positional names of protocol members
        ("self, blocks", "self, blocks, /", None),
        ("self, blocks", "self, *, blocks",
         "the protocol passes 'blocks' positionally, but the implementation takes it by keyword only"),
        ("self, blocks", "self", "it cannot take the protocol's parameter 'blocks'"),
        ("self, n, max_idletime=None", "self, n, max_idletime",
         "'max_idletime' needs a default: the protocol's callers may omit it"),
        ("self, *, run_dir, resource_msgs", "self, *, run_dir, resource_msgs, extra=1", None),
        ("self", "self, extra", "'extra' is required, but the protocol's callers never pass it"),
    ],
)
def test_named_cases(protocol: str, impl: str, reason: Optional[str]) -> None:
    """Typical implementations of the executor methods get the expected verdict and explanation."""
    assert _verdict(protocol, impl) == reason


def test_shapes_are_described_like_a_def_line() -> None:
    """describe() spells a shape without types, with / and * where the def needs them."""

    def sample(a: int, b: int = 0, /, c: int = 1, *args: int, d: int, e: int = 2, **kwargs: int) -> None: ...

    assert describe("sample", shape_of_function(sample)) == "sample(a, b=…, /, c=…, *args, d, e=…, **kwargs)"

    def keyword_only(*, flag: bool = False) -> None: ...

    assert describe("keyword_only", shape_of_function(keyword_only)) == "keyword_only(*, flag=…)"


def test_functions_that_look_alike_share_one_shape() -> None:
    """Shapes are interned: two functions with the same parameters have the same shape object."""

    def first(self: Any, blocks: int) -> None: ...

    def second(self: Any, blocks: int) -> List[str]:
        return []

    assert shape_of_function(first) is shape_of_function(second)
    assert Path(__file__).name  # keep Path used for the fixture's type annotation


def test_a_partial_class_member_is_judged_alike_on_every_python() -> None:
    """A functools.partial stored on a class is a callable attribute (3.13's __get__ returns it unchanged)."""
    import functools
    import warnings

    from parsl_executor_protocol import ParslExecutorProtocol, check

    from .fixtures_abc2020 import Concrete2020Executor

    def takes_one(func: object) -> None:
        return None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # 3.13 warns that partial will become a method descriptor

        class PartialSubmit(Concrete2020Executor):
            submit = functools.partial(takes_one)  # type: ignore[assignment]

    for subject in (PartialSubmit, PartialSubmit()):
        report = check(subject, ParslExecutorProtocol)
        assert [(v.member, v.kind.value) for v in report.violations] == [("submit", "incompatible_signature")]
