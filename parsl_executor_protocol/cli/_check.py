"""``check``: loaded targets against a protocol, through the public checking API, as a table or JSON.

Each target's result is the JSON document's ``targets`` entry (schema in
docs/cli.md); the table is rendered from the same data.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List, Sequence

from ..checking import check

if TYPE_CHECKING:
    from ..checking import Violation
    from ._loading import LoadedTarget

__all__ = ["check_targets", "render_json", "render_table"]


def _finding(violation: Violation) -> Dict[str, str]:
    # Spelled out rather than Violation.to_dict(): these keys are the command line's documented schema.
    return {
        "member": violation.member,
        "kind": violation.kind.value,
        "severity": violation.severity,
        "expected": violation.expected,
        "found": violation.found,
        "message": violation.message,
    }


def _check_target(target: LoadedTarget, protocol: type) -> Dict[str, Any]:
    report = check(target.obj, protocol)
    return {
        "target": target.spec,
        "loaded_as": target.kind,
        "subject": report.subject,
        "ok": report.ok,
        "violations": [_finding(v) for v in report.violations],
        "warnings": [_finding(w) for w in report.warnings],
    }


def check_targets(targets: Sequence[LoadedTarget], protocol: type) -> List[Dict[str, Any]]:
    """Check each target against ``protocol``: one result per target, in order."""
    return [_check_target(target, protocol) for target in targets]


def render_json(protocol: type, results: Sequence[Dict[str, Any]]) -> str:
    """The ``check --format json`` document."""
    document = {
        "command": "check",
        "protocol": f"{protocol.__module__}.{protocol.__qualname__}",
        "ok": all(r["ok"] for r in results),
        "targets": list(results),
    }
    return json.dumps(document, indent=2)


def _table(rows: Sequence[Dict[str, str]], indent: str = "    ") -> List[str]:
    """member / problem / expected / found columns; a problem other than "missing" gets its message below."""
    header = {"member": "member", "kind": "problem", "expected": "expected", "found": "found"}
    shown = [header] + [{**row, "kind": row["kind"].replace("_", " ")} for row in rows]
    columns = ("member", "kind", "expected")
    widths = [max(len(row[c]) for row in shown) for c in columns]
    lines = []
    for index, row in enumerate(shown):
        cells = [row[c].ljust(w) for c, w in zip(columns, widths, strict=True)]
        lines.append(indent + "  ".join(cells) + "  " + row["found"])
        if index and row["kind"] != "missing":
            # The member is already in the row's first column.
            message = row["message"].removeprefix(row["member"] + ": ")
            lines.append(indent + " " * (widths[0] + 2) + "-> " + message)
    return lines


def render_table(protocol: type, results: Sequence[Dict[str, Any]]) -> str:
    """The ``check`` table: a verdict line per target, its violations and warnings, and a closing count."""
    protocol_name = protocol.__qualname__
    lines: List[str] = []
    for result in results:
        count = len(result["violations"])
        if result["ok"]:
            head = f"{result['target']} ({result['loaded_as']}) conforms to {protocol_name}"
        else:
            plural = "s" if count != 1 else ""
            head = f"{result['target']} ({result['loaded_as']}) VIOLATES {protocol_name}: {count} violation{plural}"
        lines.append(head)
        if result["violations"]:
            lines += _table(result["violations"])
        if result["warnings"]:
            lines.append("  warnings (they do not fail the check):")
            lines += _table(result["warnings"])
    conforming = sum(1 for r in results if r["ok"])
    lines.append(f"{conforming} of {len(results)} target(s) conform to {protocol_name}")
    return "\n".join(lines)
