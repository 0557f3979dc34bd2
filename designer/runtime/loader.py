"""Importing user tool modules, by file, from the tool folders only.

Called when a run is set up, after the runner checked that the user trusts every file
involved (see :mod:`designer.core.trust`). Modules are looked up in the tool folders,
never on ``sys.path``, and are imported afresh for every run, so an edited (and
re-trusted) file is what the next run uses.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from ..core.tool_introspect import IntrospectionError, ModuleSource, ToolLocations, resolve_module

# sys.path and sys.modules are process-wide: one tool import at a time (runs and the
# "try it" dialog may set up tools from different threads).
_IMPORT_LOCK = threading.Lock()
#: Names of the modules our tool imports added to sys.modules: only these are ever replaced.
_LOADED: set[str] = set()


class ToolSetupError(RuntimeError):
    """A tool cannot be set up; the message says which and why, in plain words."""


def _inside(path: str | None, folder: Path) -> bool:
    return bool(path) and Path(os.path.realpath(path)).is_relative_to(folder)  # type: ignore[arg-type]


def forget_tool_modules() -> None:
    """Drop the modules earlier runs' tool imports added, so a new run gets the current files (and
    a same-named module from another team's tools/ folder does not stand in for its own)."""
    with _IMPORT_LOCK:
        for name in list(_LOADED):
            sys.modules.pop(name, None)
        _LOADED.clear()


def import_tool_module(source: ModuleSource) -> Any:
    folder = Path(os.path.realpath(source.folder))
    top = source.name.split(".")[0]
    with _IMPORT_LOCK:
        before = set(sys.modules)
        taken = sys.modules.get(top)
        if taken is not None and not _inside(getattr(taken, "__file__", None), folder):
            where = getattr(taken, "__file__", None) or "a built-in module"
            raise ToolSetupError(
                f"the tool module name {top!r} is already taken by {where}; rename {source.path.name}"
            )
        importlib.invalidate_caches()
        sys.path.insert(0, str(folder))
        try:
            module = importlib.import_module(source.name)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - a failing import is the module author's to fix
            raise ToolSetupError(f"importing {source.name} ({source.path}) failed: {type(exc).__name__}: {exc}") from None
        finally:
            try:
                sys.path.remove(str(folder))
            except ValueError:
                pass
            _LOADED.update(n for n in set(sys.modules) - before if _inside(getattr(sys.modules[n], "__file__", None), folder))
    if not _inside(getattr(module, "__file__", None), folder):
        raise ToolSetupError(f"{source.name!r} did not load from {source.path}")
    return module


def load_function(ref: str, locations: ToolLocations) -> Callable[..., Any]:
    """The function ``module:function`` from the tool folders (imports the module, or reuses the
    copy this run already imported; call :func:`forget_tool_modules` when a run starts)."""
    try:
        source = resolve_module(ref, locations)
    except IntrospectionError as exc:
        raise ToolSetupError(f"{ref}: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from None
    module = import_tool_module(source)
    func = getattr(module, ref.partition(":")[2], None)
    if not callable(func):
        raise ToolSetupError(f"{ref!r} is not a function")
    return func  # type: ignore[no-any-return]
