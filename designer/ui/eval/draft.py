"""The evaluation the window edits, as plain data: tasks as the table holds them (checks as
typed), variants, defaults, and every other key of the file kept as it was read.

The draft becomes the evaluation file's YAML (``to_yaml``), and is checked by writing that
YAML to a temporary file and loading it with :func:`designer.core.eval_file.load_eval`: the
same validation as ``team-designer eval``, with the file's relative paths made absolute so
the temporary copy finds the same team and tasks files. Pure Python: no Qt here.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ...core.eval_file import LoadedEval, load_eval
from ...core.eval_spec import EVAL_SCHEMA_ID
from ...core.problems import Problem
from .checks_text import CheckTextError, format_checks, parse_checks

#: The file's keys in the order they are written (a person reads top-down: what, then how).
KEY_ORDER = ("schema", "name", "team", "include_base", "variants", "models", "judge", "tasks_file", "tasks",
             "defaults", "concurrency", "timeout")
TASK_ORDER = ("name", "inputs", "task", "checks", "repeats", "threshold")
EVAL_SUFFIX = ".eval.yaml"


def default_eval_path(team_file: Path) -> Path:
    """Where the evaluation of a team file lives unless the user chooses: beside it."""
    name = team_file.name
    stem = name[: -len(team_file.suffix)] if team_file.suffix else name
    return team_file.with_name(stem + EVAL_SUFFIX)


@dataclass
class TaskRow:
    name: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    checks: str = ""  # as typed (checks_text)
    repeats: str = ""  # as typed: "" is the default
    extra: dict[str, Any] = field(default_factory=dict)  # task, threshold, ... kept as read


@dataclass
class EvalDraft:
    team: Path  # the team file (absolute)
    tasks: list[TaskRow] = field(default_factory=list)
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> the variant's fields
    default_checks: str = ""
    repeats: int = 1
    defaults_extra: dict[str, Any] = field(default_factory=dict)  # threshold, ...
    extra: dict[str, Any] = field(default_factory=dict)  # models, judge, tasks_file, ... kept as read

    @classmethod
    def from_data(cls, raw: dict[str, Any], base_dir: Path) -> EvalDraft:
        """A draft of a file's data, whatever its shape: what the table cannot show is kept."""
        rest = dict(raw)
        rest.pop("schema", None)
        team = rest.pop("team", None)
        draft = cls((base_dir / str(team)).absolute() if team else base_dir / "")
        variants = rest.pop("variants", None)
        if isinstance(variants, dict):
            draft.variants = {str(k): dict(v) if isinstance(v, dict) else {} for k, v in variants.items()}
        tasks = rest.pop("tasks", None)
        for task in tasks if isinstance(tasks, list) else []:
            draft.tasks.append(_row(task if isinstance(task, dict) else {}))
        defaults = rest.pop("defaults", None)
        if isinstance(defaults, dict):
            defaults = dict(defaults)
            checks = defaults.pop("checks", None)
            draft.default_checks = format_checks(checks) if isinstance(checks, list) else ""
            repeats = defaults.pop("repeats", 1)
            draft.repeats = repeats if isinstance(repeats, int) and not isinstance(repeats, bool) and repeats > 0 else 1
            draft.defaults_extra = defaults
        draft.extra = rest
        return draft

    def input_names(self) -> list[str]:
        """Every input a row gives a value for, in first-seen order."""
        names: dict[str, None] = {}
        for row in self.tasks:
            names.update(dict.fromkeys(row.inputs))
        return list(names)

    # --- writing ---------------------------------------------------------------------------

    def to_data(self, base_dir: Path, *, absolute: bool = False) -> tuple[dict[str, Any], list[Problem]]:
        """The file's data, with its paths relative to ``base_dir`` (absolute: for a copy
        elsewhere), and the problems of checks that could not be read from their text."""
        problems: list[Problem] = []
        data: dict[str, Any] = {"schema": EVAL_SCHEMA_ID, **self.extra}
        data["team"] = str(self.team) if absolute else _relative(self.team, base_dir)
        if absolute and isinstance(self.extra.get("tasks_file"), str):
            data["tasks_file"] = str(base_dir / self.extra["tasks_file"])
        if self.variants:
            data["variants"] = {vid: _absolute_team(v, base_dir) if absolute else dict(v) for vid, v in self.variants.items()}
        tasks = []
        for index, row in enumerate(self.tasks):
            task: dict[str, Any] = {"name": row.name.strip()} if row.name.strip() else {}
            inputs = {k: v for k, v in row.inputs.items() if v != ""}
            if inputs:
                task["inputs"] = inputs
            task.update(row.extra)
            checks = _checks(row.checks, problems, ("tasks", index, "checks"))
            if checks:
                task["checks"] = checks
            if row.repeats.strip():
                task["repeats"] = _int(row.repeats.strip())
            tasks.append(_ordered(task, TASK_ORDER))
        if tasks or "tasks_file" not in data:
            data["tasks"] = tasks
        defaults: dict[str, Any] = {}
        checks = _checks(self.default_checks, problems, ("defaults", "checks"))
        if checks:
            defaults["checks"] = checks
        if self.repeats != 1:
            defaults["repeats"] = self.repeats
        defaults.update(self.defaults_extra)
        if defaults:
            data["defaults"] = defaults
        return _ordered(data, KEY_ORDER), problems

    def to_yaml(self, base_dir: Path) -> str:
        data, _ = self.to_data(base_dir)
        return dump_yaml(data)

    # --- checking ---------------------------------------------------------------------------

    def check(self, file: Path) -> tuple[LoadedEval, list[Problem]]:
        """Load a copy of the draft as ``team-designer eval`` would load ``file``; the second
        list holds the problems of checks whose text could not be read (they are left out)."""
        data, problems = self.to_data(file.parent, absolute=True)
        data.setdefault("name", file.name[: -len(EVAL_SUFFIX)] if file.name.endswith(EVAL_SUFFIX) else file.stem)
        with tempfile.TemporaryDirectory(prefix="team-designer-eval-") as folder:
            copy = Path(folder) / file.name
            copy.write_text(dump_yaml(data), encoding="utf-8")
            loaded = load_eval(copy)
        return loaded, problems


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, writing text of several lines as a block (``description: |``), as a
    person writes it, instead of a quoted string with every line break doubled."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value.strip("\n") else None)


_Dumper.add_representer(str, _text)


def dump_yaml(data: dict[str, Any]) -> str:
    # Flow style only for collections of plain values: `inputs: {length: 3}`, one check a line.
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)


def _row(task: dict[str, Any]) -> TaskRow:
    rest = dict(task)
    name = rest.pop("name", "")
    inputs = rest.pop("inputs", {})
    checks = rest.pop("checks", [])
    repeats = rest.pop("repeats", None)
    return TaskRow(
        name="" if name is None else str(name),
        inputs={str(k): "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                for k, v in inputs.items()} if isinstance(inputs, dict) else {},
        checks=format_checks(checks) if isinstance(checks, list) else "",
        repeats="" if repeats is None else str(repeats),
        extra=rest,
    )


def _checks(text: str, problems: list[Problem], path: tuple[str | int, ...]) -> list[dict[str, Any]]:
    try:
        return parse_checks(text)
    except CheckTextError as exc:
        problems.append(Problem(f"the checks cannot be read: {exc}", path))
        return []


def _int(text: str) -> int | str:
    try:
        return int(text)
    except ValueError:
        return text  # the evaluation's validation names the problem


def _relative(path: Path, base_dir: Path) -> str:
    try:
        return Path(os.path.relpath(path, base_dir)).as_posix()
    except ValueError:  # another drive (Windows): only the absolute path reaches it
        return str(path)


def _absolute_team(variant: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    out = dict(variant)
    if isinstance(out.get("team"), str):
        out["team"] = str(base_dir / out["team"])
    return out


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {**{k: data[k] for k in order if k in data}, **{k: v for k, v in data.items() if k not in order}}
