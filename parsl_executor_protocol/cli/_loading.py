"""Turning the command line's ``module:Name`` and ``file.py:Name`` strings into objects.

Loading a target imports its module, which runs that module's top-level code
(as ``python -m`` would); a factory target is called once.  Nothing else of
the target runs here: checking it is the runtime engine's job, and the engine
reads members without calling them.

Every failure raises :class:`~parsl_executor_protocol.errors.TargetError` whose message is one line naming the
target and the problem, for the command line to print as is.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Tuple

from ..errors import TargetError
from ..protocols._contracts import CONTRACTS, contract_protocol

__all__ = ["LoadedTarget", "describe", "load_object", "load_protocol", "load_target", "one_line"]

# Values that are certainly not executors, classes or factories: a target
# naming one is a typo, and saying so beats a report of every member missing.
_NOT_TARGETS: Tuple[type, ...] = (
    type(None), bool, int, float, complex, str, bytes, bytearray, list, tuple, dict, set, frozenset,
)


@dataclass(frozen=True)
class LoadedTarget:
    """A loaded ``check`` target: the object to check and how it was obtained."""

    spec: str
    """The target as written on the command line."""
    obj: object
    """The class or instance to check (for a factory, what it returned)."""
    kind: str
    """``"class"``, ``"instance"`` or ``"factory"``."""


def _split(spec: str) -> Tuple[str, str]:
    # rpartition: a Windows path ("C:\\x.py:Name") has a colon of its own.
    where, colon, attribute = spec.rpartition(":")
    if not colon or not where or not attribute:
        raise TargetError(f"{spec!r} is not of the form package.module:Name or path/to/file.py:Name")
    parts = attribute.split(".")
    if not all(part.isidentifier() for part in parts):
        raise TargetError(f"{spec!r}: {attribute!r} is not a (dotted) Python name")
    return where, attribute


def _is_path(where: str) -> bool:
    return where.endswith(".py") or "/" in where or os.sep in where


def one_line(exc: BaseException) -> str:
    """``exc`` as ``Type: message`` on one line (just ``Type`` when the message is empty or cannot be had)."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # a target's exception with a broken __str__ still gets named
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _safe_repr(obj: object, limit: int = 40) -> str:
    # A target's own __repr__ (even on an int subclass) may raise: the message must still come out.
    try:
        text = repr(obj)
    except Exception:
        return f"<{type(obj).__qualname__} whose repr() raised>"
    return text[:limit]


def _syntax_error(exc: SyntaxError, fallback: str) -> TargetError:
    where = exc.filename or fallback
    line = f", line {exc.lineno}" if exc.lineno else ""
    return TargetError(f"syntax error in {where}{line}: {exc.msg}")


def _import_module(name: str) -> types.ModuleType:
    # A console script, unlike `python -m`, does not put the working directory
    # on sys.path; targets such as `tests.samples.x:Cls` are meant relative to it.
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing and (name == missing or name.startswith(missing + ".")):
            raise TargetError(f"cannot import {name!r}: no module named {missing!r}") from None
        raise TargetError(f"importing {name!r} failed: {one_line(exc)}") from None
    except SyntaxError as exc:
        raise _syntax_error(exc, name) from None
    except KeyboardInterrupt:
        raise  # main() reports it and exits 130
    except BaseException as exc:  # SystemExit and custom BaseExceptions too: a target must not end the run
        raise TargetError(f"importing {name!r} raised {one_line(exc)}") from None


def _import_file(where: str) -> types.ModuleType:
    path = Path(where)
    try:
        is_file = path.is_file()
        resolved = path.resolve()
    except OSError as exc:  # a name too long for the OS, an unreadable directory on the way
        shown = repr(where) if len(where) <= 200 else repr(where[:100] + "..." + where[-60:])
        raise TargetError(f"cannot read {shown}: {exc.strerror or one_line(exc)}") from None
    if not is_file:
        raise TargetError(f"no such file: {where!r}")
    # A name of its own per file, so that two files both called executors.py
    # (or a file shadowing an installed module) cannot collide in sys.modules.
    name = f"_parsl_executor_protocol_target_{abs(hash(str(resolved)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise TargetError(f"cannot load {where!r} as a Python module")
    module = importlib.util.module_from_spec(spec)
    # As `python file.py` would: the file's siblings are importable.
    directory = str(resolved.parent)
    added = directory not in sys.path
    if added:
        sys.path.insert(0, directory)
    # Registered before executing: dataclasses and pickling look the module up.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        del sys.modules[name]
        raise _syntax_error(exc, where) from None
    except KeyboardInterrupt:
        del sys.modules[name]
        raise  # main() reports it and exits 130
    except BaseException as exc:  # SystemExit and custom BaseExceptions too: a target must not end the run
        del sys.modules[name]
        raise TargetError(f"running {where!r} raised {one_line(exc)}") from None
    finally:
        if added and directory in sys.path:
            sys.path.remove(directory)
    return module


def load_object(spec: str) -> object:
    """Import ``spec``'s module (or run its file) and return the named attribute.

    ``spec`` is ``package.module:Name`` or ``path/to/file.py:Name``; ``Name`` may
    be a dotted attribute path (``module:Class.factory``).
    """
    where, attribute = _split(spec)
    is_path = _is_path(where)
    obj: object = _import_file(where) if is_path else _import_module(where)
    walked = where
    for part in attribute.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            owner = f"module {where!r}" if walked == where and not is_path else repr(walked)
            raise TargetError(f"{owner} has no attribute {part!r}") from None
        except KeyboardInterrupt:
            raise  # main() reports it and exits 130
        except BaseException as exc:  # a module __getattr__ raising SystemExit must not end the run silently
            raise TargetError(f"reading {walked}.{part} raised {one_line(exc)}") from None
        walked = f"{walked}:{part}" if walked == where else f"{walked}.{part}"
    return obj


def _is_factory(obj: object) -> bool:
    return inspect.isroutine(obj) or isinstance(obj, functools.partial)


def describe(obj: object) -> str:
    """A few words naming what ``obj`` is, for error messages."""
    if isinstance(obj, types.ModuleType):
        return f"the module {obj.__name__!r}"
    if isinstance(obj, type):
        return f"the class {obj.__qualname__}"
    if isinstance(obj, _NOT_TARGETS):
        return f"{type(obj).__name__} {_safe_repr(obj)}"
    return f"an instance of {type(obj).__qualname__}"


def _reject_non_target(spec: str, obj: object, what: str) -> None:
    if isinstance(obj, (types.ModuleType, *_NOT_TARGETS)):
        raise TargetError(f"{spec} {what} {describe(obj)}, not a class, an instance or a factory")


def _call_factory(spec: str, factory: object) -> object:
    try:
        signature = inspect.signature(factory)  # type: ignore[arg-type]
    except Exception:  # a hostile __signature__ is no reason to stop: calling will tell
        signature = None  # some builtins have none; calling them will tell
    if signature is not None:
        needed = [
            name for name, parameter in signature.parameters.items()
            if parameter.default is inspect.Parameter.empty
            and parameter.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        if needed:
            raise TargetError(f"factory {spec} needs arguments ({', '.join(needed)}); a factory takes none")
    try:
        return factory()  # type: ignore[operator]
    except KeyboardInterrupt:
        raise  # main() reports it and exits 130
    except BaseException as exc:  # SystemExit and custom BaseExceptions too: a target must not end the run
        raise TargetError(f"factory {spec} raised {one_line(exc)}") from None


def load_target(spec: str) -> LoadedTarget:
    """Load a ``check`` target: a class, an instance, or a zero-argument factory (called once).

    A factory is a function, method or ``functools.partial``; any other
    non-class object, callable or not, is checked as an instance.
    """
    obj = load_object(spec)
    _reject_non_target(spec, obj, "is")
    if isinstance(obj, type):
        return LoadedTarget(spec, obj, "class")
    if _is_factory(obj):
        made = _call_factory(spec, obj)
        _reject_non_target(spec, made, "returned")
        return LoadedTarget(spec, made, "factory")
    return LoadedTarget(spec, obj, "instance")


def load_protocol(name: str) -> type:
    """The protocol ``--protocol name`` selects: a contract name or ``package.module:Protocol``."""
    if name in CONTRACTS:
        return contract_protocol(name)
    if ":" not in name:
        choices = ", ".join(CONTRACTS)
        raise TargetError(f"unknown protocol {name!r}: use {choices} or package.module:Protocol")
    obj = load_object(name)
    import typing_extensions

    if not (isinstance(obj, type) and typing_extensions.is_protocol(obj)):
        raise TargetError(
            f"--protocol {name} is {describe(obj)}, not a protocol (a class deriving from typing.Protocol)"
        )
    return obj
