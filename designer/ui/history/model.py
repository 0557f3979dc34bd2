"""The History list as a table model that pages: it holds the rows shown, never the whole store.

The first page is read when a scope is shown and the next one when the view scrolls near the
end (``canFetchMore``/``fetchMore``, which Qt's views call themselves), so opening a history
of 2,000 runs reads as many rows as one of 40. A page is read one row longer than it shows,
to know whether there is more without counting the store. A run that finishes is put on top
(``add_newest``) without reading the list again; paging stays right because the store has it
on top too.
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ...core.finish import plural
from ...core.run_data import StoredRun, cost_text, reason_text

#: Rows read at a time: about a screenful of the dock (the view asks for the next page itself
#: while its viewport is not full, or as it scrolls to the end).
PAGE = 30
#: (key, header, tooltip of the header)
COLUMNS = (
    ("star", "★", "Starred runs are kept whatever the retention settings say; click to star"),
    ("time", "Time", "When the run started"),
    ("label", "Task", "The run's name (F2 renames it), else its task"),
    ("team", "Team", "The team that ran, and its file (in the tooltip)"),
    ("finish", "Finish", "How the run ended"),
    ("messages", "Messages", "Messages in the run"),
    ("tokens", "Tokens", "Tokens spent (the tooltip adds those a replay saved)"),
    ("cost", "Cost", "From the model entries' prices; unknown when an entry has none"),
    ("duration", "Duration", "How long the run took"),
    ("changes", "Changes", "What changed in the team since the run before this one"),
)
COLUMN = {key: n for n, (key, _, _) in enumerate(COLUMNS)}
#: The item data role under which the model hands out the row's StoredRun.
RunRole = Qt.ItemDataRole.UserRole + 1
#: How a replayed or re-run run is marked before its label, and how its tooltip says so.
ORIGIN_MARKS = {"replay": ("↺ ", "Replay of run {parent}"), "rerun": ("↪ ", "Re-run from a message of run {parent}"),
                "eval": ("✓ ", "A run of an evaluation (replaying run {parent})")}
_NUMBERS = {"messages", "tokens", "cost", "duration"}

#: Reads ``limit`` runs from ``offset``, newest first.
Fetch = Callable[[int, int], list[StoredRun]]


def when_text(started_at: float, now: float | None = None) -> str:
    """'14:03' today, '30 Nov 14:03' this year, else '2025-11-30 14:03'."""
    then, today = time.localtime(started_at), time.localtime(now)
    if then[:3] == today[:3]:
        return time.strftime("%H:%M", then)
    return time.strftime("%d %b %H:%M" if then.tm_year == today.tm_year else "%Y-%m-%d %H:%M", then)


def duration_text(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


class HistoryModel(QAbstractTableModel):
    """Rows of :class:`StoredRun` (listed: no snapshot, no events). ``read_only`` rows (opened
    bundles) cannot be renamed; ``rename`` is how an edit reaches the store (None: no store)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.runs: list[StoredRun] = []
        self.read_only = False
        self.rename: Callable[[StoredRun, str], bool] | None = None
        self._fetch: Fetch | None = None
        self._more = False

    # --- filling -----------------------------------------------------------------------------

    def show_pages(self, fetch: Fetch) -> None:
        """Show the runs ``fetch`` reads, a page at a time (the first page now)."""
        self.beginResetModel()
        self._fetch, self.read_only = fetch, False
        self.runs = []
        self._read_page()
        self.endResetModel()

    def show_runs(self, runs: list[StoredRun], *, read_only: bool) -> None:
        """Show these runs, all of them (opened bundles: a handful, held in memory)."""
        self.beginResetModel()
        self._fetch, self._more, self.read_only = None, False, read_only
        self.runs = list(runs)
        self.endResetModel()

    def clear(self) -> None:
        self.show_runs([], read_only=False)

    def _read_page(self) -> list[StoredRun]:
        assert self._fetch is not None
        page = self._fetch(PAGE + 1, len(self.runs))
        self._more = len(page) > PAGE
        page = page[:PAGE]
        self.runs.extend(page)
        return page

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: N802
        return not parent.isValid() and self._fetch is not None and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: N802
        if not self.canFetchMore(parent) or self._fetch is None:
            return
        start = len(self.runs)
        page = self._fetch(PAGE + 1, start)
        self._more = len(page) > PAGE
        page = page[:PAGE]
        if page:
            self.beginInsertRows(QModelIndex(), start, start + len(page) - 1)
            self.runs.extend(page)
            self.endInsertRows()

    def add_newest(self, run: StoredRun) -> None:
        """A run that just ended, on top (a row already shown is replaced instead)."""
        row = self.row_of(run.id)
        if row is not None:
            self.replace(run)
            return
        self.beginInsertRows(QModelIndex(), 0, 0)
        self.runs.insert(0, run)
        self.endInsertRows()

    def replace(self, run: StoredRun) -> None:
        row = self.row_of(run.id)
        if row is not None:
            self.runs[row] = run
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def remove(self, run_ids: list[str]) -> None:
        for run_id in run_ids:
            row = self.row_of(run_id)
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.runs[row]
                self.endRemoveRows()

    def row_of(self, run_id: str) -> int | None:
        return next((n for n, run in enumerate(self.runs) if run.id == run_id), None)

    # --- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.runs)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][2]
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if index.isValid() and index.column() == COLUMN["label"] and not self.read_only and self.rename is not None:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.runs):
            return None
        run = self.runs[index.row()]
        key = COLUMNS[index.column()][0]
        if role == RunRole:
            return run
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(run, key)
        if role == Qt.ItemDataRole.EditRole:
            return run.label if key == "label" else self._display(run, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(run, key)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in _NUMBERS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "star":
            return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != COLUMN["label"]:
            return False
        run = self.runs[index.row()]
        title = str(value).strip()
        if self.rename is None or self.read_only or title == run.label or not self.rename(run, title):
            return False
        run.title = title
        self.dataChanged.emit(index, index)
        return True

    @staticmethod
    def _display(run: StoredRun, key: str) -> str:
        if key == "star":
            return "★" if run.starred else "☆"
        if key == "time":
            return when_text(run.started_at)
        if key == "label":
            return ORIGIN_MARKS.get(run.origin, ("", ""))[0] + run.label
        if key == "team":
            return run.team
        if key == "finish":
            return reason_text(run.reason)
        if key == "messages":
            return str(run.messages)
        if key == "tokens":
            return f"{run.tokens:,}"
        if key == "cost":
            return cost_text(run.cost, run.currency)
        if key == "duration":
            return duration_text(run.duration)
        return run.changes

    @staticmethod
    def _tooltip(run: StoredRun, key: str) -> str:
        if key == "star":
            return "Starred: kept whatever the retention settings say (click to unstar)" if run.starred else "Click to star"
        if key == "time":
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(run.started_at)) + f" · run {run.short_id}"
        if key == "label":
            lines = [f"Run {run.short_id}"]
            if run.origin in ORIGIN_MARKS and (run.parent or run.origin != "eval"):
                lines.append(ORIGIN_MARKS[run.origin][1].format(parent=(run.parent or "?")[:7]))
            return "\n".join([*lines, "", run.task.strip() or "(no task)"])
        if key == "team":
            return f"{run.team}\n{run.team_path or 'an unsaved design'}"
        if key == "finish":
            return reason_text(run.reason, run.detail)
        if key == "tokens":
            text = f"{plural(run.prompt_tokens, 'prompt token')}, {plural(run.completion_tokens, 'completion token')}"
            return text + (f"; {plural(run.saved_tokens, 'token')} saved by replay" if run.saved_tokens else "")
        if key == "cost":
            parts = [f"{agent}: {cost_text(cost, run.currency)}" for agent, cost in run.cost_by_agent.items()]
            saved = f"\nsaved by replay: {cost_text(run.saved_cost, run.currency)}" if run.saved_tokens else ""
            return ("\n".join(parts) or cost_text(run.cost, run.currency)) + saved
        if key == "changes":
            return run.changes or "No change since the run before (or the first run of this file)"
        return ""
