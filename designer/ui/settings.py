"""Every persistent setting in one table: key, type, default and meaning.

Tests never touch the user's real settings: the test fixtures enable Qt's test mode
(``QStandardPaths.setTestModeEnabled``) and point QSettings at a temporary folder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from collections.abc import Iterable
from typing import Any, cast

from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

ORGANIZATION = "TeamDesigner"
APPLICATION = "Team Designer"


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    meaning: str


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("window/geometry", QByteArray, QByteArray(), "main window position and size"),
        Setting("window/state", QByteArray, QByteArray(), "dock and toolbar layout"),
        Setting("files/recent", list, [], "recently opened team files, newest first"),
        Setting("files/last_folder", str, "", "folder of the last open/save dialog"),
        Setting("editor/monospace", bool, False, "system message editor uses a monospace font"),
        Setting("view/theme", str, "system", "colour theme: system (follow the system's light/dark scheme), light or dark"),
        Setting("run/autosave_seconds", int, 5, "seconds after an edit before the recovery file is written"),
        Setting("tools/folders", list, [], "more folders of tool modules (module:function), after tools/ beside the team file"),
        Setting("tools/workspace", str, "",
                "folder where each run keeps its files in a new sub-folder; empty: a temporary folder, deleted after the run"),
        Setting("run/last_inputs", str, "{}",
                "JSON: per team (its file path, or its name while unsaved) the last task and input values run"),
    )
}

MAX_RECENT = 10


def _settings() -> QSettings:
    return QSettings(ORGANIZATION, APPLICATION)


def get(key: str) -> Any:
    setting = SETTINGS[key]
    value = _settings().value(key, setting.default)
    if setting.type is list:
        if value is None:
            return []
        # QSettings gives a list setting back as a list, or as a str when it held one entry.
        return [value] if isinstance(value, str) else list(cast("Iterable[Any]", value))
    if setting.type is bool:
        return value in (True, "true", "1", 1)
    if setting.type is int:
        try:
            # An int, or its text from a file-based backend; anything else fails here and is caught.
            return int(cast("str | int", value))
        except (TypeError, ValueError):
            log.debug("setting %s holds %r, not a number: using %r", key, value, setting.default)
            return setting.default
    return value if value is not None else setting.default


def put(key: str, value: Any) -> None:
    if key not in SETTINGS:
        raise KeyError(f"unknown setting {key!r}: add it to SETTINGS first")
    _settings().setValue(key, value)


def add_recent(path: str) -> list[str]:
    recent = [p for p in get("files/recent") if p != path]
    recent.insert(0, path)
    recent = recent[:MAX_RECENT]
    put("files/recent", recent)
    return recent
