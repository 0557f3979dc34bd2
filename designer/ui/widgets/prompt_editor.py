"""The prompt editor: a roomy plain-text field with {placeholder} highlighting and a size readout.

Used for agents' system messages, the team's default task and the selector prompt.
The token count is a rough estimate (about four characters per token for English text
with common tokenizers) that is meant for keeping prompts short on small local models,
not for billing.
"""

from __future__ import annotations

import math
from typing import Iterable

from PySide6.QtCore import QRegularExpression, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette, QSyntaxHighlighter, QTextCharFormat, QTextDocument
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from .. import settings
from .common import PlainTextEditWidget, set_checked, set_plain_text

_PLACEHOLDER = QRegularExpression(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def size_readout(text: str) -> str:
    """'1,234 characters · ~309 tokens'."""
    chars, tokens = len(text), estimate_tokens(text)
    return f"{chars:,} character{'' if chars == 1 else 's'} · ~{tokens:,} token{'' if tokens == 1 else 's'}"


class PlaceholderHighlighter(QSyntaxHighlighter):
    """Marks {name} placeholders; with a known set, unknown names get a red wavy underline.

    Doubled braces ({{ and }}) are literal braces in Python format strings, so they are skipped.
    """

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self._known: frozenset[str] | None = None
        self.placeholder_format = QTextCharFormat()
        self.placeholder_format.setForeground(palette.color(QPalette.ColorRole.Link))
        self.placeholder_format.setFontWeight(QFont.Weight.Bold)
        self.unknown_format = QTextCharFormat(self.placeholder_format)
        self.unknown_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self.unknown_format.setUnderlineColor(QColor("red"))

    def set_known(self, names: Iterable[str] | None) -> None:
        known = frozenset(names) if names is not None else None
        if known != self._known:
            self._known = known
            self.rehighlight()

    def placeholders(self, text: str) -> list[tuple[int, int, str]]:
        """(start, length, name) of every placeholder in ``text``."""
        found = []
        matches = _PLACEHOLDER.globalMatch(text)
        while matches.hasNext():
            match = matches.next()
            if match.captured(1):
                found.append((match.capturedStart(), match.capturedLength(), match.captured(1)))
        return found

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        for start, length, name in self.placeholders(text):
            unknown = self._known is not None and name not in self._known
            self.setFormat(start, length, self.unknown_format if unknown else self.placeholder_format)


class PromptEditorWidget(QWidget):
    """Plain text, a monospace toggle and a live 'N characters · ~M tokens' readout.

    ``textEdited`` fires for the user's changes only; ``editingFinished`` when focus leaves.
    Set the text from the document with :meth:`set_text`, which never echoes an edit back.
    """

    textEdited = Signal(str)  # noqa: N815 - Qt naming
    editingFinished = Signal()  # noqa: N815

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        compact: bool = False,
        settings_key: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._settings_key = settings_key
        self.editor = PlainTextEditWidget(self)
        self.editor.setMinimumHeight(70 if compact else 180)
        self.highlighter = PlaceholderHighlighter(self.editor.document(), self.palette())
        self.monospace = QCheckBox("Mon&ospace", self)
        self.monospace.setToolTip("Show the text in a fixed-width font, handy for tables, code and exact spacing.")
        self.stats = QLabel(self)
        self.stats.setToolTip("Tokens are estimated as characters ÷ 4; real counts depend on the model's tokenizer.")

        footer = QHBoxLayout()
        footer.setContentsMargins(0, 0, 0, 0)
        footer.addWidget(self.stats, 1)
        footer.addWidget(self.monospace)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addLayout(footer)
        if compact:
            self.monospace.hide()
            self.stats.hide()
        self.setFocusProxy(self.editor)

        self.editor.textEdited.connect(self._on_text_edited)
        self.editor.editingFinished.connect(self.editingFinished)
        self.monospace.toggled.connect(self._on_monospace_toggled)
        self.set_monospace(bool(settings.get(settings_key)) if settings_key else False)
        self._update_stats()

    def text(self) -> str:
        return self.editor.toPlainText()

    def set_text(self, text: str) -> None:
        set_plain_text(self.editor, text)
        self._update_stats()

    def set_known_placeholders(self, names: Iterable[str] | None) -> None:
        """Placeholders outside ``names`` are flagged; None accepts any name."""
        self.highlighter.set_known(names)

    def set_monospace(self, on: bool) -> None:
        set_checked(self.monospace, on)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont) if on else self.font()
        self.editor.setFont(font)

    def _on_monospace_toggled(self, on: bool) -> None:
        self.set_monospace(on)
        if self._settings_key:
            settings.put(self._settings_key, on)

    def _on_text_edited(self, text: str) -> None:
        self._update_stats()
        self.textEdited.emit(text)

    def _update_stats(self) -> None:
        readout = size_readout(self.text())
        if self.stats.text() != readout:
            self.stats.setText(readout)
