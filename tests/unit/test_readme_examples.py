"""The README's example table tells the truth: one row per file in teams/, each naming the
pattern that file's orchestration block really uses."""

from __future__ import annotations

import re
from pathlib import Path

from designer.core.yamlio import load_team

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
TEAMS = ROOT / "teams"
#: A table row whose first cell is a backquoted .yaml file name: | `name.yaml` | pattern | what |
_ROW = re.compile(r"^\|\s*`(?P<file>[^`]+\.ya?ml)`\s*\|\s*(?P<pattern>[^|]+?)\s*\|")


def readme_examples(readme: Path = README) -> dict[str, str]:
    """file name -> pattern as the README's examples section writes it (``round robin``)."""
    text = readme.read_text(encoding="utf-8")
    section = text.split("### The examples", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, str] = {}
    for line in section.splitlines():
        match = _ROW.match(line.strip())
        if match:
            assert match["file"] not in rows, f"{match['file']} is listed twice"
            rows[match["file"]] = match["pattern"]
    return rows


def file_pattern(path: Path) -> str:
    result = load_team(path)
    assert result.spec is not None, [p.format() for p in result.problems]
    return result.spec.orchestration.pattern


#: What the README's table calls an example evaluation file (teams/evals/*.eval.yaml) instead of a pattern.
EVALUATION = "evaluation"


def test_the_readme_lists_every_example_file_and_no_other():
    rows = readme_examples()
    assert sorted(n for n, p in rows.items() if p != EVALUATION) == sorted(p.name for p in TEAMS.glob("*.yaml"))
    assert sorted(n for n, p in rows.items() if p == EVALUATION) == sorted(
        p.relative_to(TEAMS).as_posix() for p in TEAMS.rglob("*.eval.yaml"))


def test_each_readme_row_names_the_pattern_its_file_uses():
    from designer.core.eval_file import load_eval

    teams = {n: p for n, p in readme_examples().items() if p != EVALUATION}
    wrong = {
        name: (written, file_pattern(TEAMS / name))
        for name, written in teams.items()
        if written.lower().replace(" ", "_") != file_pattern(TEAMS / name)
    }
    assert not wrong, f"README pattern vs the file's pattern: {wrong}"
    for name in set(readme_examples()) - set(teams):
        loaded = load_eval(TEAMS / name)
        assert loaded.ok, [p.format() for p in loaded.problems]


def test_the_check_notices_a_wrong_row(tmp_path):
    """The comparison can fail: a README naming the wrong pattern is read as written."""
    fake = tmp_path / "README.md"
    fake.write_text(README.read_text(encoding="utf-8").replace(
        "| `research_report.yaml` | sequential |", "| `research_report.yaml` | swarm |"), encoding="utf-8")
    assert readme_examples(fake)["research_report.yaml"] == "swarm"
    assert file_pattern(TEAMS / "research_report.yaml") == "sequential"
