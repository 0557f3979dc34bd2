"""Termination checks, each reported at the line and column of what is wrong (FILE:LINE:COL)."""

from __future__ import annotations

import textwrap

from designer.core.validate import validate_text

HEAD = """\
schema: team-designer/v1
name: Review
models:
  fn: {provider: openai, model: gpt-4o-mini, api_key: "env:OPENAI_API_KEY"}
default_model: fn
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  writer: {tools: [area]}
  critic: {}
"""


def problems(body: str, head: str = HEAD) -> list[str]:
    result = validate_text(head + textwrap.dedent(body), "team.yaml")
    assert result.spec is not None, [p.format() for p in result.problems]
    return [p.format() for p in result.problems]


def test_a_file_using_every_new_condition_correctly_is_clean():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination:
          max_turns: 6
          max_prompt_tokens: 5000
          any:
            - {tool_called: area}
            - {text_from: critic, timeout: 30}
          all:
            - {text: APPROVE}
            - {spoke: [critic]}
        """)
    assert found == []


def test_unknown_agents_in_conditions_are_errors_at_their_place():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination:
          max_messages: 10
          all:
            - {text: APPROVE}
            - {spoke: [critic, editor]}
          text_from: critc
        """)
    assert found == [
        "team.yaml:17:14: error: unknown agent 'critc' [termination.text_from] (hint: did you mean 'critic'?)",
        "team.yaml:16:24: error: unknown agent 'editor' [termination.all[1].spoke[1]] (hint: defined: critic, writer)",
    ]


def test_max_turns_inside_a_nested_block_is_an_error():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination:
          max_messages: 10
          any:
            - {spoke: [critic], max_turns: 2}
        """)
    assert [f for f in found if "max_turns" in f] == [
        ("team.yaml:15:36: error: max_turns is the team's turn cap: it belongs at the top of the termination block "
        "[termination.any[0].max_turns] (hint: move it up to termination.max_turns, or use max_messages here)")
    ]


def test_an_all_of_one_block_and_an_empty_block_are_warnings():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination:
          max_messages: 10
          all: [{spoke: [critic]}]
          any: [{}]
        """)
    assert any(f.startswith("team.yaml:14:8: warning: 'all' with one block is just that block") for f in found), found
    assert any(f.startswith("team.yaml:15:9: warning: this block has no condition") for f in found), found


def test_tool_called_names_a_tool_an_agent_can_call():
    unknown = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {max_messages: 10, tool_called: aera}
        """)
    assert [f for f in unknown if "tool_called" in f] == [
        ("team.yaml:12:46: warning: unknown tool 'aera': the condition never holds [termination.tool_called] "
        "(hint: the team's tools: area)")
    ]
    unused = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {max_messages: 10, tool_called: area}
        """, HEAD.replace("writer: {tools: [area]}", "writer: {}"))
    assert any("warning: no agent can call tool 'area'" in f for f in unused), unused


def test_a_hierarchical_workers_delegation_tool_counts_as_a_tool():
    found = problems("""\
        orchestration: {pattern: hierarchical, coordinator: writer, workers: [critic]}
        termination: {max_messages: 10, tool_called: critic}
        """)
    assert [f for f in found if "tool_called" in f] == []


def test_handoff_to_names_an_agent_or_the_user_and_needs_a_swarm():
    swarm = HEAD.replace("critic: {}", "critic: {handoffs: [user]}")
    assert [f for f in problems("""\
        orchestration: {pattern: swarm, entry: writer, participants: [writer, critic]}
        termination: {max_messages: 10, handoff_to: user}
        """, swarm) if "handoff_to" in f] == []
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {max_messages: 10, handoff_to: nobody}
        """)
    assert found == [("team.yaml:12:45: error: unknown hand-off target 'nobody' [termination.handoff_to] "
                     "(hint: defined: critic, writer)")]


def test_the_bound_rule_names_every_bound_field():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {all: [{text: APPROVE}, {spoke: [critic]}]}
        """)
    assert found[0] == ("team.yaml:12:14: error: the run has no bound: it could go on forever [termination] (hint: add "
                        "max_messages, timeout, max_tokens, max_prompt_tokens, max_completion_tokens or max_turns)")
    assert problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {max_turns: 4}
        """) == []


def test_hand_offs_outside_a_swarm_never_happen():
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, critic]}
        termination: {max_messages: 10, handoff_to: critic}
        """)
    assert found == [("team.yaml:12:45: warning: hand-offs happen only in a swarm; this team is round_robin "
                     "[termination.handoff_to]")]


def test_an_inner_teams_termination_is_checked_at_its_own_place():
    head = HEAD.replace("  critic: {}\n", "  critic: {}\n  editor: {}\n  panel: {kind: team, team: review}\n")
    found = problems("""\
        orchestration: {pattern: round_robin, participants: [writer, panel]}
        teams:
          review:
            orchestration: {pattern: round_robin, participants: [critic, editor]}
            termination:
              max_messages: 4
              any: [{spoke: [critc], max_turns: 1}]
        termination: {max_messages: 10}
        """, head)
    mine = [f for f in found if "teams.review.termination" in f]
    assert mine == [
        ("team.yaml:19:41: error: max_turns is the team's turn cap: it belongs at the top of the termination block "
        "[teams.review.termination.any[0].max_turns] (hint: move it up to termination.max_turns, or use max_messages here)"),
        ("team.yaml:19:22: error: unknown agent 'critc' [teams.review.termination.any[0].spoke[0]] "
        "(hint: did you mean 'critic'?)"),
    ], found
