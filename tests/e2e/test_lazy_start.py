"""The first screen is built from light parts only; the editor comes when it is first used.

Contract: starting the window (to its idle start page) imports neither pydantic nor the team
model and builds no editor part (no docks, no canvas); the document's actions are disabled; the
editor's modules are then imported in idle time (``editorPreloaded``), and File ▸ New builds
the editor: the canvas shows, the docks exist and are listed in View, Run follows validation.
Closing the window from the start page builds nothing. Each check runs in a fresh process, as
a user's start is (the test process has imported everything long before).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import json, sys
from PySide6.QtCore import QStandardPaths, QTimer
from designer.ui.app import make_application
app = make_application()
QStandardPaths.setTestModeEnabled(True)
from designer.ui.main_window import MainWindow
window = MainWindow(restore_settings=False)
window.show()
out = {}

def view_menu():
    menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View")
    return [a.text().replace("&", "") for a in menu.actions() if a.text()]

def idle():
    out["idle"] = {
        "pydantic": "pydantic" in sys.modules, "spec": "designer.core.spec" in sys.modules,
        "built": window.editor_built, "docks": len(window.findChildren(__import__("PySide6.QtWidgets").QtWidgets.QDockWidget)),
        "run_enabled": window.window_actions["run"].isEnabled(), "save_enabled": window.window_actions["save"].isEnabled(),
        "menus": [a.text().replace("&", "") for a in window.menuBar().actions()], "view": view_menu(),
        "title": window.windowTitle(),
    }
    if sys.argv[1] == "close":
        out["closed"] = window.close()
        out["built_after_close"] = window.editor_built
        finish()

def preloaded():
    out["preloaded"] = {"spec": "designer.core.spec" in sys.modules, "editor_room": "designer.ui.editor_room" in sys.modules,
                        "built": window.editor_built}
    window.window_actions["new"].trigger()
    app.processEvents()
    out["new"] = {"built": window.editor_built, "canvas": window.stack.currentWidget() is window.canvas,
                  "docks": sorted(window.docks), "view": view_menu(), "run_enabled": window.window_actions["run"].isEnabled(),
                  "title": window.windowTitle()}
    window.files.discard_recovery()
    finish()

def finish():
    print(json.dumps(out), flush=True)
    app.quit()

window.editorPreloaded.connect(preloaded)
QTimer.singleShot(0, idle)
QTimer.singleShot(120_000, finish)  # a safety limit, never the expected path
app.exec()
"""


def start(mode: str, tmp_path: Path) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "c"),
           "XDG_DATA_HOME": str(tmp_path / "d")}
    done = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, env=env, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_start_page_imports_no_team_model_and_builds_no_editor_until_new(tmp_path):
    out = start("new", tmp_path)
    idle = out["idle"]
    assert idle["pydantic"] is False and idle["spec"] is False and idle["built"] is False
    assert idle["docks"] == 0 and not idle["run_enabled"] and not idle["save_enabled"]
    assert idle["menus"] == ["File", "Edit", "Run", "View", "Tools", "Help"]
    assert "Agent" not in idle["view"] and idle["title"].startswith("Start")
    assert out["preloaded"] == {"spec": True, "editor_room": True, "built": False}
    new = out["new"]
    assert new["built"] and new["canvas"] and new["run_enabled"]
    assert new["docks"] == ["agent", "history", "pattern", "problems", "team", "tools", "transcript"]
    assert new["view"][:6] == ["Agent", "Team", "Pattern", "Transcript", "Problems", "Tools"]
    assert new["title"].startswith("Untitled")


def test_closing_from_the_start_page_builds_nothing(tmp_path):
    out = start("close", tmp_path)
    assert out["closed"] is True and out["built_after_close"] is False
