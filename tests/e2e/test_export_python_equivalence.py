"""For every example team, the exported Python script runs like the product: each example, its
models swapped for scripted ones (tests/interop_scripts.py), is run with ``team-designer run
--jsonl``, exported with ``team-designer export --to python`` and the script run with ``--jsonl``;
both runs must give the same sequence of speakers and tool calls (interop_scripts.Step says what
counts as either).

Bounded by work: each script is a few replies, and a run that wants one more reply than its script
holds fails at once ("no reply left") instead of waiting. The timeouts are a safety net only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import example_files
from tests.interop_scripts import (
    Step,
    diff_steps,
    product_steps,
    read_jsonl,
    script_for,
    script_steps,
    scripted_copy,
)

#: Seconds: far beyond a scripted run (about a second, most of it imports) on a busy machine.
SAFETY_TIMEOUT = 300

#: What each scripted run does in the product, step by step: the proof that each script makes its
#: pattern do its thing (the conditional edge taken, the hand-backs, the refused selector pick...).
EXPECTED: dict[str, list[str]] = {
    "campaign_group_chat": ["strategist speaks", "designer speaks", "copywriter speaks", "strategist speaks"],
    "capital_of_france": ["assistant speaks", "human speaks"],
    "code_review_run": ["programmer speaks", "runner speaks", "programmer speaks"],
    "customer_support": ["intake speaks", "triage_info speaks", "supervisor speaks", "resolver speaks"],
    "graph_activation_groups": ["planner speaks", "researcher speaks", "stylist speaks", "legal speaks", "seo speaks",
                                "fact_checker speaks", "editor speaks", "editor speaks"],
    "handoff_to_user_swarm": ["desk speaks", "desk calls transfer_to_user({})", "desk speaks", "user speaks",
                              "desk calls transfer_to_shipping({})", "desk speaks", "shipping speaks"],
    "hierarchical_research": [
        'coordinator calls researcher({"task": "Should a small bakery sell its bread online?"})', "researcher speaks",
        'coordinator calls analyst({"task": "Facts: online sales grow; delivery costs; locals buy in person."})',
        "analyst speaks", "coordinator speaks"],
    "magentic_one": ["orchestrator speaks", "orchestrator speaks", "poet speaks", "orchestrator speaks"],
    "nested_team": ["researcher speaks", "checker speaks", "research_team speaks", "writer speaks"],
    "rectangle_area": ['geometry_assistant calls calculate_rectangle_area({"length": 10.5, "width": 4})',
                       "geometry_assistant speaks"],
    "research_report": ["researcher speaks", "summarizer speaks"],
    "review_until_approved": ["writer speaks", "critic speaks"],
    "selector_transitions": ["researcher speaks", "writer speaks", "critic speaks", "writer speaks", "critic speaks"],
    "shared_memory": ['planner calls remember_trip({"text": "The traveller loves tiles and museums."})',
                      "planner speaks", "advisor speaks"],
    "structured_output": ["geographer speaks"],
    "support_swarm": ["triage calls transfer_to_technical({})", "triage speaks", "technical calls transfer_to_triage({})",
                      "technical speaks", "triage calls transfer_to_billing({})", "triage speaks", "billing speaks"],
}


def run(argv: list[str], *, stdin: str, tmp_path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    # XDG_DATA_HOME: --trust remembers its answer in a trust store of this test's own, never the user's.
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=cwd, timeout=SAFETY_TIMEOUT,
                          env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")})


def failed(what: str, done: subprocess.CompletedProcess[str]) -> str:
    return f"{what} exited {done.returncode}:\n{done.stderr[-3000:]}\n--- stdout (end) ---\n{done.stdout[-2000:]}"


def product_run(copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> list[Step]:
    # `team-designer run` in this process (its stdin the script's answers, its trust store this
    # test's own): the same command line as a process, without a second of start-up per example.
    from designer.cli.main import main

    script = script_for(copy)
    flags = ["--trust", "--approve-code"] if script.runs_code else []
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(sys, "stdin", io.StringIO(script.stdin()))
    capsys.readouterr()
    code = main(["run", str(copy), "--jsonl", "--no-record", *flags])
    captured = capsys.readouterr()
    assert code == 0, f"team-designer run exited {code}:\n{captured.err[-3000:]}"
    events = read_jsonl(captured.out)
    assert [e for e in events if e["type"] == "error"] == [], "the product's scripted run failed"
    assert events[-1]["type"] == "finished", events[-1]
    return product_steps(events)


def exported_run(copy: Path, tmp_path: Path) -> tuple[list[Step], subprocess.CompletedProcess[str]]:
    script = script_for(copy)
    out = tmp_path / "export" / f"{copy.stem}_team.py"  # another folder than the team's: paths must hold
    out.parent.mkdir()
    # The export's command line in this process (its own process adds nothing here but a second of
    # start-up; tests/e2e/test_cli_export.py runs it as a process): the script is what runs apart.
    from designer.cli.main import main

    assert main(["export", str(copy), "--to", "python", str(out)]) == 0 and out.is_file()
    flags = ["--approve-code"] if script.runs_code else []
    ran = run([sys.executable, str(out), "--jsonl", *flags], stdin=script.stdin(), tmp_path=tmp_path, cwd=tmp_path)
    steps = script_steps(read_jsonl(ran.stdout)) if ran.returncode == 0 else []
    return steps, ran


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.stem)
def test_the_exported_script_runs_like_team_designer_run(example: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    copy = scripted_copy(example, tmp_path / "team")
    a = product_run(copy, tmp_path, capsys, monkeypatch)
    # First, the script still makes the product do what it was written for (else update SCRIPTS
    # and EXPECTED): a script that no longer exercises its pattern would make the comparison hollow.
    assert [str(s) for s in a] == EXPECTED[example.stem], "the scripted run no longer does what its script is for:\n" + \
        "\n".join(map(str, a))
    b, ran = exported_run(copy, tmp_path)
    assert ran.returncode == 0, failed("the exported script", ran) + "\n--- the product's steps ---\n" + "\n".join(map(str, a))
    assert "Traceback" not in ran.stderr, ran.stderr[-3000:]
    assert a == b, "the exported script's run differs from team-designer run's:\n" + diff_steps(a, b)


def test_every_example_has_a_script_and_an_expected_run() -> None:
    stems = {p.stem for p in example_files()}
    for path in example_files():
        script_for(path)  # fails naming the example
    assert set(EXPECTED) == stems, f"EXPECTED is out of step with teams/: {sorted(set(EXPECTED) ^ stems)}"
