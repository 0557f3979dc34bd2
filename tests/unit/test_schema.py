"""The JSON Schema in resources/ is the one the code generates, and it accepts every example."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest
import yaml

from designer.core.schema import SCHEMA_FILE, schema_text, team_json_schema
from tests.conftest import ROOT, example_files


def test_the_shipped_schema_is_in_sync():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "regenerate with: python -m designer schema > resources/team-designer-v1.schema.json"
    )


def test_the_cli_prints_the_schema():
    out = subprocess.run([sys.executable, "-m", "designer", "schema"], capture_output=True, text=True, cwd=ROOT, check=True)
    assert json.loads(out.stdout) == team_json_schema()


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_examples_satisfy_the_schema(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), team_json_schema())


def test_the_schema_rejects_literal_keys():
    doc = {
        "schema": "team-designer/v1", "name": "x",
        "models": {"m": {"provider": "openai", "model": "gpt-4o", "api_key": "sk-secret"}},
        "agents": {"a": {}}, "orchestration": {"pattern": "sequential", "order": ["a"]},
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, team_json_schema())
