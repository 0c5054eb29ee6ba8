"""A generic class conforms when it does for every value of its type parameter."""

from typing import Generic, List, TypeVar

from parsl_executor_protocol import implements

from _shapes import Shape

T = TypeVar("T")


@implements(Shape)
class Box(Generic[T]):
    sides = 6
    label = "box"
    kind = "box"

    def __init__(self) -> None:
        self.items: List[T] = []

    def area(self) -> float:
        return 6.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Box[T]":
        return self
