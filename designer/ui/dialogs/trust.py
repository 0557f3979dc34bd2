"""Asking before a run executes code from a team file, and remembering the answer.

The window lists exactly what would run (module files with their SHA-256, MCP commands
with arguments, working folder and the Python files they can import, local Python
execution with the hash of the team content that decides it) and runs nothing until the
user agreed. The answer lives in ``trust.json`` under Qt's AppDataLocation (isolated in
tests by ``QStandardPaths.setTestModeEnabled``); changed content has a new hash and is asked
about again, saying what changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

from PySide6.QtCore import QStandardPaths
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ...core.trust import CodeItem, TrustStore, describe_items

AskTrust = Callable[[Sequence[CodeItem]], bool]


def gui_trust_path() -> Path:
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base) / "trust.json"


class TrustDialog(QDialog):
    """Shows what would run; Cancel is the default button, so Enter never trusts by accident."""

    def __init__(self, items: Sequence[CodeItem], parent: QWidget | None = None, *, action: str = "run") -> None:
        super().__init__(parent)
        self.setObjectName("trust_dialog")
        self.setWindowTitle("Run code from this team?")
        self.resize(760, 420)
        kinds = {item.kind for item in items}
        what = [w for k, w in (("module", "import Python modules"), ("mcp", "start programs (MCP servers)"),
                               ("python", "execute Python code the agents write"),
                               ("remote", "send tool calls to MCP servers at a URL")) if k in kinds]
        # Say plainly what the answer covers, so nobody believes it trusts a path or a name.
        remembered = ["Your answer is remembered for exactly this content: it is asked again when a listed file changes"]
        if "mcp" in kinds:
            remembered.append("when any Python file in a folder an MCP server imports from changes or appears")
        if "python" in kinds:
            remembered.append("and, for local Python execution, when anything in the team but its layout changes")
        unchecked = [item for item in items if item.unchecked]
        if unchecked:  # what cannot be checked on every run can never be remembered as safe
            remembered = [("Part of it cannot be checked (see \u201ccannot be trusted\u201d below), so it cannot be "
                           "trusted: change the team as that line says, then run again")]
        intro = QLabel(
            f"To {action}, Team Designer would {' and '.join(what)} that you have not trusted yet. "
            "Team files can come from anyone: trust only code you know.\n" + ", ".join(remembered) + "."
        )
        intro.setObjectName("trust_intro")
        intro.setWordWrap(True)
        self.intro = intro
        self.listing = QPlainTextEdit(describe_items(items))
        self.listing.setObjectName("trust_listing")
        self.listing.setReadOnly(True)
        self.listing.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.listing.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.trust_button = buttons.addButton(f"Trust and {action}", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setDefault(True)
        self.trust_button.setEnabled(not unchecked)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.listing, 1)
        layout.addWidget(buttons)


def ask_with_dialog(parent: QWidget | None, items: Sequence[CodeItem], action: str = "run") -> bool:
    return TrustDialog(items, parent, action=action).exec() == QDialog.DialogCode.Accepted


def confirm_trust(store: TrustStore, items: Sequence[CodeItem], ask: AskTrust) -> bool:
    """True when everything is trusted, already or now (the new answer is remembered)."""
    untrusted = store.untrusted(items)
    if not untrusted:
        return True
    if not ask(untrusted) or any(item.unchecked for item in untrusted):
        return False  # shown (so the user reads why), but what cannot be checked is never trusted
    store.trust(untrusted)
    return True
