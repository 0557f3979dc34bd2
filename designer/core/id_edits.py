"""Renaming an agent with what was typed: a name with spaces becomes the id it maps to.

The window's name fields (the agent panel's, the canvas's F2 box) accept a free-text name such
as "Research Lead": rather than refusing it, the rename uses :func:`designer.core.ids.to_identifier`
("research_lead") and says so. A text that already is an id goes to ``rename_agent`` as typed,
so a reserved or taken id is refused with its reason, as before.
"""

from __future__ import annotations

from .edit_result import Edited
from .edits import rename_agent, rename_hint
from .ids import to_identifier
from .records_base import is_identifier
from .spec import TeamSpec


def mapped_name(spec: TeamSpec, old: str, typed: str) -> str:
    """The id ``typed`` renames ``old`` to: itself when it is an id (or empty), else the mapped id."""
    typed = typed.strip()
    if not typed or is_identifier(typed):
        return typed
    return to_identifier(typed, [a for a in spec.agents if a != old])


def rename_agent_to(spec: TeamSpec, old: str, typed: str) -> Edited[str]:
    """``rename_agent`` to :func:`mapped_name`; ``extra`` is the id used (EditError as it refuses)."""
    new = mapped_name(spec, old, typed)
    return Edited(rename_agent(spec, old, new), new)


def typed_name_hint(spec: TeamSpec, old: str, typed: str) -> str | None:
    """What the name field says while typing: that a name becomes an id, or why an id cannot be used."""
    new = mapped_name(spec, old, typed)
    if new != typed.strip() and new != old:
        return f"ids use letters, digits and '_': Enter renames it to “{new}”"
    return rename_hint(spec, old, new)


def renamed_note(typed: str, new: str) -> str:
    """Said after a rename to a mapped id ('' when the id is what was typed)."""
    return "" if typed.strip() == new else f"“{typed.strip()}” is not an id: renamed to “{new}”"
