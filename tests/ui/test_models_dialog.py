"""The Models dialog driven as a user drives it: presets, the server-filled model picker, keys,
OAI_CONFIG_LIST import and Test connection — every change one undo step, network work off the
GUI thread, and no key in the spec or the saved file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from designer.core.spec import ModelSpec
from designer.core.teamfile import save_team
from designer.ui.dialogs.models import ModelsDialog
from tests import leakcheck
from tests.conftest import TEAMS
from tests.model_fixtures import closed_port, llama_model_entry

TEAM = """\
schema: team-designer/v1
name: Models
default_model: local
models:
  local: {provider: embedded, model: SmolLM2-135M-Instruct}
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  worker: {tools: [area]}
orchestration: {pattern: sequential, order: [worker]}
"""


@pytest.fixture
def open_dialog(qtbot: Any, make_controller: Any, make_spec: Any, probe_cache: Any) -> Any:
    def make(text: str = TEAM) -> ModelsDialog:
        controller = make_controller(make_spec(text))
        controller.probe_results = probe_cache
        dialog = ModelsDialog(controller, cache=probe_cache)
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        return dialog

    return make


def choose(combo: QComboBox, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def type_into(qtbot: Any, edit: QLineEdit, text: str) -> None:
    """Replace a field's text by typing and press Enter (editingFinished commits it)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, text) if text else qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def controller_of(dialog: ModelsDialog) -> Any:
    return dialog._controller


def test_a_preset_fills_base_url_and_capabilities_in_one_undo_step(open_dialog):
    dialog = open_dialog()
    controller, editor = controller_of(dialog), dialog.editor
    before = controller.undo_stack.count()
    choose(editor.preset_combo, "ollama")
    model = controller.spec.models["local"]
    assert (model.provider, model.base_url) == ("ollama", "http://127.0.0.1:11434/v1")
    assert model.model_info.function_calling and model.model_info.json_output and not model.model_info.vision
    assert editor.base_url_edit.text() == "http://127.0.0.1:11434/v1" and editor.provider_label.text() == "ollama"
    assert editor.flag_boxes["function_calling"].isChecked() and not editor.flag_boxes["vision"].isChecked()
    assert "must end in /v1" in editor.hint_label.text()
    choose(editor.preset_combo, "lmstudio")
    assert controller.spec.models["local"].base_url == "http://127.0.0.1:1234/v1"
    assert controller.undo_stack.count() == before + 2
    controller.undo_stack.undo()
    assert editor.base_url_edit.text() == "http://127.0.0.1:11434/v1", "the dialog follows undo"


def test_add_edit_remove_are_each_one_undoable_edit(open_dialog, qtbot):
    dialog = open_dialog()
    controller, editor = controller_of(dialog), dialog.editor
    start = controller.undo_stack.count()
    dialog.add_button.click()
    assert dialog.current_id == "model" and list(controller.spec.models) == ["local", "model"]
    type_into(qtbot, editor.id_edit, "fast")
    assert list(controller.spec.models) == ["local", "fast"] and dialog.current_id == "fast"
    choose(editor.preset_combo, "vllm")
    type_into(qtbot, editor.base_url_edit, "http://127.0.0.1:8001/v1")
    editor.flag_boxes["vision"].click()
    type_into(qtbot, editor.key_ref_edit, "sk-not-a-reference")
    assert "never the key itself" in dialog.message.text() and controller.spec.models["fast"].api_key is None
    assert editor.key_ref_edit.text() == "", "a refused value does not stay in the field"
    fast = controller.spec.models["fast"]
    assert (fast.provider, fast.base_url, fast.model_info.vision) == ("openai_compatible", "http://127.0.0.1:8001/v1", True)
    assert controller.undo_stack.count() == start + 5
    dialog.remove_button.click()
    assert list(controller.spec.models) == ["local"]
    controller.undo_stack.undo()
    assert list(controller.spec.models) == ["local", "fast"]


def test_the_model_picker_lists_models_from_the_server_off_the_gui_thread(open_dialog, qtbot, fake_model_server):
    fake_model_server.routes["GET /api/tags"] = (200, {"models": [{"name": "llama3.2:latest"}, {"name": "qwen2.5:7b"}]})
    fake_model_server.routes["GET /v1/models"] = (200, {"data": [{"id": "served-model"}]})
    fake_model_server.delay = 0.3
    dialog = open_dialog()
    editor = dialog.editor
    choose(editor.preset_combo, "ollama")
    type_into(qtbot, editor.base_url_edit, fake_model_server.base())
    editor.load_button.click()
    assert editor.load_status.text() == "Loading…" and editor.load_busy.isVisible() and not editor.load_button.isEnabled()
    qtbot.waitUntil(lambda: editor.model_combo.count() == 2, timeout=10000)
    assert [editor.model_combo.itemText(i) for i in range(2)] == ["llama3.2:latest", "qwen2.5:7b"]
    assert editor.load_status.text() == "2 models on the server" and not editor.load_busy.isVisible()
    choose(editor.preset_combo, "llamacpp")
    type_into(qtbot, editor.base_url_edit, fake_model_server.base())
    editor.load_button.click()
    qtbot.waitUntil(lambda: editor.model_combo.count() == 1, timeout=10000)
    editor.model_combo.setCurrentIndex(0)
    editor.model_combo.activated.emit(0)
    assert controller_of(dialog).spec.models["local"].model == "served-model"


def test_model_list_errors_are_shown_in_plain_words(open_dialog, qtbot):
    port = closed_port()
    dialog = open_dialog()
    choose(dialog.editor.preset_combo, "ollama")
    type_into(qtbot, dialog.editor.base_url_edit, f"http://127.0.0.1:{port}/v1")
    dialog.editor.load_button.click()
    qtbot.waitUntil(lambda: dialog.editor.load_button.isEnabled(), timeout=10000)
    assert dialog.editor.load_status.text() == (
        f"Could not list models: connection refused: nothing is listening at http://127.0.0.1:{port}/api/tags — "
        "is the server running?")


def test_a_failed_test_shows_the_report_and_warns_about_tool_users(open_dialog, qtbot):
    port = closed_port()
    dialog = open_dialog()
    controller, editor = controller_of(dialog), dialog.editor
    choose(editor.preset_combo, "llamacpp")
    type_into(qtbot, editor.base_url_edit, f"http://127.0.0.1:{port}/v1")
    editor.test_button.click()
    assert editor.test_status.text() == "Testing local…" and editor.test_busy.isVisible()
    qtbot.waitUntil(lambda: editor.test_button.isEnabled(), timeout=20000)
    assert editor.test_status.text() == "Failed"
    assert "Answer:    no — connection refused: nothing is listening at" in editor.report_view.toPlainText()
    warnings = [p for p in controller.problems if "failed its connection test" in p.message]
    assert [p.dotted_path for p in warnings] == ["agents.worker"]


@pytest.mark.embedded
def test_test_connection_against_the_llama_server_shows_a_passing_report(open_dialog, qtbot, llama_server):
    dialog = open_dialog()
    controller, editor = controller_of(dialog), dialog.editor
    choose(editor.preset_combo, "llamacpp")
    type_into(qtbot, editor.base_url_edit, llama_server.base_url)
    editor.model_combo.setFocus()
    editor.model_combo.lineEdit().selectAll()
    qtbot.keyClicks(editor.model_combo.lineEdit(), llama_server.model)
    qtbot.keyClick(editor.model_combo.lineEdit(), Qt.Key.Key_Return)
    assert controller.spec.models["local"] == llama_model_entry(llama_server).model_copy(
        update={"model_info": controller.spec.models["local"].model_info})
    editor.test_button.click()
    qtbot.waitUntil(lambda: editor.test_button.isEnabled(), timeout=120000)
    report = editor.report_view.toPlainText()
    assert editor.test_status.text() == "Passed", report
    assert report.startswith("Connection test of model 'local' — openai_compatible, model smollm2 at http://127.0.0.1:")
    assert "Tool call: yes, add(" in report and report.endswith("Result:    passed — the model answers and calls tools")
    assert dialog.cache.for_model(controller.spec.models["local"]).ok
    assert not [p for p in controller.problems if "connection test" in p.message]


def test_a_key_typed_without_a_keyring_becomes_an_env_reference(open_dialog, qtbot, no_keyring, tmp_path: Path):
    dialog = open_dialog()
    controller, editor = controller_of(dialog), dialog.editor
    assert editor.keyring_label.text().startswith("System keyring: not available — no system keyring is available")
    choose(editor.preset_combo, "openai")
    key = leakcheck.typed_key("dialog-nokeyring")
    qtbot.keyClicks(editor.key_edit, key)
    assert editor.key_edit.echoMode() == QLineEdit.EchoMode.Password
    editor.store_key_button.click()
    assert editor.key_edit.text() == ""
    assert controller.spec.models["local"].api_key == "env:OPENAI_API_KEY"
    message = editor.key_message.text()
    assert message.startswith("Not stored: no system keyring is available") and "export OPENAI_API_KEY=" in message
    assert key not in message
    save_team(controller.spec, tmp_path / "team.yaml")
    assert key not in (tmp_path / "team.yaml").read_text() and key not in repr(controller.spec)


def test_a_key_typed_with_a_keyring_is_stored_there(open_dialog, qtbot, memory_keyring):
    dialog = open_dialog()
    editor = dialog.editor
    choose(editor.preset_combo, "anthropic")
    key = leakcheck.typed_key("dialog-keyring")
    qtbot.keyClicks(editor.key_edit, key)
    editor.store_key_button.click()
    assert controller_of(dialog).spec.models["local"].api_key == "keyring:local"
    assert memory_keyring.entries[("team-designer", "local")] == key
    assert "stored in the system keyring as 'local'" in editor.key_message.text()


def test_importing_an_oai_config_list_adds_models_with_references(open_dialog, no_keyring, tmp_path: Path):
    key = leakcheck.typed_key("dialog-import")
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o-mini", "api_key": key}]))
    dialog = open_dialog()
    dialog.choose_config_path = lambda: str(config)
    dialog.import_button.click()
    config.unlink()  # the test's own input holds the key; the session's leak scan reads what is left
    controller = controller_of(dialog)
    assert controller.spec.models["gpt_4o_mini"].api_key == "env:OPENAI_API_KEY" and dialog.current_id == "gpt_4o_mini"
    assert "Imported 1 model: gpt_4o_mini." in dialog.editor.key_message.text()
    assert "Before running, set: OPENAI_API_KEY" in dialog.editor.key_message.text()
    controller.undo_stack.undo()
    assert "gpt_4o_mini" not in controller.spec.models, "the import is one undo step"


def test_an_oai_entry_no_model_can_hold_is_skipped_in_words(open_dialog, tmp_path: Path):
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o", "api_type": "azure", "base_url": "https://x.openai.azure.com",
                                   "azure_deployment": 5, "api_key": "env:AZURE_KEY"}]))
    dialog = open_dialog()
    before = controller_of(dialog).spec
    dialog.choose_config_path = lambda: str(config)
    dialog.import_button.click()
    assert "Skipped entry 1 (gpt-4o): a value is not valid for a model entry (deployment)." in dialog.editor.key_message.text()
    assert controller_of(dialog).spec == before


def test_the_window_opens_the_dialog_from_the_menu_and_the_team_panel(make_main_window, qtbot):
    window = make_main_window(TEAMS / "rectangle_area.yaml")
    window.window_actions["models"].trigger()
    dialog = window.models_dialog
    assert dialog is not None and dialog.isVisible() and dialog.current_id == "smollm2"
    dialog.close()
    window.team_panel.models_dialog_button.click()
    assert window.models_dialog is dialog and dialog.isVisible()
    dialog.close()


def test_entries_keep_their_references_when_opened(open_dialog):
    dialog = open_dialog(TEAM.replace("local: {provider: embedded, model: SmolLM2-135M-Instruct}",
                                      'local: {provider: openai, model: gpt-4o, api_key: "env:OPENAI_API_KEY"}'))
    assert dialog.editor.key_ref_edit.text() == "env:OPENAI_API_KEY"
    assert dialog.editor.preset_combo.currentData() == "openai"
    assert isinstance(controller_of(dialog).spec.models["local"], ModelSpec)


def test_background_results_arrive_on_the_gui_thread_and_the_newest_request_wins(qtbot):
    import threading

    from designer.ui.widgets.background import BackgroundTasks

    tasks = BackgroundTasks()
    got: list[tuple[Any, Any, bool]] = []
    gate = threading.Event()

    def record(result: Any, error: BaseException | None) -> None:
        got.append((result, error, threading.current_thread() is threading.main_thread()))

    tasks.submit("list", lambda: gate.wait(5) and "old", record)
    tasks.submit("list", lambda: "new", record)
    assert tasks.busy("list")
    qtbot.waitUntil(lambda: bool(got), timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: not tasks._pending, timeout=5000)
    assert got == [("new", None, True)] and not tasks.busy("list")
    tasks.submit("probe", lambda: 1 / 0, record)
    qtbot.waitUntil(lambda: len(got) == 2, timeout=5000)
    assert got[1][0] is None and isinstance(got[1][1], ZeroDivisionError) and got[1][2]
