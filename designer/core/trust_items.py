"""One thing a run would execute, as the trust question lists it (see :mod:`designer.core.trust`).

Kept apart from the manifest and the store so each stays small; ``designer.core.trust``
re-exports what callers use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from hashlib import sha256
from typing import Literal, Sequence

#: A listing shows this many files of one item; more are hashed all the same.
MAX_LISTED_FILES = 40
#: Where local code runs when the caller does not pass the folder (runtime/tools.py makes it).
RUN_WORKSPACE = (
    "the run's workspace: a new temporary folder made for each run and deleted after it, unless a "
    "workspace folder is given (--workspace on the command line; Tools > Tool folders… in the window)"
)

CodeKind = Literal["module", "mcp", "python", "remote"]  # remote: an MCP server at a URL


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
    scope: str = ""  # for local code execution: the team file, shown only (trust follows ``content``)
    content: str = ""  # for local code execution: team_content_digest() of the team
    folders: tuple[str, ...] = ()  # folders whose importable files are all in ``files`` (a Python MCP server's)
    unchecked: str = ""  # why this cannot be checked; such an item is never remembered as trusted
    url: str = ""  # a remote MCP server's URL (what is trusted, with its headers)
    headers: tuple[tuple[str, str], ...] = ()  # (name, value) with secrets as their references, never values
    transport: str = ""  # shown only: 'SSE' or 'streamable HTTP'
    # Shown only, not part of the key: the caller may or may not know the run's folder yet.
    workspace: str | None = field(default=None, compare=False)
    # Shown only: what differs from the version trusted before (filled in by TrustStore.untrusted).
    changed: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        # Items without the newer fields keep the keys they had, so tool modules trusted
        # before are not asked about again.
        canonical: list[object] = [self.kind, list(self.files), list(self.command), self.cwd, list(self.env), self.content]
        if self.kind == "python":  # trying one tool is not running the team's code_executor agents
            canonical.append(list(self.tools))
        if self.folders or self.unchecked:
            canonical += [list(self.folders), self.unchecked]
        if self.url:
            canonical += [self.url, list(self.headers)]
        return sha256(json.dumps(canonical, sort_keys=True).encode("utf-8")).hexdigest()

    def describe(self) -> list[str]:
        lines = [f"{self.title}" + (f"  (tools: {', '.join(self.tools)})" if self.tools else "")]
        lines += [f"    changed since you trusted it: {what}" for what in self.changed]
        if self.unchecked:
            lines.append(f"    cannot be trusted: {self.unchecked}")
        if self.command:
            lines.append("    command: " + " ".join(_quote(part) for part in self.command))
            where = (self.workspace or RUN_WORKSPACE) if self.kind == "python" else (self.cwd or "(current folder)")
            lines.append(f"    working folder: {where}")
            for name, value in self.env:
                lines.append(f"    environment: {name}={value}")
        if self.kind == "python":
            lines.append(f"    trusted for the team's content  sha256:{self.content}")
            lines.append("    (everything in the team but its layout: block; any other change to the team asks again)")
            if self.scope:
                lines.append(f"    team: {self.scope}  (for information: trust follows the content, not this path)")
        if self.url:
            lines += _remote_lines(self)
        for path, digest in self.files[:MAX_LISTED_FILES]:
            lines.append(f"    {path}  sha256:{digest}")
        if len(self.files) > MAX_LISTED_FILES:
            lines.append(f"    … and {len(self.files) - MAX_LISTED_FILES} more files, all hashed")
        for folder in self.folders:
            lines.append(f"    every Python file it can import from {folder} is hashed: a change to any of them asks again")
        return lines


def _remote_lines(item: CodeItem) -> list[str]:
    lines = [f"    url: {item.url}" + (f"  ({item.transport})" if item.transport else "")]
    lines += [f"    header: {name}: {value}" for name, value in item.headers]
    return lines + ["    nothing is started on this computer, but the server receives the arguments of every call the agents",
                    "    make to its tools: anything from the conversation can reach it"]


def _quote(part: str) -> str:
    return part if part and all(c.isalnum() or c in "-_./:=@+," for c in part) else json.dumps(part)


def describe_items(items: Sequence[CodeItem]) -> str:
    return "\n".join(line for item in items for line in item.describe())


def changes_since(item: CodeItem, entries: dict[str, dict[str, object]]) -> tuple[str, ...]:
    """What differs from the latest trusted entry for the same thing (same kind, title and
    command; for local execution the same team file), so the question says what changed."""
    same = [
        e for e in entries.values()
        if e.get("kind") == item.kind and e.get("title") == item.title and e.get("command") == list(item.command)
        and (item.kind != "python" or e.get("scope") == item.scope)
    ]
    if not same:
        return ()
    before = max(same, key=lambda e: str(e.get("trusted_at", "")))
    if item.kind == "python":
        return ("the team's content (anything but its layout: block)",) if before.get("content") != item.content else ()
    stored = before.get("files")
    old: dict[object, object] = stored if isinstance(stored, dict) else {}
    now = dict(item.files)
    out = [path for path, digest in item.files if path in old and old[path] != digest]
    out += [f"{path} (new)" for path in now if path not in old]
    out += [f"{path} (gone)" for path in old if path not in now]
    return tuple(out)
