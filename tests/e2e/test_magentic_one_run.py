"""Magentic-One runs: scripted models play the orchestrator in AgentChat's call order (facts,
plan, then one progress ledger per round; after too many stalls an updated fact sheet and plan;
at the end the final answer), and the run's events show its plan, each speaker choice with the
ledger's reasons, the instruction, and the final answer. Plus the orchestrator's model client
on the embedded model: the ledger request becomes a grammar of the participants' names."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from autogen_core.models import CreateResult, RequestUsage, UserMessage
from autogen_ext.models.replay import ReplayChatCompletionClient
from pydantic import BaseModel

from designer.cli.main import main
from designer.runtime.magentic_ledger import LEDGER_MAX_TOKENS, LedgerClient
from tests.conftest import collect_events, shape


def ledger(*, done: bool = False, progress: bool = True, loop: bool = False, speaker: str = "writer",
           why: str = "the writer drafts", ask: str = "Write the haiku.") -> str:
    """A progress ledger as the orchestrator's model writes it (AgentChat's keys)."""
    return json.dumps({
        "is_request_satisfied": {"reason": "the haiku is written" if done else "nothing yet", "answer": done},
        "is_in_loop": {"reason": "looping" if loop else "no repeats", "answer": loop},
        "is_progress_being_made": {"reason": "moving" if progress else "stuck", "answer": progress},
        "next_speaker": {"reason": why, "answer": speaker},
        "instruction_or_question": {"reason": "next step", "answer": ask},
    })


def team(boss: list[str], writer: list[str], critic: list[str], orchestration: str = "", term: str = "") -> str:
    return f"""\
schema: team-designer/v1
name: Haiku desk
task: Write a haiku about a frog.
models:
  boss: {{provider: scripted, responses: {json.dumps(boss)}}}
  w: {{provider: scripted, responses: {json.dumps(writer)}}}
  c: {{provider: scripted, responses: {json.dumps(critic)}}}
agents:
  writer: {{model: w, description: Writes haiku.}}
  critic: {{model: c, description: Checks haiku.}}
orchestration: {{pattern: magentic_one, participants: [writer, critic], orchestrator_model: boss{orchestration}}}
{term}"""


def test_a_run_shows_the_plan_each_choice_with_its_reasons_and_ends_with_the_final_answer(make_spec):
    spec = make_spec(team(
        ["FACTS: a frog, a pond.", "PLAN: writer drafts, critic checks.",
         ledger(), ledger(speaker="critic", why="a check is due", ask="Check the haiku."),
         ledger(done=True, speaker="critic"), "Old pond, a frog jumps in: splash."],
        ["Old pond / a frog jumps in / splash"], ["Good haiku."]))
    events = collect_events(spec, "Write a haiku about a frog.")
    summary = [s for s in shape(events) if s[0] in ("message", "speaker_selected", "finished")]
    assert [(t, a, d if t != "message" else d[0]) for t, a, _, d in summary] == [
        ("message", "user", "task"),
        ("message", "orchestrator", "plan"),
        ("speaker_selected", "writer", "orchestrator"), ("message", "orchestrator", "instruction"),
        ("message", "writer", "text"),
        ("speaker_selected", "critic", "orchestrator"), ("message", "orchestrator", "instruction"),
        ("message", "critic", "text"),
        ("message", "orchestrator", "text"),
        ("finished", "team", "completed"),
    ]
    messages = [e for e in events if e.type == "message"]
    plan = messages[1].content
    assert "FACTS: a frog, a pond." in plan and "PLAN: writer drafts, critic checks." in plan
    assert [e.content for e in messages if e.kind == "instruction"] == ["Write the haiku.", "Check the haiku."]
    picks = [e for e in events if e.type == "speaker_selected"]
    assert picks[0].answer.splitlines() == [
        "Next speaker: writer (the writer drafts)", "Request satisfied: no (nothing yet)",
        "Making progress: yes (moving)", "In a loop: no (no repeats)"]
    assert messages[-1].content == "Old pond, a frog jumps in: splash."
    finished = events[-1]
    assert finished.detail == "the orchestrator gave the final answer (request satisfied: the haiku is written)"
    assert finished.messages == 6  # plan, 2 instructions, 2 replies, the final answer


def test_stalling_makes_a_new_plan_and_the_round_cap_ends_with_the_final_answer(make_spec):
    """max_stalls 1: a round without progress re-plans (updated facts, then plan); the turn cap
    of 2 rounds lets the second run, then the orchestrator answers."""
    spec = make_spec(team(
        ["facts", "plan", ledger(progress=False), "facts, again", "a new plan", ledger(), "The answer."],
        ["A haiku."], [], orchestration=", max_stalls: 1", term="termination: {max_messages: 20, max_turns: 2}\n"))
    events = collect_events(spec, "Write a haiku about a frog.")
    plans = [e.content for e in events if e.type == "message" and e.kind == "plan"]
    assert len(plans) == 2 and "a new plan" in plans[1] and "facts, again" in plans[1]
    assert [e.agent for e in events if e.type == "speaker_selected"] == ["writer"]
    assert [e.content for e in events if e.type == "message" and e.agent == "orchestrator" and e.kind == "text"] == [
        "The answer."]
    assert (events[-1].reason, events[-1].detail) == ("termination", "the orchestrator gave the final answer after its cap of 2 rounds")


def test_max_turns_is_the_number_of_rounds(make_spec):
    """max_turns: 1 is one round (one ledger, one participant's turn), then the final answer, as a
    turn cap means for every other pattern (AgentChat's own count would allow a second round)."""
    spec = make_spec(team(["facts", "plan", ledger(), "The answer."], ["A haiku."], [],
                          term="termination: {max_messages: 20, max_turns: 1}\n"))
    events = collect_events(spec, "Write a haiku about a frog.")
    assert [e.agent for e in events if e.type == "speaker_selected"] == ["writer"]
    assert (events[-1].reason, events[-1].detail) == ("termination", "the orchestrator gave the final answer after its cap of 1 round")


def test_a_model_that_writes_no_ledger_fails_the_run_in_words(make_spec, tmp_path, capsys):
    """On the command line too: one line that says what to change, no traceback."""
    path = tmp_path / "team.yaml"
    path.write_text(team(["facts", "plan", ledger(), *["not a ledger"] * 10], ["A haiku."], []))
    assert main(["run", str(path), "--jsonl"]) == 1
    out = capsys.readouterr()
    events = [json.loads(line) for line in out.out.splitlines()]
    errors = [e for e in events if e["type"] == "error"]
    assert len(errors) == 1 and "wrote no progress ledger it could read in 10 tries" in errors[0]["message"]
    assert events[-1]["reason"] == "error" and "Traceback" not in out.err
    assert [e["agent"] for e in events if e["type"] == "message" and e["kind"] == "text"] == ["writer"]


class _Recorder(ReplayChatCompletionClient):
    """Answers like the embedded model and notes what each request asked for."""

    def __init__(self) -> None:
        super().__init__([CreateResult(finish_reason="stop", content=ledger(), usage=RequestUsage(prompt_tokens=1,
                                                                                              completion_tokens=1),
                                       cached=False)] * 3)
        self.asked: list[tuple[Any, dict[str, Any]]] = []

    async def create(self, messages: Any, *, json_output: Any = None, extra_create_args: Any = None,
                     **kwargs: Any) -> CreateResult:
        extra_create_args = extra_create_args or {}
        self.asked.append((json_output, dict(extra_create_args)))
        return await super().create(messages, json_output=json_output, extra_create_args=extra_create_args, **kwargs)


LEDGER_PROMPT = UserMessage(content="\nRecall we are working on the following request:\n\nWrite.", source="orchestrator")


def test_on_the_embedded_model_the_ledger_request_is_a_grammar_of_the_participants():
    inner = _Recorder()
    client = LedgerClient(inner, ["writer", "critic"], constrain=True)
    asyncio.run(client.create([UserMessage(content="Plan it.", source="orchestrator")]))
    asyncio.run(client.create([LEDGER_PROMPT], json_output=True))
    asyncio.run(client.create([UserMessage(content="A haiku.", source="writer"), LEDGER_PROMPT], json_output=True))
    (plain, plain_extra), (first, extra), (later, later_extra) = inner.asked
    assert (plain, plain_extra) == (None, {}), "the facts and plan are asked for as AgentChat asks"
    assert extra == later_extra == {"max_tokens": LEDGER_MAX_TOKENS}, "exempt from --reply-tokens: cut short, no JSON"
    assert client.last_ledger == ledger()
    import llama_cpp

    for asked in (first, later):
        assert isinstance(asked, type) and issubclass(asked, BaseModel)
        schema = asked.model_json_schema()
        assert set(schema["required"]) == {"is_request_satisfied", "is_in_loop", "is_progress_being_made",
                                           "next_speaker", "instruction_or_question"}
        assert answer(schema, "next_speaker")["enum"] == ["writer", "critic"]
        # The grammar llama.cpp builds from it (no model needed to build one).
        assert llama_cpp.LlamaGrammar.from_json_schema(json.dumps(schema), verbose=False) is not None
    # Before any participant has spoken: a team "just starting", as AgentChat's prompt defines it.
    first_schema, later_schema = first.model_json_schema(), later.model_json_schema()
    assert [answer(first_schema, k).get("const") for k in ("is_request_satisfied", "is_in_loop", "is_progress_being_made")] == [
        False, False, True]
    assert answer(later_schema, "is_request_satisfied") == {"title": "Answer", "type": "boolean"}


def answer(schema: dict[str, Any], key: str) -> dict[str, Any]:
    """The JSON Schema of a ledger entry's ``answer``."""
    entry = schema["$defs"][schema["properties"][key]["$ref"].rsplit("/", 1)[1]]
    return entry["properties"]["answer"]


def test_with_real_providers_the_request_is_left_as_agentchat_sends_it():
    inner = _Recorder()
    client = LedgerClient(inner, ["writer", "critic"], constrain=False)
    asyncio.run(client.create([LEDGER_PROMPT], json_output=True))
    assert inner.asked == [(True, {})]
    assert client.last_ledger == ledger()


def test_an_inner_magentic_one_team_nests_its_orchestrator_under_its_team_agent(make_spec):
    spec = make_spec(f"""\
schema: team-designer/v1
name: Desk in a team
models:
  boss: {{provider: scripted, responses: {json.dumps(["facts", "plan", ledger(), ledger(done=True), "The inner answer."])}}}
  w: {{provider: scripted, responses: ["A haiku.", "The desk's summary.", "Fine."]}}
agents:
  desk: {{kind: team, team: inner, model: w, description: Writes haiku.}}
  writer: {{model: w}}
  reviewer: {{model: w}}
teams:
  inner:
    orchestration: {{pattern: magentic_one, participants: [writer], orchestrator_model: boss}}
    termination: {{max_messages: 5}}
orchestration: {{pattern: sequential, order: [desk, reviewer]}}
""")
    events = collect_events(spec, "Write a haiku.")
    inner = [(e.type, e.agent, getattr(e, "kind", None)) for e in events if e.parent == "desk" and e.type != "chunk"
             and e.type != "usage"]
    assert inner == [("message", "orchestrator", "plan"), ("speaker_selected", "writer", None),
                     ("message", "orchestrator", "instruction"), ("message", "writer", "text"),
                     ("message", "orchestrator", "text")]
    assert [e.agent for e in events if e.type == "message" and e.parent is None] == ["user", "desk", "reviewer"]
