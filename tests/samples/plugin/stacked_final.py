"""@implements over @final: checked like any class, reported at the class line."""

from typing import final

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
@final
class Square:
    sides = 4
    label = "square"
    kind = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self


@final
@implements(Shape)
class Circle:
    sides = 0
    label = "circle"
    kind = 0

    def area(self) -> float:
        return 3.14

    def scaled(self, factor: float, *, exact: bool = False) -> "Circle":
        return self
# out: 26: error: Class "Circle" does not implement protocol "Shape"  [implements]
# out: 26: note: Incompatible member "kind": expected "str", got "int"
