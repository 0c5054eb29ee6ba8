"""Members inherited from base classes count, including ones a base sets in __init__."""

from parsl_executor_protocol import implements

from _shapes import Shape


class Base:
    kind = "base"

    def __init__(self) -> None:
        self.sides = 4
        self.label = "base"

    def area(self) -> float:
        return 1.0


class Middle(Base):
    def scaled(self, factor: float, *, exact: bool = False) -> "Middle":
        return self


@implements(Shape)
class Square(Middle):
    pass
