"""The command line on hostile input: one line on stderr naming the problem, exit 2 (130: interrupt), no traceback.

Each case is one that a fuzz of ``check`` and ``drift`` found giving a traceback
or a wrong exit code.  Targets are modules written to ``tmp_path``; a broken
parsl is a fake ``parsl`` package put first on ``PYTHONPATH`` of a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

from parsl_executor_protocol import __version__
from parsl_executor_protocol.cli import EXIT_OK, EXIT_USAGE, main

from ._mypy import REPO

INTERRUPTED = 130

_TARGETS = """\
class Custom(BaseException):
    pass


class Executor:
    pass


def interrupting_factory():
    raise KeyboardInterrupt


def custom_raising_factory():
    raise Custom("from the factory")


class Unprintable(int):
    def __repr__(self):
        raise ValueError("no repr for you")


UNPRINTABLE = Unprintable(3)


class UnprintableError(Exception):
    def __str__(self):
        raise ValueError("no str either")


def factory_raising_unprintable():
    raise UnprintableError()
"""

_MODULES = {
    "targets.py": _TARGETS,
    "interrupts.py": "raise KeyboardInterrupt\n",
    "custom_base.py": "class Custom(BaseException):\n    pass\n\nraise Custom('at import')\n",
    "exits_on_getattr.py": "def __getattr__(name):\n    raise SystemExit(4)\n",
}


@pytest.fixture
def targets(tmp_path: Path) -> Path:
    for name, source in _MODULES.items():
        (tmp_path / name).write_text(source)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, List[str]]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err.splitlines()


def assert_one_line(err: List[str], *expected: str) -> None:
    assert len(err) == 1, err
    assert err[0].startswith("parsl-executor-protocol: "), err
    for text in expected:
        assert text in err[0], err


CASES = [
    ("interrupts.py:Executor", INTERRUPTED, "interrupted"),
    ("targets.py:interrupting_factory", INTERRUPTED, "interrupted"),
    ("custom_base.py:Executor", EXIT_USAGE, "running '{tmp}/custom_base.py' raised Custom: at import"),
    ("targets.py:custom_raising_factory", EXIT_USAGE, "raised Custom: from the factory"),
    ("exits_on_getattr.py:Executor", EXIT_USAGE, "raised SystemExit: 4"),
    ("targets.py:UNPRINTABLE", EXIT_USAGE, "is Unprintable <Unprintable whose repr() raised>, not a class"),
    ("targets.py:factory_raising_unprintable", EXIT_USAGE, "raised UnprintableError"),
]


@pytest.mark.parametrize(("target", "code", "expected"), CASES, ids=[target for target, _, _ in CASES])
def test_hostile_targets_give_one_line(
    capsys: pytest.CaptureFixture[str], targets: Path, target: str, code: int, expected: str
) -> None:
    """Interrupts exit 130, any other BaseException (SystemExit included) exits 2; one line each."""
    status, out, err = run(capsys, "check", f"{targets}/{target}")
    assert status == code
    assert out == ""
    assert_one_line(err, expected.format(tmp=targets))


def test_interrupt_in_a_real_process_exits_130(targets: Path) -> None:
    """The console entry point itself, not only main(): no traceback, exit 130."""
    proc = subprocess.run(
        [sys.executable, "-m", "parsl_executor_protocol", "check", f"{targets}/interrupts.py:Executor"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert proc.returncode == INTERRUPTED
    assert proc.stderr.splitlines() == ["parsl-executor-protocol: interrupted"]


def test_path_too_long_for_the_os(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    name = "x" * (os.pathconf(tmp_path, "PC_NAME_MAX") + 10) if hasattr(os, "pathconf") else "x" * 300
    status, _, err = run(capsys, "check", f"{tmp_path}/{name}.py:Executor")
    assert status == EXIT_USAGE
    assert_one_line(err, "cannot read", "File name too long")
    assert len(err[0]) < 400  # the path is shortened in the message


def test_path_with_a_newline_is_escaped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "check", f"{tmp_path}/two\nlines.py:Executor")
    assert status == EXIT_USAGE
    assert_one_line(err, "no such file:", "two\\nlines.py")


def test_path_through_a_file_is_no_such_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A directory on the way that is a file (ENOTDIR), as an unreadable one is for the OS."""
    (tmp_path / "plain").write_text("")
    status, _, err = run(capsys, "check", f"{tmp_path}/plain/x.py:Executor")
    assert status == EXIT_USAGE
    assert_one_line(err, "no such file:")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any directory")
def test_unreadable_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "x.py").write_text("class Executor: pass\n")
    locked.chmod(0)
    try:
        status, _, err = run(capsys, "check", f"{locked}/x.py:Executor")
    finally:
        locked.chmod(0o700)
    assert status == EXIT_USAGE
    assert_one_line(err, str(locked))


def _fake_parsl(root: Path, init: str) -> subprocess.CompletedProcess[str]:
    (root / "parsl").mkdir()
    (root / "parsl" / "__init__.py").write_text(init)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(REPO)])}
    return subprocess.run(
        [sys.executable, "-m", "parsl_executor_protocol", "drift"],
        capture_output=True, text=True, cwd=REPO, env=env, timeout=120, check=False,
    )


def test_drift_with_a_broken_parsl(tmp_path: Path) -> None:
    proc = _fake_parsl(tmp_path, "raise RuntimeError('half installed')\n")
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.splitlines() == [
        "parsl-executor-protocol: error: the installed parsl is broken: importing parsl raised RuntimeError: "
        "half installed; reinstall it: pip install --force-reinstall 'parsl-executor-protocol[parsl]'"
    ]


def test_drift_with_a_partial_parsl(tmp_path: Path) -> None:
    proc = _fake_parsl(tmp_path, "__version__ = '0'\n")
    assert proc.returncode == EXIT_USAGE
    (line,) = proc.stderr.splitlines()
    assert line.startswith(
        "parsl-executor-protocol: error: the installed parsl is incomplete: importing parsl.executors.base raised "
        "ModuleNotFoundError"
    )
    assert line.endswith("reinstall it: pip install --force-reinstall 'parsl-executor-protocol[parsl]'")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "--version")
    assert status == EXIT_OK
    assert out.strip() == f"parsl-executor-protocol {__version__}"


def test_drift_base_labels_its_column(capsys: pytest.CaptureFixture[str]) -> None:
    """drift --base X calls the base class's side X, not "parsl"."""
    base = "parsl.executors:ThreadPoolExecutor"
    _, out, err = run(capsys, "drift", "--base", base)
    assert err == []
    header = out.splitlines()[1]
    assert header.rstrip().endswith(f"{base} has")
    assert "parsl has" not in out
