"""The adapter types satisfy the protocols under mypy --strict, and adapt() is typed per contract."""

from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor

from parsl_executor_protocol import (
    CurrentParslExecutorProtocol,
    ExecutorAdapter,
    ExecutorAdapter2020,
    HandlesBadState,
    ParslExecutorProtocol,
    ParslFuturesExecutor,
    ReportsStatus,
    Scalable,
    TracksTasks,
    adapt,
    as_futures_executor,
)


def current(x: ExecutorAdapter) -> CurrentParslExecutorProtocol:
    return x


def old(x: ExecutorAdapter2020) -> ParslExecutorProtocol:
    return x


def roles(x: ExecutorAdapter) -> tuple[HandlesBadState, ReportsStatus, Scalable, TracksTasks]:
    return x, x, x, x


today: CurrentParslExecutorProtocol = adapt(ThreadPoolExecutor(2), label="threads")
then: ParslExecutorProtocol = adapt(ProcessPoolExecutor(2), label="processes", contract="2020")


def length(s: str) -> int:
    return len(s)


typed: "Future[int]" = today.submit(length, {}, "abc")
back: ParslFuturesExecutor = as_futures_executor(today)
also: "Future[int]" = back.submit(length, "abc")
