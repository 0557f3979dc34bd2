"""Saving: deterministic, readable, atomic; examples round-trip byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designer.core.teamfile import dump_team, save_team
from designer.core.validate import validate_file, validate_text
from designer.core.yamlio import load_team, parse_team
from tests.conftest import example_files

SMALL = """schema: team-designer/v1
name: Small
agents:
  writer:
    description: Writes things.
    system_message: |
      You write.
      Line two.
orchestration: {pattern: sequential, order: [writer]}
"""


def test_there_are_seven_examples():
    assert len(example_files()) == 7


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_validates_without_problems(path: Path):
    result = validate_file(path)
    assert result.spec is not None and [p.format() for p in result.problems] == []


@pytest.mark.parametrize("path", example_files(), ids=lambda p: p.name)
def test_every_example_resaves_byte_identical(path: Path, tmp_path: Path):
    original = path.read_bytes()
    copy = tmp_path / path.name
    save_team(load_team(path).spec, copy)
    assert copy.read_bytes() == original


def test_prompts_are_block_scalars_and_the_default_bound_is_written():
    text = dump_team(parse_team(SMALL).spec)
    assert "    system_message: |\n      You write.\n      Line two.\n" in text
    assert text.rstrip().endswith("termination: {max_messages: 20, timeout: 600.0}")
    # ... and a second save of the result is stable.
    assert dump_team(parse_team(text).spec) == text


def test_layout_is_its_own_block_after_the_design():
    spec = parse_team(SMALL + "layout:\n  nodes:\n    writer: {x: 10.0, y: 20.0}\n").spec
    text = dump_team(spec)
    assert text.index("termination:") < text.index("layout:")
    assert "    writer: {x: 10.0, y: 20.0}\n" in text


def test_tricky_strings_survive():
    spec = parse_team(SMALL).spec
    for value in ["yes", "null", "1.0", "a: b", "# not a comment", "trailing space \nline", "tab\tand 'quotes' \"too\"", "ünïcödé ✓", "{braces}"]:
        spec.agents["writer"].description = value
        again = parse_team(dump_team(spec)).spec
        assert again.agents["writer"].description == value


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    target = tmp_path / "team.yaml"
    target.write_text("precious original\n")
    spec = parse_team(SMALL).spec

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        save_team(spec, target)
    assert target.read_text() == "precious original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["team.yaml"]
    monkeypatch.undo()
    save_team(spec, target)
    assert target.read_text() == dump_team(spec)
    assert [p.name for p in tmp_path.iterdir()] == ["team.yaml"]


def test_save_keeps_the_file_mode(tmp_path: Path):
    target = tmp_path / "team.yaml"
    target.write_text("x")
    target.chmod(0o600)
    save_team(parse_team(SMALL).spec, target)
    assert target.stat().st_mode & 0o777 == 0o600


def test_saving_never_writes_secrets():
    spec = validate_text(SMALL.replace(
        "agents:", "models:\n  m: {provider: openai, model: gpt-4o, api_key: 'env:OPENAI_API_KEY'}\nagents:"
    )).spec
    assert "api_key: env:OPENAI_API_KEY" in dump_team(spec)
