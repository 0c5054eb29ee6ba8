"""Today's adapter is not a 2020 executor: submit takes a resource specification, and hub_* are gone."""

from parsl_executor_protocol import ExecutorAdapter, ParslExecutorProtocol


def current_is_not_2020(x: ExecutorAdapter) -> ParslExecutorProtocol:
    return x
# out: 7: error: Incompatible return value type (got "ExecutorAdapter", expected "ParslExecutorProtocol")  [return-value]
# out: 7: note: "ExecutorAdapter" is missing following "ParslExecutorProtocol" protocol members:
# out: 7: note:     hub_address, hub_port
# out: 7: note: Following member(s) of "ExecutorAdapter" have conflicts:
# out: 7: note:     Expected:
# out: 7: note:         def [_T] submit(self, func: Callable[..., _T], *args: object, **kwargs: object) -> Future[_T]
# out: 7: note:     Got:
# out: 7: note:         def [_T] submit(self, func: Callable[..., _T], resource_specification: dict[str, Any], *args: object, **kwargs: object) -> Future[_T]
