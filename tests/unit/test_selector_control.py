"""Selector control: allowed transitions (a candidate_func), max selector attempts, the prompt's
input placeholders; their validation at the place in the file, and renames that follow them."""

from __future__ import annotations

import asyncio
import textwrap

from autogen_agentchat.messages import StopMessage, TextMessage, ToolCallRequestEvent
from autogen_core import FunctionCall

from designer.core import diagram, edits
from designer.core.patterns.selector import SelectorSpec, fill_inputs, next_speakers, set_transitions
from designer.core.teamfile import dump_team
from designer.core.validate import validate_text
from designer.runtime.compiler import compile_team
from designer.runtime.patterns.selector import TransitionsGroupChat, candidate_func

HEAD = """
schema: team-designer/v1
name: t
models:
  s: {provider: scripted, responses: ["writer"]}
default_model: s
agents:
  writer: {description: writes}
  critic: {description: reviews}
  editor: {description: edits}
"""


def load(orchestration: str, extra: str = "") -> tuple[object, list[str]]:
    result = validate_text(HEAD + textwrap.dedent(extra) + textwrap.dedent(orchestration), "t.yaml")
    return result.spec, [p.format() for p in result.problems]


def selector(transitions: dict[str, list[str]], *, repeat: bool = False) -> SelectorSpec:
    return SelectorSpec(pattern="selector", participants=["writer", "critic", "editor"],
                        allowed_transitions=transitions, allow_repeated_speaker=repeat)


def said(source: str) -> TextMessage:
    return TextMessage(source=source, content=f"{source} speaks")


def test_the_candidate_func_follows_the_last_chat_message_of_the_thread():
    candidates = candidate_func(selector({"writer": ["critic"], "critic": ["writer", "editor"]}))
    task = TextMessage(source="user", content="the task")
    assert candidates([]) == ["writer", "critic", "editor"]  # the first turn: anyone
    assert candidates([task]) == ["writer", "critic", "editor"]  # after the task: anyone
    assert candidates([task, said("writer")]) == ["critic"]
    assert candidates([task, said("writer"), said("critic")]) == ["writer", "editor"]
    # The editor is not listed, so anyone may follow it (but not itself: repeats are off).
    assert candidates([task, said("editor")]) == ["writer", "critic"]
    # An agent's inner events after its message do not hide who spoke last.
    call = ToolCallRequestEvent(source="critic", content=[FunctionCall(id="1", name="f", arguments="{}")])
    assert candidates([task, said("writer"), call]) == ["critic"]
    # A message from outside the team (a resumed run's new task) frees the choice again.
    assert candidates([said("writer"), StopMessage(source="someone", content="x")]) == ["writer", "critic", "editor"]


def test_repeats_are_left_out_unless_the_speaker_is_the_only_one_allowed():
    assert next_speakers(selector({"writer": ["writer", "critic"]}), "writer") == ["critic"]
    assert next_speakers(selector({"writer": ["writer", "critic"]}, repeat=True), "writer") == ["writer", "critic"]
    assert next_speakers(selector({"writer": ["writer"]}), "writer") == ["writer"]


def test_compiling_passes_the_transitions_and_the_attempts_to_agentchat(make_spec):
    spec = make_spec(HEAD + """
orchestration:
  pattern: selector
  participants: [writer, critic, editor]
  allowed_transitions: {writer: [critic]}
  max_selector_attempts: 5
""")

    async def build() -> object:
        async def no_input(*_: object) -> str:
            return ""
        return compile_team(spec, no_input).team

    team = asyncio.run(build())
    assert isinstance(team, TransitionsGroupChat)
    assert team._max_selector_attempts == 5
    assert team._candidate_func is not None and team._candidate_func([said("writer")]) == ["critic"]


def test_a_team_without_transitions_compiles_to_the_plain_selector_group_chat(make_spec):
    spec = make_spec(HEAD + "orchestration: {pattern: selector, participants: [writer, critic]}\n")

    async def build() -> object:
        async def no_input(*_: object) -> str:
            return ""
        return compile_team(spec, no_input).team

    team = asyncio.run(build())
    assert type(team).__name__ == "SelectorGroupChat" and team._candidate_func is None
    assert team._max_selector_attempts == 3


def test_transitions_are_checked_where_they_are_written():
    _, problems = load("""
orchestration:
  pattern: selector
  participants: [writer, critic, editor]
  allowed_transitions:
    writer: [critic, ghost]
    stranger: [writer]
    critic: []
""")
    assert "t.yaml:16:22: error: 'ghost' is not a participant [orchestration.allowed_transitions.writer[1]]" in problems[0]
    assert problems[1].startswith("t.yaml:17:15: error: 'stranger' is not a participant, so no rule can follow it "
                                  "[orchestration.allowed_transitions.stranger]")
    assert problems[2].startswith("t.yaml:18:13: error: no one may speak after 'critic' [orchestration.allowed_transitions.critic]")
    assert len(problems) == 3, problems


def test_an_agent_no_one_may_hand_to_and_a_pointless_self_transition_are_warnings():
    _, problems = load("""
orchestration:
  pattern: selector
  participants: [writer, critic, editor]
  allowed_transitions: {writer: [critic, writer], critic: [writer], editor: [critic]}
""")
    assert problems == [
        ("t.yaml:15:42: warning: 'writer' may follow itself here, but repeated speakers are off, so this has no effect "
         "[orchestration.allowed_transitions.writer[1]] (hint: turn on allow_repeated_speaker, or list other agents)"),
        ("t.yaml:14:34: warning: no one may speak before 'editor': it can only speak first "
         "[orchestration.participants[2]] (hint: add editor to some agent's allowed transitions)"),
    ]


def test_the_prompt_may_use_the_teams_inputs_and_they_are_filled_at_compile_time():
    _, problems = load("""
orchestration:
  pattern: selector
  participants: [writer, critic]
  selector_prompt: "Topic {topic}. Pick one of {participants} for {{json}} after {history}. {nope}"
""", extra="inputs:\n  topic: {default: bees}\ntask: About {topic}\n")
    errors = [p for p in problems if ": error: " in p]
    assert len(errors) == 1 and "{nope} is not a field of the selector prompt or an input of the team" in errors[0]
    assert "use only {roles}, {participants}, {history}, {topic}" in errors[0]
    filled = fill_inputs("Topic {topic}. Pick one of {participants} for {{json}} after {history}.", {"topic": "a {b}"})
    assert filled == "Topic a {{b}}. Pick one of {participants} for {{json}} after {history}."
    # What AgentChat then does with it: its own fields filled, every brace literal.
    assert filled.format(participants="['x']", history="h") == "Topic a {b}. Pick one of ['x'] for {json} after h."


def test_renames_and_removals_follow_into_the_transitions(make_spec):
    spec = make_spec(HEAD + """
orchestration:
  pattern: selector
  participants: [writer, critic, editor]
  allowed_transitions: {writer: [critic, editor], critic: [editor], editor: [writer]}
""")
    renamed = edits.rename_agent(spec, "critic", "reviewer")
    assert renamed.orchestration.allowed_transitions == {"writer": ["reviewer", "editor"], "reviewer": ["editor"],
                                                         "editor": ["writer"]}
    removed = edits.remove_agents(renamed, ["editor"])
    # The reviewer's only follower is gone: it is free again, never "no one may follow".
    assert removed.orchestration.allowed_transitions == {"writer": ["reviewer"]}
    assert "editor" not in dump_team(removed)


def test_setting_transitions_is_an_edit_that_keeps_participant_order(make_spec):
    spec = make_spec(HEAD + "orchestration: {pattern: selector, participants: [writer, critic, editor]}\n")
    after = edits.edit_orchestration(spec, set_transitions, "writer", ["editor", "critic"])
    assert after.orchestration.allowed_transitions == {"writer": ["critic", "editor"]}
    assert "  allowed_transitions:\n    writer: [critic, editor]\n" in dump_team(after)
    cleared = edits.edit_orchestration(after, set_transitions, "writer", [])
    assert "allowed_transitions" not in dump_team(cleared)


def test_the_canvas_draws_the_transitions_and_deleting_an_arrow_removes_one(make_spec):
    spec = make_spec(HEAD + """
orchestration:
  pattern: selector
  participants: [writer, critic, editor]
  allowed_transitions: {writer: [critic, editor]}
""")
    assert [(c.source, c.target, c.kind) for c in diagram.connections(spec)] == [
        ("writer", "critic", "turn"), ("writer", "editor", "turn")]
    after = edits.disconnect(spec, "writer", "critic")
    assert after.orchestration.allowed_transitions == {"writer": ["editor"]}
    free = edits.disconnect(after, "writer", "editor")
    assert free.orchestration.allowed_transitions == {} and diagram.connections(free) == []


def test_an_input_used_only_by_the_selector_prompt_is_not_reported_unused():
    from designer.core.validate import validate_text

    text = """schema: team-designer/v1
name: Prompted
inputs: {topic: {default: wasps}}
task: Write something.
agents:
  a: {description: A.}
  b: {description: B.}
orchestration:
  pattern: selector
  participants: [a, b]
  selector_prompt: "Pick who speaks about {topic}. {roles} {participants} {history}"
"""
    result = validate_text(text)
    assert [p.format() for p in result.problems if "topic" in p.message] == []
