"""Command line: ``parsl-executor-protocol`` / ``python -m parsl_executor_protocol``.

Subcommands: ``check`` (conformance of classes, instances or factories, for
CI), ``drift`` (the package's protocols against the installed parsl's base
classes) and ``demo`` (the main job behind ``make demo``).  Exit codes: 0 all
good, 1 a violation or drift, 2 a usage or import error.  docs/cli.md has the
details and the JSON schemas.

One private module per concern: ``_loading`` (targets and protocols named on
the command line), ``_check``, ``_drift`` (with ``_shapes``, the static member
reader) and ``_demo``.  This module imports them only when their command runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Callable, Dict, List, Optional, TextIO

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
    check.add_argument("--protocol", default=DEFAULT_CONTRACT, metavar="PROTOCOL", help=_CONTRACT_HELP)
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
    drift.add_argument("--protocol", default=RUNTIME_CONTRACT, metavar="PROTOCOL", help=_CONTRACT_HELP)
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
