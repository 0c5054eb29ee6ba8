"""The kit's pytest plugin, registered through the ``pytest11`` entry point (loaded by every pytest run).

It adds the ``--executor-timeout`` option (and the ``executor_timeout`` ini
setting) and the ``executor_timeout`` fixture.  It imports nothing heavy:
no parsl, dask or hypothesis; the suite classes live in
:mod:`parsl_executor_protocol.testing` and are imported by the test modules
that subclass them.
"""

from __future__ import annotations

import pytest

from ._bounded import DEFAULT_TIMEOUT

__all__ = [
    "DEFAULT_EXECUTOR_TIMEOUT",
    "executor_timeout",
    "executor_timeout_from",
    "pytest_addoption",
    "pytest_configure",
]

#: Seconds one executor call or one task may take before a check fails (see ``--executor-timeout``):
#: the kit's :data:`~parsl_executor_protocol.testing.DEFAULT_TIMEOUT`.
DEFAULT_EXECUTOR_TIMEOUT = DEFAULT_TIMEOUT


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add ``--executor-timeout`` and the ``executor_timeout`` ini setting."""
    group = parser.getgroup("parsl-executor-protocol", "parsl-executor-protocol behavioural conformance kit")
    group.addoption(
        "--executor-timeout",
        action="store",
        type=float,
        default=None,
        metavar="SECONDS",
        help=(
            "seconds one executor call, or one task, may take before a conformance check fails "
            f"(default: the executor_timeout ini setting, else {DEFAULT_EXECUTOR_TIMEOUT:g})"
        ),
    )
    parser.addini(
        "executor_timeout",
        f"default for --executor-timeout (seconds; {DEFAULT_EXECUTOR_TIMEOUT:g} if unset)",
        default=None,
    )


def pytest_configure(config: pytest.Config) -> None:
    """Refuse a bad timeout at start-up, as a usage error, rather than in every test."""
    executor_timeout_from(config)


def executor_timeout_from(config: pytest.Config) -> float:
    """The configured executor timeout: ``--executor-timeout``, else the ini setting, else the default.

    Works when the plugin is not loaded too (``-p no:parsl_executor_protocol``).
    """
    value = config.getoption("executor_timeout", default=None)
    if value is None:
        try:
            value = config.getini("executor_timeout")
        except ValueError:  # the plugin's ini setting is not registered
            value = None
    if value in (None, ""):
        return DEFAULT_EXECUTOR_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise pytest.UsageError(f"executor_timeout must be a number of seconds, got {value!r}") from None
    if seconds <= 0:
        raise pytest.UsageError(f"executor_timeout must be positive, got {seconds:g}")
    return seconds


@pytest.fixture
def executor_timeout(request: pytest.FixtureRequest) -> float:
    """Seconds one executor call or one task may take (``--executor-timeout``; default ``DEFAULT_TIMEOUT``)."""
    return executor_timeout_from(request.config)
