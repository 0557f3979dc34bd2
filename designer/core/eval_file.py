"""Reading an evaluation file: YAML (safe, located) -> EvalSpec -> variants, tasks and jobs.

Reading runs nothing: the team files are parsed and validated like ``team-designer validate``
does, tasks files are read as CSV or JSON lines, and every problem is one located line.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from .eval_spec import BASE_VARIANT, CHECK_TYPES, EVAL_SCHEMA_ID, EVAL_SCHEMA_PREFIX, LIST_VALUED, MAX_RUNS, RUBRIC, \
    CheckSpec, EvalSpec, TaskCase, VariantSpec, base_type
from .eval_types import EvalJob
from .problems import Positions, Problem, has_errors
from .safefile import describe_os_error, read_regular_file
from .spec import EMBEDDED_MODEL_ID, ModelSpec, TeamSpec
from .task import TaskError, input_values, render_task
from .teamfile import dump_team
from .validate import validate_file, validate_spec
from .yamlio import MAX_BYTES, TeamFileError, read_data, spec_problems

#: CSV / JSONL columns that are not inputs (promptfoo's names).
NAME_COLUMN, TASK_COLUMN, EXPECTED_PREFIX = "__name", "__task", "__expected"
#: A run that has not ended this long after its own time bound has hung.
HANG_MARGIN_S = 60.0


@dataclass
class Variant:
    id: str
    spec: TeamSpec
    text: str  # the team as YAML, as the run history keeps it
    file: str  # the team file it came from (absolute)
    model_override: str | None = None
    description: str = ""


@dataclass
class Task:
    id: str
    case: TaskCase
    checks: list[CheckSpec]
    repeats: int
    threshold: float


@dataclass
class LoadedEval:
    """What reading produced: the plan when the file is usable, and every problem found."""

    file: str
    spec: EvalSpec | None = None
    variants: list[Variant] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    positions: Positions = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.spec is not None and not has_errors(self.problems)

    @property
    def name(self) -> str:
        return (self.spec.name if self.spec else "") or FsPath(self.file).stem

    def error(self, message: str, *path: str | int, hint: str = "") -> None:
        self.problems.append(Problem(message, tuple(path), hint).located(self.positions, self.file))


def load_eval(path: str | FsPath) -> LoadedEval:
    file = str(FsPath(path).resolve())  # the history keys runs and evaluations by resolved paths
    out = LoadedEval(file)
    try:
        data = read_regular_file(path, MAX_BYTES)
        raw, out.positions = read_data(data, file)
    except OSError as exc:
        out.problems.append(Problem(f"cannot read the file: {describe_os_error(exc)}", file=file))
        return out
    except TeamFileError as exc:
        out.problems.append(exc.problem)
        return out
    if not isinstance(raw, dict):
        out.problems.append(Problem("an evaluation file is a mapping of keys (schema, team, tasks, ...)", file=file, line=1))
        return out
    schema = raw.get("schema")
    if schema != EVAL_SCHEMA_ID:
        if isinstance(schema, str) and schema.startswith(EVAL_SCHEMA_PREFIX):
            out.error(f"this file uses format {schema!r}; this version of Team Designer reads {EVAL_SCHEMA_ID!r}", "schema")
        else:
            out.error(f"not an evaluation file: the first key should be 'schema: {EVAL_SCHEMA_ID}'",
                      *(("schema",) if "schema" in raw else ()), hint=f"add 'schema: {EVAL_SCHEMA_ID}' at the top")
        return out
    try:
        out.spec = EvalSpec.model_validate(raw)
    except ValidationError as exc:
        out.problems.extend(spec_problems(exc, out.positions, file))
        return out
    _plan(out)
    return out


def _plan(out: LoadedEval) -> None:
    spec = out.spec
    assert spec is not None
    base_dir = FsPath(out.file).parent
    base = _team(out, base_dir / spec.team, ("team",))
    if base is None:
        return
    if spec.include_base:
        out.variants.append(base)
    for vid, variant in spec.variants.items():
        made = _variant(out, base, vid, variant, base_dir)
        if made is not None:
            out.variants.append(made)
    cases = list(enumerate(spec.tasks))
    if spec.tasks_file is not None:
        cases += [(-1, case) for case in _tasks_file(out, base_dir / spec.tasks_file)]
    _tasks(out, cases)
    total = sum(t.repeats for t in out.tasks) * len(out.variants)
    if total > MAX_RUNS:
        # Point at the largest repeats the file sets (the number to lower), else at the tasks.
        given: list[tuple[int, tuple[str | int, ...]]] = [
            (c.repeats, ("tasks", i, "repeats")) for i, c in enumerate(spec.tasks) if c.repeats]
        if ("defaults", "repeats") in out.positions:
            given.append((spec.defaults.repeats, ("defaults", "repeats")))
        where = max(given, key=lambda g: g[0])[1] if given else ("tasks_file",) if spec.tasks_file else ("tasks",)
        out.error(f"the evaluation would make {total:,} runs; at most {MAX_RUNS:,} are allowed", *where)


def _team(out: LoadedEval, path: FsPath, where: tuple[str, ...], vid: str = BASE_VARIANT) -> Variant | None:
    if not path.is_file():
        out.error(f"no team file {path.name} in {path.parent} (a team path is relative to the evaluation file)", *where)
        return None
    result = validate_file(path)
    errors = [p for p in result.problems if p.severity == "error"]
    if result.spec is None or errors:
        first = (errors or result.problems)[0]
        out.error(f"the team file {path.name} has problems: {first.format()}", *where,
                  hint=f"run 'team-designer validate {path}' to see them all")
        return None
    spec = _with_models(out, result.spec, where)
    return Variant(vid, spec, result.text if spec is result.spec else dump_team(spec), str(path.resolve()))


def _with_models(out: LoadedEval, team: TeamSpec, where: tuple[str, ...]) -> TeamSpec:
    """The team with the evaluation's extra model entries (the team's own entries win)."""
    assert out.spec is not None
    extra = {k: v for k, v in out.spec.models.items() if k not in team.models}
    if not extra:
        return team
    return team.model_copy(update={"models": {**team.models, **extra}})


def _variant(out: LoadedEval, base: Variant, vid: str, variant: VariantSpec, base_dir: FsPath) -> Variant | None:
    where: tuple[str | int, ...] = ("variants", vid)
    origin = base
    if variant.team is not None:
        made = _team(out, base_dir / variant.team, ("variants", vid, "team"), vid)
        if made is None:
            return None
        origin = made
    start = origin.spec
    # What the file sets, not every default: the variant's snapshot then differs from the base's only where
    # the variant changed it (a comparison of their runs shows that change alone).
    data = start.model_dump(by_alias=True, exclude_unset=True, exclude_none=True)
    agents = data.get("agents", {})
    for field_name, mapping in (("agent_models", variant.agent_models), ("system_messages", variant.system_messages)):
        for agent, value in mapping.items():
            if agent not in agents:
                out.error(f"no agent {agent!r} in the team (its agents: {', '.join(agents) or 'none'})", *where, field_name, agent)
                return None
            agents[agent]["model" if field_name == "agent_models" else "system_message"] = value
    if variant.options is not None:
        for model in data.get("models", {}).values():
            model.setdefault("options", {}).update(variant.options.model_dump(exclude_none=True))
    if variant.termination is not None:
        base_term = start.termination.model_dump(exclude_none=True)  # the default bound too, when the file sets none
        data["termination"] = {**base_term, **variant.termination.model_dump(exclude_none=True)}
    if variant.orchestration is not None:
        data["orchestration"] = {**data["orchestration"], **variant.orchestration}
    try:
        spec = TeamSpec.model_validate(data)
    except ValidationError as exc:
        for problem in spec_problems(exc, {}, None)[:1]:
            out.error(f"the variant makes the team invalid: {problem.message} [{problem.dotted_path}]", *where)
        return None
    if variant.model is not None and variant.model != EMBEDDED_MODEL_ID and variant.model not in spec.models:
        out.error(f"unknown model {variant.model!r} (the team and this file define: {', '.join(spec.models) or 'none'})",
                  *where, "model")
        return None
    problems = [p for p in validate_spec(spec) if p.severity == "error"]
    if problems:
        out.error(f"the variant makes the team invalid: {problems[0].message} [{problems[0].dotted_path}]", *where)
        return None
    # A file used as it is keeps its own text (comments and all); a changed team is written out.
    text = origin.text if spec == start else dump_team(spec)
    return Variant(vid, spec, text, origin.file, variant.model, variant.description)


def _tasks_file(out: LoadedEval, path: FsPath) -> list[TaskCase]:
    try:
        data = read_regular_file(path, MAX_BYTES)
        if len(data) > MAX_BYTES:
            raise ValueError(f"larger than {MAX_BYTES // 2**20} MiB")
        text = data.decode("utf-8-sig")
    except OSError as exc:
        out.error(f"cannot read the tasks file {path.name}: {describe_os_error(exc)}", "tasks_file")
        return []
    except (ValueError, UnicodeDecodeError) as exc:
        out.error(f"cannot read the tasks file {path.name}: {exc}", "tasks_file")
        return []
    rows: list[tuple[int, dict[str, Any]]] = []
    if path.suffix.lower() == ".csv":
        try:
            reader = csv.DictReader(io.StringIO(text))
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise ValueError(f"line {reader.line_num} has {'more' if None in row else 'fewer'} cells than the header")
                rows.append((reader.line_num, dict(row)))
        except (csv.Error, ValueError) as exc:
            out.error(f"{path.name}: {exc}", "tasks_file")
            return []
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except json.JSONDecodeError as exc:
                out.error(f"{path.name}:{number}: not JSON ({exc.msg})", "tasks_file")
                return []
            if not isinstance(value, dict):
                out.error(f"{path.name}:{number}: each line must be a JSON object", "tasks_file")
                return []
            rows.append((number, value))
    else:
        out.error(f"the tasks file must be .csv or .jsonl, not {path.suffix or 'without a suffix'}", "tasks_file")
        return []
    cases = []
    for number, row in rows:
        try:
            cases.append(_row_case(row))
        except (ValidationError, ValueError) as exc:
            message = spec_problems(exc, {}, None)[0].format().split(": error: ", 1)[-1] if isinstance(exc, ValidationError) \
                else str(exc)
            out.error(f"{path.name}:{number}: {message}", "tasks_file")
            return []
    if not cases:
        out.error(f"the tasks file {path.name} holds no tasks", "tasks_file")
    return cases


def _row_case(row: dict[str, Any]) -> TaskCase:
    """A CSV row or a JSONL object: promptfoo's __name/__task/__expected columns, the rest inputs;
    a JSONL object may also be a task as written in the evaluation file (with 'inputs')."""
    if "inputs" in row or "checks" in row:
        return TaskCase.model_validate(row)
    checks = []
    inputs = {}
    name = task = None
    for key, value in row.items():
        if key == NAME_COLUMN:
            name = str(value) or None
        elif key == TASK_COLUMN:
            task = str(value) or None
        elif key.startswith(EXPECTED_PREFIX):
            if value not in ("", None):
                checks.append(_expected(str(value)))
        else:
            inputs[key] = value
    return TaskCase.model_validate({"name": name, "task": task, "inputs": inputs, "checks": checks})


def _expected(text: str) -> dict[str, Any]:
    """promptfoo's ``__expected`` cell: 'contains: 12', 'not-icontains: error', or plain text (equals)."""
    kind, sep, value = text.partition(":")
    kind = kind.strip()
    if sep and kind in CHECK_TYPES:
        value = value.strip()
        if base_type(kind)[0] in LIST_VALUED:  # 'not-contains-any: a, b' is a list too
            return {"type": kind, "value": [v.strip() for v in value.split(",") if v.strip()]}
        return {"type": kind} if kind == "is-json" else {"type": kind, "value": value}
    return {"type": "equals", "value": text}


def _tasks(out: LoadedEval, cases: list[tuple[int, TaskCase]]) -> None:
    spec = out.spec
    assert spec is not None
    for n, check in enumerate(spec.defaults.checks):
        _check_refs(out, check, ("defaults", "checks", n))
    seen: set[str] = set()
    for number, (at, case) in enumerate(cases, 1):
        where: tuple[str | int, ...] = ("tasks", at) if at >= 0 else ("tasks_file",)
        # A CSV row is named by its inputs ("length=2, width=5"): a matrix row a person can read.
        tid = case.name or (", ".join(f"{k}={v}" for k, v in case.inputs.items()) if case.inputs else f"#{number}")
        if tid in seen:
            out.error(f"two tasks are named {tid!r}: task names must be unique", *where, "name")
            continue
        seen.add(tid)
        for variant in out.variants:
            try:
                render_task(case.task if case.task is not None else variant.spec.task,
                            input_values(variant.spec, case.inputs))
            except TaskError as exc:
                out.error(f"task {tid}: {exc}" + (f" (variant {variant.id})" if variant.id != BASE_VARIANT else ""), *where)
                break
        checks = [*spec.defaults.checks, *case.checks]
        for n, check in enumerate(case.checks):  # the defaults' are checked once, below
            _check_refs(out, check, (*where, "checks", n) if at >= 0 else where)
        out.tasks.append(Task(tid, case, checks, case.repeats or spec.defaults.repeats,
                              case.threshold if case.threshold is not None else spec.defaults.threshold))


def _check_refs(out: LoadedEval, check: CheckSpec, where: tuple[str | int, ...]) -> None:
    assert out.spec is not None
    if check.type == RUBRIC:
        model = check.model or out.spec.judge
        if model is None:
            out.error("llm-rubric needs a judge: set 'judge:' (a model entry) or the check's 'model'", *where)
        elif judge_spec(out, model) is None:
            out.error(f"unknown judge model {model!r} (define it under 'models:', or use 'embedded')", *where)
        return
    names: set[str] = set()
    for variant in out.variants:
        spec = variant.spec
        names |= set(spec.agents) if check.type in ("spoke", "not-spoke", "handoff") else set(spec.tools)
    if check.type in ("spoke", "not-spoke") and check.value not in names:
        out.error(f"{check.type}: no agent {check.value!r} in the team", *where)
    if check.type in ("tool-called", "not-tool-called") and check.value not in names:
        out.error(f"{check.type}: no tool {check.value!r} in the team (its tools: {', '.join(sorted(names)) or 'none'})",
                  *where)


def judge_spec(out: LoadedEval, model_id: str) -> ModelSpec | None:
    assert out.spec is not None
    if model_id in out.spec.models:
        return out.spec.models[model_id]
    base = out.variants[0].spec if out.variants else None
    return base.model_for(model_id) if base is not None else None


def make_jobs(loaded: LoadedEval, filter_text: str = "") -> list[EvalJob]:
    """Every run of the evaluation, in order (variant, task, repeat); ``filter_text`` keeps the
    tasks and variants whose id or task text contains it (any case)."""
    assert loaded.spec is not None
    spec = loaded.spec
    wanted = filter_text.casefold()
    jobs: list[EvalJob] = []
    for variant in loaded.variants:
        team = variant.spec
        for task in loaded.tasks:
            case = task.case
            text = render_task(case.task if case.task is not None else team.task, input_values(team, case.inputs))
            if wanted and not any(wanted in s.casefold() for s in (variant.id, task.id, text)):
                continue
            judges: dict[str, dict[str, Any]] = {}
            checks = []
            for check in task.checks:
                data = check.model_dump(exclude_none=True)
                if check.type == RUBRIC:  # each rubric names its judge: the worker knows no file's default
                    data["model"] = judge_id = check.model or spec.judge or EMBEDDED_MODEL_ID
                    model = judge_spec(loaded, judge_id)
                    if model is not None:
                        judges[judge_id] = model.model_dump(by_alias=True, exclude_none=True)
                checks.append(data)
            used = sorted({variant.model_override or team.model_id_for(a) for a in team.running_agents()} | set(judges))
            bound = team.termination.timeout
            timeout = spec.timeout or ((bound + HANG_MARGIN_S) if bound else 600.0)
            for repeat in range(task.repeats):
                jobs.append(EvalJob(
                    index=len(jobs), variant=variant.id, task_id=task.id, repeat=repeat, team_text=variant.text,
                    team_file=variant.file, task=text, inputs=dict(case.inputs),
                    checks=checks, models=used, judges=judges,
                    timeout=timeout, model_override=variant.model_override,
                ))
    return jobs
