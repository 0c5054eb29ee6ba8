"""mypy plugin: check ``@implements(Protocol)`` claims at the class definition.

Enable it in mypy's configuration::

    [mypy]
    plugins = parsl_executor_protocol.mypy_plugin

For every class decorated with ``@implements(P)`` (or passed to
``implements(P)(C)``) that does not satisfy ``P``, mypy reports one error with
the code ``implements`` at the class definition, then one note per problem:
every missing member, every incompatible member (expected and found types),
every read-only member the protocol needs settable, and every optional member
(declared with ``@with_optional``) that is present with an incompatible type.

How it works:

* semantic analysis: the ``@with_optional(...)`` class decorator of a protocol
  is recorded in the protocol's ``TypeInfo.metadata``, which mypy's cache and
  daemon keep;
* type checking: mypy checks a class decorator as a call of the decorator with
  the class (after the class body, so attributes inferred in ``__init__`` are
  known).  The ``__call__`` of the object ``implements(P)`` returns is hooked:
  its signature is relaxed so that mypy's own bound check (a one-line
  ``[type-var]`` error) gives way to this plugin's report, and the call is
  checked member by member.

The version differences of mypy's internals live in :mod:`._compat`.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Tuple

from mypy.checker import TypeChecker
from mypy.erasetype import erase_typevars
from mypy.errorcodes import ErrorCode
from mypy.errors import ErrorInfo
from mypy.maptype import map_instance_to_supertype
from mypy.messages import format_type, format_type_distinctly, get_bad_protocol_flags, pretty_callable
from mypy.nodes import CallExpr, ClassDef, Context, PlaceholderNode, RefExpr, TypeAlias, TypeInfo, Var
from mypy.options import Options
from mypy.plugin import (
    CheckerPluginInterface,
    ClassDefContext,
    FunctionContext,
    MethodContext,
    MethodSigContext,
    Plugin,
)
from mypy.server.trigger import make_trigger, make_wildcard_trigger
from mypy.subtypes import (
    IS_CLASS_OR_STATIC,
    IS_CLASSVAR,
    IS_SETTABLE,
    find_member,
    get_member_flags,
    is_protocol_implementation,
    is_subtype,
)
from mypy.type_visitor import TypeTranslator
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    TupleType,
    Type,
    TypeAliasType,
    TypeOfAny,
    TypeType,
    get_proper_type,
)
from mypy.typevars import fill_typevars

from . import _compat

__all__ = ["IMPLEMENTS", "ParslExecutorProtocolPlugin", "plugin"]

#: The error code of every report; ``# type: ignore[implements]`` silences one.
IMPLEMENTS = ErrorCode("implements", "Check that a class implements the protocol it declares", "General")

_DECLARE = "parsl_executor_protocol.declare"
_IMPLEMENTS_FUNCTION = f"{_DECLARE}.implements"
_DECORATOR_BASE = f"{_DECLARE}._Implements"
_DECORATOR_ANY = f"{_DECLARE}._ImplementsAny"
_DECORATOR_CLASSES = frozenset(
    f"{_DECLARE}.{name}"
    for name in (
        "_ImplementsAny",
        "_ImplementsParslExecutorProtocol",
        "_ImplementsCurrentParslExecutorProtocol",
        "_ImplementsCurrentBlockProviderExecutorProtocol",
    )
)
_DECORATOR_CALLS = frozenset(f"{name}.__call__" for name in _DECORATOR_CLASSES)
_WITH_OPTIONAL = "parsl_executor_protocol.protocols._optional.with_optional"

#: Key of this plugin's entry in ``TypeInfo.metadata``.
_METADATA = "parsl_executor_protocol"


# --- semantic analysis: optional members ----------------------------------------------------------


def _record_optional(ctx: ClassDefContext) -> bool:
    """Store the fullnames of the protocols every ``@with_optional(...)`` of the class names.

    Returns ``False`` (analyse again) while a name is not resolved yet.  All
    ``with_optional`` decorators of the class are read at once so that repeated
    calls are idempotent.
    """
    names: List[str] = []
    for decorator in ctx.cls.decorators:
        if not (
            isinstance(decorator, CallExpr)
            and isinstance(decorator.callee, RefExpr)
            and decorator.callee.fullname == _WITH_OPTIONAL
        ):
            continue
        for arg in decorator.args:
            node = arg.node if isinstance(arg, RefExpr) else None
            if isinstance(node, TypeAlias):
                target = get_proper_type(node.target)
                node = target.type if isinstance(target, Instance) else None
            if node is None or isinstance(node, PlaceholderNode):
                if not ctx.api.final_iteration:
                    return False
                continue
            if isinstance(node, TypeInfo) and node.fullname not in names:
                names.append(node.fullname)
    ctx.cls.info.metadata[_METADATA] = {"optional": names}
    # The mypy daemon re-checks a class that uses a protocol when the protocol's
    # members change; make a change of an optional member's protocol count as
    # a change of this protocol (and so of its subprotocols).
    for name in names:
        for trigger in (make_trigger(name), make_wildcard_trigger(name)):
            ctx.api.add_plugin_dependency(trigger, make_wildcard_trigger(ctx.cls.info.fullname))
    return True


def _lookup_class(api: CheckerPluginInterface, fullname: str) -> Optional[TypeInfo]:
    """Find a class by full name in any module of the build (``None`` if that module is not in it).

    The checker's own lookup resolves names through the current module's
    imports, which need not include the module wanted.
    """
    if not isinstance(api, TypeChecker):
        return None
    parts = fullname.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module = api.modules.get(".".join(parts[:split]))
        if module is None:
            continue
        names = module.names
        found: Optional[TypeInfo] = None
        for part in parts[split:]:
            symbol = names.get(part)
            node = symbol.node if symbol is not None else None
            if not isinstance(node, TypeInfo):
                return None
            found, names = node, node.names
        return found
    return None


def _optional_protocols(api: CheckerPluginInterface, protocol: TypeInfo) -> Dict[str, Instance]:
    """Map each optional member name of ``protocol`` (inherited ones too) to the protocol declaring its type."""
    found: Dict[str, Instance] = {}
    required = set(protocol.protocol_members)
    for klass in reversed(protocol.mro):
        for fullname in klass.metadata.get(_METADATA, {}).get("optional", ()):
            info = _lookup_class(api, fullname)
            # None: the declaring module is not part of this build; nothing to check against.
            if info is None or not info.is_protocol:
                continue
            instance = erase_typevars(fill_typevars(info))
            if not isinstance(instance, Instance):
                continue
            for name in info.protocol_members:
                # A subprotocol may make an inherited optional member required.
                if name not in required:
                    found[name] = instance
    return found


# --- type checking: implements(P) and its __call__ --------------------------------------------------


def _protocol_instance(typ: Type) -> Optional[Instance]:
    """The instance type of the class ``P`` in ``implements(P)`` (type variables as ``Any``)."""
    proper = get_proper_type(typ)
    if isinstance(proper, FunctionLike) and proper.is_type_obj():
        ret = get_proper_type(proper.items[0].ret_type)
    elif isinstance(proper, TypeType):
        ret = get_proper_type(proper.item)
    else:
        return None
    if not isinstance(ret, Instance):
        return None
    # An unparameterised generic protocol is checked with Any for its parameters.
    erased = get_proper_type(erase_typevars(ret))
    return erased if isinstance(erased, Instance) else None


def _implements_call(ctx: FunctionContext) -> Type:
    """``implements(P)``: make the decorator object carry ``P`` itself.

    The overloads of ``implements`` give a subprotocol of one of the executor
    contracts the contract's decorator; the plugin checks against the class
    actually named.  This hook also runs while mypy tries the overloads, so it
    reports nothing: the check of the decorated class does.
    """
    if not ctx.arg_types or not ctx.arg_types[0]:
        return ctx.default_return_type
    named = _protocol_instance(ctx.arg_types[0][0])
    current = _declared_protocol(ctx.default_return_type)
    if named is None or (current is not None and current.type is named.type):
        return ctx.default_return_type
    decorator = _lookup_class(ctx.api, _DECORATOR_ANY)
    return Instance(decorator, [named]) if decorator is not None else ctx.default_return_type


def _declared_protocol(decorator: Type) -> Optional[Instance]:
    """The class (normally a protocol) a decorator object ``implements(P)`` stands for, if known."""
    proper = get_proper_type(decorator)
    if not isinstance(proper, Instance):
        return None
    base = next((info for info in proper.type.mro if info.fullname == _DECORATOR_BASE), None)
    if base is None:
        return None
    args = map_instance_to_supertype(proper, base).args
    named = get_proper_type(args[0]) if args else None
    return named if isinstance(named, Instance) else None


def _relax_signature(ctx: MethodSigContext) -> CallableType:
    """Let ``implements(P)(C)`` accept any class: this plugin, not a bound, judges ``C``."""
    sig = ctx.default_signature
    if not sig.arg_types:
        return sig
    anything = AnyType(TypeOfAny.special_form)
    any_class = TypeType.make_normalized(anything)
    return sig.copy_modified(arg_types=[any_class, *sig.arg_types[1:]], ret_type=anything, variables=[])


def _class_of(typ: Type) -> Optional[TypeInfo]:
    """The class an argument of ``implements(P)(...)`` stands for."""
    proper = get_proper_type(typ)
    if isinstance(proper, FunctionLike) and proper.is_type_obj():
        return proper.type_object()
    if isinstance(proper, TypeType) and isinstance(proper.item, Instance):
        return proper.item.type
    return None


def _check_call(ctx: MethodContext) -> Type:
    """``implements(P)(C)`` or ``@implements(P)`` over ``class C``: report C's problems; return C's type."""
    argument: Optional[Type] = ctx.arg_types[0][0] if ctx.arg_types and ctx.arg_types[0] else None
    result = argument if argument is not None else ctx.default_return_type
    protocol = _declared_protocol(ctx.type)
    if protocol is None:
        return result
    # A class decorator is checked with the class definition as context; the
    # class is then taken from it, whatever the decorators below returned.
    info = ctx.context.info if isinstance(ctx.context, ClassDef) else _class_of(argument) if argument else None
    if info is None:
        return result
    if not protocol.type.is_protocol:
        _compat.report_error(
            ctx.api,
            f'Class "{info.name}" cannot implement "{protocol.type.name}": implements() takes a protocol',
            ctx.context,
            IMPLEMENTS,
        )
        return result
    _report(ctx.api, info, protocol, ctx.context)
    return result


# --- the report -----------------------------------------------------------------------------------


def _describe(typ: Type, options: Options) -> str:
    proper = get_proper_type(typ)
    if isinstance(proper, CallableType) and not proper.is_type_obj():
        return f'"{pretty_callable(proper, options)}"'
    return format_type(proper, options)


def _describe_pair(expected: Type, got: Type, options: Options) -> Tuple[str, str]:
    shown_expected, shown_got = _describe(expected, options), _describe(got, options)
    if shown_expected == shown_got:
        # Different types with the same short name: mypy qualifies them until they differ.
        shown_expected, shown_got = format_type_distinctly(expected, got, options=options)
    return shown_expected, shown_got


def _flag_problems(name: str, got_flags: set[int], expected_flags: set[int], label: str) -> List[str]:
    problems = []
    if IS_SETTABLE in expected_flags and IS_SETTABLE not in got_flags:
        problems.append(f'Read-only {label} "{name}": the protocol needs it settable')
    if IS_CLASSVAR in expected_flags and IS_CLASSVAR not in got_flags:
        problems.append(f'{label.capitalize()} "{name}": expected a class variable, got an instance variable')
    if IS_CLASSVAR in got_flags and IS_CLASSVAR not in expected_flags and IS_SETTABLE in expected_flags:
        problems.append(f'{label.capitalize()} "{name}": expected an instance variable, got a class variable')
    if IS_CLASS_OR_STATIC in expected_flags and IS_CLASS_OR_STATIC not in got_flags:
        problems.append(f'{label.capitalize()} "{name}": expected a class or static method')
    return problems


class _AsProtocol(TypeTranslator):
    """Replace the implementing class by the protocol inside a member's type.

    A member that returns (or takes) the class itself, such as ``def
    scaled(self) -> Square`` for ``-> Shape``, is incompatible only because the
    class as a whole is; mypy's own check assumes the class conforms while
    checking such members, and so does the report, which would otherwise list
    them as a consequence of the real problems.
    """

    def __init__(self, impl: TypeInfo, protocol: Instance) -> None:
        super().__init__()
        self.impl = impl
        self.protocol = protocol

    def visit_instance(self, t: Instance, /) -> Type:
        if t.type is self.impl:
            return self.protocol
        return super().visit_instance(t)

    def visit_type_alias_type(self, t: TypeAliasType, /) -> Type:
        return t


def _conflicts(impl: Instance, protocol: Instance, options: Options, only: Optional[str], label: str) -> List[str]:
    problems = []
    as_protocol = _AsProtocol(impl.type, protocol)
    for name, got, expected, setter_conflict in _compat.conflicting_members(impl, protocol, options):
        if only is not None and name != only:
            continue
        in_setter = setter_conflict
        if not in_setter and is_subtype(got.accept(as_protocol), expected, ignore_pos_arg_names=True, options=options):
            # A settable member is invariant: mypy also needs the protocol's type
            # to fit what the class's variable holds (`run_id = None` is a None
            # variable, to which "str | None" cannot be assigned).
            if IS_SETTABLE not in get_member_flags(name, protocol) or is_subtype(
                expected, got.accept(as_protocol), ignore_pos_arg_names=True, options=options
            ):
                continue
            in_setter = True
        shown_expected, shown_got = _describe_pair(expected, got, options)
        where = f'setter of {label} "{name}"' if in_setter else f'{label} "{name}"'
        problems.append(f"Incompatible {where}: expected {shown_expected}, got {shown_got}")
    for name, got_flags, expected_flags in get_bad_protocol_flags(impl, protocol):
        if only is None or name == only:
            problems.extend(_flag_problems(name, got_flags, expected_flags, label))
    return problems


def _problems(api: CheckerPluginInterface, impl: Instance, protocol: Instance) -> Optional[List[str]]:
    """Every problem of ``impl`` against ``protocol``, one line each; ``None`` if it conforms.

    The verdict comes from mypy's own protocol check, called directly rather
    than through ``is_subtype``: the mypy daemon can keep a stale cached
    verdict for a class after the class changes.
    """
    options = api.options
    optional = {
        name: declaring
        for name, declaring in _optional_protocols(api, protocol.type).items()
        if find_member(name, impl, impl) is not None
    }
    bad_optional = {
        name: declaring
        for name, declaring in optional.items()
        if not is_protocol_implementation(impl, declaring, options=options)
    }
    if is_protocol_implementation(impl, protocol, options=options) and not bad_optional:
        return None
    problems = []
    for name in protocol.type.protocol_members:
        if find_member(name, impl, impl) is None:
            expected = find_member(name, protocol, impl)
            shown = f": expected {_describe(expected, options)}" if expected is not None else ""
            problems.append(f'Missing member "{name}"{shown}')
    problems.extend(_conflicts(impl, protocol, options, None, "member"))
    for name, declaring in sorted(bad_optional.items()):
        problems.extend(_conflicts(impl, declaring, options, name, "optional member"))
    return problems


def _inferred_later(info: TypeInfo, name: str) -> bool:
    """Whether ``name`` is an attribute whose type mypy has not inferred yet.

    mypy checks a class decorator right after the class body, but it defers a
    method whose assignments depend on something not inferred yet (a
    module-level variable defined further down, say) to a second pass; until
    then the attribute has no type, and would pass as ``Any``.
    """
    symbol = info.get(name)
    return symbol is not None and isinstance(symbol.node, Var) and symbol.node.type is None


def _report(api: CheckerPluginInterface, info: TypeInfo, protocol: Instance, context: Context) -> None:
    filled = fill_typevars(info)
    impl = filled.partial_fallback if isinstance(filled, TupleType) else filled
    names = [*protocol.type.protocol_members, *_optional_protocols(api, protocol.type)]
    pending = sorted({name for name in names if _inferred_later(info, name)})
    if pending:
        pending_parent = _compat.report_error(
            api,
            f'Cannot check that class "{info.name}" implements protocol "{protocol.type.name}"',
            context,
            IMPLEMENTS,
        )
        for name in pending:
            _compat.report_note(
                api,
                f'The type of "{name}" is inferred only after the class definition; declare it '
                f'(for example "self.{name}: <type> = ...")',
                context,
                IMPLEMENTS,
                pending_parent,
            )
        return
    problems = _problems(api, impl, protocol)
    if problems is None:
        return
    parent: Optional[ErrorInfo] = _compat.report_error(
        api,
        f'Class "{info.name}" does not implement protocol "{protocol.type.name}"',
        context,
        IMPLEMENTS,
    )
    if not problems:
        # mypy's own subtype check disagrees although no member differs (e.g. a
        # recursive protocol); say so rather than stay silent.
        problems = [f"mypy does not accept {format_type(impl, api.options)} as {format_type(protocol, api.options)}"]
    for problem in problems:
        _compat.report_note(api, problem, context, IMPLEMENTS, parent)


# --- entry point ----------------------------------------------------------------------------------


class ParslExecutorProtocolPlugin(Plugin):
    """Checks ``@implements(P)`` claims and knows ``@with_optional`` members; dispatches on full names."""

    def get_class_decorator_hook_2(self, fullname: str) -> Optional[Callable[[ClassDefContext], bool]]:
        """Record ``@with_optional(...)`` on protocols."""
        return _record_optional if fullname == _WITH_OPTIONAL else None

    def get_function_hook(self, fullname: str) -> Optional[Callable[[FunctionContext], Type]]:
        """Type ``implements(P)`` with ``P`` itself."""
        return _implements_call if fullname == _IMPLEMENTS_FUNCTION else None

    def get_method_signature_hook(self, fullname: str) -> Optional[Callable[[MethodSigContext], FunctionLike]]:
        """Accept any class in ``implements(P)(...)``; the method hook judges it."""
        return _relax_signature if fullname in _DECORATOR_CALLS else None

    def get_method_hook(self, fullname: str) -> Optional[Callable[[MethodContext], Type]]:
        """Check the class given to ``implements(P)(...)`` (a decorator application is such a call)."""
        return _check_call if fullname in _DECORATOR_CALLS else None


def plugin(version: str) -> type[Plugin]:
    """mypy's entry point: return the plugin class (every mypy version from 1.15 is accepted)."""
    return ParslExecutorProtocolPlugin
