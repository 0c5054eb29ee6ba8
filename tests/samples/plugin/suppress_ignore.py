"""# type: ignore[implements] on the class line silences the error and its notes (unused ignores are errors)."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Point:  # type: ignore[implements]
    pass


class Line:
    pass


implements(Shape)(Line)  # type: ignore[implements]
