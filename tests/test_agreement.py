"""Static/runtime agreement: mypy with the plugin and the runtime engine judge generated classes alike.

A batch of generated classes (conforming ones and mutants, for every
protocol of the package) is written to one module, each class decorated with
``@implements(P)``, and checked in one mypy run with the plugin.  For every
class, the members mypy names in its ``[implements]`` report must be exactly
the members the runtime engine reports, and for a mutant exactly the member
its defect touches.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import parsl_executor_protocol.protocols as protocols_pkg
from parsl_executor_protocol import check
from parsl_executor_protocol.strategies import (
    ImplementationSpec,
    build,
    implementation_specs,
    mutant_specs,
    render_module,
)

from ._mypy import run_mypy
from ._strategy_regressions import REGRESSIONS

PROTOCOLS: List[type] = [
    obj for name in protocols_pkg.__all__
    if isinstance(obj := getattr(protocols_pkg, name), type) and obj.__dict__.get("_is_protocol", False)
]

_MEMBER = re.compile(r'[Mm]ember "([^"]+)"')
_LINE = re.compile(r"^(\d+): (error|note): (.*)$")


def _draw_batch(size: int, *, derandomize: bool) -> List[ImplementationSpec]:
    """``size`` specs, half conforming, half mutants, over every protocol of the package."""
    drawn: List[ImplementationSpec] = []

    @settings(
        max_examples=size, deadline=None, database=None, derandomize=derandomize, phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.sampled_from(PROTOCOLS).flatmap(lambda p: st.one_of(implementation_specs(p), mutant_specs(p))))
    def collect(spec: ImplementationSpec) -> None:
        drawn.append(spec)

    collect()
    return drawn


def _static_verdicts(specs: List[ImplementationSpec], tmp_path: Path) -> Dict[str, Tuple[int, Set[str], List[str]]]:
    """One mypy run with the plugin: per class, (number of [implements] errors, members named, other errors)."""
    rendered = render_module(specs)
    source = tmp_path / "generated_batch.py"
    source.write_text(rendered.source)
    ini = tmp_path / "mypy.ini"
    ini.write_text("[mypy]\nstrict = True\nplugins = parsl_executor_protocol.mypy_plugin\n")
    output = run_mypy([source], f"--config-file={ini}")[source.name]
    verdicts: Dict[str, Tuple[int, Set[str], List[str]]] = {}
    found: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for line in output:
        match = _LINE.match(line)
        assert match, line
        number = int(match[1])
        owner = next((name for name, first, last in rendered.classes if first <= number <= last), "<module>")
        found[owner].append((match[2], match[3]))
    for name, _, _ in rendered.classes:
        entries = found.pop(name, [])
        errors = [text for kind, text in entries if kind == "error"]
        reports = sum(1 for text in errors if text.endswith("[implements]"))
        others = [text for text in errors if not text.endswith("[implements]")]
        members = {m for kind, text in entries if kind == "note" for m in _MEMBER.findall(text)[:1]}
        verdicts[name] = (reports, members, others)
    assert not found, f"mypy output outside the generated classes: {dict(found)}"
    return verdicts


def _check_agreement(specs: List[ImplementationSpec], tmp_path: Path) -> None:
    static = _static_verdicts(specs, tmp_path)
    rendered_names = [name for name, _, _ in render_module(specs).classes]
    disagreements = []
    for spec, name in zip(specs, rendered_names):
        cls = build(spec)
        runtime = {v.member for v in check(cls, spec.protocol).violations}
        reports, members, others = static[name]
        expected = {spec.expected.member} if spec.expected is not None else set()
        verdict_ok = reports == (1 if runtime else 0)
        if others or not verdict_ok or members != runtime or runtime != expected:
            disagreements.append(
                f"{name} ({spec!r}): mypy {sorted(members)} in {reports} report(s) {others}, "
                f"runtime {sorted(runtime)}, expected {sorted(expected)}"
            )
    assert not disagreements, "\n".join(disagreements[:20]) + f"\n({len(disagreements)} of {len(specs)})"


def test_mypy_plugin_and_runtime_engine_agree_on_a_batch(tmp_path: Path) -> None:
    """300 generated classes (every protocol, conforming and mutants) and the regression cases: one mypy run agrees."""
    specs = _draw_batch(300, derandomize=True) + [spec for _, spec in REGRESSIONS]
    assert len(specs) >= 200
    assert any(s.expected is None for s in specs)
    assert any(s.expected is not None for s in specs)
    _check_agreement(specs, tmp_path)


@pytest.mark.slow
def test_mypy_plugin_and_runtime_engine_agree_on_a_large_batch(tmp_path: Path) -> None:
    """5000 freshly drawn classes in one mypy run: same verdicts, same members (make test-slow)."""
    specs = _draw_batch(5000, derandomize=False)
    _check_agreement(specs, tmp_path)
