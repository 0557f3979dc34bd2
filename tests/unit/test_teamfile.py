"""Saving: deterministic, readable, atomic; examples round-trip byte for byte."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from designer.core import teamfile
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


def _specs():
    specs = [load_team(p).spec for p in example_files()]
    assert all(s is not None for s in specs)
    return specs


def test_the_examples_cover_every_pattern_and_each_capability_issue_12_asks_an_example_for():
    """Every registered pattern, and a nested team, a selector with allowed transitions, a graph with
    activation groups, a structured-output agent and a hand-off to the user, each have an example."""
    from designer.core.patterns import registered

    specs = _specs()
    assert {r.name for r in registered()} <= {s.orchestration.pattern for s in specs}
    agents = [a for s in specs for a in s.agents.values()]
    assert any(a.kind == "team" for a in agents)
    assert any(a.output_schema for a in agents)
    assert any("user" in a.handoffs for a in agents)
    assert any(getattr(s.orchestration, "allowed_transitions", None) for s in specs)
    assert any(e.group for s in specs for e in getattr(s.orchestration, "edges", []))


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
    for value in [
        "yes", "null", "1.0", "a: b", "# not a comment", "trailing space \nline", "tab\tand 'quotes' \"too\"", "ünïcödé ✓", "{braces}",
    ]:
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


# --- where saves can fail, and what killed saves leave behind --------------------------------


def test_a_250_byte_file_name_can_be_saved(tmp_path: Path):
    target = tmp_path / ("x" * 245 + ".yaml")
    spec = parse_team(SMALL).spec
    save_team(spec, target)
    assert load_team(target).spec == spec and [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.parametrize("where", ["a folder", "a missing folder"])
def test_saving_onto_a_folder_or_into_a_missing_one_is_an_oserror_with_a_plain_reason(tmp_path: Path, where: str):
    target = tmp_path / "team.yaml"
    if where == "a folder":
        target.mkdir()
    else:
        target = tmp_path / "gone" / "team.yaml"
    with pytest.raises(OSError) as caught:
        save_team(parse_team(SMALL).spec, target)
    assert caught.value.strerror == ("it is a folder" if where == "a folder" else "the folder does not exist")


def temp_name(target: Path, pid: int, tail: str = "abcd1234") -> Path:
    """A temporary file named as atomic_write names its own (see teamfile._TEMP_RE)."""
    return target.parent / f".td-{teamfile._name_hash(target.name)}-{pid}-{tail}.tmp"


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_save_removes_stale_temporary_files_of_its_target_only(tmp_path: Path):
    target = tmp_path / "team.yaml"
    other = tmp_path / "other.yaml"
    killed = temp_name(target, dead_pid())
    live = temp_name(target, os.getpid(), "live5678")
    abandoned = temp_name(target, os.getpid(), "old09876")  # a live pid, but an hour old: a reused pid
    not_ours = temp_name(other, dead_pid())
    legacy_old = tmp_path / ".team.yaml.k2j4h5g6.tmp"  # the naming before, no pid: by age only
    legacy_new = tmp_path / ".team.yaml.q1w2e3r4.tmp"
    unrelated = tmp_path / ".team.yaml.notes.tmp"
    for path in (killed, live, abandoned, not_ours, legacy_old, legacy_new, unrelated):
        path.write_text("partial")
    hour_ago = time.time() - 3600
    for path in (abandoned, legacy_old, unrelated):
        os.utime(path, (hour_ago, hour_ago))
    save_team(parse_team(SMALL).spec, target)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted(p.name for p in (target, live, not_ours, legacy_new, unrelated))
    assert teamfile.remove_stale_temps(other) == [not_ours]


def test_the_temporary_file_of_a_save_is_short_and_names_the_saving_process(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch):
    seen: list[str] = []
    real_replace = os.replace

    def spy(src: str, dst: str) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    target = tmp_path / ("y" * 245 + ".yaml")
    save_team(parse_team(SMALL).spec, target)
    assert len(seen) == 1 and len(seen[0]) < 40
    assert seen[0].startswith(f".td-{teamfile._name_hash(target.name)}-{os.getpid()}-") and seen[0].endswith(".tmp")
