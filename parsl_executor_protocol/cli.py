"""Command line: ``parsl-executor-protocol`` / ``python -m parsl_executor_protocol``.

Subcommands: ``check`` (conformance of classes, instances or factories, for
CI), ``drift`` (the package's protocols against the installed parsl's base
classes) and ``demo`` (the main job behind ``make demo``).  Exit codes: 0 all
good, 1 a violation or drift, 2 a usage or import error.  docs/cli.md has the
details and the JSON schemas.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, TextIO

if TYPE_CHECKING:
    from ._loading import LoadedTarget
    from .checking import ConformanceReport, Violation

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATION", "build_parser", "main"]

#: Every target conforms / the protocol matches parsl / the demo ran.
EXIT_OK = 0
#: A target violates the protocol / the protocol drifted from parsl.
EXIT_VIOLATION = 1
#: Bad command line, a target or protocol that cannot be loaded, a missing dependency.
EXIT_USAGE = 2

_PROG = "parsl-executor-protocol"

_LOADING_NOTE = (
    "Loading a target imports its module, which runs that module's top-level code "
    "(a path/to/file.py target is executed as a module; a factory is called once). "
    "Checking runs none of the target's code: members are read, never called."
)

_CONTRACT_HELP = (
    "2020 (the 2020 ParslExecutor text), current (today's contract), "
    "current-blocks (today's contract for BlockProviderExecutor subclasses), "
    "or package.module:Protocol; default: %(default)s"
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog=_PROG,
        description=(
            "Check Parsl executors against the executor contract. check imports each target's module, "
            "which runs that module's top-level code; checking itself runs none of the target's code."
        ),
        epilog="exit codes: 0 ok, 1 violation or drift, 2 usage or import error. See docs/cli.md.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="check classes, instances or factories against a contract",
        description=(
            "Check each TARGET against a contract and print every violation. "
            "TARGET is package.module:Name or path/to/file.py:Name (Name may be dotted: Class.attr), "
            "naming a class, an instance, or a zero-argument factory function. " + _LOADING_NOTE
        ),
        epilog="exit codes: 0 every target conforms, 1 some target violates, 2 usage or import error.",
    )
    check.add_argument("targets", nargs="+", metavar="TARGET", help="package.module:Name or path/to/file.py:Name")
    check.add_argument("--protocol", default="2020", metavar="PROTOCOL", help=_CONTRACT_HELP)
    check.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")

    drift = sub.add_parser(
        "drift",
        help="compare the package's protocols with the installed parsl's executor base classes",
        description=(
            "Compare a protocol with the installed parsl's executor base class, without instantiating "
            "anything: members the base class no longer has, or whose kind, signature or type changed "
            "incompatibly, are drift. The 2020 and current contracts are compared with "
            "parsl.executors.base.ParslExecutor (members missing there are looked up in "
            "BlockProviderExecutor and reported as moved); current-blocks with "
            "parsl.executors.status_handling.BlockProviderExecutor."
        ),
        epilog="exit codes: 0 no drift, 1 drift, 2 usage error or parsl not installed.",
    )
    drift.add_argument("--protocol", default="current", metavar="PROTOCOL", help=_CONTRACT_HELP)
    drift.add_argument("--base", metavar="package.module:Class",
                       help="compare with this class instead of the parsl base class the protocol implies")
    drift.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")

    sub.add_parser(
        "demo",
        help="check parsl's executors and the adapters, then run a workflow through them",
        description=(
            "Check the installed parsl's executors and the package's adapters against the contracts, "
            "then run a small Parsl map-reduce through the thread-pool adapter and a Dask LocalCluster "
            "adapter (127.0.0.1, one worker)."
        ),
    )
    return parser


# --------------------------------------------------------------------------- check


def _engine_report(obj: object, protocol: type) -> ConformanceReport:
    """The one place the command line asks the runtime engine for a verdict."""
    from .checking import check

    return check(obj, protocol)


def _finding(violation: Violation) -> Dict[str, str]:
    # Spelled out rather than Violation.to_dict(): these keys are the command line's documented schema.
    return {
        "member": violation.member,
        "kind": violation.kind.value,
        "severity": violation.severity,
        "expected": violation.expected,
        "found": violation.found,
        "message": violation.message,
    }


def _check_target(target: LoadedTarget, protocol: type) -> Dict[str, Any]:
    report = _engine_report(target.obj, protocol)
    return {
        "target": target.spec,
        "loaded_as": target.kind,
        "subject": report.subject,
        "ok": report.ok,
        "violations": [_finding(v) for v in report.violations],
        "warnings": [_finding(w) for w in report.warnings],
    }


def _table(rows: Sequence[Dict[str, str]], indent: str = "    ") -> List[str]:
    """member / problem / expected / found columns; a problem other than "missing" gets its message below."""
    header = {"member": "member", "kind": "problem", "expected": "expected", "found": "found"}
    shown = [header] + [{**row, "kind": row["kind"].replace("_", " ")} for row in rows]
    columns = ("member", "kind", "expected")
    widths = [max(len(row[c]) for row in shown) for c in columns]
    lines = []
    for index, row in enumerate(shown):
        cells = [row[c].ljust(w) for c, w in zip(columns, widths, strict=True)]
        lines.append(indent + "  ".join(cells) + "  " + row["found"])
        if index and row["kind"] != "missing":
            # The member is already in the row's first column.
            message = row["message"].removeprefix(row["member"] + ": ")
            lines.append(indent + " " * (widths[0] + 2) + "-> " + message)
    return lines


def _render_check(protocol_name: str, results: Sequence[Dict[str, Any]]) -> str:
    lines: List[str] = []
    for result in results:
        count = len(result["violations"])
        if result["ok"]:
            head = f"{result['target']} ({result['loaded_as']}) conforms to {protocol_name}"
        else:
            plural = "s" if count != 1 else ""
            head = f"{result['target']} ({result['loaded_as']}) VIOLATES {protocol_name}: {count} violation{plural}"
        lines.append(head)
        if result["violations"]:
            lines += _table(result["violations"])
        if result["warnings"]:
            lines.append("  warnings (they do not fail the check):")
            lines += _table(result["warnings"])
    conforming = sum(1 for r in results if r["ok"])
    lines.append(f"{conforming} of {len(results)} target(s) conform to {protocol_name}")
    return "\n".join(lines)


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from ._loading import load_protocol, load_target

    protocol = load_protocol(args.protocol)
    targets = [load_target(spec) for spec in args.targets]
    results = [_check_target(target, protocol) for target in targets]
    ok = all(r["ok"] for r in results)
    if args.format == "json":
        document = {
            "command": "check",
            "protocol": f"{protocol.__module__}.{protocol.__qualname__}",
            "ok": ok,
            "targets": results,
        }
        _emit(json.dumps(document, indent=2), out)
    else:
        _emit(_render_check(protocol.__qualname__, results), out)
    return EXIT_OK if ok else EXIT_VIOLATION


# --------------------------------------------------------------------------- drift


def _cmd_drift(args: argparse.Namespace, out: TextIO) -> int:
    from ._loading import TargetError, describe, load_object, load_protocol

    protocol = load_protocol(args.protocol)
    try:
        import parsl  # noqa: F401  (only to say what to install)
    except ImportError:
        raise TargetError("drift needs parsl: pip install 'parsl-executor-protocol[parsl]'") from None
    from . import _drift

    base: Optional[type] = None
    if args.base is not None:
        loaded = load_object(args.base)
        if not isinstance(loaded, type):
            raise TargetError(f"--base {args.base} is {describe(loaded)}, not a class")
        base = loaded
    report = _drift.compare(protocol, base)
    if args.format == "json":
        _emit(json.dumps({"command": "drift", **report.to_dict()}, indent=2), out)
    else:
        _emit(_drift.render_table(report), out)
    return EXIT_VIOLATION if report.drift else EXIT_OK


# --------------------------------------------------------------------------- demo


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from ._demo import run_demo

    return run_demo(out)


_COMMANDS: Dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "check": _cmd_check,
    "drift": _cmd_drift,
    "demo": _cmd_demo,
}


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    from ._loading import TargetError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except TargetError as exc:
        print(f"{_PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the demo prints as it goes; its reader went away
        _silence_stdout()
        return EXIT_VIOLATION


def _silence_stdout() -> None:
    # As the Python docs advise for SIGPIPE: point stdout at devnull so that
    # the interpreter's final flush cannot fail again.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _emit(text: str, out: TextIO) -> None:
    """Print a command's whole output; a reader that stops early (``| head``) does not change the exit code."""
    try:
        print(text, file=out, flush=True)
    except BrokenPipeError:
        _silence_stdout()
