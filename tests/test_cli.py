"""The command line: ``check``, ``drift`` and ``demo``, their exit codes, JSON and errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Union

import pytest

from parsl_executor_protocol.cli import EXIT_OK, EXIT_USAGE, EXIT_VIOLATION, main

from ._mypy import REPO


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Dict[str, Any]]:
    code, out, err = run(capsys, *argv, "--format", "json")
    assert err == "", err
    document: Dict[str, Any] = json.loads(out)
    return code, document


# --------------------------------------------------------------------------- usage


def test_help_says_that_loading_runs_import_code(capsys: pytest.CaptureFixture[str]) -> None:
    """`check --help` exits 0 and warns that loading a target runs its module's code, checking none of it."""
    code, out, _ = run(capsys, "check", "--help")
    assert code == EXIT_OK
    text = " ".join(out.split())
    assert "runs that module's top-level code" in text
    assert "Checking runs none of the target's code" in text


@pytest.mark.parametrize(
    "argv",
    [[], ["nonsense"], ["check"], ["check", "--format", "yaml", "x:Y"], ["drift", "--format", "xml"]],
    ids=["no-command", "unknown-command", "no-target", "bad-format", "drift-bad-format"],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: List[str]) -> None:
    """A malformed command line exits 2 with argparse's usage message, not a traceback."""
    code, _, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert "usage:" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- bad input

_FILES = {
    "syntax.py": "class Executor:\n    def submit(self\n",
    "raises.py": "raise ValueError('no configuration here')\n",
    "missing_dep.py": "import no_such_dependency_for_cli_tests\n",
}

BAD_INPUT = [
    (["check", "tests.cli_no_such_module:Executor"], "cannot import 'tests.cli_no_such_module'"),
    (["check", "tests.cli_targets:Nope"], "module 'tests.cli_targets' has no attribute 'Nope'"),
    (["check", "tests.cli_targets:Namespace.Nope"], "'tests.cli_targets:Namespace' has no attribute 'Nope'"),
    (["check", "{tmp}/syntax.py:Executor"], "syntax error in {tmp}/syntax.py, line 2"),
    (["check", "{tmp}/raises.py:Executor"], "raised ValueError: no configuration here"),
    (["check", "{tmp}/missing_dep.py:Executor"], "No module named 'no_such_dependency_for_cli_tests'"),
    (["check", "{tmp}/absent.py:Executor"], "no such file: '{tmp}/absent.py'"),
    (["check", "tests.cli_targets"], "is not of the form package.module:Name"),
    (["check", "tests.cli_targets:NOT_AN_EXECUTOR"], "is int 42, not a class, an instance or a factory"),
    (["check", "os:path"], "is the module 'posixpath', not a class"),
    (["check", "tests.cli_targets:failing_factory"], "factory tests.cli_targets:failing_factory raised RuntimeError: "
                                                     "no cluster available"),
    (["check", "tests.cli_targets:factory_with_arguments"], "needs arguments (workers)"),
    (["check", "tests.cli_targets:factory_returning_none"], "returned NoneType None, not a class"),
    (["check", "--protocol", "2021", "tests.cli_targets:EXECUTOR"], "unknown protocol '2021'"),
    (["check", "--protocol", "tests.cli_targets:EXECUTOR", "tests.cli_targets:EXECUTOR"],
     "is an instance of Inline2020Executor, not a protocol (a class deriving from typing.Protocol)"),
    (["check", "tests.cli_targets:EXECUTOR", "tests.cli_targets:Nope"], "has no attribute 'Nope'"),
    (["check", "--protocol", "typing:Protocol", "tests.cli_targets:EXECUTOR"],
     "is the class Protocol, not a protocol (a class deriving from typing.Protocol)"),
    (["drift", "--protocol", "nope"], "unknown protocol 'nope'"),
    (["drift", "--base", "tests.cli_targets:EXECUTOR"], "is an instance of Inline2020Executor, not a class"),
]


@pytest.mark.skipif(sys.platform == "win32", reason="paths in the expectations use /")
@pytest.mark.parametrize(("argv", "expected"), BAD_INPUT, ids=[" ".join(a[1:]) for a, _ in BAD_INPUT])
def test_bad_input_gives_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: List[str], expected: str
) -> None:
    """Each kind of bad target or protocol prints one line naming the problem on stderr and exits 2."""
    for name, source in _FILES.items():
        (tmp_path / name).write_text(source)
    code, out, err = run(capsys, *(arg.format(tmp=tmp_path) for arg in argv))
    assert code == EXIT_USAGE
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("parsl-executor-protocol: error: ")
    assert expected.format(tmp=tmp_path) in lines[0]


# --------------------------------------------------------------------------- drift

DRIFT_MEMBER_KEYS = {"member": str, "status": str, "drift": bool, "required": bool, "expected": str, "found": str,
                     "message": str}


def assert_drift_schema(document: Dict[str, Any]) -> None:
    """The drift JSON document has exactly the keys and types docs/cli.md states."""
    assert set(document) == {"command", "protocol", "base", "parsl_version", "drift", "members", "unrequired"}
    assert document["command"] == "drift"
    for key in ("protocol", "base", "parsl_version"):
        assert isinstance(document[key], str)
    assert isinstance(document["drift"], bool)
    assert all(isinstance(name, str) for name in document["unrequired"])
    for member in document["members"]:
        assert set(member) == set(DRIFT_MEMBER_KEYS)
        for key, kind in DRIFT_MEMBER_KEYS.items():
            assert isinstance(member[key], kind), (key, member)
        assert member["status"] in {"ok", "narrowed", "optional-absent", "unverified", "missing", "moved",
                                    "wrong-kind", "read-only", "incompatible-signature", "incompatible-type"}
    assert document["drift"] == any(member["drift"] for member in document["members"])


def statuses(document: Dict[str, Any]) -> Dict[str, str]:
    return {member["member"]: member["status"] for member in document["members"]}


@pytest.mark.parsl
def test_drift_current_contract_matches_installed_parsl(capsys: pytest.CaptureFixture[str]) -> None:
    """Today's contract shows no drift against parsl's ParslExecutor; only __enter__/__exit__ are extra."""
    code, document = run_json(capsys, "drift")
    assert code == EXIT_OK
    assert_drift_schema(document)
    assert document["base"] == "parsl.executors.base.ParslExecutor"
    assert document["protocol"].endswith("CurrentParslExecutorProtocol")
    assert document["drift"] is False
    found = statuses(document)
    required = {"label", "submit", "start", "shutdown", "run_dir", "run_id", "log_config", "remote_monitoring_radio",
                "monitoring_messages", "monitoring_receiver", "monitor_resources"}
    assert {name: found[name] for name in required} == dict.fromkeys(required, "ok")
    assert {name: found[name] for name in ("storage_access", "provider", "working_dir")} == dict.fromkeys(
        ("storage_access", "provider", "working_dir"), "optional-absent")
    assert document["unrequired"] == ["__enter__", "__exit__"]


@pytest.mark.parsl
def test_drift_block_provider_contract_matches_installed_parsl(capsys: pytest.CaptureFixture[str]) -> None:
    """The block-provider contract is compared with BlockProviderExecutor and shows no drift."""
    code, document = run_json(capsys, "drift", "--protocol", "current-blocks")
    assert code == EXIT_OK
    assert_drift_schema(document)
    assert document["base"] == "parsl.executors.status_handling.BlockProviderExecutor"
    found = statuses(document)
    assert {found[name] for name in ("status", "scale_in", "scale_out_facade", "tasks", "workers_per_node",
                                     "handle_errors", "bad_state_is_set", "provider")} == {"ok"}
    assert "blocks_to_job_id" in document["unrequired"]


@pytest.mark.parsl
def test_drift_2020_contract_shows_the_known_differences(capsys: pytest.CaptureFixture[str]) -> None:
    """The 2020 contract drifts exactly where Parsl's history says it should."""
    code, document = run_json(capsys, "drift", "--protocol", "2020")
    assert code == EXIT_VIOLATION
    assert_drift_schema(document)
    assert statuses(document) == {
        "label": "ok",
        "run_dir": "ok",
        "start": "ok",
        "submit": "incompatible-signature",
        "shutdown": "narrowed",
        "scaling_enabled": "missing",
        "hub_address": "missing",
        "hub_port": "missing",
        "scale_out": "missing",
        "scale_in": "moved",
        "status": "moved",
        "tasks": "moved",
        "set_bad_state_and_fail_all": "moved",
        "bad_state_is_set": "moved",
        "executor_exception": "moved",
        "storage_access": "optional-absent",
    }
    by_name = {member["member"]: member for member in document["members"]}
    assert by_name["submit"]["message"] == (
        "'resource_specification' is required, but calls through the protocol's *args need not pass it")
    assert by_name["shutdown"]["message"] == "parsl returns None, never bool (compatible)"
    assert by_name["shutdown"]["drift"] is False
    assert by_name["status"]["found"].startswith("BlockProviderExecutor: method ()")
    assert {"run_id", "log_config", "monitor_resources", "remote_monitoring_radio", "monitoring_messages",
            "monitoring_receiver"} <= set(document["unrequired"])


@pytest.mark.parsl
def test_drift_table_names_each_drifted_member(capsys: pytest.CaptureFixture[str]) -> None:
    """The drift table shows one row per member with its detail and a closing DRIFT line."""
    code, out, err = run(capsys, "drift", "--protocol", "2020")
    assert code == EXIT_VIOLATION
    assert err == ""
    lines = out.splitlines()
    assert lines[0].startswith("parsl_executor_protocol.protocols.v2020.ParslExecutorProtocol against "
                               "parsl.executors.base.ParslExecutor (parsl ")
    row = next(line for line in lines if line.split()[:2] == ["hub_port", "missing"])
    assert "property (read-write): Optional[int]" in row
    assert any(line.strip().startswith("-> 'resource_specification' is required") for line in lines)
    assert lines[-1].startswith("DRIFT: 11 member(s) changed incompatibly: bad_state_is_set, executor_exception")


@pytest.mark.parsl
def test_drift_detects_kind_writability_and_type_changes(capsys: pytest.CaptureFixture[str]) -> None:
    """Against a base class that broke the contract, drift reports wrong kind, read-only and type, exit 1."""
    code, document = run_json(capsys, "drift", "--base", "tests.cli_targets:DriftedBase")
    assert code == EXIT_VIOLATION
    assert_drift_schema(document)
    drifted = {member["member"]: member["status"] for member in document["members"] if member["drift"]}
    assert drifted == {
        "monitor_resources": "wrong-kind",
        "run_dir": "read-only",
        "remote_monitoring_radio": "incompatible-type",
    }
    assert document["unrequired"] == ["scale_out"]


# --------------------------------------------------------------------------- check

VIOLATION_KEYS = {"member", "kind", "severity", "expected", "found", "message"}
VIOLATION_KINDS = {"missing", "not_callable", "wrong_kind", "incompatible_signature", "read_only",
                   "wrong_attribute_type", "optional_wrong_type", "unverifiable"}


def assert_check_schema(document: Dict[str, Any]) -> None:
    """The check JSON document has exactly the keys and types docs/cli.md states."""
    assert set(document) == {"command", "protocol", "ok", "targets"}
    assert document["command"] == "check"
    assert isinstance(document["protocol"], str)
    assert isinstance(document["ok"], bool)
    assert isinstance(document["targets"], list)
    assert document["targets"]
    for target in document["targets"]:
        assert set(target) == {"target", "loaded_as", "subject", "ok", "violations", "warnings"}
        assert isinstance(target["target"], str)
        assert isinstance(target["subject"], str)
        assert target["loaded_as"] in {"class", "instance", "factory"}
        assert isinstance(target["ok"], bool)
        assert target["ok"] == (not target["violations"])
        for finding, severity in [*((v, "error") for v in target["violations"]),
                                  *((w, "warning") for w in target["warnings"])]:
            assert set(finding) == VIOLATION_KEYS
            assert all(isinstance(value, str) for value in finding.values())
            assert finding["kind"] in VIOLATION_KINDS
            assert finding["severity"] == severity
            assert (finding["kind"] == "unverifiable") == (severity == "warning")
    assert document["ok"] == all(target["ok"] for target in document["targets"])


@pytest.mark.parametrize(
    ("target", "loaded_as"),
    [
        ("tests.cli_targets:Inline2020Executor", "class"),
        ("tests.cli_targets:EXECUTOR", "instance"),
        ("tests.cli_targets:make_executor", "factory"),
        ("tests.cli_targets:PARTIAL_FACTORY", "factory"),
        ("tests.cli_targets:Namespace.Executor", "class"),
        ("tests.cli_targets:Namespace.make", "factory"),
    ],
)
def test_check_conforming_targets_exit_0(capsys: pytest.CaptureFixture[str], target: str, loaded_as: str) -> None:
    """A class, an instance, a factory, a partial and dotted paths that conform: exit 0, one verdict line each."""
    code, out, err = run(capsys, "check", target)
    assert (code, err) == (EXIT_OK, "")
    assert out.splitlines() == [
        f"{target} ({loaded_as}) conforms to ParslExecutorProtocol",
        "1 of 1 target(s) conform to ParslExecutorProtocol",
    ]


def test_check_factory_result_is_what_gets_checked(capsys: pytest.CaptureFixture[str]) -> None:
    """A factory is called once and its product is checked as an instance."""
    code, document = run_json(capsys, "check", "tests.cli_targets:make_executor")
    assert code == EXIT_OK
    assert document["targets"][0]["subject"] == "instance of tests.cli_targets.Inline2020Executor"


def test_check_violations_are_listed_in_a_table_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """A violating target exits 1; the table lists each violation with problem, expected and found."""
    code, out, err = run(capsys, "check", "tests.cli_targets:SubmitOnly")
    assert (code, err) == (EXIT_VIOLATION, "")
    lines = out.splitlines()
    assert lines[0] == "tests.cli_targets:SubmitOnly (class) VIOLATES ParslExecutorProtocol: 14 violations"
    assert lines[1].split() == ["member", "problem", "expected", "found"]
    hub_port = next(line for line in lines if line.split()[:1] == ["hub_port"])
    assert hub_port.split() == ["hub_port", "missing", "read-write", "property", "of", "type", "Optional[int]",
                                "nothing"]
    submit = lines.index(next(line for line in lines if line.split()[:1] == ["submit"]))
    assert "incompatible signature" in lines[submit]
    assert lines[submit].endswith("method submit()")
    assert "it does not take *args" in lines[submit + 1]
    assert lines[-1] == "0 of 1 target(s) conform to ParslExecutorProtocol"


def test_check_json_schema_and_mixed_verdicts_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    """With several targets, JSON reports each; one violating target makes the exit code 1."""
    code, document = run_json(capsys, "check", "tests.cli_targets:EXECUTOR", "tests.cli_targets:SubmitOnly")
    assert code == EXIT_VIOLATION
    assert_check_schema(document)
    assert document["protocol"] == "parsl_executor_protocol.protocols.v2020.ParslExecutorProtocol"
    assert [t["ok"] for t in document["targets"]] == [True, False]
    violations = {v["member"]: v for v in document["targets"][1]["violations"]}
    assert violations["submit"]["kind"] == "incompatible_signature"
    assert violations["submit"]["expected"] == "method submit(func, *args, **kwargs)"
    assert violations["submit"]["found"] == "method submit()"
    assert violations["tasks"]["kind"] == "missing"


def test_check_warnings_are_shown_but_do_not_fail(capsys: pytest.CaptureFixture[str]) -> None:
    """An unverifiable member is reported as a warning, in the table and in JSON, and the exit code stays 0."""
    code, out, _ = run(capsys, "check", "tests.cli_targets:WarnedExecutor")
    assert code == EXIT_OK
    assert "warnings (they do not fail the check):" in out
    assert any(line.split()[:2] == ["scaling_enabled", "unverifiable"] for line in out.splitlines())
    code, document = run_json(capsys, "check", "tests.cli_targets:WarnedExecutor")
    assert code == EXIT_OK
    assert_check_schema(document)
    (target,) = document["targets"]
    assert target["ok"] is True
    assert target["violations"] == []
    assert [(w["member"], w["kind"]) for w in target["warnings"]] == [("scaling_enabled", "unverifiable")]


def test_check_file_target(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A path/to/file.py:Name target is loaded from the file, and its siblings are importable."""
    (tmp_path / "helper_for_cli_check.py").write_text("LABEL = 'from-a-file'\n")
    (tmp_path / "my_executor.py").write_text(
        "from helper_for_cli_check import LABEL\n"
        "from tests.cli_targets import Inline2020Executor\n"
        "class FileExecutor(Inline2020Executor):\n"
        "    label = LABEL\n"
    )
    code, out, err = run(capsys, "check", f"{tmp_path}/my_executor.py:FileExecutor")
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith(f"{tmp_path}/my_executor.py:FileExecutor (class) conforms to ParslExecutorProtocol")


@pytest.mark.parsl
def test_check_protocol_choices_against_parsl_executors(capsys: pytest.CaptureFixture[str]) -> None:
    """--protocol current / current-blocks / 2020 give parsl's own executors the verdicts their history implies."""
    threads, htex = "parsl.executors:ThreadPoolExecutor", "parsl.executors:HighThroughputExecutor"
    assert run(capsys, "check", "--protocol", "current", threads, htex)[0] == EXIT_OK
    assert run(capsys, "check", "--protocol", "current-blocks", htex)[0] == EXIT_OK
    assert run(capsys, "check", "--protocol", "current-blocks", threads)[0] == EXIT_VIOLATION
    code, document = run_json(capsys, "check", "--protocol", "2020", htex)
    assert code == EXIT_VIOLATION
    assert_check_schema(document)
    members = {v["member"] for v in document["targets"][0]["violations"]}
    assert members == {"hub_address", "hub_port", "scale_out", "scaling_enabled", "submit"}


def test_check_custom_protocol(capsys: pytest.CaptureFixture[str]) -> None:
    """--protocol package.module:Protocol checks against any protocol, here one role of the contract."""
    code, document = run_json(capsys, "check", "--protocol", "parsl_executor_protocol:SubmitsTasks",
                              "tests.cli_targets:SubmitOnly")
    assert code == EXIT_VIOLATION
    assert document["protocol"] == "parsl_executor_protocol.protocols.v2020.SubmitsTasks"
    assert [v["member"] for v in document["targets"][0]["violations"]] == ["submit"]
    code, _, _ = run(capsys, "check", "--protocol", "parsl_executor_protocol:Labelled", "tests.cli_targets:SubmitOnly")
    assert code == EXIT_OK


# --------------------------------------------------------------------------- entry points and demo


def test_python_dash_m_runs_the_command_line(tmp_path: Path) -> None:
    """`python -m parsl_executor_protocol check ... --format json` works in a fresh process, from the repo root."""
    proc = subprocess.run(
        [sys.executable, "-m", "parsl_executor_protocol", "check", "--format", "json",
         "tests.cli_targets:EXECUTOR", "tests.cli_targets:SubmitOnly"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert proc.returncode == EXIT_VIOLATION, proc.stderr
    assert [t["ok"] for t in json.loads(proc.stdout)["targets"]] == [True, False]


def test_console_script_reports_errors_in_one_line() -> None:
    """The installed `parsl-executor-protocol` script exits 2 with one stderr line for a missing module."""
    script = Path(sys.executable).parent / "parsl-executor-protocol"
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    proc = subprocess.run(
        [str(script), "check", "no_such_module_for_cli:Executor"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert proc.returncode == EXIT_USAGE
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "parsl-executor-protocol: error: cannot import 'no_such_module_for_cli': no module named "
        "'no_such_module_for_cli'"
    ]


@pytest.mark.parsl
@pytest.mark.dask
def test_demo_end_to_end() -> None:
    """`python -m parsl_executor_protocol demo` prints the conformance table and both workflows' right results."""
    proc = subprocess.run(
        [sys.executable, "-m", "parsl_executor_protocol", "demo"],
        capture_output=True, text=True, cwd=REPO, timeout=180, check=False,
    )
    assert proc.returncode == EXIT_OK, proc.stderr
    lines = proc.stdout.splitlines()

    def row(name: str) -> List[str]:
        line = next(line for line in lines if line.strip().startswith(name + " "))
        return line[line.index(name) + len(name):].split()

    assert row("parsl ThreadPoolExecutor") == ["no", "(11)", "yes", "no", "(15)"]
    assert row("parsl HighThroughputExecutor") == ["no", "(5)", "yes", "yes"]
    assert row("parsl MPIExecutor") == ["no", "(5)", "yes", "yes"]
    assert row("adapt(thread pool)")[2] == "yes"
    assert row("adapt(thread pool, contract='2020')")[0] == "yes"
    assert "parsl HighThroughputExecutor vs 2020: missing: hub_address, hub_port, scale_out, scaling_enabled;" in (
        proc.stdout)
    assert "thread-pool adapter: sum of squares of 1..10 = 385 (10 map tasks in this process, 1 reduce task) ok" in (
        lines)
    assert "Dask adapter: conforms to today's contract" in lines
    dask = next(line for line in lines if line.startswith("Dask adapter: sum of squares"))
    assert dask.endswith("1 reduce task) ok")
    assert "in this process" not in dask  # the map tasks ran in the Dask worker process
    for step in ("importing parsl", "running the map-reduce through the thread-pool adapter",
                 "starting a Dask LocalCluster", "closing the Dask cluster"):
        assert any(line.startswith(step) and " ... done (" in line for line in proc.stderr.splitlines()), step
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- drift internals


class _InitReader:
    """Members that exist only through __init__, typed in each way drift understands."""

    def __init__(self, name: str, count: int = 0) -> None:
        self.declared: Optional[int] = None
        self.from_parameter = name
        self.from_comment = {}  # type: Dict[str, int]
        self.untyped = len(name)
        self.declared_then_assigned: Union[int, str]
        self.declared_then_assigned = name
        self.count = count

    @property
    def count(self) -> int:
        return 0

    @count.setter
    def count(self, value: int) -> None:
        pass

    def method(self, a: int, *args: str, key: bytes = b"", **kwargs: object) -> List[str]:
        return []


def test_shapes_read_init_assignments_without_instantiating() -> None:
    """class_members sees __init__ attributes with their declared, commented or parameter types."""
    from parsl_executor_protocol.cli._drift import class_members, render

    shapes = {name: render(member) for name, member in class_members(_InitReader).items() if not name.startswith("__")}
    assert shapes == {
        "declared": "data: Optional[int]",
        "from_parameter": "data: str",
        "from_comment": "data: Dict[str, int]",
        "untyped": "data",
        "declared_then_assigned": "data: Union[int, str]",
        "count": "property (read-write): int",
        "method": "method (a, *args, key=..., **kwargs) -> List[str]",
    }


@pytest.mark.parametrize(
    ("source", "target", "verdict"),
    [
        (type(None), Optional[bool], True),
        (Optional[bool], type(None), False),
        (Dict[str, int], Mapping[str, Any], True),
        (List[str], List[Any], True),
        (int, str, False),
        (Union[int, str], Union[int, str, None], True),
        (Union[int, bytes], Union[int, str], False),
    ],
)
def test_fits_compares_types(source: Any, target: Any, verdict: bool) -> None:
    """fits says whether a value of one type may stand where another is expected."""
    from parsl_executor_protocol.cli._drift import fits

    assert fits(source, target) is verdict


def test_fits_cannot_tell_about_unresolved_annotations() -> None:
    """An annotation that could not be evaluated gives "cannot tell" (None), never a verdict."""
    from parsl_executor_protocol.cli._drift import fits
    from parsl_executor_protocol.protocols._annotations import Unresolved

    assert fits(Unresolved("Queue[Message]"), int) is None
    assert fits(Any, Unresolved("Queue[Message]")) is True


def test_signature_problems_cover_shape_parameter_types_and_return() -> None:
    """Drift explains a base method that takes narrower parameters or returns a different type."""
    from parsl_executor_protocol.cli._drift import class_members, signature_problems

    class Protocolish:
        def method(self, a: int, *args: str, key: bytes = b"", **kwargs: object) -> List[str]:
            return []

    class NarrowerBase:
        def method(self, a: bool, *args: str, key: bytes = b"", **kwargs: object) -> List[int]:
            return []

    class NoKwargsBase:
        def method(self, a: int, *args: str, key: bytes = b"") -> List[str]:
            return []

    expected = class_members(Protocolish)["method"]
    assert signature_problems(expected, class_members(_InitReader)["method"]) == []
    assert signature_problems(expected, class_members(NarrowerBase)["method"]) == [
        "a takes bool, not int", "returns List[int], not List[str]"]
    (problem,) = signature_problems(expected, class_members(NoKwargsBase)["method"])
    assert "**kwargs" in problem


def _run_without(module: str, *argv: str) -> subprocess.CompletedProcess[str]:
    """Run the command line in a fresh process in which importing ``module`` fails."""
    code = (
        "import sys\n"
        f"sys.modules[{module!r}] = None  # makes `import {module}` raise ImportError\n"
        "from parsl_executor_protocol.cli import main\n"
        f"sys.exit(main({list(argv)!r}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=120,
                          check=False)


@pytest.mark.parsl
def test_demo_without_dask_skips_that_part_and_says_what_to_install() -> None:
    """Without distributed, the demo still runs the thread-pool workflow and names the extra to install."""
    proc = _run_without("distributed", "demo")
    assert proc.returncode == EXIT_OK, proc.stderr
    assert ("skipped the Dask workflow: dask is not installed (pip install 'parsl-executor-protocol[dask]')"
            in proc.stdout.splitlines())
    assert any(line.startswith("thread-pool adapter: sum of squares") for line in proc.stdout.splitlines())


def test_drift_and_demo_without_parsl_say_what_to_install() -> None:
    """Without parsl, drift and demo exit 2 with a line naming the extra to install."""
    proc = _run_without("parsl", "drift")
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.splitlines() == [
        "parsl-executor-protocol: error: drift needs parsl: pip install 'parsl-executor-protocol[parsl]'"]
    proc = _run_without("parsl", "demo")
    assert proc.returncode == EXIT_USAGE
    assert proc.stderr.splitlines()[-1] == "the demo needs parsl: pip install 'parsl-executor-protocol[parsl]'"
