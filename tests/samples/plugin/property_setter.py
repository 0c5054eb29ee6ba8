"""A property whose setter accepts the wrong type (mypy 1.16+ checks setter types separately)."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    kind = "square"
    label = "square"

    @property
    def sides(self) -> int:
        return 4

    @sides.setter
    def sides(self, value: bool) -> None:
        pass

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self
# out[mypy>=1.16]: 9: error: Class "Square" does not implement protocol "Shape"  [implements]
# out[mypy>=1.16]: 9: note: Incompatible setter of member "sides": expected "int", got "bool"
