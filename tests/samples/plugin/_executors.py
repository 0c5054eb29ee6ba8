"""A complete executor for today's contract, without any optional member; samples extend it."""

from concurrent.futures import Future
from typing import Any, Callable, Dict, Optional, TypeVar

from parsl_executor_protocol import RadioConfigLike

T = TypeVar("T")


class MinimalExecutor:
    label: str = "minimal"
    log_config: Any = None
    monitoring_messages: Any = None
    monitoring_receiver: Any = None
    remote_monitoring_radio: Optional[RadioConfigLike] = None

    def __init__(self) -> None:
        self.run_dir = "."
        self.run_id: Optional[str] = None

    def submit(
        self, func: Callable[..., T], resource_specification: Dict[str, Any], *args: object, **kwargs: object
    ) -> "Future[T]":
        future: Future[T] = Future()
        future.set_result(func(*args, **kwargs))
        return future

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def monitor_resources(self) -> bool:
        return False
