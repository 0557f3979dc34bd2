"""Each pattern has one home in core, and the runtime compiles exactly the patterns core knows.

The edits, the diagram and the validator reach a pattern only through its rules, so these
tests hold every registered pattern to the same contract instead of naming the six."""

from __future__ import annotations

import pytest

from designer.core import diagram, edits
from designer.core.patterns import PATTERNS, registered, rules_for
from designer.core.spec import TeamSpec
from designer.core.validate import validate_spec
from designer.runtime.patterns import compiled_patterns


def test_the_runtime_compiles_exactly_the_patterns_core_registers():
    assert compiled_patterns() == set(PATTERNS)


def test_the_file_format_union_is_the_registry_in_picker_order():
    """The JSON Schema (and so resources/) stays stable: the union follows each pattern's order."""
    orders = [r.order for r in registered()]
    assert orders == sorted(orders) and len(set(orders)) == len(orders)
    schema = TeamSpec.model_json_schema(by_alias=True)
    union = schema["properties"]["orchestration"]["oneOf"]
    assert [ref["$ref"].rsplit("/", 1)[1] for ref in union] == [r.spec_type.__name__ for r in registered()]


def _team(pattern: str, agents: list[str]) -> TeamSpec:
    spec = edits.new_team()
    for agent_id in agents[1:]:
        spec, _ = edits.add_agent(spec, agent_id=agent_id)
    spec = edits.rename_agent(spec, "assistant", agents[0])
    return edits.set_pattern(spec, pattern).spec


@pytest.mark.parametrize("pattern", PATTERNS)
def test_switching_to_a_pattern_keeps_every_agent_and_validates(pattern: str):
    """from_members makes a design that is valid at once (three agents, none with tools)."""
    spec = _team(pattern, ["a", "b", "c"])
    assert spec.orchestration.pattern == pattern
    assert set(spec.participants()) == {"a", "b", "c"}
    assert [p.message for p in validate_spec(spec) if p.severity == "error"] == []


@pytest.mark.parametrize("pattern", PATTERNS)
def test_renaming_and_removing_an_agent_follow_in_every_pattern(pattern: str):
    spec = _team(pattern, ["a", "b", "c"])
    renamed = edits.rename_agent(spec, "b", "bee")
    assert "b" not in renamed.participants() and "bee" in renamed.participants()
    removed = edits.remove_agents(renamed, ["c"])
    assert set(removed.participants()) == {"a", "bee"}
    # Nothing the canvas draws or the validator reads names the removed agent.
    assert all("c" not in (c.source, c.target) for c in diagram.connections(removed))
    assert all("'c'" not in p.message for p in validate_spec(removed))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_automatic_layout_places_every_agent_once(pattern: str):
    spec = _team(pattern, ["a", "b", "c", "d"])
    spec, _ = edits.add_agent(spec, agent_id="loner")
    pos = diagram.auto_layout(spec)
    assert set(pos) == set(spec.agents)
    assert len(set(pos.values())) == len(pos), "no two agents share a place"


def test_a_drag_means_what_the_pattern_says():
    """One gesture, six meanings: the pattern decides, and says no in words where it means nothing."""
    results = {}
    for pattern in PATTERNS:
        spec = _team(pattern, ["a", "b", "c"])
        spec = edits.disconnect(spec, "a", "b") if pattern in ("sequential", "graph") else spec
        try:
            after = edits.connect(spec, "c", "a")
        except edits.EditError as exc:
            results[pattern] = f"refused: {exc}"
            continue
        results[pattern] = sorted((c.source, c.target, c.kind) for c in diagram.connections(after)
                                  if (c.source, c.target) == ("c", "a"))
    assert results["graph"] == [("c", "a", "graph")]
    assert results["swarm"] == [("c", "a", "handoff")]
    assert results["sequential"] == [("c", "a", "sequence")]
    assert results["hierarchical"] == "refused: only the coordinator (a) delegates to workers"
    assert results["round_robin"].startswith("refused: in a round robin chat everyone takes part")
    assert results["selector"].startswith("refused: in a selector chat everyone takes part")


def test_rules_for_names_and_records_agree():
    for rules in registered():
        record = rules.from_members(["x"])
        assert record.pattern == rules.name and rules_for(record) is rules and rules_for(rules.name) is rules
