"""Every missing member is named (mypy's own report stops after two), with the type expected."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Point:
    def area(self) -> float:
        return 0.0
# out: 9: error: Class "Point" does not implement protocol "Shape"  [implements]
# out: 9: note: Missing member "kind": expected "str"
# out: 9: note: Missing member "label": expected "str"
# out: 9: note: Missing member "scaled": expected "def scaled(self, factor: float, *, exact: bool = ...) -> Shape"
# out: 9: note: Missing member "sides": expected "int"
