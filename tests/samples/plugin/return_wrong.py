"""A method returning the wrong type."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    sides = 4
    label = "square"
    kind = "square"

    def area(self) -> str:
        return "one"

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self
# out: 9: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 9: note: Incompatible member "area": expected "def area(self) -> float", got "def area(self) -> str"
