"""A YAML text editor: line numbers, syntax colours for light and dark palettes, problem marks.

Shared by the repair view (a file that did not load) and the YAML tab (the open design as
text). Problems are drawn as extra selections (a tinted line and a wavy underline), which
never change the text or its layout, so marking a problem cannot move what the user types.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from PySide6.QtCore import QEvent, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from ...core.problems import Problem


@dataclass(frozen=True)
class YamlColours:
    """One colour per kind of token; chosen per palette so both light and dark read well."""

    key: QColor
    string: QColor
    comment: QColor
    number: QColor
    constant: QColor
    schema: QColor
    problem_line: QColor
    problem_mark: QColor
    current_problem: QColor

    @staticmethod
    def for_palette(palette: QPalette) -> YamlColours:
        # The base (text background) decides, not the window colour: that is what the text sits on.
        if palette.color(QPalette.ColorRole.Base).lightness() < 128:
            return YamlColours(QColor("#79b8ff"), QColor("#85e89d"), QColor("#9da5b4"), QColor("#ffab70"),
                               QColor("#d2a8ff"), QColor("#56d4dd"), QColor("#4b2327"), QColor("#ff7b72"),
                               QColor("#6b2a30"))
        return YamlColours(QColor("#0550ae"), QColor("#116329"), QColor("#6e7781"), QColor("#953800"),
                           QColor("#8250df"), QColor("#0a7b83"), QColor("#ffebe9"), QColor("#cf222e"),
                           QColor("#ffcecb"))


def _format(colour: QColor, *, bold: bool = False, italic: bool = False) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(colour)
    if bold:
        fmt.setFontWeight(QFont.Weight.Bold)
    fmt.setFontItalic(italic)
    return fmt


_KEY = re.compile(r"""^(\s*(?:-\s+)*)("[^"]*"|'[^']*'|[^\s#'"\[\]{},:][^#:]*?)\s*:(?=\s|$)""")
_ITEM = re.compile(r"^\s*(?:-\s+)+")
_NUMBER = re.compile(r"[-+]?(?:\d[\d_]*(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+|\.inf|\.Inf|\.nan|\.NaN|0x[0-9a-fA-F]+|0o[0-7]+)")
_CONSTANT = re.compile(r"true|false|True|False|TRUE|FALSE|null|Null|NULL|~")
_BLOCK_INDICATOR = re.compile(r"[|>][-+0-9]*")
_FLOW_PAIR = re.compile(r"""("[^"]*"|'[^']*'|[^\s:'"][^:]*?)\s*:(?:\s+|$)""")


def comment_start(text: str) -> int:
    """Where a '#' comment begins outside quotes (-1: none): YAML needs a space before it."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t[{,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return i
    return -1


def _u16(text: str) -> int:
    """Length in UTF-16 units: Qt's offsets count those, Python's count code points."""
    return len(text.encode("utf-16-le")) // 2


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


class YamlHighlighter(QSyntaxHighlighter):
    """Keys, quoted and plain strings, comments, numbers, booleans/null and the ``schema:`` line.

    Block state: inside a ``|`` or ``>`` block scalar (the prompts) the state holds the
    indentation of the line that opened it, so prompt lines that look like ``key: value``
    are coloured as the text they are, not as keys.
    """

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self.set_palette(palette, rehighlight=False)

    def set_palette(self, palette: QPalette, *, rehighlight: bool = True) -> None:
        self.colours = YamlColours.for_palette(palette)
        c = self.colours
        self._formats = {
            "key": _format(c.key, bold=True), "string": _format(c.string), "comment": _format(c.comment, italic=True),
            "number": _format(c.number), "constant": _format(c.constant, bold=True), "schema": _format(c.schema, bold=True),
        }
        if rehighlight:
            self.rehighlight()

    def format_for(self, kind: str) -> QTextCharFormat:
        return self._formats[kind]

    def _set(self, text: str, start: int, end: int, kind: str) -> None:
        if end > start:
            self.setFormat(_u16(text[:start]), _u16(text[start:end]), self._formats[kind])

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        parent_indent = self.previousBlockState()
        if parent_indent >= 0 and (not text.strip() or _indent(text) > parent_indent):
            self._set(text, 0, len(text), "string")
            self.setCurrentBlockState(parent_indent)
            return
        self.setCurrentBlockState(-1)
        hash_at = comment_start(text)
        code = text if hash_at < 0 else text[:hash_at]
        if hash_at >= 0:
            self._set(text, hash_at, len(text), "comment")
        if code.startswith("schema:"):
            self._set(text, 0, len(code.rstrip()), "schema")
            return
        key = _KEY.match(code)
        if key:
            self._set(text, key.start(2), key.end(2), "key")
            value_from = key.end(0)
        else:
            item = _ITEM.match(code)
            value_from = item.end(0) if item else 0
        rest = code[value_from:]
        stripped = rest.strip()
        if not stripped:
            return
        at = value_from + len(rest) - len(rest.lstrip())
        if _BLOCK_INDICATOR.fullmatch(stripped):
            self.setCurrentBlockState(_indent(text))
        elif stripped[0] in "[{":
            self._flow(text, at, at + len(stripped))
        else:
            self._scalar(text, at, at + len(stripped))

    def _scalar(self, text: str, start: int, end: int) -> None:
        word = text[start:end]
        if _NUMBER.fullmatch(word):
            self._set(text, start, end, "number")
        elif _CONSTANT.fullmatch(word):
            self._set(text, start, end, "constant")
        else:
            self._set(text, start, end, "string")

    def _flow(self, text: str, start: int, end: int) -> None:
        """``[a, b]`` and ``{x: 1, y: 2}`` on one line: each item on its own."""
        quote, item_start = "", start
        for i in range(start, end + 1):
            ch = text[i] if i < end else ","
            if quote:
                quote = "" if ch == quote else quote
                continue
            if ch in "'\"":
                quote = ch
            elif ch in "[]{},":
                self._flow_item(text, item_start, i)
                item_start = i + 1

    def _flow_item(self, text: str, start: int, end: int) -> None:
        piece = text[start:end]
        if not piece.strip():
            return
        start += len(piece) - len(piece.lstrip())
        end = start + len(piece.strip())
        pair = _FLOW_PAIR.match(text, start, end)
        if pair:
            self._set(text, pair.start(1), pair.end(1), "key")
            start = pair.end(0)
        if start < end:
            self._scalar(text, start, end)


class _LineNumberArea(QWidget):
    def __init__(self, editor: CodeEditorWidget) -> None:
        super().__init__(editor)
        self._editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self._editor.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        self._editor.paint_line_numbers(event)


class CodeEditorWidget(QPlainTextEdit):
    """Monospace YAML with line numbers and marked problems.

    ``applyRequested`` fires on Ctrl+Enter; ``saveRequested`` on Ctrl+S when :attr:`claim_save`
    says so (the view decides: an unapplied edit must be applied before Save writes it). Undo
    and redo go to the text while it has a history; with :attr:`route_history` set they are
    then handed on (``historyRequested``), so Ctrl+Z after Apply undoes the applied step.
    """

    applyRequested = Signal()  # noqa: N815 - Qt naming
    saveRequested = Signal()  # noqa: N815
    #: Ctrl+Z (True) or Ctrl+Shift+Z (False) with no text history left: for the design's history.
    historyRequested = Signal(bool)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTabChangesFocus(False)
        self.claim_save = False
        self.route_history = False
        self.highlighter = YamlHighlighter(self.document(), self.palette())
        self._problems: list[Problem] = []
        self._current: Problem | None = None
        self._numbers = _LineNumberArea(self)
        self.blockCountChanged.connect(self._update_margin)
        self.updateRequest.connect(self._on_update_request)
        self._update_margin()

    # --- problems ---------------------------------------------------------------------------

    def set_problems(self, problems: Sequence[Problem], current: Problem | None = None) -> None:
        self._problems = [p for p in problems if p.line is not None]
        self._current = current
        self._mark()

    def go_to(self, problem: Problem) -> None:
        """Put the cursor where the problem is, show that line and mark it as the current one."""
        if problem.line is None:
            return
        block = self.document().findBlockByNumber(max(problem.line - 1, 0))
        cursor = QTextCursor(block)
        cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor,
                            min(max((problem.column or 1) - 1, 0), max(block.length() - 1, 0)))
        self.setTextCursor(cursor)
        self.centerCursor()
        self._current = problem
        self._mark()
        self.setFocus()

    def _mark(self) -> None:
        colours = self.highlighter.colours
        selections = []
        for problem in self._problems:
            block = self.document().findBlockByNumber((problem.line or 1) - 1)
            if not block.isValid():
                block = self.document().lastBlock()
            line = QTextEdit.ExtraSelection()
            line.format.setBackground(colours.current_problem if problem == self._current else colours.problem_line)
            line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            line.cursor = QTextCursor(block)
            mark = QTextEdit.ExtraSelection()
            mark.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            mark.format.setUnderlineColor(colours.problem_mark)
            mark.format.setToolTip(problem.message)
            cursor = QTextCursor(block)
            column = min(max((problem.column or 1) - 1, 0), max(block.length() - 1, 0))
            cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, column)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
            if not cursor.hasSelection():  # a problem at the end of a line (or an empty one): mark what is there
                cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock, QTextCursor.MoveMode.KeepAnchor)
            mark.cursor = cursor
            selections += [line, mark]
        self.setExtraSelections(selections)

    def marked_lines(self) -> list[int]:
        """1-based lines that carry a problem mark (what the user sees tinted)."""
        return sorted({s.cursor.blockNumber() + 1 for s in self.extraSelections()})

    # --- keys --------------------------------------------------------------------------------

    def _history_key(self, event: QKeyEvent) -> bool | None:
        """True: undo, False: redo, None: neither, or the text still has that history."""
        if not self.route_history:
            return None
        if event.matches(QKeySequence.StandardKey.Undo) and not self.document().isUndoAvailable():
            return True
        if event.matches(QKeySequence.StandardKey.Redo) and not self.document().isRedoAvailable():
            return False
        return None

    def _claims(self, event: QKeyEvent) -> bool:
        if self._history_key(event) is not None:
            return True
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return True
        return self.claim_save and event.matches(QKeySequence.StandardKey.Save)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ShortcutOverride and isinstance(e, QKeyEvent):
            if self._claims(e):
                e.accept()  # deliver the key press here rather than to a window shortcut
                return True
        return super().event(e)

    def keyPressEvent(self, e: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if self._claims(e):
            history = self._history_key(e)
            if history is not None:
                self.historyRequested.emit(history)
            elif e.matches(QKeySequence.StandardKey.Save):
                self.saveRequested.emit()
            else:
                self.applyRequested.emit()
            return
        if e.key() == Qt.Key.Key_Tab and not e.modifiers():
            self.insertPlainText("  ")  # YAML forbids tab characters in indentation
            return
        super().keyPressEvent(e)

    def changeEvent(self, e: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:  # a theme switch: colours must suit the new base
            self.highlighter.set_palette(self.palette())
            self._mark()

    # --- line numbers ------------------------------------------------------------------------

    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(digits, 3)

    def _update_margin(self, *args: object) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _on_update_request(self, rect: QRect, dy: int) -> None:
        if dy:
            self._numbers.scroll(0, dy)
        else:
            self._numbers.update(0, rect.y(), self._numbers.width(), rect.height())

    def resizeEvent(self, e: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(e)
        r = self.contentsRect()
        self._numbers.setGeometry(QRect(r.left(), r.top(), self.line_number_width(), r.height()))

    def paint_line_numbers(self, event: QPaintEvent) -> None:
        painter = QPainter(self._numbers)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        marked = {p.line for p in self._problems}
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self._numbers.width() - 6
        while block.isValid() and top <= event.rect().bottom():
            bottom = top + round(self.blockBoundingRect(block).height())
            if block.isVisible() and bottom >= event.rect().top():
                number = block.blockNumber() + 1
                colour = self.highlighter.colours.problem_mark if number in marked else palette.color(QPalette.ColorRole.PlaceholderText)
                painter.setPen(colour)
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight, str(number))
            block = block.next()
            top = bottom
        painter.end()
