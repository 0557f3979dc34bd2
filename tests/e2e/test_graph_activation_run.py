"""A scripted GraphFlow run with a critical and an optional join: the report waits for both
critical branches (group 'critical', all), and an alert (group 'optional', any) runs it early."""

from __future__ import annotations

import re

import pytest

from tests.conftest import collect_events

TEAM = """
schema: team-designer/v1
name: g
models:
  i: {{provider: scripted, responses: ["plan"]}}
  r: {{provider: scripted, responses: ["facts"]}}
  c: {{provider: scripted, responses: ["checked facts"]}}
  v: {{provider: scripted, responses: ["verified"]}}
  n: {{provider: scripted, responses: ["figures"]}}
  a: {{provider: scripted, responses: ["{alert}"]}}
  j: {{provider: scripted, responses: ["report one", "report two"]}}
agents:
  intake: {{model: i, streaming: false}}
  research: {{model: r, streaming: false}}
  check: {{model: c, streaming: false}}
  verify: {{model: v, streaming: false}}
  numbers: {{model: n, streaming: false}}
  alert: {{model: a, streaming: false}}
  report: {{model: j, streaming: false}}
orchestration:
  pattern: graph
  entry: intake
  edges:
  - {{from: intake, to: research}}
  - {{from: intake, to: numbers}}
  - {{from: intake, to: alert}}
  - {{from: research, to: check}}
  - {{from: check, to: verify}}
  - {{from: verify, to: report, group: critical, activation: all}}
  - {{from: numbers, to: report, group: critical}}
  - {{from: alert, to: report, when: {{contains: URGENT}}, group: optional, activation: any}}
termination: {{max_messages: 20}}
"""


def texts(events: list[object]) -> list[tuple[str, str]]:
    return [(e.agent, e.content) for e in events if e.type == "message" and e.kind == "text"]  # type: ignore[attr-defined]


def test_the_critical_group_waits_for_both_branches(make_spec):
    said = texts(collect_events(make_spec(TEAM.format(alert="all fine"), allow_warnings=False)))
    # The alert's edge did not fire; numbers finished two turns before verify, and the report
    # still waited for verify: it ran once, last.
    assert said[-1] == ("report", "report one")
    assert [a for a, _ in said].count("report") == 1
    assert said.index(("numbers", "figures")) < said.index(("verify", "verified")) < said.index(("report", "report one"))


def test_the_optional_group_runs_the_join_early_and_the_critical_group_runs_it_again(make_spec):
    said = texts(collect_events(make_spec(TEAM.format(alert="URGENT: recall"), allow_warnings=False)))
    first, second = said.index(("report", "report one")), said.index(("report", "report two"))
    # Early: right after the alert fired, before the critical branch had verified anything.
    assert said.index(("alert", "URGENT: recall")) < first < said.index(("verify", "verified")) < second


@pytest.mark.parametrize("join", ["all fine", "URGENT: recall"])
def test_without_groups_the_state_machine_default_runs_the_report_on_every_branch(make_spec, join: str):
    """The same graph without the groups: the default ('any', the target's own group) runs the
    report after numbers already, which is what the critical group is for."""
    plain = re.sub(r", group: \w+(, activation: \w+)?", "", TEAM.format(alert=join))
    assert "group" not in plain
    said = texts(collect_events(make_spec(plain)))
    assert said.index(("report", "report one")) < said.index(("verify", "verified"))
