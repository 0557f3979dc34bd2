"""Filling a task template's ``{placeholders}`` from the team's inputs.

Only plain ``{name}`` placeholders are allowed. A format spec (``{topic:>300000000}``) would
let a shared file make a run allocate hundreds of megabytes, and a conversion or attribute
access (``{topic!r}``, ``{topic.__class__}``) would reach beyond the text, so the template is
filled by plain substitution, never by ``str.format``.
"""

from __future__ import annotations

import re
import string
from typing import Mapping

from .spec import TeamSpec


class TaskError(ValueError):
    """The task cannot be filled in; the message says what is missing."""


def _pieces(template: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None) in order; TaskError for anything but {name}."""
    out: list[tuple[str, str | None]] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise TaskError(f"the task is not a valid template: {exc}") from None
    for literal, name, format_spec, conversion in parsed:
        if name is not None:
            if not name.isidentifier():
                raise TaskError(f"placeholder {{{name}}} is not a plain name")
            if format_spec or conversion:
                suffix = (f"!{conversion}" if conversion else "") + (f":{format_spec}" if format_spec else "")
                raise TaskError(f"placeholder {{{name}{suffix}}} has a format: write {{{name}}} only")
        out.append((literal, name))
    return out


def template_fields(template: str) -> list[str]:
    """The placeholder names of a template, in order (TaskError when it is not plain {name}s)."""
    return [name for _, name in _pieces(template) if name is not None]


def placeholders(template: str) -> list[str]:
    return template_fields(template)


def input_values(spec: TeamSpec, overrides: Mapping[str, str]) -> dict[str, str]:
    """Defaults from the file, overridden by the user's values; unknown names are errors."""
    unknown = sorted(set(overrides) - set(spec.inputs))
    if unknown:
        known = ", ".join(spec.inputs) or "none"
        raise TaskError(f"unknown input {unknown[0]!r} (the team's inputs: {known})")
    values = {name: item.default for name, item in spec.inputs.items()}
    values.update(overrides)
    return values


def render_task(template: str, values: Mapping[str, str]) -> str:
    pieces = _pieces(template)
    missing = [name for _, name in pieces if name is not None and name not in values]
    if missing:
        raise TaskError(f"the task needs a value for {{{missing[0]}}}")
    return "".join(literal + (str(values[name]) if name is not None else "") for literal, name in pieces)


def task_for(spec: TeamSpec, task: str | None = None, overrides: Mapping[str, str] | None = None) -> str:
    """The task to run: the given text or the file's default, with inputs filled in."""
    template = task if task is not None else spec.task
    if not template.strip():
        raise TaskError("the team has no default task: give one with --task")
    return render_task(template, input_values(spec, overrides or {}))


# --- system messages ---------------------------------------------------------------------
# A system message is filled more cautiously than the task: v1 files written before inputs
# reached system messages may hold braces of their own (a JSON example, a {placeholder} meant
# for the model). So only ``{name}`` with ``name`` one of the team's inputs is filled, and
# ``{{name}}`` writes ``{name}`` literally; every other brace stays exactly as written.
_SYSTEM_FIELD = re.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")


def system_fields(text: str) -> list[str]:
    """Every ``{name}`` of a system message (filled or not; escaped ``{{name}}`` excluded), in order."""
    return [m.group(2) for m in _SYSTEM_FIELD.finditer(text) if m.group(2)]


def render_system_message(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{input}`` filled; other braces unchanged (see the note above)."""

    def fill(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped is not None:
            return f"{{{escaped}}}" if escaped in values else match.group(0)
        return str(values[name]) if name in values else match.group(0)

    return _SYSTEM_FIELD.sub(fill, text)


def with_inputs(spec: TeamSpec, overrides: Mapping[str, str] | None) -> TeamSpec:
    """``spec`` with its agents' system messages filled from the inputs (defaults, then the
    values given; names the team does not have are ignored: the task's filling refused them).
    ``spec`` itself is unchanged; an unchanged team is returned as is."""
    if not spec.inputs:
        return spec
    values = {name: item.default for name, item in spec.inputs.items()}
    values.update({k: v for k, v in (overrides or {}).items() if k in spec.inputs})
    agents = dict(spec.agents)
    changed = False
    for agent_id, agent in spec.agents.items():
        filled = render_system_message(agent.system_message, values)
        if filled != agent.system_message:
            agents[agent_id] = agent.model_copy(update={"system_message": filled})
            changed = True
    return spec.model_copy(update={"agents": agents}) if changed else spec
