"""Filling a task template's ``{placeholders}`` from the team's inputs."""

from __future__ import annotations

import string
from typing import Mapping

from .spec import TeamSpec


class TaskError(ValueError):
    """The task cannot be filled in; the message says what is missing."""


def placeholders(template: str) -> list[str]:
    try:
        return [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError as exc:
        raise TaskError(f"the task is not a valid template: {exc}") from None


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
    names = placeholders(template)
    missing = [n for n in names if n not in values]
    if missing:
        raise TaskError(f"the task needs a value for {{{missing[0]}}}")
    return template.format_map(dict(values))


def task_for(spec: TeamSpec, task: str | None = None, overrides: Mapping[str, str] | None = None) -> str:
    """The task to run: the given text or the file's default, with inputs filled in."""
    template = task if task is not None else spec.task
    if not template.strip():
        raise TaskError("the team has no default task: give one with --task")
    return render_task(template, input_values(spec, overrides or {}))
