"""Typed use of the adapters: ``Config(executors=[adapt(pool)])`` under ``mypy --strict`` and basedpyright, no cast."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("parsl")
# mypy and pyright give the same answer whatever interpreter runs this file: once per test run.
pytestmark = [pytest.mark.parsl, pytest.mark.once]

from ._mypy import run_mypy  # noqa: E402

_SNIPPET = textwrap.dedent(
    """
    import concurrent.futures as cf

    import parsl
    from parsl.config import Config
    from parsl.executors.base import ParslExecutor
    from parsl.executors.errors import InvalidResourceSpecification

    from parsl_executor_protocol import ExecutorAdapter, adapt
    from parsl_executor_protocol.adapters import ParslUnsupportedResourceSpecificationError
    from parsl_executor_protocol.errors import UnsupportedResourceSpecificationError

    config = Config(executors=[adapt(cf.ThreadPoolExecutor(2)), adapt(cf.ProcessPoolExecutor(2), label="p")])
    as_parsl: ParslExecutor = adapt(cf.ThreadPoolExecutor(1), label="t")
    adapter: ExecutorAdapter = adapt(cf.ThreadPoolExecutor(1), label="u")
    dfk = parsl.load(config)


    def refused(error: ParslUnsupportedResourceSpecificationError) -> tuple[
        InvalidResourceSpecification, UnsupportedResourceSpecificationError
    ]:
        return error, error
    """
)


def test_config_of_adapters_passes_mypy_strict(tmp_path: Path) -> None:
    """mypy --strict accepts adapters where parsl wants a ParslExecutor."""
    snippet = tmp_path / "typed_config.py"
    snippet.write_text(_SNIPPET)
    assert run_mypy([snippet], cache_dir=tmp_path / ".mypy_cache") == {"typed_config.py": []}


def test_config_of_adapters_passes_basedpyright(tmp_path: Path) -> None:
    """basedpyright (standard mode) accepts adapters where parsl wants a ParslExecutor."""
    snippet = tmp_path / "typed_config.py"
    snippet.write_text(_SNIPPET)
    (tmp_path / "pyrightconfig.json").write_text(json.dumps({"typeCheckingMode": "standard"}))
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "basedpyright"), "--outputjson", "--pythonpath", sys.executable,
         "-p", str(tmp_path), str(snippet)],
        capture_output=True, text=True, cwd=tmp_path, timeout=240, check=False,
    )
    report = json.loads(proc.stdout)
    errors = [f"{d['range']['start']['line'] + 1}: {d['message']}" for d in report["generalDiagnostics"]
              if d["severity"] == "error"]
    assert errors == []


def test_every_public_adapter_type_lives_in_a_public_module() -> None:
    """Each class the adapters export names a public module that hands out that very class."""
    import parsl_executor_protocol
    import parsl_executor_protocol.adapters as adapters

    for name in adapters.__all__:
        value = getattr(adapters, name)
        if not isinstance(value, type):
            continue
        module = value.__module__
        assert not any(part.startswith("_") for part in module.split(".")), (name, module)
        assert getattr(importlib.import_module(module), value.__qualname__) is value, name
        assert getattr(parsl_executor_protocol, name) is value, name


def test_the_resource_error_is_parsls_and_the_packages() -> None:
    """The public resource error is what an adapter raises: parsl's InvalidResourceSpecification and the package's."""
    import concurrent.futures as cf

    from parsl.executors.errors import InvalidResourceSpecification

    from parsl_executor_protocol import adapt
    from parsl_executor_protocol.adapters import ParslUnsupportedResourceSpecificationError
    from parsl_executor_protocol.errors import UnsupportedResourceSpecificationError

    assert issubclass(ParslUnsupportedResourceSpecificationError, InvalidResourceSpecification)
    assert issubclass(ParslUnsupportedResourceSpecificationError, UnsupportedResourceSpecificationError)
    with adapt(cf.ThreadPoolExecutor(1)) as adapter, pytest.raises(ParslUnsupportedResourceSpecificationError):
        adapter.submit(pow, {"cores": 1}, 2, 2)

