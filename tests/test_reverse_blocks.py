"""The reverse adapter over parsl's block executors: HighThroughputExecutor and MPIExecutor with a LocalProvider.

Each is started as ``parsl.load`` starts it (run directory, ``run_id``,
``script_dir``, ``init_blocks`` launched by parsl's own poller) and shut down
with nothing left running and nothing written to the working directory.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import sys
from pathlib import Path
from typing import Iterator, List

import pytest

parsl = pytest.importorskip("parsl")
psutil = pytest.importorskip("psutil")
pytestmark = [pytest.mark.parsl, pytest.mark.timeout(180)]

from parsl.executors import HighThroughputExecutor, MPIExecutor  # noqa: E402
from parsl.launchers import SimpleLauncher  # noqa: E402
from parsl.providers import LocalProvider  # noqa: E402

from parsl_executor_protocol import as_futures_executor  # noqa: E402
from parsl_executor_protocol.adapters.reverse import MPI_TASK  # noqa: E402

TIMEOUT = 90


@pytest.fixture(autouse=True)
def clean_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run in an empty working directory with the environment's scripts on PATH; assert it stays empty."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    # parsl starts its interchange and workers by script name, as an activated environment would find them
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    yield cwd
    assert sorted(os.listdir(cwd)) == [], "the working directory was written to"


def local_provider(**options: object) -> LocalProvider:
    """parsl's LocalProvider (its constructor is untyped)."""
    return LocalProvider(**options)  # type: ignore[no-untyped-call]


def _descendants() -> List[int]:
    return [child.pid for child in psutil.Process().children(recursive=True) if child.is_running()]


def capture(*args: object, **kwargs: object) -> object:
    return args, kwargs


def test_high_throughput_executor_runs_tasks_in_workers_and_leaves_nothing() -> None:
    """init_blocks are launched, tasks run in worker processes, shutdown stops every process and removes the run dir."""
    before = set(_descendants())
    executor = HighThroughputExecutor(provider=local_provider(init_blocks=1), max_workers_per_node=2)
    with as_futures_executor(executor) as pool:
        run_dir = pool.run_dir
        assert run_dir is not None
        assert os.path.isdir(run_dir)
        assert executor.run_dir == run_dir
        assert executor.run_id
        assert getattr(executor.provider, "script_dir", None) == os.path.join(run_dir, "submit_scripts")
        assert pool.max_workers == 2
        futures = [pool.submit(pow, 2, i) for i in range(8)]
        assert [f.result(timeout=TIMEOUT) for f in futures] == [2**i for i in range(8)]
        assert pool.submit(os.getpid).result(timeout=TIMEOUT) != os.getpid()
        assert pool.submit(capture, self=1, func=2, resource_specification=3).result(timeout=TIMEOUT) == (
            (),
            {"self": 1, "func": 2, "resource_specification": 3},
        )
    assert not os.path.exists(run_dir)
    psutil.wait_procs([psutil.Process(pid) for pid in set(_descendants()) - before], timeout=30)
    assert set(_descendants()) - before == set()


def test_a_given_run_dir_is_used_and_kept(tmp_path: Path) -> None:
    """run_dir= receives the executor's logs and submit scripts and survives shutdown."""
    run_dir = tmp_path / "run"
    executor = HighThroughputExecutor(provider=local_provider(init_blocks=1), max_workers_per_node=1)
    with as_futures_executor(executor, run_dir=str(run_dir)) as pool:
        assert pool.submit(abs, -3).result(timeout=TIMEOUT) == 3
    assert (run_dir / "submit_scripts").is_dir()
    assert (run_dir / executor.label / "interchange.log").is_file()


def test_failed_blocks_fail_the_futures_and_shutdown_returns() -> None:
    """A block that cannot start puts the executor in bad state: every future fails, nothing hangs."""
    executor = HighThroughputExecutor(
        provider=local_provider(init_blocks=1, max_blocks=1, worker_init="exit 3"), max_workers_per_node=1
    )
    with as_futures_executor(executor) as pool:
        futures = [pool.submit(abs, -i) for i in range(3)]
        done, not_done = cf.wait(futures, timeout=TIMEOUT)
        assert not not_done
        assert all(f.exception() is not None for f in done)
    assert executor.bad_state_is_set


def test_mpi_executor_runs_python_tasks_with_one_rank_by_default(tmp_path: Path) -> None:
    """MPIExecutor refuses tasks without a resource specification; the wrapper gives each one rank on one node."""
    nodefile = tmp_path / "nodefile"
    nodefile.write_text("localhost\nlocalhost\n")
    executor = MPIExecutor(
        provider=local_provider(worker_init=f"export PBS_NODEFILE={nodefile}", launcher=SimpleLauncher()),
        max_workers_per_block=2,
    )
    with as_futures_executor(executor) as pool:
        assert pool.resource_specification == MPI_TASK
        assert list(pool.map(pow, [2, 3], [3, 2], timeout=TIMEOUT)) == [8, 9]
        ranks = pool.submit(os.getenv, "PARSL_NUM_RANKS").result(timeout=TIMEOUT)  # read in the worker
    assert ranks == "1"


@pytest.mark.skipif(
    sys.version_info[:2] == (3, 12),
    reason="Python 3.12 refuses the subprocess LocalProvider cancels blocks with once the interpreter "
    "finalizes (preexec_fn not supported at interpreter shutdown); 3.10, 3.11 and 3.13 allow it",
)
def test_interpreter_exit_shuts_a_forgotten_executor_down(tmp_path: Path) -> None:
    """A script that never calls shutdown() still finishes its tasks and leaves no process behind."""
    import subprocess
    import textwrap

    script = tmp_path / "forgotten.py"
    script.write_text(
        textwrap.dedent(
            """
            import os
            from parsl.executors import HighThroughputExecutor
            from parsl.providers import LocalProvider
            from parsl_executor_protocol import as_futures_executor

            executor = HighThroughputExecutor(provider=LocalProvider(init_blocks=1), max_workers_per_node=1)
            pool = as_futures_executor(executor)
            print(pool.submit(abs, -7).result(timeout=90), flush=True)
            print(pool.run_dir, flush=True)
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=150, check=False)
    assert done.returncode == 0, done.stderr
    value, run_dir = done.stdout.split()
    assert value == "7"
    # parsl's interchange and workers name the run directory on their command lines
    leftovers = [p for p in psutil.process_iter(["cmdline"]) if run_dir in " ".join(p.info["cmdline"] or ())]
    assert leftovers == []
    assert not os.path.exists(run_dir)
