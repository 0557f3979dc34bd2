"""The Models dialog edits every model option and, for the embedded provider, its GGUF file —
driven as a user drives it: typing into the fields, pressing Enter, clicking Browse…."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from designer.core.edits import new_team
from designer.core.gguf import read_info
from designer.core.spec import ModelOptions
from designer.core.teamfile import save_team
from designer.runtime.embedded import gguf_path
from designer.ui.dialogs.models import ModelsDialog


@pytest.fixture
def open_dialog(qtbot: Any, make_controller: Any, tmp_path: Path) -> Any:
    """A new team (as File ▸ New makes it), saved in tmp_path, with its Models dialog open."""

    def make() -> ModelsDialog:
        path = tmp_path / "team.yaml"
        save_team(new_team(), path)
        controller = make_controller(new_team(), path)
        dialog = ModelsDialog(controller)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Replace a field's text by typing and press Enter (editingFinished commits it)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text) if text else qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def saved_model(dialog: ModelsDialog, model_id: str = "embedded") -> dict[str, Any]:
    controller = dialog._controller
    save_team(controller.spec, controller.path)
    return yaml.safe_load(Path(controller.path).read_text(encoding="utf-8"))["models"][model_id]


def test_a_new_team_shows_its_bounds_and_every_option_has_a_field(open_dialog: Any) -> None:
    dialog = open_dialog()
    edits = dialog.editor.options.option_edits
    switches = dialog.editor.options.option_switches  # yes/no options: not set / on / off
    assert set(edits) | set(switches) == set(ModelOptions.model_fields)  # a new option gets a field without UI work
    assert edits["max_tokens"].text() == "256" and edits["repeat_penalty"].text() == "1.15"
    assert edits["temperature"].text() == "" and edits["temperature"].placeholderText() == "not set"


def test_each_option_typed_lands_in_the_spec_and_the_saved_file(qtbot: Any, open_dialog: Any) -> None:
    dialog = open_dialog()
    edits = dialog.editor.options.option_edits
    controller = dialog._controller
    typed = {"temperature": "0.7", "max_tokens": "64", "seed": "42", "top_p": "0.9", "repeat_penalty": "1.3"}
    before = controller.undo_stack.count()
    for name, text in typed.items():
        type_into(qtbot, edits[name], text)
    options = controller.spec.models["embedded"].options
    assert (options.temperature, options.max_tokens, options.seed, options.top_p, options.repeat_penalty) == (
        0.7, 64, 42, 0.9, 1.3)
    assert controller.undo_stack.count() == before + len(typed)  # one undo step per field
    assert saved_model(dialog)["options"] == {"temperature": 0.7, "max_tokens": 64, "seed": 42, "top_p": 0.9,
                                              "repeat_penalty": 1.3}


def test_clearing_an_option_unsets_it(qtbot: Any, open_dialog: Any) -> None:
    dialog = open_dialog()
    type_into(qtbot, dialog.editor.options.option_edits["repeat_penalty"], "")
    assert dialog._controller.spec.models["embedded"].options.repeat_penalty is None
    assert saved_model(dialog)["options"] == {"max_tokens": 256}
    dialog._controller.undo_stack.undo()
    assert dialog.editor.options.option_edits["repeat_penalty"].text() == "1.15"


@pytest.mark.parametrize(("name", "text", "words"), [
    ("temperature", "hot", "Temperature: input should be a valid number"),
    ("temperature", "3", "Temperature: input should be less than or equal to 2"),
    ("max_tokens", "12.5", "Max tokens: input should be a valid integer"),
    ("top_p", "0", "Top p: input should be greater than 0"),
])
def test_an_invalid_value_shows_an_error_and_changes_nothing(qtbot: Any, open_dialog: Any, name: str, text: str,
                                                             words: str) -> None:
    dialog = open_dialog()
    controller = dialog._controller
    before = controller.spec
    edit = dialog.editor.options.option_edits[name]
    type_into(qtbot, edit, text)
    assert dialog.message.text().startswith(words) and dialog.message.isVisible()
    assert controller.spec == before
    assert edit.text() == ("256" if name == "max_tokens" else "")  # the field shows what holds


def test_messages_do_not_move_the_rows_under_the_pointer(qtbot: Any, open_dialog: Any) -> None:
    """A message appearing (an error, a preset hint, a model-list status) keeps every field where it was."""
    dialog = open_dialog()
    editor = dialog.editor
    watched = [editor.preset_combo, editor.model_combo, editor.options.path_edit, editor.key_ref_edit,
               *editor.options.option_edits.values(), editor.test_button]

    def places() -> list[Any]:
        return [w.mapTo(dialog, w.rect().topLeft()) for w in watched]

    before = places()
    type_into(qtbot, editor.options.option_edits["seed"], "x")
    assert dialog.message.isVisible() and dialog.message.text()
    editor.say(editor.key_message, "A long message\nof two lines\nor three")
    editor.say(editor.load_status, "2 models on the server")
    editor.say(editor.hint_label, "")
    qtbot.wait(0)  # let the layouts settle, as they would before the user's next key
    assert places() == before


def test_browse_chooses_a_gguf_and_shows_what_its_header_says(qtbot: Any, open_dialog: Any, tmp_path: Path) -> None:
    """The shipped SmolLM2 copied elsewhere, chosen with the (stubbed) file picker."""
    models = tmp_path / "models"
    models.mkdir()
    copy = models / "other.gguf"
    shutil.copyfile(gguf_path(), copy)
    dialog = open_dialog()
    rows = dialog.editor.options
    assert rows.path_row.isVisible() and "built-in model" in rows.file_info.text()
    asked: list[bool] = []
    dialog.choose_model_path = lambda: asked.append(True) or str(copy)
    qtbot.mouseClick(rows.browse_button, Qt.MouseButton.LeftButton)
    assert asked
    model = dialog._controller.spec.models["embedded"]
    assert model.path == "models/other.gguf"  # beside the team file: written relative to it
    assert rows.path_edit.text() == "models/other.gguf"
    info = read_info(copy)
    assert rows.file_info.text() == info.describe()
    assert "llama" in rows.file_info.text() and "context 8,192" in rows.file_info.text()
    assert "chat template found" in rows.file_info.text()
    assert saved_model(dialog)["path"] == "models/other.gguf"


def test_a_typed_path_that_is_missing_says_so(qtbot: Any, open_dialog: Any, tmp_path: Path) -> None:
    dialog = open_dialog()
    rows = dialog.editor.options
    type_into(qtbot, rows.path_edit, "nowhere.gguf")
    assert dialog._controller.spec.models["embedded"].path == "nowhere.gguf"
    assert rows.file_info.text() == f"Model file not found: {tmp_path / 'nowhere.gguf'}"

    def problems() -> list[Any]:
        return [p for p in dialog._controller.problems if p.path == ("models", "embedded", "path")]

    qtbot.waitUntil(lambda: bool(problems()), timeout=15000)  # the Problems panel's list
    assert problems()[0].message.startswith("model file not found")
    type_into(qtbot, rows.path_edit, "")
    assert dialog._controller.spec.models["embedded"].path is None


def test_cancelling_the_file_picker_changes_nothing(qtbot: Any, open_dialog: Any) -> None:
    dialog = open_dialog()
    before = dialog._controller.spec
    dialog.choose_model_path = lambda: None
    qtbot.mouseClick(dialog.editor.options.browse_button, Qt.MouseButton.LeftButton)
    assert dialog._controller.spec == before


def test_the_file_rows_are_for_the_embedded_provider_only(qtbot: Any, open_dialog: Any) -> None:
    dialog = open_dialog()
    combo = dialog.editor.preset_combo
    index = combo.findData("ollama")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    assert dialog._controller.spec.models["embedded"].provider == "ollama"
    assert not dialog.editor.options.path_row.isVisible()
    assert dialog.editor.options.option_edits["max_tokens"].isVisible()


def test_a_new_team_from_the_window_is_bounded_and_its_first_run_is_short(make_main_window: Any, qtbot: Any,
                                                                          tmp_path: Path) -> None:
    """File ▸ New, Add agent, Save As: the file shows the embedded model's bounds, both agents
    run on them, and a real first run stays within them (bounded by work: two replies)."""
    import json
    import subprocess
    import sys

    from tests.conftest import ROOT

    window = make_main_window()
    window.window_actions["new"].trigger()
    window.window_actions["add_agent"].trigger()
    target = tmp_path / "first.yaml"
    window.files.choose_save_path = lambda: str(target)
    window.window_actions["save_as"].trigger()
    saved = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert saved["models"]["embedded"]["options"] == {"max_tokens": 256, "repeat_penalty": 1.15}
    spec = window.controller.spec
    assert len(spec.agents) == 2
    assert all(spec.model_for(spec.model_id_for(a)) == spec.models["embedded"] for a in spec.agents)
    out = subprocess.run([sys.executable, "-m", "designer", "run", "--jsonl", "--task",
                          "Write a short product description for a phone", str(target)],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    finished = events[-1]
    assert finished["type"] == "finished" and finished["reason"] == "completed", finished
    # Each of the two replies is capped at 256 tokens (the engine re-counts a reply's text, so allow a few).
    assert set(finished["tokens_by_agent"]) == set(spec.agents), finished
    assert all(0 < counts["completion"] <= 256 + 8 for counts in finished["tokens_by_agent"].values()), finished


def test_an_in_process_model_shows_no_server_or_key_fields(qtbot: Any, open_dialog: Any) -> None:
    """The embedded model has no server to reach and no key: Base URL and the key rows are hidden,
    and choosing a server preset brings them back."""
    from tests.ui.test_models_dialog import choose

    dialog = open_dialog()
    editor = dialog.editor
    remote_fields = (editor.base_url_edit, editor.key_ref_edit, editor.key_edit, editor.keyring_label)
    assert editor.provider_label.text() == "embedded"
    assert not any(w.isVisible() for w in remote_fields)
    choose(editor.preset_combo, "ollama")
    assert editor.provider_label.text() == "ollama"
    assert all(w.isVisible() for w in remote_fields)
