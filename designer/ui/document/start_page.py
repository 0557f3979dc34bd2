"""The start page: New, Open, the example gallery and recent files."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.paths import EXAMPLES_DIR


def example_teams(folder: Path = EXAMPLES_DIR) -> list[tuple[Path, str, str]]:
    """(path, name, "pattern · first line of the description") of every example.

    Read as plain YAML, not loaded as teams: the start page shows before the team model is
    imported (about 175 ms of pydantic), and opening an example validates it anyway (a broken
    one opens in the repair view). The shipped examples are checked by the test suite.
    """
    import yaml  # here: the start page is the only part of the first screen that reads YAML

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    out = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if not isinstance(data, dict) or not isinstance(data.get("name"), str):
            continue
        orchestration = data.get("orchestration")
        pattern = orchestration.get("pattern") if isinstance(orchestration, dict) else None
        description = data.get("description")
        summary = (description.strip().splitlines() or [""])[0] if isinstance(description, str) else ""
        out.append((path, data["name"], f"{pattern or '?'} · {summary}"))
    return out


class StartPageWidget(QWidget):
    newRequested = Signal()  # noqa: N815 - Qt naming
    openRequested = Signal(str)  # noqa: N815 - a path
    #: An example of the gallery: opened as a copy, so the shipped file is never overwritten.
    exampleRequested = Signal(str)  # noqa: N815 - a path
    openDialogRequested = Signal()  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("<h2>Team Designer</h2><p>Design a multi-agent team, run it live, share it as YAML.</p>", self)
        new_button = QPushButton("&New team", self)
        open_button = QPushButton("&Open…", self)
        new_button.clicked.connect(self.newRequested)
        open_button.clicked.connect(self.openDialogRequested)
        buttons = QHBoxLayout()
        buttons.addWidget(new_button)
        buttons.addWidget(open_button)
        buttons.addStretch(1)

        self.examples = QListWidget(self)
        self.examples.setObjectName("examples")
        for path, name, summary in example_teams():
            item = QListWidgetItem(f"{name}\n{summary}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.examples.addItem(item)
        self.recent = QListWidget(self)
        self.recent.setObjectName("recent")
        # itemActivated only: it already fires on a double click (or a single one, where the
        # style says so) and on Enter; listening to itemDoubleClicked too opened a file twice,
        # the second time from an item the first open had deleted (the recent list is rebuilt).
        self.examples.itemActivated.connect(self._on_example_activated)
        self.recent.itemActivated.connect(self._on_recent_activated)

        lists = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        left.addWidget(QLabel("<b>Examples</b> — each runs offline on the embedded model", self))
        left.addWidget(self.examples)
        right.addWidget(QLabel("<b>Recent files</b>", self))
        right.addWidget(self.recent)
        lists.addLayout(left, 3)
        lists.addLayout(right, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addLayout(lists, 1)

    def set_recent(self, paths: list[str]) -> None:
        self.recent.clear()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name}\n{path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent.addItem(item)

    def _on_example_activated(self, item: QListWidgetItem | None) -> None:
        if item is not None:  # None: the activated row is gone
            self.exampleRequested.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def _on_recent_activated(self, item: QListWidgetItem | None) -> None:
        # The path is read before emitting: opening rebuilds this list, deleting the item.
        if item is not None:
            self.openRequested.emit(str(item.data(Qt.ItemDataRole.UserRole)))
