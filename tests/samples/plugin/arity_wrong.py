"""A method taking one parameter too many, and one lacking a parameter."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    sides = 4
    label = "square"
    kind = "square"

    def area(self, precision: int) -> float:
        return 1.0

    def scaled(self, factor: float) -> "Square":
        return self
# out: 9: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 9: note: Incompatible member "area": expected "def area(self) -> float", got "def area(self, precision: int) -> float"
# out: 9: note: Incompatible member "scaled": expected "def scaled(self, factor: float, *, exact: bool = ...) -> Shape", got "def scaled(self, factor: float) -> Square"
