"""Executors of the 2020 contract written in many shapes, each with the verdict it must get.

:func:`build` writes the source of a class from one *style* per member (a
plain method, an inherited one, a static method, a property with or without
a setter, an attribute set in ``__init__``, a slot, ...), executes it and
returns the class with the violations the engine must report for an instance
and for the class.  Every function in the generated source calls ``hit()``
first, so a test can prove that checking ran none of them.
"""

from __future__ import annotations

import itertools
import textwrap
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from parsl_executor_protocol import ParslExecutorProtocol, optional_members, required_members


class Style(NamedTuple):
    """How one member is written, and the violation kinds it must produce (``None``: none)."""

    base: str = ""  # lines in the base class body
    body: str = ""  # lines in the class body
    init: str = ""  # lines in __init__
    slot: bool = False  # the member is listed in __slots__
    on_instance: Optional[str] = None
    on_class: Optional[str] = None


# The 2020 protocol's members: parameters after self (methods); type and a value of it (the rest).
METHODS = {
    "submit": "func, *args, **kwargs",
    "start": "",
    "shutdown": "",
    "scale_in": "blocks",
    "scale_out": "blocks",
    "status": "",
    "set_bad_state_and_fail_all": "exception",
}
READ_ONLY = {
    "bad_state_is_set": ("bool", "False", "int", "'no'"),
    "executor_exception": ("Optional[BaseException]", "None", "int", "'none'"),
    "scaling_enabled": ("bool", "False", "int", "'no'"),
    "tasks": ("Dict[Any, Future[Any]]", "{}", "int", "5"),
}
READ_WRITE = {
    "hub_address": ("Optional[str]", "None", "int", "5"),
    "hub_port": ("Optional[int]", "None", "str", "'port'"),
    "run_dir": ("str", "'.'", "int", "5"),
}
DATA = {"label": ("str", "'label'", "int", "5")}


def _call(params: str) -> str:
    return f"self, {params}" if params else "self"


def _method_styles(name: str, params: str) -> Dict[str, Style]:
    plain = f"def {name}({_call(params)}):\n    hit()\n"
    bare = params or ""
    styles = {
        "plain": Style(body=plain),
        "inherited": Style(base=plain),
        "generalised": Style(body=f"def {name}(self, *args, **kwargs):\n    hit()\n"),
        "staticmethod": Style(body=f"@staticmethod\ndef {name}({bare}):\n    hit()\n"),
        "classmethod": Style(body=f"@classmethod\ndef {name}({_call(params).replace('self', 'cls', 1)}):\n    hit()\n"),
        "instance_function": Style(init=f"self.{name} = _impl_{name}"),
        "slot_function": Style(init=f"self.{name} = _impl_{name}", slot=True),
        "missing": Style(on_instance="missing", on_class="missing"),
        "none_on_class": Style(body=f"{name} = None\n", on_instance="not_callable", on_class="not_callable"),
        "number": Style(body=f"{name} = 5\n", on_instance="not_callable", on_class="not_callable"),
        "property": Style(
            body=f"@property\ndef {name}(self):\n    hit()\n", on_instance="wrong_kind", on_class="wrong_kind"
        ),
        "none_on_instance": Style(body=plain, init=f"self.{name} = None", on_instance="not_callable"),
        "extra_required": Style(
            body=f"def {name}({_call(_extra_required(params))}):\n    hit()\n",
            on_instance="incompatible_signature",
            on_class="incompatible_signature",
        ),
    }
    if "*" in params:
        styles["extra_default"] = Style(body=f"def {name}(self, func, *args, extra=None, **kwargs):\n    hit()\n")
        styles["renamed"] = Style(
            body=f"def {name}(self, fn, *args, **kwargs):\n    hit()\n",
            on_instance="incompatible_signature",
            on_class="incompatible_signature",
        )
    else:
        styles["extra_default"] = Style(body=f"def {name}({_call(params)}{', ' if params else ''}extra=None):\n"
                                             f"    hit()\n")
        styles["keyword_only_extra"] = Style(body=f"def {name}({_call(params)}, *, extra=None):\n    hit()\n")
    if params and "*" not in params:
        styles["positional_only"] = Style(body=f"def {name}(self, {params}, /):\n    hit()\n")
        styles["renamed"] = Style(body=f"def {name}(self, renamed):\n    hit()\n")  # names of positionals are free
        styles["keyword_only"] = Style(
            body=f"def {name}(self, *, {params}):\n    hit()\n",
            on_instance="incompatible_signature",
            on_class="incompatible_signature",
        )
        styles["too_few"] = Style(
            body=f"def {name}(self):\n    hit()\n",
            on_instance="incompatible_signature",
            on_class="incompatible_signature",
        )
    return styles


def _extra_required(params: str) -> str:
    if "*" in params:
        return params.replace("*args", "extra, *args", 1)
    return f"{params}, extra" if params else "extra"


def _value_styles(
    name: str, hint: str, value: str, wrong_hint: str, wrong_value: str, *, writable: bool
) -> Dict[str, Style]:
    getter = f"@property\ndef {name}(self) -> {hint}:\n    hit()\n    return {value}\n"
    setter = f"@{name}.setter\ndef {name}(self, value: {hint}) -> None:\n    hit()\n"
    read_only = None if not writable else "read_only"
    return {
        "property_with_setter": Style(body=getter + setter),
        "inherited_property": Style(base=getter + setter),
        "unannotated_property": Style(
            body=f"@property\ndef {name}(self):\n    hit()\n    return {value}\n"
            f"@{name}.setter\ndef {name}(self, value):\n    hit()\n"
        ),
        "property": Style(body=getter, on_instance=read_only, on_class=read_only),
        "in_init": Style(init=f"self.{name} = {value}"),
        "annotated_in_init": Style(body=f"{name}: {hint}\n", init=f"self.{name} = {value}"),
        "class_attribute": Style(body=f"{name} = {value}\n"),
        "slot": Style(init=f"self.{name} = {value}", slot=True),
        "missing": Style(on_instance="missing", on_class="missing"),
        "annotated_only": Style(body=f"{name}: {hint}\n", on_instance="missing"),
        "unassigned_slot": Style(slot=True, on_instance="missing"),
        "method": Style(
            body=f"def {name}(self) -> {hint}:\n    hit()\n    return {value}\n",
            on_instance="wrong_kind",
            on_class="wrong_kind",
        ),
        "wrong_annotation": Style(
            body=getter.replace(f"-> {hint}", f"-> {wrong_hint}") + setter,
            on_instance="wrong_attribute_type",
            on_class="wrong_attribute_type",
        ),
        "wrong_value_in_init": Style(init=f"self.{name} = {wrong_value}", on_instance="wrong_attribute_type"),
        "wrong_class_attribute": Style(
            body=f"{name} = {wrong_value}\n", on_instance="wrong_attribute_type", on_class="wrong_attribute_type"
        ),
    }


def _optional_styles() -> Dict[str, Style]:
    name = "storage_access"
    return {
        "absent": Style(),
        "none_on_class": Style(body=f"{name} = None\n"),
        "empty_list_in_init": Style(init=f"self.{name} = []"),
        "property": Style(body=f"@property\ndef {name}(self) -> Optional[List[Any]]:\n    hit()\n    return None\n"),
        "number": Style(body=f"{name} = 5\n", on_instance="optional_wrong_type", on_class="optional_wrong_type"),
        "method": Style(
            body=f"def {name}(self):\n    hit()\n", on_instance="optional_wrong_type", on_class="optional_wrong_type"
        ),
        "wrong_value_in_init": Style(init=f"self.{name} = 5", on_instance="optional_wrong_type"),
    }


STYLES: Dict[str, Dict[str, Style]] = {
    **{name: _method_styles(name, params) for name, params in METHODS.items()},
    **{name: _value_styles(name, *spec, writable=False) for name, spec in READ_ONLY.items()},
    **{name: _value_styles(name, *spec, writable=True) for name, spec in READ_WRITE.items()},
    **{name: _value_styles(name, *spec, writable=True) for name, spec in DATA.items()},
    "storage_access": _optional_styles(),
}

#: Hostile extras a generated class can carry; none may change a verdict or be run.
HOSTILE = {
    "getattr": "def __getattr__(self, name):\n    hit()\n    raise AttributeError(name)\n",
    "getattribute": "def __getattribute__(self, name):\n    hit()\n    return object.__getattribute__(self, name)\n",
    "class_property": "@property\ndef __class__(self):\n    hit()\n    return int\n",
    "eq_hash": "def __eq__(self, other):\n    hit()\n    raise RuntimeError('eq')\n"
    "def __hash__(self):\n    hit()\n    raise RuntimeError('hash')\n",
    "metaclass": "",  # handled in build()
}

_META = '''
class Meta(type):
    def __getattr__(cls, name):
        hit()
        raise AttributeError(name)
    def __instancecheck__(cls, obj):
        hit()
        return True
    def __subclasscheck__(cls, other):
        hit()
        return True
    def __eq__(cls, other):
        hit()
        raise RuntimeError("eq")
    def __hash__(cls):
        hit()
        raise RuntimeError("hash")
'''

_counter = itertools.count()


class Case(NamedTuple):
    """A generated executor class and the verdicts it must get."""

    cls: type
    source: str
    on_instance: Dict[str, str]
    on_class: Dict[str, str]


def build(choices: Dict[str, str], hostile: FrozenSet[str] = frozenset(), future: bool = False) -> Case:
    """Write, execute and return the executor class the choices describe (see :data:`STYLES`)."""
    assert set(choices) == set(STYLES)
    base: List[str] = []
    body: List[str] = []
    init: List[str] = []
    slots: List[str] = []
    on_instance: Dict[str, str] = {}
    on_class: Dict[str, str] = {}
    for name, style_name in choices.items():
        style = STYLES[name][style_name]
        base.append(style.base)
        body.append(style.body)
        if style.init:
            init.append(style.init)
        if style.slot:
            slots.append(name)
        if style.on_instance:
            on_instance[name] = style.on_instance
        if style.on_class:
            on_class[name] = style.on_class
    body += [HOSTILE[h] for h in sorted(hostile)]
    impls = "".join(
        f"def _impl_{name}({params}):\n    hit()\n" for name, params in METHODS.items()
    )
    meta = ", metaclass=Meta" if "metaclass" in hostile else ""
    source = "\n".join(
        [
            "from __future__ import annotations" if future else "",
            "from concurrent.futures import Future",
            "from typing import Any, Dict, List, Optional",
            _META if "metaclass" in hostile else "",
            impls,
            "class Base:",
            textwrap.indent("".join(base) or "pass\n", "    "),
            f"class Executor(Base{meta}):",
            f"    __slots__ = {tuple(slots)!r}" if slots else "",
            "    def __init__(self):",
            textwrap.indent("\n".join(init) or "pass", "        "),
            textwrap.indent("".join(body), "    "),
        ]
    )
    namespace: Dict[str, Any] = {"hit": HITS.hit, "__name__": f"generated_executor_{next(_counter)}"}
    exec(compile(source, namespace["__name__"], "exec", dont_inherit=True), namespace)
    return Case(namespace["Executor"], source, on_instance, on_class)


class _Hits:
    """Counts calls of ``hit()`` from generated code."""

    def __init__(self) -> None:
        self.count = 0

    def hit(self) -> None:
        self.count += 1


HITS = _Hits()


def kinds(report: Any) -> Dict[str, str]:
    """``{member: violation kind}`` of a report."""
    return {v.member: v.kind.value for v in report.violations}


def all_styles_once() -> List[Tuple[str, str]]:
    """Every (member, style) pair: a deterministic sweep complementing hypothesis."""
    return [(name, style) for name, styles in STYLES.items() for style in styles]


def conforming_choices() -> Dict[str, str]:
    """The plainest conforming choice for every member."""
    plain = {name: "plain" for name in METHODS}
    values = {name: "property_with_setter" for name in (*READ_ONLY, *READ_WRITE)}
    return {**plain, **values, "label": "in_init", "storage_access": "absent"}


# The generator must cover exactly the protocol's members.
assert set(STYLES) == set(required_members(ParslExecutorProtocol)) | set(optional_members(ParslExecutorProtocol))
