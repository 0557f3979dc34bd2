"""What agents see and remember, their output schemas and the inputs in their system messages:
each mistake is reported once, at the key it is about (FILE:LINE:COL), with a hint."""

from __future__ import annotations

import textwrap

import pytest

from designer.core.json_model import model_from_schema, schema_problem
from designer.core.validate import validate_text

BASE = """
schema: team-designer/v1
name: t
task: Go
default_model: s
"""
SCRIPTED = """
models:
  s: {provider: scripted, responses: [a, b, c]}
"""


def problems(text: str, *, errors_only: bool = True) -> dict[str, tuple[str, str]]:
    """dotted path -> (severity, message); every problem is located in the file."""
    body = textwrap.dedent(text)
    result = validate_text(BASE + ("" if "models:" in body else SCRIPTED) + body, "t.yaml")
    assert result.spec is not None, [p.format() for p in result.problems]
    for p in result.problems:
        assert p.file == "t.yaml" and p.line is not None and p.column is not None, p
    return {p.dotted_path: (p.severity, p.message) for p in result.problems if p.is_error or not errors_only}


TWO = """
        orchestration: {pattern: round_robin, participants: [a, b]}
        termination: {max_messages: 4}
"""


def test_a_team_using_every_part_correctly_has_no_problems():
    assert problems("""
        inputs:
          tone: {default: calm}
        memories:
          notes: {entries: [a fact], writers: [a]}
        agents:
          a:
            system_message: 'Be {tone}. Example reply: {"answer": "..."}'
            memory: [notes]
            context: {last_messages: 4}
          b:
            sees: [{source: user, first: 1}, {source: a, last: 1}]
            context: {max_tokens: 500}
            memory: [notes]
            output_schema:
              type: object
              properties:
                city: {type: string, description: the city}
                population: {type: integer}
                tags: {type: array, items: {type: string, enum: [old, big]}}
                where: {type: object, properties: {lat: {type: number}}, required: [lat]}
              required: [city]
    """ + TWO, errors_only=False) == {}


def test_sources_must_be_agents_of_the_team_or_the_task():
    found = problems("""
        agents:
          a: {}
          b:
            sees: [{source: user, last: 1}, {source: planner, last: 1}, {source: b, first: 2}]
    """ + TWO, errors_only=False)
    assert found["agents.b.sees[1].source"][0] == "error"
    assert "unknown source 'planner'" in found["agents.b.sees[1].source"][1]
    assert found["agents.b.sees[2].source"] == ("warning", "an agent's own messages never reach its filter (its context keeps them)")
    assert "agents.b.sees[0].source" not in found


def test_a_human_has_neither_context_nor_filter_nor_memory():
    found = problems("""
        memories:
          notes: {}
        agents:
          a: {}
          b:
            kind: user_proxy
            context: {last_messages: 2}
            sees: [{source: a, last: 1}]
            memory: [notes]
    """ + TWO)
    assert set(found) >= {"agents.b.context", "agents.b.sees", "agents.b.memory"}
    assert found["agents.b.context"][1] == "a user_proxy agent (a human) cannot have context"


def test_memories_must_exist_and_their_writers_must_be_assistants_that_call_tools():
    found = problems("""
        models:
          s: {provider: scripted, responses: [a]}
          local: {provider: openai_compatible, base_url: "http://127.0.0.1:1/v1", model: m}
        memories:
          notes: {writers: [ghost, b, c]}
          idle: {}
        agents:
          a:
            memory: [notes, missing, notes]
          b: {kind: user_proxy}
          c: {model: local}
        orchestration: {pattern: round_robin, participants: [a, b, c]}
        termination: {max_messages: 4}
    """, errors_only=False)
    assert found["agents.a.memory[1]"][1] == "unknown memory 'missing'"
    assert found["agents.a.memory[2]"][1] == "'notes' is listed twice"
    assert found["memories.notes.writers[0]"][1] == "unknown writer 'ghost'"
    assert "must be an assistant agent" in found["memories.notes.writers[1]"][1]
    assert "cannot call functions" in found["memories.notes.writers[2]"][1]
    assert found["memories.idle"] == ("warning", "memory 'idle' is not used: no agent reads or writes it")


def test_a_writer_s_tool_name_must_be_free():
    found = problems("""
        tools:
          remember_notes: {builtin: calculator}
        memories:
          notes: {writers: [a]}
        agents:
          a: {tools: [remember_notes]}
          b: {}
    """ + TWO)
    assert found["memories.notes.writers[0]"][1] == "'a' already has a tool named 'remember_notes'"


@pytest.mark.parametrize(("schema", "path", "words"), [
    ("{type: array, items: {type: string}}", "agents.b.output_schema.type", "must be an object schema"),
    ("{type: object}", "agents.b.output_schema.properties", "needs 'properties'"),
    ("{type: object, properties: {x: {type: string, pattern: '^a'}}}", "agents.b.output_schema.properties.x.pattern",
     "'pattern' is not supported"),
    ("{type: object, properties: {x: {type: 'null'}}}", "agents.b.output_schema.properties.x.type", "unsupported type 'null'"),
    ("{type: object, properties: {x: {type: array}}}", "agents.b.output_schema.properties.x.items", "an array needs 'items'"),
    ("{type: object, properties: {x: {type: string}}, required: [y]}", "agents.b.output_schema.required[0]",
     "'required' names 'y'"),
    ("{type: object, properties: {x: {enum: [a, [1]]}}}", "agents.b.output_schema.properties.x.enum[1]", "enum values"),
    ("{type: object, properties: {x: {type: integer, enum: [a]}}}", "agents.b.output_schema.properties.x.enum[0]",
     "is not of type integer"),
    ("{type: object, properties: {x: {type: string}}, additionalProperties: true}",
     "agents.b.output_schema.additionalProperties", "only 'additionalProperties: false'"),
])
def test_an_unsupported_output_schema_is_refused_at_the_sub_key(schema: str, path: str, words: str):
    found = problems(f"""
        agents:
          a: {{}}
          b:
            output_schema: {schema}
    """ + TWO)
    assert list(found) == [path] and words in found[path][1], found


def test_structured_output_needs_a_model_that_has_it():
    found = problems("""
        models:
          s: {provider: scripted, responses: [a]}
          claude: {provider: anthropic, model: claude-3-5-haiku-latest}
          local: {provider: openai_compatible, base_url: "http://127.0.0.1:1/v1", model: m,
                  model_info: {function_calling: true, structured_output: false}}
          small: {provider: embedded}
        agents:
          a: {model: claude, output_schema: {type: object, properties: {x: {type: string}}}}
          b: {model: local, output_schema: {type: object, properties: {x: {type: string}}}}
          c: {model: small, output_schema: {type: object, properties: {x: {type: string}}}}
        orchestration: {pattern: round_robin, participants: [a, b, c]}
        termination: {max_messages: 4}
    """)
    assert found["agents.a.output_schema"][1] == "structured output needs a model that supports it, and model 'claude' does not"
    assert "agents.b.output_schema" in found
    assert "agents.c.output_schema" not in found  # the embedded model follows a grammar built from the schema


def test_output_schema_with_tools_warns_that_a_tool_result_is_not_structured():
    found = problems("""
        tools:
          calc: {builtin: calculator}
        agents:
          a:
            tools: [calc]
            output_schema: {type: object, properties: {x: {type: string}}}
          b:
            tools: [calc]
            reflect_on_tool_use: true
            output_schema: {type: object, properties: {x: {type: string}}}
    """ + TWO, errors_only=False)
    assert found == {"agents.a.output_schema": (
        "warning", "after a tool call this agent's reply is the tool's result, not a structured one")}


def test_system_message_placeholders_count_as_uses_and_unknown_ones_stay_as_written():
    found = problems("""
        inputs:
          tone: {default: calm}
          unused: {default: x}
        agents:
          a: {system_message: "Be {tone}; {{tone}} is literal; {mood} is not an input; {\\"a\\": 1} is JSON"}
          b: {}
    """ + TWO, errors_only=False)
    assert found == {
        "agents.a.system_message": ("warning", "{mood} is not one of the team's inputs, so it is sent as written"),
        "inputs.unused": ("warning", "input 'unused' is not used by the task"),
    }


def test_parallel_tool_calls_is_ignored_by_providers_without_it():
    found = problems("""
        models:
          s: {provider: scripted, responses: [a], options: {parallel_tool_calls: false}}
          gpt: {provider: openai, model: gpt-4o-mini, options: {parallel_tool_calls: true}}
        agents:
          a: {}
          b: {model: gpt}
    """ + TWO, errors_only=False)
    assert found == {"models.s.options.parallel_tool_calls": (
        "warning", "parallel_tool_calls is for OpenAI-style providers; scripted ignores it")}


def test_the_schema_model_keeps_property_names_that_python_cannot_use():
    model = model_from_schema({"type": "object", "properties": {"model_config": {"type": "boolean"}, "my-key": {"type": "string"}},
                               "required": ["my-key"]}, "x")
    reply = model.model_validate_json('{"my-key": "v", "model_config": true}')
    assert reply.model_dump_json() == '{"model_config":true,"my-key":"v"}'
    assert schema_problem({"type": "object", "properties": {"a": {"type": "string"}}}) is None
