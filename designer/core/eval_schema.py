"""The JSON Schema of the evaluation file format, generated from its records (core/eval_spec.py)."""

from __future__ import annotations

import json
from typing import Any

from .eval_spec import EVAL_SCHEMA_ID, EvalSpec
from .paths import RESOURCES_DIR
from .schema import headed

EVAL_SCHEMA_FILE = RESOURCES_DIR / "team-designer-eval-v1.schema.json"


def eval_json_schema() -> dict[str, Any]:
    schema = headed(EvalSpec.model_json_schema(by_alias=True, mode="validation"), "team-designer-eval-v1",
                    "Team Designer evaluation file",
                    f"A team, and variants of it, run over tasks with checks, format {EVAL_SCHEMA_ID}. "
                    "Model entries' secrets are references (env:NAME or keyring:NAME), never values.")
    # A task's inputs are read as text, but YAML's `width: 3` is a number and means the text "3"
    # (TaskCase's before-validator): the schema must accept what the loader accepts.
    inputs = schema["$defs"]["TaskCase"]["properties"]["inputs"]
    inputs["additionalProperties"] = {"type": ["string", "number", "boolean"]}
    return schema


def schema_text() -> str:
    return json.dumps(eval_json_schema(), indent=2, ensure_ascii=False) + "\n"
