"""The benchmarks run and print well-formed JSON lines, and the report writer turns them into the results page.

Nothing here judges a time: speed goals are the benchmarks' business (``make bench``).
The lines come from a real ``--quick`` run of ``bench_isinstance.py``, in a subprocess.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parent.parent
BENCHMARKS = REPO / "benchmarks"
FIELDS = {"name", "ours", "anchor", "unit", "speedup", "python"}
GOAL_FIELDS = {"goal", "goal_id", "met", "value", "limit"}


def _module(name: str) -> ModuleType:
    """A module of benchmarks/, imported by path (benchmarks/ is not a package)."""
    if str(BENCHMARKS) not in sys.path:
        sys.path.insert(0, str(BENCHMARKS))  # the scripts import their helpers as top-level modules
    spec = importlib.util.spec_from_file_location(f"_benchmarks_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def lines() -> List[Dict[str, Any]]:
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_isinstance.py"), "--quick", "--here-only"],
        cwd=REPO, capture_output=True, text=True, timeout=240, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    parsed = [json.loads(text) for text in proc.stdout.splitlines()]
    assert all(isinstance(line, dict) for line in parsed)
    return parsed


def test_every_line_has_the_common_fields(lines: List[Dict[str, Any]]) -> None:
    assert lines
    for line in lines:
        assert set(line) >= FIELDS, line
        assert line["python"] == "{}.{}.{}".format(*sys.version_info[:3])


def test_goal_lines_say_what_was_judged(lines: List[Dict[str, Any]]) -> None:
    goals = [line for line in lines if "goal" in line]
    assert {line["goal_id"] for line in goals} == {"P1-typing", "P1-floor", "P2-first", "P2-repeat"}
    for line in goals:
        assert set(line) >= GOAL_FIELDS, line
        assert line["met"] == (line["value"] <= line["limit"]), line


def test_p1_covers_every_protocol_in_every_shape(lines: List[Dict[str, Any]]) -> None:
    subjects = _module("_subjects")
    expected = {(name, shape) for name, _ in subjects.protocols() for shape in subjects.SHAPES}
    for goal_id in ("P1-typing", "P1-floor"):
        measured = {(line["protocol"], line["shape"]) for line in lines if line.get("goal_id") == goal_id}
        assert measured == expected
    # Every generated class conforms: the engine's answer is part of each line.
    assert all(line["conforms"] for line in lines if "conforms" in line)


def test_report_fills_the_results_section_only(lines: List[Dict[str, Any]], tmp_path: Path) -> None:
    report = _module("report")
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps(line) + "\n" for line in lines))
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Before\n\n{report.START}\nold\n{report.END}\n\nAfter.\n")
    report.write(results, doc, None)
    text = doc.read_text()
    assert text.startswith("# Before\n")
    assert text.endswith("\n\nAfter.\n")
    assert "old" not in text
    minor = "{}.{}".format(*sys.version_info[:2])
    assert f"### Python {minor}" in text
    for goal_id in ("P1-typing", "P1-floor", "P2-first", "P2-repeat"):
        assert f"| {goal_id} |" in text
    report.write(results, doc, None)  # idempotent: the section is replaced, not appended to
    assert doc.read_text() == text


def test_report_draws_a_png(lines: List[Dict[str, Any]], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")  # the bench extra
    report = _module("report")
    chart = tmp_path / "chart.png"
    report.draw(lines, chart)
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_report_cells_keep_dunder_names_and_pipes_literal() -> None:
    """A dunder name would render as bold text and a pipe would end the cell: both are kept as written."""
    report = _module("report")
    assert report._cell("plain classes, each with its own __dict__") == "plain classes, each with its own `__dict__`"
    assert report._cell("already `__dict__` quoted") == "already `__dict__` quoted"
    assert report._cell("a | b") == "a \\| b"
    assert report._cell("P4_raw_submit_bridge_false") == "P4_raw_submit_bridge_false"


def test_report_gives_a_value_the_digits_that_tell_it_from_its_limit() -> None:
    report = _module("report")
    assert report._judged(1.000302, 1.0) == "1.0003"
    assert report._judged(0.986409, 1.0) == "0.986"
    assert report._judged(1.0, 1.0) == "1"


def test_report_names_a_lines_rounds_and_interval_beside_its_case() -> None:
    report = _module("report")
    line = {"logging": "on", "rounds": 24, "interval_95": [0.9512, 1.0431]}
    assert report._case(line) == "logging: on, 24 rounds, 95 % interval 0.951 to 1.04"
    assert report._case({"logging": "off", "rounds": 8}) == "logging: off"


@pytest.mark.parametrize(
    ("rounds", "places"),
    # The distribution-free 95 % interval for a median of n values, from the binomial
    # distribution: the k-th smallest and the k-th largest, as statistics tables give it.
    [(5, None), (6, (1, 6)), (8, (1, 8)), (16, (4, 13)), (24, (7, 18)), (40, (14, 27))],
)
def test_the_interval_of_a_median_ratio_is_the_binomial_one(rounds: int, places: Any) -> None:
    paired_interval = _module("_report").paired_interval
    # Ratios 1/rounds, 2/rounds, ..., in a shuffled order: the interval is read off the sorted ones.
    numerators = [float((7 * i) % rounds + 1) for i in range(rounds)]
    assert sorted(numerators) == [float(i) for i in range(1, rounds + 1)]
    interval = paired_interval(numerators, [float(rounds)] * rounds)
    if places is None:
        assert interval is None
    else:
        assert interval == [round(places[0] / rounds, 4), round(places[1] / rounds, 4)]


@pytest.mark.parametrize("dont_write", [True, False], ids=["bytecode-forbidden", "bytecode-allowed"])
def test_import_benchmark_measures_the_same_thing_in_any_environment(dont_write: bool) -> None:
    # The goal line is judged with the bytecode cached, the compiling line without the
    # package's bytecode, whatever the environment the benchmark is started from says.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if dont_write:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_import.py"), "--quick"],
        cwd=REPO, capture_output=True, text=True, timeout=120, check=False, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = {line["name"]: line for line in map(json.loads, proc.stdout.splitlines())}
    assert set(lines) == {"import_time", "import_time_over_typing_extensions", "import_time_compiling"}
    for line in lines.values():
        assert set(line) >= FIELDS, line
        assert line["unit"] == "ms"
        assert line["rounds"] == 6
    goal = lines["import_time"]
    assert set(goal) >= GOAL_FIELDS
    assert goal["goal_id"] == "import"
    assert goal["bytecode"] == "cached"
    assert goal["met"] == (goal["value"] <= goal["limit"])
    # A ratio of the two imports' costs over the bare interpreter, never a time alone.
    assert goal["anchor_is"] == "import typing_extensions"
    assert goal["value"] == pytest.approx(goal["ours"] / goal["anchor"], rel=1e-3)
    foundation = lines["import_time_over_typing_extensions"]
    assert goal["ours"] == pytest.approx(foundation["ours"] - goal["bare_ms"], abs=1e-3)
    assert goal["anchor"] == pytest.approx(foundation["anchor"] - goal["bare_ms"], abs=1e-3)
    assert lines["import_time_compiling"]["bytecode"] == "package compiled on every import"


def test_rounds_vary_the_order_and_collect_before_every_run() -> None:
    import gc

    rounds = _module("_report").timed_rounds
    log: List[tuple[str, int]] = []

    def run(name: str) -> Any:
        def timed() -> float:
            log.append((name, gc.get_count()[0]))
            for _ in range(200):  # garbage the next run would start with, but for the collection
                cycle: List[Any] = []
                cycle.append(cycle)
            return 1.0

        return timed

    for names in (["a", "b", "c", "d", "e"], ["a", "b", "c", "d"], ["anchor", "ours", "other"], ["anchor", "ours"]):
        log.clear()
        count = len(names)
        full = 2 * count if count % 2 else count  # one full set of orders
        times = rounds({name: run(name) for name in names}, 2 * full)
        assert times == {name: [1.0] * (2 * full) for name in names}
        order = [name for name, _ in log]
        each_round = [order[start : start + count] for start in range(0, len(order), count)]
        assert all(sorted(one) == sorted(names) for one in each_round), order
        # Every run comes first, and directly follows every other run, equally often.
        firsts = Counter(one[0] for one in each_round)
        assert set(firsts.values()) == {2 * full // count}, firsts
        follows = Counter(pair for one in each_round for pair in pairwise(one))
        assert len(follows) == count * (count - 1), follows
        assert len(set(follows.values())) == 1, follows
        assert max(garbage for _, garbage in log) < 100, log


def test_import_commands_follow_each_other_equally_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command runs faster after one that left its files in the OS cache: no fixed order."""
    bench_import = _module("bench_import")
    ran: List[str] = []
    times = {"ours": 0.003, "bare": 0.001, "foundation": 0.002}

    def timed(code: str, env: Dict[str, str]) -> float:
        ran.append(code)
        return times[code]

    monkeypatch.setattr(bench_import, "_time", timed)
    medians = bench_import._medians_ms(["ours", "bare", "foundation"], {}, 12)
    assert medians == pytest.approx([3.0, 1.0, 2.0])
    each_round = [ran[start : start + 3] for start in range(0, len(ran), 3)]
    assert len(each_round) == 12
    follows = Counter(pair for one in each_round for pair in pairwise(one))
    assert len(follows) == 6, follows
    assert set(follows.values()) == {2 * 12 // 6}, follows


def test_mypy_plugin_goal_is_judged_on_each_rounds_pair(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Machine drift between rounds moves both medians; the per-round ratios are what is judged."""
    bench = _module("bench_mypy_plugin")
    ran: List[str] = []
    # Each round's pair runs at that round's speed; the plugin costs 2 % in every round.
    speeds = iter([1.0] + [speed for speed in (1.0, 1.3, 0.8, 1.25) * 4 for _ in range(2)])

    def timed(python: str, config: Path) -> float:
        ran.append(config.stem)
        return next(speeds) * (1.02 if config.stem == "plugin" else 1.0)

    monkeypatch.setattr(bench, "_time", timed)
    monkeypatch.setattr(bench, "_version", lambda python: "test")
    bench.measure(sys.executable, tmp_path)
    line = json.loads(capsys.readouterr().out)
    assert line["rounds"] == 16
    assert line["value"] == pytest.approx(1.02)
    assert line["met"] is True
    assert line["interval_95"] == [1.02, 1.02]
    rounds = [ran[start : start + 2] for start in range(1, len(ran), 2)]  # after the warm-up run
    assert Counter(one[0] for one in rounds) == {"plain": 8, "plugin": 8}


def test_rounds_refuse_a_partial_set_of_orders() -> None:
    rounds = _module("_report").timed_rounds
    ran: List[str] = []

    def run(name: str) -> Any:
        def timed() -> float:
            ran.append(name)
            return 1.0

        return timed

    refused = r"^8 rounds of 3 runs are not whole sets of their 6 orders: .* multiple of 6$"
    with pytest.raises(ValueError, match=refused):
        rounds({name: run(name) for name in ("anchor", "ours", "other")}, 8)
    assert ran == [], "a run was timed before the rounds were refused"


def test_first_checks_are_timed_in_pairs_on_classes_of_their_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """P2-first times check() and verifyObject call by call, alternating which goes first, never on one class."""
    import gc

    bench = _module("bench_isinstance")
    calls: List[tuple[str, type, bool]] = []

    def recorder(side: str) -> Any:
        def record(obj: object) -> None:
            calls.append((side, type(obj), gc.isenabled()))

        return record

    monkeypatch.setattr(bench, "check", recorder("ours"))
    monkeypatch.setattr(bench, "_zope", recorder("zope"))
    monkeypatch.setattr(bench, "FRESH_CLASSES", 6)
    ours_us, zope_us = bench._first_calls_paired(bench.make_executor_class)
    assert ours_us > 0
    assert zope_us > 0
    assert [side for side, _, _ in calls] == ["zope", "ours", "ours", "zope"] * 3
    assert not any(enabled for _, _, enabled in calls), "the collector ran while timing"
    assert gc.isenabled()
    classes = [kind for _, kind, _ in calls]
    assert len(set(map(id, classes))) == len(classes), "a class was checked twice"


@pytest.mark.skipif(not hasattr(__import__("time"), "pthread_getcpuclockid"), reason="threads have no CPU clock")
@pytest.mark.timeout(60)
def test_p3_profile_reads_each_thread_group_cpu_time() -> None:
    """P3's profile puts a busy thread's CPU time in its group and leaves a sleeping one's and an ended one's out."""
    import threading
    import time

    bench = _module("bench_adapters")
    stop = threading.Event()

    def busy() -> None:
        while not stop.is_set():
            sum(range(1_000))

    workers = [
        threading.Thread(target=busy, name="Task-Launch_0"),
        threading.Thread(target=stop.wait, name="ThreadPoolExecutor-7_0"),
    ]
    ended = threading.Thread(target=lambda: None, name="ThreadPoolExecutor-7_1")
    for worker in workers:
        worker.start()
    try:
        before = bench._thread_cpu()
        assert {before[worker.ident][0] for worker in workers if worker.ident} == {"launch", "pool"}
        ended.start()
        ended.join()
        time.sleep(0.3)
        spent = bench._cpu_between(before, bench._thread_cpu())
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=10)
    assert set(spent) == {"main", "launch", "pool", "other"}
    assert spent["launch"] > 0.05, spent  # the busy thread ran for most of 0.3 s
    assert spent["pool"] < 0.05, spent  # the waiting thread spent next to nothing; the ended one is not counted


def test_report_draws_p3_profile_as_a_table_of_its_own() -> None:
    """Both P3_dfk_thread_cpu lines become one table, one row per thread and logging mode, not two same-named rows."""
    report = _module("report")
    line = {"name": report.PROFILE, "unit": "CPU µs per app, all threads", "python": "3.11.7", "rounds": 20,
            "ours_by_thread": {"main": 40.0, "launch": 30.0, "pool": 20.0, "other": 0.0},
            "anchor_by_thread": {"main": 41.0, "launch": 35.0, "pool": 19.0, "other": 0.0}}
    lines = [{**line, "logging": "off", "ours": 90.0, "anchor": 95.0},
             {**line, "logging": "on", "ours": 900.0, "anchor": 880.0}]
    text = report.section(lines, None)
    assert "Reported without a goal" not in text
    assert "median of 20 rounds" in text
    assert "| off | launch | 30 | 35 | -5 |" in text
    assert "| on | all threads | 900 | 880 | 20 |" in text
    assert "| off | other |" not in text  # a group no thread of either run belonged to
