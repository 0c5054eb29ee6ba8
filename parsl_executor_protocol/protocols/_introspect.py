"""Static views of classes and objects: reading members without running any of their code.

Everything here reads C-level slots through the descriptors of the builtin
types themselves (``type.__dict__["__mro__"]``, ``property.__dict__["fget"]``,
...), so that a class cannot intercept the read: no ``__getattr__`` or
``__getattribute__`` override, no property getter, no metaclass hook and no
``__class__`` property ever runs.  Objects are classified by ``type(obj)``.
"""

from __future__ import annotations

import functools
import types
from typing import Any, Callable, Dict, FrozenSet, Optional, Tuple, TypeVar

from .._memo import bounded_put, identity

_mro_of = type.__dict__["__mro__"].__get__
_dict_of_class = type.__dict__["__dict__"].__get__
_qualname_of = type.__dict__["__qualname__"].__get__
_module_of_type = type.__dict__["__module__"].__get__
module_dict: Callable[[types.ModuleType], Any] = types.ModuleType.__dict__["__dict__"].__get__  # type: ignore[index]
function_dict = types.FunctionType.__dict__["__dict__"].__get__
function_code = types.FunctionType.__dict__["__code__"].__get__
function_defaults = types.FunctionType.__dict__["__defaults__"].__get__
function_kwdefaults = types.FunctionType.__dict__["__kwdefaults__"].__get__
# inspect.get_annotations would read the attribute through getattr; this reads the slot.
function_annotations = types.FunctionType.__dict__["__annotations__"].__get__  # noqa: RUF063
function_globals = types.FunctionType.__dict__["__globals__"].__get__
function_module = types.FunctionType.__dict__["__module__"].__get__
property_fget = property.__dict__["fget"].__get__
property_fset = property.__dict__["fset"].__get__
staticmethod_func = staticmethod.__dict__["__func__"].__get__
classmethod_func = classmethod.__dict__["__func__"].__get__
method_func = types.MethodType.__dict__["__func__"].__get__
partial_func = functools.partial.__dict__["func"].__get__
partial_args = functools.partial.__dict__["args"].__get__
partial_keywords = functools.partial.__dict__["keywords"].__get__
partial_dict = functools.partial.__dict__["__dict__"].__get__

_LIBRARY_MODULES = frozenset({"typing", "typing_extensions", "types", "builtins", "_typing"})


def is_class(obj: object) -> bool:
    """Whether ``obj`` is a class, decided from ``type(obj)`` (``isinstance`` would read ``__class__``)."""
    return issubclass(type(obj), type)


def mro(cls: type) -> Tuple[type, ...]:
    """``cls.__mro__`` read through ``type``'s own descriptor."""
    found = _mro_of(cls)
    return found if type(found) is tuple else (cls,)


def class_dict(cls: type) -> types.MappingProxyType[str, Any]:
    """``cls.__dict__`` read through ``type``'s own descriptor."""
    namespace: types.MappingProxyType[str, Any] = _dict_of_class(cls)
    return namespace


def type_name(cls: Any, qualified: bool = True) -> str:
    """``module.QualName`` of a class, read statically."""
    try:
        name = _qualname_of(cls)
        module = _module_of_type(cls)
    except Exception:
        return "<class>"
    if not isinstance(name, str):
        name = "<class>"
    if qualified and type(module) is str and module != "builtins":
        return f"{module}.{name}"
    return str(name)


def find_in_mro(cls: type, name: str, stop_at_type: bool = False) -> Optional[Tuple[Any, type]]:
    """The first ``(value, owner)`` for ``name`` in the class dicts along ``cls``'s MRO, unbound.

    ``stop_at_type`` ignores what ``type`` and ``object`` define (used to ask
    whether a metaclass adds a hook of its own).
    """
    for klass in mro(cls):
        if stop_at_type and (klass is type or klass is object):
            continue
        namespace = _dict_of_class(klass)
        if name in namespace:
            return namespace[name], klass
    return None


# object's namespace cannot change (builtin types are immutable): copied once.
_OBJECT_NAMESPACE: Dict[Any, Any] = dict(_dict_of_class(object))
_EMPTY: Dict[Any, Any] = {}


class ClassView:
    """A class's namespaces along its MRO, read once for the many lookups of one check."""

    __slots__ = ("_annotations", "dicts", "fallback", "merged", "mro")

    def __init__(self, cls: type) -> None:
        self.mro = found = mro(cls)
        self.dicts = dicts = tuple(map(_dict_of_class, found))
        # What attribute lookup on an instance finds first, per name; object's
        # namespace is looked up last, separately (see lookup), to save a copy.
        # Merging copies of the real dicts reuses their stored hashes.
        # Copies, not the live proxies: another thread may change a class while it
        # is read, and a proxy's copy() is one C call that no thread can interrupt.
        own = dicts[:-1] if found[-1] is object else dicts
        merged: Any
        if len(own) == 1:
            merged = own[0].copy()
        else:
            merged = {}
            for namespace in reversed(own):
                merged.update(namespace.copy())
        self.merged = merged
        self.fallback = _OBJECT_NAMESPACE if found[-1] is object else _EMPTY
        self._annotations: Optional[Dict[str, Tuple[Any, type]]] = None

    def lookup(self, name: str) -> Tuple[Any, ...]:
        """``(value,)`` for the first class dict along the MRO that has ``name``, else ``()``."""
        if name in self.merged:
            return (self.merged[name],)
        return (self.fallback[name],) if name in self.fallback else ()

    def annotation(self, name: str) -> Optional[Tuple[Any, type]]:
        """``(annotation, owner)`` from the first class body along the MRO that annotates ``name``."""
        annotations = self._annotations
        if annotations is None:
            annotations = {}
            for klass, namespace in zip(reversed(self.mro), reversed(self.dicts), strict=True):
                declared = namespace.get("__annotations__")
                if type(declared) is dict:
                    for key, value in dict.items(dict.copy(declared)):
                        if type(key) is str:
                            annotations[key] = (value, klass)
            self._annotations = annotations
        return annotations.get(name)


_SELF_LOADS = frozenset({"LOAD_FAST", "LOAD_DEREF", "LOAD_FAST_CHECK", "LOAD_FAST_BORROW"})
_PAIR_LOADS = frozenset({"LOAD_FAST_LOAD_FAST", "LOAD_FAST_BORROW_LOAD_FAST_BORROW"})
_assigned_by_code: Dict[int, Tuple[types.CodeType, FrozenSet[str]]] = {}


def _assigned_in(code: types.CodeType) -> FrozenSet[str]:
    # The names a method stores on its first argument: `self.NAME = ...` is a
    # load of `self` immediately followed by STORE_ATTR NAME, in every version.
    cached = _assigned_by_code.get(identity(code))
    if cached is not None and cached[0] is code:
        return cached[1]
    import dis

    names = set()
    if code.co_argcount:
        self_name = code.co_varnames[0]
        previous = None
        for instruction in dis.get_instructions(code):
            if instruction.opname == "STORE_ATTR" and previous is not None:
                loaded = previous.argval
                if (previous.opname in _SELF_LOADS and loaded == self_name) or (
                    previous.opname in _PAIR_LOADS and isinstance(loaded, tuple) and loaded[-1] == self_name
                ):
                    names.add(instruction.argval)
            previous = instruction
    found = frozenset(names)
    return bounded_put(_assigned_by_code, identity(code), (code, found))[1]


def self_assignments(cls: type) -> Dict[str, type]:
    """Map each ``self.<name>`` a method assigns to the first class along the MRO doing so.

    This is how mypy infers attributes.  Methods are the functions in the
    class bodies (properties' accessors included); their bytecode is read,
    never run.
    """
    found: Dict[str, type] = {}
    for klass in reversed(mro(cls)):
        for entry in _dict_of_class(klass).copy().values():
            if type(entry) is types.FunctionType:
                functions: Tuple[Any, ...] = (entry,)
            elif issubclass(type(entry), property):
                functions = (property_fget(entry), property_fset(entry))
            else:
                continue
            for func in functions:
                if type(func) is types.FunctionType:
                    for name in _assigned_in(function_code(func)):
                        found[name] = klass
    return found


#: Metaclass hooks that hashing, comparing or asking a class about itself would run.
_METACLASS_HOOKS = ("__hash__", "__eq__", "__getattribute__", "__getattr__", "__instancecheck__", "__subclasscheck__")
_TRUSTED_META_MODULES = frozenset({"typing", "typing_extensions", "abc", "_abc", "enum", "builtins", "_typing"})


def metaclass_runs_code(cls: type) -> bool:
    """Whether hashing, comparing or inspecting ``cls`` may run its metaclass's own Python code.

    Metaclasses of the standard typing machinery and of this package are trusted.
    """
    meta = type(cls)
    if meta is type:
        return False
    module = _module_of_type(meta)
    if type(module) is str and (module in _TRUSTED_META_MODULES or module.startswith("parsl_executor_protocol.")):
        return False
    return any(find_in_mro(meta, name, stop_at_type=True) is not None for name in _METACLASS_HOOKS)


def type_defines(cls: type, name: str) -> bool:
    """Whether ``cls`` or a class along its MRO defines ``name`` (how Python finds ``__get__``, ``__set__``...)."""
    return find_in_mro(cls, name) is not None


def class_getitem_is_library(cls: type) -> bool:
    """Whether subscripting ``cls`` runs only ``typing``'s or the builtins' ``__class_getitem__``."""
    found = find_in_mro(cls, "__class_getitem__")
    if found is None:
        return False
    entry = found[0]
    kind = type(entry)
    if kind is types.ClassMethodDescriptorType or kind is types.BuiltinFunctionType:
        return True
    if type(entry) is classmethod:
        func = classmethod_func(entry)
        if func is types.GenericAlias:
            return True
        if type(func) is types.FunctionType:
            return function_module(func) in _LIBRARY_MODULES
        if type(func) is types.BuiltinFunctionType:  # BuiltinMethodType is the same type
            return True
    return False


def instance_dict_reader(view: Any) -> Tuple[Optional[Callable[[Any], Any]], str]:
    """How to read the ``__dict__`` of instances of a class (or a :class:`ClassView`) without running code.

    Returns the C descriptor's ``__get__`` (or ``None``) and, when there is
    none, why: instances have no ``__dict__``, or the class hides it behind an
    override.
    """
    if type(view) is not ClassView:
        view = ClassView(view)
    found = view.lookup("__dict__")
    if not found:
        return None, "instances have no __dict__"
    descriptor = found[0]
    if type(descriptor) is types.MemberDescriptorType:
        return descriptor.__get__, ""
    if type(descriptor) is types.GetSetDescriptorType:
        # Python classes and the builtin types read the dict slot; a C extension's
        # getset may run anything (wrapt's proxies forward to the wrapped object).
        owner = _getset_owner(descriptor)
        if descriptor.__doc__ == _PLAIN_DICT_DOC or owner in _TRUSTED_DICT_OWNERS or (
            is_class(owner) and _module_of_type(owner) == "builtins"
        ):
            return descriptor.__get__, ""
        return None, f"its __dict__ is read by a C descriptor of {type_name(owner)} that may run code, and was not read"
    return None, "its __dict__ is overridden in the class and was not read"


class _PlainDict:
    pass


#: The doc of the ``__dict__`` descriptor ``type`` gives every Python class (it differs between versions).
_PLAIN_DICT_DOC = _dict_of_class(_PlainDict)["__dict__"].__doc__
#: C types outside builtins whose ``__dict__`` descriptor is the generic one.
_TRUSTED_DICT_OWNERS = (functools.partial, types.ModuleType, types.FunctionType)
_getset_owner = types.GetSetDescriptorType.__dict__["__objclass__"].__get__


def read_instance_dict(reader: Callable[[Any], Any], obj: object) -> Optional[Dict[str, Any]]:
    """A plain copy of ``obj``'s ``__dict__`` with only ``str`` keys, or ``None`` if unreadable.

    Copying through ``dict.items`` neither hashes nor compares the keys, so
    keys with a hostile ``__hash__``/``__eq__`` never run.
    """
    try:
        namespace = reader(obj)
    except Exception:
        return None
    # dict.copy is one C call: another thread cannot change the dict while it is copied.
    if isinstance(namespace, dict):
        items = dict.copy(namespace).items()
    elif type(namespace) is types.MappingProxyType:
        # A class object's namespace: the proxy wraps type's own dict.
        items = namespace.copy().items()
    else:
        return None
    return {key: value for key, value in items if type(key) is str}


# Kinds of class-dict entries, as the engine sees them.
FUNCTION = "function"
STATIC = "staticmethod"
CLASSMETHOD = "classmethod"
PROPERTY = "property"
CACHED_PROPERTY = "cached_property"
SLOT = "slot"
C_ATTRIBUTE = "C attribute"
DATA_DESCRIPTOR = "data descriptor"
NONDATA_DESCRIPTOR = "descriptor"
CALLABLE = "callable"
VALUE = "value"

#: Entries an instance ``__dict__`` entry of the same name takes precedence over.
SHADOWABLE = frozenset({FUNCTION, STATIC, CLASSMETHOD, CACHED_PROPERTY, NONDATA_DESCRIPTOR, CALLABLE, VALUE})
#: Entries that make a member method-like (``self`` bound or not).
METHOD_LIKE = frozenset({FUNCTION, STATIC, CLASSMETHOD})


def classify(entry: object) -> str:
    """The kind of a class-dict entry, decided from its type alone."""
    kind = type(entry)
    if kind is types.FunctionType:
        return FUNCTION
    if issubclass(kind, staticmethod):
        return STATIC
    if issubclass(kind, classmethod):
        return CLASSMETHOD
    if issubclass(kind, property):
        return PROPERTY
    if kind is functools.cached_property:
        return CACHED_PROPERTY
    if kind is types.MemberDescriptorType:
        return SLOT
    if kind is types.GetSetDescriptorType:
        return C_ATTRIBUTE
    if type_defines(kind, "__set__") or type_defines(kind, "__delete__"):
        return DATA_DESCRIPTOR
    if type_defines(kind, "__get__"):
        return NONDATA_DESCRIPTOR
    if callable(entry):
        return CALLABLE
    return VALUE


def describe_value(value: object) -> str:
    """Name what a value is without calling its ``__repr__``: ``None``, ``a str value``, ``a method``."""
    if value is None:
        return "None"
    kind = type(value)
    if kind is types.FunctionType:
        return "a function"
    if kind is types.MethodType:
        return "a bound method"
    name = type_name(kind, qualified=False)
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name} value"


def descriptor_accessors(entry: object) -> Tuple[Any, Any]:
    """``(fget, fset)`` of a property, or of a property-like descriptor that keeps them in its ``__dict__``.

    ``types.DynamicClassAttribute`` (enum's ``name``/``value``) is such a
    descriptor.  ``(None, None)`` when nothing can be read statically.
    """
    if issubclass(type(entry), property):
        return property_fget(entry), property_fset(entry)
    reader, _ = instance_dict_reader(type(entry))
    if reader is None:
        return None, None
    namespace = read_instance_dict(reader, entry)
    if namespace is None:
        return None, None
    return namespace.get("fget"), namespace.get("fset")


def cached_property_func(entry: object) -> Any:
    """The function a ``functools.cached_property`` wraps (read from its ``__dict__``)."""
    reader, _ = instance_dict_reader(type(entry))
    namespace = read_instance_dict(reader, entry) if reader is not None else None
    return namespace.get("func") if namespace else None


_R = TypeVar("_R")


def parser_race_retried(parse: Callable[[], _R]) -> _R:
    """``parse()``, retried when another thread's parse disturbed it; the third ``SystemError`` is raised.

    CPython 3.11's parser keeps its recursion depth in shared state: two threads parsing
    at once can fail with "SystemError: AST constructor recursion depth mismatch",
    whatever parses (``ast.parse``, or ``inspect.signature`` of a builtin, which parses
    its text signature).  A lock here could deadlock with a garbage-collector callback;
    a retry cannot.
    """
    for _ in range(2):
        try:
            return parse()
        except SystemError:
            continue
    return parse()
