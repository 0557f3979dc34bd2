"""The agent panel's "Code" section for a code_executor agent: its ``code:`` options.

Each field is one edit of one option (core/agent_part_edits.set_code_field); a field left empty
or at its default goes back to the default, so the file holds only what was chosen.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLineEdit, QSpinBox, QWidget

from ...core.agent_parts import CODE_LANGUAGES, CodeSpec
from ...core.spec import AgentSpec
from ..widgets.common import ChecklistWidget, set_checked, set_combo_entries, set_line_text, set_spin_value, toggled_list

#: (label, value) of the docker choice.
DOCKER_CHOICES: tuple[tuple[str, str], ...] = (
    ("Never: run on this computer", "never"),
    ("When available (else on this computer)", "auto"),
    ("Always (the run fails without Docker)", "always"),
)

#: edit(field, value, merge): one edit of a code option; value None = back to the default.
CodeEdit = Callable[[str, Any, bool], None]


class CodeSection(QGroupBox):
    """Work folder, languages, retries, Docker, image, timeout and approval of a code executor."""

    def __init__(self, edit: CodeEdit, break_merge: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__("Code", parent)
        self._edit = edit
        self._code = CodeSpec()
        self.work_dir_edit = QLineEdit()
        self.work_dir_edit.setPlaceholderText("a fresh folder per run")
        self.work_dir_edit.setToolTip("The folder code runs in; a relative path is relative to the team file.")
        self.languages_list = ChecklistWidget()
        self.languages_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 5 + 12)
        self.languages_list.setToolTip("The languages of the code blocks this agent runs; others are not run.")
        self.retries_spin = QSpinBox()
        self.retries_spin.setRange(0, 10)
        self.retries_spin.setToolTip("Times its model may fix code that failed (needs a model for the agent).")
        self.docker_combo = QComboBox()
        self.docker_combo.setToolTip("Where code runs: in a Docker container, or on this computer in the work folder.")
        self.image_edit = QLineEdit()
        self.image_edit.setPlaceholderText(CodeSpec.model_fields["image"].get_default())
        self.image_edit.setToolTip("The Docker image code runs in.")
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(0.5, 3600)
        self.timeout_spin.setDecimals(1)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("The longest one code block may run.")
        self.approval_check = QCheckBox("&Ask before any code runs")
        self.approval_check.setToolTip("Show each code block and wait for Run or Don't run. Turned off, a trusted "
                                       "team runs code without asking.")
        form = QFormLayout(self)
        form.addRow("&Work folder:", self.work_dir_edit)
        form.addRow("&Languages:", self.languages_list)
        form.addRow("&Retries on error:", self.retries_spin)
        form.addRow("&Docker:", self.docker_combo)
        form.addRow("&Image:", self.image_edit)
        form.addRow("Time&out per block:", self.timeout_spin)
        form.addRow(self.approval_check)
        self.work_dir_edit.editingFinished.connect(self._on_work_dir_finished)
        self.languages_list.toggled.connect(self._on_language_toggled)
        self.retries_spin.valueChanged.connect(lambda v: self._edit("retries", v, True))
        self.retries_spin.editingFinished.connect(break_merge)
        self.docker_combo.activated.connect(lambda i: self._edit("docker", self.docker_combo.itemData(i), False))
        self.image_edit.editingFinished.connect(self._on_image_finished)
        self.timeout_spin.valueChanged.connect(lambda v: self._edit("timeout", v, True))
        self.timeout_spin.editingFinished.connect(break_merge)
        self.approval_check.clicked.connect(lambda checked: self._edit("approval", checked, False))

    def show_agent(self, agent: AgentSpec) -> None:
        code = self._code = agent.code or CodeSpec()
        if not self.work_dir_edit.hasFocus():
            set_line_text(self.work_dir_edit, code.work_dir or "")
        known = [*CODE_LANGUAGES, *(lang for lang in code.languages if lang not in CODE_LANGUAGES)]
        self.languages_list.set_entries([(lang, lang, "") for lang in known], code.languages)
        set_spin_value(self.retries_spin, code.retries)
        set_combo_entries(self.docker_combo, DOCKER_CHOICES, code.docker)
        if not self.image_edit.hasFocus():
            set_line_text(self.image_edit, code.image if "image" in code.model_fields_set else "")
        set_spin_value(self.timeout_spin, code.timeout)
        set_checked(self.approval_check, code.approval)
        self.image_edit.setEnabled(code.docker != "never")

    def focus_widget(self, field: str | None) -> QWidget:
        widgets: dict[str, QWidget] = {
            "work_dir": self.work_dir_edit, "languages": self.languages_list, "retries": self.retries_spin,
            "docker": self.docker_combo, "image": self.image_edit, "timeout": self.timeout_spin,
            "approval": self.approval_check,
        }
        return widgets.get(field or "", self.work_dir_edit)

    def _on_work_dir_finished(self) -> None:
        text = self.work_dir_edit.text().strip()
        if text != (self._code.work_dir or ""):
            self._edit("work_dir", text or None, False)

    def _on_image_finished(self) -> None:
        text = self.image_edit.text().strip()
        if text != (self._code.image if "image" in self._code.model_fields_set else ""):
            self._edit("image", text or None, False)

    def _on_language_toggled(self, language: str, checked: bool) -> None:
        self._edit("languages", toggled_list(self._code.languages, language, checked), False)
