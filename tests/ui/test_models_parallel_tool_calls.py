"""The Models dialog's parallel_tool_calls option: a choice of not set / on / off, each one undo
step, written into the file and read back as chosen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from PySide6.QtWidgets import QComboBox

from designer.core.edits import new_team
from designer.core.teamfile import save_team
from designer.core.yamlio import load_team
from designer.ui.dialogs.models import ModelsDialog


def choose(combo: QComboBox, data: Any) -> None:
    """Pick an entry as a user would: current index, then the user-only ``activated`` signal."""
    index = next(i for i in range(combo.count()) if combo.itemData(i) is data)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_parallel_tool_calls_is_unset_on_or_off(qtbot: Any, make_controller: Any, tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    save_team(new_team(), path)
    controller = make_controller(new_team(), path)
    dialog = ModelsDialog(controller)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    switch = dialog.editor.options.option_switches["parallel_tool_calls"]
    assert [switch.itemText(i) for i in range(switch.count())] == ["not set", "on", "off"]
    assert switch.currentData() is None and "parallel_tool_calls" not in dialog.editor.options.option_edits
    before = controller.spec

    choose(switch, False)
    assert controller.spec.models["embedded"].options.parallel_tool_calls is False
    save_team(controller.spec, path)
    saved = yaml.safe_load(path.read_text(encoding="utf-8"))["models"]["embedded"]["options"]
    assert saved["parallel_tool_calls"] is False
    assert load_team(path).spec == controller.spec

    choose(switch, True)
    assert controller.spec.models["embedded"].options.parallel_tool_calls is True
    choose(switch, None)
    assert "parallel_tool_calls" not in controller.spec.models["embedded"].options.model_fields_set
    for _ in range(3):
        controller.undo_stack.undo()
    assert controller.spec == before and switch.currentData() is None
    controller.undo_stack.redo()
    assert switch.currentData() is False
