"""Attributes whose types mypy only infers from assignments in __init__ are checked."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    kind = "square"

    def __init__(self) -> None:
        self.sides = 4
        self.label = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self


@implements(Shape)
class Circle:
    kind = "circle"

    def __init__(self, radius: float) -> None:
        self.sides = radius
        self.label = None

    def area(self) -> float:
        return 3.14

    def scaled(self, factor: float, *, exact: bool = False) -> "Circle":
        return self
# out: 24: error: Class "Circle" does not implement protocol "Shape"  [implements]
# out: 24: note: Incompatible member "label": expected "str", got "None"
# out: 24: note: Incompatible member "sides": expected "int", got "float"
