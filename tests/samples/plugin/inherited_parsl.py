"""Parsl's own ABC as a base: its members count; what it lacks for the block-provider contract is named."""

from concurrent.futures import Future
from typing import Any, Callable, Dict

from parsl.executors.base import ParslExecutor

from parsl_executor_protocol import CurrentBlockProviderExecutorProtocol, CurrentParslExecutorProtocol, implements


@implements(CurrentParslExecutorProtocol)
class Mine(ParslExecutor):
    label = "mine"

    def submit(
        self, func: Callable[..., Any], resource_specification: Dict[str, Any], *args: Any, **kwargs: Any
    ) -> "Future[Any]":
        return Future()

    def shutdown(self) -> None:
        pass


@implements(CurrentBlockProviderExecutorProtocol)
class NotBlocks(Mine):
    pass
# out: 25: error: Class "NotBlocks" does not implement protocol "CurrentBlockProviderExecutorProtocol"  [implements]
# out: 25: note: Missing member "bad_state_is_set": expected "bool"
# out: 25: note: Missing member "executor_exception": expected "BaseException | None"
# out: 25: note: Missing member "handle_errors": expected "def handle_errors(self, status: dict[str, Any]) -> None"
# out: 25: note: Missing member "outstanding": expected "def outstanding(self) -> int"
# out: 25: note: Missing member "poll_facade": expected "def poll_facade(self) -> None"
# out: 25: note: Missing member "provider": expected "Any | None"
# out: 25: note: Missing member "scale_in": expected "def scale_in(self, blocks: int) -> list[str]"
# out: 25: note: Missing member "scale_in_facade": expected "def scale_in_facade(self, n: int, max_idletime: float | None = ...) -> list[str]"
# out: 25: note: Missing member "scale_out_facade": expected "def scale_out_facade(self, n: int) -> list[str]"
# out: 25: note: Missing member "set_bad_state_and_fail_all": expected "def set_bad_state_and_fail_all(self, exception: Exception) -> None"
# out: 25: note: Missing member "status": expected "def status(self) -> Mapping[str, JobStatusLike]"
# out: 25: note: Missing member "status_facade": expected "Mapping[str, JobStatusLike]"
# out: 25: note: Missing member "status_polling_interval": expected "int | float"
# out: 25: note: Missing member "tasks": expected "Mapping[Any, Future[Any]]"
# out: 25: note: Missing member "workers_per_node": expected "int | float"
