"""Reading an evaluation file: a good one becomes variants, tasks and jobs in a fixed order; a
malformed one gives one located problem on the line at fault, and never a traceback."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from designer.core.eval_file import load_eval, make_jobs
from designer.core.eval_spec import MAX_RUNS
from tests.conftest import TEAMS

TEAM = "rectangle_area.yaml"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(TEAMS / TEAM, tmp_path / TEAM)
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


GOOD = """\
    schema: team-designer-eval/v1
    name: Rectangles
    team: rectangle_area.yaml
    variants:
      terse:
        system_messages: {geometry_assistant: "Reply with the number only."}
      cold:
        options: {temperature: 0}
        termination: {max_messages: 3}
    models:
      judge: {provider: embedded}
    judge: judge
    tasks_file: rects.csv
    tasks:
      - name: square
        inputs: {length: 3, width: 3}
        checks: [{type: contains, value: "9"}]
        repeats: 2
      - name: custom
        task: "Area of {length} by {width}, please."
        inputs: {length: 2, width: 5}
        threshold: 0.5
        checks: [{type: llm-rubric, value: "gives the area"}]
    defaults:
      checks: [{type: tool-called, value: calculate_rectangle_area}]
      threshold: 1.0
"""


def test_a_good_file_gives_variants_tasks_and_defaults(folder: Path):
    write(folder, "rects.csv", "length,width,__expected,__name\n2,5,contains: 10,ten\n4,4,16,\n")
    loaded = load_eval(write(folder, "good.eval.yaml", GOOD))
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert loaded.name == "Rectangles"
    assert [v.id for v in loaded.variants] == ["base", "terse", "cold"]
    base, terse, cold = loaded.variants
    assert "judge: {provider: embedded}" in base.text  # the file's model entries are added to every variant
    assert terse.spec.agents["geometry_assistant"].system_message == "Reply with the number only."
    assert base.spec.agents["geometry_assistant"].system_message.startswith("You are a geometry assistant.")
    assert cold.spec.models["smollm2"].options.temperature == 0
    assert cold.spec.models["smollm2"].options.seed == 42  # other options kept
    assert cold.spec.termination.max_messages == 3 and cold.spec.termination.timeout == 180.0
    assert all("judge" in v.spec.models for v in loaded.variants)
    tasks = {t.id: t for t in loaded.tasks}
    assert list(tasks) == ["square", "custom", "ten", "length=4, width=4"]
    assert [c.type for c in tasks["square"].checks] == ["tool-called", "contains"]  # defaults first
    assert (tasks["square"].repeats, tasks["square"].threshold) == (2, 1.0)
    assert (tasks["custom"].repeats, tasks["custom"].threshold) == (1, 0.5)
    assert [(c.type, c.value) for c in tasks["ten"].checks[1:]] == [("contains", "10")]
    assert [(c.type, c.value) for c in tasks["length=4, width=4"].checks[1:]] == [("equals", "16")]
    assert tasks["ten"].case.inputs == {"length": "2", "width": "5"}


def test_jobs_come_in_variant_task_repeat_order(folder: Path):
    write(folder, "rects.csv", "length,width\n2,5\n")
    loaded = load_eval(write(folder, "good.eval.yaml", GOOD))
    jobs = make_jobs(loaded)
    per_variant = [("square", 0), ("square", 1), ("custom", 0), ("length=2, width=5", 0)]
    assert [(j.variant, j.task_id, j.repeat) for j in jobs] == [
        (v, t, r) for v in ("base", "terse", "cold") for t, r in per_variant]
    assert [j.index for j in jobs] == list(range(12))
    first, custom = jobs[0], jobs[2]
    assert first.task == "What is the area of a rectangle with length 3 and width 3?"
    assert custom.task == "Area of 2 by 5, please."
    assert [c["type"] for c in first.checks] == ["tool-called", "contains"]
    assert first.models == ["smollm2"] and custom.models == ["judge", "smollm2"]
    assert custom.judges["judge"]["provider"] == "embedded" and not first.judges
    assert first.timeout == 180.0 + 60  # the team's own time bound, with a margin before it counts as hung
    assert jobs[4].team_text != first.team_text and "Reply with the number only." in jobs[4].team_text


@pytest.mark.parametrize(("text", "count"), [("terse", 4), ("SQUARE", 6), ("please", 3), ("width=5", 3), ("nothing", 0)])
def test_filter_keeps_the_variants_and_tasks_that_match(folder: Path, text: str, count: int):
    write(folder, "rects.csv", "length,width\n2,5\n")
    loaded = load_eval(write(folder, "good.eval.yaml", GOOD))
    jobs = make_jobs(loaded, filter_text=text)
    assert len(jobs) == count
    assert [j.index for j in jobs] == list(range(count))


def test_tasks_from_jsonl_rows_and_task_objects(folder: Path):
    rows = [{"length": 2, "width": 5, "__expected": "icontains: ten"},
            {"name": "big", "inputs": {"length": 100, "width": 3}, "checks": [{"type": "regex", "value": "300"}],
             "repeats": 3}]
    write(folder, "rects.jsonl", "\n".join(json.dumps(r) for r in rows) + "\n\n")
    loaded = load_eval(write(folder, "e.eval.yaml", """\
        schema: team-designer-eval/v1
        team: rectangle_area.yaml
        tasks_file: rects.jsonl
        defaults: {repeats: 2}
    """))
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert loaded.name == "e.eval"
    assert loaded.variants[0].text == (folder / TEAM).read_text(encoding="utf-8")  # used as it is: comments and all
    assert [(t.id, t.repeats, [(c.type, c.value) for c in t.checks]) for t in loaded.tasks] == [
        ("length=2, width=5", 2, [("icontains", "ten")]), ("big", 3, [("regex", "300")])]
    assert len(make_jobs(loaded)) == 5


# Each malformed file: its text, other files beside it, words of the one problem, the line it is on.
RECT = "schema: team-designer-eval/v1\nteam: rectangle_area.yaml\n"
TASKS = "tasks:\n  - name: square\n    inputs: {length: 3, width: 3}\n    checks: [{type: contains, value: '9'}]\n"
BROKEN_TEAM = ("schema: team-designer/v1\nname: b\nagents: {a: {model: nope}}\n"
               "orchestration: {pattern: sequential, order: [a]}\n")
MALFORMED: dict[str, tuple[str, dict[str, str], str, int]] = {
    "bad YAML": (RECT + "tasks:\n  - name: [unclosed\n", {}, "YAML syntax", 5),
    "wrong schema": ("schema: team-designer/v1\nteam: rectangle_area.yaml\n" + TASKS, {},
                     "not an evaluation file", 1),
    "unknown key": (RECT + "colour: blue\n" + TASKS, {}, "unknown key 'colour'", 3),
    "unknown check type": (RECT + TASKS.replace("type: contains", "type: containz"), {}, "unknown check 'containz'", 6),
    "check value of the wrong type": (RECT + TASKS.replace("value: '9'", "value: [9]"), {},
                                      "contains needs 'value': a text", 6),
    "regex that does not compile": (RECT + TASKS.replace("type: contains, value: '9'", "type: regex, value: '(9'"), {},
                                    "the regex does not compile", 6),
    "unknown agent in system_messages": (RECT + TASKS + "variants:\n  terse:\n    system_messages: {nobody: hi}\n", {},
                                         "no agent 'nobody' in the team (its agents: geometry_assistant)", 9),
    "unknown model in a variant": (RECT + TASKS + "variants:\n  other:\n    model: gpt9\n", {},
                                   "unknown model 'gpt9'", 9),
    "missing team file": ("schema: team-designer-eval/v1\n" + TASKS + "team: nope.yaml\n", {},
                          "no team file nope.yaml in ", 6),
    "team file with problems": (RECT + TASKS + "variants:\n  v:\n    team: broken.yaml\n", {"broken.yaml": BROKEN_TEAM},
                                "unknown model 'nope'", 9),
    "CSV with a short row": (RECT + "tasks_file: rects.csv\n", {"rects.csv": "length,width\n2,5\n3\n"},
                             "rects.csv: line 3 has fewer cells than the header", 3),
    "JSONL with a bad line": (RECT + "tasks_file: rects.jsonl\n", {"rects.jsonl": '{"length": 2}\n{"length": 3,\n'},
                              "rects.jsonl:2: not JSON", 3),
    "duplicate task names": (RECT + TASKS + "  - name: square\n    inputs: {length: 1, width: 1}\n", {},
                             "two tasks are named 'square'", 7),
    "a task missing a placeholder input": (RECT + TASKS + "  - name: tall\n    task: 'Area with height {height}?'\n", {},
                                           "task tall: the task needs a value for {height}", 7),
    "too many runs": (RECT + TASKS.replace("checks:", "repeats: 100\n    checks:") + "variants:\n"
                      + "".join(f"  v{i}: {{description: copy {i}}}\n" for i in range(MAX_RUNS // 100 + 20)), {},
                      "the evaluation would make 12,100 runs; at most 10,000 are allowed", 6),
}


@pytest.mark.parametrize(("text", "files", "said", "line"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_file_gives_one_located_problem(folder: Path, text: str, files: dict[str, str], said: str, line: int):
    for name, content in files.items():
        write(folder, name, content)
    path = write(folder, "bad.eval.yaml", text)
    loaded = load_eval(path)
    assert not loaded.ok
    assert len(loaded.problems) == 1, [p.format() for p in loaded.problems]
    problem = loaded.problems[0]
    assert said in problem.message
    assert (problem.file, problem.line) == (str(path), line), problem.format()
    formatted = problem.format()
    assert formatted.startswith(f"{path}:{line}:") and "\n" not in formatted and "Traceback" not in formatted


def test_a_missing_or_unreadable_evaluation_file_is_a_problem_too(folder: Path):
    missing = load_eval(folder / "absent.eval.yaml")
    assert not missing.ok and "cannot read the file" in missing.problems[0].message
    folder_itself = load_eval(folder)
    assert not folder_itself.ok and len(folder_itself.problems) == 1
    assert load_eval(write(folder, "list.eval.yaml", "- a\n- b\n")).problems[0].message.startswith(
        "an evaluation file is a mapping")


def test_no_prefix_of_a_good_file_raises(folder: Path):
    """Every file a user has half written (each line cut, each value dropped) loads to problems or a plan."""
    write(folder, "rects.csv", "length,width\n2,5\n")
    lines = textwrap.dedent(GOOD).splitlines(keepends=True)
    texts = ["".join(lines[:n]) for n in range(len(lines) + 1)]
    texts += ["".join(lines[:n]) + line.split(":")[0] + ":\n" + "".join(lines[n + 1:]) for n, line in enumerate(lines)]
    for n, text in enumerate(texts):
        path = write(folder, f"cut{n}.eval.yaml", text)
        loaded = load_eval(path)  # must not raise
        assert loaded.ok or loaded.problems, text
        if loaded.ok:
            make_jobs(loaded)
        assert all("\n" not in p.format() for p in loaded.problems)


def test_validate_checks_an_evaluation_file_as_eval_reads_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from designer.cli.main import main

    shutil.copy(TEAMS / "rectangle_area.yaml", tmp_path / "rect.yaml")
    good, bad = tmp_path / "good.eval.yaml", tmp_path / "bad.eval.yaml"
    good.write_text("schema: team-designer-eval/v1\nteam: rect.yaml\ntasks: [{name: t}]\n")
    bad.write_text("schema: team-designer-eval/v1\nteam: rect.yaml\n"
                   "tasks: [{name: t, checks: [{type: json-schema, value: {type: 12}}]}]\n")
    assert main(["validate", str(good)]) == 0
    assert capsys.readouterr().out.strip() == f"{good}: ok"
    assert main(["validate", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"{bad}:3:") and "JSON Schema is not valid" in err[0]


def test_a_variants_team_differs_from_the_base_only_where_the_variant_changes_it():
    from designer.core.team_diff import change_summary

    loaded = load_eval(TEAMS / "evals" / "rectangle_areas.eval.yaml")
    base, *others = loaded.variants
    assert {v.id: change_summary(base.text, v.text) for v in others} == {
        "terse": "geometry_assistant.system_message edited", "short": "max_tokens 96 → 12"}


def test_a_wrong_default_check_is_reported_once_where_it_is_written(tmp_path: Path) -> None:
    shutil.copy(TEAMS / "rectangle_area.yaml", tmp_path / "rect.yaml")
    path = tmp_path / "e.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: rect.yaml\ntasks:\n  - {name: a}\n  - {name: b}\n"
                    "  - name: c\n    checks:\n      - {type: contains, value: x}\n      - {type: tool-called, value: nope}\n"
                    "defaults:\n  checks:\n    - {type: contains, value: '12'}\n    - {type: spoke, value: geometry_asistant}\n")
    problems = [p.format() for p in load_eval(path).problems]
    assert problems == [
        f"{path}:13:7: error: spoke: no agent 'geometry_asistant' in the team [defaults.checks[1]]",
        (f"{path}:9:9: error: tool-called: no tool 'nope' in the team (its tools: calculate_rectangle_area) "
         "[tasks[2].checks[1]]")], problems


def test_a_csv_expected_cell_with_a_negated_list_check_reads_a_list(tmp_path: Path) -> None:
    shutil.copy(TEAMS / "rectangle_area.yaml", tmp_path / "rect.yaml")
    (tmp_path / "t.csv").write_text("length,width,__expected\n2,3,\"not-contains-any: 7, eight\"\n")
    path = tmp_path / "e.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: rect.yaml\ntasks_file: t.csv\n")
    loaded = load_eval(path)
    assert loaded.ok, [p.format() for p in loaded.problems]
    assert [(c.type, c.value) for c in loaded.tasks[0].checks] == [("not-contains-any", ["7", "eight"])]
