"""The repair view: a team file that did not load, as text beside its located problems.

A typo, a hand edit or a colleague's newer format must not lock the user out of a file: its
text opens here, the problems are listed with their lines, and they are checked again a
moment after the user stops typing. Apply turns the fixed text into the open design (with
the file's path, so Save writes the file); nothing in the text is ever executed, because
checking it is the same safe parse that opening a file does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ...core.finish import plural
from ...core.problems import Problem
from ...core.safefile import read_regular_file
from ...core.spec import TeamSpec
from ...core.yamlio import MAX_BYTES, parse_team
from ..widgets.code_editor import CodeEditorWidget

#: How long after the last keystroke the text is checked again (a parse per key would stutter).
CHECK_DELAY_MS = 400


def problem_label(problem: Problem) -> str:
    """'Line 3, column 1: YAML syntax: ... [agents.writer]', the form both text views list."""
    where = f"Line {problem.line}, column {problem.column or 1}: " if problem.line is not None else ""
    return where + problem.message + (f" [{problem.dotted_path}]" if problem.path else "")


def read_repairable(path: str) -> tuple[str | None, str]:
    """The text of a file that can be repaired here, or None and why not ('' when the file
    cannot be read at all: the usual open error says that better)."""
    try:
        data = read_regular_file(path, MAX_BYTES)
    except (OSError, ValueError):
        return None, ""
    if len(data) > MAX_BYTES:
        return None, f"It is larger than {MAX_BYTES // (1024 * 1024)} MiB, too large to repair here."
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "Its text is not UTF-8, so it cannot be edited here: save it as UTF-8 in a text editor, then open it again."


class RepairViewWidget(QWidget):
    """Text editor, problem list, Apply (Ctrl+Enter; Ctrl+S applies and saves) and Cancel."""

    #: The fixed design, the file it came from, and whether the user also asked to save it.
    applied = Signal(object, str, bool)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("repair_view")
        self.path = ""
        self.problems: list[Problem] = []
        self._spec: TeamSpec | None = None
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.explanation = QLabel("This file did not load. Fix the problems listed beside it, then press Apply "
                                  "(Ctrl+Enter) to open it; Ctrl+S applies and saves. Nothing in the file runs.")
        self.explanation.setWordWrap(True)
        self.editor = CodeEditorWidget()
        self.editor.setObjectName("repair_editor")
        self.editor.claim_save = True
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("repair_problems")
        self.problem_list.setWordWrap(True)
        self.problem_list.setAlternatingRowColors(True)
        self.problem_list.setSpacing(2)
        self.problem_list.setMinimumWidth(220)
        problems_box = QWidget()
        box = QVBoxLayout(problems_box)
        box.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Problems")
        bold = heading.font()
        bold.setBold(True)
        heading.setFont(bold)
        box.addWidget(heading)
        box.addWidget(self.problem_list, 1)
        splitter = QSplitter()
        splitter.addWidget(self.editor)
        splitter.addWidget(problems_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.status = QLabel()
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Open the fixed text as the design (Ctrl+Enter)")
        self.apply_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Leave the file as it is and go back")
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.explanation)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.applyRequested.connect(self._on_apply)
        self.editor.saveRequested.connect(self._on_apply_and_save)
        self.apply_button.clicked.connect(self._on_apply)
        self.cancel_button.clicked.connect(self.cancelled)
        self.problem_list.itemClicked.connect(self._on_problem_chosen)
        self.problem_list.itemActivated.connect(self._on_problem_chosen)

    @property
    def name(self) -> str:
        return Path(self.path).name

    def load(self, path: str, text: str, problems: list[Problem]) -> None:
        """Show a file that failed to load with the problems opening it found."""
        self.path = path
        self.title.setText(f"Repair {self.name}")
        self._timer.stop()
        self.editor.setPlainText(text)
        self._timer.stop()  # the text was set, not typed: the problems are already known
        self._show(problems, None)
        if problems and problems[0].line is not None:
            self.editor.go_to(problems[0])

    def check_now(self) -> None:
        """Parse the text as opening would (safe YAML, then the schema); never runs anything."""
        self._timer.stop()
        result = parse_team(self.editor.toPlainText(), self.path or None)
        self._show(result.problems, result.spec)

    @property
    def pending(self) -> bool:
        """The text changed since it was last checked."""
        return self._timer.isActive()

    def _show(self, problems: list[Problem], spec: TeamSpec | None) -> None:
        self.problems = list(problems)
        self._spec = spec
        self.problem_list.clear()
        for index, problem in enumerate(self.problems):
            item = QListWidgetItem(problem_label(problem))
            item.setData(Qt.ItemDataRole.UserRole, index)  # the problem this row stands for
            item.setToolTip(problem.hint or problem.format())
            self.problem_list.addItem(item)
        self.editor.set_problems(self.problems)
        self.apply_button.setEnabled(spec is not None)
        if spec is not None:
            self.status.setText("✓ The text is a valid team file: Apply opens it.")
        else:
            count = len(self.problems)
            self.status.setText(f"{plural(count, 'problem')} to fix before it can be opened.")

    def _on_text_changed(self) -> None:
        self._timer.start()  # restarted by each keystroke: checked once the user pauses

    def _on_problem_chosen(self, item: QListWidgetItem) -> None:
        index = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(index, int) and 0 <= index < len(self.problems):
            self.editor.go_to(self.problems[index])

    def _apply(self, save: bool) -> None:
        self.check_now()
        if self._spec is not None:
            self.applied.emit(self._spec, self.path, save)
        else:
            self.status.setText("Not applied: " + self.status.text())

    def _on_apply(self) -> None:
        self._apply(False)

    def _on_apply_and_save(self) -> None:
        self._apply(True)
