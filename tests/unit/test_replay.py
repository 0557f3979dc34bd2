"""Record and replay: strict replays reproduce a run, changed requests are found and named, reuse
mode pays only for what changed, tools are not re-run, and a replay needs no key or server."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from designer.core.run_store import RunStore
from designer.runtime.recording import ReplayPlan
from tests.conftest import collect_events

THREE = """
schema: team-designer/v1
name: Three steps
models:
  ma: {provider: scripted, responses: [A_REPLIES]}
  mb: {provider: scripted, responses: [B_REPLIES]}
  mc: {provider: scripted, responses: [C_REPLIES]}
agents:
  a: {model: ma, system_message: You outline.}
  b: {model: mb, system_message: You draft.}
  c: {model: mc, system_message: "C_PROMPT"}
orchestration: {pattern: sequential, order: [a, b, c]}
"""


def three(make_spec: Any, *, a: str = '"outline"', b: str = '"draft"', c: str = '"final"',
          c_prompt: str = "You polish.") -> Any:
    text = THREE.replace("A_REPLIES", a).replace("B_REPLIES", b).replace("C_REPLIES", c).replace("C_PROMPT", c_prompt)
    return make_spec(text)


def transcript(events: list[Any]) -> list[dict[str, Any]]:
    """What a reader sees of a run: every event but times, streaming pieces and replay marks."""
    out = []
    for event in events:
        if event.type in ("chunk", "usage"):
            continue
        data = event.to_dict()
        for key in ("t", "seq", "origin", "run_id", "duration", "saved_tokens", "saved_by_agent", "replayed_calls",
                    "live_calls", "cost", "currency", "saved_cost", "cost_by_agent", "tokens_by_agent",
                    "prompt_tokens", "completion_tokens", "request_id", "snapshot"):
            data.pop(key, None)
        out.append(data)
    return out


def record(spec: Any, store: RunStore, task: str = "write it", **kwargs: Any) -> tuple[list[Any], str]:
    events = collect_events(spec, task, store=store, **kwargs)
    run_id = events[0].run_id
    assert run_id, "the run was not recorded"
    return events, run_id


def messages(events: list[Any]) -> list[tuple[str, str, str]]:
    return [(e.agent, e.content, e.origin) for e in events if e.type == "message" and e.kind != "task"]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    with RunStore(tmp_path / "runs.sqlite3") as opened:
        yield opened


def test_strict_replay_reproduces_the_transcript_without_calling_any_model(make_spec, store):
    spec = three(make_spec)
    original, run_id = record(spec, store)
    # The same team with scripts that would say something else: nothing may reach them.
    silent = three(make_spec, a='"WRONG"', b='"WRONG"', c='"WRONG"')
    replayed = collect_events(silent, "write it", store=store, replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert transcript(replayed) == transcript(original)
    assert [origin for _, _, origin in messages(replayed)] == ["replayed"] * 3
    end = replayed[-1]
    assert (end.replayed_calls, end.live_calls, end.tokens_by_agent) == (3, 0, {})
    assert end.saved_tokens == sum(t["prompt"] + t["completion"] for t in original[-1].tokens_by_agent.values()) > 0


def test_strict_replay_stops_at_the_changed_agent_and_says_why(make_spec, store):
    _, run_id = record(three(make_spec), store)
    edited = three(make_spec, c_prompt="You polish, briefly.")
    events = collect_events(edited, "write it", replay=ReplayPlan(store.calls(run_id), mode="strict"))
    errors = [e for e in events if e.type == "error"]
    assert len(errors) == 1 and events[-1].reason == "error"
    assert "c's request differs from the recording at message 3: its system message changed" in errors[0].message
    assert [(a, t) for a, t, _ in messages(events)] == [("a", "outline"), ("b", "draft")]


def test_a_changed_temperature_is_a_changed_request(make_spec, store):
    _, run_id = record(three(make_spec), store)
    warmer = make_spec(THREE.replace("A_REPLIES", '"outline"').replace("B_REPLIES", '"draft"')
                       .replace("C_REPLIES", '"final"').replace("C_PROMPT", "You polish.")
                       .replace("ma: {provider: scripted,", "ma: {provider: scripted, options: {temperature: 0.7},"))
    events = collect_events(warmer, "write it", replay=ReplayPlan(store.calls(run_id), mode="strict"))
    error = next(e for e in events if e.type == "error")
    assert "a's request differs from the recording at message 1: its model options changed (temperature unset → 0.7)" in error.message


def test_reuse_mode_pays_only_for_the_changed_last_agent(make_spec, store):
    original, run_id = record(three(make_spec), store)
    # a and b would answer WRONG if asked: the replay must not ask them. c is asked once.
    edited = three(make_spec, a='"WRONG"', b='"WRONG"', c='"polished by the new prompt"', c_prompt="You polish, briefly.")
    events = collect_events(edited, "write it", store=store, replay=ReplayPlan(store.calls(run_id), source=run_id))
    assert messages(events) == [
        ("a", "outline", "replayed"), ("b", "draft", "replayed"), ("c", "polished by the new prompt", "live")
    ]
    end = events[-1]
    assert (end.replayed_calls, end.live_calls) == (2, 1)
    assert set(end.tokens_by_agent) == {"c"} and set(end.saved_by_agent) == {"a", "b"}
    assert end.saved_by_agent["a"] == original[-1].tokens_by_agent["a"]
    stored = store.load(end_id := events[0].run_id)
    assert (stored.origin, stored.parent, stored.saved_tokens) == ("replay", run_id, end.saved_tokens)
    # The replay is itself recorded: replaying it strictly gives its transcript again.
    again = collect_events(edited, "write it", replay=ReplayPlan(store.calls(end_id), mode="strict"))
    assert transcript(again) == transcript(events)


def test_after_the_first_changed_request_everything_runs_live(make_spec, store):
    _, run_id = record(three(make_spec), store)
    edited = three(make_spec, a='"WRONG"', b='"new draft"', c='"new final"')
    edited = edited.model_copy(update={"agents": {**edited.agents, "b": edited.agents["b"].model_copy(
        update={"system_message": "You draft, in verse."})}})
    events = collect_events(edited, "write it", replay=ReplayPlan(store.calls(run_id)))
    assert messages(events) == [("a", "outline", "replayed"), ("b", "new draft", "live"), ("c", "new final", "live")]
    assert (events[-1].replayed_calls, events[-1].live_calls) == (1, 2)


def test_rerun_from_a_message_replays_the_past_as_it_was_and_runs_the_rest_live(make_spec, store):
    _, run_id = record(three(make_spec), store)
    # Even a's prompt changed: the fixed past is answered in order, whatever the team now says.
    edited = three(make_spec, a='"WRONG"', b='"second draft"', c='"second final"')
    edited = edited.model_copy(update={"agents": {**edited.agents, "a": edited.agents["a"].model_copy(
        update={"system_message": "You outline differently."})}})
    events = collect_events(edited, "write it", store=store, replay=ReplayPlan(store.calls(run_id), live_from=1, source=run_id))
    assert messages(events) == [("a", "outline", "replayed"), ("b", "second draft", "live"), ("c", "second final", "live")]
    assert store.load(events[0].run_id).origin == "rerun"


TOOLED = """
schema: team-designer/v1
name: Writer
default_model: s
models:
  s:
    provider: scripted
    responses:
    - tool_calls: [{name: save, arguments: {path: notes.txt, content: "written once"}}]
    - "saved it"
tools:
  save: {builtin: write_text_file}
agents:
  w: {tools: [save], reflect_on_tool_use: true, streaming: false}
orchestration: {pattern: round_robin, participants: [w]}
termination: {max_messages: 2}
"""


def test_tools_are_answered_from_the_recording_not_run_again(make_spec, store, tmp_path):
    spec = make_spec(TOOLED)
    workspace = tmp_path / "work"
    original, run_id = record(spec, store, workspace=workspace)
    target = workspace / "notes.txt"
    assert target.read_text() == "written once"
    target.unlink()
    replayed = collect_events(spec, "write it", workspace=workspace, replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert transcript(replayed) == transcript(original)
    assert not target.exists(), "a replay wrote the file again"
    live_tools = collect_events(spec, "write it", workspace=workspace,
                                replay=ReplayPlan(store.calls(run_id), mode="strict", live_tools=True))
    assert live_tools[-1].reason != "error" and target.read_text() == "written once"


HUMAN = """
schema: team-designer/v1
name: Ask
default_model: s
models:
  s: {provider: scripted, responses: ["What colour?", "Blue it is."]}
agents:
  a: {}
  human: {kind: user_proxy}
orchestration: {pattern: round_robin, participants: [a, human]}
termination: {max_messages: 4}
"""


def test_a_human_answer_is_replayed_without_asking_again(make_spec, store):
    spec = make_spec(HUMAN)
    original, run_id = record(spec, store, task="go", answers=["blue"])
    replayed = collect_events(spec, "go", replay=ReplayPlan(store.calls(run_id), mode="strict"))  # nobody answers
    assert transcript(replayed) == transcript(original)
    assert ("human", "blue", "replayed") in messages(replayed)


SELECTOR = """
schema: team-designer/v1
name: Pick
models:
  s: {provider: scripted, responses: ["a draft", "a critique"]}
  pick: {provider: scripted, responses: ["writer", "I think the critic"]}
default_model: s
agents:
  writer: {description: Writes.}
  critic: {description: Critiques.}
orchestration: {pattern: selector, participants: [writer, critic], selector_model: pick, allow_repeated_speaker: true}
termination: {max_messages: 3}
"""


def test_each_speaker_choice_carries_the_selectors_prompt_and_answer(make_spec, store):
    events, _ = record(make_spec(SELECTOR), store, task="review this")
    choices = [e for e in events if e.type == "speaker_selected"]
    assert [c.agent for c in choices] == ["writer", "critic"]
    assert all("writer" in c.prompt and "critic" in c.prompt for c in choices), choices[0].prompt
    assert [c.answer for c in choices] == ["writer", "I think the critic"]
    assert [c.fallback for c in choices] == [False, False]


def test_a_replay_finishes_offline_with_no_key_and_no_server(make_spec, tmp_path, fake_model_server, monkeypatch):
    from tests.model_fixtures import chat_chunks, server_team

    fake_model_server.routes["POST /v1/chat/completions"] = (200, chat_chunks("Paris is the capital."))
    team = server_team(fake_model_server.base(), key_ref="env:TD_REPLAY_TEST_KEY")
    monkeypatch.setenv("TD_REPLAY_TEST_KEY", "sk-replay-test-0123456789abcdef")
    with RunStore(tmp_path / "runs.sqlite3") as store:
        original, run_id = record(make_spec(team), store, task="capital of France?")
        assert ("a", "Paris is the capital.", "") in messages(original)
        asked = len(fake_model_server.requests)
        monkeypatch.delenv("TD_REPLAY_TEST_KEY")
        fake_model_server.routes.clear()  # any request now gets a 404
        replayed = collect_events(make_spec(team), "capital of France?", replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert transcript(replayed) == transcript(original)
    assert len(fake_model_server.requests) == asked, "the replay talked to the server"


def test_a_replay_gives_each_speaker_choice_its_own_reason(make_spec, store):
    """A replay answers the selector at once, ahead of the event stream: reasons must not shift."""
    spec = make_spec(SELECTOR)
    events, run_id = record(spec, store, task="review this")
    replayed = collect_events(spec, "review this", replay=ReplayPlan(store.calls(run_id), mode="strict"))

    def reasons(evs: list[Any]) -> list[tuple[str, str, str, bool]]:
        return [(e.agent, e.prompt, e.answer, e.fallback) for e in evs if e.type == "speaker_selected"]

    assert reasons(replayed) == reasons(events) and len(reasons(events)) == 2


def test_an_answer_naming_no_one_is_marked_as_the_fallback(make_spec, store):
    confused = SELECTOR.replace('responses: ["writer", "I think the critic"]',
                                'responses: ["writer", "hmm", "no idea", "still unsure"]')
    events, _ = record(make_spec(confused), store, task="review this")
    second = [e for e in events if e.type == "speaker_selected"][1]
    assert second.fallback is True and second.agent == "writer"  # AgentChat kept the previous speaker
    assert second.answer == "attempt 1: hmm\nattempt 2: no idea\nattempt 3: still unsure"


def test_a_recorded_tool_call_is_not_made_again_even_after_the_run_went_live(make_spec, store, tmp_path):
    spec = make_spec(TOOLED)
    workspace = tmp_path / "work"
    _, run_id = record(spec, store, workspace=workspace)
    (workspace / "notes.txt").unlink()
    edited = make_spec(TOOLED.replace("w: {tools: [save],", 'w: {system_message: "You save notes.", tools: [save],'))
    events = collect_events(edited, "write it", workspace=workspace, replay=ReplayPlan(store.calls(run_id)))
    assert events[-1].live_calls == 2, "the edited prompt sends both model calls to the model"
    result = next(e for e in events if e.type == "tool_result")
    assert result.content == "wrote 12 bytes to notes.txt" and not (workspace / "notes.txt").exists()


def test_strict_replay_never_waits_for_a_human_the_recording_did_not_ask(make_spec, store):
    short = make_spec(HUMAN.replace("max_messages: 4", "max_messages: 2"))
    _, run_id = record(short, store, task="go")
    longer = make_spec(HUMAN)  # now the human's turn comes, and the recording has no answer
    events = collect_events(longer, "go", replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert events[-1].reason == "error"
    assert any("human's answer at message 2 is not in the recording" in e.message for e in events if e.type == "error")


def test_the_selectors_calls_count_and_cost_and_say_why_without_a_store(make_spec):
    spec = make_spec(SELECTOR)
    events = collect_events(spec, "review this")  # no store, no replay
    end = events[-1]
    assert "selector" in end.tokens_by_agent and end.tokens_by_agent["selector"]["prompt"] > 0
    assert end.prompt_tokens == sum(t["prompt"] for t in end.tokens_by_agent.values())
    assert [e.answer for e in events if e.type == "speaker_selected"] == ["writer", "I think the critic"]


def test_an_answer_that_only_contains_the_name_inside_a_word_is_a_fallback(make_spec):
    spec = make_spec(SELECTOR.replace('responses: ["writer", "I think the critic"]',
                                      'responses: ["writer", "the rewriter", "a rewriter", "rewriters"]'))
    second = [e for e in collect_events(spec, "review this") if e.type == "speaker_selected"][1]
    assert second.fallback is True and second.agent == "writer"


def test_a_call_with_no_usage_on_an_unpriced_model_makes_the_cost_unknown(make_spec, fake_model_server, store):
    from tests.model_fixtures import chat_chunks

    fake_model_server.routes["POST /v1/chat/completions"] = (200, chat_chunks("Paris."))  # no usage figures
    spec = make_spec(f"""
    schema: team-designer/v1
    name: Mixed
    models:
      local: {{provider: scripted, responses: ["hello"]}}
      cloud:
        provider: openai_compatible
        model: m
        base_url: {fake_model_server.base()}
        model_info: {{function_calling: false, json_output: false, vision: false, family: unknown}}
    agents:
      first: {{model: local}}
      a: {{model: cloud}}
    orchestration: {{pattern: round_robin, participants: [first, a]}}
    termination: {{max_messages: 3}}
    """)
    events = collect_events(spec, "capital of France?", store=store)
    assert ("a", "Paris.", "") in messages(events)
    assert events[-1].cost is None and events[-1].cost_by_agent.get("first") == 0.0


def test_a_code_executor_agents_code_is_not_run_again_in_a_replay(make_spec, store, tmp_path):
    import json

    marker = tmp_path / "ran.txt"
    code = f"with open({str(marker)!r}, 'a') as f:\n    f.write('x')\nprint('ran once')"
    reply = json.dumps(["```python\n" + code + "\n```"])
    spec = make_spec(f"""
        schema: team-designer/v1
        name: coder
        default_model: s
        models:
          s: {{provider: scripted, responses: {reply}}}
        agents:
          writer: {{streaming: false}}
          runner: {{kind: code_executor}}
        orchestration: {{pattern: round_robin, participants: [writer, runner]}}
        termination: {{max_messages: 3}}
    """)
    original, run_id = record(spec, store, task="go")
    assert marker.read_text() == "x"
    replayed = collect_events(spec, "go", replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert transcript(replayed) == transcript(original)
    assert marker.read_text() == "x", "the replay ran the code again"
    assert any("ran once" in e.content for e in replayed if e.type == "message" and e.agent == "runner")


def test_replay_from_a_message_is_refused_for_a_hierarchical_team(make_spec, tmp_path, monkeypatch, capsys):
    from designer.cli.main import main

    text = textwrap.dedent("""\
        schema: team-designer/v1
        name: Lead
        default_model: s
        models:
          s:
            provider: scripted
            responses:
            - tool_calls: [{name: researcher, arguments: {task: find facts}}]
            - facts found
            - final synthesis
        agents:
          lead: {max_tool_iterations: 2, reflect_on_tool_use: true, streaming: false}
          researcher: {description: finds facts, streaming: false}
        orchestration: {pattern: hierarchical, coordinator: lead, workers: [researcher]}
        """)
    team = tmp_path / "lead.yaml"
    team.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(tmp_path / "data"))
    with RunStore() as history:
        run_id = collect_events(make_spec(text), "the question", store=history, team_file=team)[0].run_id
    assert main(["replay", run_id, "--from", "2"]) == 2
    assert "--from is not available for hierarchical teams" in capsys.readouterr().err


def test_an_mcp_team_replays_offline_with_its_server_gone(make_spec, store, tmp_path):
    """The tool list and every result (text parts as the server gave them) come from the recording."""
    from designer.core.trust import TrustAll
    from tests.unit.test_mcp_tools import mcp_team, results

    marker = tmp_path / "started"
    calls = [[{"name": "add", "arguments": {"a": 2, "b": 40}}], [{"name": "shout", "arguments": {"text": "hi"}}]]
    original, run_id = record(make_spec(mcp_team(calls, marker=marker)), store, trust=TrustAll())
    assert marker.exists() and [r[1] for r in results(original)] == ["42", "HI"]
    marker.unlink()
    gone = make_spec(mcp_team(calls, marker=marker).replace(json.dumps(sys.executable), '"/nonexistent/python3"'))
    replayed = collect_events(gone, "write it", trust=TrustAll(), replay=ReplayPlan(store.calls(run_id), mode="strict"))
    assert transcript(replayed) == transcript(original)
    assert not marker.exists(), "the replay started the MCP server"
