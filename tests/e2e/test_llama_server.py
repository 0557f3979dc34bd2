"""The real HTTP path: llama-cpp-python's OpenAI-compatible server on 127.0.0.1 serving the
embedded SmolLM2 GGUF, driven through the ``openai_compatible`` provider — streaming, a tool
call, the connection test and ``models test``, all offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from designer.core.teamfile import save_team
from designer.core.yamlio import load_team
from designer.runtime.probe import run_probe
from tests.conftest import ROOT, TEAMS, collect_events, shape
from tests.model_fixtures import llama_model_entry

pytestmark = pytest.mark.embedded


def served_rectangle_team(llama_server):
    """teams/rectangle_area.yaml with its model swapped for the served SmolLM2."""
    spec = load_team(TEAMS / "rectangle_area.yaml").spec
    options = spec.models["smollm2"].options
    return spec.model_copy(update={"models": {"smollm2": llama_model_entry(llama_server, options=options)}})


def test_an_example_team_streams_and_calls_a_tool_over_http(llama_server):
    spec = served_rectangle_team(llama_server)
    events = collect_events(spec, "What is the area of a rectangle with length 10.5 and width 4?")
    summary = shape(events)
    assert summary[-1] == ("finished", "team", None, "completed"), summary
    calls = [e for e in events if e.type == "tool_call"]
    assert [c.name for c in calls] == ["calculate_rectangle_area"]
    results = [e for e in events if e.type == "tool_result"]
    assert results and not results[0].is_error and float(results[0].content) > 0
    chunks = [e for e in events if e.type == "chunk" and e.agent == "geometry_assistant"]
    assert len(chunks) > 3, "the reply after the tool arrived as a stream of chunks"
    reply = [e for e in events if e.type == "message" and e.agent == "geometry_assistant"][-1]
    assert reply.content and "".join(c.text for c in chunks).strip() == reply.content.strip()
    log = llama_server.log.read_text(errors="replace")
    assert log.count('"POST /v1/chat/completions HTTP/1.1" 200') >= 2, "every model call went over HTTP"


def test_the_connection_test_reports_on_the_served_model(llama_server):
    report = run_probe(llama_model_entry(llama_server), "served_smollm2", timeout=120)
    print("\n" + report.text())  # the report a user sees (pytest -s shows it)
    assert report.ok, report.text()
    assert report.answered and report.chunks > 0 and report.latency_s is not None
    assert report.called_tool and report.valid_arguments
    assert report.text().startswith(f"Connection test of model 'served_smollm2' — openai_compatible, model smollm2 at "
                                    f"{llama_server.base_url}")


def test_models_test_on_the_command_line_passes_against_the_server(llama_server, tmp_path: Path):
    spec = served_rectangle_team(llama_server)
    save_team(spec, tmp_path / "team.yaml")
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "designer", "models", "test", str(tmp_path / "team.yaml")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Tool call: yes, add(" in done.stdout and done.stdout.rstrip().endswith("1 of 1 model passed")


def test_a_server_that_cannot_start_fails_fast_with_its_output(tmp_path: Path):
    """No hang: the start-up wait ends when the process dies, and says why."""
    from tests.model_fixtures import ServerStartError, closed_port, start_llama_server

    log = tmp_path / "server.log"
    with pytest.raises(ServerStartError) as info:
        start_llama_server(tmp_path / "missing.gguf", closed_port(), log, timeout=60)
    message = str(info.value)
    assert message.startswith("the llama-cpp server exited with code") and "missing.gguf" in message
