"""User tools read from source, never imported: where ``module:function`` lives, and what it takes.

Opening or validating a team file must not run the code it references, so the window and
the validator learn a function's name, description and JSON schema of its parameters
from the parsed source (``ast``): the signature, the type hints and the docstring. Only a
run imports the module, and only after the user trusted it (see :mod:`designer.core.trust`).

Where modules are looked up: a ``tools/`` folder beside the team file, then the extra
folders the caller passes (the window's "tools/folders" setting, the CLI's ``--tools``).
Never ``sys.path``: a team file cannot reach an arbitrary installed module such as ``os``.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.machinery
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .tool_schema import docstring_parts, parameters_schema

TOOLS_FOLDER = "tools"
#: Files larger than this are not parsed (a tool module is source code, not data).
MAX_SOURCE_BYTES = 2_000_000
#: Bound on the local modules one tool pulls in, so a pathological tree cannot stall validation.
MAX_DEPENDENCIES = 200
#: Bounds on the files :func:`importable_files` hashes, and on the folder entries it looks at.
MAX_IMPORTABLE_FILES = 3000
MAX_IMPORTABLE_BYTES = 100_000_000
MAX_SCANNED_ENTRIES = 100_000
#: What ``import`` loads: sources, sourceless byte code, extension modules (longest first).
_IMPORT_SUFFIXES = tuple(sorted(importlib.machinery.all_suffixes(), key=len, reverse=True))


class IntrospectionError(Exception):
    """A reference that cannot be resolved from source; ``hint`` says how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ToolLocations:
    """Where a team's user tools may live: ``tools/`` beside its file, then extra folders."""

    base_dir: Path | None = None
    extra_folders: tuple[Path, ...] = ()

    @classmethod
    def for_file(cls, team_file: str | Path | None, extra_folders: Iterable[str | Path] = ()) -> ToolLocations:
        try:
            base = Path(team_file).resolve().parent if team_file else None
        except (OSError, RuntimeError):  # a symlink loop: no folder beside it to look in
            base = None
        return cls(base, tuple(Path(f).expanduser() for f in extra_folders if str(f).strip()))

    @property
    def folders(self) -> list[Path]:
        out: list[Path] = []
        candidates = ([self.base_dir / TOOLS_FOLDER] if self.base_dir else []) + list(self.extra_folders)
        for folder in candidates:
            try:
                resolved = folder.resolve()
            except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13): no folder
                continue
            if resolved not in out:
                out.append(resolved)
        return out

    def describe(self) -> str:
        names = [str(f) for f in self.folders]
        return ", ".join(names) if names else "no tool folder (save the team file to use its tools/ folder)"


@dataclass(frozen=True)
class ModuleSource:
    """A module found in a tool folder: its file and the package ``__init__`` files above it."""

    name: str
    folder: Path
    path: Path
    packages: tuple[Path, ...] = ()

    @property
    def files(self) -> tuple[Path, ...]:
        return (*self.packages, self.path)


@dataclass(frozen=True)
class FunctionInfo:
    ref: str
    name: str
    description: str
    parameters: dict[str, Any]
    module: ModuleSource
    line: int
    is_async: bool = False
    param_docs: dict[str, str] = field(default_factory=dict)


def _module_file(folder: Path, parts: list[str]) -> tuple[Path, tuple[Path, ...]] | None:
    packages: list[Path] = []
    current = folder
    for part in parts[:-1]:
        current = current / part
        if not current.is_dir():
            return None
        if (current / "__init__.py").is_file():
            packages.append(current / "__init__.py")
    leaf = current / parts[-1]
    if (leaf.with_suffix(".py")).is_file():
        return leaf.with_suffix(".py"), tuple(packages)
    if (leaf / "__init__.py").is_file():
        return leaf / "__init__.py", tuple(packages)
    return None


def find_module(name: str, locations: ToolLocations) -> ModuleSource | None:
    parts = name.split(".")
    if not all(p.isidentifier() for p in parts):
        return None
    for folder in locations.folders:
        found = _module_file(folder, parts)
        if found is not None:
            return ModuleSource(name, folder, found[0].resolve(), tuple(p.resolve() for p in found[1]))
    return None


def available_modules(locations: ToolLocations, limit: int = 50) -> list[str]:
    names: list[str] = []
    for folder in locations.folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            if path.stem != "__init__" and path.stem not in names:
                names.append(path.stem)
        for path in sorted(folder.glob("*/__init__.py")):
            if path.parent.name not in names:
                names.append(path.parent.name)
        if len(names) >= limit:
            break
    return names[:limit]


def shadows_python_module(name: str) -> bool:
    """True when the top-level name is one of Python's own modules (a tool module cannot take it)."""
    top = name.split(".")[0]
    return top in sys.stdlib_module_names or top in sys.builtin_module_names


@functools.lru_cache(maxsize=256)
def _parse_cached(path: str, mtime_ns: int, size: int) -> ast.Module:
    data = Path(path).read_bytes()
    return ast.parse(data, filename=path)


def parse_source(path: Path) -> ast.Module:
    """The parsed module (cached until the file changes); IntrospectionError when it cannot be read."""
    try:
        info = path.stat()
    except OSError as exc:
        raise IntrospectionError(f"cannot read {path}: {exc.strerror}") from None
    if info.st_size > MAX_SOURCE_BYTES:
        raise IntrospectionError(f"{path} is larger than {MAX_SOURCE_BYTES} bytes", "a tool module is source code, not data")
    try:
        return _parse_cached(str(path), info.st_mtime_ns, info.st_size)
    except SyntaxError as exc:
        raise IntrospectionError(f"{path.name} line {exc.lineno}: {exc.msg}", "fix the syntax error in the tool module") from None
    except (OSError, ValueError) as exc:
        raise IntrospectionError(f"cannot read {path}: {exc}") from None
    except (RecursionError, MemoryError):  # a pathological file must not take the validator down
        raise IntrospectionError(f"{path.name} is too deeply nested to read", "simplify the tool module") from None


def _top_level_functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
            found[node.name] = node
    return found


def resolve_module(ref: str, locations: ToolLocations) -> ModuleSource:
    module_name, _, _ = ref.partition(":")
    if shadows_python_module(module_name):
        raise IntrospectionError(
            f"module {module_name!r} is one of Python's own modules, not a tool module",
            f"tools are functions in your own modules; rename {TOOLS_FOLDER}/{module_name.split('.')[0]}.py if it is yours",
        )
    module = find_module(module_name, locations)
    if module is None:
        known = available_modules(locations)
        hint = f"modules there: {', '.join(known)}" if known else f"put {module_name.replace('.', '/')}.py into a tool folder"
        raise IntrospectionError(f"no module {module_name!r} in the tool folders ({locations.describe()})", hint)
    return module


def introspect_function(ref: str, locations: ToolLocations) -> FunctionInfo:
    """Name, description and parameter schema of ``module:function``, read from its source."""
    module_name, _, func_name = ref.partition(":")
    module = resolve_module(ref, locations)
    functions = _top_level_functions(parse_source(module.path))
    node = functions.get(func_name)
    if node is None:
        listed = ", ".join(sorted(functions)) or "none"
        raise IntrospectionError(
            f"module {module_name!r} ({module.path.name}) has no function {func_name!r}",
            f"functions defined there: {listed}",
        )
    summary, param_docs = docstring_parts(ast.get_docstring(node) or "")
    return FunctionInfo(
        ref=ref,
        name=func_name,
        description=summary,
        parameters=parameters_schema(node.args, param_docs),
        module=module,
        line=node.lineno,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        param_docs=param_docs,
    )


def _imported_names(tree: ast.Module, module: ModuleSource) -> Iterable[str]:
    package = module.name.rpartition(".")[0] if module.path.name != "__init__.py" else module.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".") if package else []
                base_parts = base_parts[: len(base_parts) - (node.level - 1)] if node.level > 1 else base_parts
                base = ".".join(p for p in [*base_parts, node.module or ""] if p)
            else:
                base = node.module or ""
            if base:
                yield base
            for alias in node.names:
                if base and alias.name != "*":
                    yield f"{base}.{alias.name}"  # 'from pkg import sub' may name a submodule


def local_dependencies(module: ModuleSource) -> list[Path]:
    """Files in the same tool folder that the module imports, directly or not (read from source).

    They run when the module is imported, so trust covers them too; anything that is
    not a file in the tool folder (installed packages) is not listed.
    """
    only_here = ToolLocations(extra_folders=(module.folder,))
    seen: dict[Path, None] = {path: None for path in module.files}
    queue = [module]
    while queue and len(seen) < MAX_DEPENDENCIES:
        current = queue.pop()
        try:
            tree = parse_source(current.path)
        except IntrospectionError:
            continue
        for name in _imported_names(tree, current):
            found = find_module(name, only_here)
            if found is None:
                continue
            new = [p for p in found.files if p not in seen]
            for path in new:
                seen[path] = None
            if found.path in new:
                queue.append(found)
    return list(seen)


def _importable_name(name: str) -> bool:
    for suffix in _IMPORT_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)].isidentifier()
    return False


def importable_files(folder: Path) -> list[Path] | None:
    """Every file ``import`` could load with ``folder`` on ``sys.path``, or None when there are too many.

    Reading imports from source (:func:`local_dependencies`) misses ``importlib.import_module(name)``
    with a computed name, so a program's folder is covered whole: modules named like identifiers,
    and every folder named like one below it (with ``__init__.py`` or not: namespace packages
    import too). Folders such as ``.venv`` or ``python3.11`` cannot be imported from, so they are
    not entered. ``__pycache__`` is skipped: Python rewrites it after a first import, which would
    ask again after every first run, and reads a cached file only for the source beside it.
    None means the tree is too big to hash on every run; the caller must not trust it then.
    """
    found: list[Path] = []
    total = scanned = 0
    seen: set[str] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        real = os.path.realpath(current)
        if real in seen:  # a symlink loop, or two names for one folder
            continue
        seen.add(real)
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            scanned += 1
            if scanned > MAX_SCANNED_ENTRIES:
                return None
            try:
                if entry.is_dir():
                    if entry.name.isidentifier() and entry.name != "__pycache__":
                        stack.append(Path(entry.path))
                elif entry.is_file() and _importable_name(entry.name):
                    found.append(Path(entry.path).resolve())
                    total += entry.stat().st_size
            except OSError:
                continue
            if len(found) > MAX_IMPORTABLE_FILES or total > MAX_IMPORTABLE_BYTES:
                return None
    return found


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()
