"""``parsl-suite``: bad input, the config module it writes, its event plugin and report, and a real smoke run.

The shipped parsl tests need pytest < 9, which this environment does not have: the real
suite runs only through the side environment ``make parsl-suite`` builds
(``.venv-parsl-suite``), and the smoke tests below skip, saying so, when it is absent.
Everything else runs here, against the real parsl and real pytest runs.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, List

import pytest

from parsl_executor_protocol.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, _suite, _suite_runner, main
from parsl_executor_protocol.errors import TargetError

from ._mypy import REPO

SIDE_PYTHON = REPO / ".venv-parsl-suite" / "bin" / "python"
_side_env_present = pytest.mark.skipif(
    not SIDE_PYTHON.exists(),
    reason="no .venv-parsl-suite (parsl's shipped tests need pytest < 9): `make parsl-suite` builds it",
)


def needs_side_env(test: Any) -> Any:
    """Runs parsl's tests through .venv-parsl-suite: once per test run, whatever interpreter drives it."""
    return pytest.mark.once(_side_env_present(test))
TARGETS = REPO / "benchmarks" / "parsl_suite.py"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("parsl-executor-protocol: error: "), err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- bad input, end to end


@pytest.mark.timeout(60)
@pytest.mark.skipif(int(pytest.__version__.split(".")[0]) < 9, reason="needs an interpreter with pytest >= 9")
def test_pytest_9_is_refused_with_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    """Under this interpreter's pytest 9 the command exits 2 with one line naming --python and the extra."""
    code, out, err = run(capsys, "parsl-suite", "parsl.executors:ThreadPoolExecutor", "--python", sys.executable)
    assert (code, out) == (EXIT_USAGE, "")
    line = one_error_line(err)
    assert f"has pytest {pytest.__version__}" in line
    assert "needs pytest < 9" in line
    assert "parsl-executor-protocol[parsl-suite]" in line
    assert "--python" in line


@pytest.mark.timeout(60)
def test_missing_interpreter_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A --python that does not exist exits 2 with one line."""
    code, _, err = run(capsys, "parsl-suite", "x:Y", "--python", str(tmp_path / "python"))
    assert code == EXIT_USAGE
    assert "cannot run --python" in one_error_line(err)


@pytest.mark.timeout(120)
def test_interpreter_without_the_package_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An interpreter without parsl-executor-protocol (a bare venv) exits 2 naming what to install there."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True, timeout=100)
    code, _, err = run(capsys, "parsl-suite", "x:Y", "--python", str(tmp_path / "bare" / "bin" / "python"))
    assert code == EXIT_USAGE
    line = one_error_line(err)
    assert "has no parsl-executor-protocol" in line
    assert "pip install 'parsl-executor-protocol[parsl-suite]'" in line


@pytest.mark.parametrize("value", ["-1", "soon"])
def test_bad_timeout_is_a_usage_error(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, _, err = run(capsys, "parsl-suite", "x:Y", "--timeout", value)
    assert code == EXIT_USAGE
    assert "usage:" in err


# --------------------------------------------------------------------------- the runner's checks, in process


def test_missing_parsl_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """No parsl under the interpreter: the runner's check names the extra to install."""
    monkeypatch.setattr(pytest, "__version__", "7.4.4")
    monkeypatch.setitem(sys.modules, "parsl", None)  # `import parsl` raises ImportError
    with pytest.raises(TargetError, match=r"has no parsl: pip install 'parsl-executor-protocol\[parsl-suite\]'"):
        _suite_runner._check_environment(None)


@pytest.mark.parsl
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("tests.cli_no_such_module:Executor", "cannot import 'tests.cli_no_such_module'"),
        ("tests.cli_targets:failing_factory", "factory tests.cli_targets:failing_factory raised RuntimeError"),
        ("tests.cli_targets:NOT_AN_EXECUTOR", "is int 42, not a class, an instance or a factory"),
        ("tests.cli_targets:factory_with_arguments", "needs arguments (workers)"),
    ],
)
def test_bad_targets_are_one_line(spec: str, expected: str) -> None:
    """What the runner checks before running any test: each bad target is one line naming it."""
    with pytest.raises(TargetError) as raised:
        _suite_runner._check_target(spec)
    message = str(raised.value)
    assert "\n" not in message
    assert expected in message
    assert not _suite_runner._PRELOADED


# --------------------------------------------------------------------------- the config module


def load_config_module(path: Path) -> Any:
    # As parsl's conftest.py loads --config: a module from a file, under an empty name.
    spec = importlib.util.spec_from_file_location("", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parsl
def test_config_module_makes_a_fresh_executor_per_call(tmp_path: Path) -> None:
    """The written module has fresh_config() and no `config`; each call gives a parsl.Config with a new executor."""
    from parsl.config import Config
    from parsl.executors import ThreadPoolExecutor

    spec = "parsl.executors:ThreadPoolExecutor"
    path = _suite.write_config_module(tmp_path, spec)
    assert path.parent == tmp_path
    module = load_config_module(path)
    assert not hasattr(module, "config")  # conftest.py would prefer it to fresh_config()
    first, second = module.fresh_config(), module.fresh_config()
    assert isinstance(first, Config)
    assert isinstance(second, Config)
    [one], [two] = first.executors, second.executors
    assert isinstance(one, ThreadPoolExecutor)
    assert isinstance(two, ThreadPoolExecutor)
    assert one is not two


@pytest.mark.parsl
def test_config_module_hands_over_the_checked_executor_then_adapts_pools(tmp_path: Path) -> None:
    """The executor made while checking is the first call's; a concurrent.futures pool is wrapped by adapt()."""
    from parsl_executor_protocol.adapters import ExecutorAdapter

    spec = "concurrent.futures:ThreadPoolExecutor"
    described = _suite_runner._check_target(spec)
    assert "ExecutorAdapter" in described["executor"]
    assert "'threads'" in described["executor"]
    assert described["contract_violations"] == 0
    checked = _suite_runner._PRELOADED[spec]
    module = load_config_module(_suite.write_config_module(tmp_path, spec))
    [first] = module.fresh_config().executors
    [second] = module.fresh_config().executors
    try:
        assert first is checked
        assert isinstance(second, ExecutorAdapter)
        assert second is not first
    finally:
        first.shutdown()
        second.shutdown()


def test_file_targets_and_interpreters_are_anchored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The runs import targets from a temporary directory: a file path becomes absolute."""
    monkeypatch.chdir(tmp_path)
    assert _suite._anchor("executors.py:make") == f"{tmp_path}/executors.py:make"
    assert _suite._anchor("pkg/executors.py:Cls.make") == f"{tmp_path}/pkg/executors.py:Cls.make"
    assert _suite._anchor("pkg.executors:make") == "pkg.executors:make"
    # --python too; a venv's python is a symlink into its environment and must stay one.
    assert _suite._interpreter(".venv/bin/python") == f"{tmp_path}/.venv/bin/python"
    assert _suite._interpreter(Path(sys.executable).name) == shutil.which(Path(sys.executable).name)
    with pytest.raises(TargetError, match="not found on PATH"):
        _suite._interpreter("no-such-python-for-parsl-suite")


def test_selection_is_parsls_narrowed_by_select() -> None:
    assert _suite.selection(None) == "not cleannet"
    assert _suite.selection("test_fail") == "(not cleannet) and (test_fail)"


def test_help_names_the_selection_the_runs_use() -> None:
    """The parser keeps its own copy of the selection, so as not to import _suite for every command."""
    import parsl_executor_protocol.cli as cli

    assert cli._SUITE_SELECTION == _suite.PARSL_SELECTION


# ------------------------------------------------------------------ events and the report, from real pytest runs

_TINY_TESTS = """
import pytest

FLAKY = {flaky!r}


def test_passes():
    assert True


def test_flaky():
    assert not FLAKY, "the executor dropped the exception"


@pytest.mark.skip(reason="not for this config")
def test_skipped():
    pass


def test_resource():
    assert {flaky!r} is False
"""


def pytest_run_with_events(tmp_path: Path, name: str, flaky: bool) -> _suite.Run:
    """A real pytest run (this interpreter's pytest) of a tiny test file, with the runner's event plugin."""
    directory = tmp_path / name
    directory.mkdir()
    (directory / "test_tiny.py").write_text(_TINY_TESTS.format(flaky=flaky))
    events = directory / "events.jsonl"
    program = textwrap.dedent(f"""
        import sys, pytest
        from parsl_executor_protocol.cli._suite_runner import _Events, _EventsPlugin
        with open({str(events)!r}, "w") as stream:
            code = pytest.main([{str(directory)!r}, "-q", "-p", "no:cacheprovider", "-c", "/dev/null",
                                "--rootdir", {str(directory)!r}], plugins=[_EventsPlugin(_Events(stream))])
            _Events(stream).write("finished", exitstatus=int(code))
    """)
    subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, timeout=120, cwd=directory)
    run = _suite.Run(name, info={"parsl": "x", "pytest": pytest.__version__, "python": sys.executable,
                                 "executor": name})
    with events.open() as handle:
        assert _suite._read_events(handle, run, "") == ""
    return run


@pytest.mark.timeout(120)
def test_events_and_report_from_real_pytest_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plugin's events of two real runs give each test's outcome; the report names the regression."""
    target = pytest_run_with_events(tmp_path, "target", flaky=True)
    baseline = pytest_run_with_events(tmp_path, "baseline", flaky=False)
    assert target.collected == baseline.collected == 4
    assert target.exitstatus == 1
    assert baseline.exitstatus == 0
    assert {t: r["outcome"] for t, r in target.tests.items()} == {
        "test_tiny.py::test_passes": "passed", "test_tiny.py::test_flaky": "failed",
        "test_tiny.py::test_skipped": "skipped", "test_tiny.py::test_resource": "failed",
    }
    assert target.tests["test_tiny.py::test_skipped"]["message"] == "not for this config"
    # One test declared not applicable, as NOT_APPLICABLE declares parsl's.
    monkeypatch.setattr(_suite, "NOT_APPLICABLE", {"test_tiny.py::test_resource": "asserts parsl's own classes"})
    report = _suite.compare("tiny:target", "not cleannet", target, baseline)
    assert not report.ok
    assert report.regressions == [{"test": "test_tiny.py::test_flaky",
                                   "error": "AssertionError: the executor dropped the exception"}]
    assert report.not_applicable == [{"test": "test_tiny.py::test_resource", "reason": "asserts parsl's own classes",
                                      "target": "failed", "baseline": "passed"}]
    table = _suite.render_table(report)
    assert "test_tiny.py::test_flaky\n      AssertionError: the executor dropped the exception" in table
    assert "not applicable to a third-party executor" in table
    assert table.endswith("parsl-suite: 1 regression(s)")
    document = json.loads(_suite.render_json(report))
    assert document["ok"] is False
    assert document["counts"]["target"] == {"passed": 1, "failed": 1, "skipped": 1, "not applicable": 1}
    assert document["counts"]["baseline"] == {"passed": 2, "failed": 0, "skipped": 1, "not applicable": 1}
    # A run that ended before a test: the test is "not run", a regression when the baseline passed it.
    del target.tests["test_tiny.py::test_passes"]
    target.ended_early = "the target run ended early (exit code -9): Killed"
    again = _suite.compare("tiny:target", "not cleannet", target, baseline)
    assert {"test": "test_tiny.py::test_passes", "error": target.ended_early} in again.regressions


# --------------------------------------------------------------------------- smoke: the real suite, side environment


def suite(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run(capsys, "parsl-suite", *argv, "--python", str(SIDE_PYTHON), "--no-progress")


@needs_side_env
@pytest.mark.parsl
@pytest.mark.timeout(180)
def test_smoke_parsl_threads_has_no_regression(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A small selection of parsl's real tests: parsl's ThreadPoolExecutor matches the baseline, as JSON and JUnit."""
    junit = tmp_path / "suite.xml"
    code, out, err = suite(capsys, "parsl.executors:ThreadPoolExecutor", "-k", "test_python_apps and test_fail",
                           "--format", "json", "--junit-xml", str(junit))
    assert code == EXIT_OK, err
    document = json.loads(out)
    assert document["ok"] is True
    assert document["regressions"] == []
    assert document["contract_violations"] == 0
    counts = document["counts"]
    assert counts["target"] == counts["baseline"]
    assert counts["target"]["passed"] >= 2
    assert document["selection"] == "(not cleannet) and (test_python_apps and test_fail)"
    text = junit.read_text()
    assert 'name="target: parsl.executors:ThreadPoolExecutor"' in text
    assert 'name="baseline: local_threads"' in text


@needs_side_env
@pytest.mark.parsl
@pytest.mark.timeout(180)
def test_smoke_broken_executor_is_caught(capsys: pytest.CaptureFixture[str]) -> None:
    """An executor that drops task exceptions: exit 1, each failing test named with its first error line."""
    code, out, err = suite(capsys, f"{TARGETS}:broken_drops_exceptions", "-k", "test_python_apps and test_fail")
    assert code == EXIT_VIOLATION, err
    assert "tests/test_python_apps/test_fail.py::test_fail_sequence_first\n" \
           "      Failed: DID NOT RAISE <class 'parsl.dataflow.errors.DependencyError'>" in out
    assert "regression(s)" in out.splitlines()[-1]


@needs_side_env
@pytest.mark.timeout(120)
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("tests.cli_targets:Nope", "module 'tests.cli_targets' has no attribute 'Nope'"),
        ("tests.cli_targets:failing_factory", "raised RuntimeError: no cluster available"),
    ],
)
def test_smoke_bad_targets_exit_2(capsys: pytest.CaptureFixture[str], spec: str, expected: str) -> None:
    """Through the real side interpreter, a bad target is one line and exit 2, before any test runs."""
    code, out, err = suite(capsys, spec)
    assert (code, out) == (EXIT_USAGE, "")
    assert expected in one_error_line(err)


@pytest.mark.parsl
def test_contract_violations_are_counted_not_fatal() -> None:
    """A target far from the contract still runs (its tests show the cost); the report counts its violations."""
    described = _suite_runner._check_target("tests.cli_targets:SubmitOnly")
    _suite_runner._PRELOADED.clear()
    assert described["executor"] == "tests.cli_targets.SubmitOnly (label 'submit-only')"
    assert described["contract_violations"] > 5


@pytest.mark.parametrize("uid", [0, 1000])
def test_root_only_exclusions_apply_as_root(monkeypatch: pytest.MonkeyPatch, uid: int) -> None:
    """The tests that expect a non-root user are not applicable only when the suite runs as root."""
    monkeypatch.setattr(os, "geteuid", lambda: uid, raising=False)
    excluded = _suite.not_applicable()
    assert set(_suite.NOT_APPLICABLE) <= set(excluded)
    assert (set(_suite.NOT_APPLICABLE_AS_ROOT) <= set(excluded)) is (uid == 0)


@needs_side_env
@pytest.mark.parsl
@pytest.mark.timeout(120)
def test_smoke_timeout_fails_a_stalled_test(capsys: pytest.CaptureFixture[str]) -> None:
    """An executor whose futures never complete: --timeout fails the test instead of hanging the run."""
    code, out, err = suite(capsys, f"{REPO}/tests/parsl_suite_targets.py:never_completes",
                           "-k", "test_fail and test_no_deps", "--timeout", "2")
    assert code == EXIT_VIOLATION, err
    assert "tests/test_python_apps/test_fail.py::test_no_deps\n      Failed: Timeout (>2.0s) from pytest-timeout" in out


@needs_side_env
@pytest.mark.timeout(120)
def test_smoke_empty_selection_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = suite(capsys, "parsl.executors:ThreadPoolExecutor", "-k", "no_such_test_anywhere")
    assert (code, out) == (EXIT_USAGE, "")
    assert "matches none of parsl's tests" in one_error_line(err)


@pytest.mark.timeout(60)
def test_a_run_that_makes_no_progress_is_stopped(tmp_path: Path) -> None:
    """The watchdog: an interpreter that never reports is stopped after the stall time, with its process group."""
    fake = tmp_path / "python"
    marker = tmp_path / "child.pid"
    # Stands in for a runner stuck before its first event; its child shows the whole group is ended.
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {marker}\nwait\n")
    fake.chmod(0o755)
    progress = _suite._Progress(sys.stderr, enabled=False)
    with pytest.raises(TargetError, match=r"made no progress for 1 s before its first test"):
        _suite._run_once(str(fake), "target", tmp_path / "run", [], progress=progress, import_path=str(tmp_path),
                         stall=1.0)
    child = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)


def test_not_applicable_tests_say_why() -> None:
    """Every exclusion has its reason in words, and names a test of parsl's tests folder."""
    entries: List[str] = [*_suite.NOT_APPLICABLE, *_suite.NOT_APPLICABLE_AS_ROOT]
    assert entries
    for test, reason in {**_suite.NOT_APPLICABLE, **_suite.NOT_APPLICABLE_AS_ROOT}.items():
        assert test.startswith("tests/")
        assert "::" in test
        assert len(reason.split()) >= 6
