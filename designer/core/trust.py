"""What a run would execute, and the user's remembered answer about it.

Opening or validating a team file runs nothing. A *run* may import user tool modules,
start MCP server processes, or execute Python code locally; :func:`code_manifest` lists
exactly those so the window and the CLI can ask first. Trust follows content, never paths:

- a tool module: its file and the local modules it imports, each with its SHA-256;
- an MCP server: its command, arguments and working folder, and the files that run — the
  script, and for a Python server every file it can import from the script's folder, its
  working folder and a ``PYTHONPATH`` it is given (:func:`importable_files`);
- an MCP server at a URL (sse, http): its URL and header names; nothing starts here, but the
  server receives what the agents send it (:func:`designer.core.mcp_remote.remote_item`);
- local Python execution (``run_python`` with the local executor, ``code_executor`` agents):
  the code that runs is decided by the team's content — a scripted model's replies can be the
  code itself, and the agents, models, prompts and tool options decide what other models
  write and how it runs. So it is trusted for a hash of the whole team but its ``layout:``
  block (:func:`team_content_digest`); any other change to the team asks again. The team
  file's path is shown for information only: a file replaced in place asks again, the same
  content elsewhere does not.

The answer is stored per content hash in a :class:`TrustStore` (a JSON file); when anything
listed changes its hash changes, so the question comes back, saying what changed.

Store format (``trust.json``)::

    {"format": "team-designer-trust/v1",
     "entries": {"<key>": {"kind": "module", "title": "...", "files": {"/abs/x.py": "<sha256>"},
                           "command": [], "cwd": null, "scope": "", "content": "",
                           "trusted_at": "2026-01-01T12:00:00+00:00"}}}

``key`` is the SHA-256 of the item's canonical description (kind, files with hashes,
command, arguments, working folder, environment references, team content), so any change is a new key.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Iterable, Protocol, Sequence

from .builtins import BUILTIN_TOOLS
from .mcp_remote import remote_item
from .spec import McpServerSpec, TeamSpec
from .tool_introspect import (
    IntrospectionError,
    ToolLocations,
    importable_files,
    local_dependencies,
    resolve_module,
    sha256_file,
)
# CodeItem and describe_items live in trust_items (to keep files small); callers import them from here.
from .trust_items import CodeItem as CodeItem, changes_since, describe_items as describe_items

log = logging.getLogger(__name__)

TRUST_FORMAT = "team-designer-trust/v1"
#: Arguments naming files up to this size are hashed too (a server script); larger ones are data.
MAX_HASHED_BYTES = 20_000_000



# --- what a run would execute ------------------------------------------------------------------


def used_tool_ids(spec: TeamSpec) -> list[str]:
    """Tools the run builds: those of the assistant agents taking part (inner teams' too), in order."""
    seen: dict[str, None] = {}
    for agent_id in spec.running_agents():
        agent = spec.agents.get(agent_id)
        if agent is not None and agent.kind == "assistant":
            for tool_id in agent.tools:
                if tool_id in spec.tools:
                    seen.setdefault(tool_id, None)
    return list(seen)


def mcp_cwd(server: McpServerSpec, locations: ToolLocations) -> Path | None:
    """The server's working folder: its ``cwd`` relative to the team file's folder (default: that folder)."""
    if server.cwd is None:
        return locations.base_dir
    cwd = Path(server.cwd).expanduser()
    if not cwd.is_absolute() and locations.base_dir is not None:
        cwd = locations.base_dir / cwd
    return cwd.resolve()


def mcp_program(server: McpServerSpec, cwd: Path | None) -> str | None:
    """The executable the command names (looked up on PATH, or relative to the working folder);
    None when it is not found, or for a server at a URL (it has no program)."""
    if server.command is None:
        return None
    command = Path(server.command).expanduser()
    if command.is_absolute() or ("/" in server.command or os.sep in server.command):
        full = command if command.is_absolute() else (cwd or Path.cwd()) / command
        # normpath, not resolve(): a venv's python is a symlink that only works under its own name.
        return os.path.normpath(full) if full.is_file() else None
    return shutil.which(server.command)


def _hashed_files(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    out: dict[str, str] = {}
    for path in paths:
        try:
            if path.is_file() and path.stat().st_size <= MAX_HASHED_BYTES:
                out[str(path.resolve())] = sha256_file(path)
        except OSError:
            log.debug("trust: %s is unreadable, so not hashed", path, exc_info=True)
            continue
    return tuple(out.items())


def _hash_all(paths: Iterable[Path]) -> tuple[tuple[str, str], ...]:
    """Like :func:`_hashed_files` but with no size limit: an importable file is code, whatever its size."""
    out: dict[str, str] = {}
    for path in paths:
        try:
            out[str(path)] = sha256_file(path)
        except OSError:
            log.debug("trust: %s is unreadable", path, exc_info=True)
            out[str(path)] = "unreadable"  # readable later means a new hash, so the question comes back
    return tuple(out.items())


def _is_python_script(path: Path) -> bool:
    """A ``.py`` file, or a script whose ``#!`` line runs Python (``./myserver``)."""
    if path.suffix == ".py":
        return True
    try:
        with open(path, "rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _import_roots(server: McpServerSpec, scripts: Sequence[Path], cwd: Path) -> list[Path]:
    """Folders a Python server imports from: its scripts' folders (``sys.path[0]``), its working
    folder (``-m``/``-c`` put it first, and a server may add it itself) and a literal ``PYTHONPATH``."""
    roots = [p.parent for p in scripts if _is_python_script(p)] + [cwd]
    pythonpath = server.env.get("PYTHONPATH", "")
    if not pythonpath.startswith("env:"):  # a reference's value is not known here
        roots += [cwd / entry for entry in pythonpath.split(os.pathsep) if entry]
    out: list[Path] = []
    for root in roots:
        resolved = root.expanduser().resolve()
        if resolved.is_dir() and resolved not in out:
            out.append(resolved)
    return out


def mcp_item(tool_id: str, server: McpServerSpec, locations: ToolLocations) -> CodeItem:
    # Without a folder of its own the server starts in this process's folder: say which, and hash it.
    cwd = mcp_cwd(server, locations) or Path.cwd().resolve()
    program = mcp_program(server, cwd) or server.command or ""  # stdio: the record requires a command
    # Files named by arguments (a server script) are part of what runs: a change asks again.
    arg_files = [cwd / a if not Path(a).is_absolute() else Path(a) for a in server.args if a and not a.startswith("-")]
    scripts = [Path(program)] if locations.base_dir and Path(program).is_relative_to(locations.base_dir) else []
    files = dict(_hashed_files([*scripts, *arg_files]))
    folders: list[str] = []
    too_big: list[str] = []
    named = [Path(path) for path in files] + [Path(program)]
    # A script runs what it imports: a helper module beside it is as much the server as the script.
    # Every server, not only those that look like Python: a wrapper (``bash start.sh``, ``uv run``)
    # or a script without ``.py`` may start Python all the same, in these folders.
    for root in _import_roots(server, [p for p in named if p.is_file()], cwd):
        found = importable_files(root)
        if found is None:
            too_big.append(str(root))
            continue
        folders.append(str(root))
        files.update((path, digest) for path, digest in _hash_all(p for p in found if str(p) not in files))
    unchecked = (f"too many files to check on every run in {', '.join(too_big)}; give the server a folder "
                 "of its own (and set its cwd: to it)") if too_big else ""
    return CodeItem(
        kind="mcp",
        title=f"MCP server {tool_id!r} (a program started for the run)",
        tools=(tool_id,),
        files=tuple(files.items()),
        command=(program, *server.args),
        cwd=str(cwd),
        env=tuple(sorted(server.env.items())),
        folders=tuple(folders),
        unchecked=unchecked,
    )


def _runs_local_code(spec: TeamSpec, tool_ids: Sequence[str], with_agents: bool) -> list[str]:
    """Tool ids / agent ids that execute Python the model writes, on this computer."""
    names: list[str] = []
    for tool_id in tool_ids:
        tool = spec.tools[tool_id]
        builtin = BUILTIN_TOOLS.get(tool.builtin or "")
        if builtin is not None and builtin.id == "run_python" and tool.options.get("executor", "local") == "local":
            names.append(tool_id)
    if with_agents:
        names += [a for a in spec.running_agents() if a in spec.agents and spec.agents[a].kind == "code_executor"]
    return names


def team_content_digest(spec: TeamSpec) -> str:
    """SHA-256 of everything in the team that decides what its local code execution runs: all of it
    but the ``layout:`` block (node positions and view decide nothing). Field order is the
    model's and dict order the file's, so equal teams hash equally however they were made
    (loaded, edited in the window); defaults count as written, so spelling one out changes nothing.
    """
    data = spec.model_dump(mode="json", by_alias=True, exclude={"layout"})
    return sha256(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")).hexdigest()


def code_manifest(
    spec: TeamSpec,
    locations: ToolLocations,
    team_file: str | Path | None = None,
    tool_ids: Sequence[str] | None = None,
    *,
    workspace: str | Path | None = None,
) -> list[CodeItem]:
    """Everything a run of ``spec`` would import, start or execute on this computer
    (or, with ``tool_ids``, what calling just those tools would).

    ``workspace`` is only shown (the folder local code runs in, when the caller knows it); it
    is no part of any key, so a caller that does not pass it checks the same answers.

    References that cannot be resolved are left out: validation reports them and the run
    refuses to start, so nothing unlisted can run.
    """
    modules: dict[Path, tuple[str, list[str], tuple[tuple[str, str], ...]]] = {}
    items: list[CodeItem] = []
    chosen = used_tool_ids(spec) if tool_ids is None else [t for t in tool_ids if t in spec.tools]
    for tool_id in chosen:
        tool = spec.tools[tool_id]
        if tool.function is not None:
            try:
                module = resolve_module(tool.function, locations)
            except IntrospectionError:
                continue
            if module.path in modules:
                modules[module.path][1].append(tool_id)
            else:
                modules[module.path] = (module.name, [tool_id], _hashed_files(local_dependencies(module)))
        elif tool.mcp is not None:  # a program started here, or a server at a URL (see mcp_remote)
            items.append(mcp_item(tool_id, tool.mcp, locations) if tool.mcp.transport == "stdio" else remote_item(tool_id, tool.mcp))
    module_items = [
        CodeItem(kind="module", title=f"Python module {name!r} (imported for the run)", tools=tuple(tools), files=files)
        for name, tools, files in modules.values()
    ]
    local = _runs_local_code(spec, chosen, with_agents=tool_ids is None)
    if local:
        scope = str(Path(team_file).resolve()) if team_file else f"the unsaved team {spec.name!r}"
        items.append(
            CodeItem(
                kind="python",
                title="Python code the agents write, executed on this computer in the run's workspace",
                tools=tuple(local),
                command=(sys.executable,),
                scope=scope,
                content=team_content_digest(spec),
                workspace=str(Path(workspace).expanduser().resolve()) if workspace else None,
            )
        )
    return module_items + items


# --- remembered answers ---------------------------------------------------------------------------


class TrustPolicy(Protocol):
    def untrusted(self, items: Sequence[CodeItem]) -> list[CodeItem]: ...


def refused_items(items: Sequence[CodeItem], policy: TrustPolicy | None) -> list[CodeItem]:
    """What of ``items`` the user has not trusted; with no policy, all of it (nothing runs unasked)."""
    return list(items) if policy is None else policy.untrusted(items)


def approved_files(items: Sequence[CodeItem]) -> dict[str, str]:
    """File path -> SHA-256 of every module file the items list: what the loader may import."""
    return {path: digest for item in items if item.kind == "module" for path, digest in item.files}


class TrustAll:
    """Trusts everything: for tests and for callers that asked the user themselves."""

    def untrusted(self, items: Sequence[CodeItem]) -> list[CodeItem]:
        return []


def default_trust_path() -> Path:
    """The command line's store: ``$XDG_DATA_HOME/team-designer/trust.json`` (or the platform's data folder)."""
    from .paths import user_data_dir  # one definition of the folder, shared with the log and probe cache

    return user_data_dir() / "trust.json"


class TrustStore:
    """The user's trust decisions in one JSON file; a damaged file counts as empty, never as trust."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.warning("the trust store %s is unreadable; nothing counts as trusted", self.path, exc_info=True)
            return {}
        if not isinstance(data, dict) or data.get("format") != TRUST_FORMAT or not isinstance(data.get("entries"), dict):
            return {}
        return {k: v for k, v in data["entries"].items() if isinstance(v, dict)}

    def untrusted(self, items: Sequence[CodeItem]) -> list[CodeItem]:
        """The items not trusted yet, each saying what changed since an earlier version was trusted."""
        known = self._load()
        return [replace(item, changed=changes_since(item, known)) for item in items if item.unchecked or item.key not in known]

    def trust(self, items: Iterable[CodeItem]) -> None:
        entries = self._load()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for item in items:
            if item.unchecked:  # what cannot be checked cannot be remembered as safe
                continue
            entries[item.key] = {
                "kind": item.kind,
                "title": item.title,
                "files": dict(item.files),
                "command": list(item.command),
                "cwd": item.cwd,
                "scope": item.scope,
                "content": item.content,
                "trusted_at": now,
            }
        self._write({"format": TRUST_FORMAT, "entries": entries})

    def _write(self, data: dict[str, object]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".trust-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
