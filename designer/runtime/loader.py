"""Importing user tool modules: exactly the files the user trusted, and nothing else.

Called when a run is set up, after the runner checked that the user trusts every file
involved (see :mod:`designer.core.trust`). The tool folder is never put on ``sys.path``:
a finder serves only the manifest — the module, its packages and the local modules it
imports, as :func:`designer.core.tool_introspect.local_dependencies` lists them for the
trust question — each from bytes read once and checked against the trusted SHA-256, so
what runs is what was shown. Anything else resolves as usual (Python's own and installed
modules), and a file added to the folder later can never stand in for one of them.
Modules are imported afresh for every run.
"""

from __future__ import annotations

import logging
import hashlib
import importlib
import importlib.abc
import importlib.util
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Mapping

from ..core.tool_introspect import IntrospectionError, ModuleSource, ToolLocations, local_dependencies, resolve_module
from ..core.tool_introspect import shadows_python_module

log = logging.getLogger(__name__)

# sys.meta_path and sys.modules are process-wide: one tool import at a time (runs and the
# "try it" dialog may set up tools from different threads).
_IMPORT_LOCK = threading.Lock()
#: Names of the modules our finders served: only these are ever dropped from sys.modules.
_LOADED: set[str] = set()
_FINDERS: list[_ManifestFinder] = []


class ToolSetupError(RuntimeError):
    """A tool cannot be set up; the message says which and why, in plain words."""


class _SourceLoader(importlib.abc.Loader):
    """Executes source bytes that were read, and checked, once."""

    def __init__(self, path: Path, source: bytes) -> None:
        self.path = path
        self.source = source

    def create_module(self, spec: Any) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        module.__file__ = str(self.path)
        exec(compile(self.source, str(self.path), "exec", dont_inherit=True), module.__dict__)


class _ManifestFinder(importlib.abc.MetaPathFinder):
    """Finds only the manifest's modules; everything else is left to the normal machinery."""

    def __init__(self, modules: dict[str, tuple[Path, bytes]]) -> None:
        self.modules = modules

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        entry = self.modules.get(fullname)
        if entry is None:
            return None
        file, source = entry
        package = file.name == "__init__.py"
        spec = importlib.util.spec_from_loader(fullname, _SourceLoader(file, source), origin=str(file), is_package=package)
        if spec is not None:
            spec.has_location = True
            if package:
                spec.submodule_search_locations = []  # submodules come from the manifest only
        return spec


def _module_name(folder: Path, file: Path) -> str:
    parts = list(file.relative_to(folder).parts)
    parts[-1] = parts[-1][: -len(".py")]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _manifest(source: ModuleSource, approved: Mapping[str, str] | None) -> dict[str, tuple[Path, bytes]]:
    folder = source.folder.resolve()
    modules: dict[str, tuple[Path, bytes]] = {}
    for file in local_dependencies(source):
        name = _module_name(folder, file)
        if name != source.name and shadows_python_module(name):
            continue  # `import json` means Python's json, whatever the folder holds
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ToolSetupError(f"cannot read {file}: {exc.strerror or exc}") from None
        if approved is not None and approved.get(str(file)) != hashlib.sha256(data).hexdigest():
            raise ToolSetupError(f"{file} changed after you trusted it; start the run again to review it")
        modules[name] = (file, data)
    return modules


def forget_tool_modules() -> None:
    """Drop what earlier runs' tool imports added, so a new run gets the current files (and a
    same-named module from another team's tools/ folder does not stand in for its own)."""
    with _IMPORT_LOCK:
        for name in list(_LOADED):
            sys.modules.pop(name, None)
        _LOADED.clear()
        for finder in _FINDERS:
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
        _FINDERS.clear()


def import_tool_module(source: ModuleSource, approved: Mapping[str, str] | None = None) -> Any:
    """Import ``source`` from its trusted files. ``approved`` maps file paths to the SHA-256 the
    user trusted (the runner passes it); a file that changed since is refused."""
    with _IMPORT_LOCK:
        if source.name in _LOADED and source.name in sys.modules:  # another tool of this run, same module
            return sys.modules[source.name]
        modules = _manifest(source, approved)
        taken = [n for n in modules if n in sys.modules and n not in _LOADED]
        if taken:
            where = getattr(sys.modules[taken[0]], "__file__", None) or "a built-in module"
            raise ToolSetupError(f"the tool module name {taken[0]!r} is already taken by {where}; rename it")
        finder = _ManifestFinder(modules)
        # First in line, and kept for the run: tool code may import its local modules lazily.
        sys.meta_path.insert(0, finder)
        _FINDERS.append(finder)
        _LOADED.update(modules)
        try:
            return importlib.import_module(source.name)
        except (Exception, SystemExit) as exc:  # a failing import is the module author's to fix
            log.info("importing the tool module %s (%s) failed", source.name, source.path, exc_info=True)
            raise ToolSetupError(f"importing {source.name} ({source.path}) failed: {type(exc).__name__}: {exc}") from None


def load_function(ref: str, locations: ToolLocations, approved: Mapping[str, str] | None = None) -> Callable[..., Any]:
    """The function ``module:function`` from the tool folders (imports the module, or reuses the
    copy this run already imported; call :func:`forget_tool_modules` when a run starts)."""
    try:
        source = resolve_module(ref, locations)
    except IntrospectionError as exc:
        raise ToolSetupError(f"{ref}: {exc.message}" + (f" ({exc.hint})" if exc.hint else "")) from None
    module = import_tool_module(source, approved)
    func = getattr(module, ref.partition(":")[2], None)
    if not callable(func):
        raise ToolSetupError(f"{ref!r} is not a function")
    return func
