"""The one JSON-line format every benchmark prints."""

from __future__ import annotations

import json
import platform
import sys
from typing import Any, Dict, Optional


def emit(name: str, ours: float, anchor: float, unit: str, **extra: Any) -> Dict[str, Any]:
    """Print one benchmark result as a JSON line and return it.

    ``speedup`` is ``anchor / ours``: above 1 means ours is faster (or smaller)
    than the anchor measured in the same run.
    """
    line: Dict[str, Any] = {
        "name": name,
        "ours": round(ours, 6),
        "anchor": round(anchor, 6),
        "unit": unit,
        "speedup": round(anchor / ours, 4) if ours else None,
        "python": platform.python_version(),
    }
    line.update(extra)
    print(json.dumps(line), flush=True)
    return line


def goal(met: bool, text: str, value: Optional[float] = None) -> Dict[str, Any]:
    """Describe whether a goal was met, for the ``goal`` field of a line."""
    return {"goal": text, "met": met, **({"value": value} if value is not None else {})}


if __name__ == "__main__":  # pragma: no cover
    sys.exit("import this module from a benchmark")
