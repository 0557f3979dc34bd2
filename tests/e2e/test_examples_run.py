"""Every example team runs offline on the real embedded model, through the CLI, and ends cleanly.

Bounded by work, not by time: a few short replies each (``--reply-tokens``, ``--max-messages``),
so every run takes seconds on an idle machine and stays far inside the safety timeout when
the machine is several times slower. The full-length runs are what a user does by hand."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, example_files

pytestmark = pytest.mark.embedded

#: The work each example may do: enough for every agent kind and pattern to take part.
WORK = ["--reply-tokens", "24", "--max-messages", "4"]
#: What a person would type when a human-input agent asks (then end of input).
ANSWERS = "Thanks, that answers it. TERMINATE\nApproved: refund the duplicate charge.\n"


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_example_runs_on_the_embedded_model(path):
    done = subprocess.run(
        [sys.executable, "-m", "designer", "run", str(path), "--jsonl", *WORK],
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
    # The bound held: no reply longer than asked (a few tokens over for the closing marker at most).
    assert all(t["completion"] <= 24 * 4 for t in finished["tokens_by_agent"].values())
