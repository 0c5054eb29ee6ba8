from typing import Any, Callable, TypeVar

from .interface import Attribute as Attribute, InterfaceClass

_T = TypeVar("_T")

Interface: InterfaceClass

def implementer(*interfaces: InterfaceClass) -> Callable[[_T], _T]: ...
