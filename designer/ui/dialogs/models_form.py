"""The Models dialog's editor of one model entry: the fields, and how an entry fills them.

A view only: the dialog turns the user's gestures on these widgets into controller edits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core import model_edits
from ...core.probe_cache import ProbeRecord
from ...core.providers import PRESETS, effective_base_url, effective_model_info, guess_preset
from ...core.secrets import keyring_status
from ...core.spec import ModelSpec
from ..widgets.common import set_checked, set_combo_entries, set_label, set_line_text
from .models_options import ModelOptionRows, reserve_lines


def _busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate: Qt animates it, the spinner of a busy request
    bar.setMaximumWidth(80)
    bar.setTextVisible(False)
    bar.hide()
    return bar


class ModelEditorWidget(QWidget):
    """Id, preset, model name picker, GGUF file, URL, Azure fields, key, capability flags, options
    and the test report."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.id_edit = QLineEdit()
        self.preset_combo = QComboBox()
        self.preset_combo.setToolTip("Fills the provider, base URL and capability flags people most often get wrong.")
        for preset in PRESETS.values():
            self.preset_combo.addItem(preset.label, preset.key)
        self.provider_label = QLabel()
        self.hint_label = QLabel()
        self.hint_label.setWordWrap(True)
        self.model_combo = QComboBox()
        self.model_combo.setEditable(True)
        self.model_combo.setToolTip("The model name at the provider; Load models fills the list from the server.")
        self.load_button = QPushButton("&Load models")
        self.load_busy = _busy_bar()
        self.load_status = QLabel()
        self.load_status.setWordWrap(True)
        picker = QHBoxLayout()
        picker.addWidget(self.model_combo, 1)
        picker.addWidget(self.load_button)
        picker.addWidget(self.load_busy)
        self.base_url_edit = QLineEdit()
        self.base_url_edit.setPlaceholderText("the provider's default")
        self.deployment_edit = QLineEdit()
        self.api_version_edit = QLineEdit()
        self.key_ref_edit = QLineEdit()
        self.key_ref_edit.setPlaceholderText("env:NAME or keyring:NAME")
        self.key_ref_edit.setToolTip("Where the key is found at run time. The team file holds only this reference.")
        self.key_edit = QLineEdit()
        self.key_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.key_edit.setPlaceholderText("paste a key to store it in the system keyring")
        self.store_key_button = QPushButton("&Store in keyring")
        keys = self._keys_row = QHBoxLayout()
        keys.addWidget(self.key_edit, 1)
        keys.addWidget(self.store_key_button)
        status = keyring_status()
        self.keyring_label = QLabel(
            f"System keyring: available ({status.backend.rsplit('.', 2)[-2]})." if status.usable else
            f"System keyring: not available — {status.reason}. Keys typed here are not stored; "
            "the entry refers to an environment variable instead, which you set before running.")
        self.keyring_label.setWordWrap(True)
        self.flag_boxes = {flag: QCheckBox(flag.replace("_", " ")) for flag in model_edits.CAPABILITY_FLAGS}
        flags = QHBoxLayout()
        for box in self.flag_boxes.values():
            flags.addWidget(box)
        flags.addStretch(1)
        self.family_edit = QLineEdit()
        self.key_message = QLabel()
        self.key_message.setWordWrap(True)
        self.key_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.form = QFormLayout()
        self.form.addRow("&Id:", self.id_edit)
        self.form.addRow("&Preset:", self.preset_combo)
        self.form.addRow("Provider:", self.provider_label)
        self.form.addRow("", self.hint_label)
        self.form.addRow(self._buddy("&Model name:", self.model_combo), picker)
        self.form.addRow("", self.load_status)
        self.options = ModelOptionRows(self.form, self)
        self.options.add_file_rows()  # under the model name: the file is the model
        self.form.addRow("&Base URL:", self.base_url_edit)
        self.form.addRow("&Deployment:", self.deployment_edit)
        self.form.addRow("API &version:", self.api_version_edit)
        self.form.addRow("API key &reference:", self.key_ref_edit)
        self.form.addRow(self._buddy("API &key:", self.key_edit), keys)
        self.form.addRow("", self.keyring_label)
        self.form.addRow("", self.key_message)
        self.form.addRow("Capabilities:", flags)
        self.form.addRow("&Family:", self.family_edit)
        self.options.add_option_rows()

        self.test_button = QPushButton("&Test connection")
        self.test_button.setToolTip("Send a tiny prompt and a prompt that needs a tool; report latency, tool calling and errors.")
        self.test_busy = _busy_bar()
        self.test_status = QLabel()
        self.report_view = QPlainTextEdit()
        self.report_view.setReadOnly(True)
        self.report_view.setPlaceholderText("Test connection shows its report here.")
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_busy)
        test_row.addWidget(self.test_status, 1)
        right = QVBoxLayout(self)
        right.setContentsMargins(0, 0, 0, 0)
        right.addLayout(self.form)
        right.addLayout(test_row)
        right.addWidget(self.report_view, 1)
        # Message rows keep their height while empty, so a message never moves the rows below it.
        for label, lines in ((self.hint_label, 2), (self.load_status, 1), (self.key_message, 2)):
            reserve_lines(label, lines)

    @staticmethod
    def _buddy(text: str, widget: QWidget) -> QLabel:
        # A row whose field is a layout gets no buddy from QFormLayout; without one the & shows.
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    def say(self, label: QLabel, text: str) -> None:
        """Show a message (hint, model-list status, key message) in its reserved row; the whole text
        is in the tooltip when it is longer than the row."""
        # Always shown, empty or not: a QFormLayout drops a hidden widget's row whatever its size policy.
        if label.text() != text:
            label.setText(text)
        label.setToolTip(text)

    def show_model(self, model_id: str, model: ModelSpec, record: ProbeRecord | None, testing: bool) -> None:
        """Copy one entry into the fields (quietly: no edit echoes back)."""
        set_line_text(self.id_edit, model_id)
        preset = guess_preset(model)
        set_combo_entries(self.preset_combo, [(p.label, p.key) for p in PRESETS.values()], preset.key if preset else None)
        self.provider_label.setText(model.provider)
        self.say(self.hint_label, preset.hint if preset else "")
        if self.model_combo.currentText() != model.model:
            self.model_combo.blockSignals(True)
            self.model_combo.setEditText(model.model)
            self.model_combo.blockSignals(False)
        set_line_text(self.base_url_edit, model.base_url or "")
        self.base_url_edit.setPlaceholderText(effective_base_url(model) or "the provider's default")
        azure = model.provider == "azure_openai"
        for widget in (self.deployment_edit, self.api_version_edit):
            self.form.setRowVisible(widget, azure)
        # An in-process model (embedded, scripted) has no server to reach and no key to give it.
        remote = model.provider not in ("embedded", "scripted")
        for row in (self.base_url_edit, self.key_ref_edit, self._keys_row, self.keyring_label, self.key_message):
            self.form.setRowVisible(row, remote)
        set_line_text(self.deployment_edit, model.deployment or "")
        set_line_text(self.api_version_edit, model.api_version or "")
        set_line_text(self.key_ref_edit, model.api_key or "")
        info = effective_model_info(model)
        for flag, box in self.flag_boxes.items():
            set_checked(box, bool(info and getattr(info, flag)))
        set_line_text(self.family_edit, info.family if info else "unknown")
        self.load_button.setEnabled(model.provider not in ("azure_openai", "scripted"))
        if not testing:
            self.report_view.setPlainText(record.summary if record else "")
            set_label(self.test_status, "" if record is None else f"Last test {record.when()}: {'passed' if record.ok else 'failed'}")
