"""`team-designer import`, driven as a user drives it: AutoGen Studio's default gallery and teams
written with AgentChat's dump_component() become team files that validate, hold no key, keep
their tools as modules in tools/ (run only once trusted) and run on a scripted model.

The fixtures are tests/fixtures/interop/*.json (see scripts/make_interop_fixtures.sh). Each run
replaces the imported models with scripted ones, one per agent (and one for a selector), the
way a user would try an imported team before spending money on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "interop"
GALLERY = FIXTURES / "autogenstudio_default_gallery.json"
FAKE_KEY = "sk-fixture"


def cli(cwd: Path, *args: str, stdin: str = "", extra_env: dict[str, str] | None = None,
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """The CLI in a subprocess, with its data (history, trust store) under ``cwd`` and no keyring
    (a headless Linux box: keys are dropped with the variable to set)."""
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(cwd / "data"), "XDG_DATA_HOME": str(cwd / "xdg"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "QT_QPA_PLATFORM": "offscreen",
           **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=timeout, input=stdin)


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    return done


def no_key_anywhere(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file() and "data" not in path.relative_to(folder).parts:
            assert FAKE_KEY not in path.read_text("utf-8", "replace"), path


def scripted(path: Path, replies: dict[str, list[Any]], selector: list[str] | None = None) -> Path:
    """A copy of the team file whose agents run on scripted models (``replies`` per agent id)."""
    data = yaml.safe_load(path.read_text("utf-8"))
    data["models"] = {f"s_{agent}": {"provider": "scripted", "responses": script} for agent, script in replies.items()}
    data.pop("default_model", None)
    for agent_id, agent in data["agents"].items():
        if agent.get("kind") != "user_proxy":
            agent["model"] = f"s_{agent_id}"
    if selector is not None:
        data["models"]["s_selector"] = {"provider": "scripted", "responses": selector}
        data["orchestration"]["selector_model"] = "s_selector"
    out = path.with_name(f"scripted_{path.name}")
    out.write_text(yaml.safe_dump(data, sort_keys=False), "utf-8")
    return out


def run_events(cwd: Path, team: Path, *extra: str, stdin: str = "") -> list[dict[str, Any]]:
    done = ok(cli(cwd, "run", str(team), "--task", "Help me", "--jsonl", "--no-record", *extra, stdin=stdin))
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    finished = [e for e in events if e["type"] == "finished"]
    assert finished and finished[-1]["reason"] != "error", finished
    return events


def speakers(events: list[dict[str, Any]]) -> list[str]:
    return [e["agent"] for e in events if e["type"] == "message" and e.get("kind") == "text" and e["agent"] != "user"]


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": name, "arguments": arguments}]}


# --- AutoGen Studio's default gallery --------------------------------------------------------------


def test_a_gallery_without_a_choice_lists_its_teams_and_writes_nothing(tmp_path: Path):
    done = cli(tmp_path, "import", str(GALLERY))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "holds 4 teams; pick one with --team" in done.stderr
    for line in ("1. RoundRobin Team", "2. Selector Team", "3. Web Agent Team (Operator)", "4. Deep Research Team"):
        assert line in done.stderr
    assert not list(tmp_path.glob("*.yaml"))
    listed = ok(cli(tmp_path, "import", str(GALLERY), "--list")).stdout
    assert listed.splitlines()[0].startswith("1. RoundRobin Team")


@pytest.fixture(scope="module")
def gallery(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Every team of the gallery imported at once (--all) into a folder; the folder and the report."""
    cwd = tmp_path_factory.mktemp("gallery")
    done = ok(cli(cwd, "import", str(GALLERY), "teams", "--all"))
    return cwd, done.stdout


def test_every_gallery_team_is_written_validates_and_holds_no_key(gallery: tuple[Path, str]):
    cwd, report = gallery
    names = sorted(p.name for p in (cwd / "teams").glob("*.yaml"))
    assert names == ["deep_research_team.yaml", "roundrobin_team.yaml", "selector_team.yaml", "web_agent_team_operator.yaml"]
    for name in names:
        assert f"wrote {Path('teams') / name}" in report
    done = ok(cli(cwd, "validate", *(str(cwd / "teams" / n) for n in names)))
    assert done.stdout.count(": ok") == 4
    no_key_anywhere(cwd)


def test_the_web_surfer_is_reported_dropped_and_the_rest_of_its_team_is_kept(gallery: tuple[Path, str]):
    cwd, report = gallery
    assert "dropped: MultimodalWebSurfer 'websurfer_agent' of team 'Web Agent Team (Operator)' — no equivalent" in report
    team = yaml.safe_load((cwd / "teams" / "web_agent_team_operator.yaml").read_text("utf-8"))
    assert team["orchestration"]["participants"] == ["assistant_agent", "user_proxy"]
    assert team["agents"]["user_proxy"]["kind"] == "user_proxy"


def test_function_tools_become_modules_in_tools_with_their_imports(gallery: tuple[Path, str]):
    cwd, report = gallery
    tools = cwd / "teams" / "tools"
    assert sorted(p.name for p in tools.glob("*.py")) == ["calculator.py", "fetch_webpage.py", "google_search.py"]
    assert "info: tool module tools/calculator.py written: trust the team before it runs" in report
    # The second team's calculator is the same code: one module, reused.
    assert "tool module tools/calculator.py is already there with the same code" in report
    search = (tools / "google_search.py").read_text("utf-8")
    assert "from typing import List, Dict, Optional\nimport os\nimport httpx\n" in search
    assert "\nasync def google_search(\n" in search
    team = yaml.safe_load((cwd / "teams" / "deep_research_team.yaml").read_text("utf-8"))
    assert team["tools"]["google_search"]["function"] == "google_search:google_search"


def test_the_round_robin_team_runs_its_tool_only_once_trusted(gallery: tuple[Path, str]):
    cwd, _ = gallery
    team = scripted(cwd / "teams" / "roundrobin_team.yaml",
                    {"assistant_agent": [call("calculator", a=2, b=3, operator="+"), "It is 5. TERMINATE"]})
    refused = cli(cwd, "run", str(team), "--task", "2 + 3?", "--jsonl", "--no-record")
    assert refused.returncode == 2 and "would execute code you have not trusted yet" in refused.stderr
    assert "tools/calculator.py" in refused.stderr
    events = run_events(cwd, team, "--trust")
    results = [e for e in events if e["type"] == "tool_result"]
    assert [(r["name"], r["content"], r["is_error"]) for r in results] == [("calculator", "5.0", False)]
    assert events[-1]["type"] == "finished" and "TERMINATE" in events[-1]["detail"]


def test_the_selector_team_runs_with_its_tool(gallery: tuple[Path, str]):
    cwd, _ = gallery
    team = scripted(cwd / "teams" / "selector_team.yaml",
                    {"assistant_agent": [call("calculator", a=6, b=7, operator="*"), "The answer is 42. TERMINATE"],
                     "critic_agent": ["Check the product once more."]},
                    selector=["assistant_agent", "critic_agent", "assistant_agent"])
    events = run_events(cwd, team, "--trust")
    assert [e["content"] for e in events if e["type"] == "tool_result"] == ["42.0"]
    assert speakers(events) == ["critic_agent", "assistant_agent"]


def test_the_web_agent_team_runs_without_its_web_surfer(gallery: tuple[Path, str]):
    cwd, _ = gallery
    team = scripted(cwd / "teams" / "web_agent_team_operator.yaml",
                    {"assistant_agent": ["Nothing is left to do. TERMINATE"]}, selector=["assistant_agent"])
    assert speakers(run_events(cwd, team)) == ["assistant_agent"]


def test_the_deep_research_team_runs_once_its_tools_dependencies_are_installed(gallery: tuple[Path, str], tmp_path: Path):
    cwd, _ = gallery
    # The tools import bs4 and html2text at the top, as they did in AutoGen Studio: a user installs
    # them; here two stand-ins on PYTHONPATH are enough (the scripted model calls no search).
    deps = tmp_path / "deps"
    (deps / "bs4").mkdir(parents=True)
    (deps / "bs4" / "__init__.py").write_text("class BeautifulSoup: pass\n")
    (deps / "html2text.py").write_text("class HTML2Text: pass\n")
    team = scripted(cwd / "teams" / "deep_research_team.yaml",
                    {"research_assistant": ["Bees dance to say where flowers are."],
                     "verifier": ["Complete. APPROVED"], "summary_agent": ["# Bees\nThey dance. TERMINATE"]},
                    selector=["research_assistant", "verifier", "summary_agent"])
    done = ok(cli(cwd, "run", str(team), "--task", "Bees?", "--jsonl", "--no-record", "--trust",
                  extra_env={"PYTHONPATH": str(deps)}))
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert speakers(events) == ["research_assistant", "verifier", "summary_agent"]
    assert events[-1]["type"] == "finished" and events[-1]["reason"] == "termination"


# --- teams written with AgentChat's dump_component() ------------------------------------------------

SCRIPTS: dict[str, tuple[dict[str, list[Any]], list[str] | None, str]] = {
    "round_robin": ({"poet": ["Roses are red,", "violets are blue."], "critic": ["Fine.", "Finer."]}, None, ""),
    "swarm": ({"triage": [call("transfer_to_billing")], "billing": ["You owe 5 euros.", "Paid?", "Thanks.", "Bye.", "-", "-"]},
              None, ""),
    "graph": ({"writer": ["A draft.", "A better draft."], "critic": ["REVISE: shorter.", "APPROVE"],
               "editor": ["The polished draft."]}, None, ""),
    "selector": ({"writer": ["Bees make honey.", "Done. TERMINATE"], "counter": [call("word_count", text="Bees make honey.")]},
                 ["writer", "counter", "human", "writer"], "Good, finish.\n"),
}
EXPECTED_SPEAKERS = {
    "round_robin": ["poet", "critic", "poet"],
    "swarm": ["billing"] * 4,  # the task and the hand-off count among the 6 messages
    "graph": ["writer", "critic", "writer", "critic", "editor"],
    "selector": ["writer", "human", "writer"],
}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_an_agentchat_team_imports_without_its_key_validates_and_runs(tmp_path: Path, name: str):
    done = ok(cli(tmp_path, "import", str(FIXTURES / f"agentchat_{name}.json"), f"{name}.yaml"))
    assert done.stdout.splitlines()[-1] == f"wrote {name}.yaml"
    # No keyring here: the key is not saved anywhere, the file refers to the usual variable.
    assert ("key: gpt_4o_mini: the key was not saved (no usable keyring here); the file refers to "
            "env:OPENAI_API_KEY: set OPENAI_API_KEY before running") in done.stdout
    assert FAKE_KEY not in done.stdout + done.stderr
    team = yaml.safe_load((tmp_path / f"{name}.yaml").read_text("utf-8"))
    assert team["models"]["gpt_4o_mini"]["api_key"] == "env:OPENAI_API_KEY"
    ok(cli(tmp_path, "validate", f"{name}.yaml"))
    no_key_anywhere(tmp_path)
    replies, selector, stdin = SCRIPTS[name]
    trust = ("--trust",) if name == "selector" else ()
    events = run_events(tmp_path, scripted(tmp_path / f"{name}.yaml", replies, selector), *trust, stdin=stdin)
    assert speakers(events) == EXPECTED_SPEAKERS[name]
    if name == "selector":
        assert [e["content"] for e in events if e["type"] == "tool_result"] == ["3"]


def test_the_graphs_dropped_callable_condition_is_reported_and_guessed(tmp_path: Path):
    done = ok(cli(tmp_path, "import", str(FIXTURES / "agentchat_graph.json"), "g.yaml"))
    assert "changed: edge critic -> writer" in done.stdout and "does not contain 'APPROVE'" in done.stdout
    edges = yaml.safe_load((tmp_path / "g.yaml").read_text("utf-8"))["orchestration"]["edges"]
    assert edges == [{"from": "writer", "to": "critic"},
                     {"from": "critic", "to": "editor", "when": {"contains": "APPROVE"}},
                     {"from": "critic", "to": "writer", "when": {"not_contains": "APPROVE"}}]


# --- refusals -------------------------------------------------------------------------------------


def refused(done: subprocess.CompletedProcess[str], words: str) -> None:
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("error: ") and words in lines[0], lines


def test_an_existing_output_is_kept_unless_forced(tmp_path: Path):
    (tmp_path / "swarm.yaml").write_text("mine\n")
    refused(cli(tmp_path, "import", str(FIXTURES / "agentchat_swarm.json"), "swarm.yaml"), "swarm.yaml already exists")
    assert (tmp_path / "swarm.yaml").read_text() == "mine\n"
    ok(cli(tmp_path, "import", str(FIXTURES / "agentchat_swarm.json"), "swarm.yaml", "--force"))
    assert "pattern: swarm" in (tmp_path / "swarm.yaml").read_text()


def test_bad_files_get_one_error_line(tmp_path: Path):
    (tmp_path / "OAI_CONFIG_LIST").write_text(json.dumps([{"model": "gpt-4o", "api_key": "sk-fixture-x"}]))
    done = cli(tmp_path, "import", "OAI_CONFIG_LIST")
    refused(done, "is an OAI_CONFIG_LIST")
    assert "'team-designer import OAI_CONFIG_LIST TEAM.yaml'" in done.stderr and FAKE_KEY not in done.stderr
    (tmp_path / "broken.json").write_text('{"provider": "sk-fixture-x",')
    done = cli(tmp_path, "import", "broken.json")
    refused(done, "broken.json is not valid JSON (line 1, column")
    assert FAKE_KEY not in done.stderr
    (tmp_path / "agent.json").write_text(json.dumps({"provider": "autogen_agentchat.agents.AssistantAgent",
                                                     "component_type": "agent", "config": {"name": "a"}}))
    refused(cli(tmp_path, "import", "agent.json"), "a single agent (AssistantAgent), not a team")
    refused(cli(tmp_path, "import", "missing.json"), "cannot read missing.json")
    refused(cli(tmp_path, "import", str(GALLERY), "--team", "9"), "has no team number 9")
    refused(cli(tmp_path, "import", str(GALLERY), "--team", "Nope"), "has no team named 'Nope'")
    assert not list(tmp_path.glob("*.yaml"))


# --- what the files say of themselves (in this process: cheap) -------------------------------------


def in_process(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    from designer.cli.main import main

    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_an_unnamed_agentchat_team_is_named_after_its_file_not_its_class(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, no_keyring: None):
    # dump_component() writes the class name as label and its docstring as description: neither
    # says anything about this team, so neither becomes its name or description.
    monkeypatch.chdir(tmp_path)
    code, out, err = in_process(capsys, "import", FIXTURES / "agentchat_round_robin.json")
    assert code == 0, err
    written = tmp_path / "agentchat_round_robin.yaml"
    assert out.splitlines()[-1] == f"wrote {written}"
    team = yaml.safe_load(written.read_text("utf-8"))
    assert team["name"] == "Agentchat round robin" and "description" not in team
    code, out, err = in_process(capsys, "import", FIXTURES / "agentchat_selector.json", "--list")
    assert (code, out) == (0, "1. Agentchat selector\n")


def test_listings_show_descriptions_on_one_line_cut_at_a_word(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    team = json.loads((FIXTURES / "agentchat_swarm.json").read_text("utf-8"))
    long = ("Triage and billing agents that hand a customer over to each other\n    until the question is answered,"
            " then say goodbye politely.")
    short = "Two agents\n    taking turns."
    gallery = {"components": {"teams": [{**team, "label": "Long", "description": long},
                                        {**team, "label": "Short", "description": short}]}}
    path = tmp_path / "g.json"
    path.write_text(json.dumps(gallery), "utf-8")
    code, out, err = in_process(capsys, "import", path, "--list")
    assert code == 0, err
    first, second = out.splitlines()
    assert second == "2. Short — Two agents taking turns."
    assert first.startswith("1. Long — Triage and billing agents that hand a customer over to each other until")
    cut = first.removeprefix("1. Long — ")
    assert cut.endswith("…") and len(cut) <= 100
    whole, kept = " ".join(long.split()), cut.removesuffix("…")
    assert whole.startswith(kept) and whole[len(kept)] in " ,"  # whole words only


def pep8_layout_problems(text: str) -> list[str]:
    """What PEP 8's blank lines would flag in a module: a top-level def or class not after two
    blank lines, and a docstring not followed by one blank line before the imports."""
    import ast

    lines, problems = text.split("\n"), []
    body = ast.parse(text).body
    for node in body[1:]:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if lines[start - 2:start] != ["", ""] or not lines[start - 3].strip():
                problems.append(f"line {start + 1}: not two blank lines before {node.name}")
    if len(body) > 1 and isinstance(body[1], (ast.Import, ast.ImportFrom)):
        end = body[0].end_lineno or 1
        if lines[end:end + 2] != ["", lines[end + 1]] or not lines[end + 1].strip():
            problems.append("not one blank line between the docstring and the imports")
    return problems


def test_imported_tool_modules_are_pep8_spaced(gallery: tuple[Path, str]):
    cwd, _ = gallery
    modules = sorted((cwd / "teams" / "tools").glob("*.py"))
    assert [p.name for p in modules] == ["calculator.py", "fetch_webpage.py", "google_search.py"]
    for path in modules:
        text = path.read_text("utf-8")
        compile(text, str(path), "exec")
        assert pep8_layout_problems(text) == [], path.name
    calculator = (cwd / "teams" / "tools" / "calculator.py").read_text("utf-8")  # no imports: docstring, two blanks, def
    assert '"""\n\n\ndef calculator(' in calculator


def test_an_oai_config_list_adds_its_models_to_the_team_file_given(tmp_path: Path) -> None:
    # The seed's OAI_CONFIG_LIST holds models, not a team: `import` adds them to OUT, as `models import` does.
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o-mini", "api_key": "sk-oai-list-0000000000000000"},
                                  {"model": "llama3.2", "base_url": "http://127.0.0.1:11434/v1", "api_type": "openai"}]))
    team = tmp_path / "team.yaml"
    team.write_text((ROOT / "teams" / "capital_of_france.yaml").read_text(encoding="utf-8"), encoding="utf-8")

    alone = cli(tmp_path, "import", str(config))
    assert alone.returncode == 2 and "is an OAI_CONFIG_LIST (models, not a team)" in alone.stderr
    assert "Traceback" not in alone.stderr

    done = cli(tmp_path, "import", str(config), str(team))
    assert done.returncode == 0, done.stderr
    assert "Imported 2 models" in done.stdout and "OPENAI_API_KEY" in done.stdout  # no keyring: the variable to set
    text = team.read_text(encoding="utf-8")
    assert "sk-oai-list" not in text and "sk-oai-list" not in done.stdout + done.stderr
    assert cli(tmp_path, "validate", str(team)).returncode == 0
    from designer.core.validate import validate_file

    spec = validate_file(team).spec
    assert spec is not None and {"gpt_4o_mini", "llama3_2"} <= set(spec.models)


def test_the_imported_file_is_never_overwritten_and_the_team_file_is_yaml(tmp_path: Path) -> None:
    source = tmp_path / "team.json"
    source.write_bytes((FIXTURES / "agentchat_swarm.json").read_bytes())
    before = source.read_bytes()
    same = cli(tmp_path, "import", str(source), str(source), "--force")  # --force or not: the key in it would be gone
    assert same.returncode == 2 and "is the file being imported" in same.stderr
    as_json = cli(tmp_path, "import", str(source), str(tmp_path / "out.json"))
    assert as_json.returncode == 2 and "a team file is YAML; name it .yaml (for example out.yaml)" in as_json.stderr
    assert source.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["team.json"]
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    nested = cli(tmp_path, "import", str(deep), str(tmp_path / "deep.yaml"))
    assert nested.returncode == 2 and "nested too deeply" in nested.stderr and "Traceback" not in nested.stderr
