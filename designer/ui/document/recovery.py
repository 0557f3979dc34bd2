"""Recovery copies of unsaved designs, and finding those a crashed session left behind.

Apart from the file gestures (files.py) so the start page can offer them without importing
the team model: this module needs only Qt and the standard library.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QLockFile, QStandardPaths

log = logging.getLogger(__name__)

__all__ = ["Recovery", "pending_recoveries", "recovery_dir", "session_alive"]


def recovery_dir() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    folder = Path(base) / "recovery"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass(frozen=True)
class Recovery:
    yaml_path: Path
    original: Path | None
    saved_at: float

    def discard(self) -> None:
        for path in (self.yaml_path, self.yaml_path.with_suffix(".json")):
            path.unlink(missing_ok=True)


def session_alive(lock_path: Path) -> bool:
    """True while the window that writes this recovery file is still open (it holds the lock);
    a crashed session's lock is stale, and QLockFile takes it over."""
    lock = QLockFile(str(lock_path))
    if lock.tryLock(0):
        lock.unlock()
        return False
    return True


def pending_recoveries() -> list[Recovery]:
    """Recovery files of sessions that ended without closing normally (never a live window's)."""
    out = []
    for note in sorted(recovery_dir().glob("*.json")):
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            log.warning("ignoring the unreadable recovery note %s", note, exc_info=True)
            continue
        yaml_path = note.with_suffix(".yaml")
        if yaml_path.exists() and not session_alive(note.with_suffix(".lock")):
            original = Path(data["original"]) if data.get("original") else None
            out.append(Recovery(yaml_path, original, float(data.get("saved_at", 0))))
    return out
