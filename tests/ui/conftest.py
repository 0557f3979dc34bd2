"""Qt fixtures: offscreen, isolated settings, factories that own their cleanup."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session", autouse=True)
def _isolated_qt_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Never read or write the user's real settings, recovery files or recent-file list."""
    from PySide6.QtCore import QSettings, QStandardPaths

    QStandardPaths.setTestModeEnabled(True)
    folder = tmp_path_factory.mktemp("qsettings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield


@pytest.fixture
def make_controller(qtbot: Any) -> Callable[..., Any]:
    """A DocumentController holding the given spec (or a new team)."""
    from designer.ui.controller import DocumentController

    made: list[Any] = []

    def make(spec: Any = None, path: Path | None = None) -> Any:
        controller = DocumentController()
        if spec is not None:
            controller.set_design(spec, path)
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.deleteLater()
