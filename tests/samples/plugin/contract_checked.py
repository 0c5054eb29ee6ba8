"""Each executor contract gets its own decorator; a subprotocol of one is checked against itself."""

from typing_extensions import Protocol

from parsl_executor_protocol import CurrentParslExecutorProtocol, ParslExecutorProtocol, implements

from _executors import MinimalExecutor


class Named(CurrentParslExecutorProtocol, Protocol):
    @property
    def nickname(self) -> str: ...


@implements(CurrentParslExecutorProtocol)
class Today(MinimalExecutor):
    pass


@implements(Named)
class Unnamed(MinimalExecutor):
    pass


@implements(ParslExecutorProtocol)
class Old(MinimalExecutor):
    pass
# out: 21: error: Class "Unnamed" does not implement protocol "Named"  [implements]
# out: 21: note: Missing member "nickname": expected "str"
# out: 26: error: Class "Old" does not implement protocol "ParslExecutorProtocol"  [implements]
# out: 26: note: Missing member "bad_state_is_set": expected "bool"
# out: 26: note: Missing member "executor_exception": expected "BaseException | None"
# out: 26: note: Missing member "hub_address": expected "str | None"
# out: 26: note: Missing member "hub_port": expected "int | None"
# out: 26: note: Missing member "scale_in": expected "def scale_in(self, blocks: int) -> list[Any]"
# out: 26: note: Missing member "scale_out": expected "def scale_out(self, blocks: int) -> list[Any]"
# out: 26: note: Missing member "scaling_enabled": expected "bool"
# out: 26: note: Missing member "set_bad_state_and_fail_all": expected "def set_bad_state_and_fail_all(self, exception: Exception) -> None"
# out: 26: note: Missing member "status": expected "def status(self) -> Mapping[Any, JobStatusLike]"
# out: 26: note: Missing member "tasks": expected "Mapping[Any, Future[Any]]"
# out: 26: note: Incompatible member "submit": expected "def [_T] submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]", got "def [T] submit(self, func: Callable[..., T], resource_specification: dict[str, Any], *args: object, **kwargs: object) -> Future[T]"
