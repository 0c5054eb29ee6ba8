"""An attribute mypy infers only in its second pass cannot be checked at the class: the plugin says so."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Square:
    kind = "square"

    def __init__(self) -> None:
        # LATER is defined below and not a literal: mypy checks __init__ again later.
        self.sides = LATER
        self.label = "square"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Square":
        return self


def make() -> int:
    return 4


LATER = [make()][0]
# out: 9: error: Cannot check that class "Square" implements protocol "Shape"  [implements]
# out: 9: note: The type of "label" is inferred only after the class definition; declare it (for example "self.label: <type> = ...")
# out: 9: note: The type of "sides" is inferred only after the class definition; declare it (for example "self.sides: <type> = ...")
