"""Every example team runs offline on the real embedded model, through the CLI, and ends cleanly."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, example_files

pytestmark = pytest.mark.embedded

#: What a person would type when a human-input agent asks (then end of input).
ANSWERS = "Thanks, that answers it. TERMINATE\nApproved: refund the duplicate charge.\n"


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_example_runs_on_the_embedded_model(path):
    done = subprocess.run(
        [sys.executable, "-m", "designer", "run", str(path), "--jsonl"],
        input=ANSWERS, capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr[-2000:]
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[0]["type"] == "started" and events[-1]["type"] == "finished"
    assert [e for e in events if e["type"] == "error"] == []
    spoken = [e for e in events if e["type"] == "message" and e["agent"] not in ("user",) and e["content"].strip()]
    assert spoken, "no agent said anything"
    finished = events[-1]
    assert finished["reason"] in ("completed", "termination") or finished["detail"] == "no human input: standard input is closed"
    assert finished["completion_tokens"] > 0
