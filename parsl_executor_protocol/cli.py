"""Command line: ``parsl-executor-protocol`` / ``python -m parsl_executor_protocol``."""

from __future__ import annotations

import argparse
from typing import List, Optional


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = argparse.ArgumentParser(
        prog="parsl-executor-protocol",
        description="Check Parsl executors against the executor contract.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="show which of the installed parsl's executors satisfy which contract")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "demo":
        from ._demo import run_demo

        return run_demo()
    return 2  # pragma: no cover - argparse rejects unknown commands first
