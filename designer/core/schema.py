"""The JSON Schema of the team file format, generated from the spec records."""

from __future__ import annotations

import json
from typing import Any

from .paths import RESOURCES_DIR
from .spec import SCHEMA_ID, TeamSpec

SCHEMA_FILE = RESOURCES_DIR / "team-designer-v1.schema.json"


def headed(schema: dict[str, Any], name: str, title: str, description: str) -> dict[str, Any]:
    """A generated schema with its draft, id, title and description, and the format line required:
    editors should insist on it even where the loader treats it as the default."""
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://team-designer.dev/schema/{name}.json"
    schema["title"] = title
    schema["description"] = description
    required = schema.setdefault("required", [])
    if "schema" not in required:
        required.insert(0, "schema")
    return schema


def team_json_schema() -> dict[str, Any]:
    return headed(TeamSpec.model_json_schema(by_alias=True, mode="validation"), "team-designer-v1",
                  "Team Designer team file",
                  f"A multi-agent team for Microsoft AutoGen AgentChat, format {SCHEMA_ID}. "
                  "Secrets are references (env:NAME or keyring:NAME), never values.")


def schema_text() -> str:
    return json.dumps(team_json_schema(), indent=2, ensure_ascii=False) + "\n"
