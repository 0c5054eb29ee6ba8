"""Cost growth of check(): against protocol size and against the number of distinct classes checked.

Reported, not goals (lines ``growth_protocol_size`` and ``growth_classes``):

1. Protocol size: a protocol of N members (half methods, half data members),
   N = 16 ... 256, written and executed as source like any user module, and a
   conforming class whose data members are set in ``__init__``.  Reported: the
   first ``check()`` of a new class (its class statement compiled anew each
   time, so nothing is shared with earlier classes) and ``check()`` repeated on
   one instance.  ``anchor`` is the figure for the smallest protocol.
2. Distinct classes: N = 1 ... 100,000 new classes, every one checked once
   (``check(instance)`` against ``ParslExecutorProtocol``), all alive at once,
   made two ways (``classes_made``): subclasses of one conforming executor,
   which read their instances' ``__dict__`` through the base's descriptor, and
   plain classes with the same namespace, each introducing the ``__dict__`` of
   its instances (which their verdicts would keep alive through that
   descriptor, and which are dropped at the start of every full collection:
   see the Memory section of docs/checking.md; up to 10,000 of them, enough
   to fill the cache many times over).  Reported: microseconds per
   first check, the memory the package holds afterwards (tracemalloc: blocks
   allocated by the package's code that are still alive; the classes and
   instances themselves, their ``__dict__`` included, are the benchmark's and
   are not counted), whether it is
   bounded (the caches hold at most a fixed number of classes, so the memory
   stops growing), and, after the classes are deleted and collected, the memory
   left and whether weak references to checked classes died (the caches keep
   none alive past a full collection);
   ``top_allocation_sites`` names the package's lines that
   allocated most of what it holds.  ``anchor`` is the figure for the smallest N.

``--quick`` stops at 64 members and 1,000 classes.
"""

from __future__ import annotations

import gc
import itertools
import statistics
import sys
import time
import tracemalloc
import types
import weakref
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _report import arguments, emit
from _subjects import subjects

import parsl_executor_protocol
from parsl_executor_protocol import ParslExecutorProtocol, check, clear_cache

PACKAGE_DIR = str(Path(parsl_executor_protocol.__file__).resolve().parent)
SIZES = (16, 32, 64, 128, 256)
CLASS_COUNTS = (1, 10, 100, 1_000, 10_000, 100_000)
FRESH = 20
REPEATS = 5

_counter = itertools.count()


def _protocol_source(size: int) -> str:
    methods, data = size - size // 2, size // 2
    lines = [
        "from typing import Dict, List, Optional",
        "from typing_extensions import Protocol, runtime_checkable",
        "@runtime_checkable",
        "class Grown(Protocol):",
    ]
    lines += [f"    a{i}: int" for i in range(data)]
    lines += [f"    def m{i}(self, x: int, y: Optional[str] = None) -> List[int]: ..." for i in range(methods)]
    return "\n".join(lines) + "\n"


def _class_source(size: int) -> str:
    methods, data = size - size // 2, size // 2
    lines = ["from typing import Dict, List, Optional", "class Impl:", "    def __init__(self) -> None:"]
    lines += [f"        self.a{i} = {i}" for i in range(data)] or ["        pass"]
    lines += [f"    def m{i}(self, x: int, y: Optional[str] = None) -> List[int]:\n        return [x]"
              for i in range(methods)]
    return "\n".join(lines) + "\n"


def _module(source: str, label: str) -> Dict[str, Any]:
    """Execute ``source`` as a new module registered in ``sys.modules`` (new code objects every time)."""
    name = f"_bench_growth_{label}_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    return module.__dict__


def _timed(call: Any, objects: List[object]) -> float:
    """Microseconds per ``call(obj)`` over ``objects``, with the collector off."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for obj in objects:
            call(obj)
        return (time.perf_counter() - start) / len(objects) * 1e6
    finally:
        gc.enable()


def measure_sizes(sizes: Tuple[int, ...]) -> None:
    """Line 1: check() against protocol size."""
    baseline: Dict[str, float] = {}
    for size in sizes:
        protocol = _module(_protocol_source(size), f"protocol{size}")["Grown"]
        source = _class_source(size)
        instance = _module(source, f"impl{size}")["Impl"]()
        assert check(instance, protocol).ok
        firsts, repeats = [], []
        for _ in range(REPEATS):
            fresh = [_module(source, f"impl{size}")["Impl"]() for _ in range(FRESH)]
            firsts.append(_timed(lambda obj, p=protocol: check(obj, p), fresh))
            repeats.append(_timed(lambda obj, p=protocol: check(obj, p), [instance] * 2_000))
        first, repeat = statistics.median(firsts), statistics.median(repeats)
        baseline.setdefault("first", first)
        baseline.setdefault("repeat", repeat)
        emit("growth_protocol_size", first, baseline["first"], "us", members=size,
             first_check_us=round(first, 3), repeat_check_us=round(repeat, 4),
             repeat_anchor_us=round(baseline["repeat"], 4), first_per_member_us=round(first / size, 4),
             note=f"anchor: the first check() with {sizes[0]} members; reported, no goal")


def _package_traces(snapshot: tracemalloc.Snapshot) -> tracemalloc.Snapshot:
    """The blocks still allocated by the package's own code (any frame of the allocation's stack)."""
    return snapshot.filter_traces([tracemalloc.Filter(True, f"{PACKAGE_DIR}/*", all_frames=True)])


def _package_bytes(snapshot: tracemalloc.Snapshot) -> int:
    return sum(stat.size for stat in _package_traces(snapshot).statistics("filename"))


def _top_sites(snapshot: tracemalloc.Snapshot, before: tracemalloc.Snapshot, count: int = 3) -> List[List[Any]]:
    """The lines that allocated most of what the package holds since ``before``: [[file:line, KiB], ...]."""
    diff = _package_traces(snapshot).compare_to(_package_traces(before), "lineno")
    sites = []
    for stat in sorted(diff, key=lambda stat: stat.size_diff, reverse=True)[:count]:
        frame = stat.traceback[0]
        where = frame.filename.replace(PACKAGE_DIR, "parsl_executor_protocol").replace(sys.prefix, "<prefix>")
        sites.append([f"{where}:{frame.lineno}", round(stat.size_diff / 1024, 1)])
    return sites


#: How the classes of line 2 are made: subclasses of the base, or classes with its namespace and no base.
SUBCLASSES, PLAIN = "subclasses of one executor", "plain classes, each with its own __dict__"
#: Plain classes up to this many: enough to fill the cache many times over, as the subclasses do.
PLAIN_MAX = 10_000


def _made(base: type, made: str, count: int) -> List[type]:
    if made == SUBCLASSES:
        return [type(f"{base.__name__}_{i}", (base,), {}) for i in range(count)]
    namespace = {key: value for key, value in vars(base).items() if key not in ("__dict__", "__weakref__")}
    return [type(f"Plain_{i}", (), dict(namespace)) for i in range(count)]


def measure_classes(counts: Tuple[int, ...], made: str) -> None:
    """Line 2: check() against the number of distinct classes; the memory held, bounded and released."""
    base = type(next(s for s in subjects() if s.protocol is ParslExecutorProtocol).instances["init"])
    check(base(), ParslExecutorProtocol)  # the protocol's model and the engine's imports: not counted
    clear_cache()  # nothing held from the other series
    first_anchor = None
    held_by_count: Dict[int, int] = {}
    for count in counts:
        gc.collect()
        classes = _made(base, made, count)
        instances = [cls() for cls in classes]
        first = _timed(lambda obj: check(obj, ParslExecutorProtocol), instances)
        if first_anchor is None:
            first_anchor = first
        # The same again, traced: what the package keeps for this many classes.
        clear_cache()
        del classes, instances
        gc.collect()
        tracemalloc.start(8)
        start_snapshot = tracemalloc.take_snapshot()
        before = _package_bytes(start_snapshot)
        classes = _made(base, made, count)
        instances = [cls() for cls in classes]
        # Reading an instance's __dict__ creates it (Python 3.11+ keeps attributes inline until
        # then): it belongs to the instance, so it is created here, outside the package's code.
        for instance in instances:
            instance.__dict__  # noqa: B018
        del instance  # the loop's name would keep the last class alive
        assert all(check(instance, ParslExecutorProtocol).ok for instance in instances)
        held_snapshot = tracemalloc.take_snapshot()
        held = _package_bytes(held_snapshot) - before
        sites = _top_sites(held_snapshot, start_snapshot)
        del held_snapshot
        watches = [weakref.ref(cls) for cls in classes[:: max(1, count // 100)]]
        del classes, instances
        gc.collect()
        left = _package_bytes(tracemalloc.take_snapshot()) - before
        tracemalloc.stop()
        dead = sum(watch() is None for watch in watches)
        held_by_count[count] = held
        emit("growth_classes", first, first_anchor, "us", classes=count, classes_made=made,
             first_check_us=round(first, 3), cache_kib=round(held / 1024, 1),
             cache_kib_after_release=round(left / 1024, 1),
             classes_collected=dead == len(watches), watched_classes_dead=f"{dead}/{len(watches)}",
             top_allocation_sites=sites,
             note=f"anchor: the first check() per class with {counts[0]} class(es); reported, no goal")
    if len(counts) >= 2:
        last, before_last = counts[-1], counts[-2]
        grown = held_by_count[last] / max(held_by_count[before_last], 1)
        emit("growth_cache_bound", held_by_count[last] / 1024, held_by_count[before_last] / 1024, "KiB",
             classes=last, previous_classes=before_last, classes_made=made, growth=round(grown, 3),
             bounded=grown < 0.5 * last / before_last,
             note=f"cache memory with {last} classes against {before_last}: bounded if it grows far less than "
                  "the number of classes; reported, no goal")


def main() -> None:
    """Both series in this interpreter, one JSON line per point."""
    global FRESH, REPEATS
    args = arguments(__doc__).parse_args()
    sizes: Tuple[int, ...] = SIZES
    counts: Tuple[int, ...] = CLASS_COUNTS
    if args.quick:
        sizes, counts, FRESH, REPEATS = SIZES[:3], CLASS_COUNTS[:4], 5, 2
    measure_sizes(sizes)
    measure_classes(counts, SUBCLASSES)
    measure_classes(tuple(count for count in counts if count <= PLAIN_MAX), PLAIN)


if __name__ == "__main__":
    main()
