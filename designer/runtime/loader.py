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


class ToolSetupError(RuntimeError):
    """A tool cannot be set up; the message says which and why, in plain words."""


def _inside(path: str | None, folder: Path) -> bool:
    return bool(path) and Path(os.path.realpath(path)).is_relative_to(folder)  # type: ignore[arg-type]


def _forget_modules_from(folder: Path) -> None:
    """Drop modules an earlier run imported from this folder, so this run gets the current files."""
    for name, module in list(sys.modules.items()):
        if _inside(getattr(module, "__file__", None), folder):
            del sys.modules[name]


def import_tool_module(source: ModuleSource) -> Any:
    folder = Path(os.path.realpath(source.folder))
    top = source.name.split(".")[0]
    with _IMPORT_LOCK:
        taken = sys.modules.get(top)
        if taken is not None and not _inside(getattr(taken, "__file__", None), folder):
            raise ToolSetupError(
                f"the tool module name {top!r} is already used by an installed module; rename {source.path.name}"
            )
        _forget_modules_from(folder)
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
    if not _inside(getattr(module, "__file__", None), folder):
        raise ToolSetupError(f"{source.name!r} did not load from {source.path}")
    return module


def load_function(ref: str, locations: ToolLocations) -> Callable[..., Any]:
    """The function ``module:function`` from the tool folders (imports the module)."""
    try:
        source = resolve_module(ref, locations)
    except IntrospectionError as exc:
        raise ToolSetupError(f"{ref}: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from None
    module = import_tool_module(source)
    func = getattr(module, ref.partition(":")[2], None)
    if not callable(func):
        raise ToolSetupError(f"{ref!r} is not a function")
    return func  # type: ignore[no-any-return]
