"""Command line: ``parsl-executor-protocol`` / ``python -m parsl_executor_protocol``.

Subcommands: ``check`` (conformance of classes, instances or factories, for
CI), ``drift`` (the package's protocols against the installed parsl's base
classes), ``parsl-suite`` (parsl's shipped test suite against an executor,
compared with Parsl's stock config) and ``demo`` (the main job behind
``make demo``).  Exit codes: 0 all
good, 1 a violation or drift, 2 a usage or import error.  docs/cli.md has the
details and the JSON schemas.

One private module per concern: ``_loading`` (targets and protocols named on
the command line), ``_check``, ``_drift`` (with ``_shapes``, the static member
reader), ``_suite`` (with ``_suite_runner``, the side that runs pytest) and
``_demo``.  This module imports them only when their command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable, Dict, List, Optional, TextIO

from .. import __version__
from ..errors import TargetError
from ..protocols._contracts import CONTRACT_DESCRIPTIONS, DEFAULT_CONTRACT, RUNTIME_CONTRACT

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATION", "build_parser", "main"]

#: Every target conforms / the protocol matches parsl / the demo ran.
EXIT_OK = 0
#: A target violates the protocol / the protocol drifted from parsl.
EXIT_VIOLATION = 1
#: Bad command line, a target or protocol that cannot be loaded, a missing dependency.
EXIT_USAGE = 2

_PROG = "parsl-executor-protocol"

# Kept here rather than imported from ._suite: the parser is built for every command.
_SUITE_SELECTION = "not cleannet"
# Seconds per test: a target that never completes a future fails each test instead of hanging the run.
_SUITE_TIMEOUT = 120.0

_LOADING_NOTE = (
    "Loading a target imports its module, which runs that module's top-level code "
    "(a path/to/file.py target is executed as a module; a factory is called once). "
    "Checking runs none of the target's code: members are read, never called."
)

# argparse %-formats help texts: a description's own "%" must be doubled.
_CONTRACT_HELP = (
    ", ".join(f"{name} ({description})".replace("%", "%%") for name, description in CONTRACT_DESCRIPTIONS.items())
    + ", or package.module:Protocol; default: %(default)s"
)


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "json"), default="table", help="output format (default: table)")


_TARGET_HELP = "package.module:Name or path/to/file.py:Name"


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
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
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
    check.add_argument("targets", nargs="+", metavar="TARGET", help=_TARGET_HELP)
    check.add_argument("--protocol", default=DEFAULT_CONTRACT, metavar="PROTOCOL", help=_CONTRACT_HELP)
    _add_format(check)

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
    drift.add_argument("--protocol", default=RUNTIME_CONTRACT, metavar="PROTOCOL", help=_CONTRACT_HELP)
    drift.add_argument("--base", metavar="package.module:Class",
                       help="compare with this class instead of the parsl base class the protocol implies")
    _add_format(drift)

    suite = sub.add_parser(
        "parsl-suite",
        help="run the installed parsl's shipped test suite against an executor and against parsl's stock config",
        description=(
            "Run the installed parsl's shipped tests (parsl/tests, the selection Parsl uses for local configs: "
            f"-k \"{_SUITE_SELECTION}\") with TARGET's executor, then with Parsl's stock local_threads config "
            "as the baseline, and report every test that passes on the baseline but fails on the target. "
            "TARGET is as for check (a class, called with no arguments, an instance, or a zero-argument factory; "
            "a concurrent.futures executor is wrapped with adapt()). The shipped conftest.py needs pytest < 9: "
            "--python names an interpreter with parsl-executor-protocol[parsl-suite] installed. " + _LOADING_NOTE
        ),
        epilog="exit codes: 0 no regression, 1 regressions, 2 bad input or environment. See docs/parsl-suite.md.",
    )
    suite.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    suite.add_argument("--python", default=sys.executable, metavar="PATH",
                       help="the interpreter that runs the tests (default: this one, %(default)s)")
    suite.add_argument("-k", "--select", metavar="EXPRESSION",
                       help="a pytest -k expression narrowing the selection on both sides")
    suite.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                       help="fail any test that takes longer (pytest-timeout; 0: none; default: %(default)s)",
                       default=_SUITE_TIMEOUT)
    suite.add_argument("--junit-xml", metavar="PATH", help="also write both runs as JUnit XML (one testsuite each)")
    _add_format(suite)
    suite.add_argument("--no-progress", action="store_true", help="print no progress on stderr")

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


def _cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from ._check import check_targets, render_json, render_table
    from ._loading import load_protocol, load_target

    protocol = load_protocol(args.protocol)
    targets = [load_target(spec) for spec in args.targets]
    results = check_targets(targets, protocol)
    render = render_json if args.format == "json" else render_table
    _emit(render(protocol, results), out)
    return EXIT_OK if all(r["ok"] for r in results) else EXIT_VIOLATION


# --------------------------------------------------------------------------- drift


def _cmd_drift(args: argparse.Namespace, out: TextIO) -> int:
    from ._loading import describe, load_object, load_protocol

    protocol = load_protocol(args.protocol)
    _require_parsl()
    from . import _drift

    base: Optional[type] = None
    if args.base is not None:
        loaded = load_object(args.base)
        if not isinstance(loaded, type):
            raise TargetError(f"--base {args.base} is {describe(loaded)}, not a class")
        base = loaded
    report = _drift.compare(protocol, base, label=args.base)
    if args.format == "json":
        _emit(json.dumps({"command": "drift", **report.to_dict()}, indent=2), out)
    else:
        _emit(_drift.render_table(report), out)
    return EXIT_VIOLATION if report.drift else EXIT_OK


# The modules drift reads parsl's base classes from.
_PARSL_MODULES = ("parsl", "parsl.executors.base", "parsl.executors.status_handling")
_REINSTALL_PARSL = "pip install --force-reinstall 'parsl-executor-protocol[parsl]'"


def _require_parsl() -> None:
    """Import what drift reads of parsl, or raise a one-line TargetError saying what to install."""
    import importlib

    from ._loading import one_line

    for name in _PARSL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if name == "parsl" and exc.name == "parsl":
                raise TargetError("drift needs parsl: pip install 'parsl-executor-protocol[parsl]'") from None
            raise TargetError(
                f"the installed parsl is incomplete: importing {name} raised {one_line(exc)}; "
                f"reinstall it: {_REINSTALL_PARSL}"
            ) from None
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a broken install may raise anything while importing
            raise TargetError(
                f"the installed parsl is broken: importing {name} raised {one_line(exc)}; "
                f"reinstall it: {_REINSTALL_PARSL}"
            ) from None


# --------------------------------------------------------------------------- parsl-suite


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no timeout) or more seconds: {text!r}")
    return value


def _cmd_parsl_suite(args: argparse.Namespace, out: TextIO) -> int:
    from ._suite import render_json, render_table, run_suite

    report = run_suite(args.target, args.python, select=args.select, timeout=args.timeout or None,
                       junit_xml=args.junit_xml, progress=not args.no_progress)
    _emit(render_json(report) if args.format == "json" else render_table(report), out)
    return EXIT_OK if report.ok else EXIT_VIOLATION


# --------------------------------------------------------------------------- demo


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from ._demo import run_demo

    return run_demo(out)


_COMMANDS: Dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
    "check": _cmd_check,
    "drift": _cmd_drift,
    "demo": _cmd_demo,
    "parsl-suite": _cmd_parsl_suite,
}


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed the usage error (or --help)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _COMMANDS[args.command](args, sys.stdout)
    except TargetError as exc:
        _error(str(exc))
        return EXIT_USAGE
    except KeyboardInterrupt:  # parsl-suite has ended its runs' processes on the way out
        print(f"{_PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the demo prints as it goes; its reader went away
        _silence_stdout()
        return EXIT_VIOLATION
    except OSError as exc:  # e.g. the working directory vanished: the OS's words, on one line
        from ._loading import one_line

        where = f" {exc.filename!r}" if exc.filename is not None else ""
        _error(f"{exc.strerror or one_line(exc)}{where}")
        return EXIT_USAGE


def _printable(text: str) -> str:
    """``text`` with its line breaks and other control characters escaped, so that it prints as one line."""
    return "".join(char if char.isprintable() else repr(char)[1:-1] for char in text)


def _error(message: str) -> None:
    print(f"{_PROG}: error: {_printable(message)}", file=sys.stderr)


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
