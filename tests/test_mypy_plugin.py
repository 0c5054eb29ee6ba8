"""The mypy plugin and the static typing of ``implements``: real mypy, dmypy and basedpyright runs.

Every file in tests/samples/plugin states its expected mypy output in ``# out:``
lines (``# out[mypy>=1.16]:`` for output of newer mypy versions only); one mypy
run checks them all.  The module also runs under mypy 1.15 (``make plugin-compat``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, NamedTuple, Sequence, Tuple

import pytest

from parsl_executor_protocol.mypy_plugin._compat import MYPY_VERSION

from ._mypy import REPO

SAMPLES = REPO / "tests" / "samples" / "plugin"
PYRIGHT_SAMPLES = REPO / "tests" / "samples" / "pyright"
TIMEOUT = 240

_LINE = re.compile(r"^(?P<path>[^:\n]+\.pyi?):(?P<line>\d+): (?P<kind>error|note|warning): (?P<text>.*)$")
_OUT = re.compile(r"^# out(?:\[mypy(?P<op>>=|<)(?P<major>\d+)\.(?P<minor>\d+)\])?: (?P<line>.*)$")


class MypyRun(NamedTuple):
    """What one mypy (or dmypy) run printed, by file name (``"<line>: <kind>: <text>"`` each)."""

    returncode: int
    by_file: Dict[str, List[str]]
    stdout: str
    stderr: str


def _config(directory: Path, *, plugin: bool = True) -> Path:
    path = directory / ("plugin.ini" if plugin else "plain.ini")
    lines = ["[mypy]", "strict = True"]
    if plugin:
        lines.append("plugins = parsl_executor_protocol.mypy_plugin")
    path.write_text("\n".join(lines) + "\n")
    return path


_FLAGS = (
    "--explicit-package-bases",
    "--no-error-summary",
    "--show-error-codes",
    "--hide-error-context",
    "--no-color-output",
    "--no-pretty",
)


def _parse(proc: subprocess.CompletedProcess[str], files: Sequence[str]) -> MypyRun:
    if "INTERNAL ERROR" in proc.stdout + proc.stderr or proc.returncode not in (0, 1, 2):
        raise AssertionError(f"mypy crashed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    by_file: Dict[str, List[str]] = {Path(name).name: [] for name in files}
    for raw in proc.stdout.splitlines():
        match = _LINE.match(raw)
        if match:
            by_file.setdefault(Path(match["path"]).name, []).append(
                f"{match['line']}: {match['kind']}: {match['text']}"
            )
    return MypyRun(proc.returncode, by_file, proc.stdout, proc.stderr)


def run_mypy(files: Sequence[str], *extra: str, cwd: Path, config: Path, cache_dir: Path) -> MypyRun:
    """Run mypy (the one installed next to this interpreter) on ``files`` relative to ``cwd``."""
    args = [sys.executable, "-m", "mypy", f"--config-file={config}", *_FLAGS, f"--cache-dir={cache_dir}"]
    proc = subprocess.run(
        [*args, *extra, *files], cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    return _parse(proc, files)


def expected_output(path: Path) -> List[str]:
    """The ``# out:`` lines of a sample that apply to the running mypy version."""
    expected = []
    for raw in path.read_text().splitlines():
        match = _OUT.match(raw)
        if not match:
            continue
        if match["major"] is not None:
            since = (int(match["major"]), int(match["minor"]))
            if (since <= MYPY_VERSION) != (match["op"] == ">="):
                continue
        expected.append(match["line"])
    return expected


def _write(path: Path, text: str) -> None:
    """Write a source file and move its mtime forward, so that mypy and dmypy always see a change."""
    before = path.stat().st_mtime if path.exists() else 0.0
    path.write_text(text)
    stamp = max(before + 2.0, path.stat().st_mtime)
    os.utime(path, (stamp, stamp))


SAMPLE_NAMES = sorted(path.name for path in SAMPLES.glob("*.py"))


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mypy cache for the runs that share options (module names do not collide)."""
    return tmp_path_factory.mktemp("mypy-cache")


@pytest.fixture(scope="module")
def plugin_ini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A mypy configuration enabling the plugin under --strict."""
    return _config(tmp_path_factory.mktemp("config"))


@pytest.fixture(scope="module")
def samples_run(plugin_ini: Path, cache_dir: Path) -> MypyRun:
    """One mypy run with the plugin over every sample file."""
    return run_mypy(SAMPLE_NAMES, cwd=SAMPLES, config=plugin_ini, cache_dir=cache_dir)


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_output(name: str, samples_run: MypyRun) -> None:
    """mypy with the plugin prints exactly the sample's '# out:' lines for it (nothing for a valid sample)."""
    assert samples_run.by_file[name] == expected_output(SAMPLES / name)


def test_every_behaviour_has_a_sample() -> None:
    """Each behaviour the plugin promises has its sample file (one file per case)."""
    prefixes = {name.split("_")[0] for name in SAMPLE_NAMES}
    assert {
        "missing", "arity", "return", "property", "optional", "stacked", "callform",
        "inherited", "generic", "suppress", "init", "conforming", "notprotocol",
    } <= prefixes
    assert all(expected_output(SAMPLES / name) for name in SAMPLE_NAMES if name.endswith("_wrong.py"))


def test_one_error_per_class_with_its_own_code(samples_run: MypyRun) -> None:
    """Every error the plugin reports uses the error code 'implements'; each class gets one error."""
    errors = [line for lines in samples_run.by_file.values() for line in lines if ": error: " in line]
    assert errors
    assert all(line.endswith("[implements]") for line in errors)
    places = [
        (name, line.split(":")[0])
        for name, found in samples_run.by_file.items()
        for line in found
        if ": error: " in line
    ]
    assert len(places) == len(set(places))


def test_plugin_knows_every_decorator_class() -> None:
    """The plugin hooks the __call__ of exactly the decorator classes implements() can return."""
    from parsl_executor_protocol import declare, mypy_plugin

    classes = {declare._ImplementsAny, *declare._BY_PROTOCOL.values()}
    assert {f"{cls.__module__}.{cls.__qualname__}" for cls in classes} == mypy_plugin._DECORATOR_CLASSES
    assert mypy_plugin.plugin("1.15.0") is mypy_plugin.ParslExecutorProtocolPlugin


# --- Parsl's own executors ------------------------------------------------------------------------

_CALL = re.compile(r"^implements\((?P<protocol>\w+)\)\((?P<cls>\w+)\)$")


def test_parsl_executors_against_the_contracts(samples_run: MypyRun) -> None:
    """Parsl's executors satisfy today's contracts; HighThroughputExecutor fails the 2020 one, every gap named."""
    calls: Dict[int, Tuple[str, str]] = {}
    for number, text in enumerate((SAMPLES / "parsl_executors.py").read_text().splitlines(), start=1):
        match = _CALL.match(text)
        if match:
            calls[number] = (match["protocol"], match["cls"])
    assert len(calls) == 13
    output = samples_run.by_file["parsl_executors.py"]
    failing = {calls[int(line.split(":")[0])] for line in output if ": error: " in line}
    assert failing == {("ParslExecutorProtocol", "HighThroughputExecutor")}
    line = next(number for number, call in calls.items() if call in failing)
    submit_2020 = "def [_T] submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]"
    submit_htex = (
        "def submit(self, func: Callable[..., Any], resource_specification: dict[Any, Any], "
        "*args: Any, **kwargs: Any) -> HTEXFuture"
    )
    assert output == [
        f'{line}: error: Class "HighThroughputExecutor" does not implement protocol "ParslExecutorProtocol"'
        "  [implements]",
        f'{line}: note: Missing member "hub_address": expected "str | None"',
        f'{line}: note: Missing member "hub_port": expected "int | None"',
        f'{line}: note: Missing member "scale_out": expected "def scale_out(self, blocks: int) -> list[Any]"',
        f'{line}: note: Missing member "scaling_enabled": expected "bool"',
        f'{line}: note: Incompatible member "submit": expected "{submit_2020}", got "{submit_htex}"',
    ]


# --- suppression by option ------------------------------------------------------------------------


def test_disable_error_code_option(plugin_ini: Path, cache_dir: Path) -> None:
    """--disable-error-code implements silences the plugin where mypy accepts plugin codes there (2.x)."""
    files = ["missing_many.py", "_shapes.py"]
    run = run_mypy(files, "--disable-error-code=implements", cwd=SAMPLES, config=plugin_ini, cache_dir=cache_dir)
    if run.returncode == 2:
        # mypy 1.15 validates command-line codes before loading plugins (python/mypy#12987);
        # docs/static.md points to the inline comment (tests/samples/plugin/suppress_inline.py).
        assert MYPY_VERSION < (2, 0)
        assert "Invalid error code(s): implements" in run.stderr
    else:
        assert run.returncode == 0
        assert run.by_file == {name: [] for name in files}


# --- incremental mode and the daemon --------------------------------------------------------------

_PROTOCOL = '''\
from typing_extensions import Protocol

from parsl_executor_protocol import with_optional


class HasColour(Protocol):
    @property
    def colour(self) -> {colour}: ...


@with_optional(HasColour)
class Shape(Protocol):
    sides: {sides}
{extra}'''

_IMPLEMENTATION = '''\
from parsl_executor_protocol import implements

from {protocols} import Shape


@implements(Shape)
class Square:
    sides = 4
    colour = {colour}
'''


def _protocol(colour: str = "str", sides: str = "int", extra: str = "") -> str:
    return _PROTOCOL.format(colour=colour, sides=sides, extra=extra)


def _error(line: int, protocol: str = "Shape") -> str:
    return f'{line}: error: Class "Square" does not implement protocol "{protocol}"  [implements]'


def test_incremental_mode_rereports_after_protocol_change(tmp_path: Path, plugin_ini: Path, cache_dir: Path) -> None:
    """With a warm cache, mypy re-reports when the implementation or the protocol in another module changes."""
    protocols, implementation = tmp_path / "inc_shapes.py", tmp_path / "inc_square.py"
    _write(protocols, _protocol())
    _write(implementation, _IMPLEMENTATION.format(protocols="inc_shapes", colour='"red"'))
    files = [implementation.name, protocols.name]

    def check() -> List[str]:
        return run_mypy(files, cwd=tmp_path, config=plugin_ini, cache_dir=cache_dir).by_file["inc_square.py"]

    assert check() == []
    # Only the implementation changes: the protocol's optional members come from the cache.
    _write(implementation, _IMPLEMENTATION.format(protocols="inc_shapes", colour="5"))
    assert check() == [_error(7), '7: note: Incompatible optional member "colour": expected "str", got "int"']
    _write(implementation, _IMPLEMENTATION.format(protocols="inc_shapes", colour='"red"'))
    assert check() == []
    # Only the protocol changes.
    _write(protocols, _protocol(extra="\n    def area(self) -> float: ...\n"))
    assert check() == [_error(7), '7: note: Missing member "area": expected "def area(self) -> float"']
    _write(protocols, _protocol(colour="bytes"))
    assert check() == [_error(7), '7: note: Incompatible optional member "colour": expected "bytes", got "str"']


@pytest.mark.skipif(
    MYPY_VERSION < (1, 16),
    reason="mypy 1.15's daemon does not re-check the class after an optional member's type changes once "
    "parsl is in the import graph (the adapters' types name parsl's ParslExecutor); mypy 1.16 and later do",
)
def test_daemon_rereports_after_protocol_change(tmp_path: Path, plugin_ini: Path, cache_dir: Path) -> None:
    """The mypy daemon re-reports after a protocol's, an optional member's and the class's changes."""
    protocols, implementation = tmp_path / "dmn_shapes.py", tmp_path / "dmn_square.py"
    _write(protocols, _protocol())
    _write(implementation, _IMPLEMENTATION.format(protocols="dmn_shapes", colour='"red"'))
    files = [implementation.name, protocols.name]
    dmypy = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(tmp_path / "dmypy.json")]
    # --timeout: the daemon exits by itself if this test dies before stopping it.
    args = [*dmypy, "run", "--timeout", "120", "--", f"--config-file={plugin_ini}", *_FLAGS]

    def check() -> List[str]:
        proc = subprocess.run(
            [*args, f"--cache-dir={cache_dir}", *files],
            cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT, check=False,
        )
        return _parse(proc, files).by_file["dmn_square.py"]

    try:
        assert check() == []
        _write(protocols, _protocol(sides="str"))
        assert check() == [_error(7), '7: note: Incompatible member "sides": expected "str", got "int"']
        _write(protocols, _protocol())
        assert check() == []
        _write(protocols, _protocol(colour="bytes"))
        assert check() == [_error(7), '7: note: Incompatible optional member "colour": expected "bytes", got "str"']
        _write(implementation, _IMPLEMENTATION.format(protocols="dmn_shapes", colour="b'red'"))
        assert check() == []
    finally:
        stop = subprocess.run([*dmypy, "stop"], cwd=tmp_path, capture_output=True, timeout=60, check=False)
        if stop.returncode != 0:
            subprocess.run([*dmypy, "kill"], cwd=tmp_path, capture_output=True, timeout=60, check=False)


# --- without the plugin ---------------------------------------------------------------------------

_PYRIGHT_SAMPLE = PYRIGHT_SAMPLES / "contract_decorator.py"


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if line == text)


def test_plain_mypy_rejects_at_the_class_and_keeps_its_type(tmp_path: Path) -> None:
    """Without the plugin, mypy rejects a class that misses the contract (one line) and keeps the class type."""
    run = run_mypy(
        [_PYRIGHT_SAMPLE.name], cwd=PYRIGHT_SAMPLES, config=_config(tmp_path, plugin=False), cache_dir=tmp_path
    )
    errors = [line for line in run.by_file[_PYRIGHT_SAMPLE.name] if ": error: " in line]
    # assert_type() lines would add errors if the class type were lost.
    assert errors == [
        f'{_line_of(_PYRIGHT_SAMPLE, "class Bad:")}: error: Value of type variable "_TCurrent" of "__call__" of '
        '"_ImplementsCurrentParslExecutorProtocol" cannot be "Bad"  [type-var]'
    ]


def test_pyright_rejects_at_the_decorator_and_keeps_the_class_type(tmp_path: Path) -> None:
    """basedpyright (no plugin) rejects the non-conforming class at its decorator and keeps the class's own type."""
    pytest.importorskip("basedpyright")
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "standard", "pythonVersion": "3.10"}))
    proc = subprocess.run(
        [sys.executable, "-m", "basedpyright", "--outputjson", "--pythonpath", sys.executable, "-p", str(config),
         str(_PYRIGHT_SAMPLE)],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )
    report = json.loads(proc.stdout)
    diagnostics = [(d["severity"], d["range"]["start"]["line"] + 1, d["message"]) for d in report["generalDiagnostics"]]
    errors = [d for d in diagnostics if d[0] == "error"]
    bad_decorator = _line_of(_PYRIGHT_SAMPLE, "class Bad:") - 1
    assert [line for _, line, _ in errors] == [bad_decorator]
    message = errors[0][2]
    assert '"Bad" is incompatible with protocol "CurrentParslExecutorProtocol"' in message
    assert '"submit" is not present' in message
    revealed = ("information", _line_of(_PYRIGHT_SAMPLE, "reveal_type(Good)"), 'Type of "Good" is "type[Good]"')
    assert revealed in diagnostics
