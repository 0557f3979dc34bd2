"""Planted fake keys, an in-memory keyring, and a scanner that finds keys in written files.

The suite plants fake keys where real ones live (environment variables, the keyring),
runs, and at the end scans every file it wrote: a planted key in any of them is a leak.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Iterable

from keyring.backend import KeyringBackend

#: Unique per session, so a hit can only come from this run. Long and distinctive, so a
#: scan never matches by accident; 'planted' makes a hit obvious to whoever reads the failure.
PLANTED_OPENAI = f"sk-planted-openai-{secrets.token_hex(16)}"
PLANTED_ANTHROPIC = f"sk-ant-planted-{secrets.token_hex(16)}"
PLANTED_KEYRING = f"sk-planted-keyring-{secrets.token_hex(16)}"
#: Keys tests type into the GUI or put in OAI_CONFIG_LIST files (see typed_key()).
_TYPED: list[str] = []

SKIP_DIRS = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "node_modules", "team_designer.egg-info"}
MAX_FILE_BYTES = 50_000_000


def typed_key(label: str) -> str:
    """A fresh fake key for a test to type or import; the end-of-session scan looks for it too."""
    key = f"sk-planted-{label}-{secrets.token_hex(16)}"
    _TYPED.append(key)
    return key


def planted_keys() -> list[str]:
    return [PLANTED_OPENAI, PLANTED_ANTHROPIC, PLANTED_KEYRING, *_TYPED]


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in this process only: tests never touch the user's real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


def _files(root: Path, since: float | None) -> Iterable[Path]:
    if root.is_file():
        yield root
        return
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.lstat()
            except OSError:
                continue
            if not path.is_file() or path.is_symlink() or stat.st_size > MAX_FILE_BYTES:
                continue
            if since is None or stat.st_mtime >= since:
                yield path


def scan_for_secrets(roots: Iterable[Path], keys: Iterable[str], *, since: float | None = None) -> list[tuple[Path, str]]:
    """(file, which key) for every file under ``roots`` holding a key (or its distinctive tail).

    ``since`` limits the scan to files modified at or after that time (shared folders)."""
    needles = []
    for key in keys:
        needles.append((key, key.encode()))
        needles.append((key, key[-16:].encode()))  # an echo that kept only the end
    hits: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for root in roots:
        if not root.exists():
            continue
        for path in _files(root, since):
            if path in seen:
                continue
            seen.add(path)
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for key, needle in needles:
                if needle in data:
                    hits.append((path, key[:14] + "…"))
                    break
    return hits
