"""Model-library edits: references follow a renamed or removed model, so no id dangles."""

from __future__ import annotations

import textwrap

import pytest

from designer.core import edits
from designer.core.yamlio import parse_team

TEAM = """
schema: team-designer/v1
name: t
default_model: fast
models:
  fast: {provider: embedded}
  big: {provider: openai, model: gpt-4o-mini, api_key: 'env:OPENAI_API_KEY'}
agents:
  a: {model: fast}
  b: {model: big}
  c: {}
orchestration: {pattern: selector, participants: [a, b, c], selector_model: fast}
"""


def spec():
    result = parse_team(textwrap.dedent(TEAM))
    assert result.spec is not None, result.problems
    return result.spec


def test_rename_model_keeps_order_and_moves_references():
    before = spec()
    after = edits.rename_model(before, "fast", "quick")
    assert list(after.models) == ["quick", "big"]
    assert after.models["quick"] == before.models["fast"]
    assert after.default_model == "quick"
    assert after.agents["a"].model == "quick" and after.agents["b"].model == "big" and after.agents["c"].model is None
    assert after.orchestration.selector_model == "quick"
    assert before.models.keys() == {"fast", "big"}  # the input is never mutated


@pytest.mark.parametrize("new, message", [("big", "already exists"), ("9lives", "letters, digits"), ("", "letters, digits")])
def test_rename_model_refuses_bad_ids(new: str, message: str):
    with pytest.raises(edits.EditError, match=message):
        edits.rename_model(spec(), "fast", new)


def test_rename_model_to_itself_is_no_change():
    before = spec()
    assert edits.rename_model(before, "fast", " fast ") is before


def test_remove_model_falls_back_to_the_default():
    after = edits.remove_model(spec(), "fast")
    assert list(after.models) == ["big"]
    assert after.default_model is None
    assert after.agents["a"].model is None and after.agents["b"].model == "big"
    assert after.orchestration.selector_model is None


def test_remove_unknown_model_is_no_change():
    before = spec()
    assert edits.remove_model(before, "nope") is before


def test_set_agent_field_can_set_the_model():
    """Regression: ``model`` used to collide with the copy helper's parameter name (TypeError)."""
    after = edits.set_agent_field(spec(), "c", "model", "big")
    assert after.agents["c"].model == "big"
    assert edits.set_agent_field(after, "c", "model", None).agents["c"].model is None
