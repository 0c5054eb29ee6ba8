from concurrent.futures import ProcessPoolExecutor as _StdProcessPoolExecutor
from typing import Any, Callable, Literal

from .reusable_executor import _ReusablePoolExecutor

__version__: str

class ProcessPoolExecutor(_StdProcessPoolExecutor):
    def __init__(
        self,
        max_workers: int | None = ...,
        job_reducers: Any = ...,
        result_reducers: Any = ...,
        timeout: float | None = ...,
        context: Any = ...,
        initializer: Callable[..., object] | None = ...,
        initargs: tuple[Any, ...] = ...,
        env: dict[str, str] | None = ...,
    ) -> None: ...

def get_reusable_executor(
    max_workers: int | None = ...,
    context: Any = ...,
    timeout: float = ...,
    kill_workers: bool = ...,
    reuse: bool | Literal["auto"] = ...,
    job_reducers: Any = ...,
    result_reducers: Any = ...,
    initializer: Callable[..., object] | None = ...,
    initargs: tuple[Any, ...] = ...,
    env: dict[str, str] | None = ...,
) -> _ReusablePoolExecutor: ...
