"""Process-based pools inside real Parsl run tasks by value both ways, as scripts written as ``__main__``.

Each test runs a real script as ``__main__`` in a subprocess: its apps and the
functions they call are defined in ``__main__`` (so the workers cannot import
them), and they return a local class, a lambda and a closure, which the
standard :mod:`pickle` cannot carry back.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict

import pytest

pytest.importorskip("parsl")
pytestmark = pytest.mark.parsl

TIMEOUT = 150

_SCRIPT = textwrap.dedent(
    """
    import json
    import sys

    import parsl
    from parsl.config import Config

    from parsl_executor_protocol import adapt


    def square(x):
        return x * x


    @parsl.python_app
    def squared(x):
        return square(x)


    @parsl.python_app
    def made_here(x):
        class Local:
            def __init__(self, value):
                self.value = value

        return Local(x), (lambda: x + 1)


    def pool(kind):
        if kind == "processes":
            import concurrent.futures
            import multiprocessing

            return concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
        if kind == "loky":
            import loky

            return loky.get_reusable_executor(max_workers=2)
        from mpi4py.futures import MPIPoolExecutor

        return MPIPoolExecutor(max_workers=1)


    if __name__ == "__main__":
        kind, run_dir = sys.argv[1], sys.argv[2]
        report = {}
        dfk = parsl.load(Config(executors=[adapt(pool(kind))], run_dir=run_dir))
        try:
            for name, call in (("square", lambda: squared(7)), ("local", lambda: made_here(4))):
                try:
                    value = call().result(timeout=60)
                except Exception as exc:
                    report[name] = f"{type(exc).__name__}: {exc}"
                else:
                    report[name] = value if name == "square" else [type(value[0]).__name__, value[0].value, value[1]()]
        finally:
            dfk.cleanup()
            parsl.clear()
        print("REPORT " + json.dumps(report))
    """
)


def _run_as_main(kind: str, tmp_path: Path) -> Dict[str, Any]:
    script = tmp_path / "workflow.py"
    script.write_text(_SCRIPT)
    env = dict(os.environ)
    # mpi4py's MPIPoolExecutor spawns its workers through the mpiexec that the mpich wheel
    # installs beside this interpreter: an activated environment has it on PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [sys.executable, str(script), kind, str(tmp_path / "runinfo")],
        capture_output=True, text=True, timeout=TIMEOUT, cwd=tmp_path, env=env, check=False,
    )
    reports = [line for line in proc.stdout.splitlines() if line.startswith("REPORT ")]
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr[-3000:]}"
    assert reports, proc.stdout
    result: Dict[str, Any] = json.loads(reports[-1][len("REPORT "):])
    return result


@pytest.mark.parametrize("kind", ["processes", "loky", "mpi"])
def test_main_script_apps_run_by_value_both_ways(kind: str, tmp_path: Path) -> None:
    """Apps defined in __main__ run on the pool; a local class and a lambda come back."""
    if kind == "loky":
        pytest.importorskip("loky")
    if kind == "mpi":
        pytest.importorskip("mpi4py")
        if shutil.which("mpiexec", path=str(Path(sys.executable).parent)) is None:
            pytest.skip("no mpiexec beside the interpreter: pip install mpich")
    assert _run_as_main(kind, tmp_path) == {"square": 49, "local": ["Local", 4, 5]}


# --- the same, through the adapter alone ---------------------------------------------------------


def _forkserver_pool() -> Any:
    import concurrent.futures as cf
    import multiprocessing

    # forkserver: forking this multi-threaded test process could deadlock a worker.
    return cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver"))


def _local_values(x: int) -> Any:
    class Local:
        def __init__(self, value: int) -> None:
            self.value = value

    return Local(x), (lambda: x + 1)


def _raise_local(message: str) -> None:
    class LocalError(Exception):
        pass

    raise LocalError(message)


def _returns_a_lock() -> Any:
    import threading

    return threading.Lock()


def test_process_pool_sends_local_values_and_errors_back() -> None:
    """A local class, a lambda and a local exception come back; the worker's traceback is the cause."""
    from parsl_executor_protocol import adapt
    from parsl_executor_protocol.adapters.futures import RemoteTraceback

    with adapt(_forkserver_pool()) as adapter:
        obj, fn = adapter.submit(_local_values, {}, 4).result(timeout=60)
        assert (type(obj).__name__, obj.value, fn()) == ("Local", 4, 5)
        error = adapter.submit(_raise_local, {}, "boom").exception(timeout=60)
        assert error is not None
        assert type(error).__name__ == "LocalError"
        assert str(error) == "boom"
        assert isinstance(error.__cause__, RemoteTraceback)
        assert "_raise_local" in str(error.__cause__)


def test_unpicklable_argument_or_result_fails_the_future_clearly() -> None:
    """An argument or a result that cannot be pickled fails that task's future with one clear line."""
    import pickle
    import threading

    from parsl_executor_protocol import adapt

    with adapt(_forkserver_pool()) as adapter:
        argument = adapter.submit(len, {}, threading.Lock()).exception(timeout=60)
        assert isinstance(argument, pickle.PicklingError)
        assert str(argument).startswith("task len cannot be sent to the process pool: its function or arguments")
        result = adapter.submit(_returns_a_lock, {}).exception(timeout=60)
        assert isinstance(result, pickle.PicklingError)
        assert "_returns_a_lock returned a lock that cannot be pickled back from the worker" in str(result)
        assert "\n" not in str(result)
        assert adapter.submit(pow, {}, 2, 3).result(timeout=60) == 8  # the pool is not broken
        assert not adapter.bad_state_is_set


def test_bridge_false_still_sends_tasks_by_value() -> None:
    """bridge=False hands back the pool's own futures, whose results are the tasks' plain values."""
    from parsl_executor_protocol import adapt

    with adapt(_forkserver_pool(), bridge=False) as adapter:
        assert adapter.submit(lambda x: x * 3, {}, 5).result(timeout=60) == 15
