"""The checking engine's ``isinstance`` hook, in C (``_speedups.c``); optional."""

from typing import Any, Callable, Dict

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
