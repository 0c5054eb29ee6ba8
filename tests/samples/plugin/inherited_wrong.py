"""An incompatible inherited member is reported at the class that makes the claim."""

from parsl_executor_protocol import implements

from _shapes import Shape


class Base:
    kind = "base"
    sides = 4
    label = "base"

    def area(self) -> int:
        return 1

    def scaled(self, factor: int) -> "Base":
        return self


@implements(Shape)
class Square(Base):
    pass
# out: 21: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 21: note: Incompatible member "scaled": expected "def scaled(self, factor: float, *, exact: bool = ...) -> Shape", got "def scaled(self, factor: int) -> Base"
