"""implements() takes a protocol; a plain class is reported at the decorated class."""

from parsl_executor_protocol import implements


class Base:
    pass


@implements(Base)
class Derived(Base):
    pass
# out: 11: error: Class "Derived" cannot implement "Base": implements() takes a protocol  [implements]
