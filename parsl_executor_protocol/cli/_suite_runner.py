"""The child side of ``parsl-suite``: one pytest run of the installed parsl's shipped tests.

``parsl-suite`` starts this module as ``PYTHON -m parsl_executor_protocol.cli._suite_runner``
under the interpreter that runs the suite (``--python``), once for the target and once
for the baseline, each in a temporary directory of its own.  It

1. checks what the shipped tests need (a pytest < 9, parsl with its ``tests`` folder,
   pytest-timeout when a timeout is asked for) and, for the target, loads the target and
   builds a ``parsl.Config`` around it, so that a bad target is one clear line;
2. runs pytest in this process (``pytest.main``), with a small plugin that writes one JSON
   line per event (collected, each test's outcome, finished) to the events file the
   parent reads for its progress bar and report.

Every failure of step 1 is an ``{"event": "error"}`` line and exit code 2.  The config
module the parent writes calls :func:`suite_config`, which hands over the executor step 1
made and makes a fresh one on every later call, as Parsl's own ``fresh_config()`` does.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import sys
import sysconfig
from typing import TYPE_CHECKING, Any, Dict, List, Optional, TextIO

from ..errors import TargetError

if TYPE_CHECKING:
    import pytest

__all__ = ["EVENTS_ENV", "PYTEST_TOO_NEW", "main", "make_executor", "suite_config"]

#: The environment variable naming the events file (set by the runner for the config module).
EVENTS_ENV = "PARSL_SUITE_EVENTS"

#: pytest 9 removed the ``py.path`` argument of ``pytest_ignore_collect`` that parsl's conftest.py implements.
PYTEST_TOO_NEW = 9

# The executor step 1 made, keyed by target spec: the config module's first call takes it.
_PRELOADED: Dict[str, Any] = {}


def make_executor(spec: str) -> Any:
    """A new executor from ``spec`` (a class, instance or zero-argument factory, as ``check`` loads them).

    A class is called with no arguments; a ``concurrent.futures.Executor`` (which Parsl
    cannot run) is wrapped with :func:`~parsl_executor_protocol.adapt`.  Raises
    :class:`~parsl_executor_protocol.errors.TargetError` with one line on any failure.
    """
    import concurrent.futures

    from ._loading import describe, load_target, one_line

    loaded = load_target(spec)
    executor = loaded.obj
    if isinstance(executor, type):
        try:
            executor = executor()
        except Exception as exc:
            raise TargetError(
                f"{spec}: {describe(loaded.obj)} cannot be made with no arguments: "
                f"{one_line(exc)}; name a factory instead"
            ) from None
    if isinstance(executor, concurrent.futures.Executor):
        from ..adapters import adapt

        executor = adapt(executor)
    return executor


def suite_config(spec: str) -> Any:
    """The ``parsl.Config`` the written config module's ``fresh_config()`` returns: one fresh executor of ``spec``.

    The first call in the runner's process returns the executor the runner made while
    checking the target; every later call makes a new one.
    """
    from parsl.config import Config

    executor = _PRELOADED.pop(spec, None)
    if executor is None:
        executor = make_executor(spec)
    return Config(executors=[executor])


# --------------------------------------------------------------------------- events


class _Events:
    """Writes the run's events as JSON lines, flushed one by one so the parent can follow."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, event: str, **fields: Any) -> None:
        self.stream.write(json.dumps({"event": event, **fields}) + "\n")
        self.stream.flush()


def _first_line(report: Any) -> str:
    """The first line of a report's error or skip reason, as the report's summary would show it."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # a skip: (path, line, reason)
        return " ".join(str(longrepr[2]).split()).removeprefix("Skipped: ")
    crash = getattr(longrepr, "reprcrash", None)
    text = str(crash.message) if crash is not None else str(longrepr)
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


class _EventsPlugin:
    """A pytest plugin: collected count, then one event per test with its outcome and first error line."""

    def __init__(self, events: _Events) -> None:
        self.events = events
        self.outcomes: Dict[str, Dict[str, Any]] = {}

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # A module that fails (or skips) at import is a result too: parsl's conftest turns
        # missing user options into collection skips.
        if report.failed or report.skipped:
            outcome = "failed" if report.failed else "skipped"
            self.events.write("test", test=report.nodeid, outcome=outcome, phase="collect",
                              message=_first_line(report), seconds=0.0)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.events.write("collected", count=len(session.items))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self.outcomes.setdefault(report.nodeid, {"outcome": "passed", "phase": "", "message": "",
                                                         "seconds": 0.0})
        state["seconds"] += report.duration
        if state["outcome"] != "passed":
            return  # the first problem is the one to report (a teardown error after a failure is noise)
        if report.failed:
            state.update(outcome="failed", phase=report.when, message=_first_line(report))
        elif report.skipped:
            # An xfail is reported as skipped: it did not pass, and it is not a failure.
            reason = getattr(report, "wasxfail", "") or _first_line(report)
            state.update(outcome="skipped", phase=report.when, message=reason)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        state = self.outcomes.pop(nodeid, None)
        if state is not None:
            self.events.write("test", test=nodeid, **state)


# --------------------------------------------------------------------------- checks


def _check_environment(timeout: Optional[float]) -> Dict[str, str]:
    """Versions of what the run uses; a TargetError naming the fix when something is missing."""
    import pytest

    python = sys.executable
    major = int(pytest.__version__.split(".")[0])
    if major >= PYTEST_TOO_NEW:
        raise TargetError(
            f"{python} has pytest {pytest.__version__}, and parsl's shipped conftest.py needs pytest < 9: "
            "make a side environment with pip install 'parsl-executor-protocol[parsl-suite]' "
            "and pass its interpreter as --python (make parsl-suite does this)"
        )
    try:
        import parsl
    except ImportError:
        raise TargetError(
            f"{python} has no parsl: pip install 'parsl-executor-protocol[parsl-suite]' there"
        ) from None
    tests = os.path.join(os.path.dirname(parsl.__file__), "tests")
    if not os.path.isfile(os.path.join(tests, "conftest.py")):
        raise TargetError(f"parsl {parsl.__version__} under {python} ships no tests ({tests} has no conftest.py)")
    if timeout is not None and importlib.util.find_spec("pytest_timeout") is None:
        raise TargetError(
            f"--timeout needs pytest-timeout under {python}: pip install 'parsl-executor-protocol[parsl-suite]' "
            "there, or pass --timeout 0"
        )
    return {"python": python, "pytest": pytest.__version__, "parsl": str(parsl.__version__), "tests": tests}


def _check_target(spec: str) -> Dict[str, Any]:
    """Make the target's first executor and a Config around it; name it and count its contract violations.

    The contract is today's (what the DataFlowKernel calls); violations do not stop the run,
    whose tests show what they cost, but the report mentions them.
    """
    from parsl.config import Config

    from ..checking import check
    from ..protocols._contracts import RUNTIME_CONTRACT, contract_protocol
    from ._loading import one_line

    executor = make_executor(spec)
    try:
        Config(executors=[executor])
    except Exception as exc:
        raise TargetError(
            f"{spec} gives {type(executor).__qualname__}, which parsl.Config rejects: "
            f"{one_line(exc)[:300]}"
        ) from None
    _PRELOADED[spec] = executor
    label = getattr(executor, "label", None)
    module = type(executor).__module__
    # A file target's module has a made-up name (see _loading): the class name says more.
    name = type(executor).__qualname__ if module.startswith("_parsl_executor_protocol_target_") else (
        f"{module}.{type(executor).__qualname__}")
    violations = len(check(executor, contract_protocol(RUNTIME_CONTRACT)).violations)
    return {"executor": f"{name} (label {label!r})" if isinstance(label, str) else name,
            "contract_violations": violations}


# --------------------------------------------------------------------------- main


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="parsl_executor_protocol.cli._suite_runner")
    parser.add_argument("--events", required=True)
    parser.add_argument("--config", required=True, help="the config module pytest --config gets")
    parser.add_argument("--target", help="the target spec to check first (the baseline has none)")
    parser.add_argument("--import-path", default=None, help="the directory targets are imported relative to")
    parser.add_argument("--select", required=True, help="pytest -k expression")
    parser.add_argument("--timeout", type=float, default=None)
    parser.add_argument("--junit-xml", default=None)
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run one pytest session of parsl's shipped tests; events go to ``--events``. Exit 2 on a bad environment."""
    args = _parser().parse_args(argv)
    with open(args.events, "a", encoding="utf-8") as stream:
        events = _Events(stream)
        # As `check` does from the user's directory: module targets are importable from it.
        if args.import_path and args.import_path not in sys.path:
            sys.path.insert(0, args.import_path)
        try:
            versions = _check_environment(args.timeout)
            target = _check_target(args.target) if args.target else {}
        except TargetError as exc:
            events.write("error", message=str(exc))
            return 2
        events.write("ready", **target, **versions)
        # HighThroughputExecutor starts process_worker_pool.py by name: this environment's
        # scripts must be on PATH even when its interpreter was named without activating it.
        scripts = sysconfig.get_path("scripts")
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")
        os.environ[EVENTS_ENV] = args.events

        import pytest

        # An empty ini file of our own: no project's pytest settings (addopts, plugins'
        # options) above the tests' directory apply; rootdir at parsl's package gives
        # test ids as "tests/test_x.py::test_y".
        ini = os.path.join(os.getcwd(), "pytest.ini")
        with open(ini, "w", encoding="utf-8") as handle:
            handle.write("[pytest]\n")
        pytest_args = [
            versions["tests"], "--config", args.config, "-k", args.select,
            "-c", ini, "--rootdir", os.path.dirname(versions["tests"]),
            "-p", "no:cacheprovider", "-p", "no:parsl_executor_protocol", "-q", "--tb=short",
        ]
        if args.timeout is not None:
            pytest_args += ["--timeout", str(args.timeout)]
        if args.junit_xml:
            pytest_args += ["--junit-xml", args.junit_xml]
        code = pytest.main(pytest_args, plugins=[_EventsPlugin(events)])
        _shut_down_unused()
        events.write("finished", exitstatus=int(code))
    return 0


def _shut_down_unused() -> None:
    """Shut down the checked executor if no test session took it (a selection of no test)."""
    for executor in _PRELOADED.values():
        with contextlib.suppress(Exception):  # never started: some executors cannot shut down cleanly then
            executor.shutdown()
    _PRELOADED.clear()


if __name__ == "__main__":
    sys.exit(main())
