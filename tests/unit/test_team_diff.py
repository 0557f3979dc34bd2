"""What changed between two team snapshots, on the example teams edited the way a user edits them."""

from __future__ import annotations

from typing import Any

import pytest

from designer.core import edits, model_edits
from designer.core.team_diff import change_summary, team_changes, word_diff
from designer.core.teamfile import dump_team
from designer.core.yamlio import parse_team
from tests.unit.run_samples import edit_yaml, example_yaml

REPORT = "research_report.yaml"


def spec_of(text: str) -> Any:
    result = parse_team(text)
    assert result.spec is not None, result.problems
    return result.spec


def test_an_edited_system_message_is_a_word_diff_of_exactly_the_changed_words():
    old = example_yaml(REPORT)
    new = edit_yaml(old, lambda d: d["agents"]["researcher"].update(
        system_message=d["agents"]["researcher"]["system_message"].replace("List 3 short facts", "List 5 surprising facts")))
    [change] = team_changes(old, new)
    assert (change.path, change.kind) == ("agents.researcher.system_message", "changed")
    assert change.words is not None
    assert [(op, text) for op, text in change.words if op != "="] == [("-", "3 short"), ("+", "5 surprising")]
    # Both texts come back from the diff, whitespace and all.
    assert "".join(t for op, t in change.words if op != "+") == change.old
    assert "".join(t for op, t in change.words if op != "-") == change.new
    assert change_summary(old, new) == "researcher.system_message edited"


def test_a_temperature_change_reads_old_to_new():
    old = example_yaml(REPORT)
    new = edit_yaml(old, lambda d: d["models"]["smollm2"]["options"].update(temperature=0.7))
    [change] = team_changes(old, new)
    assert (change.path, change.old, change.new, change.words) == ("models.smollm2.options.temperature", "0.2", "0.7", None)
    assert change_summary(old, new) == "temperature 0.2 → 0.7"


def test_a_layout_only_change_is_no_change():
    old = example_yaml("campaign_group_chat.yaml")
    new = edit_yaml(old, lambda d: d["layout"]["nodes"].update(designer={"x": 999.0, "y": -40.0}))
    assert new != old
    assert team_changes(old, new) == []
    assert change_summary(old, new) == ""
    assert team_changes(old, old) == []


def test_changes_made_with_the_projects_edits_are_listed_agents_first():
    """The edits a user makes in the window (core/edits.py, core/model_edits.py) on the campaign team."""
    old_text = example_yaml("campaign_group_chat.yaml")
    spec = spec_of(old_text)
    spec = model_edits.set_option(spec, "smollm2", "temperature", "0.9")
    spec = edits.set_termination_field(spec, "max_messages", 12)
    spec = edits.add_agent(spec, agent_id="editor").spec
    new_text = dump_team(spec)
    changes = team_changes(old_text, new_text)
    paths = [c.path for c in changes]
    # Agents, models, tools, orchestration, termination: not the order of the edits.
    assert paths == ["agents.editor", "models.smollm2.options.temperature", "orchestration.participants",
                     "termination.max_messages"]
    assert changes[0].kind == "added"
    assert (changes[2].old, changes[2].new) == ("[strategist, designer, copywriter]", "[strategist, designer, copywriter, editor]")
    assert change_summary(old_text, new_text, limit=2) == "editor added; temperature 0.2 → 0.9 (+2 more)"
    assert change_summary(old_text, new_text, limit=4) == (
        "editor added; temperature 0.2 → 0.9; orchestration.participants edited; termination.max_messages 8 → 12")


def test_added_and_removed_agents_tools_and_edges():
    old = example_yaml("customer_support.yaml")

    def edit(d: dict[str, Any]) -> None:
        del d["agents"]["supervisor"]
        d["agents"]["writer"] = {"description": "Writes.", "system_message": "You write."}
        d["tools"] = {"search": {"builtin": "calculator"}}
        d["orchestration"]["edges"].append({"from": "resolver", "to": "writer"})

    changes = team_changes(old, edit_yaml(old, edit))
    got = [(c.path, c.kind) for c in changes]
    assert got == [
        ("agents.supervisor", "removed"), ("agents.writer", "added"), ("tools", "added"),
        ("orchestration.edges[4]", "added"),
    ]
    assert changes[3].new == "{from: resolver, to: writer}"
    assert change_summary(old, edit_yaml(old, edit)) == "supervisor removed; writer added; tools added (+1 more)"


def test_a_changed_pattern_and_participant_list():
    old = example_yaml("campaign_group_chat.yaml")
    new = edit_yaml(old, lambda d: d["orchestration"].update(participants=["designer", "strategist", "copywriter"]))
    [change] = team_changes(old, new)
    assert (change.path, change.old, change.new) == (
        "orchestration.participants", "[strategist, designer, copywriter]", "[designer, strategist, copywriter]")
    assert change_summary(old, new) == "orchestration.participants edited"


@pytest.mark.parametrize("broken", ["name: [unclosed", "", "- just\n- a list\n"])
def test_an_unreadable_snapshot_is_one_change_saying_so(broken: str):
    good = example_yaml(REPORT)
    [change] = team_changes(broken, good)
    assert change.path == "snapshot" and change.new is not None
    assert change.new.startswith("the earlier team snapshot could not be read: ")
    [later] = team_changes(good, broken)
    assert later.new is not None and later.new.startswith("the later team snapshot could not be read")
    assert change_summary(good, broken).startswith("the later team snapshot could not be read")


def test_an_old_snapshot_that_no_longer_validates_still_diffs():
    """An unknown key (a format change) makes TeamSpec refuse the file; the diff reads it anyway."""
    old = example_yaml(REPORT) + "retired_key: 1\n"
    assert parse_team(old).spec is None
    new = edit_yaml(example_yaml(REPORT), lambda d: d["termination"].update(max_messages=6))
    assert [(c.path, c.kind) for c in team_changes(old, new)] == [
        ("termination.max_messages", "changed"), ("retired_key", "removed")]


def test_word_diff_keeps_changes_whole():
    assert word_diff("the quick brown fox", "the slow red fox") == [
        ("=", "the "), ("-", "quick brown"), ("+", "slow red"), ("=", " fox")]
    assert word_diff("a b", "a b c") == [("=", "a b"), ("+", " c")]
    assert word_diff("", "new text") == [("+", "new text")]


def test_a_number_written_as_10_or_10_0_is_no_change():
    from designer.core.team_diff import change_summary, team_changes

    old = "schema: team-designer/v1\nname: t\nmodels:\n  m: {provider: openai, model: x, prices: {input: 2.5, output: 10}}\n"
    new = old.replace("output: 10}", "output: 10.0}")
    assert team_changes(old, new) == [] and change_summary(old, new) == ""
    assert team_changes(old, old.replace("output: 10}", "output: 11}"))[0].path == "models.m.prices.output"
