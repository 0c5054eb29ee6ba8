from typing import Any, Mapping, Sequence

class Attribute:
    def __init__(self, __name__: str, __doc__: str = ...) -> None: ...

class InterfaceClass:
    def __init__(
        self,
        name: str,
        bases: Sequence[InterfaceClass] = ...,
        attrs: Mapping[str, Any] | None = ...,
        __doc__: str | None = ...,
        __module__: str | None = ...,
    ) -> None: ...
    def providedBy(self, ob: object) -> bool: ...
    def implementedBy(self, cls: type) -> bool: ...
