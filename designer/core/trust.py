"""What a run would execute, and the user's remembered answer about it.

Opening or validating a team file runs nothing. A *run* may import user tool modules,
start MCP server processes, or execute Python code locally; :func:`code_manifest` lists
exactly those (module files with their SHA-256, commands with arguments and working
folder) so the window and the CLI can ask first. The answer is stored per content hash
in a :class:`TrustStore` (a JSON file); when a file changes its hash changes, so the
question comes back.

Store format (``trust.json``)::

    {"format": "team-designer-trust/v1",
     "entries": {"<key>": {"kind": "module", "title": "...", "files": {"/abs/x.py": "<sha256>"},
                           "command": [], "cwd": null, "trusted_at": "2026-01-01T12:00:00+00:00"}}}

``key`` is the SHA-256 of the item's canonical description (kind, files with hashes,
command, arguments, working folder, environment references), so any change is a new key.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path
from typing import Iterable, Literal, Protocol, Sequence

from .builtins import BUILTIN_TOOLS
from .spec import McpServerSpec, TeamSpec
from .tool_introspect import IntrospectionError, ToolLocations, local_dependencies, resolve_module, sha256_file

TRUST_FORMAT = "team-designer-trust/v1"
#: Arguments naming files up to this size are hashed too (a server script); larger ones are data.
MAX_HASHED_BYTES = 20_000_000

CodeKind = Literal["module", "mcp", "python"]


@dataclass(frozen=True)
class CodeItem:
    """One thing a run would execute that the user must trust first."""

    kind: CodeKind
    title: str
    tools: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()  # (absolute path, sha256)
    command: tuple[str, ...] = ()
    cwd: str | None = None
    env: tuple[tuple[str, str], ...] = ()  # names and references, never secret values
    scope: str = ""  # for local code execution: the team file it is trusted for

    @property
    def key(self) -> str:
        canonical = json.dumps(
            [self.kind, list(self.files), list(self.command), self.cwd, list(self.env), self.scope], sort_keys=True
        )
        return sha256(canonical.encode("utf-8")).hexdigest()

    def describe(self) -> list[str]:
        lines = [f"{self.title}" + (f"  (tools: {', '.join(self.tools)})" if self.tools else "")]
        if self.command:
            lines.append("    command: " + " ".join(_quote(part) for part in self.command))
            lines.append(f"    working folder: {self.cwd or '(current folder)'}")
            for name, value in self.env:
                lines.append(f"    environment: {name}={value}")
        for path, digest in self.files:
            lines.append(f"    {path}  sha256:{digest}")
        if self.scope:
            lines.append(f"    for: {self.scope}")
        return lines


def _quote(part: str) -> str:
    return part if part and all(c.isalnum() or c in "-_./:=@+," for c in part) else json.dumps(part)


def describe_items(items: Sequence[CodeItem]) -> str:
    return "\n".join(line for item in items for line in item.describe())


# --- what a run would execute ------------------------------------------------------------------


def used_tool_ids(spec: TeamSpec) -> list[str]:
    """Tools the run builds: those of the assistant agents taking part, in order."""
    seen: dict[str, None] = {}
    for agent_id in spec.participants():
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
    """The executable the command names (looked up on PATH, or relative to the working folder)."""
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
            continue
    return tuple(out.items())


def mcp_item(tool_id: str, server: McpServerSpec, locations: ToolLocations) -> CodeItem:
    cwd = mcp_cwd(server, locations)
    program = mcp_program(server, cwd) or server.command
    # Files named by arguments (a server script) are part of what runs: a change asks again.
    arg_files = [(cwd or Path.cwd()) / a if not Path(a).is_absolute() else Path(a) for a in server.args if a and not a.startswith("-")]
    scripts = [Path(program)] if locations.base_dir and Path(program).is_relative_to(locations.base_dir) else []
    return CodeItem(
        kind="mcp",
        title=f"MCP server {tool_id!r} (a program started for the run)",
        tools=(tool_id,),
        files=_hashed_files([*scripts, *arg_files]),
        command=(program, *server.args),
        cwd=str(cwd) if cwd else None,
        env=tuple(sorted(server.env.items())),
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
        names += [a for a in spec.participants() if a in spec.agents and spec.agents[a].kind == "code_executor"]
    return names


def code_manifest(
    spec: TeamSpec, locations: ToolLocations, team_file: str | Path | None = None, tool_ids: Sequence[str] | None = None
) -> list[CodeItem]:
    """Everything a run of ``spec`` would import, start or execute on this computer
    (or, with ``tool_ids``, what calling just those tools would).

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
        elif tool.mcp is not None:
            items.append(mcp_item(tool_id, tool.mcp, locations))
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
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        base = Path(os.environ["APPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "team-designer" / "trust.json"


class TrustStore:
    """The user's trust decisions in one JSON file; a damaged file counts as empty, never as trust."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("format") != TRUST_FORMAT or not isinstance(data.get("entries"), dict):
            return {}
        return {k: v for k, v in data["entries"].items() if isinstance(v, dict)}

    def is_trusted(self, item: CodeItem) -> bool:
        return item.key in self._load()

    def untrusted(self, items: Sequence[CodeItem]) -> list[CodeItem]:
        known = self._load()
        return [item for item in items if item.key not in known]

    def trust(self, items: Iterable[CodeItem]) -> None:
        entries = self._load()
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for item in items:
            entries[item.key] = {
                "kind": item.kind,
                "title": item.title,
                "files": dict(item.files),
                "command": list(item.command),
                "cwd": item.cwd,
                "scope": item.scope,
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
