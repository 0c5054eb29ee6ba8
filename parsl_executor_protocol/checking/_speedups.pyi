"""The checking engine's ``isinstance`` hook and first-check memo reading, in C (``_speedups.c``); optional."""

from typing import Any, Callable, Dict, List, Tuple

class Hook:
    """``_engine._instancecheck``'s hit path in C, bound to the class like a function."""

    def __init__(
        self,
        state: Dict[str, Any],
        miss: Callable[[Any, Any], bool],
        full: Callable[[Any, Any], bool],
        native: Callable[[Any], Any],
    ) -> None: ...
    def __call__(self, cls: Any, instance: Any) -> bool: ...

#: How many levels of protocol-typed values the hook follows in C before the Python check takes over.
NATIVE_DEPTH: int

def identity(obj: object) -> int:
    """The key the hook computes for ``obj``: the engine's identity."""

def reads_in_place(program: Any) -> bool | None:
    """Whether the layout a native program learnt last reads a split ``__dict__`` in place (``None``: none learnt)."""

def known_members(
    facts: Tuple[Tuple[str, int, bool], ...],
    merged: Dict[str, Any],
    fallback: Dict[str, Any],
    functions: Dict[Tuple[Any, ...], Tuple[Any, Any]],
    properties: Dict[Tuple[Any, ...], Tuple[Any, Any]],
    no_annotation: object,
) -> Tuple[List[Any], List[int]]:
    """What the memos of ``_verdict.member_of`` hold for each member, and the places of those they do not know."""
