"""The Models dialog's rows for a model's options (temperature, max tokens, seed, top-p, repeat
penalty, and whatever ``ModelOptions`` gains) and, for provider ``embedded``, its GGUF file.

The rows go into the model editor's form; :class:`ModelOptionsControl` turns gestures on them
into controller edits of the dialog's current model. An option field is text, not a spin box,
because "not set" (the provider's own default) must stay expressible: empty is not set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Protocol, get_args

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from ...core import model_edits
from ...core.gguf import GgufError, file_problem, model_file, path_for_file, read_info
from ...core.spec import ModelOptions, ModelSpec
from ..document.controller import DocumentController
from ..widgets.common import set_combo_entries, set_line_text


class _Dialog(Protocol):
    """What the control needs of the Models dialog (a protocol: the dialog imports this module)."""

    choose_model_path: Callable[[], str | None]

    @property
    def current_id(self) -> str | None: ...

    def edit_current(self, label: str, fn: Callable[..., Any], *args: Any) -> Any: ...

#: What each option means where the schema's description does not say (empty = not set).
_TIPS = {
    "temperature": "Randomness of the replies: 0 = always the likeliest words, up to 2.",
    "max_tokens": "The longest reply, in tokens.",
    "seed": "A number makes a run repeatable (where the provider supports it).",
    "top_p": "Sample only from the likeliest words that together reach this probability (above 0, at most 1).",
}
#: Option fields per row of the options grid.
_PER_ROW = 3
#: A yes/no option (parallel_tool_calls) is a choice of three: "not set" keeps the provider's default.
SWITCH_CHOICES: tuple[tuple[str, bool | None], ...] = (("not set", None), ("on", True), ("off", False))


def reserve_lines(label: QLabel, lines: int) -> QLabel:
    """Give a message label a fixed height of ``lines`` lines, kept while it is hidden or empty,
    so a message that appears never moves the rows under the pointer (a key typed next then
    landed in whatever had moved there). Longer text is cut; the tooltip holds all of it."""
    label.setWordWrap(True)
    label.setFixedHeight(label.fontMetrics().lineSpacing() * lines + 4)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)
    return label


class ModelOptionRows:
    """The option fields and the GGUF file rows, added to ``form``."""

    def __init__(self, form: QFormLayout, parent: QWidget) -> None:
        self.form = form
        self.path_edit = QLineEdit(parent)
        self.path_edit.setPlaceholderText("the built-in SmolLM2 (choose a .gguf file for another model)")
        self.path_edit.setToolTip("A GGUF model file run in-process. A relative path is relative to the team file; "
                                  "~ is your home folder.")
        self.browse_button = QPushButton("Bro&wse…", parent)
        self.browse_button.setAutoDefault(False)
        self.path_row = QWidget(parent)
        row = QHBoxLayout(self.path_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self.file_info = reserve_lines(QLabel(parent), 2)
        self.option_edits: dict[str, QLineEdit] = {}
        #: The yes/no options, as a choice of not set / on / off.
        self.option_switches: dict[str, QComboBox] = {}
        self.options_grid = QWidget(parent)
        grid = QGridLayout(self.options_grid)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, (name, field) in enumerate(ModelOptions.model_fields.items()):
            edit: QLineEdit | QComboBox
            if bool in get_args(field.annotation):
                edit = self.option_switches[name] = QComboBox(parent)
                set_combo_entries(edit, SWITCH_CHOICES, None)
                edit.setToolTip(f"{field.description or ''} Not set: the provider's default.".strip())
            else:
                edit = self.option_edits[name] = QLineEdit(parent)
                edit.setPlaceholderText("not set")
                edit.setToolTip(f"{field.description or _TIPS.get(name, '')} Empty = not set (the provider's default).".strip())
            edit.setObjectName(f"option_{name}")
            label = QLabel(f"{model_edits.option_label(name)}:", parent)
            label.setBuddy(edit)
            line, column = divmod(i, _PER_ROW)
            grid.addWidget(label, line, 2 * column)
            grid.addWidget(edit, line, 2 * column + 1)
        for column in range(_PER_ROW):
            grid.setColumnStretch(2 * column + 1, 1)
        self.price_edits: dict[str, QLineEdit] = {}
        self.prices_row = QWidget(parent)
        prices = QHBoxLayout(self.prices_row)
        prices.setContentsMargins(0, 0, 0, 0)
        for name, label_text in (("input", "Input:"), ("output", "Output:"), ("currency", "Currency:")):
            edit = QLineEdit(parent)
            edit.setObjectName(f"price_{name}")
            edit.setPlaceholderText("USD" if name == "currency" else "unknown")
            edit.setToolTip(f"{model_edits.PRICE_FIELDS[name]}. Runs, the history and comparisons show costs from "
                            "these; without prices a cost is unknown (never 0).")
            label = QLabel(label_text, parent)
            label.setBuddy(edit)
            prices.addWidget(label)
            prices.addWidget(edit, 0 if name == "currency" else 1)
            self.price_edits[name] = edit
        prices.addWidget(QLabel("per million tokens", parent))
        #: (path, size, mtime) -> what its header says, so a refresh after every edit reads no file.
        self._info_cache: dict[tuple[str, int, float], str] = {}

    def add_file_rows(self) -> None:
        label = QLabel("&GGUF file:")
        label.setBuddy(self.path_edit)
        self.form.addRow(label, self.path_row)
        self.form.addRow("", self.file_info)

    def add_option_rows(self) -> None:
        self.form.addRow("Options:", self.options_grid)
        self.form.addRow("Prices:", self.prices_row)

    def show_model(self, model: ModelSpec, base_dir: Path | None) -> None:
        embedded = model.provider == "embedded"
        self.form.setRowVisible(self.path_row, embedded)
        self.form.setRowVisible(self.file_info, embedded)
        set_line_text(self.path_edit, model.path or "")
        text = self.describe_file(model, base_dir) if embedded else ""
        self.file_info.setText(text)
        self.file_info.setToolTip(text)
        options = model.options.model_dump()
        for name, edit in self.option_edits.items():
            value = options.get(name)
            set_line_text(edit, "" if value is None else f"{value:g}" if isinstance(value, float) else str(value))
        for name, switch in self.option_switches.items():
            set_combo_entries(switch, SWITCH_CHOICES, options.get(name))
        # Models that run in this process cost nothing: no price to give.
        self.form.setRowVisible(self.prices_row, model.provider not in ("embedded", "scripted"))
        prices = model.prices.model_dump() if model.prices is not None else {}
        for name, edit in self.price_edits.items():
            value = prices.get(name)
            set_line_text(edit, "" if value is None else f"{value:g}" if isinstance(value, float) else str(value))

    def describe_file(self, model: ModelSpec, base_dir: Path | None) -> str:
        """What the entry's GGUF file says about itself, or why it cannot be used."""
        if model.path is None:
            return "The built-in model, SmolLM2-135M-Instruct. Choose a GGUF file to run another model offline."
        path = model_file(model.path, base_dir)
        problem = file_problem(path)
        if problem:
            return problem[0].upper() + problem[1:]
        stat = path.stat()
        key = (str(path), stat.st_size, stat.st_mtime)
        if key not in self._info_cache:
            try:
                self._info_cache[key] = read_info(path).describe()
            except GgufError as exc:
                self._info_cache[key] = f"Cannot read {path.name}: {exc}"
        return self._info_cache[key]


class ModelOptionsControl:
    """Edits of the current model from the option and GGUF rows of the Models dialog."""

    def __init__(self, dialog: _Dialog, controller: DocumentController, rows: ModelOptionRows) -> None:
        self._dialog = dialog
        self._controller = controller
        self.rows = rows
        rows.path_edit.editingFinished.connect(self._on_path_edited)
        rows.browse_button.clicked.connect(self._on_browse_clicked)
        for name, edit in rows.option_edits.items():
            edit.editingFinished.connect(lambda name=name, edit=edit: self._on_option_edited(name, edit))
        for name, switch in rows.option_switches.items():
            switch.activated.connect(lambda _i, name=name, switch=switch: self._on_switch_chosen(name, switch))
        for name, edit in rows.price_edits.items():
            edit.editingFinished.connect(lambda name=name, edit=edit: self._on_price_edited(name, edit))

    def base_dir(self) -> Path | None:
        path = self._controller.path
        return Path(path).resolve().parent if path else None

    def choose_path_dialog(self) -> str | None:
        start = self.rows.path_edit.text().strip()
        folder = str(model_file(start, self.base_dir()).parent) if start else str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.rows.path_edit.window(), "Choose a GGUF model", folder,
                                              "GGUF models (*.gguf);;All files (*)")
        return path or None

    def show_model(self, model: ModelSpec) -> None:
        self.rows.show_model(model, self.base_dir())

    def _set_path(self, text: str) -> None:
        model_id = self._dialog.current_id
        if model_id is not None:
            self._dialog.edit_current(f"Set model file of {model_id}", model_edits.set_model_text, "path", text)

    def _on_path_edited(self) -> None:
        self._set_path(self.rows.path_edit.text())

    def _on_browse_clicked(self) -> None:
        chooser: Callable[[], str | None] = self._dialog.choose_model_path
        chosen = chooser()
        if chosen:
            self._set_path(path_for_file(chosen, self.base_dir()))

    def _on_option_edited(self, name: str, edit: QLineEdit) -> None:
        model_id = self._dialog.current_id
        if model_id is not None:
            label = model_edits.option_label(name).lower()
            self._dialog.edit_current(f"Set {label} of {model_id}", model_edits.set_option, name, edit.text())

    def _on_switch_chosen(self, name: str, switch: QComboBox) -> None:
        model_id, value = self._dialog.current_id, switch.currentData()
        if model_id is not None:
            text = "" if value is None else "true" if value else "false"
            self._dialog.edit_current(f"Set {model_edits.option_label(name).lower()} of {model_id}",
                                      model_edits.set_option, name, text)

    def _on_price_edited(self, name: str, edit: QLineEdit) -> None:
        model_id = self._dialog.current_id
        if model_id is not None:
            label = model_edits.PRICE_FIELDS[name].lower()
            self._dialog.edit_current(f"Set {label} of {model_id}", model_edits.set_price, name, edit.text())
