"""Save and Save As in the window when the file cannot be written: a message box, never a traceback.

The file dialogs and message boxes are Qt's static functions, answered here by monkeypatching
them, so the FileManager's own dialog code runs. After a failed save the design stays open
and modified (nothing is lost), and a later save to a good place works.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from designer.core import teamfile
from designer.core.edits import new_team, set_team_field
from designer.core.teamfile import dump_team
from designer.core.yamlio import load_team
from designer.ui.document.files import FileManager


@pytest.fixture
def files(make_controller: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A FileManager with unsaved changes and its real dialogs; ``files.boxes`` records warnings."""
    window = QWidget()
    qtbot.addWidget(window)
    controller = make_controller(new_team("Precious"), None)
    controller.edit("rename", set_team_field, "description", "unsaved work")
    manager = FileManager(controller, window)
    boxes: list[tuple[str, str]] = []

    def warning(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        boxes.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    manager.boxes = boxes
    yield manager
    manager.discard_recovery()
    manager.release_session()


def answer_save_dialog(monkeypatch: pytest.MonkeyPatch, path: Path | str) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(path), "")))


def refuse_new_files(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Make ``folder`` read-only: by permissions, or (root ignores them) by refusing new files in it."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return
    real = tempfile.mkstemp

    def mkstemp(*args: Any, dir: Any = None, **kwargs: Any) -> tuple[int, str]:  # noqa: A002 - tempfile's name
        if dir is not None and Path(dir) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(folder))
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(teamfile.tempfile, "mkstemp", mkstemp)


@pytest.mark.parametrize("where", ["a read-only folder", "a missing folder", "a folder's own name"])
def test_save_as_to_a_place_that_cannot_be_written_shows_a_message(files: Any, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch, where: str):
    if where == "a read-only folder":
        folder = tmp_path / "ro"
        folder.mkdir()
        target, reason = folder / "team.yaml", "Permission denied"
        refuse_new_files(monkeypatch, folder)
    elif where == "a missing folder":
        target, reason = tmp_path / "gone" / "team.yaml", "the folder does not exist"
    else:
        target, reason = tmp_path / "taken.yaml", "it is a folder"
        target.mkdir()
    answer_save_dialog(monkeypatch, target)
    try:
        assert files.save() is False  # no path yet: Save asks where, like Save As
    finally:
        if target.parent.exists():
            target.parent.chmod(0o755)
    assert files.boxes == [("Cannot save", (f"{target} could not be written: {reason}.\n"
                                            "Nothing was lost: the design is still open."))]
    assert files.modified and files.controller.path is None
    assert files.controller.spec.description == "unsaved work"
    assert not target.is_file()
    # The same design saves fine to a place that can be written.
    good = tmp_path / "good.yaml"
    answer_save_dialog(monkeypatch, good)
    assert files.save_as() is True
    assert not files.modified and load_team(good).spec == files.controller.spec


def test_saving_an_opened_file_whose_folder_became_read_only_keeps_the_work(files: Any, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "project"
    folder.mkdir()
    target = folder / "team.yaml"
    answer_save_dialog(monkeypatch, target)
    assert files.save_as() is True
    files.controller.edit("describe", set_team_field, "description", "second thoughts")
    refuse_new_files(monkeypatch, folder)
    try:
        assert files.save() is False
    finally:
        folder.chmod(0o755)
    assert [title for title, _ in files.boxes] == ["Cannot save"] and "Permission denied" in files.boxes[0][1]
    assert files.modified and "second thoughts" not in target.read_text()


def test_opening_a_file_removes_stale_temporary_files_of_killed_saves(files: Any, tmp_path: Path):
    target = tmp_path / "team.yaml"
    target.write_text(dump_team(new_team("On disk")))
    name_hash = teamfile._name_hash(target.name)
    child = subprocess.Popen([sys.executable, "-c", "pass"])  # a save's process that is gone now
    child.wait()
    child_pid = child.pid
    killed = tmp_path / f".td-{name_hash}-{child_pid}-deadbeef.tmp"
    live = tmp_path / f".td-{name_hash}-{os.getpid()}-livesave.tmp"
    for path in (killed, live):
        path.write_text("partial")
    files.ask_save = lambda name: "discard"
    assert files.open(str(target)) is True
    assert files.controller.spec.name == "On disk"
    assert not killed.exists() and live.exists()
