"""Every check kind, passing and failing, through ``team-designer eval`` as a user runs it (one
subprocess). A swarm on scripted models: triage hands off to billing, billing calls a tool and
answers in JSON (or, in the 'prose' variant, in a sentence); two judges on scripted models say
PASS and FAIL. Task 'pass' holds every check written to pass, task 'fail' the same kinds
written to fail; the JSON report says how each came out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from designer.core.eval_spec import CHECK_TYPES
from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: Billing swarm
task: What is the area of a {length} by {width} rectangle?
inputs: {length: {default: '2'}, width: {default: '3'}}
models:
  front:
    provider: scripted
    responses: [{tool_calls: [{name: transfer_to_billing, arguments: {}}]}]
    prices: {input: 1, output: 2}
  json_answer:
    provider: scripted
    responses: [{tool_calls: [{name: area, arguments: {length: 2, width: 3}}]}, '{"area": 6, "unit": "sq"}']
    prices: {input: 1, output: 2}
  prose_answer:
    provider: scripted
    responses: [{tool_calls: [{name: area, arguments: {length: 2, width: 3}}]}, 'The area is 6 square units.']
    prices: {input: 1, output: 2}
tools:
  area: {builtin: calculate_rectangle_area}
  other: {builtin: calculate_rectangle_area}
agents:
  triage: {model: front, handoffs: [billing, technical]}
  billing: {model: json_answer, tools: [area, other], reflect_on_tool_use: true, handoffs: [triage]}
  technical: {model: front, handoffs: [triage]}
orchestration: {pattern: swarm, entry: triage, participants: [triage, billing, technical]}
termination: {text: unit, max_messages: 10}
"""

PASSING = [
    {"type": "equals", "value": '{"area": 6, "unit": "sq"}'},
    {"type": "contains", "value": '"area"'},
    {"type": "icontains", "value": "AREA"},
    {"type": "contains-any", "value": ["zzz", "area"]},
    {"type": "icontains-any", "value": ["ZZZ", "UNIT"]},
    {"type": "contains-all", "value": ["area", "unit"]},
    {"type": "icontains-all", "value": ["AREA", "UNIT"]},
    {"type": "regex", "value": '"area": \\d+'},
    {"type": "starts-with", "value": "{"},
    {"type": "is-json"},
    {"type": "json-schema", "value": {"type": "object", "required": ["area"], "properties": {"area": {"type": "integer"}}}},
    {"type": "not-equals", "value": "nope"},
    {"type": "not-contains", "value": "error"},
    {"type": "not-icontains", "value": "ERROR"},
    {"type": "not-contains-any", "value": ["x1", "x2"]},
    {"type": "not-icontains-any", "value": ["X1", "X2"]},
    {"type": "not-contains-all", "value": ["area", "zzz"]},
    {"type": "not-icontains-all", "value": ["AREA", "ZZZ"]},
    {"type": "not-regex", "value": "^The"},
    {"type": "not-starts-with", "value": "The"},
    {"type": "not-json-schema", "value": {"type": "object", "properties": {"area": {"type": "string"}}}},
    {"type": "spoke", "value": "billing"},
    {"type": "not-spoke", "value": "technical"},
    {"type": "tool-called", "value": "area", "arguments": {"length": 2}},
    {"type": "not-tool-called", "value": "other"},
    {"type": "handoff", "value": "billing", "source": "triage"},
    {"type": "finish-reason", "value": ["termination", "completed"]},
    {"type": "max-messages", "value": 10},
    {"type": "max-tokens", "value": 100000},
    {"type": "max-seconds", "value": 120},
    {"type": "max-cost", "value": 1},
    {"type": "latency", "threshold": 120000},
    {"type": "cost", "threshold": 1},
    {"type": "llm-rubric", "value": "The answer gives an area.", "model": "judge_yes"},
]
FAILING = [
    {"type": "equals", "value": "nope"},
    {"type": "contains", "value": "zzz"},
    {"type": "icontains", "value": "ZZZ"},
    {"type": "contains-any", "value": ["x1", "x2"]},
    {"type": "icontains-any", "value": ["X1", "X2"]},
    {"type": "contains-all", "value": ["area", "zzz"]},
    {"type": "icontains-all", "value": ["AREA", "ZZZ"]},
    {"type": "regex", "value": "^nothing$"},
    {"type": "starts-with", "value": "The"},
    {"type": "not-is-json"},
    {"type": "json-schema", "value": {"type": "object", "properties": {"area": {"type": "string"}}}},
    {"type": "not-equals", "value": '{"area": 6, "unit": "sq"}'},
    {"type": "not-contains", "value": "area"},
    {"type": "not-icontains", "value": "AREA"},
    {"type": "not-contains-any", "value": ["zzz", "area"]},
    {"type": "not-icontains-any", "value": ["ZZZ", "UNIT"]},
    {"type": "not-contains-all", "value": ["area", "unit"]},
    {"type": "not-icontains-all", "value": ["AREA", "UNIT"]},
    {"type": "not-regex", "value": '"area"'},
    {"type": "not-starts-with", "value": "{"},
    {"type": "not-json-schema", "value": {"type": "object"}},
    {"type": "spoke", "value": "technical"},
    {"type": "not-spoke", "value": "billing"},
    {"type": "tool-called", "value": "area", "arguments": {"length": 5}},
    {"type": "not-tool-called", "value": "area"},
    {"type": "handoff", "value": "technical"},
    {"type": "finish-reason", "value": "error"},
    {"type": "max-messages", "value": 1},
    {"type": "max-tokens", "value": 1},
    {"type": "max-seconds", "value": 0},
    {"type": "max-cost", "value": 0},
    {"type": "latency", "threshold": 0},
    {"type": "cost", "threshold": 0},
    {"type": "llm-rubric", "value": "The answer gives an area.", "model": "judge_no"},
]


def test_every_check_kind_passes_and_fails_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "team.yaml").write_text(TEAM)
    evaluation = {
        "schema": "team-designer-eval/v1", "team": "team.yaml",
        "models": {"judge_yes": {"provider": "scripted", "responses": ["PASS: it gives the area."]},
                   "judge_no": {"provider": "scripted", "responses": ["FAIL - it does not."]}},
        "variants": {"prose": {"agent_models": {"billing": "prose_answer"}}},
        "tasks": [{"name": "pass", "checks": PASSING}, {"name": "fail", "checks": FAILING}],
    }
    (tmp_path / "checks.eval.yaml").write_text(json.dumps(evaluation))  # JSON is YAML
    report = tmp_path / "out.json"
    env = {"TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "designer", "eval", str(tmp_path / "checks.eval.yaml"), "--workers", "1",
                           "--json", str(report)], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 1, done.stderr  # the 'fail' task fails, as written
    results = {(r["variant"], r["task_id"]): r for r in json.loads(report.read_text())["results"]}
    for key, result in results.items():
        assert result["status"] in ("passed", "failed"), (key, result["error"])
    base_pass, base_fail = results[("base", "pass")], results[("base", "fail")]
    assert [(c["type"], c["passed"]) for c in base_pass["checks"]] == [(c["type"], True) for c in PASSING], \
        [c for c in base_pass["checks"] if not c["passed"]]
    assert [(c["type"], c["passed"]) for c in base_fail["checks"]] == [(c["type"], False) for c in FAILING], \
        [c for c in base_fail["checks"] if c["passed"]]
    assert all(c["detail"] for c in base_fail["checks"]), "every failure says why"
    # The prose variant's answer is no JSON: is-json fails there (and its judge still replies).
    prose = {c["type"]: c for c in results[("prose", "pass")]["checks"]}
    assert not prose["is-json"]["passed"] and prose["spoke"]["passed"] and prose["llm-rubric"]["passed"]
    assert "judge said FAIL" in {c["type"]: c for c in base_fail["checks"]}["llm-rubric"]["detail"]
    # Every kind was seen both passing and failing.
    outcomes: dict[str, set[bool]] = {}
    for result in results.values():
        for check in result["checks"]:
            outcomes.setdefault(check["type"], set()).add(check["passed"])
    assert {t for t in CHECK_TYPES if outcomes.get(t) != {True, False}} == set()
