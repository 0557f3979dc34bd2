"""Loading is safe: hostile or broken files give one located line each, never a traceback or execution."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from designer.core.yamlio import MAX_BYTES, load_team, parse_team

GOOD = b"""schema: team-designer/v1
name: ok
agents:
  a: {}
orchestration: {pattern: sequential, order: [a]}
"""


def only_problem(data: bytes | str):
    result = parse_team(data, "team.yaml")
    assert result.spec is None
    assert len(result.problems) == 1, [p.format() for p in result.problems]
    problem = result.problems[0]
    assert "\n" not in problem.format() and "Traceback" not in problem.format()
    return problem


def test_a_good_file_loads():
    result = parse_team(GOOD, "team.yaml")
    assert result.problems == [] and result.spec.name == "ok"
    assert result.positions[("agents", "a")] == (4, 6)


def test_python_tags_are_refused_and_never_run(tmp_path: Path):
    marker = tmp_path / "pwned"
    hostile = GOOD + f'extra: !!python/object/apply:os.system ["touch {marker}"]\n'.encode()
    problem = only_problem(hostile)
    assert "tag:yaml.org,2002:python/object/apply:os.system" in problem.message
    assert (problem.line, problem.column) == (6, 8)
    assert not marker.exists()


@pytest.mark.parametrize("tagged", ["x: !custom 1", "x: !!binary aGVsbG8=", "x: !!set {a, b}", "x: !!omap [a: 1]"])
def test_non_standard_tags_are_refused(tagged: str):
    problem = only_problem(GOOD + tagged.encode() + b"\n")
    assert "is not allowed in a team file" in problem.message and problem.line == 6


def test_duplicate_keys_name_both_lines():
    problem = only_problem(b"schema: team-designer/v1\nname: a\nname: b\n")
    assert problem.message == "duplicate key 'name' (first defined on line 2)"
    assert (problem.line, problem.column) == (3, 1)


def test_several_documents_are_refused():
    problem = only_problem(GOOD + b"---\nname: second\n")
    assert "more than one YAML document" in problem.message and problem.line == 6


def test_alias_bombs_are_refused_before_expansion():
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(10))}]")
    problem = only_problem("\n".join(lines) + "\n")
    assert "alias bomb" in problem.message


def test_recursive_aliases_are_refused():
    problem = only_problem("a: &a [1, *a]\n")
    assert "recursive" in problem.message


def test_deep_nesting_is_refused():
    problem = only_problem("x: " + "[" * 60 + "]" * 60 + "\n")
    assert "nested more than" in problem.message


def test_oversized_files_are_refused():
    problem = only_problem(GOOD + b"# " + b"x" * MAX_BYTES + b"\n")
    assert "larger than" in problem.message


def test_non_utf8_input_is_located():
    problem = only_problem(b"schema: team-designer/v1\nname: caf\xe9\n")
    assert problem.message == "the file is not valid UTF-8 (byte 0xe9)"
    assert (problem.line, problem.column) == (2, 10)


def test_a_byte_order_mark_is_accepted():
    assert parse_team(b"\xef\xbb\xbf" + GOOD).spec is not None


def test_syntax_errors_are_one_located_line():
    problem = only_problem(b"schema: team-designer/v1\nname: [unclosed\n")
    assert problem.message.startswith("YAML syntax:") and problem.line is not None


def test_merge_keys_are_refused():
    problem = only_problem(b"base: &b {x: 1}\nother:\n  <<: *b\n")
    assert "merge keys" in problem.message


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"- a\n- b\n", "a team file is a mapping of keys (schema, name, agents, ...)"),
        (b"name: x\n", "not a team file: the first key should be 'schema: team-designer/v1'"),
        (b"schema: team-designer/v9\nname: x\n",
         "this file uses format 'team-designer/v9'; this version of Team Designer reads 'team-designer/v1'"),
        (b"schema: other/v1\n", "unknown format 'other/v1'"),
    ],
)
def test_not_team_files(data: bytes, message: str):
    assert only_problem(data).message == message


def test_structural_errors_carry_dotted_paths_and_positions():
    result = parse_team(
        b"schema: team-designer/v1\nname: x\nagents:\n  a: {kind: robot, colour: red}\n"
        b"orchestration: {pattern: sequential, order: [a]}\n",
        "t.yaml",
    )
    found = {(p.dotted_path, p.line, p.column): p.message for p in result.problems}
    assert found[("agents.a.kind", 4, 13)].startswith("Input should be 'assistant'")
    assert found[("agents.a.colour", 4, 28)] == "unknown key 'colour'"


def test_literal_api_keys_are_refused():
    result = parse_team(
        b"schema: team-designer/v1\nname: x\nmodels:\n  m: {provider: openai, model: gpt-4o, api_key: sk-abc123}\n"
        b"agents:\n  a: {}\norchestration: {pattern: sequential, order: [a]}\n"
    )
    assert result.spec is None
    assert result.problems[0].dotted_path == "models.m.api_key"
    assert "env:" in result.problems[0].message and "sk-abc123" not in result.problems[0].message


def test_unknown_pattern_lists_the_patterns():
    result = parse_team(b"schema: team-designer/v1\nname: x\norchestration: {pattern: mesh}\n")
    assert result.problems[0].message.startswith("unknown pattern; use one of: sequential, hierarchical")


def test_a_missing_file_is_a_problem(tmp_path: Path):
    result = load_team(tmp_path / "nope.yaml")
    assert result.spec is None and result.problems[0].message.startswith("cannot read the file")


def test_dates_stay_text():
    result = parse_team(GOOD.replace(b"name: ok", b"name: 2024-01-01"))
    assert result.spec.name == "2024-01-01"


# --- numbers, NUL characters -----------------------------------------------------------------


@pytest.mark.parametrize("number", ["9" * 5000, "-" + "9" * 5000, "0x" + "f" * 5000, "0" + "7" * 5000, "0b" + "1" * 5000,
                                    "1" + ":00" * 40, "9223372036854775808", "-9223372036854775808"])
def test_integers_beyond_64_bits_are_one_located_problem(number: str):
    problem = only_problem(GOOD + f"description: x\nlayout: {{nodes: {{a: {{x: {number}, y: 0}}}}}}\n".encode())
    assert problem.message == "the number is too large: integers in a team file are at most 2**63 - 1"
    assert problem.path == ("layout", "nodes", "a", "x") and (problem.line, problem.column) == (7, 25)


def test_the_largest_64_bit_integer_is_a_number_like_any_other():
    text = GOOD + b"models: {m: {options: {seed: 9223372036854775807}}, n: {options: {seed: -9223372036854775807}}}\n"
    result = parse_team(text, "team.yaml")
    assert result.problems == [] and result.spec.models["m"].options.seed == 2**63 - 1
    assert result.spec.models["n"].options.seed == -(2**63 - 1)


@pytest.mark.parametrize("place", ["name", "description", "agents.a.system_message"])
def test_a_nul_character_anywhere_is_refused_where_it_is(place: str):
    text = GOOD.decode().replace("name: ok", 'name: "o\\0k"') if place == "name" else (
        GOOD.decode() + 'description: "x\\0"\n' if place == "description"
        else GOOD.decode().replace("a: {}", 'a: {system_message: "hi\\0"}'))
    problem = only_problem(text)
    assert problem.message == "the text contains a NUL character (\\0)" and problem.dotted_path == place


def test_a_nul_character_in_a_key_is_refused_too():
    problem = only_problem(GOOD.decode().replace("a: {}", '"a\\0": {}'))
    assert "NUL character" in problem.message and (problem.line, problem.column) == (4, 3)


# --- files that are not regular files (in-process only where nothing can block) -----------------


def test_a_folder_a_device_and_a_symlink_loop_are_refused(tmp_path: Path):
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    for path, reason in ((tmp_path, "it is a folder, not a regular file"),
                         (Path(os.devnull), "it is a device, not a regular file"),
                         (loop, "Too many levels of symbolic links")):
        result = load_team(path)
        assert result.spec is None and [p.message for p in result.problems] == [f"cannot read the file: {reason}"]
