"""implements(P)(C) checks a class defined elsewhere and returns it with its own type."""

from typing_extensions import assert_type

from parsl_executor_protocol import implements

from _shapes import Shape


class Square:
    sides = 4
    label = "square"
    kind = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self

    def extra(self) -> int:
        return 1


Checked = implements(Shape)(Square)
assert_type(Checked, type[Square])
assert_type(Checked().extra(), int)
