"""``team-designer eval`` by subprocess on a model that answers by its prompt (a real HTTP server on
127.0.0.1, OpenAI-style): a variant that changes a system message changes the answer and its cell;
a variant whose tool kills its worker process fails its cell only, and the evaluation goes on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import ROOT
from tests.model_fixtures import chat_chunks, fake_model_server, server_team  # noqa: F401 - fixture
from tests.unit.test_eval_engine import CRASH_TOOLS, TOOL_TEAM


def test_a_prompt_variant_changes_its_cell_and_a_crashing_worker_fails_only_its_own(
        tmp_path: Path, fake_model_server: Any) -> None:  # noqa: F811 - fixture
    def answer(request: dict[str, Any]) -> Any:  # a model that follows its system message
        return chat_chunks("Bonjour tout le monde" if "in French" in request["body"] else "Hello world")

    fake_model_server.routes["POST /v1/chat/completions"] = (200, answer)
    (tmp_path / "team.yaml").write_text(server_team(fake_model_server.base()))
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "crashtools.py").write_text(CRASH_TOOLS)
    (tmp_path / "crash.yaml").write_text(TOOL_TEAM.replace("%TOOL%", "crash").replace("%ARGS%", "{code: 9}"))
    (tmp_path / "ev.eval.yaml").write_text(
        "schema: team-designer-eval/v1\nteam: team.yaml\n"
        "variants:\n  french: {system_messages: {a: 'Always answer in French.'}}\n  crash: {team: crash.yaml}\n"
        "tasks:\n  - {name: greet, task: 'Greet the world', inputs: {}, checks: [{type: icontains, value: hello}]}\n"
        "  - {name: again, task: 'Greet the world again', checks: [{type: max-messages, value: 5}]}\n")
    env = {"TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"), "XDG_DATA_HOME": str(tmp_path / "xdg"),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "designer", "eval", str(tmp_path / "ev.eval.yaml"), "--trust", "--workers",
                           "1", "--json", str(tmp_path / "out.json")], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=120)
    assert done.returncode == 1, done.stderr
    results = {(r["variant"], r["task_id"]): r for r in json.loads((tmp_path / "out.json").read_text())["results"]}
    assert results[("base", "greet")]["status"] == "passed" and results[("base", "greet")]["answer"] == "Hello world"
    french = results[("french", "greet")]
    assert french["status"] == "failed" and french["answer"] == "Bonjour tout le monde"
    assert results[("french", "again")]["status"] == "passed"
    for task in ("greet", "again"):  # the crash variant's team calls the crashing tool for every task
        crashed = results[("crash", task)]
        assert crashed["status"] == "error" and "ended unexpectedly (exit code 9)" in crashed["error"]
    assert "ERR" in done.stdout and "6/6 runs (1 failed, 2 errors)" in done.stdout, done.stdout
