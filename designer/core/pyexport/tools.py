"""The team's tools in the script: built-ins inlined, ``module:function`` tools imported from the
team's ``tools/`` folder, MCP servers as ``McpWorkbench``, and a memory's ``remember_<id>`` tool."""

from __future__ import annotations

import ast
import inspect
import os
import re
from pathlib import Path
from types import ModuleType

from .. import builtins as builtins_module
from ..builtin_tools import clock, web
from ..builtins import BUILTIN_TOOLS
from ..mcp_headers import header_reference
from ..secrets import env_var_name
from ..spec import ToolSpec
from ..tool_introspect import TOOLS_FOLDER
from ..validate_parts import remember_tool_name
from .models import secret_expr
from .writer import Script, py

#: Built-in id -> (module, the top-level names its inline copy needs).
_INLINE: dict[str, tuple[ModuleType, tuple[str, ...]]] = {
    "calculate_rectangle_area": (builtins_module, ("calculate_rectangle_area",)),
    "calculator": (builtins_module, ("_BINARY", "_UNARY", "_FUNCTIONS", "_CONSTANTS", "_MAX_EXPONENT", "_evaluate",
                                     "calculator")),
    "current_datetime": (clock, ("_ZONE_RE", "now", "current_datetime")),
}

FUNCTION_TOOL = '''
def tool_function(target: str) -> Callable[..., Any]:
    """A tool function 'module:function' of the team, imported from its tools/ folder (TOOL_FOLDERS)."""
    for folder in reversed(TOOL_FOLDERS):
        if folder.is_dir() and str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        where = ", ".join(str(f) for f in TOOL_FOLDERS)
        raise RuntimeError(f"the tool function {target} cannot be loaded ({exc}); looked in {where}") from None


def function_tool(tool_id: str, target: str, description: str | None = None) -> FunctionTool:
    func = tool_function(target)
    return FunctionTool(func, description=description or inspect.getdoc(func) or f"Calls {target}", name=tool_id)
'''

REMEMBER = '''
def remember_tool(memory: ListMemory, memory_id: str, about: str) -> FunctionTool:
    """remember_<memory>(text): adds one note to a shared memory; its readers see it from their next turn."""

    async def remember(text: str) -> str:
        text = text.strip()
        if not text:
            return "nothing to remember: the text is empty"
        if len(text) > 200:
            raise ValueError("a note is one short fact: at most 200 characters")
        await memory.add(MemoryContent(content=text, mime_type=MemoryMimeType.TEXT))
        return f"remembered in {memory_id} (entry {len(memory.content)})"

    what = f" ({about})" if about else ""
    return FunctionTool(remember, name=f"remember_{memory_id}", description=(
        f"Add a note to the shared memory '{memory_id}'{what}; every agent reading it sees the note from its next turn."))
'''

WORKSPACE_FILES = '''
def workspace_path(path: str) -> Path:
    """A path inside WORKSPACE; anything leading out of it (absolute, '..', a symlink) is refused."""
    target = (WORKSPACE / path.strip()).resolve()
    if not path.strip() or not target.is_relative_to(WORKSPACE.resolve()):
        raise ValueError(f"{path!r} is not a path inside the workspace folder")
    return target


def read_text_file(path: str) -> str:
    """Read a UTF-8 text file from the run's workspace folder."""
    return workspace_path(path).read_text(encoding="utf-8")[:1_000_000]


def write_text_file(path: str, content: str) -> str:
    """Write a UTF-8 text file into the run's workspace folder."""
    target = workspace_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return f"wrote {len(content)} characters to {path}"
'''

RUN_PYTHON = '''
def python_runner(timeout: float) -> Callable[..., Any]:
    """run_python(code): a Python program in WORKSPACE through autogen-ext's local code executor."""
    executor = LocalCommandLineCodeExecutor(work_dir=WORKSPACE, timeout=max(1, int(timeout)))

    async def run_python(code: str) -> str:
        """Run a Python program in the run's workspace folder and return what it printed."""
        result = await executor.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())
        return result.output if result.exit_code == 0 else f"exit code {result.exit_code}\\n{result.output}"

    return run_python
'''

HTTP_GETTER = '''
def http_getter(**options: Any) -> Callable[[str], str]:
    """http_get bound to the tool's options (allow_hosts, max_bytes, timeout)."""
    getter = HttpGet(**options)

    def http_get(url: str) -> str:
        """Fetch a web page with HTTP GET and return its status and text (only from the hosts the team allows)."""
        return getter(url)

    return http_get
'''


def tool_expr(s: Script, tool_id: str) -> str:
    """The expression of a (non-MCP) tool of the file, inside build_team."""
    spec = s.spec.tools[tool_id]
    s.need("autogen_core.tools", "FunctionTool")
    if spec.function is not None:
        _function_support(s)
        module = spec.function.partition(":")[0]
        if module not in s.tool_modules:
            s.tool_modules.append(module)
        args = [py(tool_id), py(spec.function)] + ([py(spec.description)] if spec.description else [])
        return f"function_tool({', '.join(args)})"
    assert spec.builtin is not None  # one of builtin/function/mcp; MCP goes through workbench_expr
    builtin = BUILTIN_TOOLS.get(spec.builtin)
    if builtin is None:
        s.note("dropped", f"tool '{tool_id}' — unknown built-in {spec.builtin!r}")
        return "None"
    description = spec.description or builtin.description
    func = _builtin_function(s, tool_id, spec)
    return f"FunctionTool({func}, description={py(description)}, name={py(tool_id)})"


def _builtin_function(s: Script, tool_id: str, spec: ToolSpec) -> str:
    builtin_id = spec.builtin or ""
    if builtin_id in _INLINE:
        module, names = _INLINE[builtin_id]
        inline_names(s, inspect.getsource(module), names, f"builtin:{builtin_id}")
        return builtin_id
    if builtin_id == "http_get":
        source = inspect.getsource(web)
        inline_names(s, source, tuple(_top_names(source)), "builtin:http_get")
        s.need("typing", "Any")
        hosts = tuple(str(h) for h in spec.options.get("allow_hosts") or [])  # type: ignore[attr-defined]
        size = spec.options.get("max_bytes", web.DEFAULT_MAX_BYTES)
        s.need("typing", "Callable")
        s.helper("http_getter", HTTP_GETTER)
        return (f"http_getter(allow_hosts={py(hosts)}, max_bytes={py(size)}, timeout={spec.timeout!r}, "
                f"tool_id={py(tool_id)})")
    _workspace(s)
    if builtin_id == "run_python":
        s.need("autogen_ext.code_executors.local", "LocalCommandLineCodeExecutor")
        s.need("autogen_core.code_executor", "CodeBlock")
        s.need("autogen_core", "CancellationToken")
        s.need("typing", "Any", "Callable")
        s.helper("run_python", RUN_PYTHON)
        if spec.options.get("executor") == "docker":
            s.note("changed", f"tool '{tool_id}': run_python runs on this computer, not in Docker")
        s.note("changed", f"tool '{tool_id}': run_python's code sees this process's environment "
                          "(the product removes API keys from it)")
        return f"python_runner({spec.timeout!r})"
    s.helper("workspace_files", WORKSPACE_FILES)
    s.note("changed", f"tool '{tool_id}': {builtin_id} is a simpler copy (no size option, no check for "
                      "special files)")
    return builtin_id


def _workspace(s: Script) -> None:
    s.need("tempfile")
    s.need("pathlib", "Path")
    s.helper("workspace", '''
#: The run's workspace folder (the files tools read and write, where code runs): a fresh one per run.
WORKSPACE = Path(tempfile.mkdtemp(prefix="team-run-"))''')


def _function_support(s: Script) -> None:
    s.need("importlib")
    s.need("inspect")
    s.need("sys")
    s.need("pathlib", "Path")
    s.need("typing", "Any", "Callable")
    own = tools_folder(s.team_file)
    here = 'Path(__file__).resolve().parent'
    if s.out is not None and own is not None:
        rel = relative_to_script(own, s.out)
        if rel is not None:
            folders, comment = [f"{here} / {py(rel)}"], "the team's tools/ folder, relative to this script"
            s.tool_folders = [rel]
        else:  # (another drive, on Windows): no relative path leads there
            folders = [f"{here} / \"tools\"", f"Path({py(str(own))})"]
            comment = ("beside this script, then the team's tools/ folder (absolute: no relative path leads "
                       "there from the script's folder)")
            s.tool_folders = ["tools", str(own)]
    else:
        folders = [f'{here} / "tools"']
        comment = "beside this script (copy the team's tools/ folder there)"
        s.tool_folders = ["tools"]
        if own is not None:
            folders.append(f"Path({py(str(own))})")
            comment += ", then the team file's own (absolute: where it was when exported)"
            s.tool_folders.append(str(own))
    s.helper("tool_folders", f"#: Where the team's tool modules are looked for: {comment}.\n"
                             f"TOOL_FOLDERS = [{', '.join(folders)}]")
    s.helper("function_tool", FUNCTION_TOOL)
    s.note("changed", "function tools run without the product's per-tool time limit")


def relative_to_script(folder: Path, out: Path) -> str | None:
    """``folder`` as a POSIX path relative to the folder of the script ``out``; None when no
    relative path leads there (Windows: another drive)."""
    try:
        return Path(os.path.relpath(folder.resolve(), out.resolve().parent)).as_posix()
    except ValueError:
        return None


def workbench_expr(s: Script, tool_id: str) -> str:
    """An MCP server tool as an McpWorkbench expression."""
    spec = s.spec.tools[tool_id]
    server = spec.mcp
    assert server is not None
    s.need("autogen_ext.tools.mcp", "McpWorkbench")
    if server.tools is not None:
        s.note("dropped", f"tool '{tool_id}': the choice of the server's tools ({', '.join(server.tools)}) — "
                          "the agent gets all of them")
    if server.transport == "stdio":
        s.need("autogen_ext.tools.mcp", "StdioServerParams")
        args = [f"command={py(server.command)}", f"args={py(list(server.args))}"]
        if server.env:
            env = ", ".join(f"{py(k)}: {_value(s, tool_id, k, v, whole=True)}" for k, v in server.env.items())
            args.append(f"env={{{env}}}")
        if server.cwd:
            args.append(f"cwd={py(server.cwd)}")
        params = f"StdioServerParams({', '.join(args)}, read_timeout_seconds={spec.timeout!r})"
    else:
        cls = "SseServerParams" if server.transport == "sse" else "StreamableHttpServerParams"
        s.need("autogen_ext.tools.mcp", cls)
        args = [f"url={py(server.url)}"]
        if server.headers:
            headers = ", ".join(f"{py(k)}: {_value(s, tool_id, k, v)}" for k, v in server.headers.items())
            args.append(f"headers={{{headers}}}")
        params = f"{cls}({', '.join(args)})"
    return f"McpWorkbench(server_params={params})"


def _value(s: Script, tool_id: str, key: str, value: str, *, whole: bool = False) -> str:
    """A header or env value: a literal, or the secret its reference names (never the secret itself)."""
    found = header_reference(value) if not whole else (("", value) if value.startswith(("env:", "keyring:")) else None)
    if found is None:
        return py(value)
    prefix, ref = found
    scheme, _, name = ref.partition(":")
    # A keyring entry's name is no variable name: the fallback is made from it (as store_key does).
    variable = name if scheme == "env" else env_var_name(name)
    expr = secret_expr(s, ref, variable, f"MCP server '{tool_id}'",
                       f"{'variable' if whole else 'header'} {key}")
    return f"{py(prefix)} + {expr}" if prefix else expr


def remember_expr(s: Script, memory_id: str) -> str:
    s.need("autogen_core.memory", "ListMemory", "MemoryContent", "MemoryMimeType")
    s.need("autogen_core.tools", "FunctionTool")
    s.helper("remember", REMEMBER)
    about = s.spec.memories[memory_id].description
    assert remember_tool_name(memory_id) == f"remember_{memory_id}"  # the name REMEMBER writes
    return f"remember_tool(memories[{py(memory_id)}], {py(memory_id)}, {py(about)})"


# --- inlining a module's definitions ---------------------------------------------------------


def _top_names(source: str) -> list[str]:
    out: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out += [t.id for t in targets if isinstance(t, ast.Name)]
    return out


def inline_names(s: Script, source: str, names: tuple[str, ...], key: str) -> None:
    """Copy the top-level definitions ``names`` of a module's source into the script, with the
    imports they use (the module must import nothing of this product for what is copied)."""
    tree = ast.parse(source)
    lines = source.splitlines()
    chunks: list[str] = []
    for node in tree.body:
        if _top_names_of(node) & set(names):
            start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
            chunks.append("\n".join(lines[start:node.end_lineno]))
    text = "\n\n\n".join(chunks)
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if re.search(rf"\b{re.escape(alias.asname or alias.name)}\b", text):
                    s.need(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module != "__future__":
            used = [a for a in node.names if re.search(rf"\b{re.escape(a.asname or a.name)}\b", text)]
            for alias in used:
                s.need(node.module, alias.name if alias.asname is None else f"{alias.name} as {alias.asname}")
    s.helper(key, text)


def _top_names_of(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    if isinstance(node, ast.Assign):
        return {t.id for t in node.targets if isinstance(t, ast.Name)}
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return {node.target.id}
    return set()


def tools_folder(team_file: Path | None) -> Path | None:
    return team_file.resolve().parent / TOOLS_FOLDER if team_file is not None else None
