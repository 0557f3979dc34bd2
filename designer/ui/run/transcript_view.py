"""The transcript pane: markdown-rendered entries, collapsible tool calls, and the human-input box.

Entries are painted by a delegate with Qt's own markdown (QTextDocument.setMarkdown).
Laid-out documents are cached for recently painted rows only; heights are cached for
all rows, so a long transcript costs little memory and scrolls smoothly.

A replay marks each message "↺ replayed" or "live" on its header; a selector's speaker choice
expands on a click to show why that agent spoke; the context menu of a recorded run's message
offers "Re-run from here".
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QColor, QFont, QGuiApplication, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from ..theme import colors
from .transcript_model import NOTICE_KINDS, Entry, EntryRole, TranscriptModel

#: The header badge of a message in a replay.
REPLAYED_BADGE = "↺ replayed"
LIVE_BADGE = "live"
FALLBACK_TEXT = "fallback: the answer named no participant"

PAD = 6
NEST = 28
_DOC_CACHE = 400
#: While a long reply streams, only its latest characters are laid out on each update:
#: re-laying out the whole growing text every 30 ms would make a long stream quadratic.
STREAM_TAIL = 3000


def agent_colour(name: str, palette: QPalette) -> QColor:
    """A stable colour per agent name, readable on the current (light or dark) background."""
    return colors(palette).speaker(name)


class TranscriptDelegate(QStyledItemDelegate):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._docs: OrderedDict[tuple[int, int, int], QTextDocument] = OrderedDict()
        #: id(entry) -> (version, width, height): one slot per entry, however often it streamed.
        self._heights: dict[int, tuple[int, int, int]] = {}

    def forget(self) -> None:
        """The model was reset: entries (and their ids) are gone."""
        self._docs.clear()
        self._heights.clear()

    def _body(self, entry: Entry) -> tuple[str, bool]:
        """(text, is_markdown) shown under the header."""
        if entry.kind == "tool":
            if not entry.expanded:
                summary = entry.result if entry.result is not None else "running…"
                first = summary.strip().splitlines()[0] if summary.strip() else "(empty)"
                mark = "✖" if entry.is_error else "↳"
                return f"{mark} {first[:200]}", False
            result = "" if entry.result is None else f"\n\n**{'Error' if entry.is_error else 'Result'}**\n\n```\n{entry.result}\n```"
            return f"**Arguments**\n\n```json\n{entry.arguments}\n```{result}", True
        if entry.kind in ("message", "task"):
            if entry.streaming and len(entry.text) > STREAM_TAIL:
                return f"… ({len(entry.text) - STREAM_TAIL:,} characters above)\n" + entry.text[-STREAM_TAIL:] + " ▍", False
            return entry.text + (" ▍" if entry.streaming else ""), True
        if entry.has_reason:
            return _reason_text(entry), False
        return entry.text, False

    def _doc(self, entry: Entry, width: int, font: QFont) -> QTextDocument:
        key = (id(entry), entry.version, width)
        doc = self._docs.get(key)
        if doc is None:
            doc = QTextDocument()
            doc.setDefaultFont(font)
            doc.setDocumentMargin(0)
            text, markdown = self._body(entry)
            if markdown:
                doc.setMarkdown(text)
            else:
                doc.setPlainText(text)
            doc.setTextWidth(max(width, 50))
            self._docs[key] = doc
            while len(self._docs) > _DOC_CACHE:
                self._docs.popitem(last=False)
        else:
            self._docs.move_to_end(key)
        return doc

    @staticmethod
    def _indent(entry: Entry) -> int:
        return NEST if entry.parent else 0

    def _header_height(self, option: QStyleOptionViewItem) -> int:
        return option.fontMetrics.height() + 2

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:  # noqa: N802
        entry: Entry = index.data(EntryRole)
        width = option.rect.width() or 600
        inner = width - 2 * PAD - self._indent(entry)
        cached = self._heights.get(id(entry))
        if cached is not None and cached[:2] == (entry.version, inner):
            return QSize(width, cached[2])
        body = int(self._doc(entry, inner, option.font).size().height())
        header = 0 if entry.kind in NOTICE_KINDS else self._header_height(option)
        height = header + body + 2 * PAD
        self._heights[id(entry)] = (entry.version, inner, height)
        return QSize(width, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        entry: Entry = index.data(EntryRole)
        palette = option.palette
        painter.save()
        rect = option.rect.adjusted(PAD + self._indent(entry), PAD, -PAD, -PAD)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(option.rect, palette.color(QPalette.ColorRole.AlternateBase))
        if entry.parent:
            painter.fillRect(QRect(option.rect.left() + PAD + 8, option.rect.top(), 3, option.rect.height()),
                             agent_colour(entry.parent, palette))
        y = rect.top()
        if entry.kind not in NOTICE_KINDS:
            y += self._paint_header(painter, option, entry, rect)
        doc = self._doc(entry, rect.width(), option.font)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        theme = colors(palette)
        colour = theme.text
        if entry.kind == "error" or (entry.kind == "tool" and entry.is_error):
            colour = theme.error_text  # a red that stays readable on a dark background too
        elif entry.kind in ("system", "finished"):
            colour = theme.muted_text
        ctx.palette.setColor(QPalette.ColorRole.Text, colour)
        # Draw only what is on screen: a long message may be many viewports tall.
        view = self.parent()
        visible = option.rect.intersected(view.viewport().rect()) if isinstance(view, QListView) else option.rect
        ctx.clip = QRectF(visible).translated(-rect.left(), -y)
        painter.translate(rect.left(), y)
        painter.setClipRect(ctx.clip)
        doc.documentLayout().draw(painter, ctx)
        painter.restore()

    def _paint_header(self, painter: QPainter, option: QStyleOptionViewItem, entry: Entry, rect: QRect) -> int:
        height = self._header_height(option)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        palette = option.palette
        if entry.kind == "task":
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            title = "Task"
        elif entry.kind == "tool":
            painter.setPen(agent_colour(entry.agent, palette))
            title = f"⚙ {entry.agent} → {entry.tool}({_short(entry.arguments)})"
        else:
            painter.setPen(agent_colour(entry.agent, palette))
            title = entry.agent + ("  (thought)" if entry.message_kind == "thought" else "")
        header = QRect(rect.left(), rect.top(), rect.width(), height)
        drawn = painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
        theme = colors(palette)
        painter.setFont(option.font)
        if entry.origin:
            # The link colour for replayed turns (readable in both themes), muted for live ones:
            # what a reader scans for is which turns cost nothing.
            painter.setPen(theme.edge_turn if entry.origin == "replayed" else theme.muted_text)
            badge = REPLAYED_BADGE if entry.origin == "replayed" else LIVE_BADGE
            painter.drawText(header.adjusted(drawn.width() + 12, 0, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, badge)
        painter.setPen(theme.muted_text)
        right = entry.clock + ("  · typing…" if entry.streaming else "")
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, right)
        return height

    def editorEvent(  # noqa: N802
        self, event: QEvent, model: Any, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and index.data(EntryRole).expandable:
            model.toggle(index.row())
            return True
        return super().editorEvent(event, model, option, index)


def _reason_text(entry: Entry) -> str:
    """A speaker choice: the line, and once expanded the selector's prompt and raw answer."""
    fallback = f" ({FALLBACK_TEXT})" if entry.fallback else ""
    if not entry.expanded:
        return f"{entry.text}{fallback}  ▸ why this agent spoke"
    parts = [f"{entry.text}  ▾ why this agent spoke"]
    if entry.prompt:
        parts.append(f"The selector was asked:\n{entry.prompt.strip()}")
    if entry.answer:
        parts.append(f"It answered: {entry.answer.strip()}")
    if entry.fallback:
        parts.append(FALLBACK_TEXT.capitalize() + f", so {entry.agent} was chosen by AgentChat's fallback rule")
    return "\n\n".join(parts)


def _short(arguments: str, limit: int = 60) -> str:
    flat = " ".join(arguments.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class TranscriptWidget(QWidget):
    """List of entries plus the input box that appears when a human is asked."""

    inputSubmitted = Signal(str, str)  # noqa: N815 - (text, request_id)
    #: "Re-run from here" on a message of a recorded run: (run id, the team's messages before it).
    rerunRequested = Signal(str, int)  # noqa: N815

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TranscriptModel(self)
        self.view = QListView(self)
        self.view.setObjectName("transcript")
        self.view.setModel(self.model)
        self.delegate = TranscriptDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.model.modelAboutToBeReset.connect(self.delegate.forget)
        self.view.setUniformItemSizes(False)
        self.view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.view.setResizeMode(QListView.ResizeMode.Adjust)
        self.view.setLayoutMode(QListView.LayoutMode.Batched)
        self.view.setBatchSize(200)
        self.view.setWordWrap(True)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)
        self.model.rowsInserted.connect(self._on_rows_inserted)
        self.model.dataChanged.connect(self._on_rows_inserted)

        self.input_label = QLabel(self)
        self.input_edit = QLineEdit(self)
        self.input_edit.setPlaceholderText("Type your answer and press Enter")
        self.send_button = QPushButton("Send", self)
        self.input_edit.returnPressed.connect(self._on_send)
        self.send_button.clicked.connect(self._on_send)
        self.input_bar = QWidget(self)
        bar = QHBoxLayout(self.input_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.input_label)
        bar.addWidget(self.input_edit, 1)
        bar.addWidget(self.send_button)
        self.input_bar.hide()
        self._request_id = ""

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.input_bar)

    # --- input -------------------------------------------------------------------------------

    def ask(self, agent: str, request_id: str) -> None:
        self._request_id = request_id
        self.input_label.setText(f"{agent} asks you:")
        self.input_bar.show()
        self.input_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def end_input(self) -> None:
        self.input_bar.hide()
        self.input_edit.clear()
        self._request_id = ""

    def _on_send(self) -> None:
        if not self._request_id:
            return
        text, request_id = self.input_edit.text(), self._request_id
        self.end_input()
        self.inputSubmitted.emit(text, request_id)

    # --- following the run -------------------------------------------------------------------

    def _on_rows_inserted(self, *args: Any) -> None:
        bar = self.view.verticalScrollBar()
        # Follow the conversation only when the user is already at the end of it.
        if bar.value() >= bar.maximum() - 40:
            self.view.scrollToBottom()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        # A theme change: laid-out markdown keeps the link colours of the old palette; lay out again.
        if event.type() == QEvent.Type.PaletteChange:
            self.delegate.forget()
            self.view.viewport().update()
        super().changeEvent(event)

    def copy_entry(self, row: int) -> None:
        QGuiApplication.clipboard().setText(self.model.entries[row].plain_text())

    def can_rerun_from(self, row: int) -> bool:
        """A message of a recorded run that has ended: a re-run can continue from it."""
        entry = self.model.entries[row]
        return entry.kind == "message" and entry.before >= 0 and bool(self.model.run_id) and self.model.finished is not None

    def _rerun_tip(self, row: int) -> str:
        """What Re-run from here does, or why it is off, where the user looks."""
        if self.can_rerun_from(row):
            return ("Everything before this message is answered from the recording; it and what follows run live "
                    "with the current design")
        if self.model.entries[row].before < 0:
            return "A worker's message inside a delegation is not a turn of the team: re-run from its coordinator's turn"
        return "Only a recorded run that has ended can be re-run from a message"

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if index.isValid():
            menu.addAction("Copy message").setData(("copy", index.row()))
            if self.model.entries[index.row()].kind == "message":
                rerun = menu.addAction("Re-run from here")
                rerun.setData(("rerun", index.row()))
                rerun.setEnabled(self.can_rerun_from(index.row()))
                rerun.setToolTip(self._rerun_tip(index.row()))
                menu.setToolTipsVisible(True)
        menu.addAction("Copy transcript as Markdown").setData(("markdown", -1))
        # Not exec(): a nested event loop; one bound-method slot (PySide6 6.11 crashed on lambdas here).
        menu.triggered.connect(self._on_menu_triggered)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _on_menu_triggered(self, action: Any) -> None:
        what, row = action.data()
        if what == "markdown":
            QApplication.clipboard().setText(self.model.to_markdown())
        elif what == "rerun":
            if self.can_rerun_from(row):
                self.rerunRequested.emit(self.model.run_id, self.model.entries[row].before)
        else:
            self.copy_entry(row)
