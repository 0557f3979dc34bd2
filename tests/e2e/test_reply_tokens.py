"""``run --reply-tokens N``: every model reply capped, for quick and cheap tries of a team."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, TEAMS


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "designer", "run", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, input="", env=env)


@pytest.mark.embedded
def test_every_reply_of_the_embedded_model_stays_within_the_cap():
    done = _run(str(TEAMS / "campaign_group_chat.yaml"), "--jsonl", "--reply-tokens", "3", "--max-messages", "3")
    assert done.returncode == 0, done.stderr
    usage = [json.loads(line) for line in done.stdout.splitlines() if '"type": "usage"' in line]
    assert len(usage) == 2 and all(0 < u["completion_tokens"] <= 3 for u in usage), usage


def test_a_capped_run_is_the_team_the_user_trusted(tmp_path: Path):
    """The cap changes nothing that runs, so trusting the file's content covers the capped run."""
    team = tmp_path / "py.yaml"
    team.write_text("""\
schema: team-designer/v1
name: Py
task: go
default_model: s
models:
  s: {provider: scripted, responses: [{tool_calls: [{name: py, arguments: {code: "print(6 * 7)"}}]}, done]}
tools:
  py: {builtin: run_python}
agents:
  a: {tools: [py], streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 3}
""", encoding="utf-8")
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = _run(str(team), "--trust", "--reply-tokens", "5", env=env)
    assert done.returncode == 0, done.stderr
    assert "42" in done.stdout
    assert _run(str(team), "--reply-tokens", "5", env=env).returncode == 0  # remembered


@pytest.mark.parametrize("value", ["0", "-3"])
def test_a_cap_below_one_is_refused_in_one_line(tmp_path: Path, value: str):
    done = _run(str(TEAMS / "capital_of_france.yaml"), "--reply-tokens", value)
    assert done.returncode == 2 and done.stderr.strip() == "error: --reply-tokens must be at least 1"
