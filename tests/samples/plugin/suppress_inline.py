# mypy: disable-error-code="implements"
"""A file-level disable-error-code comment silences the plugin in this file (every mypy version)."""

from parsl_executor_protocol import implements

from _shapes import Shape


@implements(Shape)
class Point:
    pass
