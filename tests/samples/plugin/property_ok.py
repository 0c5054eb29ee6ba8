"""A plain attribute satisfies a read-only property; a property with a setter satisfies an attribute."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    label = "square"
    kind = "square"

    @property
    def sides(self) -> int:
        return 4

    @sides.setter
    def sides(self, value: int) -> None:
        pass

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self
