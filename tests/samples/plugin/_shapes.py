"""Protocols the plugin samples implement (a module of its own: protocols from other modules work)."""

from typing_extensions import Protocol

from parsl_executor_protocol import with_optional


class HasColour(Protocol):
    @property
    def colour(self) -> str: ...


class HasWeight(Protocol):
    weight: float


@with_optional(HasColour, HasWeight)
class Shape(Protocol):
    """sides and label are settable; kind is read-only; colour and weight are optional."""

    sides: int
    label: str

    def area(self) -> float: ...

    def scaled(self, factor: float, *, exact: bool = False) -> "Shape": ...

    @property
    def kind(self) -> str: ...


class Labelled(Shape, Protocol):
    """Inherits Shape's optional members."""

    @property
    def caption(self) -> str: ...


class Weighed(Shape, Protocol):
    """Makes Shape's optional weight required."""

    weight: float
