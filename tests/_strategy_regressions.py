"""Specs that once exposed a bug (in the strategies, the runtime engine or the plugin), kept as regression cases.

Each entry is ``(what went wrong, spec)``; ``spec.expected`` is the violation
every checker must report (``None``: the class conforms).  The property tests
run them as ``@example`` cases and the agreement test adds them to its batch.
"""

from __future__ import annotations

import inspect
from concurrent.futures import Future
from typing import Any, Dict, List, Mapping, Tuple

from parsl_executor_protocol import (
    HasProvider,
    HasStorageAccess,
    Scalable,
    StagingProvider,
    SubmitsTasks,
    TracksTasks,
)
from parsl_executor_protocol.protocols._model import protocol_model
from parsl_executor_protocol.strategies import (
    DefectKind,
    ExpectedViolation,
    ImplementationSpec,
    MemberSpec,
    ParamSpec,
    Shape,
)

_P = inspect.Parameter
# The protocol's own types for submit (they mention its TypeVar).
_SUBMIT = protocol_model(SubmitsTasks).member("submit")

_SUBMIT_WITH_EXTRA_KEYWORDS = MemberSpec(
    "submit",
    Shape.METHOD,
    params=(
        ParamSpec("func", _P.POSITIONAL_OR_KEYWORD, _SUBMIT.params[0].annotation),
        ParamSpec("args", _P.VAR_POSITIONAL, object),
        # Typed int, these made mypy reject the class (the protocol's
        # **kwargs: object may pass extra_kw_0="x") while the engine, which
        # compares parameter kinds only, accepted it.  Extras now take the
        # type of the protocol's **kwargs.
        ParamSpec("extra_kw_0", _P.KEYWORD_ONLY, object, has_default=True),
        ParamSpec("kwargs", _P.VAR_KEYWORD, object),
    ),
    type=_SUBMIT.type,
)

_SCALE_IN_RENAMED = MemberSpec(
    "scale_in",
    Shape.METHOD,
    # mypy ignores the names of positionally passable parameters of protocol
    # members (and the engine follows mypy): without **kwargs a rename is no
    # defect.  The strategies' "renamed keyword" mutants add **kwargs.
    params=(ParamSpec("count", _P.POSITIONAL_OR_KEYWORD, int),),
    type=List[Any],
    plain=True,
)

_SCALE_OUT = MemberSpec("scale_out", Shape.METHOD, params=(ParamSpec("blocks", _P.POSITIONAL_OR_KEYWORD, int),),
                        type=List[Any])
_SCALING_ENABLED = MemberSpec("scaling_enabled", Shape.CLASS_ATTR, type=bool)

REGRESSIONS: List[Tuple[str, ImplementationSpec]] = [
    (
        "extra keyword-only parameters typed like the protocol's **kwargs conform",
        ImplementationSpec(SubmitsTasks, "SubmitWithExtraKeywords", (_SUBMIT_WITH_EXTRA_KEYWORDS,)),
    ),
    (
        "a renamed positional-or-keyword parameter without **kwargs conforms under mypy's rules",
        ImplementationSpec(Scalable, "ScaleInRenamedPositional", (_SCALE_IN_RENAMED, _SCALE_OUT, _SCALING_ENABLED)),
    ),
    (
        "a renamed positional-or-keyword parameter with **kwargs is an incompatible signature",
        ImplementationSpec(
            Scalable,
            "ScaleInRenamedWithKwargs",
            (
                MemberSpec("scale_in", Shape.METHOD, plain=True, type=List[Any], params=(
                    ParamSpec("blocks_renamed", _P.POSITIONAL_OR_KEYWORD, int),
                    ParamSpec("extra_kwargs", _P.VAR_KEYWORD, Any),
                )),
                _SCALE_OUT,
                _SCALING_ENABLED,
            ),
            expected=ExpectedViolation("scale_in", DefectKind.INCOMPATIBLE_SIGNATURE, "renamed keyword"),
        ),
    ),
    (
        "an empty dict in an attribute typed Mapping[Any, Future[Any]] is a value of that type",
        ImplementationSpec(
            TracksTasks, "TasksInInit", (MemberSpec("tasks", Shape.INIT_ATTR, type=Mapping[Any, Future[Any]]),)
        ),
    ),
    (
        "an empty list in a class attribute typed List[StagingProvider] fits Optional[Sequence[StagingProvider]]",
        ImplementationSpec(
            HasStorageAccess, "StorageAccessOnClass",
            (MemberSpec("storage_access", Shape.CLASS_ATTR, type=List[StagingProvider]),),
        ),
    ),
    (
        "a slotted executor keeps its task futures in a dict slot",
        ImplementationSpec(
            TracksTasks, "SlottedTasks", (MemberSpec("tasks", Shape.INIT_ATTR, type=Dict[Any, Future[Any]]),),
            slots=True,
        ),
    ),
    (
        "a one-member protocol satisfied by a class attribute on a base class (the engine's fast path once failed)",
        ImplementationSpec(
            HasProvider, "ProviderOnBase", (MemberSpec("provider", Shape.CLASS_ATTR, in_base=True, type=type(None)),),
            has_base=True,
        ),
    ),
    (
        "a property whose return annotation is not the protocol's type is a wrong attribute type",
        ImplementationSpec(
            HasStorageAccess, "StorageAccessWrong",
            (MemberSpec("storage_access", Shape.PROPERTY, type=int, plain=True),),
            expected=ExpectedViolation("storage_access", DefectKind.WRONG_TYPE, "int property"),
        ),
    ),
]
