"""File ▸ Import… and File ▸ Export ▸ AgentChat JSON… / Python Script…: teams in from AgentChat
and AutoGen Studio JSON, out as AgentChat JSON or a plain Python script.

The actions are on the first screen; the interop code (and, for the JSON export, AgentChat
itself) is imported when one is used. Reading, mapping and writing are the core's
(designer.core.interop); this module only asks the questions, in order, and shows the answers.
An import opens its first team through the window's own open path, so the unsaved-changes
question and the tool trust questions are the ones File ▸ Open asks.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal

from PySide6.QtCore import QObject, QStandardPaths, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu, QMessageBox

from . import settings
from .actions import menu_named
from .widgets.background import BackgroundTasks

if TYPE_CHECKING:
    from ..core.interop import Exported, ImportedTeam, Note, TeamEntry

log = logging.getLogger(__name__)

ExportFormat = Literal["json", "python"]
#: Per format: dialog title, suffix, file filter.
EXPORT_FORMATS: dict[ExportFormat, tuple[str, str, str]] = {
    "json": ("Export AgentChat JSON", ".json", "AgentChat component JSON (*.json);;All files (*)"),
    "python": ("Export Python script", ".py", "Python script (*.py);;All files (*)"),
}
IMPORT_FILTER = "AgentChat or AutoGen Studio JSON (*.json);;OAI_CONFIG_LIST (OAI_CONFIG_LIST*);;All files (*)"
TRUST_NOTE = ("Tool modules were written into the tools/ folder beside the new team file{s}. They came from the "
              "imported file and are not trusted: read them first; Team Designer asks before any of them runs.")


class InteropActions(QObject):
    """The import and export actions of one window. Each question is an attribute so tests can
    answer it (None: cancelled); the defaults are Qt's file dialogs and this package's dialogs."""

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self._window: Any = window  # the MainWindow: controller, files, open_file, status bar
        self.choose_import_file: Callable[[], str | None] = self._ask_import_file
        #: The gallery's teams -> the chosen ones (None or []: cancelled).
        self.pick_teams: Callable[[list[TeamEntry], str], list[TeamEntry] | None] = self._ask_teams
        #: One team: the suggested path -> where to write it.
        self.choose_import_target: Callable[[str], str | None] = self._ask_import_target
        #: Several teams: the suggested folder -> the folder to write them into.
        self.choose_import_folder: Callable[[str], str | None] = self._ask_import_folder
        #: Files in the way (their names) -> overwrite them?
        self.confirm_overwrite: Callable[[list[str]], bool] = self._ask_overwrite
        #: (title, suggested path, filter) -> where to export.
        self.choose_export_path: Callable[[str, str, str], str | None] = self._ask_export_path
        #: (title, heading, body): the report of an import or export.
        self.show_report: Callable[[str, str, str], None] = self._report_dialog
        self.tasks = BackgroundTasks(self)  # the export runs off the GUI thread (AgentChat's import)

        self.import_action = QAction("&Import…", window)
        self.import_action.setShortcut(QKeySequence("Ctrl+Shift+I"))
        self.import_action.setStatusTip("Make team files from AgentChat component JSON or an AutoGen Studio team or gallery")
        self.import_action.triggered.connect(self._on_import)
        self.json_action = QAction("AgentChat &JSON…", window)
        self.json_action.setStatusTip("Save the team as AgentChat component JSON (Team.load_component, AutoGen Studio)")
        self.json_action.triggered.connect(self._on_export_json)
        self.python_action = QAction("&Python Script…", window)
        self.python_action.setStatusTip("Save the team as a plain Python script that runs it on autogen-agentchat")
        self.python_action.triggered.connect(self._on_export_python)
        self.export_menu = QMenu("&Export", window)
        self.export_menu.setObjectName("export_menu")
        self.export_menu.addAction(self.json_action)
        self.export_menu.addAction(self.python_action)
        actions = getattr(window, "window_actions", None)
        if actions is not None:  # listed by Help ▸ Keyboard shortcuts with the window's own
            actions.all["import"] = self.import_action
        self._place_in_file_menu(window)

    def _place_in_file_menu(self, window: QMainWindow) -> None:
        file_menu = menu_named(window, "File")
        if file_menu is None:
            return
        # Import beside Open Run… (another way a file comes in); Export after the other exports.
        items = file_menu.actions()
        names = [a.text().replace("&", "") for a in items]
        opened = next((i for i, n in enumerate(names) if n.startswith("Open Run")), None)
        if opened is not None and opened + 1 < len(items):
            file_menu.insertAction(items[opened + 1], self.import_action)
        else:
            file_menu.addAction(self.import_action)
        items = file_menu.actions()
        exports = [i for i, a in enumerate(items) if a.text().replace("&", "").startswith("Export")]
        if exports and exports[-1] + 1 < len(items):
            file_menu.insertMenu(items[exports[-1] + 1], self.export_menu)
        else:
            file_menu.addMenu(self.export_menu)

    # --- default questions --------------------------------------------------------------------

    def _folder(self) -> str:
        return settings.get("files/last_folder") or str(Path.home())

    def _ask_import_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self._window, "Import team", self._folder(), IMPORT_FILTER)
        return path or None

    def _ask_teams(self, entries: list[TeamEntry], source: str) -> list[TeamEntry] | None:
        from PySide6.QtWidgets import QDialog

        from .dialogs.import_dialog import TeamPickerDialog

        dialog = TeamPickerDialog([(e.label, e.description) for e in entries], source, self._window)
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            return [entries[i] for i in dialog.chosen()]
        finally:
            dialog.deleteLater()

    def _ask_import_target(self, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self._window, "Save the imported team as", suggested,
                                              "Team files (*.yaml *.yml);;All files (*)")
        if path and not path.endswith((".yaml", ".yml")):
            path += ".yaml"
        return path or None

    def _ask_import_folder(self, suggested: str) -> str | None:
        return QFileDialog.getExistingDirectory(self._window, "Save the imported team files in", suggested) or None

    def _ask_overwrite(self, names: list[str]) -> bool:
        answer = QMessageBox.question(self._window, "Replace files?",
                                      f"These files exist already: {', '.join(names)}.\n\nReplace them?")
        return answer == QMessageBox.StandardButton.Yes

    def _ask_export_path(self, title: str, suggested: str, filters: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self._window, title, suggested, filters)
        return path or None

    def _report_dialog(self, title: str, heading: str, body: str) -> None:
        from .dialogs.import_dialog import InteropReportDialog

        dialog = InteropReportDialog(title, heading, body, self._window)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()

    def _error(self, title: str, text: str) -> None:
        self._window.files.show_error(title, text)

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 8000)

    # --- import -------------------------------------------------------------------------------

    @Slot()
    def _on_import(self) -> None:
        self.import_file()

    def import_file(self, path: str | None = None) -> bool:
        """File ▸ Import…: read, pick, map, write, report, open the first team. True when a team
        was written; nothing is written, and the open design is untouched, on any refusal."""
        from ..core.interop import InteropError
        from ..core.interop.components import read_component_file
        from ..core.interop.importer import import_team

        path = path or self.choose_import_file()
        if not path:
            return False
        source = Path(path)
        try:
            entries = read_component_file(source)
        except InteropError as exc:
            # Not a team: an OAI_CONFIG_LIST's models join the open design (no team file is written).
            if self._add_models_of_config_list(source):
                return False
            text = str(exc)  # it names the file and says what it holds instead of a team
            self._error("Cannot import", text if source.name in text else f"{source.name}: {text}")
            return False
        if not entries:
            self._error("Cannot import", f"{source.name} holds no team.")
            return False
        chosen = entries if len(entries) == 1 else self.pick_teams(entries, source.name)
        if not chosen:
            return False
        teams: list[tuple[TeamEntry, ImportedTeam]] = []
        failed: list[str] = []
        for entry in chosen:
            try:
                teams.append((entry, import_team(entry)))
            except InteropError as exc:
                failed.append(f"not imported: “{entry.label}” — {exc}")
        if not teams:
            self._error("Cannot import", f"{source.name}: " + "; ".join(failed))
            return False
        targets = self._targets(source, teams)
        if targets is None:
            return False
        return self._write_imports(source, teams, targets, failed)

    def _add_models_of_config_list(self, source: Path) -> bool:
        """An OAI_CONFIG_LIST holds models, not a team: they join the open design as one undoable
        edit, as the Models dialog's import does (keys to the keyring, never the file). True when
        ``source`` was one (whether or not it added anything)."""
        from ..core.oai_config import OaiConfigError, import_oai_config, read_oai_config

        try:
            entries = read_oai_config(source)
        except (OaiConfigError, OSError):
            return False
        controller = self._window.controller
        if self._window.stack.currentWidget() is self._window.start_page:
            self._error("Cannot import", f"{source.name} is an OAI_CONFIG_LIST (models, not a team): open or create "
                                         "the team its models should join first.")
            return True
        try:
            report = import_oai_config(controller.spec, entries)
        except ValueError as exc:  # an entry no model entry can hold; the message names no key
            self._error("Cannot import", f"{source.name}: an entry cannot be imported ({str(exc).splitlines()[0]})")
            return True
        if report.added:
            controller.edit(f"Import {len(report.added)} models", lambda _spec: report.spec)
        body = report.text() + (f"\nBefore running, set: {', '.join(report.env_vars)}" if report.env_vars else "")
        self.show_report("Import models", f"{source.name} is an OAI_CONFIG_LIST: its models join this team.", body)
        return True

    def _targets(self, source: Path, teams: list[tuple[TeamEntry, ImportedTeam]]) -> list[Path] | None:
        """Where each team goes (None: cancelled). A file there is replaced: the user said so."""
        from ..core.interop.save_import import default_out_path

        if len(teams) == 1:
            suggested = default_out_path(teams[0][0], source.parent)
            chosen = self.choose_import_target(str(suggested))
            return [Path(chosen)] if chosen else None  # (the save dialog asked about replacing a file)
        folder_name = self.choose_import_folder(str(source.parent))
        if not folder_name:
            return None
        folder = Path(folder_name)
        paths: list[Path] = []
        for entry, _ in teams:
            path = default_out_path(entry, folder)
            stem, n = path.stem, 2
            while path in paths:  # two teams with one label: keep both
                path = path.with_name(f"{stem}_{n}{path.suffix}")
                n += 1
            paths.append(path)
        in_way = [p.name for p in paths if p.exists()]
        if in_way and not self.confirm_overwrite(in_way):
            return None
        return paths

    def _write_imports(self, source: Path, teams: list[tuple[TeamEntry, ImportedTeam]],
                       targets: list[Path], failed: list[str]) -> bool:
        from ..core.interop import InteropError, report_text
        from ..core.interop.save_import import save_import

        sections: list[str] = []
        written: list[Path] = []
        tools = False
        for (entry, team), out in zip(teams, targets, strict=True):
            try:
                notes = save_import(team, out, overwrite=True)
            except InteropError as exc:
                failed.append(f"not written: “{entry.label}” — {exc}")
                continue
            except OSError as exc:
                log.warning("writing the imported team %s to %s failed", entry.label, out, exc_info=True)
                failed.append(f"not written: “{entry.label}” — {out} could not be written: {exc.strerror or exc}")
                continue
            written.append(out)
            tools = tools or bool(team.tool_modules)
            lines = report_text(_merged(team.notes, notes))
            sections.append(f"“{entry.label}” → {out}" + (f"\n{_indent(lines)}" if lines else "\n  (nothing dropped or changed)"))
        if not written:
            self._error("Cannot import", f"{source.name}: nothing was written.\n" + "\n".join(failed))
            return False
        count = f"{len(written)} team{'s' if len(written) > 1 else ''}"
        heading = f"Imported {count} from {source.name}. {written[0].name} opens in the window next."
        trust = [TRUST_NOTE.format(s="s" if len(written) > 1 else "")] if tools else []
        body = "\n\n".join(sections + (["\n".join(failed)] if failed else []) + trust)
        self.show_report("Import report", heading, body)
        settings.put("files/last_folder", str(written[0].resolve().parent))
        if self._window.open_file(str(written[0])):
            self._status(f"Imported {count} from {source.name}")
        else:
            self._status(f"Imported {count} from {source.name}; {written[0].name} was not opened")
        return True

    # --- export -------------------------------------------------------------------------------

    @Slot()
    def _on_export_json(self) -> None:
        self.export("json")

    @Slot()
    def _on_export_python(self) -> None:
        self.export("python")

    def export(self, fmt: ExportFormat) -> None:
        """Export the design as it is in the editor (saved or not; its file, if any, tells where
        its tools are), once it has no errors. The work runs in the background; the report
        follows, or an error box."""
        from ..core.teamfile import file_name_for

        window = self._window
        files, controller = window.files, window.controller
        if self.tasks.busy("export"):
            self._status("An export is still being written")
            return
        # What the user sees: text typed in the YAML tab is applied first (or the export refused).
        if files.unapplied() and not files.settle_unapplied(True):
            self._error("Not exported", "The text typed in the YAML tab has problems: fix them or Revert it first.")
            return
        controller.validate_now()  # (validation waits for typing to pause; the export must not)
        errors = controller.errors
        if errors:
            listed = "\n".join(f"• {p.message}" for p in errors[:5]) + ("\n…" if len(errors) > 5 else "")
            self._error("Not exported", f"The team has {len(errors)} problem(s) to fix first "
                                        f"(see the Problems panel):\n\n{listed}")
            return
        title, suffix, filters = EXPORT_FORMATS[fmt]
        stem = controller.path.stem if controller.path is not None else file_name_for(controller.spec.name).removesuffix(".yaml")
        chosen = self.choose_export_path(title, str(self._export_folder(controller.path) / f"{stem}{suffix}"), filters)
        if not chosen:
            return
        out = Path(chosen if Path(chosen).suffix else chosen + suffix)
        spec, team_file = controller.spec, controller.path  # a frozen snapshot: later edits do not race it
        self._status(f"Exporting {out.name}…")
        self.tasks.submit("export", lambda: _produce(fmt, spec, team_file, out),
                          lambda result, error: self._on_exported(fmt, out, result, error))

    def _export_folder(self, team_file: Path | None) -> Path:
        from ..core.paths import EXAMPLES_DIR

        folder = team_file.parent if team_file is not None else Path(self._folder())
        if folder.resolve() == EXAMPLES_DIR.resolve():  # the shipped examples are not a place to write
            docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            folder = Path(docs or Path.home())
        return folder

    def _on_exported(self, fmt: ExportFormat, out: Path, result: Exported | None, error: BaseException | None) -> None:
        from ..core.interop import InteropError, report_text
        from ..core.teamfile import atomic_write

        title = EXPORT_FORMATS[fmt][0]
        if isinstance(error, InteropError):
            self._status("")
            self._error("Not exported", str(error))
            return
        if error is not None or result is None:
            # Logged with its traceback for a bug report; the box says what failed, not the internals.
            log.error("exporting %s failed", out, exc_info=error)
            self._status("")
            self._error("Not exported", f"{out.name} could not be made: an internal error ({type(error).__name__}); "
                                        "Help ▸ Show log has the details.")
            return
        try:
            atomic_write(out, result.text)
        except OSError as exc:
            log.warning("writing the export %s failed", out, exc_info=True)
            self._status("")
            self._error("Not exported", f"{out} could not be written: {exc.strerror or exc}.")
            return
        lines = report_text(result.notes)
        if fmt == "python":
            how = f"Run it with: python {out.name}  (what it needs installed is listed at the top of the script)"
        else:
            how = "Load it with Team.load_component(json.load(...)) in AgentChat, or import it in AutoGen Studio."
        self._status(f"Exported {out.name}")
        self.show_report(title.replace("Export", "Export report:", 1), f"Exported the team to {out}.",
                         "\n\n".join(x for x in (lines or "Nothing was dropped or changed.", how) if x))


def _produce(fmt: ExportFormat, spec: Any, team_file: Path | None, out: Path | None = None) -> Exported:
    """In the worker thread: the export's text and notes (AgentChat is imported here, not on the GUI thread)."""
    if fmt == "json":
        from ..runtime.export_json import export_agentchat_json

        return export_agentchat_json(spec, team_file)
    from ..core.pyexport import export_python

    return export_python(spec, team_file, out=out)


def _merged(first: list[Note], second: list[Note]) -> list[Note]:
    """The mapping's notes and the writing's notes, each once (the writer may repeat the mapping's)."""
    return list(dict.fromkeys([*first, *second]))


def _indent(text: str) -> str:
    return "\n".join(f"  {line}" for line in text.splitlines())
