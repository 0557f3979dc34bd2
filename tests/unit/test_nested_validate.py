"""Validation of inner teams and team agents: located, one line each, never a traceback."""

from __future__ import annotations

import textwrap

from designer.core.validate import validate_text

HEAD = """\
schema: team-designer/v1
name: t
models:
  s: {provider: scripted, responses: ["x"]}
  fc: {provider: scripted, responses: ["x"], model_info: {function_calling: true}}
  plain: {provider: openai_compatible, model: m, base_url: "http://127.0.0.1:1/v1", model_info: {function_calling: false}}
default_model: s
"""

GOOD = HEAD + """\
agents:
  research_team: {kind: team, team: research}
  researcher: {}
  checker: {}
  writer: {}
teams:
  research:
    orchestration: {pattern: round_robin, participants: [researcher, checker]}
    termination: {max_messages: 4}
orchestration: {pattern: sequential, order: [research_team, writer]}
"""


def problems(text: str) -> list[str]:
    result = validate_text(textwrap.dedent(text), "team.yaml")
    assert result.spec is not None, [p.format() for p in result.problems]
    return [p.format() for p in result.problems]


def test_a_good_nested_team_has_no_problems_and_its_members_no_unused_warning():
    assert problems(GOOD) == []


def test_a_team_agent_needs_a_known_team_with_a_suggestion():
    text = GOOD.replace("team: research}", "team: reserch}")
    out = problems(text)
    assert "team.yaml:9:37: error: unknown inner team 'reserch' [agents.research_team.team] (hint: did you mean 'research'?)" in out
    # ... and the inner team nobody runs now is a warning
    assert any("warning: inner team 'research' is not run by any agent [teams.research]" in p for p in out)


def test_a_team_agent_without_team_and_team_on_another_kind():
    text = GOOD.replace("{kind: team, team: research}", "{kind: team}").replace("  writer: {}", "  writer: {team: research}")
    out = problems(text)
    assert any("error: an agent of kind 'team' needs 'team': the inner team it runs [agents.research_team]" in p
               and "one of: research" in p for p in out)
    assert any(":12:18: error: 'team' is only for agents of kind 'team' (this one is kind 'assistant') "
               "[agents.writer.team]" in p for p in out)


def test_a_team_agent_cannot_have_tools_or_handoffs():
    text = GOOD.replace("{kind: team, team: research}", "{kind: team, team: research, handoffs: [writer]}")
    out = problems(text)
    assert any("error: an agent of kind 'team' cannot have handoffs: its inner team's members can "
               "[agents.research_team.handoffs]" in p for p in out)


def test_two_team_agents_cannot_run_one_inner_team():
    text = GOOD.replace("  writer: {}", "  writer: {}\n  twin: {kind: team, team: research}").replace(
        "order: [research_team, writer]", "order: [research_team, writer, twin]")
    out = problems(text)
    assert any("error: inner team 'research' is run by 'research_team' already [agents.twin.team]" in p for p in out)


def test_inner_members_must_not_take_part_outside_or_in_two_inner_teams():
    text = GOOD.replace("order: [research_team, writer]", "order: [research_team, writer, checker]")
    out = problems(text)
    assert ("team.yaml:15:70: error: 'checker' takes part in the outer orchestration too; an inner team's members take "
            "part only in it [teams.research.orchestration.participants[1]] (hint: take checker out of one of them)") in out
    text = GOOD.replace("  writer: {}", "  writer: {}\n  review_team: {kind: team, team: review}") + textwrap.dedent("""\
        teams:
          research:
            orchestration: {pattern: round_robin, participants: [researcher, checker]}
          review:
            orchestration: {pattern: round_robin, participants: [checker]}
        """)
    text = text.replace("""teams:
  research:
    orchestration: {pattern: round_robin, participants: [researcher, checker]}
    termination: {max_messages: 4}
""", "", 1).replace("order: [research_team, writer]", "order: [research_team, writer, review_team]")
    out = problems(text)
    assert any("error: 'checker' is a member of inner team 'research' already "
               "[teams.review.orchestration.participants[0]]" in p for p in out)


def test_a_team_agent_inside_its_own_team_directly_or_in_a_circle():
    text = GOOD.replace("participants: [researcher, checker]", "participants: [researcher, research_team]")
    out = problems(text)
    assert any("error: 'research_team' runs inner team 'research', so it cannot be one of its members" in p for p in out)
    circle = HEAD + """\
agents:
  a_team: {kind: team, team: a}
  b_team: {kind: team, team: b}
  x: {}
teams:
  a: {orchestration: {pattern: round_robin, participants: [b_team]}}
  b: {orchestration: {pattern: round_robin, participants: [a_team, x]}}
orchestration: {pattern: round_robin, participants: [x]}
"""
    out = problems(circle)
    assert any("error: inner teams run inside each other in a circle: a_team → b_team → a_team [agents.a_team.team]" in p
               for p in out), out


def test_the_inner_patterns_own_checks_run_with_paths_under_the_inner_team():
    text = GOOD.replace("participants: [researcher, checker]", "participants: [researcher, chekcer]")
    out = problems(text)
    assert ("team.yaml:15:70: error: unknown participant 'chekcer' [teams.research.orchestration.participants[1]] "
            "(hint: did you mean 'checker'?)") in out
    hier = GOOD.replace("orchestration: {pattern: round_robin, participants: [researcher, checker]}",
                        "orchestration: {pattern: hierarchical, coordinator: researcher, workers: []}")
    out = problems(hier)
    assert any("error: a hierarchical team needs at least one worker [teams.research.orchestration.workers]" in p for p in out)


def test_an_inner_hierarchical_coordinator_needs_a_function_calling_model():
    hier = GOOD.replace("orchestration: {pattern: round_robin, participants: [researcher, checker]}",
                        "orchestration: {pattern: hierarchical, coordinator: researcher, workers: [checker]}")
    out = problems(hier.replace("  researcher: {}", "  researcher: {model: plain}"))
    assert any("error: delegation to workers needs a model that can call functions, and model 'plain' cannot "
               "[agents.researcher.model]" in p for p in out), out
    assert not [p for p in problems(hier.replace("  researcher: {}", "  researcher: {model: fc}")) if "error" in p]


def test_an_inner_team_needs_a_bound():
    out = problems(GOOD.replace("termination: {max_messages: 4}", "termination: {text: DONE}"))
    assert any("error: inner team 'research' has no bound: it could go on forever [teams.research.termination]" in p
               for p in out)


def test_the_summary_needs_a_known_model():
    out = problems(GOOD.replace("{kind: team, team: research}", "{kind: team, team: research, model: nope}"))
    assert any("error: unknown model 'nope' [agents.research_team.model]" in p for p in out)


def test_hand_offs_in_an_inner_swarm_are_not_reported_as_ineffective():
    swarm = GOOD.replace("orchestration: {pattern: round_robin, participants: [researcher, checker]}",
                         "orchestration: {pattern: swarm, entry: researcher, participants: [researcher, checker]}").replace(
        "  researcher: {}", "  researcher: {model: fc, handoffs: [checker]}").replace(
        "  checker: {}", "  checker: {model: fc, handoffs: [researcher]}")
    assert [p for p in problems(swarm) if "hand-off" in p] == []


def test_a_team_agents_system_message_and_a_team_agent_in_a_swarm_are_warned_about():
    out = problems(GOOD.replace("{kind: team, team: research}", "{kind: team, team: research, system_message: be brief}"))
    assert any("warning: an agent of kind 'team' does not use a system message" in p
               and "[agents.research_team.system_message]" in p for p in out)
    swarm = GOOD.replace("orchestration: {pattern: sequential, order: [research_team, writer]}",
                         "orchestration: {pattern: swarm, entry: writer, participants: [writer, research_team]}").replace(
        "  writer: {}", "  writer: {model: fc, handoffs: [research_team]}")
    out = problems(swarm)
    assert any("warning: an agent of kind 'team' cannot hand off, so in a swarm it keeps the turn once it has it "
               "[agents.research_team]" in p for p in out), out


def test_the_nested_example_validates_clean_and_saves_back_byte_for_byte():
    from designer.core.teamfile import dump_team
    from designer.core.validate import validate_file
    from tests.conftest import TEAMS

    path = TEAMS / "nested_team.yaml"
    result = validate_file(path)
    assert result.spec is not None and [p.format() for p in result.problems] == []
    assert dump_team(result.spec) == path.read_text()
    assert result.spec.inner_members() == {"researcher": "research_team", "checker": "research_team"}
