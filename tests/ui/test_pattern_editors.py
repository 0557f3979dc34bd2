"""The pattern panel offers every registered pattern with the words its core module gives it."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from designer.core import edits
from designer.core.patterns import PATTERNS, rules_for
from designer.ui.document.controller import DocumentController
from designer.ui.panels.pattern_panel import PatternPanelWidget
from designer.ui.panels.patterns import editor_factories


def test_every_core_pattern_has_exactly_one_editor():
    assert set(editor_factories()) == set(PATTERNS)


def test_the_picker_lists_each_pattern_by_label_with_its_summary_and_shows_its_editor(qtbot):
    # Owned by a widget, as the window owns its controller: Qt deletes it (with its undo stack and
    # commands) when the test's widgets go. A parentless controller was left to Python's garbage
    # collector, whose order of freeing it and its commands crashed the process now and then.
    owner = QWidget()
    qtbot.addWidget(owner)
    controller = DocumentController(owner)
    controller.set_design(edits.new_team(), None)
    panel = PatternPanelWidget(controller)
    qtbot.addWidget(panel)
    asked: list[str] = []
    panel.confirm = lambda title, text: asked.append(title) or True
    combo = panel.pattern_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [rules_for(p).label for p in PATTERNS]
    for i, pattern in enumerate(PATTERNS):
        combo.activated.emit(i)
        assert controller.spec.orchestration.pattern == pattern
        assert panel.stack.currentWidget() is panel.editors[pattern]
        assert panel.help_label.text() == rules_for(pattern).summary
    # One agent: only leaving the hierarchy drops something (the coordinator choice), so only that asks.
    assert asked == ["Switch to Round robin?"]
