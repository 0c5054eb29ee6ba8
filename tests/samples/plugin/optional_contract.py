"""The executor contract's optional members: absent passes, present with the wrong type is reported."""

from typing import List, Optional

from parsl_executor_protocol import CurrentParslExecutorProtocol, implements

from _executors import MinimalExecutor


@implements(CurrentParslExecutorProtocol)
class Plain(MinimalExecutor):
    pass


@implements(CurrentParslExecutorProtocol)
class Staged(MinimalExecutor):
    storage_access: Optional[List[str]] = None
    working_dir = "/tmp"
# out: 16: error: Class "Staged" does not implement protocol "CurrentParslExecutorProtocol"  [implements]
# out: 16: note: Incompatible optional member "storage_access": expected "Sequence[StagingProvider] | None", got "list[str] | None"
