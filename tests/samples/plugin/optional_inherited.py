"""A subprotocol inherits optional members; a subprotocol that requires one makes it missing when absent."""

from parsl_executor_protocol import implements

from _shapes import Labelled, Weighed


@implements(Labelled)
class Tile:
    sides = 4
    label = "tile"
    kind = "tile"
    caption = "a tile"
    colour = 5

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Tile":
        return self


@implements(Weighed)
class Brick:
    sides = 4
    label = "brick"
    kind = "brick"

    def area(self) -> float:
        return 1.0

    def scaled(self, factor: float, *, exact: bool = False) -> "Brick":
        return self
# out: 9: error: Class "Tile" does not implement protocol "Labelled"  [implements]
# out: 9: note: Incompatible optional member "colour": expected "str", got "int"
# out: 24: error: Class "Brick" does not implement protocol "Weighed"  [implements]
# out: 24: note: Missing member "weight": expected "float"
