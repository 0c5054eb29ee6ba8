"""Write the results section of docs/performance.md, and its chart, from the lines ``run.py`` collected.

Reads ``benchmarks/results.jsonl`` (or ``--results``), replaces what lies
between the markers ``<!-- results:start -->`` and ``<!-- results:end -->``
of ``docs/performance.md`` (or ``--doc``) with a table per Python and the
tables of the reported (not goal) figures, and draws every goal's standing
per Python into ``docs/_static/performance.png`` (or ``--chart``; matplotlib,
the ``bench`` extra).  A goal's standing is its ``value`` over its ``limit``:
at most 1 meets the goal.  Nothing is measured here, and nothing is written
that the results file does not hold.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "results.jsonl"
DOC = REPO / "docs" / "performance.md"
CHART = REPO / "docs" / "_static" / "performance.png"
START, END = "<!-- results:start -->", "<!-- results:end -->"

Line = Dict[str, Any]

#: Goal ids in the order they are shown, with what each compares.
GOALS = {
    "P1-typing": "isinstance: ours / typing's cached isinstance (≤ 0.8 on 3.12+, ≤ 1/30 on 3.10/3.11)",
    "P1-floor": "isinstance: ours / isinstance(x, object) (≤ 8)",
    "P2-first": "first check() of a new class / zope's verifyObject (≤ 1)",
    "P2-repeat": "repeated check() / isinstance(x, object) (≤ 20)",
    "P3": "Parsl DFK time per app: thread adapter / parsl's ThreadPoolExecutor (≤ 1.00)",
    "P4": "raw submit+complete time: adapter / bare ThreadPoolExecutor, default mode (≤ 1.2)",
    "P5": "Dask: adapter / bare client.submit + gather (≤ 1.1)",
    "import": "import time over python -c pass, bytecode cached: ours / typing_extensions' (≤ 1.5)",
    "mypy-plugin": "mypy wall time: with the plugin / without (≤ 1.03)",
}


#: The reported line drawn as a table of its own (:func:`_profile`).
PROFILE = "P3_dfk_thread_cpu"


def load(path: Path) -> List[Line]:
    """The JSON lines of ``path``."""
    return [json.loads(text) for text in path.read_text().splitlines() if text.strip()]


def _minor(line: Line) -> str:
    return ".".join(str(line.get("python", "?")).split(".")[:2])


def _judged(value: float, limit: float) -> str:
    """A goal's value, with as many digits as it takes to tell it from its limit (1.0003 is not 1)."""
    digits = 3
    while _fmt(value, digits) == _fmt(limit, digits) and value != limit and digits < 8:
        digits += 1
    return _fmt(value, digits)


def _fmt(value: Optional[float], digits: int = 3) -> str:
    if value is None:
        return "-"
    if abs(value) >= 10_000:
        return f"{value:,.0f}"
    if value == 0 or abs(value) >= 0.001:
        return f"{value:.{digits}g}" if abs(value) < 1 else f"{value:,.{max(digits - 1, 1)}f}".rstrip("0").rstrip(".")
    return f"{value:.2e}"


def _standing(line: Line) -> float:
    return float(line["value"]) / float(line["limit"])


def _case(line: Line) -> str:
    """What distinguishes this line from others with the same goal."""
    if line.get("protocol"):
        return f"{line['protocol']}, {line['shape']}"
    for key in ("variant", "logging", "mypy", "bytecode"):
        if key in line:
            case = f"{key}: {line[key]}" if key != "variant" else str(line[key])
            break
    else:
        case = ""
    interval = line.get("interval_95")
    if interval:
        low, high = (_fmt(end) for end in interval)
        case += f"{', ' if case else ''}{line['rounds']} rounds, 95 % interval {low} to {high}"
    return case


def goal_rows(lines: List[Line]) -> List[Tuple[str, str, str, str, str, str, str, str]]:
    """Rows (goal, case, ours, anchor, unit, value, limit, met) for one Python; P1 summarised per shape."""
    rows = []
    by_goal: Dict[str, List[Line]] = defaultdict(list)
    for line in lines:
        if "goal_id" in line:
            by_goal[line["goal_id"]].append(line)
    for goal_id in [*GOALS, *sorted(set(by_goal) - set(GOALS))]:
        found = by_goal.get(goal_id, [])
        if goal_id.startswith("P1-"):
            shapes: Dict[str, List[Line]] = defaultdict(list)
            for line in found:
                shapes[line["shape"]].append(line)
            for shape, group in shapes.items():
                worst = max(group, key=_standing)
                met = sum(bool(line["met"]) for line in group)
                median = statistics.median(float(line["value"]) for line in group)
                rows.append((
                    goal_id, f"{shape}: worst {worst['protocol']} (median over {len(group)}: {_fmt(median)})",
                    _fmt(worst["ours"]), _fmt(worst["anchor"]), worst["unit"], _judged(worst["value"], worst["limit"]),
                    _fmt(worst["limit"]), f"{met}/{len(group)}",
                ))
            continue
        for line in found:
            rows.append((
                goal_id, _case(line), _fmt(line["ours"]), _fmt(line["anchor"]), line["unit"],
                _judged(line["value"], line["limit"]), _fmt(line["limit"]), "yes" if line["met"] else "**no**",
            ))
    return rows


#: A dunder name outside a code span, which Markdown would otherwise render as bold text.
_DUNDER = re.compile(r"(?<!`)\b(__\w+__)(?!`)")


def _cell(cell: object) -> str:
    return _DUNDER.sub(r"`\1`", str(cell).replace("|", "\\|"))


def _table(header: Iterable[str], rows: Iterable[Iterable[str]]) -> List[str]:
    header = list(header)
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return out


def section(lines: List[Line], chart: Optional[str]) -> str:
    """The Markdown of the results section."""
    pythons: Dict[str, List[Line]] = defaultdict(list)
    for line in lines:
        pythons[_minor(line)].append(line)
    versions = sorted(pythons, key=lambda v: tuple(int(p) for p in v.split(".") if p.isdigit()))
    out = [
        "Generated by `benchmarks/report.py` from `benchmarks/results.jsonl`, which `make bench` (or "
        f"`benchmarks/run.py`) wrote ({len(lines)} lines; a part re-run with `--merge` replaces only its own "
        "lines, so they can come from more than one run). `value` is the figure judged (a time ratio "
        "ours/anchor unless the goal says "
        "otherwise) and `limit` the largest value that meets the goal; for P1 each row is the worst protocol "
        "of one implementation shape, with how many of the protocols meet the goal.",
        "",
    ]
    if chart:
        out += [f"![Every goal's value over its limit, per Python: at most 1 meets the goal]({chart})", ""]
    failed = [line for line in lines if line["name"] == "failed"]
    if failed:
        named = [f"`{line['bench']}` under `{line['interpreter']}` (exit {line['returncode']})" for line in failed]
        out += ["Runs that failed: " + ", ".join(named) + ".", ""]
    for version in versions:
        group = pythons[version]
        full = sorted({str(line["python"]) for line in group if "python" in line})
        out += [f"### Python {version}", "", f"Interpreter{'s' if len(full) > 1 else ''}: {', '.join(full)}.", ""]
        out += _table(("goal", "case", "ours", "anchor", "unit", "value", "limit", "met"), goal_rows(group))
        out.append("")
        reported = [line for line in group if "goal_id" not in line and line["name"] != "failed"
                    and not line["name"].startswith("growth_") and line["name"] != PROFILE]
        if reported:
            out += ["Reported without a goal:", ""]
            out += _table(("line", "ours", "anchor", "unit", "time ratio ours/anchor"), (
                (line["name"], _fmt(line["ours"]), _fmt(line["anchor"]), line["unit"],
                 _fmt(line.get("time_ratio", line["ours"] / line["anchor"] if line["anchor"] else None)))
                for line in reported))
            out.append("")
        out += _profile(group)
        sizes = [line for line in group if line["name"] == "growth_protocol_size"]
        if sizes:
            out += ["Cost growth against protocol size (`check()`, microseconds):", ""]
            out += _table(("members", "first check", "per member", "repeated check"), (
                (str(line["members"]), _fmt(line["first_check_us"]), _fmt(line["first_per_member_us"]),
                 _fmt(line["repeat_check_us"])) for line in sizes))
            out.append("")
        classes = [line for line in group if line["name"] == "growth_classes"]
        if classes:
            collected = [str(line.get("watched_classes_dead", line["classes_collected"])) for line in classes]
            out += ["Cost growth against distinct classes checked (all alive at once):", ""]
            out += _table(
                ("classes made", "classes", "first check (µs)", "package memory held (KiB)",
                 "after the classes die (KiB)", "watched classes collected"),
                ((str(line.get("classes_made", "")), f"{line['classes']:,}",
                  _fmt(line["first_check_us"]), _fmt(line["cache_kib"]), _fmt(line["cache_kib_after_release"]), dead)
                 for line, dead in zip(classes, collected, strict=True)),
            )
            out.append("")
        sited = [line for line in classes if line.get("top_allocation_sites")]
        if sited:
            line = sited[-1]
            sites = ", ".join(f"`{site}` ({_fmt(kib)} KiB)" for site, kib in line["top_allocation_sites"])
            out += [f"With {line['classes']:,} classes, the package lines that allocated most of what it holds: "
                    f"{sites}.", ""]
        for line in group:
            if line["name"] == "growth_cache_bound":
                verdict = "bounded" if line["bounded"] else "**not shown bounded**"
                made = f" ({line['classes_made']})" if "classes_made" in line else ""
                out += [f"Package memory with {line['classes']:,} classes{made} is {_fmt(line['growth'])}x that "
                        f"with {line['previous_classes']:,}: {verdict}.", ""]
    return "\n".join(out).rstrip() + "\n"


def _profile(group: List[Line]) -> List[str]:
    """P3's profile as a table: each thread's CPU time per app, ours and the anchor's, with logging off and on."""
    profiles = [line for line in group if line["name"] == PROFILE]
    if not profiles:
        return []
    rows = []
    for line in profiles:
        threads = [(thread, line["ours_by_thread"][thread], line["anchor_by_thread"][thread])
                   for thread in line["ours_by_thread"]]
        for thread, ours, anchor in [*threads, ("all threads", line["ours"], line["anchor"])]:
            if ours or anchor:
                rows.append((line["logging"], thread, _fmt(ours), _fmt(anchor), _fmt(ours - anchor, 2)))
    rounds = profiles[0].get("rounds", "")
    return [f"P3's profile (`{PROFILE}`): CPU time per app of each thread in P3's own runs, median of "
            f"{rounds} rounds, µs; `main` submits the apps and waits for them, `launch` is parsl's "
            "`Task-Launch` thread, `pool` the pool's workers:", "",
            *_table(("logging", "thread", "ours", "anchor", "ours - anchor"), rows), ""]


def chart_rows(lines: List[Line]) -> List[Tuple[str, Dict[str, float]]]:
    """(label, {python: standing}) for every goal row of the chart, worst case per row."""
    return [(label, {v: max(values) for v, values in per.items()}) for label, per in _chart_cases(lines)]


def _chart_cases(lines: List[Line]) -> List[Tuple[str, Dict[str, List[float]]]]:
    """(label, {python: [standing of each case]}) for every goal row of the chart."""
    rows: Dict[str, Dict[str, List[float]]] = {}
    order: Dict[str, Tuple[int, int]] = {}
    for line in lines:
        if "goal_id" not in line:
            continue
        goal_id = line["goal_id"]
        if goal_id.startswith("P1-"):
            label = f"{goal_id} {line['shape']}"
        elif goal_id == "P2-first":
            label = f"P2-first, {'new code' if 'anew' in line.get('variant', '') else 'same code'}"
        elif goal_id == "P3":
            label = f"P3, logging {line.get('logging', '?')}"
        elif goal_id == "mypy-plugin":
            label = f"mypy-plugin {line.get('mypy', '')}".strip()
        else:
            label = goal_id
        rows.setdefault(label, {}).setdefault(_minor(line), []).append(_standing(line))
        order.setdefault(label, (list(GOALS).index(goal_id) if goal_id in GOALS else len(GOALS), len(order)))
    return sorted(rows.items(), key=lambda item: order[item[0]])


def draw(lines: List[Line], path: Path) -> None:
    """Draw the chart: per goal, one bar per Python, value/limit on a log scale, the limit at 1."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = _chart_cases(lines)
    versions = sorted({v for _, per in rows for v in per}, key=lambda v: tuple(int(p) for p in v.split(".")))
    height = 0.8 / max(len(versions), 1)
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.6))
    for index, version in enumerate(versions):
        ys = [row + index * height for row in range(len(rows))]
        xs = [max(*per.get(version, [float("nan")]), 1e-3) for _, per in rows]
        ax.barh(ys, xs, height=height, label=f"Python {version}")
        several = [(y, statistics.median(per[version])) for y, (_, per) in zip(ys, rows, strict=True)
                   if len(per.get(version, [])) > 1]
        if several:
            ax.plot([max(x, 1e-3) for _, x in several], [y for y, _ in several], "k|", markersize=7,
                    label="median of the row's cases" if index == 0 else None)
    ax.set_yticks([row + 0.4 - height / 2 for row in range(len(rows))])
    ax.set_yticklabels([label for label, _ in rows])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.axvline(1.0, color="black", linestyle="--", linewidth=1)
    ax.set_xlabel("value / limit: bar = worst case of the row, | = median; at most 1 (left of the dashes) meets it")
    ax.set_title("Each goal against its anchor, per Python")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(axis="x", which="both", alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    # No timestamp in the file, so that the same results give the same bytes.
    fig.savefig(path, dpi=100, metadata={"Software": None})
    plt.close(fig)


def write(results: Path, doc: Path, chart: Optional[Path]) -> None:
    """Rewrite ``doc``'s results section (and draw ``chart``, unless it is None) from ``results``."""
    lines = load(results)
    text = doc.read_text()
    if START not in text or END not in text:
        sys.exit(f"{doc} has no {START} ... {END} section to fill")
    reference = None
    if chart is not None:
        draw(lines, chart)
        reference = os.path.relpath(chart, doc.parent)
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    doc.write_text(f"{before}{START}\n\n{section(lines, reference)}\n{END}{after}")


def main() -> None:
    """Command line: ``report.py [--results FILE] [--doc FILE] [--chart FILE | --no-chart]``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--doc", type=Path, default=DOC)
    parser.add_argument("--chart", type=Path, default=CHART)
    parser.add_argument("--no-chart", action="store_true", help="write the tables only (no matplotlib needed)")
    args = parser.parse_args()
    write(args.results, args.doc, None if args.no_chart else args.chart)


if __name__ == "__main__":
    main()
