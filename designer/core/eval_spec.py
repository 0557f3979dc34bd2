"""The records of an evaluation file (format ``team-designer-eval/v1``).

An evaluation runs a team, and variants of it, over a set of tasks, several times each, and
checks every run. Checks keep promptfoo's names and meaning where promptfoo has them
(``contains``, ``icontains``, ``contains-any``, ``regex``, ``is-json``, ``llm-rubric``, the
``not-`` prefix...); the checks on the run itself (who spoke, which tool was called, the
finish reason, budgets) are this product's. Like team files, an evaluation file is data only:
loading it runs nothing (see :mod:`designer.core.eval_file`).

Versioning: as for team files (core/spec.py), the schema id changes only when a v1 file
would be read differently or refused.
"""

from __future__ import annotations

import re
from typing import Any, Final, Literal, get_args

from pydantic import Field, field_validator, model_validator

from .records import ModelOptions, ModelSpec, Record, TerminationSpec, is_identifier

EVAL_SCHEMA_ID: Final = "team-designer-eval/v1"
EVAL_SCHEMA_PREFIX = "team-designer-eval/"
#: The variant every evaluation has: the team file as it is.
BASE_VARIANT = "base"
#: At most this many runs in one evaluation (variants x tasks x repeats): a typo in repeats
#: must not queue a million runs.
MAX_RUNS = 10_000
MAX_REPEATS = 1000

#: Checks on the final answer (the last message of the run that is not the task).
TextCheck = Literal[
    "equals", "contains", "icontains", "contains-any", "icontains-any", "contains-all", "icontains-all",
    "regex", "starts-with", "is-json", "json-schema",
]
#: Checks on the run itself.
RunCheck = Literal[
    "spoke", "not-spoke", "tool-called", "not-tool-called", "handoff", "finish-reason",
    "max-messages", "max-tokens", "max-seconds", "max-cost", "latency", "cost",
]
TEXT_CHECKS: tuple[str, ...] = get_args(TextCheck)
RUN_CHECKS: tuple[str, ...] = get_args(RunCheck)
RUBRIC = "llm-rubric"
#: promptfoo's ``not-`` prefix inverts any check on the answer (``not-contains``, ``not-regex``...).
NEGATABLE = TEXT_CHECKS
CHECK_TYPES: tuple[str, ...] = (*TEXT_CHECKS, *(f"not-{t}" for t in NEGATABLE), *RUN_CHECKS, RUBRIC)

#: What a check's ``value`` is, by its type (without ``not-``): a list of texts, a text, a number;
#: promptfoo's latency and cost take their number as ``threshold``.
LIST_VALUED = frozenset({"contains-any", "icontains-any", "contains-all", "icontains-all"})
_TEXT_VALUED = {"equals", "contains", "icontains", "regex", "starts-with", "spoke", "not-spoke", "tool-called",
                "not-tool-called", RUBRIC}
NUMBER_VALUED = frozenset({"max-messages", "max-tokens", "max-seconds", "max-cost"})
THRESHOLD_VALUED = frozenset({"latency", "cost"})
FINISH_REASONS = ("completed", "termination", "stopped", "error")


def shorten(text: str, limit: int) -> str:
    """The text on one line (runs of white space as one space), cut to at most ``limit``
    characters with '…': how checks quote answers and reports fit their labels."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: max(limit - 1, 0)] + "…"


def schema_error(schema: dict[str, Any]) -> str | None:
    """Why a check's JSON Schema is not one (None when it is): said when the file is read, not at
    every run. jsonschema is imported on first use, to keep it off every other import path."""
    import jsonschema

    try:
        jsonschema.validators.validator_for(schema).check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"the check's JSON Schema is not valid: {shorten(exc.message, 120)}"
    return None


def base_type(check_type: str) -> tuple[str, bool]:
    """('contains', True) for 'not-contains'; the run checks' own 'not-' names stay whole."""
    if check_type.startswith("not-") and check_type[4:] in NEGATABLE:
        return check_type[4:], True
    return check_type, False


class CheckSpec(Record):
    """One check of a run; ``value`` means what promptfoo's does for the same type."""

    type: str = Field(description="The check: " + ", ".join(CHECK_TYPES), json_schema_extra={"enum": list(CHECK_TYPES)})
    value: Any = Field(default=None, description="What the check compares with (text, a list, a number, a JSON Schema).")
    threshold: float | None = Field(
        default=None, description="latency (milliseconds) and cost: the most allowed; llm-rubric: the least score (0-1).")
    arguments: dict[str, Any] | None = Field(
        default=None, description="tool-called: the call must have these arguments (others may be there too).")
    source: str | None = Field(default=None, description="handoff: from this agent only.")
    model: str | None = Field(default=None, description="llm-rubric: the judging model entry (default: the file's judge).")
    name: str | None = Field(default=None, description="A label for reports (default: the check written out).")

    @field_validator("type")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in CHECK_TYPES:
            raise ValueError(f"unknown check {value!r}; use one of: {', '.join(CHECK_TYPES)}")
        return value

    @model_validator(mode="after")
    def _value_fits(self) -> CheckSpec:
        kind, _ = base_type(self.type)
        value = self.value
        if kind in LIST_VALUED:
            if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
                raise ValueError(f"{self.type} needs 'value': a list of texts")
        elif kind in _TEXT_VALUED:
            if not isinstance(value, str) or not value:
                raise ValueError(f"{self.type} needs 'value': a text")
            if kind == "regex":
                try:
                    re.compile(value)
                except re.error as exc:
                    raise ValueError(f"the regex does not compile: {exc}") from None
        elif kind == "json-schema":
            if not isinstance(value, dict):
                raise ValueError("json-schema needs 'value': a JSON Schema (a mapping)")
            problem = schema_error(value)
            if problem:
                raise ValueError(problem)
        elif kind == "finish-reason":
            reasons = value if isinstance(value, list) else [value]
            if not reasons or not all(r in FINISH_REASONS for r in reasons):
                raise ValueError(f"finish-reason needs 'value': one of {', '.join(FINISH_REASONS)} (or a list of them)")
        elif kind in NUMBER_VALUED | THRESHOLD_VALUED:
            limit = self.threshold if kind in THRESHOLD_VALUED and value is None else value
            if isinstance(limit, bool) or not isinstance(limit, (int, float)) or limit < 0:
                where = "'threshold'" if kind in THRESHOLD_VALUED else "'value'"
                raise ValueError(f"{self.type} needs {where}: a number, at least 0")
        elif kind == "handoff":
            if value is not None and not isinstance(value, str):
                raise ValueError("handoff's 'value' is the agent handed off to (a text), or leave it out for any")
        elif kind == "is-json" and value is not None:
            raise ValueError("is-json takes no 'value' (use json-schema to check the shape)")
        if self.arguments is not None and kind != "tool-called":
            raise ValueError("'arguments' is only for tool-called")
        if self.source is not None and kind != "handoff":
            raise ValueError("'source' is only for handoff")
        if self.model is not None and kind != RUBRIC:
            raise ValueError("'model' is only for llm-rubric")
        if self.threshold is not None and kind not in (*THRESHOLD_VALUED, RUBRIC):
            raise ValueError("'threshold' is only for latency, cost and llm-rubric")
        if kind == RUBRIC and self.threshold is not None and not 0 <= self.threshold <= 1:
            raise ValueError("llm-rubric's threshold is a score from 0 to 1")
        return self

    def label(self) -> str:
        """'contains "12"', 'tool-called area', 'max-messages 6': how reports name the check."""
        if self.name:
            return self.name
        value = self.value if self.value is not None else self.threshold
        if value is None:
            return self.type
        if isinstance(value, str):
            shown = shorten(value, 40)
            return f"{self.type} {shown!r}" if self.type not in ("spoke", "not-spoke", "tool-called", "not-tool-called",
                                                                 "handoff") else f"{self.type} {shown}"
        if isinstance(value, dict):
            return f"{self.type} {{…}}"
        return f"{self.type} {value}"


class TaskCase(Record):
    """One task of the evaluation: the task text (default: the team's) and its inputs."""

    name: str | None = Field(default=None, min_length=1, description="How reports name it (default: #N).")
    task: str | None = Field(default=None, description="The task template (default: the team file's task).")
    inputs: dict[str, str] = Field(default_factory=dict, description="Values of the task's {placeholders}.")
    checks: list[CheckSpec] = Field(default_factory=list, description="Checks of this task, after the defaults.")
    repeats: int | None = Field(default=None, ge=1, le=MAX_REPEATS)
    threshold: float | None = Field(default=None, ge=0, le=1)

    @field_validator("inputs", mode="before")
    @classmethod
    def _inputs_as_text(cls, value: Any) -> Any:
        # A CSV cell is text; in YAML `w: 3` is a number. Both mean the text "3".
        if isinstance(value, dict):
            return {k: (str(v).lower() if isinstance(v, bool) else str(v)) if isinstance(v, (int, float)) else v
                    for k, v in value.items()}
        return value


class VariantSpec(Record):
    """Another version of the team: another file, or changes to the base one."""

    team: str | None = Field(default=None, min_length=1, description="Another team file (relative to this file).")
    description: str = ""
    model: str | None = Field(default=None, description="Run every agent on this model id.")
    agent_models: dict[str, str] = Field(default_factory=dict, description="agent -> model id, for some agents.")
    system_messages: dict[str, str] = Field(default_factory=dict, description="agent -> a replacement system message.")
    options: ModelOptions | None = Field(default=None, description="Model options set on every model entry.")
    termination: TerminationSpec | None = Field(default=None, description="Fields that replace the team's termination's.")
    orchestration: dict[str, Any] | None = Field(
        default=None, description="Fields of the pattern's block that replace the team's (not 'pattern').")

    @model_validator(mode="after")
    def _file_or_changes(self) -> VariantSpec:
        if self.orchestration is not None and "pattern" in self.orchestration:
            raise ValueError("a variant cannot change the pattern: make it another team file ('team:')")
        return self


class Defaults(Record):
    checks: list[CheckSpec] = Field(default_factory=list, description="Checks of every task.")
    repeats: int = Field(default=1, ge=1, le=MAX_REPEATS)
    threshold: float = Field(default=1.0, ge=0, le=1, description="The share of a task's runs that must pass.")


class EvalSpec(Record):
    schema_: Literal["team-designer-eval/v1"] = Field(alias="schema", default=EVAL_SCHEMA_ID)
    name: str = Field(default="", description="How the evaluation is named (default: the file's name).")
    description: str = ""
    team: str = Field(min_length=1, description="The team file under test (relative to this file).")
    variants: dict[str, VariantSpec] = Field(default_factory=dict, description="Other versions of the team, by id.")
    include_base: bool = Field(default=True, description="Also run the team file as it is (variant 'base').")
    models: dict[str, ModelSpec] = Field(
        default_factory=dict, description="Model entries added to every variant (for variants and the judge).")
    judge: str | None = Field(default=None, description="The model entry llm-rubric checks use by default.")
    tasks: list[TaskCase] = Field(default_factory=list)
    tasks_file: str | None = Field(default=None, min_length=1, description="A CSV or JSONL file of tasks.")
    defaults: Defaults = Field(default_factory=Defaults)
    concurrency: dict[str, int] = Field(
        default_factory=dict, description="model id -> at most this many runs using it at once (a rate limit).")
    timeout: float | None = Field(
        default=None, gt=0, le=86_400, description="Seconds after which a run that has not ended fails its cell.")

    @field_validator("variants", "models")
    @classmethod
    def _ids(cls, value: dict[str, Any]) -> dict[str, Any]:
        for key in value:
            if not is_identifier(key):
                raise ValueError(f"{key!r} is not a valid id: use letters, digits and '_', starting with a letter or '_'")
        return value

    @field_validator("concurrency")
    @classmethod
    def _caps(cls, value: dict[str, int]) -> dict[str, int]:
        for key, cap in value.items():
            if cap < 1:
                raise ValueError(f"the concurrency of {key!r} must be at least 1")
        return value

    @model_validator(mode="after")
    def _has_tasks(self) -> EvalSpec:
        if not self.tasks and self.tasks_file is None:
            raise ValueError("an evaluation needs 'tasks' or 'tasks_file'")
        if not self.include_base and not self.variants:
            raise ValueError("with include_base: false, give at least one variant")
        if BASE_VARIANT in self.variants:
            raise ValueError(f"{BASE_VARIANT!r} is the team file as it is: name the variant otherwise")
        return self
