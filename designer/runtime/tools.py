"""AgentChat tools from ToolSpecs: built-ins and trusted ``module:function`` references.

Referenced modules are imported only here, when a run is compiled — never when a file
is opened or validated.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import inspect
import typing
from typing import Any, Callable

from autogen_core.tools import BaseTool, FunctionTool

from ..core.builtins import BUILTIN_TOOLS
from ..core.spec import ToolSpec
from .threads import run_in_thread


class ToolSetupError(RuntimeError):
    """A tool reference cannot be resolved; the message says which and why."""


def resolve_function(ref: str) -> Callable[..., Any]:
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - any import failure is the user's to fix
        raise ToolSetupError(f"cannot import {module_name!r}: {exc}") from None
    func = getattr(module, attr, None)
    if not callable(func):
        raise ToolSetupError(f"{ref!r} is not a function")
    return func  # type: ignore[no-any-return]


def _resolved_signature(func: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations evaluated in the function's own module."""
    signature = inspect.signature(func)
    try:
        hints = typing.get_type_hints(func)
    except Exception:  # noqa: BLE001 - unresolvable hints: keep them as written
        return signature
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    return signature.replace(parameters=params, return_annotation=hints.get("return", signature.return_annotation))


def guarded(func: Callable[..., Any], name: str, timeout: float) -> Callable[..., Any]:
    """An async wrapper with the same signature that enforces the tool's timeout."""

    async def call(**kwargs: Any) -> Any:
        if inspect.iscoroutinefunction(func):
            work = func(**kwargs)
        else:
            work = run_in_thread(func, name=f"tool-{name}", **kwargs)
        try:
            return await asyncio.wait_for(work, timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"the tool {name!r} took longer than {timeout:g} s and was stopped") from None

    functools.update_wrapper(call, func)
    del call.__wrapped__  # FunctionTool must see the coroutine wrapper, not the original
    signature = _resolved_signature(func)
    call.__signature__ = signature  # type: ignore[attr-defined]
    call.__annotations__ = {n: p.annotation for n, p in signature.parameters.items() if p.annotation is not p.empty}
    if signature.return_annotation is not signature.empty:
        call.__annotations__["return"] = signature.return_annotation
    return call


def build_tool(tool_id: str, spec: ToolSpec) -> BaseTool[Any, Any]:
    if spec.builtin is not None:
        builtin = BUILTIN_TOOLS.get(spec.builtin)
        if builtin is None:
            raise ToolSetupError(f"unknown built-in tool {spec.builtin!r}")
        func, description = builtin.function, spec.description or builtin.description
    else:
        assert spec.function is not None
        func = resolve_function(spec.function)
        description = spec.description or inspect.getdoc(func) or f"Calls {spec.function}"
    return FunctionTool(guarded(func, tool_id, spec.timeout), description=description, name=tool_id)
