"""Read-only properties where the protocol assigns: both settable members are reported."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    @property
    def sides(self) -> int:
        return 4

    @property
    def label(self) -> str:
        return "square"

    kind = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self
# out: 9: error: Class "Square" does not implement protocol "Shape"  [implements]
# out: 9: note: Read-only member "label": the protocol needs it settable
# out: 9: note: Read-only member "sides": the protocol needs it settable
