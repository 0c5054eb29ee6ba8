"""@implements over @dataclass: fields are attributes; a frozen dataclass's fields are read-only."""

from dataclasses import dataclass

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
@dataclass
class Square:
    sides: int
    label: str
    kind: str = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self


@implements(Shape)
@dataclass(frozen=True)
class FrozenSquare:
    sides: int
    label: str
    kind: str = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "FrozenSquare":
        return self


print(Square(4, "s").sides + 1)
# out: 26: error: Class "FrozenSquare" does not implement protocol "Shape"  [implements]
# out: 26: note: Read-only member "label": the protocol needs it settable
# out: 26: note: Read-only member "sides": the protocol needs it settable
