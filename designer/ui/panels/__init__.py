"""Editor panels shown in dock widgets: agent, team, pattern and problems.

Every panel is a view of the :class:`~designer.ui.document.controller.DocumentController`: it
refreshes from ``changed`` / ``selectionChanged`` / ``problemsChanged`` and turns each
user gesture into exactly one ``controller.edit(...)``.
"""

from __future__ import annotations

from .agent_panel import AgentPanelWidget
from .pattern_panel import PatternPanelWidget
from .problems_panel import ProblemsPanelWidget, focus_problem
from ..widgets.prompt_editor import PromptEditorWidget
from .team_panel import TeamPanelWidget

__all__ = [
    "AgentPanelWidget",
    "PatternPanelWidget",
    "ProblemsPanelWidget",
    "PromptEditorWidget",
    "TeamPanelWidget",
    "focus_problem",
]
