"""File ▸ Import… and File ▸ Export ▸ AgentChat JSON… / Python Script… in the window (issue 13).

Driven as a user does: the menu actions are triggered, Qt's file dialogs are answered by
monkeypatching their static functions, and the window's own pick and report dialogs are built
for real, with only their exec() answered, so every line of the window's code runs. Error boxes
land in ``window.errors`` (make_main_window answers FileManager.show_error).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QAction, QDropEvent
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from designer.core.edits import set_agent_field, set_team_field
from designer.core.validate import validate_file
from designer.ui.actions import menu_named
from designer.ui.dialogs.import_dialog import InteropReportDialog, TeamPickerDialog
from tests.conftest import FIXTURES, TEAMS

INTEROP = FIXTURES / "interop"
GALLERY = INTEROP / "autogenstudio_default_gallery.json"
SELECTOR = INTEROP / "agentchat_selector.json"
EXAMPLE = TEAMS / "rectangle_area.yaml"
#: Generous: the first JSON export imports AgentChat in the background (~1 s on an idle machine).
EXPORT_TIMEOUT_MS = 120_000


def file_action(window: Any, text: str) -> QAction:
    """An action of the File menu or of its Export submenu, by its text without the & mnemonic."""
    file_menu = menu_named(window, "File")
    assert file_menu is not None
    for action in file_menu.actions():
        if action.text().replace("&", "") == text:
            return action
        sub = action.menu()
        if sub is not None:
            for inner in sub.actions():
                if f"{action.text()} ▸ {inner.text()}".replace("&", "") == text:
                    return inner
    raise AssertionError(f"no File ▸ {text}")


@pytest.fixture
def reports(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every report dialog shown, as (window title, its whole text); closing it is the answer."""
    shown: list[tuple[str, str]] = []

    def exec_(self: InteropReportDialog) -> int:
        shown.append((self.windowTitle(), self.text()))
        return int(QDialog.DialogCode.Rejected)  # the Close button

    monkeypatch.setattr(InteropReportDialog, "exec", exec_)
    return shown


def answer_open(monkeypatch: pytest.MonkeyPatch, path: Path) -> list[str]:
    asked: list[str] = []

    def get_open(parent: Any, title: str, folder: str = "", filters: str = "", *args: Any) -> tuple[str, str]:
        asked.append(filters)
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open))
    return asked


def answer_save(monkeypatch: pytest.MonkeyPatch, path: Path | None) -> list[str]:
    """Answer the save dialog with ``path`` (None: Cancel); returns the suggested paths it was shown."""
    suggested: list[str] = []

    def get_save(parent: Any, title: str, start: str = "", *args: Any) -> tuple[str, str]:
        suggested.append(start)
        return (str(path) if path is not None else ""), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(get_save))
    return suggested


# --- import ---------------------------------------------------------------------------------


def test_import_a_gallery_picks_two_teams_writes_both_reports_the_dropped_web_surfer_and_opens_the_first(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A gallery shows a picker with every team's label and description; two ticked teams are
    written into the chosen folder, each a valid team file; the report names the dropped web
    surfer and the tool modules to trust; the first team is the window's document."""
    w = make_main_window(TEAMS / "capital_of_france.yaml")
    answer_open(monkeypatch, GALLERY)
    out = tmp_path / "imported"
    out.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(out)))
    shown_rows: list[str] = []

    def pick(self: TeamPickerDialog) -> int:
        shown_rows.extend(self.list.item(i).text() for i in range(self.list.count()))
        self.all_button.click()
        assert len(self.chosen()) == 4
        self.none_button.click()
        assert not self.import_button.isEnabled()  # nothing ticked: nothing to import
        for row in (0, 2):  # RoundRobin Team, Web Agent Team (Operator): what a click on each box does
            self.list.item(row).setCheckState(Qt.CheckState.Checked)
        assert self.import_button.isEnabled()
        self.buttons.accepted.emit()
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(TeamPickerDialog, "exec", pick)

    file_action(w, "Import…").trigger()

    assert w.errors == []
    assert len(shown_rows) == 4
    assert shown_rows[0].startswith("RoundRobin Team\n") and "calculator tool" in shown_rows[0]
    assert shown_rows[2].startswith("Web Agent Team (Operator)\n")
    written = sorted(out.glob("*.yaml"))
    assert len(written) == 2, written
    for path in written:
        result = validate_file(path)
        assert result.spec is not None, [p.format() for p in result.problems]
    assert len(reports) == 1
    title, text = reports[0]
    assert title == "Import report"
    assert "Imported 2 teams from autogenstudio_default_gallery.json" in text
    assert "dropped: MultimodalWebSurfer 'websurfer_agent'" in text  # the gallery's web surfer
    for path in written:
        assert str(path) in text
    assert "not trusted" in text  # the calculator's module came from the file
    # The first ticked team is open, from its new file, through File ▸ Open's path.
    assert w.controller.path is not None and w.controller.path.parent == out.resolve()
    assert w.controller.spec.name.startswith("RoundRobin")
    assert w.controller.undo_stack.isClean()
    assert w.stack.currentWidget() is w.canvas


def test_import_one_team_asks_where_with_the_suggested_name_keeps_its_key_out_and_asks_about_unsaved_work(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        memory_keyring: Any) -> None:
    """A dump_component() file is one team: no picker, a save dialog suggesting the importer's
    default name; its key goes to the keyring, never into the team file or the report; the
    unsaved design is asked about before the import replaces it, as File ▸ Open does."""
    from designer.core.interop.components import read_component_file
    from designer.core.interop.save_import import default_out_path

    w = make_main_window(EXAMPLE)
    w.controller.edit("describe", set_team_field, "description", "unsaved work")
    asked_save: list[str] = []
    w.files.ask_save = lambda name: asked_save.append(name) or "discard"
    answer_open(monkeypatch, SELECTOR)
    target = tmp_path / "selector_team.yaml"
    suggested = answer_save(monkeypatch, target)
    monkeypatch.setattr(TeamPickerDialog, "exec", lambda self: pytest.fail("one team needs no picker"))

    file_action(w, "Import…").trigger()

    assert w.errors == []
    entry = read_component_file(SELECTOR)[0]
    assert suggested == [str(default_out_path(entry, SELECTOR.parent))]
    assert target.exists() and validate_file(target).spec is not None
    raw_key = json.dumps(json.loads(SELECTOR.read_text(encoding="utf-8")))
    assert "sk-fixture-" in raw_key  # the fixture does carry a (fake) key
    assert "sk-fixture-" not in target.read_text(encoding="utf-8")
    assert len(reports) == 1 and "sk-fixture-" not in reports[0][1]
    assert "key:" in reports[0][1]
    assert asked_save == ["rectangle_area.yaml"]
    assert w.controller.path == target.resolve()


@pytest.mark.parametrize("content", ["{ not json", json.dumps({"provider": "no.such.Thing", "config": {}}), ""])
def test_import_of_a_bad_file_shows_one_clear_error_and_leaves_the_document_untouched(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        content: str) -> None:
    w = make_main_window(EXAMPLE)
    w.controller.edit("describe", set_team_field, "description", "unsaved work")
    before = w.controller.spec
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    answer_open(monkeypatch, bad)
    answer_save(monkeypatch, tmp_path / "never.yaml")
    asked: list[str] = []
    w.files.ask_save = lambda name: asked.append(name) or "discard"

    file_action(w, "Import…").trigger()

    assert asked == []  # nothing was opened, so nothing was asked
    assert len(w.errors) == 1 and "bad.json" in w.errors[0]
    assert "Traceback" not in w.errors[0]
    assert reports == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.json"]
    assert w.controller.spec is before and w.controller.path == EXAMPLE.resolve()
    assert not w.controller.undo_stack.isClean()


def test_importing_over_existing_files_asks_and_no_keeps_them(make_main_window: Any, reports: list[tuple[str, str]],
                                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_main_window(EXAMPLE)
    answer_open(monkeypatch, GALLERY)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(tmp_path)))

    def pick_first_two(self: TeamPickerDialog) -> int:
        self.set_checked([0, 1])
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(TeamPickerDialog, "exec", pick_first_two)
    file_action(w, "Import…").trigger()
    assert len(reports) == 1
    before = {p: p.read_bytes() for p in tmp_path.glob("*.yaml")}
    assert len(before) == 2
    questions: list[str] = []

    def question(parent: Any, title: str, text: str, *args: Any) -> QMessageBox.StandardButton:
        questions.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    file_action(w, "Import…").trigger()

    assert len(questions) == 1 and all(p.name in questions[0] for p in before)
    assert len(reports) == 1 and w.errors == []
    assert {p: p.read_bytes() for p in tmp_path.glob("*.yaml")} == before


def test_cancelling_the_picker_writes_nothing(make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_main_window(EXAMPLE)
    answer_open(monkeypatch, GALLERY)
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: pytest.fail("cancelled first")))
    monkeypatch.setattr(TeamPickerDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected))

    file_action(w, "Import…").trigger()

    assert w.errors == [] and reports == []
    assert w.controller.path == EXAMPLE.resolve()


def test_dropping_a_json_file_on_the_window_imports_it(make_main_window: Any, reports: list[tuple[str, str]],
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A JSON file dropped on the window goes the File ▸ Import… way (a team file opens as before)."""
    w = make_main_window()
    target = tmp_path / "dropped.yaml"
    answer_save(monkeypatch, target)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(SELECTOR))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)

    w.dropEvent(drop)

    assert w.errors == [] and len(reports) == 1
    assert w.controller.path == target.resolve() and w.stack.currentWidget() is w.canvas


def test_import_is_offered_on_the_start_page_and_the_exports_are_not(make_main_window: Any) -> None:
    w = make_main_window()
    assert file_action(w, "Import…").isEnabled()
    assert file_action(w, "Import…").shortcut().toString() == "Ctrl+Shift+I"
    assert not file_action(w, "Export ▸ AgentChat JSON…").isEnabled()
    assert not file_action(w, "Export ▸ Python Script…").isEnabled()
    w.open_file(str(EXAMPLE))
    assert file_action(w, "Export ▸ AgentChat JSON…").isEnabled()
    assert file_action(w, "Export ▸ Python Script…").isEnabled()


# --- export ---------------------------------------------------------------------------------


def test_export_agentchat_json_of_an_example_writes_json_that_parses_and_shows_the_report(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        qtbot: Any) -> None:
    w = make_main_window(EXAMPLE)
    out = tmp_path / "rectangle.json"
    suggested = answer_save(monkeypatch, out)

    file_action(w, "Export ▸ AgentChat JSON…").trigger()
    qtbot.waitUntil(lambda: bool(reports or w.errors), timeout=EXPORT_TIMEOUT_MS)

    assert w.errors == []
    assert [Path(s).name for s in suggested] == ["rectangle_area.json"]
    assert Path(suggested[0]).parent != TEAMS  # never suggests writing among the shipped examples
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and "provider" in data and "config" in data
    assert len(reports) == 1 and str(out) in reports[0][1]
    assert "Exported rectangle.json" in w.statusBar().currentMessage()


def test_export_python_exports_the_unsaved_design_as_a_script_that_compiles(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        qtbot: Any) -> None:
    """What is in the editor is exported, saved or not; the team file itself is left as it was."""
    w = make_main_window(EXAMPLE)
    marker = "Always answer in exactly one sentence, please-and-thank-you."
    w.controller.edit("prompt", set_agent_field, "geometry_assistant", "system_message", marker)
    out = tmp_path / "rectangle"  # no suffix typed: .py is added
    answer_save(monkeypatch, out)
    before = EXAMPLE.read_bytes()

    file_action(w, "Export ▸ Python Script…").trigger()
    qtbot.waitUntil(lambda: bool(reports or w.errors), timeout=EXPORT_TIMEOUT_MS)

    assert w.errors == []
    script = out.with_suffix(".py")
    text = script.read_text(encoding="utf-8")
    compile(text, str(script), "exec")
    assert marker in text
    assert "designer" not in [line.split()[1].split(".")[0] for line in text.splitlines()
                              if line.startswith(("import ", "from "))]  # no import of this product
    assert len(reports) == 1 and "python rectangle.py" in reports[0][1]
    assert EXAMPLE.read_bytes() == before
    assert not w.controller.undo_stack.isClean()  # still unsaved: an export is not a save


def test_export_of_a_team_with_problems_is_refused_and_writes_nothing(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = make_main_window(EXAMPLE)
    w.controller.edit("model", set_agent_field, "geometry_assistant", "model", "no_such_model")
    suggested = answer_save(monkeypatch, tmp_path / "broken.json")

    file_action(w, "Export ▸ AgentChat JSON…").trigger()

    assert suggested == []  # refused before asking where
    assert len(w.errors) == 1 and "problem" in w.errors[0] and "no_such_model" in w.errors[0]
    assert reports == [] and list(tmp_path.iterdir()) == []


def test_an_export_that_cannot_be_written_says_so(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        qtbot: Any) -> None:
    w = make_main_window(EXAMPLE)
    answer_save(monkeypatch, tmp_path / "missing" / "rectangle.py")

    file_action(w, "Export ▸ Python Script…").trigger()
    qtbot.waitUntil(lambda: bool(reports or w.errors), timeout=EXPORT_TIMEOUT_MS)

    assert reports == []
    assert len(w.errors) == 1 and "could not be written" in w.errors[0] and "the folder does not exist" in w.errors[0]


def test_import_of_an_oai_config_list_adds_its_models_to_the_open_team_as_one_undoable_edit(
        make_main_window: Any, reports: list[tuple[str, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        no_keyring: Any) -> None:
    w = make_main_window(EXAMPLE)
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o-mini", "api_key": "sk-oai-window-000000000000"}]), encoding="utf-8")
    answer_open(monkeypatch, config)
    before = set(w.controller.spec.models)

    file_action(w, "Import…").trigger()

    assert w.errors == []
    assert set(w.controller.spec.models) - before == {"gpt_4o_mini"}
    assert "sk-oai-window" not in str(w.controller.spec.model_dump())  # no keyring here: dropped, the variable named
    assert len(reports) == 1 and "OPENAI_API_KEY" in reports[0][1] and "sk-oai-window" not in reports[0][1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OAI_CONFIG_LIST"]  # no team file was written
    w.controller.undo_stack.undo()
    assert set(w.controller.spec.models) == before
