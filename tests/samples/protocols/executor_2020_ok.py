"""An executor written straight from the 2020 interface text satisfies the 2020 contract."""

from concurrent.futures import Future
from typing import Any, Callable, Dict, List, Optional

from parsl_executor_protocol import ParslExecutorProtocol, JobStatusLike


class Executor2020:
    label: str = "text2020"

    def __init__(self) -> None:
        self._tasks: Dict[object, Future] = {}  # type: ignore[type-arg]
        self._hub_address: Optional[str] = None
        self._hub_port: Optional[int] = None
        self._run_dir = "."
        self._exc: Optional[Exception] = None

    def start(self) -> None:
        pass

    def submit(self, func: Callable, *args: Any, **kwargs: Any) -> Future:  # type: ignore[type-arg]
        fut: Future = Future()  # type: ignore[type-arg]
        fut.set_result(func(*args, **kwargs))
        return fut

    def scale_in(self, blocks: int) -> List[object]:
        return []

    def scale_out(self, blocks: int) -> List[object]:
        return []

    def status(self) -> Dict[object, JobStatusLike]:
        return {}

    def shutdown(self) -> bool:
        return True

    def set_bad_state_and_fail_all(self, exception: Exception) -> None:
        self._exc = exception

    @property
    def bad_state_is_set(self) -> bool:
        return self._exc is not None

    @property
    def executor_exception(self) -> Exception:
        assert self._exc is not None
        return self._exc

    @property
    def scaling_enabled(self) -> bool:
        return False

    @property
    def tasks(self) -> Dict[object, Future]:  # type: ignore[type-arg]
        return self._tasks

    @property
    def hub_address(self) -> Optional[str]:
        return self._hub_address

    @hub_address.setter
    def hub_address(self, value: Optional[str]) -> None:
        self._hub_address = value

    @property
    def hub_port(self) -> Optional[int]:
        return self._hub_port

    @hub_port.setter
    def hub_port(self, value: Optional[int]) -> None:
        self._hub_port = value

    @property
    def run_dir(self) -> str:
        return self._run_dir

    @run_dir.setter
    def run_dir(self, value: str) -> None:
        self._run_dir = value


executor: ParslExecutorProtocol = Executor2020()
fut = executor.submit(len, "abc")
reveal_type(fut)
# out: 86: note: Revealed type is "concurrent.futures._base.Future[int]"
