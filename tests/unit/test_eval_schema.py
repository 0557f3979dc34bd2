"""The evaluation file's JSON Schema in resources/ is the one the code generates, and it accepts
the example evaluations (and what the loader accepts)."""

from __future__ import annotations

import textwrap

import jsonschema
import pytest
import yaml

from designer.core.eval_file import load_eval
from designer.core.eval_schema import EVAL_SCHEMA_FILE, eval_json_schema, schema_text
from designer.core.eval_spec import CHECK_TYPES
from tests.conftest import TEAMS


def eval_examples() -> list:
    return sorted(TEAMS.rglob("*.eval.yaml"))


def test_the_shipped_eval_schema_is_in_sync(capsys: pytest.CaptureFixture[str]):
    assert EVAL_SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "regenerate with: python -c 'from designer.core.eval_schema import EVAL_SCHEMA_FILE, schema_text; "
        "EVAL_SCHEMA_FILE.write_text(schema_text())'"
    )
    from designer.cli.main import main

    assert main(["schema", "--eval"]) == 0
    assert capsys.readouterr().out == schema_text()


def test_the_check_type_is_an_enum_and_the_format_line_is_required():
    schema = eval_json_schema()
    assert schema["$defs"]["CheckSpec"]["properties"]["type"]["enum"] == list(CHECK_TYPES)
    assert schema["required"][0] == "schema"
    jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", eval_examples(), ids=lambda p: p.name)
def test_example_evaluations_satisfy_the_schema_and_load(path):
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), eval_json_schema())
    loaded = load_eval(path)
    assert loaded.ok, [p.format() for p in loaded.problems]


DOC = textwrap.dedent("""\
    schema: team-designer-eval/v1
    team: rectangle_area.yaml
    variants:
      terse: {system_messages: {geometry_assistant: Reply with the number only.}, options: {temperature: 0}}
    tasks:
      - name: square
        inputs: {length: 3, width: 3.5, exact: true}
        checks: [{type: contains, value: "9"}, {type: tool-called, value: t, arguments: {length: 3}}]
    defaults: {checks: [{type: latency, threshold: 5000}], repeats: 2}
    concurrency: {smollm2: 1}
""")


def test_the_schema_accepts_numbers_as_inputs_as_the_loader_does():
    jsonschema.validate(yaml.safe_load(DOC), eval_json_schema())


@pytest.mark.parametrize(("change", "bad"), [
    ("checks: [{type: contains, value: \"9\"}", "checks: [{type: containz, value: \"9\"}"),
    ("repeats: 2", "repeats: 0"),
    ("concurrency:", "concurency:"),
    ("schema: team-designer-eval/v1\n", ""),
])
def test_the_schema_rejects_what_the_loader_rejects(change: str, bad: str):
    assert change in DOC
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(yaml.safe_load(DOC.replace(change, bad, 1)), eval_json_schema())
