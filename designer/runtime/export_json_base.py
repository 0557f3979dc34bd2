"""What every part of the AgentChat JSON export shares: the component wrapper and the export's notes.

A component is written the way ``Component.dump_component()`` writes it (provider, type, versions,
label, description, config), but from AgentChat's own config records filled with data: no
AgentChat object is built, so no model client connects, no key is read and no tool code runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ..core.interop import Note, NoteLevel
from ..core.patterns.selector import fill_inputs
from ..core.spec import TeamSpec

#: A component as parsed JSON: ``{"provider": ..., "component_type": ..., "config": {...}}``.
Component = dict[str, Any]


def class_description(cls: type) -> str:
    """The description dump_component gives a class: its docstring's first paragraph."""
    own = getattr(cls, "component_description", None)
    if own:
        return str(own)
    doc = (cls.__doc__ or "").strip()
    for marker in ("\n\nArgs:", "\n\nParameters:", "\n\nAttributes:", "\n\n"):
        doc = doc.split(marker)[0]
    return doc.strip()


def component(cls: type, config: BaseModel | dict[str, Any], *, label: str | None = None,
              description: str | None = None) -> Component:
    """``cls``'s component holding ``config``, under the class's public provider path."""
    data = config.model_dump(mode="json", exclude_none=True) if isinstance(config, BaseModel) else config
    return raw_component(
        str(getattr(cls, "component_provider_override", None) or f"{cls.__module__}.{cls.__name__}"),
        str(cls.component_type),  # type: ignore[attr-defined]
        int(getattr(cls, "component_version", 1)),
        data, label=label or cls.__name__, description=description if description is not None else class_description(cls),
    )


def raw_component(provider: str, component_type: str, version: int, config: dict[str, Any], *, label: str,
                  description: str) -> Component:
    """A component of a class this environment may not have installed (Docker's executor)."""
    return {"provider": provider, "component_type": component_type, "version": version, "component_version": version,
            "description": description, "label": label, "config": config}


@dataclass
class Export:
    """One export in progress: the team, where its file is (for tools/ and relative paths), the notes."""

    spec: TeamSpec
    team_file: Path | None
    notes: list[Note] = field(default_factory=list)

    @property
    def inputs(self) -> dict[str, str]:
        """The inputs' defaults: AgentChat's JSON has no {placeholders}, so they are filled in."""
        return {name: item.default for name, item in self.spec.inputs.items()}

    def note(self, level: NoteLevel, text: str) -> None:
        if not any(n.level == level and n.text == text for n in self.notes):
            self.notes.append(Note(level, text))

    def filled(self, text: str, where: str) -> str:
        """``text`` with the team's ``{input}`` placeholders filled with their defaults (noted)."""
        if not self.spec.inputs or not any("{" + name + "}" in text for name in self.spec.inputs):
            return text
        self.note("changed", f"{where}: the inputs' {{placeholders}} are filled with their defaults "
                             f"({', '.join(f'{k}={v!r}' for k, v in self.inputs.items())})")
        out = text
        for name, value in self.inputs.items():
            out = out.replace("{" + name + "}", value)
        return out

    def filled_template(self, prompt: str, where: str) -> str:
        """A template AgentChat formats itself (the selector prompt): inputs filled, its own fields kept."""
        if not self.spec.inputs or not any("{" + name + "}" in prompt for name in self.spec.inputs):
            return prompt
        self.note("changed", f"{where}: the inputs' {{placeholders}} are filled with their defaults")
        return fill_inputs(prompt, self.inputs)
