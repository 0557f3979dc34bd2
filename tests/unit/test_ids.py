"""Free-text names as ids: one mapping (designer.core.ids.to_identifier) for imports and the window."""

from __future__ import annotations

import pytest

from designer.core.id_edits import rename_agent_to, typed_name_hint
from designer.core.ids import MAX_ID_LEN, to_identifier
from designer.core.oai_config import import_oai_config
from designer.core.records_base import is_identifier
from designer.core.edits import new_team


@pytest.mark.parametrize(("name", "expected"), [
    ("Research Lead", "research_lead"),
    ("  Research   Lead  ", "research_lead"),
    ("Research & Report", "research_and_report"),
    ("GPT-4o mini", "gpt_4o_mini"),
    ("Café crème", "cafe_creme"),  # accents transliterated
    ("日本語", "agent"),  # nothing ASCII left
    ("日本 bot", "bot"),
    ("", "agent"),
    ("---", "agent"),
    ("2nd opinion", "agent_2nd_opinion"),  # an id cannot start with a digit
    ("writer", "writer"),
    ("CamelCase", "CamelCase"),  # already an id: kept as written
    ("_private", "_private"),
])
def test_names_map_to_valid_ids(name: str, expected: str) -> None:
    got = to_identifier(name)
    assert got == expected and is_identifier(got)


def test_collisions_reserved_ids_and_length() -> None:
    assert to_identifier("Research Lead", {"research_lead"}) == "research_lead_2"
    assert to_identifier("Research Lead", {"research_lead", "research_lead_2"}) == "research_lead_3"
    assert to_identifier("User") == "User" and to_identifier("user") == "user_2"  # 'user' is AgentChat's
    assert to_identifier("team") == "team_2"
    assert to_identifier("digits first", fallback="model", reserved=()) == "digits_first"
    assert to_identifier("4o", fallback="model") == "model_4o"
    long = "a very long agent name " * 10
    got = to_identifier(long)
    assert len(got) <= MAX_ID_LEN and is_identifier(got) and not got.endswith("_")
    second = to_identifier(long, {got})
    assert second != got and len(second) <= MAX_ID_LEN and second.endswith("_2") and is_identifier(second)


def test_oai_config_model_names_become_ids_through_the_same_function() -> None:
    entries = [{"model": "GPT-4o mini"}, {"model": "01-ai/Yi 34B", "base_url": "http://127.0.0.1:9/v1"},
               {"model": "Llama 3.1 (8B)", "base_url": "http://127.0.0.1:8/v1"}]
    report = import_oai_config(new_team(), entries, store=lambda *a, **k: None)
    assert report.added == ["gpt_4o_mini", "model_01_ai_yi_34b", "llama_3_1_8b"]
    assert all(is_identifier(m) for m in report.spec.models)


def test_renaming_to_a_name_with_spaces_uses_the_mapped_id() -> None:
    spec = new_team()
    old = next(iter(spec.agents))
    renamed, new = rename_agent_to(spec, old, "Research Lead")
    assert new == "research_lead" and "research_lead" in renamed.agents and old not in renamed.agents
    hint = typed_name_hint(spec, old, "Research Lead")
    assert hint is not None and "“research_lead”" in hint
    assert "reserved" in (typed_name_hint(spec, old, "user") or "")  # an id is judged as typed


def test_new_ids_made_by_the_edits_use_the_same_mapping() -> None:
    from designer.core.edits import unique_id

    assert unique_id([], "café") == "cafe"  # was kept as 'café', which no file accepts
    assert unique_id(["agent"], "agent") == "agent_2" and unique_id([], "user") == "user_proxy"
    assert unique_id([], "2x") == "agent_2x" and unique_id([], "") == "agent"
