"""The YAML tab: the open design as the exact text Save would write, editable both ways.

While the user is not typing in it, the text follows every change of the design (the same
``dump_team`` that saves, so what is shown is what gets written). Once the user types, the
text is theirs until they Apply or Revert: it is parsed a moment after each pause, problems
are marked on their lines and named in a strip under the editor, and Apply (button, Ctrl+Enter)
replaces the design with the parsed team as ONE undo step. Typed text is never dropped
behind the user's back: leaving the tab keeps it (the tab shows a badge), and a change made
elsewhere meanwhile is announced instead of overwriting it. The parse is the safe one used
for opening files: nothing in the text is executed.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QShowEvent, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...core.document import Change
from ...core.problems import Problem
from ...core.spec import TeamSpec
from ...core.teamfile import dump_team
from ...core.yamlio import LoadResult, parse_team
from ..widgets.code_editor import CodeEditorWidget
from .controller import DocumentController
from .repair_view import CHECK_DELAY_MS, problem_label

EDIT_LABEL = "Edit YAML"
#: Short enough for the strip beside the buttons at the window's usual width.
#: Changes made elsewhere are shown once they settle: writing a 200-agent design as YAML takes
#: most of a second, which must not happen for every keystroke typed into a panel.
REFRESH_DELAY_MS = 150
IDLE_MESSAGE = "Live text of the design. Type to edit; Ctrl+Enter applies."


class YamlViewWidget(QWidget):
    """Editor, a one-line message strip, Revert and Apply. ``dirtyChanged``: typed text is
    waiting to be applied (True) or there is none (False)."""

    dirtyChanged = Signal(bool)  # noqa: N815 - Qt naming

    def __init__(self, controller: DocumentController, save: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("yaml_view")
        self._controller = controller
        self._save = save
        #: The text last taken from the design; the editor differs from it when the user typed.
        self._shown: str | None = None
        self._dirty = False
        self._loading = False
        #: The characters last seen in the editor (typed or loaded).
        self._seen = ""
        self._stale = True
        self._result: LoadResult | None = None
        self.problems: list[Problem] = []
        self.editor = CodeEditorWidget()
        self.editor.setObjectName("yaml_editor")
        self.editor.route_history = True  # one design history: Ctrl+Z after Apply undoes it
        # The strip is always there at one line's height, so a message appearing never moves
        # the editor under the pointer; long messages are cut, the tooltip has them all.
        self.message = QLabel()
        self.message.setObjectName("yaml_message")
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Discard the typed text and show the design again")
        self.apply_button = QPushButton("Apply")
        self.apply_button.setToolTip("Make the typed text the design, as one undo step (Ctrl+Enter)")
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.revert_button)
        row.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self._on_refresh_due)
        self.editor.textChanged.connect(self._on_text_changed)
        self.editor.applyRequested.connect(self.apply)
        self.editor.saveRequested.connect(self._on_save_key)
        self.editor.historyRequested.connect(self._on_history)
        self.apply_button.clicked.connect(self.apply)
        self.revert_button.clicked.connect(self.revert)
        controller.changed.connect(self._on_design_changed)
        self._update_buttons()

    # --- following the design ------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        return self._dirty

    def refresh(self) -> None:
        """Show the design's text, keeping the cursor's line and column and the scroll position."""
        self._refresh_timer.stop()
        self._stale = False
        text = dump_team(self._controller.spec)
        if text == self._shown and self._seen == text:  # (_seen: the characters the editor holds)
            return
        cursor = self.editor.textCursor()
        line, column = cursor.blockNumber(), cursor.positionInBlock()
        vertical, horizontal = self.editor.verticalScrollBar().value(), self.editor.horizontalScrollBar().value()
        self._loading = True
        try:
            self.editor.setPlainText(text)  # also clears the text's own undo history
        finally:
            self._loading = False
        self._seen = text
        self._shown = text
        block = self.editor.document().findBlockByNumber(min(line, self.editor.blockCount() - 1))
        cursor = QTextCursor(block)
        cursor.setPosition(block.position() + min(column, max(block.length() - 1, 0)))
        self.editor.setTextCursor(cursor)
        self.editor.verticalScrollBar().setValue(vertical)
        self.editor.horizontalScrollBar().setValue(horizontal)
        self._result = None
        self._show_problems([])
        self.message.setText(IDLE_MESSAGE)
        self._set_dirty(False)

    def _on_design_changed(self, change: Change) -> None:
        if change.reset:  # another design was opened: text typed for the old one means nothing now
            self._shown = None
            self._stale = True
        elif self._dirty:
            self.message.setText("The design changed elsewhere: Apply overwrites that, Revert shows it.")
            return
        self._stale = True
        if self.isVisible():
            self._refresh_timer.start()
        elif change.reset:
            self._set_dirty(False)

    def _on_refresh_due(self) -> None:
        if self._stale and not self._dirty and self.isVisible():
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale and not self._dirty:
            self.refresh()

    # --- the user's text ---------------------------------------------------------------------

    def _on_text_changed(self) -> None:
        # textChanged also fires for format-only changes (the highlighter on a theme switch):
        # only a change of the characters is the user typing.
        text = self.editor.toPlainText()
        if self._loading or text == self._seen:
            self._seen = text
            return
        self._seen = text
        self._set_dirty(text != self._shown)
        if self._dirty:
            self._timer.start()  # restarted by each keystroke: parsed once the user pauses
        else:
            self._timer.stop()
            self._result = None
            self._show_problems([])
        self._update_buttons()

    def _set_dirty(self, dirty: bool) -> None:
        # Ctrl+S with typed text must save that text, not the design behind it (see _on_save_key).
        self.editor.claim_save = dirty
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirtyChanged.emit(dirty)
        self._update_buttons()

    def check_now(self) -> LoadResult:
        """Parse the typed text (safe YAML, then the schema) and mark what is wrong."""
        self._timer.stop()
        self._result = parse_team(self.editor.toPlainText())
        self._show_problems(self._result.problems)
        if self._result.spec is not None:
            self.message.setText("✓ Valid: Apply (Ctrl+Enter) makes it the design; Revert discards it.")
        self._update_buttons()
        return self._result

    def _show_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.editor.set_problems(self.problems)
        if self.problems:
            more = len(self.problems) - 1
            self.message.setText("⚠ " + problem_label(self.problems[0]) + (f" (and {more} more)" if more else ""))
            self.message.setToolTip("\n".join(problem_label(p) for p in self.problems))
        else:
            self.message.setText("")
            self.message.setToolTip("")

    def _update_buttons(self) -> None:
        valid = self._result is not None and self._result.spec is not None
        self.apply_button.setEnabled(self._dirty and (valid or self._timer.isActive()))
        self.revert_button.setEnabled(self._dirty)

    def apply(self) -> bool:
        """The typed text becomes the design as one undo step; False (and nothing changes) when
        it has problems."""
        if not self._dirty:
            return False
        result = self.check_now()
        if result.spec is None:
            return False
        spec = self._keep_layout(result.spec)
        self._shown = None
        self._set_dirty(False)
        outcome = self._controller.edit(EDIT_LABEL, _replace_with, spec)
        self.refresh()
        self.editor.document().clearUndoRedoStacks()  # Ctrl+Z now undoes the applied step
        self.message.setText("Applied: Edit ▸ Undo (Ctrl+Z) takes it back." if outcome.applied else "Nothing changed.")
        return outcome.applied

    def _keep_layout(self, spec: TeamSpec) -> TeamSpec:
        # Positions are not prompt content: text without a layout block keeps the canvas as it is.
        current = self._controller.spec.layout
        if "layout" in spec.model_fields_set or current is None:
            return spec
        return spec.model_copy(update={"layout": current})

    def revert(self) -> None:
        self._timer.stop()
        self._shown = None
        self.refresh()
        self.message.setText("Reverted: the text shows the design again.")

    def _on_history(self, undo: bool) -> None:
        self._controller.break_merge()
        (self._controller.undo_stack.undo if undo else self._controller.undo_stack.redo)()

    def _on_save_key(self) -> None:
        """Ctrl+S with typed text: apply it first (so Save writes it), or say why nothing was saved."""
        if self._dirty and not self.apply() and self._dirty:
            self.message.setText("Not saved: fix the marked problem (or Revert) first. " + self.message.text().lstrip("⚠ "))
            return
        self._save()


def _replace_with(spec: TeamSpec, replacement: TeamSpec) -> TeamSpec:
    """The edit behind Apply: the whole design, at once (the controller keeps the file's path)."""
    return replacement
