"""Two real (scripted) runs compared: their turns, the turn-by-turn alignment, the totals."""

from __future__ import annotations

import dataclasses
from typing import Any

from designer.core.run_compare import align, compare, totals, turns
from designer.core.run_data import StoredRun
from tests.unit.run_samples import TOOL_TEAM, edit_yaml, example_yaml, scripted, stored_run



def campaign(participants: list[str], responses: list[str]) -> str:
    """The campaign example with its model scripted and the speaking order set."""

    def edit(d: dict[str, Any]) -> None:
        d["orchestration"]["participants"] = participants
        d["termination"] = {"max_messages": len(participants) + 1}

    return scripted(edit_yaml(example_yaml("campaign_group_chat.yaml"), edit), responses)


def test_turns_of_a_tool_run_attach_calls_and_results_to_the_speakers_message():
    run = stored_run(TOOL_TEAM)
    got = turns(run.events)
    assert [(t.speaker, t.kind, t.text) for t in got] == [("Task", "task", "area please"), ("a", "text", "It is 6."),
                                                         ("b", "text", "Checked.")]
    [call] = got[1].tools
    assert (call.name, call.arguments, call.result, call.is_error) == ("area", '{"length": 2, "width": 3}', "6.0", False)
    assert got[2].tools == [] and got[0].tools == []
    assert all(t.origin == "live" for t in got)  # no origin key: live


def test_a_run_with_an_extra_turn_aligns_the_rest_by_speaker():
    a = stored_run(campaign(["strategist", "copywriter"], ["Goal: refill.", "Slogan: Loop it."]))
    b = stored_run(campaign(["strategist", "designer", "copywriter"], ["Goal: refill.", "A blue poster.", "Slogan: Loop it!"]))
    pairs = align(turns(a.events), turns(b.events))
    assert [(p.left and p.left.speaker, p.right and p.right.speaker, p.mark) for p in pairs] == [
        ("Task", "Task", "="), ("strategist", "strategist", "="), (None, "designer", ">"), ("copywriter", "copywriter", "~")]
    assert pairs[3].words == [("=", "Slogan: Loop "), ("-", "it."), ("+", "it!")]
    assert pairs[1].words is None and pairs[1].same
    reverse = align(turns(b.events), turns(a.events))
    assert [p.mark for p in reverse] == ["=", "=", "<", "~"]


def test_tool_calls_are_matched_by_name_and_order_with_what_changed():
    a = stored_run(TOOL_TEAM)
    b = stored_run(TOOL_TEAM.replace("length: 2, width: 3", "length: 2, width: 4").replace("It is 6.", "It is 8."))
    pairs = align(turns(a.events), turns(b.events))
    assert [p.mark for p in pairs] == ["=", "~", "="]
    [tool] = pairs[1].tools
    assert tool.left is not None and tool.right is not None
    assert (tool.name, tool.args_changed, tool.result_changed) == ("area", True, True)
    assert (tool.left.result, tool.right.result) == ("6.0", "8.0")
    assert pairs[1].words == [("=", "It is "), ("-", "6."), ("+", "8.")]
    # Same arguments, same result: matched and unchanged, and the turn is the same.
    same = align(turns(a.events), turns(stored_run(TOOL_TEAM).events))
    assert all(p.same for p in same) and not same[1].tools[0].args_changed


def test_replayed_turns_keep_their_mark():
    run = stored_run(TOOL_TEAM, origin_of={1: "replayed"})
    assert [t.origin for t in turns(run.events)] == ["live", "replayed", "live"]


def test_an_error_is_a_turn_and_a_cut_reply_is_kept():
    failing = stored_run(TOOL_TEAM.replace("    - Checked.\n", ""))  # b has no reply left
    got = turns(failing.events)
    assert got[-1].kind == "error" and got[-1].speaker == "b"
    assert "no reply left" in got[-1].text

    from designer.core.validate import validate_text
    from tests.conftest import collect_events

    # b's reply streams in many chunks; the stop comes at its first one.
    reply = " ".join(f"word{i}" for i in range(200))
    spec = validate_text(TOOL_TEAM.replace("Checked.", reply)).spec
    stopped = [e.to_dict() for e in collect_events(
        spec, "area please", control=lambda run, event: event.type == "chunk" and event.agent == "b" and run.stop())]
    assert stopped[-1]["reason"] == "stopped"
    assert not any(e["type"] == "message" and e["agent"] == "b" for e in stopped)
    last = turns(stopped)[-1]
    # No message, but what was streamed is still b's turn, marked cut short.
    assert (last.speaker, last.kind) == ("b", "cut")
    assert last.text.startswith("word0") and reply.startswith(last.text)


def test_why_a_speaker_was_chosen_goes_with_its_turn():
    run = stored_run(TOOL_TEAM)
    events = list(run.events)
    at = next(i for i, e in enumerate(events) if e["type"] == "message" and e["agent"] == "b")
    events.insert(at, {"type": "speaker_selected", "agent": "b", "parent": None, "seq": 0, "t": 0.0, "by": "selector",
                       "prompt": "Who speaks next?", "answer": "b", "fallback": ""})
    got = turns(events)
    assert got[1].choice is None
    assert got[2].choice is not None and (got[2].choice.prompt, got[2].choice.answer) == ("Who speaks next?", "b")


def priced(run: StoredRun, **changes: Any) -> StoredRun:
    return dataclasses.replace(run, **changes)


def test_totals_with_deltas_and_unknown_cost_stays_unknown():
    a = stored_run(TOOL_TEAM)
    b = stored_run(TOOL_TEAM.replace("termination: {max_messages: 3}", "termination: {max_messages: 2}"))
    a, b = priced(a, cost=0.0030, currency="USD", duration=1.5), priced(b, cost=None, currency="USD", duration=1.1)
    rows = {r.label: r for r in totals(a, b)}
    assert list(rows) == ["Messages", "Tokens", "Cost", "Duration", "Finish"]
    assert (rows["Messages"].left, rows["Messages"].right, rows["Messages"].delta) == ("2", "1", "\u22121")
    assert rows["Tokens"].delta == f"\u2212{a.tokens - b.tokens}" and rows["Tokens"].tone == "better"
    assert (rows["Cost"].left, rows["Cost"].right, rows["Cost"].delta) == ("$0.0030", "unknown", "unknown")
    assert (rows["Duration"].delta, rows["Duration"].tone) == ("\u22120.4 s", "better")
    both = {r.label: r for r in totals(a, priced(b, cost=0.0042))}
    assert (both["Cost"].delta, both["Cost"].tone) == ("+$0.0012", "worse")
    # Costs in two currencies cannot be subtracted.
    assert {r.label: r for r in totals(a, priced(b, cost=0.0042, currency="EUR"))}["Cost"].delta == "unknown"


def test_replay_savings_get_their_rows():
    a = stored_run(TOOL_TEAM)
    b = priced(a, saved_tokens=40, saved_cost=0.0008, cost=0.0, currency="USD", origin="replay", parent=a.id)
    rows = {r.label: r for r in totals(priced(a, cost=0.001, currency="USD"), b)}
    assert rows["Saved by replay"].right == "40 tokens" and rows["Saved by replay"].tone == "better"
    assert (rows["Cost saved"].left, rows["Cost saved"].right, rows["Cost saved"].delta) == ("$0", "$0.0008", "+$0.0008")
    # Without prices, what a run that replayed nothing saved is unknown too: never a made-up 0.
    unpriced = {r.label: r for r in totals(priced(a, cost=None), b)}
    assert (unpriced["Cost saved"].left, unpriced["Cost saved"].delta) == ("unknown", "unknown")


def test_compare_holds_the_team_change_pairs_and_totals():
    old = scripted(example_yaml("research_report.yaml"), ["- fact", "Summary: short."])

    def edit(d: dict[str, Any]) -> None:
        d["agents"]["summarizer"]["system_message"] = d["agents"]["summarizer"]["system_message"].replace(
            "in 2 or 3 sentences", "in one sentence")

    new = edit_yaml(old, edit)
    a, b = stored_run(old, "Topic: tea"), stored_run(new, "Topic: tea")
    c = compare(a, b)
    assert [ch.path for ch in c.changes] == ["agents.summarizer.system_message"]
    assert c.summary == "summarizer.system_message edited"
    assert [p.mark for p in c.pairs] == ["=", "=", "="]  # a scripted model says the same whatever the prompt
    assert [r.label for r in c.totals][0] == "Messages"
    assert [r.label for r in c.agents] == ["researcher", "summarizer"]
    assert c.count("=") == 3 and c.count("~") == 0
