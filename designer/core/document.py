"""A team design being edited: the current spec, where it lives, and who is listening.

Views never own design state: they subscribe here, and every edit replaces the spec
through :meth:`TeamDocument.replace`, which tells listeners precisely what changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .spec import TeamSpec


@dataclass(frozen=True)
class Change:
    """What differs between two specs, so each view redraws only its part."""

    added: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    orchestration: bool = False
    team: bool = False
    layout: bool = False
    #: A whole new design (open, new, restore): views rebuild from scratch.
    reset: bool = False

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed or self.orchestration or self.team or self.layout or self.reset)


def diff(before: TeamSpec, after: TeamSpec) -> Change:
    old, new = before.agents, after.agents
    # A rename shows as one removal plus one addition; order changes count as team changes.
    return Change(
        added=frozenset(new.keys() - old.keys()),
        removed=frozenset(old.keys() - new.keys()),
        changed=frozenset(k for k in new.keys() & old.keys() if new[k] != old[k]),
        orchestration=before.orchestration != after.orchestration,
        team=any(getattr(before, f) != getattr(after, f) for f in _TEAM_FIELDS) or list(old) != list(new),
        layout=before.layout != after.layout,
    )


_TEAM_FIELDS = ("name", "description", "task", "inputs", "default_model", "models", "tools", "termination",
                "teams", "memories")

Listener = Callable[[Change], None]


@dataclass
class TeamDocument:
    spec: TeamSpec
    path: Path | None = None
    #: What an unsaved design is called (the window title): "Untitled", or where it came from.
    untitled_name: str = "Untitled"
    _listeners: list[Listener] = field(default_factory=list)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def replace(self, spec: TeamSpec, *, reset: bool = False) -> Change:
        """Make ``spec`` the current design and notify listeners (nothing happens if equal)."""
        change = Change(reset=True) if reset else diff(self.spec, spec)
        self.spec = spec
        if not change.empty:
            for listener in list(self._listeners):
                listener(change)
        return change

    @property
    def display_name(self) -> str:
        return self.path.name if self.path else self.untitled_name
