"""`run_id = None` in the class body: mypy infers the type None, which the setter of "str | None" rejects.

mypy's own assignment check reports the line; the plugin names the member, alone or among other problems.
"""

from parsl_executor_protocol import CurrentParslExecutorProtocol, implements

from _executors import MinimalExecutor


@implements(CurrentParslExecutorProtocol)
class NoneRunId(MinimalExecutor):
    run_id = None


@implements(CurrentParslExecutorProtocol)
class NoneRunIdAndMore:
    label = "more"
    run_id = None
# out: 12: error: Class "NoneRunId" does not implement protocol "CurrentParslExecutorProtocol"  [implements]
# out[mypy>=1.16]: 12: note: Incompatible setter of member "run_id": expected "str | None", got "None"
# out[mypy<1.16]: 12: note: Incompatible setter of member "run_id": expected "str | None", got "object"
# out: 17: error: Class "NoneRunIdAndMore" does not implement protocol "CurrentParslExecutorProtocol"  [implements]
# out: 17: note: Missing member "log_config": expected "Any"
# out: 17: note: Missing member "monitor_resources": expected "def monitor_resources(self) -> bool"
# out: 17: note: Missing member "monitoring_messages": expected "Any"
# out: 17: note: Missing member "monitoring_receiver": expected "Any"
# out: 17: note: Missing member "remote_monitoring_radio": expected "RadioConfigLike | None"
# out: 17: note: Missing member "run_dir": expected "str"
# out: 17: note: Missing member "shutdown": expected "def shutdown(self) -> None"
# out: 17: note: Missing member "start": expected "def start(self) -> None"
# out: 17: note: Missing member "submit": expected "def [_T] submit(self, func: Callable[..., _T], resource_specification: dict[str, Any], *args: object, **kwargs: object) -> Future[_T]"
# out[mypy>=1.16]: 17: note: Incompatible setter of member "run_id": expected "str | None", got "None"
# out[mypy<1.16]: 17: note: Incompatible setter of member "run_id": expected "str | None", got "object"
