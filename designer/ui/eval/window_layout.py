"""How the Evaluate window is laid out: the team note on top, the toolbar, setup over run.

``window`` is the EvalWindow (typed Any: its module imports this one).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QToolBar, QVBoxLayout, QWidget


class TeamBar(QWidget):
    """Which team file the evaluation runs, and a Save button when it must be saved first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eval_team_bar")
        self.label = QLabel("", self)
        self.label.setObjectName("eval_team_note")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton("Save team", self)
        self.save_button.setObjectName("eval_save_team")
        self.save_button.setToolTip("Save the team file (as File ▸ Save in the main window)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.save_button)

    def set_text(self, text: str, *, save: bool) -> None:
        self.label.setText(text)
        self.save_button.setVisible(save)


def build_layout(window: Any) -> None:
    window.team_bar = TeamBar(window)
    window.team_bar.save_button.clicked.connect(window.save_team)
    toolbar = QToolBar("Evaluation", window)
    toolbar.setObjectName("eval_toolbar")
    toolbar.setMovable(False)
    for name in ("open", "save", "save_as"):
        toolbar.addAction(window.actions_[name])
    window.addToolBar(toolbar)
    window.run_side.connect_buttons()

    splitter = QSplitter(Qt.Orientation.Vertical, window)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(window.setup)
    splitter.addWidget(window.run_side)
    # The matrix is what an evaluation is run for: it gets the larger share of new space.
    splitter.setStretchFactor(0, 2)
    splitter.setStretchFactor(1, 3)
    central = QWidget(window)
    layout = QVBoxLayout(central)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(window.team_bar)
    layout.addWidget(splitter, 1)
    window.setCentralWidget(central)
    window.statusBar()
