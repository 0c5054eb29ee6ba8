"""Starting a bare Parsl executor as ``parsl.load`` starts the executors of a Config.

The DataFlowKernel gives every executor a ``run_id`` and a run directory,
points a provider's ``script_dir`` into it, starts the executor, and hands
executors with a block provider (parsl's ``BlockProviderExecutor``:
HighThroughputExecutor, MPIExecutor) to a ``JobStatusPoller``, which launches
``init_blocks``, keeps scaling by the Config's strategy and marks the
executor bad when its blocks fail.  At cleanup the poller scales every block
in before the executor shuts down.  :func:`launch` does the same for one
executor outside a DataFlowKernel, using parsl's own poller and the Config's
own defaults, so the reverse adapter runs such executors exactly as
``parsl.load`` would.

Parsl is imported only for an executor that is a parsl ``BlockProviderExecutor``,
which means parsl is loaded already.
"""

from __future__ import annotations

import inspect
import logging
import os
import shutil
import sys
import tempfile
import uuid
from typing import Any, Optional

__all__ = ["Launch", "launch"]

logger = logging.getLogger(__name__)

#: Seconds the poller's thread is given to stop at shutdown (parsl's Timer joins with this bound).
POLLER_CLOSE_TIMEOUT = 30.0


def _is_block_executor(executor: object) -> bool:
    status_handling = sys.modules.get("parsl.executors.status_handling")
    if status_handling is None:
        return False
    return isinstance(executor, status_handling.BlockProviderExecutor)


def _config_default(name: str) -> Any:
    """The default of one of parsl's ``Config`` parameters: the one place those defaults live."""
    from parsl.config import Config

    return inspect.signature(Config).parameters[name].default


def _set(executor: object, name: str, value: object) -> None:
    # An executor of the 2020 text may expose these read-only or not at all; parsl.load would fail
    # there, the wrapper runs the executor without them.
    try:
        setattr(executor, name, value)
    except (AttributeError, TypeError):
        logger.debug("%r: cannot set %s", executor, name, exc_info=True)


class Launch:
    """What :func:`launch` set up for one executor: its run directory and, for block executors, its poller."""

    def __init__(self, executor: Any, run_dir: str, owns_run_dir: bool, poller: Optional[Any]) -> None:
        self.executor = executor
        self.run_dir = run_dir
        self.owns_run_dir = owns_run_dir
        self.poller = poller

    def scale_in(self) -> None:
        """Stop the poller and scale every block in, as the DataFlowKernel's cleanup does (skipped in bad state)."""
        if self.poller is not None:
            self.poller.close(timeout=POLLER_CLOSE_TIMEOUT)

    def remove_run_dir(self) -> None:
        """Delete the run directory if the wrapper made it."""
        if self.owns_run_dir:
            shutil.rmtree(self.run_dir, ignore_errors=True)


def launch(executor: Any, run_dir: Optional[str]) -> Launch:
    """Give ``executor`` a run directory and ``run_id``, start it, and launch its blocks as ``parsl.load`` does.

    ``run_dir`` ``None`` makes a temporary directory that the wrapper owns and
    removes after shutdown; nothing is written to the working directory.
    """
    owns = run_dir is None
    directory = tempfile.mkdtemp(prefix="parsl-futures-") if run_dir is None else os.path.abspath(run_dir)
    os.makedirs(directory, exist_ok=True)
    _set(executor, "run_id", str(uuid.uuid4()))
    _set(executor, "run_dir", directory)
    provider = getattr(executor, "provider", None)
    if provider is not None and hasattr(provider, "script_dir"):
        provider.script_dir = os.path.join(directory, "submit_scripts")
        os.makedirs(provider.script_dir, exist_ok=True)
    try:
        executor.start()
    except BaseException:
        if owns:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    poller = None
    if _is_block_executor(executor):
        from parsl.jobs.job_status_poller import JobStatusPoller

        poller = JobStatusPoller(
            strategy=_config_default("strategy"),
            strategy_period=_config_default("strategy_period"),
            max_idletime=_config_default("max_idletime"),
        )
        poller.add_executors([executor])
    return Launch(executor, directory, owns, poller)
