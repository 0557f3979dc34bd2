"""What can be done with the selected runs of the History panel: its actions and context menu.

A base class of :class:`~designer.ui.history.panel.HistoryPanel` (which builds the widgets
declared here). Compare and Replay call the window's ``compare_runs`` / ``replay_run`` when
it has them; without them the entries are shown disabled, with a tooltip saying so.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton, QTableView, QWidget

from ...core.finish import plural
from ...core.run_data import StoredRun
from ...core.run_store import Call, RunStore, StoreError
from ..run.transcript_view import TranscriptWidget
from . import commands
from .model import COLUMN, HistoryModel
from .store import store_problem, window_store

#: Window methods the context menu calls if the window has them (the Compare view and Replay provide them).
COMPARE, REPLAY = "compare_runs", "replay_run"


class RunActions(QWidget):
    window_: Any
    model: HistoryModel
    table: QTableView
    transcript: TranscriptWidget
    import_button: QPushButton
    bundles: list[tuple[str, StoredRun, list[Call]]]
    actions_: dict[str, QAction]
    show_error: Callable[[str, str], None]
    confirm_delete: Callable[[list[StoredRun]], bool]

    def show_transcript(self, run: StoredRun) -> None:
        raise NotImplementedError

    def _full(self, run: StoredRun) -> StoredRun | None:
        raise NotImplementedError

    # --- actions -------------------------------------------------------------------------------

    def _make_actions(self) -> dict[str, QAction]:
        def make(name: str, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
            action = QAction(text, self)
            action.setObjectName(f"history_{name}")
            if shortcut:
                action.setShortcut(QKeySequence(shortcut))
                action.setShortcutVisibleInContextMenu(True)
            action.triggered.connect(lambda *_: slot())  # not handed triggered's "checked"
            return action

        made = {
            "rename": make("rename", "&Rename", self.rename_selected, "F2"),
            "star": make("star", "&Star", self.star_selected),
            "delete": make("delete", "&Delete…", self.delete_selected, "Del"),
            "open_team": make("open_team", "&Open the team as it was", self.open_selected_team),
            "compare": make("compare", "&Compare with…", self.compare_selected),
            "replay": make("replay", "Re&play with the current team", self.replay_selected),
            "import": make("import", "&Import into history", self.import_selected),
        }
        for kind, (text, _, _) in commands.EXPORTS.items():
            made[f"export_{kind}"] = make(f"export_{kind}", text, partial(self.export_selected, kind))
        # Shown in the menu; the keys themselves reach the table (RunTable), not these actions.
        for name in ("rename", "delete"):
            made[name].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        return made

    def selected_runs(self) -> list[StoredRun]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.runs[row] for row in rows if row < len(self.model.runs)]

    def _on_selection(self, *args: Any) -> None:
        runs, a = self.selected_runs(), self.actions_
        one, stored = len(runs) == 1, bool(runs) and not self.model.read_only
        for name in ("rename", "open_team", *(f"export_{k}" for k in commands.EXPORTS)):
            a[name].setEnabled(one and (name != "rename" or stored))
        a["star"].setEnabled(stored)
        a["star"].setText("Un&star" if runs and all(r.starred for r in runs) else "&Star")
        a["delete"].setEnabled(stored)
        a["import"].setEnabled(bool(runs) and self.model.read_only)
        self.import_button.setEnabled(a["import"].isEnabled())
        self._offer(a["compare"], COMPARE, stored and len(runs) == 2, "Select two runs (Ctrl+click) to compare them")
        self._offer(a["replay"], REPLAY, stored and one, "Select one run of the history to replay")
        if one:
            self.show_transcript(runs[0])

    def _offer(self, action: QAction, method: str, usable: bool, how: str) -> None:
        """Enabled when the window can do it and the selection fits; else the tooltip says why."""
        if not callable(getattr(self.window_, method, None)):
            action.setEnabled(False)
            action.setToolTip("Not available in this version of the window")
        else:
            action.setEnabled(usable)
            action.setToolTip("" if usable else how)

    def build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.setToolTipsVisible(True)
        a = self.actions_
        for name in ("rename", "star", "delete"):
            menu.addAction(a[name])
        menu.addSeparator()
        for name in ("open_team", "compare", "replay"):
            menu.addAction(a[name])
        export = menu.addMenu("&Export")
        for kind in commands.EXPORTS:
            export.addAction(a[f"export_{kind}"])
        if self.model.read_only:
            menu.addSeparator()
            menu.addAction(a["import"])
        return menu

    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if index.isValid() and not self.table.selectionModel().isRowSelected(index.row(), QModelIndex()):
            self.table.selectRow(index.row())
        menu = self.build_menu()
        menu.exec(self.table.viewport().mapToGlobal(pos))
        menu.deleteLater()

    # --- changing --------------------------------------------------------------------------------

    def _rename(self, run: StoredRun, title: str) -> bool:
        return self._change(lambda store: store.rename(run.id, title))

    def _change(self, do: Callable[[RunStore], object]) -> bool:
        store = window_store()
        if store is None:
            return False
        try:
            do(store)
        except (StoreError, sqlite3.Error) as exc:
            self.show_error("Cannot change the history", str(exc))
            return False
        return True

    def rename_selected(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 1 and not self.model.read_only:
            row = self.model.row_of(runs[0].id)
            if row is not None:
                self.table.edit(self.model.index(row, COLUMN["label"]))

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == COLUMN["star"] and not self.model.read_only:
            self.table.selectRow(index.row())
            self.star_selected()

    def star_selected(self) -> None:
        runs = [] if self.model.read_only else self.selected_runs()
        starred = not all(run.starred for run in runs)
        for run in runs:
            if self._change(partial(_star, run_id=run.id, starred=starred)):
                run.starred = starred
                self.model.replace(run)
        self._on_selection()

    def delete_selected(self) -> None:
        runs = [] if self.model.read_only else self.selected_runs()
        if not runs or not self.confirm_delete(runs):
            return
        ids = [run.id for run in runs]
        if self._change(lambda store: store.delete(ids)):
            self.model.remove(ids)
            self.transcript.model.clear()
            self.window_.statusBar().showMessage(f"Deleted {plural(len(ids), 'run')}", 6000)

    def _confirm_delete_dialog(self, runs: list[StoredRun]) -> bool:
        what = f"run “{runs[0].label}”" if len(runs) == 1 else plural(len(runs), "run")
        answer = QMessageBox.question(self, "Delete runs?", f"Delete {what} from the history? This cannot be undone.")
        return answer == QMessageBox.StandardButton.Yes

    def open_selected_team(self) -> None:
        runs = self.selected_runs()
        full = self._full(runs[0]) if len(runs) == 1 else None
        if full is not None:
            commands.open_snapshot(self.window_, full, self.show_error)

    def compare_selected(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 2 and callable(getattr(self.window_, COMPARE, None)):
            older, newer = sorted(runs, key=lambda r: r.started_at)
            getattr(self.window_, COMPARE)(older.id, newer.id)

    def replay_selected(self) -> None:
        runs = self.selected_runs()
        if len(runs) == 1 and callable(getattr(self.window_, REPLAY, None)):
            getattr(self.window_, REPLAY)(runs[0].id, strict=False)

    def export_selected(self, kind: commands.ExportKind) -> None:
        runs = self.selected_runs()
        full = self._full(runs[0]) if len(runs) == 1 else None
        if full is None:
            return
        message = commands.export_run(full, lambda: self._calls(full), kind,
                                      choose_path=self.window_.choose_export_path, show_error=self.show_error)
        if message:
            self.window_.statusBar().showMessage(message, 6000)

    def _calls(self, run: StoredRun) -> list[Call]:
        if self.model.read_only:
            return next((calls for _, r, calls in self.bundles if r.id == run.id), [])
        store = window_store()
        return store.calls(run.id) if store is not None else []

    def import_selected(self) -> None:
        store = window_store()
        runs = self.selected_runs() if self.model.read_only else []
        if not runs:
            return
        if store is None:
            self.show_error("No run history", store_problem())
            return
        for run in runs:
            if not self._change(partial(RunStore.import_run, run=run, calls=self._calls(run))):
                return
        self.window_.statusBar().showMessage(f"Imported {plural(len(runs), 'run')} into the history (see All runs)", 8000)


def _star(store: RunStore, *, run_id: str, starred: bool) -> None:
    store.star(run_id, starred)
