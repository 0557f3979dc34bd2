"""Where Team Designer keeps per-user files (trust store, probe results, the log), Qt-free.

One function decides the folder so the command line's files and the window's log end up
side by side, where a user reporting a bug can find them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: The checkout (or installed tree) the package sits in: resources/ and teams/ live beside designer/.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
RESOURCES_DIR = PROJECT_ROOT / "resources"
EXAMPLES_DIR = PROJECT_ROOT / "teams"

#: Overrides the data folder (the test suite points it at a temporary folder).
DATA_DIR_ENV = "TEAM_DESIGNER_DATA_DIR"
APP_FOLDER = "team-designer"


def user_data_dir() -> Path:
    """The platform's per-user data folder for Team Designer (not created here):
    ``$XDG_DATA_HOME/team-designer`` (default ``~/.local/share``), ``%APPDATA%`` on Windows,
    ``~/Library/Application Support`` on macOS."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_FOLDER


def data_dir() -> Path:
    """:func:`user_data_dir`, unless ``TEAM_DESIGNER_DATA_DIR`` names another folder."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else user_data_dir()
