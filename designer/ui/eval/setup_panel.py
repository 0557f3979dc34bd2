"""The setup half of the Evaluate window: tasks, default checks and repeats, variants, problems.

It edits an EvalDraft in place and says ``changed`` after each edit; the window checks the
draft (as the CLI would load it) and hands the problems back with ``show_problems``. A
problem is clicked to select what it is about: the task's row, the variant, the defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem,
    QPushButton, QSpinBox, QSplitter, QTableView, QVBoxLayout, QWidget,
)

from ...core.eval_spec import MAX_REPEATS
from ...core.problems import Problem
from ...core.spec import TeamSpec
from .checks_text import HELP
from .draft import EvalDraft
from .tasks_model import TasksModel
from .variant_dialog import VariantDialog

ProblemTarget = tuple[str, Any]  # ("task", row) | ("variant", id) | ("defaults", None) | ("other", None)


def problem_target(problem: Problem) -> ProblemTarget:
    path = problem.path
    if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
        return "task", path[1]
    if len(path) >= 2 and path[0] == "variants":
        return "variant", path[1]
    if path and path[0] == "defaults":
        return "defaults", None
    return "other", None


def problem_text(problem: Problem) -> str:
    """One line without the temporary file's name: the message, where, and the hint."""
    where = f" [{problem.dotted_path}]" if problem.path else ""
    return f"{problem.message}{where}" + (f" (hint: {problem.hint})" if problem.hint else "")


def variant_summary(vid: str, fields: dict[str, Any]) -> str:
    parts = []
    if fields.get("team"):
        parts.append(f"team file {fields['team']}")
    if fields.get("model"):
        parts.append(f"every agent on {fields['model']}")
    for agent, model in (fields.get("agent_models") or {}).items():
        parts.append(f"{agent} on {model}")
    for agent in fields.get("system_messages") or {}:
        parts.append(f"{agent}'s system message")
    parts += [key for key in ("options", "termination", "orchestration") if fields.get(key)]
    return f"{vid} — " + (", ".join(parts) if parts else "no changes")


class SetupPanel(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.draft: EvalDraft | None = None
        self.team: TeamSpec | None = None
        self.base_dir: Path | None = None
        #: The open Add / Edit variant dialog (a test fills it like a user).
        self.variant_dialog: VariantDialog | None = None
        self._editing_variant = ""

        self.tasks_model = TasksModel(self)
        self.tasks_model.edited.connect(self.changed)
        self.tasks_view = QTableView(self)
        self.tasks_view.setObjectName("eval_tasks")
        self.tasks_view.setModel(self.tasks_model)
        self.tasks_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.tasks_view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                        | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.tasks_view.horizontalHeader().setStretchLastSection(False)
        self.tasks_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.add_task_button = QPushButton("Add task", self)
        self.add_task_button.clicked.connect(self.add_task)
        self.remove_task_button = QPushButton("Remove", self)
        self.remove_task_button.setToolTip("Remove the selected tasks")
        self.remove_task_button.clicked.connect(self.remove_selected_tasks)
        task_buttons = QHBoxLayout()
        task_buttons.addWidget(QLabel("<b>Tasks</b>", self))
        task_buttons.addStretch(1)
        task_buttons.addWidget(self.add_task_button)
        task_buttons.addWidget(self.remove_task_button)

        self.default_checks = QLineEdit(self)
        self.default_checks.setObjectName("eval_default_checks")
        self.default_checks.setPlaceholderText("e.g. finish-reason: completed, termination; max-messages: 8")
        self.default_checks.setToolTip("Checks every task has, before its own. " + HELP)
        self.default_checks.textEdited.connect(self._on_defaults_edited)
        self.repeats = QSpinBox(self)
        self.repeats.setObjectName("eval_repeats")
        self.repeats.setRange(1, MAX_REPEATS)
        self.repeats.setToolTip("How many times each task runs per variant (a task's Repeats cell overrides it)")
        self.repeats.valueChanged.connect(self._on_defaults_edited)
        defaults = QHBoxLayout()
        defaults.addWidget(QLabel("Default checks", self))
        defaults.addWidget(self.default_checks, 1)
        defaults.addWidget(QLabel("Repeats", self))
        defaults.addWidget(self.repeats)

        self.variants = QListWidget(self)
        self.variants.setObjectName("eval_variants")
        self.variants.itemDoubleClicked.connect(lambda _: self.edit_variant())
        self.add_variant_button = QPushButton("Add variant…", self)
        self.add_variant_button.setToolTip("Another system message or model for some agents, or another team file")
        self.add_variant_button.clicked.connect(lambda: self.open_variant_dialog(""))
        self.edit_variant_button = QPushButton("Edit…", self)
        self.edit_variant_button.clicked.connect(self.edit_variant)
        self.remove_variant_button = QPushButton("Remove", self)
        self.remove_variant_button.clicked.connect(self.remove_variant)
        variant_buttons = QVBoxLayout()
        for button in (self.add_variant_button, self.edit_variant_button, self.remove_variant_button):
            variant_buttons.addWidget(button)
        variant_buttons.addStretch(1)
        variants_row = QHBoxLayout()
        variants_row.addWidget(self.variants, 1)
        variants_row.addLayout(variant_buttons)

        self.problems = QListWidget(self)
        self.problems.setObjectName("eval_problems")
        self.problems.setWordWrap(True)
        self.problems.itemActivated.connect(self._on_problem_chosen)
        self.problems.itemClicked.connect(self._on_problem_chosen)

        tasks_box = QWidget(self)
        tasks_layout = QVBoxLayout(tasks_box)
        tasks_layout.setContentsMargins(0, 0, 0, 0)
        tasks_layout.addLayout(task_buttons)
        tasks_layout.addWidget(self.tasks_view, 1)
        #: Tasks from the file's tasks_file (CSV / JSONL) run too; the table does not show them.
        self.tasks_file_note = QLabel("", tasks_box)
        self.tasks_file_note.setObjectName("eval_tasks_file_note")
        self.tasks_file_note.setWordWrap(True)
        self.tasks_file_note.hide()
        tasks_layout.addWidget(self.tasks_file_note)
        tasks_layout.addLayout(defaults)
        side = QWidget(self)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("<b>Variants</b> (base: the team file as it is)", side))
        side_layout.addLayout(variants_row, 1)
        side_layout.addWidget(QLabel("<b>Problems</b>", side))
        side_layout.addWidget(self.problems, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(tasks_box)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # --- the draft -------------------------------------------------------------------------

    def set_draft(self, draft: EvalDraft | None, team: TeamSpec | None, base_dir: Path | None) -> None:
        self.draft, self.team, self.base_dir = draft, team, base_dir
        inputs: dict[str, None] = {}
        if team is not None:
            from ...core.task import TaskError, placeholders

            inputs.update(dict.fromkeys(team.inputs))
            try:
                inputs.update(dict.fromkeys(placeholders(team.task)))
            except TaskError:
                pass  # the team's own problem; validation says so
        if draft is not None:
            inputs.update(dict.fromkeys(draft.input_names()))
        self.tasks_model.set_rows(draft.tasks if draft is not None else [], list(inputs))
        header = self.tasks_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(self.tasks_model.checks_column, QHeaderView.ResizeMode.Stretch)
        self.default_checks.setText(draft.default_checks if draft is not None else "")
        self.repeats.blockSignals(True)
        self.repeats.setValue(draft.repeats if draft is not None else 1)
        self.repeats.blockSignals(False)
        self._show_variants()
        tasks_file = draft.extra.get("tasks_file") if draft is not None else None
        self.tasks_file_note.setText(f"And every task of {tasks_file} (edit that file to change them)." if tasks_file else "")
        self.tasks_file_note.setVisible(bool(tasks_file))
        self.setEnabled(draft is not None)

    def _on_defaults_edited(self, *args: Any) -> None:
        if self.draft is None:
            return
        self.draft.default_checks = self.default_checks.text()
        self.draft.repeats = self.repeats.value()
        self.changed.emit()

    def add_task(self) -> int:
        row = self.tasks_model.add_row()
        index = self.tasks_model.index(row, 0)
        self.tasks_view.setCurrentIndex(index)
        self.tasks_view.edit(index)
        return row

    def remove_selected_tasks(self) -> None:
        rows = sorted({i.row() for i in self.tasks_view.selectionModel().selectedIndexes()})
        if not rows and self.tasks_view.currentIndex().isValid():
            rows = [self.tasks_view.currentIndex().row()]
        if rows:
            self.tasks_model.remove_rows(rows)

    # --- variants --------------------------------------------------------------------------

    def _show_variants(self) -> None:
        item = self.variants.currentItem()
        current = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        self.variants.clear()
        for vid, fields in (self.draft.variants.items() if self.draft is not None else ()):
            item = QListWidgetItem(variant_summary(vid, fields), self.variants)
            item.setData(Qt.ItemDataRole.UserRole, vid)
            if vid == current:
                self.variants.setCurrentItem(item)

    def _selected_variant(self) -> str:
        item = self.variants.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def open_variant_dialog(self, vid: str) -> VariantDialog | None:
        """The Add (vid "") or Edit variant dialog, opened without blocking."""
        if self.draft is None:
            return None
        if self.variant_dialog is not None:
            self.variant_dialog.close()
        taken = set(self.draft.variants) - {vid}
        dialog = VariantDialog(self.team, taken, self, variant_id=vid, fields=self.draft.variants.get(vid),
                               base_dir=self.base_dir)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.variantChosen.connect(self._on_variant_chosen)
        dialog.destroyed.connect(self._on_variant_dialog_gone)
        self._editing_variant = vid
        self.variant_dialog = dialog
        dialog.open()
        return dialog

    def _on_variant_dialog_gone(self, *args: Any) -> None:
        self.variant_dialog = None

    def _on_variant_chosen(self, vid: str, fields: dict[str, Any]) -> None:
        if self.draft is None:
            return
        old = self._editing_variant
        # Rebuilt in order, so an edited (maybe renamed) variant keeps its place.
        variants = {}
        for key, value in self.draft.variants.items():
            variants[vid if key == old else key] = fields if key == old else value
        if old not in self.draft.variants:
            variants[vid] = fields
        self.draft.variants = variants
        self._show_variants()
        self.changed.emit()

    def edit_variant(self) -> None:
        vid = self._selected_variant()
        if vid:
            self.open_variant_dialog(vid)

    def remove_variant(self) -> None:
        vid = self._selected_variant()
        if vid and self.draft is not None:
            del self.draft.variants[vid]
            self._show_variants()
            self.changed.emit()

    # --- problems --------------------------------------------------------------------------

    def show_problems(self, problems: list[Problem]) -> None:
        self.problems.clear()
        rows: dict[int, str] = {}
        for problem in problems:
            item = QListWidgetItem(("⚠ " if problem.is_error else "• ") + problem_text(problem), self.problems)
            item.setToolTip(problem.format())
            target = problem_target(problem)
            item.setData(Qt.ItemDataRole.UserRole, target)
            if target[0] == "task":
                rows.setdefault(int(target[1]), problem.message)
        self.tasks_model.set_problems(rows)

    def _on_problem_chosen(self, item: QListWidgetItem) -> None:
        kind, key = item.data(Qt.ItemDataRole.UserRole)
        if kind == "task" and 0 <= key < self.tasks_model.rowCount():
            self.tasks_view.selectionModel().setCurrentIndex(
                self.tasks_model.index(key, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.tasks_view.scrollTo(self.tasks_model.index(key, 0))
        elif kind == "variant":
            for row in range(self.variants.count()):
                if self.variants.item(row).data(Qt.ItemDataRole.UserRole) == key:
                    self.variants.setCurrentRow(row)
        elif kind == "defaults":
            self.default_checks.setFocus()
