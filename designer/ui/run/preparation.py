"""Before code from a team runs (a run, or trying one tool): ask about what is not trusted yet,
and choose the folder where the run keeps the files its tools write.

Handed what it needs (the trust store, how to ask, where the workspace setting lives), so the
window, the Tools menu and the tool try-it dialog share one rule and none imports another.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Sequence

from ...core.spec import TeamSpec
from ...core.tool_introspect import ToolLocations
from ...core.trust import CodeItem, TrustStore, code_manifest
from .. import settings
from ..dialogs.trust import AskTrust, confirm_trust


def _workspace_setting() -> str:
    return str(settings.get("tools/workspace") or "")


def workspace_for_run(base: str, team_name: str, now: datetime | None = None) -> Path | None:
    """A new kept folder for one run's files under ``base`` (named after the team and the time),
    or None when ``base`` is empty: the run then uses a temporary folder, deleted after it."""
    base = base.strip()
    if not base:
        return None
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", team_name).strip("-") or "team"
    return Path(base).expanduser() / f"{name}-{(now or datetime.now()).strftime('%Y%m%d-%H%M%S-%f')}"


class RunPreparation:
    """The trust question and the workspace choice for everything the window runs."""

    def __init__(self, trust: TrustStore, ask: AskTrust, *, workspace_base: Callable[[], str] = _workspace_setting) -> None:
        #: Where answers are remembered; replaceable in tests (a store in a temporary folder).
        self.trust = trust
        #: May this not-yet-trusted code run? Replaceable in tests (the window's default shows TrustDialog).
        self.ask = ask
        self._workspace_base = workspace_base

    def confirm(self, items: Sequence[CodeItem]) -> bool:
        """True when everything listed is trusted, already or now (the new answer is remembered)."""
        return confirm_trust(self.trust, items, self.ask)

    def run_options(self, spec: TeamSpec, locations: ToolLocations, team_file: Path | None) -> dict[str, Any] | None:
        """TeamRun options for a run of ``spec``, after asking about any code it would execute
        that is not trusted yet; None when the user said no (nothing may start then)."""
        # One folder, chosen once: the one the question names is the one the run uses.
        workspace = workspace_for_run(self._workspace_base(), spec.name)
        if not self.confirm(code_manifest(spec, locations, team_file, workspace=workspace)):
            return None
        return {"team_file": team_file, "tool_folders": list(locations.extra_folders), "trust": self.trust,
                "workspace": workspace}
