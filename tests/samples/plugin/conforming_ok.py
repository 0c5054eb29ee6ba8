"""Methods, attributes and properties that satisfy the protocol, plus extra members: no output."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    sides = 4

    def __init__(self, label: str) -> None:
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    @label.setter
    def label(self, value: str) -> None:
        self._label = value

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False, rounding: int = 0) -> "Square":
        return self

    kind = "square"

    def extra(self) -> int:
        return 1


print(Square("s").extra() + 1)
