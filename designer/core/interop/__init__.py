"""Moving teams in and out of the product: AgentChat / AutoGen Studio JSON in, AgentChat JSON and
a plain Python script out.

The records every part shares live here; the parts live beside them:

* :mod:`.components` reads a JSON file as data (a team component, or an AutoGen Studio gallery
  holding several) and lists its teams. Never ``load_component``: that runs embedded tool source
  and turns callable edge conditions into unconditional edges.
* :mod:`.importer` maps one team component to a team file's data (:class:`ImportedTeam`).
* :mod:`.save_import` writes an :class:`ImportedTeam`: tool modules into ``tools/`` beside the
  team file (untrusted until the user trusts them), keys into the keyring, the YAML atomically.
* :mod:`designer.core.pyexport` writes a team as a self-contained Python script.
* :mod:`designer.runtime.export_json` writes a team as AgentChat component JSON (it is built
  with AgentChat's own config records, so it lives in the runtime layer).

Nothing here imports autogen or Qt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

NoteLevel = Literal["dropped", "changed", "key", "info"]


class InteropError(ValueError):
    """A file cannot be imported or a team cannot be exported; the message says why in plain
    words (never quoting a key), ready for the CLI's ``error:`` line or the window's dialog."""


@dataclass(frozen=True)
class Note:
    """One line of an import's or export's report.

    ``dropped``: a component left out ("dropped: MultimodalWebSurfer 'web_surfer' — no equivalent");
    ``changed``: kept, but not exactly (a callable edge condition became a text condition, say);
    ``key``: what happened to a key (stored in the keyring as keyring:NAME / dropped: set NAME);
    ``info``: anything else worth saying (a tool module written, a file to trust)."""

    level: NoteLevel
    text: str

    def line(self) -> str:
        return f"{self.level}: {self.text}"


@dataclass(frozen=True)
class TeamEntry:
    """A team found in a file: the whole file (a team component) or one of a gallery's teams."""

    #: The team's label as the file gives it (AutoGen Studio's ``label``, else the config's name).
    label: str
    description: str
    #: The component itself, as parsed JSON (``{"provider": ..., "config": ...}``).
    component: dict[str, Any]


@dataclass(frozen=True)
class FoundKey:
    """A key found in an imported file. Held in memory only until :mod:`.save_import` hands it to
    the keyring (or drops it); never written anywhere else, never printed."""

    model_id: str
    #: The environment variable a user would set for this provider (OPENAI_API_KEY, ...).
    env_var: str
    value: str = field(repr=False)


@dataclass
class ImportedTeam:
    """One team component mapped to the team file's data."""

    label: str
    #: The team file's mapping, as ``team-designer/v1`` (``TeamSpec.model_validate`` accepts it).
    #: Model keys are ``keyring:`` references filled in by :func:`.save_import.save_import`.
    data: dict[str, Any]
    #: Tool module file name (``<module>.py``, written into ``tools/`` beside the team file) -> source.
    tool_modules: dict[str, str] = field(default_factory=dict)
    keys: list[FoundKey] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass
class Exported:
    """An export's text (JSON or Python) and its report."""

    text: str
    notes: list[Note] = field(default_factory=list)


def report_text(notes: list[Note]) -> str:
    """The report as the CLI prints it and the window shows it: one line per note, dropped first."""
    order = {"dropped": 0, "changed": 1, "key": 2, "info": 3}
    return "\n".join(n.line() for n in sorted(notes, key=lambda n: order[n.level]))
