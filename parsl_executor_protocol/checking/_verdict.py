"""Verdicts per member: a protocol member against what a class (or an instance) provides.

:func:`evaluate_members` judges everything the class alone decides, once per
class, as one :class:`ClassMember` per protocol member; :func:`class_problems`
gives the class-level (``issubclass``) verdict on one; :func:`evaluate_value`
judges a value found on an instance (in its ``__dict__`` or a slot).  Verdicts
are tuples of :class:`~._report.Violation`.
"""

from __future__ import annotations

import collections.abc
import functools
import sys
import types
from typing import Any, Callable, Dict, List, Optional, Tuple

from .._memo import bounded_put, identity
from ..protocols._introspect import (
    C_ATTRIBUTE,
    CACHED_PROPERTY,
    CALLABLE,
    CLASSMETHOD,
    DATA_DESCRIPTOR,
    FUNCTION,
    METHOD_LIKE,
    PROPERTY,
    SHADOWABLE,
    SLOT,
    STATIC,
    VALUE,
    ClassView,
    cached_property_func,
    class_dict,
    classify,
    classmethod_func,
    describe_value,
    descriptor_accessors,
    find_in_mro,
    function_annotations,
    function_code,
    function_dict,
    function_globals,
    instance_dict_reader,
    is_class,
    method_func,
    module_dict,
    parser_race_retried,
    partial_args,
    partial_dict,
    partial_func,
    partial_keywords,
    property_fget,
    property_fset,
    read_instance_dict,
    staticmethod_func,
    type_name,
)
from ..protocols._model import METHOD, Member, ProtocolModel, is_unresolved
from . import _cache, _hints
from ._report import Violation, ViolationKind
from ._signatures import (
    Shape,
    apply_partial,
    bind,
    code_key,
    describe,
    incompatibility,
    shape_of_function,
    shape_of_params,
    shape_of_signature,
)

#: A member no class in the MRO defines or annotates.
ABSENT = "absent"
#: A member only annotated in a class body (``label: str``) or assigned as
#: ``self.label = ...`` in a method: a promise that instances set it.
ANNOTATION = "annotation"

BUILTIN_DESCRIPTOR = "builtin method"
_BUILTIN_DESCRIPTORS = (types.MethodDescriptorType, types.WrapperDescriptorType)
_BUILTIN_CALLABLES = (
    types.BuiltinFunctionType,
    types.MethodWrapperType,
    types.ClassMethodDescriptorType,
    *_BUILTIN_DESCRIPTORS,
)
_MAX_WRAPPED = 100
# Membership by id: `type(x) in (...)` compares with ==, which a metaclass may override.
_BUILTIN_DESCRIPTOR_IDS = frozenset(map(identity, _BUILTIN_DESCRIPTORS))
_BUILTIN_CALLABLE_IDS = frozenset(map(identity, _BUILTIN_CALLABLES))


# What a member means for the isinstance fast path (see _engine): a class-level
# failure no instance can fix; a slot to read; a member the instance __dict__
# must provide; one whose presence there needs the full evaluation; one whose
# value there is checked by type; nothing to do.
FAIL, REQUIRED, WATCH, OPTIONAL, NOTHING = "fail", "required", "watch", "optional", "nothing"
_NO_TYPES: Tuple[type, ...] = ()


class ClassMember:
    """What a class provides for one protocol member, and the class-level verdict on it.

    ``instance_problems`` apply to instances that do not override the member
    in their ``__dict__``; ``class_problems`` are the verdict of a class-level
    check (``issubclass``), where an annotation, an assignment in a method or a
    slot counts as present; ``None`` where the two differ, and then
    :func:`class_problems` works it out.  Members are immutable and shared
    between classes (see :func:`evaluate_members`); they hash and compare by
    identity, which the engine's memos rely on.
    """

    __slots__ = (
        "accepted",
        "class_problems",
        "entry",
        "has_errors",
        "instance_problems",
        "role",
        "shadowable",
        "slot_reader",
        "vet",
        "wanted",
    )

    def __init__(
        self,
        wanted: Member,
        entry: str,
        instance_problems: Tuple[Violation, ...],
        class_problems: Optional[Tuple[Violation, ...]],
        slot_reader: Any = None,
    ) -> None:
        self.wanted = wanted
        self.entry = entry
        #: Whether an instance ``__dict__`` entry takes precedence over the class's.
        self.shadowable = entry in SHADOWABLE or entry in (ABSENT, ANNOTATION, BUILTIN_DESCRIPTOR)
        self.instance_problems = instance_problems
        self.has_errors = bool(instance_problems) and any(
            p.kind is not ViolationKind.UNVERIFIABLE for p in instance_problems
        )
        self.class_problems = class_problems
        self.slot_reader = slot_reader
        #: The value types the fast path accepts outright (``None``: all); none for methods.
        self.accepted = _NO_TYPES if wanted.kind == METHOD else accepted_types(wanted)
        #: The fast path's quick test of a container value of another type (``None``: none).
        self.vet = None if wanted.kind == METHOD else quick_test(wanted)
        self.role = self._role()

    def _role(self) -> str:
        if self.entry == SLOT:
            return SLOT
        if not self.shadowable:
            return FAIL if self.has_errors else NOTHING
        if self.has_errors:
            return REQUIRED  # Only the instance __dict__ can still provide it.
        if (self.accepted == _NO_TYPES and self.vet is None) or self.entry not in (
            ABSENT,
            ANNOTATION,
            VALUE,
            CALLABLE,
        ):
            return WATCH  # Overriding a method or a descriptor needs the full evaluation.
        return OPTIONAL if self.accepted is not None else NOTHING


# --- what the engine derives from the model, once per member -----------------------------

# identity(member) -> (member, its call shape or None, accepted types, expected text, quick test,
# whether its type names a package protocol).  Model members are cached with their protocol's
# model, so an id here is that member.
_Derived = Tuple[Member, Optional[Shape], Optional[Tuple[type, ...]], str, Optional[Callable[[Any], bool]], bool]
_derived: Dict[int, _Derived] = _cache.memo({})


def _derive(wanted: Member) -> _Derived:
    found = _derived.get(identity(wanted))
    if found is not None and found[0] is wanted:
        return found
    shape: Optional[Shape] = None
    accept: Optional[Tuple[type, ...]] = None
    vet: Optional[Callable[[Any], bool]] = None
    nests = False
    if wanted.kind == METHOD:
        shape = shape_of_params(wanted.params)
        text = f"method {describe(wanted.name, shape)}"
    else:
        if not is_unresolved(wanted.type):
            accept = _hints.accepted_classes(wanted.type)
            vet = _hints.quick_vet(wanted.type) if accept is not None else None
            nests = _hints.names_protocol(wanted.type)
        text = wanted.describe()
    derived = (wanted, shape, accept, text, vet, nests)
    return bounded_put(_derived, identity(wanted), derived)


def protocol_shape(wanted: Member) -> Shape:
    """The call shape the protocol's method ``wanted`` accepts (``self`` bound)."""
    shape = _derive(wanted)[1]
    assert shape is not None, wanted.name
    return shape


def accepted_types(wanted: Member) -> Optional[Tuple[type, ...]]:
    """The value types the fast path accepts outright for ``wanted`` (``None``: every type)."""
    return _derive(wanted)[2]


def quick_test(wanted: Member) -> Optional[Callable[[Any], bool]]:
    """The fast path's quick test for container values of ``wanted`` (see :func:`_hints.quick_vet`)."""
    return _derive(wanted)[4]


def expected(wanted: Member) -> str:
    """What the protocol expects of ``wanted``, as violation messages spell it."""
    return _derive(wanted)[3]


# --- messages -----------------------------------------------------------------------------


def problem(wanted: Member, kind: ViolationKind, found: str, detail: str) -> Violation:
    """A violation of ``wanted``; a problem with a present optional member becomes ``optional_wrong_type``."""
    if wanted.optional and kind is not ViolationKind.UNVERIFIABLE:
        kind = ViolationKind.OPTIONAL_WRONG_TYPE
        detail = f"optional member present but wrong: {detail}"
    return Violation(wanted.name, kind, expected(wanted), found, f"{wanted.name}: {detail}")


def missing(wanted: Member, found: str = "nothing") -> Tuple[Violation, ...]:
    """The ``missing`` violation of a required member (optional members may be absent)."""
    if wanted.optional:
        return ()
    detail = f"missing; expected {expected(wanted)}"
    if found != "nothing":
        detail += f" (found {found})"
    return (Violation(wanted.name, ViolationKind.MISSING, expected(wanted), found, f"{wanted.name}: {detail}"),)


def _unverifiable(wanted: Member, found: str, why: str) -> Tuple[Violation, ...]:
    return (problem(wanted, ViolationKind.UNVERIFIABLE, found, f"not verified: {why}"),)


# --- call shapes of what was found --------------------------------------------------------


def _function_shape(func: types.FunctionType) -> Shape:
    # Follow functools.wraps' __wrapped__ and honour __signature__, as inspect.signature does,
    # reading both from the function's own __dict__.
    for _ in range(_MAX_WRAPPED):
        namespace = function_dict(func)
        if type(namespace) is dict and namespace:
            if dict.__contains__(namespace, "__signature__"):
                import inspect

                signature = dict.get(namespace, "__signature__")
                if type(signature) is inspect.Signature:
                    return shape_of_signature(signature)
            wrapped = dict.get(namespace, "__wrapped__")
            if type(wrapped) is types.FunctionType:
                func = wrapped
                continue
        break
    return shape_of_function(func)


def _builtin_name(value: object) -> str:
    # Builtins' __qualname__ is a C getset of their (C) type: reading it runs no Python code.
    found = find_in_mro(type(value), "__qualname__")
    try:
        name = found[0].__get__(value) if found is not None else None
    except Exception:
        name = None
    return repr(name) if isinstance(name, str) else type_name(type(value), False)


def _builtin_shape(value: object) -> Optional[Shape]:
    import inspect

    try:
        # inspect parses a builtin's text signature: see parser_race_retried.
        return shape_of_signature(parser_race_retried(lambda: inspect.signature(value)))  # type: ignore[arg-type]
    except (ValueError, TypeError, SystemError):
        return None


def callable_shape(value: object) -> Tuple[Optional[Shape], str]:
    """The shape of calling ``value`` as it is (no binding), or ``(None, why not)``."""
    kind = type(value)
    if kind is types.FunctionType:
        return _function_shape(value), ""  # type: ignore[arg-type]
    if kind is types.MethodType:
        func = method_func(value)
        shape, why = callable_shape(func)
        if shape is None:
            return None, why
        bound = bind(shape)
        return (bound, "") if bound is not None else (None, "a bound method whose function takes no arguments")
    if identity(kind) in _BUILTIN_CALLABLE_IDS:
        shape = _builtin_shape(value)
        if shape is None:
            return None, f"the builtin {_builtin_name(value)} has no readable signature"
        return shape, ""
    if kind is functools.partial:
        return _partial_shape(value)
    if kind is staticmethod:
        return callable_shape(staticmethod_func(value))
    if is_class(value):
        return None, f"the class {type_name(value)} (constructors are not compared)"
    spec = _autospec_signature(value, kind)
    if spec is not None:
        return shape_of_signature(spec), ""
    found = find_in_mro(kind, "__call__")
    if found is not None and type(found[0]) is types.FunctionType:
        bound = bind(_function_shape(found[0]))
        if bound is not None:
            return bound, ""
    return None, f"a {type_name(kind, False)} object whose __call__ cannot be read statically"


def _autospec_signature(value: Any, kind: type) -> Any:
    # unittest.mock.create_autospec keeps the real callable's signature (self
    # already bound for methods) in the mock's __dict__ and checks calls
    # against it: the mock is judged by it, as the real method would be.
    if find_in_mro(kind, "_mock_add_spec") is None:
        return None
    reader, _ = instance_dict_reader(kind)
    namespace = read_instance_dict(reader, value) if reader is not None else None
    signature = namespace.get("_spec_signature") if namespace else None
    import inspect

    return signature if type(signature) is inspect.Signature else None


def _partial_shape(value: Any) -> Tuple[Optional[Shape], str]:
    # inspect.signature would follow a __wrapped__ or __signature__ anywhere
    # along the way, running properties; the shape is worked out from what the
    # partial holds instead: its function's shape, less what it binds.
    own = partial_dict(value)
    if type(own) is dict and (dict.__contains__(own, "__wrapped__") or dict.__contains__(own, "__signature__")):
        return None, "a functools.partial with a __wrapped__ or __signature__ of its own"
    shape, why = callable_shape(partial_func(value))
    if shape is None:
        return None, f"a functools.partial of {why}"
    args, keywords = partial_args(value), partial_keywords(value)
    if type(args) is not tuple or type(keywords) is not dict:
        return None, "a functools.partial whose arguments cannot be read"
    names = tuple(key for key in dict.copy(keywords) if type(key) is str)
    applied = apply_partial(shape, len(args), names)
    if applied is None:
        return None, "a functools.partial whose arguments do not fit its function"
    return applied, ""


_CO_COROUTINE = 0x80  # inspect.CO_COROUTINE
_CO_ASYNC_GENERATOR = 0x200  # inspect.CO_ASYNC_GENERATOR


def async_kind(value: Any) -> str:
    """What makes ``value`` asynchronous (``"a coroutine function (async def)"``...), or ``""``.

    Read from the code object's flags (and the marker of
    ``inspect.markcoroutinefunction``) of the function under methods, static
    and class methods and partials, as :func:`inspect.iscoroutinefunction`
    does, without calling anything.
    """
    for _ in range(_MAX_WRAPPED):
        kind = type(value)
        if kind is types.MethodType:
            value = method_func(value)
        elif kind is staticmethod:
            value = staticmethod_func(value)
        elif kind is classmethod:
            value = classmethod_func(value)
        elif kind is functools.partial:
            value = partial_func(value)
        else:
            break
    if type(value) is not types.FunctionType:
        return ""
    flags = function_code(value).co_flags
    if flags & _CO_COROUTINE:
        return "a coroutine function (async def)"
    if flags & _CO_ASYNC_GENERATOR:
        return "an async generator function"
    namespace = function_dict(value)
    if type(namespace) is dict and dict.__contains__(namespace, "_is_coroutine_marker"):
        return "a function marked as a coroutine function"
    return ""


def _async_problems(wanted: Member, value: Any) -> Tuple[Violation, ...]:
    # A coroutine function's call returns a coroutine: it fits only a protocol
    # method whose return type a coroutine satisfies (Any, Awaitable...).
    reason = async_kind(value)
    if not reason or _hints.is_subhint(collections.abc.Coroutine, wanted.type):
        return ()
    returns = _hints.hint_name(wanted.type)
    return (
        problem(
            wanted,
            ViolationKind.INCOMPATIBLE_SIGNATURE,
            reason,
            f"incompatible signature: {reason}; calling it returns a coroutine, not {returns}, and the "
            f"protocol's callers do not await it (define it with a plain def)",
        ),
    )


def _method_problems(
    wanted: Member, shape: Optional[Shape], found: str, why: str, value: Any = None
) -> Tuple[Violation, ...]:
    if value is not None:
        problems = _async_problems(wanted, value)
        if problems:
            return problems
    if shape is None:
        return _unverifiable(wanted, found, why)
    wanted_shape = protocol_shape(wanted)
    reason = incompatibility(shape, wanted_shape, ignore_names=wanted.name != "__call__")
    if reason is None:
        return ()
    expected = describe(wanted.name, wanted_shape)
    got = describe(wanted.name, shape)
    return (
        problem(
            wanted,
            ViolationKind.INCOMPATIBLE_SIGNATURE,
            f"method {got}",
            f"incompatible signature: {reason} (expected {expected}, found {got})",
        ),
    )


# --- types --------------------------------------------------------------------------------


def _compare_annotation(
    wanted: Member, annotation: Any, globalns: Any, localns: Any, what: str
) -> Tuple[Violation, ...]:
    if is_unresolved(wanted.type):
        return _unverifiable(wanted, what, "the protocol's annotation cannot be resolved")
    hint = _hints.resolve(annotation, globalns, localns)
    if is_unresolved(hint):
        return _unverifiable(wanted, f"{what} {hint.text}", "its annotation cannot be resolved without running code")
    verdict = _hints.is_subhint(hint, wanted.type)
    if verdict:
        return ()
    found = f"{what} {_hints.hint_name(hint)}"
    if verdict is None:
        return _unverifiable(wanted, found, f"{_hints.hint_name(hint)} cannot be compared with the protocol's type")
    return (
        problem(
            wanted,
            ViolationKind.WRONG_ATTRIBUTE_TYPE,
            found,
            f"wrong type: expected {_hints.hint_name(wanted.type)}, found {found}",
        ),
    )


def _getter_type(wanted: Member, fget: Any, what: str) -> Tuple[Violation, ...]:
    if type(fget) is not types.FunctionType:
        return ()
    annotations = function_annotations(fget)
    if type(annotations) is not dict or "return" not in annotations:
        return ()
    return _compare_annotation(wanted, annotations["return"], function_globals(fget), None, what)


def _namespaces_of(owner: type) -> Tuple[Any, Any]:
    # A class's annotations are resolved in its module's namespace, then its
    # own; a class made by exec() has no module in sys.modules, but its
    # functions know their globals.
    import sys

    namespace = class_dict(owner)
    module_name = namespace.get("__module__")
    module = sys.modules.get(module_name) if type(module_name) is str else None
    if type(module) is types.ModuleType:
        return module_dict(module), namespace
    for entry in namespace.copy().values():
        if type(entry) is types.FunctionType:
            return function_globals(entry), namespace
        if type(entry) is property and type(property_fget(entry)) is types.FunctionType:
            return function_globals(property_fget(entry)), namespace
    return {}, namespace


def _annotation_problems(wanted: Member, view: ClassView) -> Tuple[Violation, ...]:
    found = view.annotation(wanted.name)
    if found is None or wanted.kind == METHOD:
        return ()
    annotation, owner = found
    globalns, localns = _namespaces_of(owner)
    return _compare_annotation(wanted, annotation, globalns, localns, "an attribute annotated")


def evaluate_value(wanted: Member, value: Any, where: str) -> Tuple[Violation, ...]:
    """The verdict on ``value``, found for ``wanted`` on an instance (``where``: "instance __dict__", "slot")."""
    if wanted.kind == METHOD:
        if not callable(value):
            return (
                problem(
                    wanted,
                    ViolationKind.NOT_CALLABLE,
                    f"{describe_value(value)} in the {where}",
                    f"not callable: expected {expected(wanted)}, found {describe_value(value)} in the {where}",
                ),
            )
        shape, why = callable_shape(value)
        return _method_problems(wanted, shape, f"{describe_value(value)} in the {where}", why, value)
    if is_unresolved(wanted.type):
        return _unverifiable(wanted, describe_value(value), "the protocol's annotation cannot be resolved")
    nests = _derive(wanted)[5]
    cuts = _cache.cuts() if nests else 0
    verdict = _hints.value_matches(value, wanted.type)
    if verdict:
        if not nests or _cache.cuts() == cuts:
            return ()
        found = f"{describe_value(value)} in the {where}"
        why = (
            f"{found} leads to values typed with a protocol more than {_cache.NESTING_LIMIT} levels below the"
            " object checked, which checks do not follow; check one of them on its own"
        )
        return _unverifiable(wanted, found, why)
    found = f"{describe_value(value)} in the {where}"
    if verdict is None:
        return _unverifiable(wanted, found, f"beartype cannot tell whether it is a {_hints.hint_name(wanted.type)}")
    return (
        problem(
            wanted,
            ViolationKind.WRONG_ATTRIBUTE_TYPE,
            found,
            f"wrong type: expected {_hints.hint_name(wanted.type)}, found {found}",
        ),
    )


# --- class entries ------------------------------------------------------------------------


def _method_entry(wanted: Member, entry: Any, kind: str) -> Tuple[Violation, ...]:
    if kind in (PROPERTY, CACHED_PROPERTY, C_ATTRIBUTE, DATA_DESCRIPTOR):
        return (problem(wanted, ViolationKind.WRONG_KIND, f"a {kind}", f"wrong kind: expected {expected(wanted)}, "
                        f"found a {kind}"),)
    if kind == VALUE:
        found = describe_value(entry)
        return (
            problem(
                wanted,
                ViolationKind.NOT_CALLABLE,
                found,
                f"not callable: expected {expected(wanted)}, found {found}",
            ),
        )
    if kind == FUNCTION:
        bound = bind(_function_shape(entry))
        if bound is None:
            found = f"method {describe(wanted.name, _function_shape(entry))}"
            return (
                problem(
                    wanted,
                    ViolationKind.INCOMPATIBLE_SIGNATURE,
                    found,
                    f"incompatible signature: it takes no parameter for self (found {found})",
                ),
            )
        return _method_problems(wanted, bound, "a method", "", entry)
    if kind == STATIC:
        shape, why = callable_shape(staticmethod_func(entry))
        return _method_problems(wanted, shape, "a static method", why, entry)
    if kind == CLASSMETHOD:
        shape, why = callable_shape(classmethod_func(entry))
        bound = bind(shape) if shape is not None else None
        return _method_problems(wanted, bound, "a class method", why or "a class method taking no arguments", entry)
    if kind == BUILTIN_DESCRIPTOR:
        shape = _builtin_shape(entry)
        bound = bind(shape) if shape is not None else None
        name = _builtin_name(entry)
        return _method_problems(wanted, bound, f"the builtin {name}", f"the builtin {name} has no readable signature")
    if kind == CALLABLE:
        shape, why = callable_shape(entry)
        return _method_problems(wanted, shape, describe_value(entry), why, entry)
    found = f"a {type_name(type(entry), False)} descriptor"
    return _unverifiable(wanted, found, "its bound value is produced by code the engine does not run")


def _data_entry(wanted: Member, entry: Any, kind: str) -> Tuple[Violation, ...]:
    if kind in METHOD_LIKE or kind == BUILTIN_DESCRIPTOR:
        found = {FUNCTION: "a method", STATIC: "a static method", CLASSMETHOD: "a class method"}.get(kind, f"a {kind}")
        detail = f"wrong kind: expected {expected(wanted)}, found {found}"
        return (problem(wanted, ViolationKind.WRONG_KIND, found, detail),)
    if kind in (PROPERTY, DATA_DESCRIPTOR):
        fget, fset = descriptor_accessors(entry)
        if kind == DATA_DESCRIPTOR and fget is None:
            return ()  # A descriptor of its own making: present, nothing more can be read.
        if wanted.settable and fset is None:
            return (
                problem(
                    wanted,
                    ViolationKind.READ_ONLY,
                    "a read-only property",
                    f"read-only: expected {expected(wanted)}, found a property without a setter",
                ),
            )
        return _getter_type(wanted, fget, "a property returning")
    if kind == CACHED_PROPERTY:
        return _getter_type(wanted, cached_property_func(entry), "a cached_property returning")
    if kind in (VALUE, CALLABLE):
        return evaluate_value(wanted, entry, "class")
    return ()  # A C attribute or a non-data descriptor: present, of unknown type.


def _classify(entry: Any) -> str:
    if identity(type(entry)) in _BUILTIN_DESCRIPTOR_IDS:
        return BUILTIN_DESCRIPTOR
    if type(entry) is functools.partial and sys.version_info < (3, 14):
        # 3.13 gave partial a __get__ that returns the partial itself (with a
        # FutureWarning): a plain callable class attribute, as on 3.10-3.12.
        return CALLABLE
    return classify(entry)


# The verdict on a plain function depends only on the protocol member, the
# function's parameters (:func:`~._signatures.code_key`) and whether it is async;
# on a property, only on the member, the resolved return annotation and whether it
# has a setter.  Those verdicts are remembered under those facts (functions and
# properties that look alike, as in a class statement compiled anew, share them:
# _functions, _memo).  A function's facts, read from its code object, are its only key:
# a lookup by the code object first would be a little quicker for a class statement
# re-executed, but would always miss for new code and keep code objects alive.  A
# property's are remembered also under the cheaper raw facts they are derived
# from (the annotation, and the globals a text is resolved in), which classes made by
# one class statement share, in _raw_memo.  The memos keep their key objects alive, so
# an id in a key is that object.
_memo: Dict[Tuple[Any, ...], Tuple[Tuple[Any, ...], ClassMember]] = _cache.memo({})
_raw_memo: Dict[Tuple[Any, ...], Tuple[Tuple[Any, ...], ClassMember]] = _cache.memo({})
#: (member, code_key) -> (member, verdict).
_functions: Dict[Tuple[Any, ...], Tuple[Member, ClassMember]] = _cache.memo({})
_NO_ANNOTATION: Any = object()


def _remember(
    memo: Dict[Tuple[Any, ...], Tuple[Tuple[Any, ...], ClassMember]],
    key: Tuple[Any, ...],
    keep: Tuple[Any, ...],
    member: ClassMember,
) -> ClassMember:
    bounded_put(memo, key, (keep, member))
    return member


def _property_member(wanted: Member, view: ClassView, entry: property, annotation: Any, fget: Any) -> ClassMember:
    hint = _NO_ANNOTATION
    if annotation is not _NO_ANNOTATION:
        hint = _hints.resolve(annotation, function_globals(fget))
        if is_unresolved(hint):
            return _evaluate_member(wanted, view, (entry,))  # Its message quotes the annotation: not shared.
    key = (identity(wanted), identity(hint), property_fset(entry) is None)
    cached = _memo.get(key)
    if cached is not None:
        return cached[1]
    return _remember(_memo, key, (wanted, hint), _evaluate_member(wanted, view, (entry,)))


#: ``(facts, merged, fallback, functions, properties, no_annotation) -> (members, holes)``: the
#: C extension's reading of the memos above for a whole class (``known_members`` in
#: ``_speedups.c``), installed by the engine (see :func:`install_memo_reader`); ``None`` without it.
_memo_reader: Optional[Callable[..., Tuple[List[Any], List[int]]]] = None


def install_memo_reader(reader: Callable[..., Tuple[List[Any], List[int]]]) -> None:
    """Let :func:`evaluate_members` take what the memos know of a class from ``reader``, in one call.

    ``reader(model.member_facts, view.merged, view.fallback, functions,
    properties, no_annotation)`` returns the list of the members the memos
    answer for, in the model's order, and the places of the others (``None``
    in the list), which :func:`evaluate_members` judges as it would without
    it.  It must build the keys :func:`member_of` builds: the engine installs
    the C extension's, which the test suite holds to that.
    """
    global _memo_reader  # noqa: PLW0603  (set once, by the engine)
    _memo_reader = reader


def evaluate_members(model: ProtocolModel, view: ClassView) -> Tuple[ClassMember, ...]:
    """What the class provides for each of ``model``'s members, judged without looking at any instance.

    This runs on every first check of a class: the members its memos know
    (those of classes made alike) are read in one call to the C extension
    where it is installed, and only the others judged here.
    """
    reader = _memo_reader
    if reader is None:
        return tuple([member_of(w, i, view) for w, i in zip(model.members, model.member_ids, strict=True)])
    members, holes = reader(model.member_facts, view.merged, view.fallback, _functions, _raw_memo, _NO_ANNOTATION)
    for place in holes:
        members[place] = member_of(model.members[place], model.member_ids[place], view)
    return tuple(members)


def member_of(wanted: Member, wanted_id: int, view: ClassView) -> ClassMember:
    """What the class provides for ``wanted`` (whose identity is ``wanted_id``), from the memos where they know it."""
    name = wanted.name
    merged = view.merged
    if name in merged:
        entry = merged[name]
    elif name in view.fallback:
        entry = view.fallback[name]
    else:
        return _absent(wanted, wanted_id) if view.annotation(name) is None else _evaluate_member(wanted, view, ())
    kind = type(entry)
    # Attributes of an exact function or property are read directly below: their types'
    # own descriptors answer (neither type can be subclassed to override them), as the
    # accessors of _introspect would, at half the cost.
    if kind is types.FunctionType and not entry.__dict__:  # no __wrapped__, no __signature__
        # Keyed by what the code object says, not by the code object: functions that look
        # alike (same parameters, same flags, so the same async kind) share the verdict,
        # whether their class statement was re-executed or compiled anew.
        alike = (wanted_id, code_key(entry.__code__, entry.__defaults__, entry.__kwdefaults__))
        found = _functions.get(alike)
        if found is None:
            found = bounded_put(_functions, alike, (wanted, _evaluate_member(wanted, view, (entry,))))
        return found[1]
    if kind is property and wanted.kind != METHOD and type(entry.fget) is types.FunctionType:
        fget = entry.fget
        annotations = fget.__annotations__
        annotation = _NO_ANNOTATION
        if type(annotations) is dict and "return" in annotations:
            annotation = dict.__getitem__(annotations, "return")
        # String annotations (the usual, with `from __future__ import annotations`)
        # are keyed by value and resolved in the getter's globals; other annotations
        # are hints already, which no namespace changes.  Either way classes compiled
        # anew (new globals, new code objects) share the entry.
        if type(annotation) is str:
            namespace = fget.__globals__
            key: Tuple[Any, ...] = (wanted_id, annotation, identity(namespace), entry.fset is None)
        else:
            namespace = None
            key = (wanted_id, identity(annotation), None, entry.fset is None)
        cached = _raw_memo.get(key)
        if cached is not None:
            return cached[1]
        member = _property_member(wanted, view, entry, annotation, fget)
        return _remember(_raw_memo, key, (wanted, annotation, namespace), member)
    return _evaluate_member(wanted, view, (entry,))


_absent_members: Dict[int, Tuple[Member, ClassMember]] = _cache.memo({})


def _absent(wanted: Member, wanted_id: int) -> ClassMember:
    cached = _absent_members.get(wanted_id)
    if cached is not None and cached[0] is wanted:
        return cached[1]
    member = ClassMember(wanted, ABSENT, missing(wanted), None)
    bounded_put(_absent_members, wanted_id, (wanted, member))
    return member


def _evaluate_member(wanted: Member, view: ClassView, found: Tuple[Any, ...]) -> ClassMember:
    if not found:
        annotated = view.annotation(wanted.name)
        if annotated is None:
            return ClassMember(wanted, ABSENT, missing(wanted), None)
        where = f"only an annotation in {type_name(annotated[1], False)}, and the instance does not set it"
        return ClassMember(wanted, ANNOTATION, missing(wanted, where), None)
    entry = found[0]
    kind = _classify(entry)
    if kind == SLOT:
        return ClassMember(wanted, SLOT, (), None, slot_reader=entry.__get__)
    problems = _method_entry(wanted, entry, kind) if wanted.kind == METHOD else _data_entry(wanted, entry, kind)
    return ClassMember(wanted, kind, problems, problems)


def class_problems(member: ClassMember, view: ClassView, assignments: Dict[str, type]) -> Tuple[Violation, ...]:
    """The class-level verdict on ``member``: annotations, assignments in methods and slots count as present.

    ``assignments`` is :func:`~._introspect.self_assignments` of the class.
    """
    if member.class_problems is not None:
        return member.class_problems
    if member.entry == ABSENT:
        return () if member.wanted.name in assignments else member.instance_problems
    return _annotation_problems(member.wanted, view)

