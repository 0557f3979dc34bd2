"""The JSON Schema of the team file format, generated from the spec records."""

from __future__ import annotations

import json
from typing import Any

from .paths import RESOURCES_DIR
from .spec import SCHEMA_ID, TeamSpec

SCHEMA_FILE = RESOURCES_DIR / "team-designer-v1.schema.json"


def team_json_schema() -> dict[str, Any]:
    schema = TeamSpec.model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://team-designer.dev/schema/team-designer-v1.json"
    schema["title"] = "Team Designer team file"
    schema["description"] = (
        f"A multi-agent team for Microsoft AutoGen AgentChat, format {SCHEMA_ID}. "
        "Secrets are references (env:NAME or keyring:NAME), never values."
    )
    # Editors should insist on the format line even though the loader treats it as the default.
    required = schema.setdefault("required", [])
    if "schema" not in required:
        required.insert(0, "schema")
    return schema


def schema_text() -> str:
    return json.dumps(team_json_schema(), indent=2, ensure_ascii=False) + "\n"
