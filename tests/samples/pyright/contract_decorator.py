"""Without the mypy plugin: the decorator rejects a class that does not satisfy the contract, and keeps the class type.

Checked by basedpyright and by plain mypy (tests/test_mypy_plugin.py).
"""

from concurrent.futures import Future
from typing import Any, Callable, Dict, Optional, TypeVar

from typing_extensions import assert_type

from parsl_executor_protocol import CurrentParslExecutorProtocol, RadioConfigLike, implements

T = TypeVar("T")


@implements(CurrentParslExecutorProtocol)
class Good:
    label: str = "good"
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
        return Future()

    def start(self) -> None:
        pass

    def shutdown(self) -> None:
        pass

    def monitor_resources(self) -> bool:
        return False

    def extra(self) -> int:
        return 1


@implements(CurrentParslExecutorProtocol)
class Bad:
    label: str = "bad"

    def start(self) -> None:
        pass


assert_type(Good(), Good)
assert_type(Good().extra(), int)
reveal_type(Good)
