"""Every example team runs offline on the real embedded model, through the CLI, and ends cleanly;
then its recording, replayed strictly, gives the same transcript with no model call at all.

Bounded by work, not by time: a few short replies each (``--reply-tokens``, ``--max-messages``),
so every run takes seconds on an idle machine and stays far inside the safety timeout when
the machine is several times slower. The full-length runs are what a user does by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from designer.core.run_data import ReplayPlan
from designer.core.run_store import RunStore
from designer.core.validate import validate_file
from tests.conftest import ROOT, collect_events, example_files

pytestmark = pytest.mark.embedded

#: The work each example may do: enough for every agent kind and pattern to take part.
REPLY_TOKENS, MAX_MESSAGES = 16, 4
WORK = ["--reply-tokens", str(REPLY_TOKENS), "--max-messages", str(MAX_MESSAGES)]
#: What a person would type when a human-input agent asks (then end of input).
ANSWERS = "Thanks, that answers it. TERMINATE\nApproved: refund the duplicate charge.\n"


def needs_trust(path) -> bool:
    """An example that runs code (a code_executor agent) must be trusted first, as a user would."""
    from designer.core.tool_introspect import ToolLocations
    from designer.core.trust import code_manifest

    spec = validate_file(path).spec
    return bool(code_manifest(spec, ToolLocations.for_file(path), path))


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.stem)
def test_example_runs_on_the_embedded_model(path, tmp_path):
    # --trust remembers the answer in the trust store: a temporary one, never the user's.
    trust = ["--trust"] if needs_trust(path) else []
    done = subprocess.run(
        [sys.executable, "-m", "designer", "run", str(path), "--jsonl", *WORK, *trust],
        input=ANSWERS, capture_output=True, text=True, cwd=ROOT, timeout=600,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path)},
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
    assert all(t["completion"] <= REPLY_TOKENS * 4 for t in finished["tokens_by_agent"].values())

    # The run was recorded; a strict replay answers every call from it and says the same. (In this
    # process: the CLI's replay has tests of its own, and a process would cost a second per example.)
    with RunStore() as history:
        calls = history.calls(events[0]["run_id"])
    again = [e.to_dict() for e in collect_events(
        validate_file(path).spec, events[0]["task"], team_file=path, replay=ReplayPlan(calls, mode="strict"),
        reply_tokens=REPLY_TOKENS, max_messages=MAX_MESSAGES,
    )]
    assert transcript(again) == transcript(events)
    assert again[-1]["live_calls"] == 0 and again[-1]["replayed_calls"] > 0 and again[-1]["tokens_by_agent"] == {}


#: What a replay may change: times, stream chunking, replay marks and the figures of what was paid.
_NOT_TRANSCRIPT = {"t", "seq", "origin", "run_id", "request_id", "duration", "saved_tokens", "saved_by_agent",
                   "replayed_calls", "live_calls", "cost", "currency", "saved_cost", "cost_by_agent",
                   "tokens_by_agent", "prompt_tokens", "completion_tokens", "record_problem"}


def transcript(events: list[dict]) -> list[dict]:
    return [{k: v for k, v in e.items() if k not in _NOT_TRANSCRIPT} for e in events if e["type"] not in ("chunk", "usage")]
