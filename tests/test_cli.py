"""The command line."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ._mypy import REPO


@pytest.mark.parsl
def test_demo_reports_parsl_executors_against_both_contracts() -> None:
    """`python -m parsl_executor_protocol demo` lists parsl's executors with a verdict per contract."""
    proc = subprocess.run(
        [sys.executable, "-m", "parsl_executor_protocol", "demo"],
        capture_output=True, text=True, cwd=REPO, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    threads = next(line for line in lines if line.startswith("parsl ThreadPoolExecutor"))
    assert threads.split()[2:5] == ["no", "yes", "no"]
    htex = next(line for line in lines if line.startswith("parsl HighThroughputExecutor"))
    assert htex.split()[2:5] == ["no", "yes", "yes"]
    assert "2020: lacks hub_address, hub_port, scale_out, scaling_enabled" in proc.stdout
