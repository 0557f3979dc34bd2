"""``team-designer export --to agentchat-json`` as a user runs it: every example team is written,
loaded back by plain AgentChat (``Team.load_component``), and round-tripped through ``import``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, example_files

#: A generous safety bound: an export reads files and writes one; nothing here waits on a model.
TIMEOUT_S = 120
EXAMPLES = example_files()
TEAM_CLASSES = {"round_robin": "RoundRobinGroupChat", "hierarchical": "RoundRobinGroupChat", "selector": "SelectorGroupChat",
                "swarm": "Swarm", "graph": "GraphFlow", "sequential": "GraphFlow", "magentic_one": "MagenticOneGroupChat"}


def cli(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer", *map(str, args)], capture_output=True, text=True,
                          timeout=TIMEOUT_S, cwd=cwd or ROOT, env={**os.environ, **(env or {})})


def spec_of(path: Path) -> Any:
    from designer.core.validate import validate_file

    result = validate_file(path)
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec


def load_team(text: str) -> Any:
    from autogen_agentchat.base import Team

    with warnings.catch_warnings():  # FunctionTool's "runs code" warning: the tools here are the examples' own
        warnings.simplefilter("ignore")
        return Team.load_component(json.loads(text))


def providers(node: Any) -> list[str]:
    """Every component's provider in the JSON: AgentChat's public paths, never this product's classes."""
    if isinstance(node, list):
        return [p for item in node for p in providers(item)]
    if not isinstance(node, dict):
        return []
    own = [node["provider"]] if isinstance(node.get("provider"), str) and "component_type" in node else []
    return own + [p for value in node.values() for p in providers(value)]


def expected_participants(spec: Any) -> list[str]:
    orch = spec.orchestration
    if orch.pattern == "hierarchical":
        return [orch.coordinator]  # the workers are its tools
    if orch.pattern == "swarm":
        return [orch.entry] + [p for p in orch.participants if p != orch.entry]
    if orch.pattern == "graph":
        return orch.nodes()
    return spec.participants()


def in_process(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """The same command line in this process: the per-example tests would otherwise spend most of
    their time starting Python and importing AgentChat (the subprocess tests below keep the real
    process's path honest)."""
    from designer.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_exports_loads_in_plain_agentchat_and_imports_back_equivalent(
    example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "team.json"
    code, stdout, stderr = in_process(capsys, "export", example, "--to", "agentchat-json", out)
    assert code == 0, stderr
    assert f"wrote {out}" in stdout
    spec = spec_of(example)
    team = load_team(out.read_text(encoding="utf-8"))
    assert type(team).__name__ == TEAM_CLASSES[spec.orchestration.pattern]
    assert [p.name for p in team._participants] == expected_participants(spec)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["label"] == spec.name
    assert all(p.startswith(("autogen_agentchat.", "autogen_core.", "autogen_ext.")) for p in providers(data))

    # The round trip: what comes back is the same team, but for what the export's report said it loses.
    back = tmp_path / "back" / "team.yaml"
    back.parent.mkdir()
    code, _, stderr = in_process(capsys, "import", out, back)
    assert code == 0, stderr
    assert_equivalent(spec, spec_of(back))


def test_the_real_command_exports_and_imports_back(tmp_path: Path) -> None:
    # One example through real processes, as a user types it.
    example = ROOT / "teams" / "rectangle_area.yaml"
    out = tmp_path / "team.json"
    done = cli("export", example, "--to", "agentchat-json", out)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out}" in done.stdout and "Traceback" not in done.stderr
    back = tmp_path / "back.yaml"
    done = cli("import", out, back)
    assert done.returncode == 0, done.stderr
    assert_equivalent(spec_of(example), spec_of(back))
    assert load_team(out.read_text(encoding="utf-8")) is not None


def test_exports_refuse_to_overwrite_without_force_and_report_bad_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # In this process (the same command line; test_the_real_command_exports_and_imports_back runs a real one).
    def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
        code, out, err = in_process(capsys, *args)
        return subprocess.CompletedProcess(list(map(str, args)), code, out, err)

    out = tmp_path / "team.json"
    out.write_text("keep me")
    example = ROOT / "teams" / "research_report.yaml"
    refused = cli("export", example, "--to", "agentchat-json", out)
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert out.read_text() == "keep me"
    forced = cli("export", example, "--to", "agentchat-json", out, "--force")
    assert forced.returncode == 0, forced.stderr
    assert load_team(out.read_text(encoding="utf-8")) is not None
    team = tmp_path / "team.yaml"
    team.write_bytes(example.read_bytes())
    onto_itself = cli("export", team, "--to", "python", team, "--force")  # --force or not: the team would be gone
    assert onto_itself.returncode == 2 and "is the team file being exported" in onto_itself.stderr
    assert team.read_bytes() == example.read_bytes()

    bad = tmp_path / "bad.yaml"
    bad.write_text("schema: team-designer/v1\nname: Bad\nagents: {a: {}}\norchestration: {pattern: sequential, order: [b]}\n")
    failed = cli("export", bad, "--to", "agentchat-json", tmp_path / "bad.json")
    assert failed.returncode == 2
    assert f"{bad}:" in failed.stderr and "Traceback" not in failed.stderr
    assert not (tmp_path / "bad.json").exists()


SECRET_TEAM = """\
schema: team-designer/v1
name: Keys
models:
  gpt: {provider: openai, model: gpt-4o-mini, api_key: "env:MY_TEAM_OPENAI_KEY"}
  claude: {provider: anthropic, model: claude-3-5-haiku-latest, api_key: "keyring:claude_key"}
default_model: gpt
tools:
  docs:
    mcp: {transport: http, url: "https://mcp.example.com/mcp", headers: {Authorization: "Bearer env:MCP_TOKEN"}}
agents:
  a: {system_message: Answer., tools: [docs]}
  b: {model: claude, system_message: Check.}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {max_messages: 4}
"""


def test_keys_are_never_written_only_named(tmp_path: Path) -> None:
    team = tmp_path / "keys.yaml"
    team.write_text(SECRET_TEAM)
    out = tmp_path / "keys.json"
    planted = {"MY_TEAM_OPENAI_KEY": "sk-planted-export-0123456789", "MCP_TOKEN": "mcp-planted-token-0123456789"}
    done = cli("export", team, "--to", "agentchat-json", out, env=planted)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    for value in planted.values():
        assert value not in text and value not in done.stdout + done.stderr
    data = json.loads(text)
    clients = [p["config"]["model_client"] for p in data["config"]["participants"]]
    assert all("api_key" not in c["config"] for c in clients)
    assert "MY_TEAM_OPENAI_KEY" in clients[0]["description"] and "claude_key" in clients[1]["description"]
    key_lines = [line for line in done.stdout.splitlines() if line.startswith("key: ")]
    assert any("MY_TEAM_OPENAI_KEY" in line for line in key_lines)
    assert any("claude_key" in line and "ANTHROPIC_API_KEY" in line for line in key_lines)
    assert any("Authorization" in line and "env:MCP_TOKEN" in line for line in key_lines)
    # Loads in plain AgentChat once the variables its clients read are set (fake values here).
    os.environ.setdefault("OPENAI_API_KEY", "sk-fake-for-loading")
    os.environ.setdefault("ANTHROPIC_API_KEY", "sk-fake-for-loading")
    assert [p.name for p in load_team(text)._participants] == ["a", "b"]


# --- the round trip through `import` -----------------------------------------------------------


def _atoms(block: Any) -> frozenset[Any]:
    """A termination block as a set of conditions: OR'ed parts (``any:`` children flattened into
    their parent, since an OR of ORs is one OR) and each ``all:`` as a set of its parts."""
    out: set[Any] = set()
    for key in ("text", "max_messages", "timeout", "max_tokens", "max_prompt_tokens", "max_completion_tokens",
                "tool_called", "text_from", "handoff_to"):
        value = getattr(block, key)
        if value is not None:
            out.add((key, float(value) if isinstance(value, (int, float)) else value))
    if block.spoke:
        out.add(("spoke", tuple(sorted(block.spoke))))
    for child in block.any_of:
        out |= _atoms(child)
    if block.all_of:
        out.add(("all", frozenset(_atoms(child) for child in block.all_of)))
    return frozenset(out)


def _pattern_fields(spec: Any) -> dict[str, Any]:
    """The orchestration as it can travel: inputs filled, the by-design losses (see the export's
    report) taken out: not_contains edges, allowed_transitions."""
    from designer.core.patterns.selector import fill_inputs

    data = spec.orchestration.model_dump(by_alias=True, exclude_defaults=True)
    data.pop("allowed_transitions", None)
    # Which model a selector or orchestrator uses is compared with the models, not here (an import names models anew).
    data.pop("selector_model", None)
    data.pop("orchestrator_model", None)
    if data["pattern"] == "sequential" and len(data.get("order", [])) == 1:
        data = {"pattern": "graph", "entry": data["order"][0]}  # one agent, no edge: the same team either way
    if "edges" in data:
        edges = [e for e in data["edges"] if "not_contains" not in (e.get("when") or {})]
        for e in edges:
            if e.get("group") == e["to"]:
                del e["group"]  # the default group
        data["edges"] = sorted(edges, key=lambda e: json.dumps(e, sort_keys=True))  # a graph's edges are a set
    if "selector_prompt" in data:
        data["selector_prompt"] = fill_inputs(data["selector_prompt"], {k: v.default for k, v in spec.inputs.items()})
    return data


def assert_equivalent(original: Any, back: Any) -> None:
    """Equivalent team files: the same agents (ids, kinds, system messages with inputs filled,
    descriptions), the same pattern and fields, the same tools by name, an equivalent termination.
    By design (each is a line of the export's report): inputs are filled in, output_schema,
    not_contains edges and allowed_transitions are dropped, a one-agent sequence is a one-node graph, a hierarchical team's end when the
    coordinator answers and a swarm's stop at a hand-off to the user are explicit conditions."""
    from designer.runtime.export_json_agents import describe
    from designer.runtime.export_json_base import Export

    x = Export(original, None)
    assert set(back.agents) == set(original.agents)
    for agent_id, agent in original.agents.items():
        other = back.agents[agent_id]
        assert other.kind == agent.kind, agent_id
        assert other.description == describe(x, agent_id), agent_id
        if agent.kind == "assistant" or agent.model is not None:
            assert other.system_message.strip() == x.filled(agent.system_message, "").strip(), agent_id
        # By name: an exported tool is a FunctionTool named after its id (remember_<memory> included).
        tools = set(agent.tools) | {f"remember_{m}" for m, memory in original.memories.items() if agent_id in memory.writers}
        assert set(other.tools) == tools, agent_id
    assert _pattern_fields(back) == _pattern_fields(original)
    orch = original.orchestration
    extra = {("spoke", (orch.coordinator,))} if orch.pattern == "hierarchical" else set()
    if orch.pattern == "swarm" and any("user" in original.agents[a].handoffs for a in original.participants()):
        extra.add(("handoff_to", "user"))
    assert _atoms(back.termination) - extra == _atoms(original.termination) - extra
    turns = original.termination.max_turns
    assert back.termination.max_turns == turns


def test_the_embedded_model_comes_back_as_the_embedded_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The export writes the built-in model as an OpenAI client for a local llama.cpp server and
    # marks it in its description; importing that JSON gives the built-in model back.
    example = ROOT / "teams" / "capital_of_france.yaml"
    out = tmp_path / "team.json"
    code, _, stderr = in_process(capsys, "export", example, "--to", "agentchat-json", out)
    assert code == 0, stderr
    back = tmp_path / "back.yaml"
    code, stdout, stderr = in_process(capsys, "import", out, back)
    assert code == 0, stderr
    assert "the embedded model, as Team Designer exported it" in stdout
    original, spec = spec_of(example), spec_of(back)
    (model,) = spec.models.values()
    assert model.provider == "embedded" and model.base_url is None and model.api_key is None
    assert model.options == original.models["smollm2"].options
    assert spec.name == original.name and spec.description.strip() == original.description.strip()

    # Not the export's mark (another description): an OpenAI-compatible server, as before.
    data = json.loads(out.read_text(encoding="utf-8"))
    data["config"]["participants"][0]["config"]["model_client"]["description"] = "My llama.cpp server."
    data["config"]["participants"][0]["config"]["model_client"]["config"]["model"] = "SmolLM2-135M-Instruct"
    out.write_text(json.dumps(data), encoding="utf-8")
    code, stdout, stderr = in_process(capsys, "import", out, tmp_path / "other.yaml")
    assert code == 0, stderr
    assert [m.provider for m in spec_of(tmp_path / "other.yaml").models.values()] == ["openai_compatible"]
