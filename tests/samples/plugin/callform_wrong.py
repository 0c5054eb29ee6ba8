"""implements(P)(C) reports at the call, naming the class."""

from parsl_executor_protocol import implements

from _shapes import Shape


class Square:
    sides = "four"
    label = "square"
    kind = "square"

    def area(self) -> float:
        return 1.0


implements(Shape)(Square)
# out: 17: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 17: note: Missing member "scaled": expected "def scaled(self, factor: float, *, exact: bool = ...) -> Shape"
# out: 17: note: Incompatible member "sides": expected "int", got "str"
