"""The run history on the command line, driven as a user drives it: subprocesses, their output
and exit codes. Scripted models, so each run takes milliseconds; every test has its own data
folder (TEAM_DESIGNER_DATA_DIR), so its store starts empty."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: Scripted pair
task: Discuss {topic}
inputs:
  topic: {default: tides}
models:
  sa:
    provider: scripted
    responses: ["first point"]
    prices: {input: 1000, output: 2000, currency: USD}
  sb: {provider: scripted, responses: ["second point DONE"]}
agents:
  a: {model: sa, streaming: false, system_message: "You are A."}
  b: {model: sb, streaming: true, system_message: "You are B."}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {text: DONE, max_messages: 10}
"""
RECORDED = re.compile(r"^recorded as run ([0-9a-f]{7}) \(team-designer runs show \1\)$", re.M)


class Cli:
    def __init__(self, tmp_path: Path, data: str = "data", *, write_team: bool = True) -> None:
        self.tmp = tmp_path
        self.data = tmp_path / data
        self.team = tmp_path / "team.yaml"
        if write_team:
            self.team.write_text(TEAM, encoding="utf-8")

    def __call__(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "designer", *args], input=stdin, capture_output=True, text=True, cwd=ROOT,
            env={**os.environ, "TEAM_DESIGNER_DATA_DIR": str(self.data)}, timeout=120,
        )

    def run(self, *extra: str) -> str:
        """Runs the team; the short id it was recorded as."""
        done = self("run", str(self.team), *extra)
        assert done.returncode == 0, done.stderr
        found = RECORDED.search(done.stderr)
        assert found, done.stderr
        return found.group(1)

    def record(self) -> str:
        """Records a run of the team as ``run`` does, in this process (milliseconds, where a
        ``run`` process takes a second): for tests of what the other commands do with runs."""
        from designer.core.run_store import RunStore
        from designer.core.task import task_for
        from designer.core.validate import validate_file
        from tests.conftest import collect_events

        result = validate_file(self.team)
        assert result.spec is not None
        with RunStore(self.data / "runs.sqlite3") as store:
            events = collect_events(result.spec, task_for(result.spec, None, {}), store=store, team_file=self.team,
                                    snapshot_text=result.text)
        return str(events[0].run_id)[:7]

    def ids(self, *extra: str) -> list[str]:
        done = self("runs", "list", "--json", *extra)
        assert done.returncode == 0, done.stderr
        return [r["id"] for r in json.loads(done.stdout)]

    def edit(self, old: str, new: str) -> None:
        text = self.team.read_text(encoding="utf-8")
        assert old in text
        self.team.write_text(text.replace(old, new), encoding="utf-8")


def one_error(done: subprocess.CompletedProcess[str], words: str) -> None:
    """Bad input: exit 2 and one clear line, no traceback."""
    assert done.returncode == 2, (done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_run_is_recorded_and_listed_newest_first_with_its_cost(tmp_path: Path):
    cli = Cli(tmp_path)
    done = cli("run", str(cli.team))
    assert done.returncode == 0, done.stderr
    # The closing figures carry the cost: a's model has prices, b's is scripted (a known 0).
    # (The duration is whatever the machine took: only its form is fixed.)
    assert re.search(r"  \d+\.\d s, 2 messages, 17 tokens, cost \$0\.0090 — 12 prompt, 5 completion", done.stdout), done.stdout
    assert "    a: 5 prompt + 2 completion, $0.0090" in done.stdout
    first = RECORDED.search(done.stderr)
    assert first, done.stderr
    second = cli.run("--task", "Discuss the moon")
    listing = cli("runs", "list")
    assert listing.returncode == 0, listing.stderr
    rows = listing.stdout.splitlines()
    assert rows[0].split() == ["ID", "WHEN", "KIND", "TEAM", "TASK", "FINISH", "MSGS", "TOKENS", "COST", "TIME"]
    assert rows[1].startswith(second) and "Discuss the moon" in rows[1] and "Finished" in rows[1]
    assert "Scripted pair" in rows[1]  # runs of different teams with the same task must be told apart
    assert rows[2].startswith(first.group(1)) and "Discuss tides" in rows[2] and "$0.0090" in rows[2]
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[1])
    # Only this team's runs, by file; and the JSON has the figures.
    other = tmp_path / "other.yaml"
    other.write_text(TEAM.replace("Scripted pair", "Other pair"), encoding="utf-8")
    assert cli("run", str(other)).returncode == 0
    assert len(cli.ids()) == 3
    team_runs = json.loads(cli("runs", "list", str(cli.team), "--json").stdout)
    assert [r["short_id"] for r in team_runs] == [second, first.group(1)]
    assert team_runs[1]["tokens_by_agent"] == {"a": {"prompt": 5, "completion": 2}, "b": {"prompt": 7, "completion": 3}}
    assert cli("runs", "list", "--limit", "1").stdout.count("Discuss") == 1
    one_error(cli("runs", "list", str(tmp_path / "nowhere.yaml")), "no such team file")


def _bundle_copy(cli: Cli, short: str, name: str, run_id: str, **fields: object) -> Path:
    path = cli.tmp / f"{name}.tdrun"
    assert cli("runs", "export", short, "--bundle", str(path)).returncode == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    data["run"].update(id=run_id, **fields)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_run_ids_resolve_by_unambiguous_prefix_like_git(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    full = cli.ids()[0]
    # Two runs whose ids share a prefix (bundles with set ids, imported); one with an unknown cost.
    for n, cost in ((1, None), (2, 0.5)):
        bundle = _bundle_copy(cli, short, f"copy{n}", f"abcd0000000{n}", cost=cost, title=f"copy {n}")
        assert cli("runs", "import", str(bundle)).returncode == 0
    ambiguous = cli("runs", "show", "abcd")
    one_error(ambiguous, "ambiguous")
    assert "abcd000000" in ambiguous.stderr
    shown = cli("runs", "show", "abcd00000001")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("run abcd000 ") and "title:    copy 1" in shown.stdout
    assert "cost unknown" in shown.stdout  # never 0 for unknown
    assert cli("runs", "show", full[:6]).returncode == 0
    one_error(cli("runs", "show", "ffffffff"), "no run 'ffffffff'")
    one_error(cli("runs", "show", "not-an-id"), "is not a run id")
    listing = cli("runs", "list").stdout.splitlines()
    assert "unknown" in next(line for line in listing if "copy 1" in line)
    assert "$0.5000" in next(line for line in listing if "copy 2" in line)


def test_show_and_export_as_markdown_jsonl_html_and_bundle(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    shown = cli("runs", "show", short)
    assert shown.returncode == 0, shown.stderr
    for line in ("team:     Scripted pair", f"file:     {cli.team.resolve()}", "task:     Discuss tides",
                 "finish:   Finished: Text 'DONE' mentioned",
                 "agents:   a 7 tokens, $0.0090; b 10 tokens, $0", "a: first point", "b: second point DONE"):
        assert line in shown.stdout.splitlines(), (line, shown.stdout)
    # The run's duration is whatever the machine took (0.1 s on a busy one): only its form is fixed.
    assert any(re.fullmatch(r"figures:  \d+\.\d s, 2 messages, 17 tokens, cost \$0\.0090", line)
               for line in shown.stdout.splitlines()), shown.stdout
    as_json = json.loads(cli("runs", "show", short, "--json").stdout)
    assert as_json["snapshot"].startswith("schema: team-designer/v1")
    assert [e["content"] for e in as_json["events"] if e["type"] == "message"] == ["Discuss tides", "first point",
                                                                                   "second point DONE"]

    md, jsonl, html = tmp_path / "run.md", tmp_path / "run.jsonl", tmp_path / "page.html"
    for out in (md, jsonl, html):
        done = cli("runs", "export", short, str(out))
        assert done.returncode == 0, done.stderr
    assert md.read_text().startswith("# Scripted pair\n") and "### a · " in md.read_text()
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert lines[0]["type"] == "started" and lines[-1]["type"] == "finished" and lines[-1]["cost"] == 0.009
    page = html.read_text()
    assert page.startswith("<!DOCTYPE html>") or page.lower().startswith("<!doctype html>")
    assert "second point DONE" in page and "You are B." in page  # the transcript and the team
    forced = cli("runs", "export", short, str(tmp_path / "notes.txt"), "--format", "md")
    assert forced.returncode == 0 and (tmp_path / "notes.txt").read_text() == md.read_text()
    one_error(cli("runs", "export", short, str(tmp_path / "run.txt")), "cannot tell the format")
    bad_format = cli("runs", "export", short, str(tmp_path / "x.md"), "--format", "pdf")
    assert bad_format.returncode == 2 and "invalid choice" in bad_format.stderr

    bundle = tmp_path / "shared.tdrun"
    assert cli("runs", "export", short, "--bundle", str(bundle)).returncode == 0
    # A colleague, with a history of their own: the bundle reads as it is, read-only ...
    colleague = Cli(tmp_path, "colleague-data", write_team=False)
    read = colleague("runs", "show", str(bundle))
    assert read.returncode == 0, read.stderr
    assert f"bundle:   {bundle} (read-only)" in read.stdout and "b: second point DONE" in read.stdout
    assert colleague.ids() == []
    one_error(colleague("runs", "star", str(bundle)), "read-only")
    # ... until imported.
    imported = colleague("runs", "import", str(bundle))
    assert imported.returncode == 0, imported.stderr
    assert [i[:7] for i in colleague.ids()] == [short]
    again = colleague("runs", "show", short)
    # The same run, except where the sender keeps the team: the bundle names the file only.
    assert again.returncode == 0 and again.stdout.splitlines()[3:] == shown.stdout.splitlines()[3:]
    assert again.stdout.splitlines()[2] == "file:     team.yaml" and str(tmp_path) not in bundle.read_text()
    broken = tmp_path / "broken.tdrun"
    broken.write_text("{not json", encoding="utf-8")
    one_error(colleague("runs", "show", str(broken)), "is not a run bundle")
    one_error(colleague("runs", "import", str(tmp_path / "missing.tdrun")), "no such file")


def test_delete_asks_and_refuses_without_yes_off_a_terminal(tmp_path: Path):
    cli = Cli(tmp_path)
    keep, doomed = cli.record(), cli.record()
    one_error(cli("runs", "delete", doomed), "without --yes")
    assert len(cli.ids()) == 2
    one_error(cli("runs", "delete", doomed, "ffffff", "--yes"), "no run 'ffffff'")
    assert len(cli.ids()) == 2  # one bad id: nothing deleted
    done = cli("runs", "delete", doomed, "--yes")
    assert done.returncode == 0 and f"deleted 1 run: {doomed}" in done.stdout
    assert [i[:7] for i in cli.ids()] == [keep]


def test_delete_on_a_terminal_asks_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    from designer.cli import runs
    from designer.cli.main import build_parser

    cli = Cli(tmp_path)
    short = cli.record()
    monkeypatch.setenv("TEAM_DESIGNER_DATA_DIR", str(cli.data))
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    questions: list[str] = []
    answers = iter([False, True])
    monkeypatch.setattr(runs, "ask_yes", lambda question: questions.append(question) or next(answers))

    def delete() -> int:
        return runs.runs_command(build_parser().parse_args(["runs", "delete", short]))

    assert delete() == 0 and "nothing deleted" in capsys.readouterr().out
    assert questions == [f"delete 1 run: {short} (Discuss tides)? [y/N] "] and len(cli.ids()) == 1
    assert delete() == 0 and f"deleted 1 run: {short}" in capsys.readouterr().out
    assert cli.ids() == []


def test_diff_of_two_runs_shows_the_system_message_word_change(tmp_path: Path):
    cli = Cli(tmp_path)
    before = cli.record()
    cli.edit("You are B.", "You are B, terse.")
    after = cli.record()
    listed = cli("runs", "list").stdout
    assert "changed: b.system_message edited" in listed
    diff = cli("runs", "diff", before, after)
    assert diff.returncode == 0, diff.stderr
    assert "agents.b.system_message edited" in diff.stdout
    assert "You are [-B.-]{+B, terse.+}" in diff.stdout
    page = tmp_path / "compare.html"
    done = cli("runs", "diff", before, after, "--html", str(page))
    assert done.returncode == 0, done.stderr
    assert "Compare runs" in page.read_text() and "terse" in page.read_text()
    one_error(cli("runs", "diff", before, "ffffff"), "no run 'ffffff'")


def test_rename_star_and_the_record_setting(tmp_path: Path):
    cli = Cli(tmp_path)
    short = cli.record()
    assert cli("runs", "rename", short, "baseline").returncode == 0
    assert cli("runs", "star", short).returncode == 0
    row = cli("runs", "list").stdout.splitlines()[1]
    assert "baseline" in row and "★" in row
    assert cli("runs", "star", short, "--off").returncode == 0
    assert "★" not in cli("runs", "list").stdout

    # --no-record, then the setting: the history stays as it is, and the run says nothing of it.
    quiet = cli("run", str(cli.team), "--no-record")
    assert quiet.returncode == 0 and "recorded as" not in quiet.stderr
    settings = cli("runs", "settings", "--record", "off", "--keep", "5", "--days", "30")
    assert settings.returncode == 0, settings.stderr
    assert "record: off" in settings.stdout and "the last 5 runs per team file" in settings.stdout
    assert "30 days" in settings.stdout
    unrecorded = cli("run", str(cli.team))
    assert unrecorded.returncode == 0 and "recorded as" not in unrecorded.stderr
    assert [i[:7] for i in cli.ids()] == [short]
    assert "record: on" in cli("runs", "settings", "--record", "on").stdout
    assert cli.run() != short
    assert len(cli.ids()) == 2
    bad = cli("runs", "settings", "--keep", "-1")
    assert bad.returncode == 2 and "expected 0 or more" in bad.stderr


def test_a_damaged_store_warns_once_and_the_run_goes_on(tmp_path: Path):
    cli = Cli(tmp_path)
    cli.data.mkdir()
    (cli.data / "runs.sqlite3").write_bytes(b"this is not a database, it is garbage" * 100)
    done = cli("run", str(cli.team))
    assert done.returncode == 0
    assert "b: second point DONE" in done.stdout
    assert done.stderr.splitlines() == [
        (f"warning: run history is off: the run history {cli.data / 'runs.sqlite3'} cannot be used: "
         "the file is damaged (not a readable sqlite database)")
    ]
    one_error(cli("runs", "list"), "the file is damaged")


def test_a_store_from_a_newer_version_is_refused_clearly(tmp_path: Path):
    cli = Cli(tmp_path)
    cli.record()
    with sqlite3.connect(cli.data / "runs.sqlite3") as db:
        db.execute("PRAGMA user_version=99")
    db.close()
    one_error(cli("runs", "list"), "written by a newer Team Designer (schema 99")
    done = cli("run", str(cli.team))
    assert done.returncode == 0 and "warning: run history is off:" in done.stderr
