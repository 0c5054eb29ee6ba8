"""``parsl-suite``: the installed parsl's shipped tests against a target executor and against Parsl's stock config.

Two pytest runs of ``parsl/tests`` under ``--python`` (each through
:mod:`._suite_runner`, in a temporary directory): the target, through a config module
written here whose ``fresh_config()`` makes a fresh executor of the target per call, then
the baseline, Parsl's own ``parsl/tests/configs/local_threads.py``.  Both use the selection
Parsl's Makefile uses for local configs (``-k "not cleannet"``; the shipped conftest.py
itself drops the tests marked ``local`` when a config file is given), narrowed by
``--select``.  The report compares them test by test: a regression is a test that
passes on the baseline and fails on the target.

:data:`NOT_APPLICABLE` (with :data:`NOT_APPLICABLE_AS_ROOT`) is the one list of tests
whose outcome says nothing about a third-party executor; they run, are listed with their
outcomes and reason, and never count as regressions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, TextIO, Tuple

from ..errors import TargetError

__all__ = [
    "BASELINE_CONFIG",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_AS_ROOT",
    "PARSL_SELECTION",
    "Run",
    "SuiteReport",
    "compare",
    "not_applicable",
    "render_json",
    "render_table",
    "run_suite",
    "selection",
    "write_config_module",
]

#: What Parsl's Makefile passes for its local config runs (``local_thread_test``, ``htex_local_test``).
PARSL_SELECTION = "not cleannet"

#: The baseline: Parsl's stock thread-pool config, as shipped with its tests (relative to the tests folder).
BASELINE_CONFIG = "configs/local_threads.py"

#: Tests whose outcome says nothing about a third-party executor, by test id (``tests/...::name``),
#: with the reason in words.  They run on both sides and are listed, never counted as regressions.
#: This and :data:`NOT_APPLICABLE_AS_ROOT` below are the only such lists (docs/parsl-suite.md).
NOT_APPLICABLE: Dict[str, str] = {
    "tests/test_error_handling/test_resource_spec.py::test_resource": (
        "asserts that an executor rejecting a resource specification is one of Parsl's own classes "
        "(HighThroughputExecutor, WorkQueueExecutor, ThreadPoolExecutor)"
    ),
}

#: Tests that do not apply when the suite runs as root (uid 0), as in containers and CI machines.
NOT_APPLICABLE_AS_ROOT: Dict[str, str] = {
    "tests/test_bash_apps/test_stdout.py::test_bad_stdout_file": (
        "expects that writing to /bad/dir fails, which holds only for a non-root user"
    ),
    "tests/test_bash_apps/test_stdout.py::test_bad_stderr_file": (
        "expects that writing to /bad/dir fails, which holds only for a non-root user"
    ),
}


def not_applicable() -> Dict[str, str]:
    """The tests not applicable to this run (test id to reason): :data:`NOT_APPLICABLE`, and more as root."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return {**NOT_APPLICABLE, **(NOT_APPLICABLE_AS_ROOT if as_root else {})}


_OUTCOMES = ("passed", "failed", "skipped")
_POLL_SECONDS = 0.2
_KILL_GRACE_SECONDS = 5.0
# Beyond the per-test timeout: a run without any event for that long is stuck outside a test.
_STALL_MARGIN_SECONDS = 120.0

_CONFIG_MODULE = '''\
"""Written by parsl-executor-protocol parsl-suite: Parsl's tests' --config for {spec}.

fresh_config() makes a fresh executor of the target on every call, as Parsl's own
config modules do; there is deliberately no module-level `config`, which the shipped
conftest.py would prefer.
"""

from parsl_executor_protocol.cli._suite_runner import suite_config


def fresh_config():
    return suite_config({spec!r})
'''


def selection(select: Optional[str]) -> str:
    """The ``-k`` expression of a run: Parsl's own, narrowed by ``--select`` when given."""
    return PARSL_SELECTION if not select else f"({PARSL_SELECTION}) and ({select})"


def write_config_module(directory: Path, spec: str) -> Path:
    """Write the config module for ``spec`` into ``directory``; return its path."""
    path = directory / "parsl_suite_config.py"
    path.write_text(_CONFIG_MODULE.format(spec=spec), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- one run


@dataclass
class Run:
    """What one pytest run reported: the environment, each test's outcome, and how it ended."""

    name: str
    info: Dict[str, Any] = field(default_factory=dict)
    tests: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    collected: Optional[int] = None
    exitstatus: Optional[int] = None
    seconds: float = 0.0
    ended_early: str = ""

    def counts(self, excluded: Sequence[str] = ()) -> Dict[str, int]:
        """passed/failed/skipped over the tests not in ``excluded``."""
        counts: Dict[str, int] = {outcome: 0 for outcome in _OUTCOMES}
        for test, result in self.tests.items():
            if test not in excluded:
                counts[result["outcome"]] += 1
        return counts


class _Progress:
    """A one-line progress bar on a terminal; otherwise one line as each run starts and ends."""

    def __init__(self, err: TextIO, enabled: bool) -> None:
        self.err = err
        self.enabled = enabled
        self.live = enabled and err.isatty()

    def start(self, run: Run) -> None:
        if self.enabled and not self.live:
            print(f"parsl-suite: running parsl's tests on the {run.name} ...", file=self.err, flush=True)

    def update(self, run: Run) -> None:
        if not self.live:
            return
        total = run.collected or 0
        # Modules that failed or skipped at collection are results, but not among the collected tests.
        done = sum(1 for r in run.tests.values() if r.get("phase") != "collect")
        width = 30
        filled = int(width * done / total) if total else 0
        failed = sum(1 for r in run.tests.values() if r["outcome"] == "failed")
        bar = "#" * filled + "-" * (width - filled)
        text = f"parsl-suite {run.name:<8} [{bar}] {done}/{total or '?'}  {failed} failed"
        print(f"\r\033[K{text}", end="", file=self.err, flush=True)

    def finish(self, run: Run) -> None:
        if not self.enabled:
            return
        counts = run.counts()
        summary = ", ".join(f"{counts[o]} {o}" for o in _OUTCOMES)
        line = f"parsl-suite: {run.name} done in {run.seconds:.1f} s: {summary}"
        print(f"\r\033[K{line}" if self.live else line, file=self.err, flush=True)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """End the run's process group: whatever its executor started and left behind goes with it."""
    for sig, wait in ((signal.SIGTERM, _KILL_GRACE_SECONDS), (signal.SIGKILL, 0.0)):
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            process.poll()  # reap the leader: a zombie would keep the group alive
            try:
                os.killpg(process.pid, 0)
            except (ProcessLookupError, PermissionError):
                return
            time.sleep(0.1)


def _read_events(handle: TextIO, run: Run, pending: str) -> str:
    """Apply the complete event lines available; return an incomplete tail to keep."""
    text = pending + handle.read()
    *lines, tail = text.split("\n")
    for line in lines:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # blank, or cut short by a killed run
            continue
        kind = event.pop("event")
        if kind == "error":
            raise TargetError(event["message"])
        if kind == "ready":
            run.info = event
        elif kind == "collected":
            run.collected = event["count"]
        elif kind == "test":
            run.tests[event.pop("test")] = event
        elif kind == "finished":
            run.exitstatus = event["exitstatus"]
    return tail


def _last_line(path: Path) -> str:
    lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _run_once(
    python: str, name: str, workdir: Path, runner_args: List[str], *, progress: _Progress, import_path: str,
    stall: Optional[float],
) -> Run:
    workdir.mkdir()
    events_path = workdir / "events.jsonl"
    events_path.touch()
    log_path = workdir / "pytest.log"
    command = [python, "-m", "parsl_executor_protocol.cli._suite_runner", "--events", str(events_path),
               "--import-path", import_path, *runner_args]
    run = Run(name)
    started = time.monotonic()
    with log_path.open("wb") as log, events_path.open(encoding="utf-8") as events:
        try:
            # A session of its own: the run and everything its executor starts can be ended together.
            process = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        except OSError as exc:
            raise TargetError(f"cannot run --python {python}: {exc.strerror or exc}") from None
        pending = ""
        announced = False
        last_event = time.monotonic()
        seen: Tuple[bool, Optional[int], int] = (False, None, 0)
        try:
            while process.poll() is None:
                pending = _read_events(events, run, pending)
                state = (bool(run.info), run.collected, len(run.tests))
                if state != seen:
                    seen, last_event = state, time.monotonic()
                if run.info and not announced:  # not before: a bad target is one line, nothing else
                    progress.start(run)
                    announced = True
                progress.update(run)
                if stall is not None and time.monotonic() - last_event > stall:
                    # pytest-timeout bounds each test; this bounds what lies outside them
                    # (collection, the session's teardown), which could otherwise hang the command.
                    run.ended_early = f"the {name} run made no progress for {stall:.0f} s and was stopped"
                    break
                time.sleep(_POLL_SECONDS)
            pending = _read_events(events, run, pending + "\n")
        finally:
            if process.poll() is None:
                process.terminate()
            _kill_group(process)
            process.wait()
    run.seconds = time.monotonic() - started
    if not run.info and run.ended_early:
        raise TargetError(f"the {name} run under {python} made no progress for {stall:.0f} s before its first "
                          "test (a target or factory that hangs?) and was stopped")
    if not run.info:
        # The runner did not even start: typically the interpreter lacks this package.
        last = _last_line(log_path)
        if "No module named 'parsl_executor_protocol" in last:
            raise TargetError(
                f"{python} has no parsl-executor-protocol: pip install 'parsl-executor-protocol[parsl-suite]' there"
            )
        raise TargetError(f"the {name} run under {python} failed to start (exit code {process.returncode}): {last}")
    if run.exitstatus is None and not run.ended_early:
        run.ended_early = f"the {name} run ended early (exit code {process.returncode}): {_last_line(log_path)}"
    progress.finish(run)
    return run


# --------------------------------------------------------------------------- the comparison


@dataclass
class SuiteReport:
    """Both runs and their comparison; :func:`render_table` and :func:`render_json` read it."""

    spec: str
    select: str
    target: Run
    baseline: Run
    regressions: List[Dict[str, str]]
    fixed: List[str]
    not_applicable: List[Dict[str, str]]

    @property
    def ok(self) -> bool:
        """No test passes on the baseline and fails on the target."""
        return not self.regressions


def _outcome(run: Run, test: str) -> Tuple[str, str]:
    result = run.tests.get(test)
    if result is None:
        return "not run", run.ended_early or "not run"
    return result["outcome"], result.get("message", "")


def compare(spec: str, select: str, target: Run, baseline: Run) -> SuiteReport:
    """Compare the two runs test by test."""
    excluded = not_applicable()
    regressions: List[Dict[str, str]] = []
    fixed: List[str] = []
    listed: List[Dict[str, str]] = []
    for test in sorted(set(target.tests) | set(baseline.tests)):
        on_target, message = _outcome(target, test)
        on_baseline, _ = _outcome(baseline, test)
        if test in excluded:
            listed.append({"test": test, "reason": excluded[test], "target": on_target, "baseline": on_baseline})
        elif on_baseline == "passed" and on_target in ("failed", "not run"):
            regressions.append({"test": test, "error": message})
        elif on_baseline == "failed" and on_target == "passed":
            fixed.append(test)
    return SuiteReport(spec, select, target, baseline, regressions, fixed, listed)


def _counts(report: SuiteReport, run: Run) -> Dict[str, int]:
    excluded = [entry["test"] for entry in report.not_applicable]
    counts = run.counts(excluded=excluded)
    counts["not applicable"] = sum(1 for t in run.tests if t in excluded)
    return counts


def _contract_note(info: Dict[str, Any]) -> List[str]:
    count = info.get("contract_violations", 0)
    if not count:
        return []
    return [f"          (violates today's executor contract in {count} member(s): "
            "parsl-executor-protocol check --protocol current lists them)"]


def render_table(report: SuiteReport) -> str:
    """The report: counts side by side, every regression with its first error line, the not-applicable tests."""
    info = report.target.info
    lines = [
        f"parsl {info.get('parsl', '?')}'s shipped tests under pytest {info.get('pytest', '?')} "
        f"({info.get('python', '?')}), -k {report.select!r}",
        f"target:   {report.spec} -> {info.get('executor', '?')}",
        *_contract_note(info),
        "baseline: parsl's tests/configs/local_threads.py (parsl.executors.ThreadPoolExecutor)",
        "",
        f"{'':<16}{'target':>8}  {'baseline':>8}",
    ]
    target_counts, baseline_counts = _counts(report, report.target), _counts(report, report.baseline)
    for key in target_counts:
        lines.append(f"{key:<16}{target_counts[key]:>8}  {baseline_counts[key]:>8}")
    lines.append(f"{'seconds':<16}{report.target.seconds:>8.1f}  {report.baseline.seconds:>8.1f}")
    for run in (report.target, report.baseline):
        if run.ended_early:
            lines += ["", f"warning: {run.ended_early}"]
    lines += ["", f"regressions (pass on the baseline, fail on the target): {len(report.regressions)}"]
    for regression in report.regressions:
        lines.append(f"  {regression['test']}")
        lines.append(f"      {regression['error'] or '(no message)'}")
    if report.fixed:
        lines += ["", f"pass on the target, fail on the baseline: {len(report.fixed)}"]
        lines += [f"  {test}" for test in report.fixed]
    if report.not_applicable:
        lines += ["", "not applicable to a third-party executor (run, never counted as regressions):"]
        for entry in report.not_applicable:
            lines.append(f"  {entry['test']}  target {entry['target']}, baseline {entry['baseline']}")
            lines.append(f"      {entry['reason']}")
    verdict = "no regression against the baseline" if report.ok else f"{len(report.regressions)} regression(s)"
    lines += ["", f"parsl-suite: {verdict}"]
    return "\n".join(lines)


def render_json(report: SuiteReport) -> str:
    """The ``parsl-suite --format json`` document (schema in docs/parsl-suite.md)."""
    tests = sorted(set(report.target.tests) | set(report.baseline.tests))
    document = {
        "command": "parsl-suite",
        "ok": report.ok,
        "target": report.spec,
        "executor": report.target.info.get("executor", ""),
        "contract_violations": report.target.info.get("contract_violations", 0),
        "baseline": "parsl/tests/configs/local_threads.py",
        "selection": report.select,
        "python": report.target.info.get("python", ""),
        "parsl": report.target.info.get("parsl", ""),
        "pytest": report.target.info.get("pytest", ""),
        "counts": {"target": _counts(report, report.target), "baseline": _counts(report, report.baseline)},
        "seconds": {"target": round(report.target.seconds, 2), "baseline": round(report.baseline.seconds, 2)},
        "ended_early": {"target": report.target.ended_early, "baseline": report.baseline.ended_early},
        "regressions": report.regressions,
        "fixed": report.fixed,
        "not_applicable": report.not_applicable,
        "tests": [
            {"test": test, "target": _outcome(report.target, test)[0], "baseline": _outcome(report.baseline, test)[0]}
            for test in tests
        ],
    }
    return json.dumps(document, indent=2)


def _merge_junit(parts: Sequence[Tuple[str, Path]], destination: Path) -> None:
    """One JUnit XML file with a ``testsuite`` per run, named after it."""
    merged = ET.Element("testsuites")
    for name, path in parts:
        if not path.is_file():
            continue
        root = ET.parse(path).getroot()
        for suite in [root] if root.tag == "testsuite" else list(root.iter("testsuite")):
            suite.set("name", name)
            merged.append(suite)
    ET.ElementTree(merged).write(destination, encoding="utf-8", xml_declaration=True)


# --------------------------------------------------------------------------- the command


def run_suite(
    spec: str,
    python: str,
    *,
    select: Optional[str] = None,
    timeout: Optional[float] = None,
    junit_xml: Optional[str] = None,
    err: Optional[TextIO] = None,
    progress: bool = True,
) -> SuiteReport:
    """Run parsl's shipped tests on ``spec``'s executor and on the baseline, and compare them.

    Raises :class:`~parsl_executor_protocol.errors.TargetError` (one line) on bad input:
    an unloadable target, a factory that raises, no parsl or an unsuitable pytest under
    ``python``.  Everything the runs start is ended; the temporary directory is removed.
    """
    anchored = _anchor(spec)
    python = _interpreter(python)
    expression = selection(select)
    shown = _Progress(err if err is not None else sys.stderr, progress)
    common = ["--select", expression]
    if timeout is not None:
        common += ["--timeout", str(timeout)]
    # Without per-test timeouts a slow test is not a stall: no watchdog then.
    stall = None if timeout is None else timeout + _STALL_MARGIN_SECONDS
    with tempfile.TemporaryDirectory(prefix="parsl-suite-") as temporary:
        root = Path(temporary)
        config = write_config_module(root, anchored)
        junit = {name: root / f"{name}.xml" for name in ("target", "baseline")}
        target = _run_once(python, "target", root / "target", [
            "--config", str(config), "--target", anchored, *common,
            *(["--junit-xml", str(junit["target"])] if junit_xml else []),
        ], progress=shown, import_path=os.getcwd(), stall=stall)
        if target.collected == 0:
            raise TargetError(f"the selection -k {expression!r} matches none of parsl's tests")
        baseline_config = str(Path(target.info["tests"]) / BASELINE_CONFIG)
        baseline = _run_once(python, "baseline", root / "baseline", [
            "--config", baseline_config, *common,
            *(["--junit-xml", str(junit["baseline"])] if junit_xml else []),
        ], progress=shown, import_path=os.getcwd(), stall=stall)
        if junit_xml:
            _merge_junit([(f"target: {spec}", junit["target"]), ("baseline: local_threads", junit["baseline"])],
                         Path(junit_xml))
    return compare(spec, expression, target, baseline)


def _interpreter(python: str) -> str:
    """``--python`` as a path the runs can use from their own directory: a bare name is looked up on PATH."""
    if os.sep not in python and "/" not in python:
        found = shutil.which(python)
        if found is None:
            raise TargetError(f"cannot run --python {python}: not found on PATH")
        return found
    # abspath, not resolve: a virtual environment's python is a symlink that must stay one.
    return os.path.abspath(python)


def _anchor(spec: str) -> str:
    """``spec`` with a file path made absolute: the runs import it from another directory."""
    where, colon, attribute = spec.rpartition(":")
    if colon and where and (where.endswith(".py") or os.sep in where or "/" in where):
        return f"{os.path.abspath(where)}:{attribute}"
    return spec
