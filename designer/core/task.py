"""Filling a task template's ``{placeholders}`` from the team's inputs.

Only plain ``{name}`` placeholders are allowed. A format spec (``{topic:>300000000}``) would
let a shared file make a run allocate hundreds of megabytes, and a conversion or attribute
access (``{topic!r}``, ``{topic.__class__}``) would reach beyond the text, so the template is
filled by plain substitution, never by ``str.format``.
"""

from __future__ import annotations

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
