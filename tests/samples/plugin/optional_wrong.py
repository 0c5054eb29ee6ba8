"""Optional members present with incompatible types or kinds are reported."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    sides = 4
    label = "square"
    kind = "square"
    colour = 5

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self

    @property
    def weight(self) -> float:
        return 2.5
# out: 9: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 9: note: Incompatible optional member "colour": expected "str", got "int"
# out: 9: note: Read-only optional member "weight": the protocol needs it settable
