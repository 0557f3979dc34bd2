"""The Models dialog: the team's model library with presets, a server-filled model picker,
keys into the keyring, OAI_CONFIG_LIST import and "Test connection".

Every change is one undoable controller edit of the team's ``models``. Network work (model
lists, connection tests) runs through :class:`BackgroundTasks`, so the window never waits
on a server. A key typed here goes to the OS keyring (or, without one, nowhere: the entry
then refers to an environment variable and the dialog says which one to set).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...core.finish import plural
from ...core import edits, model_edits
from ...core.document import Change
from ...core.gguf import with_file_resolved
from ...core.probe_cache import ProbeCache
from ...core.providers import PRESETS, guess_preset
from ...core.secrets import store_key
from ...core.spec import ModelSpec
from ..widgets.background import BackgroundTasks
from ..document.controller import DocumentController, EditResult
from .models_form import ModelEditorWidget
from .models_options import ModelOptionsControl, reserve_lines
from ..widgets.common import KEY_ROLE, set_label


class ModelsDialog(QDialog):
    """Add, edit, remove, import and test the team's models."""

    def __init__(self, controller: DocumentController, parent: QWidget | None = None, *,
                 cache: ProbeCache | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Models")
        self.setObjectName("models_dialog")
        self._controller = controller
        self.cache = cache if cache is not None else ProbeCache()
        self.tasks = BackgroundTasks(self)
        #: Replaceable in tests: the OAI_CONFIG_LIST file to import (None = cancelled).
        self.choose_config_path: Callable[[], str | None] = self._config_dialog
        #: Replaceable in tests: the GGUF file for an embedded model (None = cancelled).
        self.choose_model_path: Callable[[], str | None] = lambda: self.options.choose_path_dialog()
        #: Connection tests run with this per-request timeout (seconds).
        self.probe_timeout = 60.0
        self._current: str | None = None
        self._build()
        self.options = ModelOptionsControl(self, controller, self.editor.options)
        self._connect()
        controller.changed.connect(self._on_changed)
        self._refresh()
        self.resize(880, 700)

    # --- building ----------------------------------------------------------------------

    def _build(self) -> None:
        self.model_list = QListWidget()
        self.model_list.setToolTip("The team's models; agents refer to them by id.")
        self.add_button = QPushButton("&Add")
        self.remove_button = QPushButton("&Remove")
        self.import_button = QPushButton("&Import OAI_CONFIG_LIST…")
        self.import_button.setToolTip("Add the models of an AutoGen OAI_CONFIG_LIST file; keys go to the keyring, never the team file.")
        left = QVBoxLayout()
        left.addWidget(self.model_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        left.addWidget(self.import_button)

        self.editor = ModelEditorWidget()
        self.message = reserve_lines(QLabel(), 2)  # its space is kept: no row moves when it speaks
        self.message.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        body = QHBoxLayout()
        body.addLayout(left, 1)
        body.addWidget(self.editor, 3)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        # Enter commits a field here; as a dialog's default button it would also add a model or close.
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
            button.setDefault(False)

    def _connect(self) -> None:
        self.model_list.currentItemChanged.connect(self._on_current_item_changed)
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.import_button.clicked.connect(self._on_import_clicked)
        self.editor.id_edit.editingFinished.connect(self._on_id_edited)
        self.editor.preset_combo.activated.connect(self._on_preset_activated)
        model_line = self.editor.model_combo.lineEdit()
        assert model_line is not None, "the model name combo box is editable (models_form.py), so it has a line edit"
        model_line.editingFinished.connect(self._on_model_name_edited)
        self.editor.model_combo.activated.connect(self._on_model_name_edited)
        self.editor.load_button.clicked.connect(self._on_load_clicked)
        self.editor.base_url_edit.editingFinished.connect(self._on_base_url_edited)
        self.editor.deployment_edit.editingFinished.connect(self._on_deployment_edited)
        self.editor.api_version_edit.editingFinished.connect(self._on_api_version_edited)
        self.editor.key_ref_edit.editingFinished.connect(self._on_key_ref_edited)
        self.editor.store_key_button.clicked.connect(self._on_store_key_clicked)
        for box in self.editor.flag_boxes.values():
            box.clicked.connect(self._on_flag_clicked)
        self.editor.family_edit.editingFinished.connect(self._on_family_edited)
        self.editor.test_button.clicked.connect(self._on_test_clicked)

    # --- public -------------------------------------------------------------------------

    @property
    def current_id(self) -> str | None:
        return self._current

    def select(self, model_id: str) -> None:
        for i in range(self.model_list.count()):
            if self.model_list.item(i).data(KEY_ROLE) == model_id:
                self.model_list.setCurrentRow(i)
                return

    # --- from the document --------------------------------------------------------------

    def _on_changed(self, change: Change) -> None:
        if change.team or change.reset:
            self._refresh()

    def _refresh(self) -> None:
        models = self._controller.spec.models
        if self._current not in models:
            self._current = next(iter(models), None)
        self.model_list.blockSignals(True)
        wanted = [(k, f"{k}  ({m.provider})") for k, m in models.items()]
        have = [(self.model_list.item(i).data(KEY_ROLE), self.model_list.item(i).text()) for i in range(self.model_list.count())]
        if have != wanted:
            self.model_list.clear()
            for key, label in wanted:
                item = QListWidgetItem(label)
                item.setData(KEY_ROLE, key)
                self.model_list.addItem(item)
        keys = [k for k, _ in wanted]
        self.model_list.setCurrentRow(keys.index(self._current) if self._current in keys else -1)
        self.model_list.blockSignals(False)
        self.remove_button.setEnabled(self._current is not None)
        self.editor.setEnabled(self._current is not None)
        if self._current is not None:
            model = models[self._current]
            self.editor.show_model(self._current, model, self.cache.for_model(model), self.tasks.busy("probe"))
            self.options.show_model(model)

    # --- edits ---------------------------------------------------------------------------

    def _edit(self, label: str, fn: Callable[..., Any], *args: Any) -> EditResult:
        result = self._controller.edit(label, fn, *args)
        set_label(self.message, result.refusal or "")
        if result.refused:
            self._refresh()
        return result

    def edit_current(self, label: str, fn: Callable[..., Any], *args: Any) -> EditResult | None:
        """``fn(spec, current model id, *args)`` as one undoable edit; None when no model is chosen."""
        return self._edit(label, fn, self._current, *args) if self._current is not None else None

    def _edit_text(self, field: str, text: str) -> None:
        if self._current is not None:
            self._edit(f"Edit model {self._current}", model_edits.set_model_text, self._current, field, text)

    def _on_current_item_changed(self, item: QListWidgetItem | None, _previous: Any) -> None:
        self._current = item.data(KEY_ROLE) if item is not None else None
        self.editor.say(self.editor.key_message, "")
        self._refresh()

    def _on_add_clicked(self) -> None:
        # Starts as the built-in model (always valid); choosing a preset then fills the rest.
        new_id = self._edit("Add model", model_edits.add_model_from_preset, "embedded").extra
        if new_id:
            self._current = new_id
            self._refresh()
            self.editor.id_edit.setFocus()
            self.editor.id_edit.selectAll()

    def _on_remove_clicked(self) -> None:
        if self._current is not None:
            self._edit(f"Remove model {self._current}", edits.remove_model, self._current)

    def _on_id_edited(self) -> None:
        new = self.editor.id_edit.text().strip()
        if self._current is None or new == self._current:
            return
        old = self._current
        self._current = new  # follow the rename while the document refreshes the list
        refusal = self._controller.edit(f"Rename model {old}", edits.rename_model, old, new).refusal
        if refusal:
            self._current = old
        set_label(self.message, refusal or "")
        self._refresh()

    def _on_preset_activated(self, index: int) -> None:
        if self._current is not None:
            key = self.editor.preset_combo.itemData(index)
            self._edit(f"Use preset {PRESETS[key].label}", model_edits.apply_preset, self._current, key)
            self.editor.model_combo.clear()
            self.editor.say(self.editor.load_status, "")

    def _on_model_name_edited(self, *_: Any) -> None:
        self._edit_text("model", self.editor.model_combo.currentText())

    def _on_base_url_edited(self) -> None:
        self._edit_text("base_url", self.editor.base_url_edit.text())

    def _on_deployment_edited(self) -> None:
        self._edit_text("deployment", self.editor.deployment_edit.text())

    def _on_api_version_edited(self) -> None:
        self._edit_text("api_version", self.editor.api_version_edit.text())

    def _on_key_ref_edited(self) -> None:
        self._edit_text("api_key", self.editor.key_ref_edit.text())

    def _on_flag_clicked(self) -> None:
        sender = self.sender()
        flag, box = next((f, b) for f, b in self.editor.flag_boxes.items() if b is sender)
        if self._current is not None:
            self._edit(f"Edit capabilities of {self._current}", model_edits.set_capability, self._current, flag, box.isChecked())

    def _on_family_edited(self) -> None:
        if self._current is not None:
            self._edit(f"Edit capabilities of {self._current}", model_edits.set_capability, self._current, "family",
                       self.editor.family_edit.text())

    def _on_store_key_clicked(self) -> None:
        key = self.editor.key_edit.text().strip()
        self.editor.key_edit.clear()  # the key leaves the widget at once, stored or not
        if self._current is None or not key:
            self.editor.say(self.editor.key_message, "Paste a key into the API key field first.")
            return
        preset = guess_preset(self._controller.spec.models[self._current])
        stored = store_key(self._current, key, env_var=preset.key_env if preset and preset.key_env else None)
        self._edit(f"Set key reference of {self._current}", model_edits.set_model_text, self._current, "api_key", stored.ref)
        self.editor.say(self.editor.key_message, stored.message)

    def _config_dialog(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, "Import OAI_CONFIG_LIST", str(Path.home()), "OAI_CONFIG_LIST (*);;JSON (*.json)")
        return path or None

    def _on_import_clicked(self) -> None:
        from ...core.oai_config import OaiConfigError, import_oai_config, read_oai_config

        path = self.choose_config_path()
        if not path:
            return
        try:
            entries = read_oai_config(path)
        except OaiConfigError as exc:
            self.editor.say(self.editor.key_message, f"Cannot import {Path(path).name}: {exc}")
            return
        # The keys are stored as the import runs, once, outside the undoable edit.
        report = import_oai_config(self._controller.spec, entries)
        if report.added:
            self._edit(f"Import {len(report.added)} models", lambda _spec: report.spec)
            self._current = report.added[0]
            self._refresh()
        text = report.text() + (f"\nBefore running, set: {', '.join(report.env_vars)}" if report.env_vars else "")
        self.editor.say(self.editor.key_message, text)

    # --- background work -------------------------------------------------------------------

    def _on_load_clicked(self) -> None:
        from ...runtime.discovery import list_models

        if self._current is None:
            return
        model = self._controller.spec.models[self._current]
        self.editor.load_busy.show()
        self.editor.load_button.setEnabled(False)
        self.editor.say(self.editor.load_status, "Loading…")
        self.tasks.submit("list", lambda: list_models(model), self._on_models_listed)

    def _on_models_listed(self, names: list[str] | None, error: BaseException | None) -> None:
        self.editor.load_busy.hide()
        self.editor.load_button.setEnabled(True)
        if error is not None:
            self.editor.say(self.editor.load_status, f"Could not list models: {error}")
            return
        current = self.editor.model_combo.currentText()
        self.editor.model_combo.blockSignals(True)
        self.editor.model_combo.clear()
        self.editor.model_combo.addItems(names or [])
        self.editor.model_combo.setEditText(current)
        self.editor.model_combo.blockSignals(False)
        count = len(names or [])
        self.editor.say(self.editor.load_status, f"{plural(count, 'model')} on the server" if count else
                  "The server has no models (Ollama: ollama pull NAME)")

    def _on_test_clicked(self) -> None:
        from ...runtime.probe import run_probe

        if self._current is None or self.tasks.busy("probe"):
            return
        model_id, model = self._current, self._controller.spec.models[self._current]
        tested = with_file_resolved(model, self.options.base_dir())  # a relative GGUF path starts at the team file
        timeout = self.probe_timeout
        self.editor.test_busy.show()
        self.editor.test_button.setEnabled(False)
        set_label(self.editor.test_status, f"Testing {model_id}…")
        self.editor.report_view.clear()
        self.tasks.submit("probe", lambda: run_probe(tested, model_id, timeout=timeout),
                          lambda report, error: self._on_probe_done(model, report, error))

    def _on_probe_done(self, model: ModelSpec, report: Any, error: BaseException | None) -> None:
        self.editor.test_busy.hide()
        self.editor.test_button.setEnabled(True)
        if error is not None:  # the probe reports failures itself; this is a bug in it
            set_label(self.editor.test_status, "The test itself failed")
            self.editor.report_view.setPlainText(f"{type(error).__name__}: {error}")
            return
        self.cache.put(model, report.to_record())
        set_label(self.editor.test_status, "Passed" if report.ok else "Failed")
        self.editor.report_view.setPlainText(report.text())
        self._controller.validate_now()  # the validator warns about tool users on failed models
