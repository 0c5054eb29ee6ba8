"""A member typed with the class's own type parameter does not satisfy a concrete protocol type."""

from typing import Generic, TypeVar

from parsl_executor_protocol import implements

from _shapes import Shape

T = TypeVar("T")


@implements(Shape)
class Box(Generic[T]):
    sides = 6
    label = "box"
    kind = "box"

    def __init__(self, size: T) -> None:
        self.size = size

    def area(self) -> T:
        return self.size

    def scaled(self, factor: float, *, exact: bool = False) -> "Box[T]":
        return self
# out: 13: error: Class "Box" does not implement protocol "Shape"  [implements]
# out: 13: note: Incompatible member "area": expected "def area(self) -> float", got "def area(self) -> T"
