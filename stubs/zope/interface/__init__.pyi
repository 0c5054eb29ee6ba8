from typing import Callable, TypeVar

from .interface import Attribute as Attribute
from .interface import InterfaceClass

_T = TypeVar("_T")

Interface: InterfaceClass

def implementer(*interfaces: InterfaceClass) -> Callable[[_T], _T]: ...
