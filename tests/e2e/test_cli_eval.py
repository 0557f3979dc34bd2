"""``team-designer eval``, driven through subprocesses as a user (or a CI job) runs it: exit codes,
the matrix on stdout, progress on stderr, the report files parsed back. Scripted models, so the
answers are fixed and each run takes milliseconds; every test has its own data folder."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from designer.cli.eval import Progress
from designer.core.eval_report import CROSS
from designer.core.eval_types import CellSummary, CheckResult, EvalSummary, JobResult
from tests.conftest import ROOT
from tests.e2e.test_cli_runs import Cli

TEAM = """\
schema: team-designer/v1
name: Scripted geometry
task: What is the area of a rectangle with length {length} and width {width}?
inputs:
  length: {default: '3'}
  width: {default: '4'}
models:
  good:
    provider: scripted
    responses: ["The area is 12 square units."]
    prices: {input: 1000, output: 2000, currency: USD}
agents:
  geometry: {model: good, system_message: "You are a geometry assistant."}
orchestration: {pattern: sequential, order: [geometry]}
termination: {max_messages: 4}
"""
PASSING = """\
schema: team-designer-eval/v1
name: Areas
team: team.yaml
variants:
  terse:
    system_messages: {geometry: "Reply with the number only."}
tasks:
  - name: square
    inputs: {length: 3, width: 4}
    checks: [{type: contains, value: "12"}]
  - name: wide
    inputs: {length: 6, width: 2}
    checks: [{type: icontains, value: "AREA"}, {type: spoke, value: geometry}]
defaults: {repeats: 2}
"""
#: A variant on a model that answers wrongly; 'slow' takes 20 s a reply (only for Ctrl-C).
FAILING = """\
schema: team-designer-eval/v1
name: Areas that fail
team: team.yaml
models:
  bad: {provider: scripted, responses: ["I cannot say."]}
  slow: {provider: scripted, responses: ["The area is 12."], delay: 20}
variants:
  terse:
    system_messages: {geometry: "Reply with the number only."}
  wrong: {model: bad}
tasks:
  - name: square
    inputs: {length: 3, width: 4}
    checks: [{type: contains, value: "12"}]
"""
#: What a rerun may change in a result: when and how fast it ran, and what the history calls it.
VOLATILE = {"run_id", "seconds"}
#: What a replay changes besides: its model calls come from the recording, so they cost nothing.
REPLAYED = VOLATILE | {"tokens", "cost", "replayed_calls", "live_calls"}


class EvalCli(Cli):
    def __init__(self, tmp_path: Path) -> None:
        super().__init__(tmp_path)
        self.team.write_text(TEAM, encoding="utf-8")
        (tmp_path / "pass.yaml").write_text(PASSING, encoding="utf-8")
        (tmp_path / "fail.yaml").write_text(FAILING, encoding="utf-8")

    @property
    def env(self) -> dict[str, str]:
        # XDG_DATA_HOME holds the trust store: never the user's.
        return {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(self.data), "XDG_DATA_HOME": str(self.tmp / "xdg")}

    def eval(self, name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "designer", "eval", str(self.tmp / name), *extra], capture_output=True,
                              text=True, cwd=ROOT, env=self.env, timeout=120)


def results(path: Path, drop: set[str]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if k not in drop} for r in json.loads(path.read_text())["results"]]


def matrix(stdout: str) -> str:
    """The matrix without its figures that vary between runs (seconds, the worker count)."""
    text = re.sub(r"\b\d+(\.\d+)?s\b", "Ns", stdout)
    return re.sub(r"\d+ workers?", "N workers", text)


def test_a_passing_evaluation_exits_0_with_its_reports_and_the_same_matrix_with_1_or_2_workers(tmp_path: Path):
    cli = EvalCli(tmp_path)
    out = {name: tmp_path / f"one.{name}" for name in ("xml", "json", "html")}
    one = cli.eval("pass.yaml", "--workers", "1", "--junit", str(out["xml"]), "--json", str(out["json"]),
                   "--html", str(out["html"]))
    assert one.returncode == 0, one.stderr
    lines = one.stdout.splitlines()
    assert lines[0] == f"Areas · 2 variants {CROSS} 2 tasks · local, 1 worker"
    assert lines[2].split() == ["task", "base", "terse"]
    assert lines[3].split() == ["square", "PASS", "2/2", "PASS", "2/2"]
    assert lines[4].split()[:2] == ["48", "tok,"]  # 2 runs x 24 tokens, priced
    assert lines[-1].startswith("4/4 cells passed · 8/8 runs (0 failed, 0 errors) · 192 tokens · $0.2400 · ")
    # Progress in a log: one line per finished run, counted.
    progress = [line for line in one.stderr.splitlines() if line.startswith("[")]
    assert [line.split("]")[0] for line in progress] == [f"[{n}/8" for n in range(1, 9)]
    assert {line.split("] ", 1)[1] for line in progress} == {
        f"{v} {CROSS} {t} #{r}: PASS" for v in ("base", "terse") for t in ("square", "wide") for r in (1, 2)}
    assert re.search(r"^recorded as evaluation [0-9a-f]{7} \(8 runs in the run history\)$", one.stderr, re.M)

    suites = ET.parse(out["xml"]).getroot()
    assert (suites.get("tests"), suites.get("failures"), suites.get("errors"), suites.get("skipped")) == ("8", "0", "0", "0")
    assert [s.get("name") for s in suites.findall("testsuite")] == ["base", "terse"]
    cases = suites.findall("testsuite/testcase")
    assert [c.get("name") for c in cases[:4]] == ["square #1", "square #2", "wide #1", "wide #2"]
    assert {c.get("classname") for c in cases} == {"Areas.base", "Areas.terse"}
    report = json.loads(out["json"].read_text())
    assert report["passed"] is True and report["totals"]["passed"] == 8 and report["workers"] == 1
    ids = [r["run_id"] for r in report["results"]]
    assert [p.get("value") for c in cases for p in c.iter("property") if p.get("name") == "run_id"] == ids
    from designer.core.run_store import RunStore

    with RunStore(cli.data / "runs.sqlite3") as store:  # every evaluated run is a run in the history
        kept = store.load(ids[0])
    assert kept.origin == "eval" and kept.task == "What is the area of a rectangle with length 3 and width 4?"
    page = out["html"].read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("PASS 2/2") == 4

    two = cli.eval("pass.yaml", "--workers", "2", "--json", str(tmp_path / "two.json"), "--no-record")
    assert two.returncode == 0, two.stderr
    assert matrix(two.stdout) == matrix(one.stdout)
    assert results(tmp_path / "two.json", VOLATILE) == results(out["json"], VOLATILE)
    assert all(r["run_id"] == "" for r in json.loads((tmp_path / "two.json").read_text())["results"])  # not recorded
    assert "recorded as" not in two.stderr


def test_a_recorded_evaluation_replays_strictly_with_the_same_results(tmp_path: Path):
    cli = EvalCli(tmp_path)
    live = cli.eval("pass.yaml", "--json", str(tmp_path / "live.json"))
    assert live.returncode == 0, live.stderr
    # The script runs dry: were any model asked, its run would fail. Every answer must come from the recording.
    cli.edit('responses: ["The area is 12 square units."]', "responses: []")
    again = cli.eval("pass.yaml", "--replay", "strict", "--json", str(tmp_path / "replay.json"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert results(tmp_path / "replay.json", REPLAYED) == results(tmp_path / "live.json", REPLAYED)
    replayed = json.loads((tmp_path / "replay.json").read_text())
    assert replayed["replay"] == "strict" and all(r["replayed_calls"] == 1 and r["live_calls"] == 0
                                                  for r in replayed["results"])
    assert "replay strict" in again.stdout.splitlines()[0]


def test_a_failing_evaluation_exits_1_with_the_matrix_and_filter_keeps_what_matches(tmp_path: Path):
    cli = EvalCli(tmp_path)
    done = cli.eval("fail.yaml", "--junit", str(tmp_path / "fail.xml"))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[2].split() == ["task", "base", "terse", "wrong"]
    assert lines[3].split() == ["square", "PASS", "1/1", "PASS", "1/1", "FAIL", "0/1"]
    assert lines[-2].startswith("2/3 cells passed · 3/3 runs (1 failed, 0 errors)")
    assert lines[-1] == (f"wrong {CROSS} square #1: contains '12': the answer does not contain \"12\" "
                         "(it was: \"I cannot say.\")")
    assert f"wrong {CROSS} square #1: FAIL (contains '12')" in done.stderr
    failure = ET.parse(tmp_path / "fail.xml").getroot().find("testsuite[@name='wrong']/testcase/failure")
    assert failure is not None and failure.get("message", "").startswith("contains '12': the answer does not contain")
    kept = cli.eval("fail.yaml", "--filter", "TERSE", "--no-record")
    assert kept.returncode == 0, kept.stderr
    assert kept.stdout.splitlines()[2].split() == ["task", "terse"] and "1/1 cells passed" in kept.stdout


def test_a_malformed_file_is_one_located_line_and_untrusted_code_is_refused_both_exit_2(tmp_path: Path):
    cli = EvalCli(tmp_path)
    (tmp_path / "bad.yaml").write_text(PASSING.replace("type: contains", "type: contanis"), encoding="utf-8")
    done = cli.eval("bad.yaml")
    assert done.returncode == 2 and done.stdout == ""
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"{tmp_path / 'bad.yaml'}:10:21:") and "unknown check 'contanis'" in line
    assert "Traceback" not in done.stderr
    # A variant's team with a tool module: nothing runs until the user trusts it.
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "greeter.py").write_text('def greet(who: str) -> str:\n    return f"hello {who}"\n')
    (tmp_path / "tool_team.yaml").write_text(TEAM.replace("agents:", 'tools:\n  greet: {function: "greeter:greet"}\nagents:')
                                             .replace('system_message: "You are', 'tools: [greet], system_message: "You are'))
    (tmp_path / "tools.yaml").write_text(PASSING.replace("  terse:\n", "  terse:\n    team: tool_team.yaml\n"))
    refused = cli.eval("tools.yaml", "--workers=1")
    assert refused.returncode == 2 and refused.stdout == "", refused.stderr
    assert refused.stderr.startswith("error: this evaluation would execute code you have not trusted yet:")
    assert str(tmp_path / "tools" / "greeter.py") in refused.stderr and "--trust" in refused.stderr
    assert not (tmp_path / "data" / "runs.sqlite3").exists()  # not one run was made


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_ctrl_c_stops_the_runs_in_flight_and_prints_the_matrix_of_what_finished(tmp_path: Path, how: str):
    """Ctrl-C at a terminal (SIGINT to every process of the group), or SIGTERM to the command alone
    (what a CI job's time limit sends): the runs in flight stop, and no process is left behind."""
    cli = EvalCli(tmp_path)
    slow = FAILING.replace("  wrong: {model: bad}", "  wrong: {model: slow}")
    (tmp_path / "slow.yaml").write_text(slow, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "designer", "eval", str(tmp_path / "slow.yaml"), "--workers", "3",
                             "--no-record"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env=cli.env, start_new_session=True)
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:  # wait until both quick runs ended; 'wrong' takes 20 s
            seen.append(line)
            if line.startswith("[2/3]"):
                break
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: to the worker processes too
        else:
            os.kill(proc.pid, signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=15)  # well before the slow reply would come
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, "".join(seen) + stderr
    lines = stdout.splitlines()
    assert lines[3].split() == ["square", "PASS", "1/1", "PASS", "1/1", "—"]
    assert lines[-1].startswith("2/3 cells passed · 2/3 runs") and lines[-1].endswith("· stopped")
    assert ("stopping…" if how == "ctrl-c" else "stopped: terminated") in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 15  # the workers and their fork server end with the command
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("a process of the evaluation outlived it")


def _summary(statuses: list[str]) -> EvalSummary:
    cell = CellSummary("terse", "square", 1.0, expected=4)
    for n, status in enumerate(statuses):
        checks = [CheckResult('contains "9"', "contains", status == "passed")]
        cell.runs.append(JobResult(n, "terse", "square", n, status, checks, error="it hung"))  # type: ignore[arg-type]
    return EvalSummary("E", "/e.yaml", "", ["terse"], ["square"], {("terse", "square"): cell})


def test_progress_is_a_bar_on_a_terminal_and_a_line_per_run_in_a_log():
    now = [100.0]
    summary = _summary([])
    bar = io.StringIO()
    on_tty = Progress(summary, bar, tty=True, clock=lambda: now[0])
    on_tty.start()
    assert bar.getvalue() == "\r[..........] 0/4 runs · 0 failed · 0 errors · ETA ?\x1b[K"
    summary.cells[("terse", "square")].runs = _summary(["passed", "failed"]).cells[("terse", "square")].runs
    now[0] += 20  # 2 runs in 20 s, 2 left: 20 s more
    on_tty.update(summary.results[-1])
    assert bar.getvalue().rsplit("\r", 1)[1] == "[#####.....] 2/4 runs · 1 failed · 0 errors · ETA 0:20\x1b[K"
    on_tty.end()
    assert bar.getvalue().endswith("\r\x1b[K")
    log = io.StringIO()
    in_log = Progress(summary, log, tty=False)
    in_log.start()
    in_log.update(summary.results[-1])
    summary.cells[("terse", "square")].runs.append(_summary(["passed", "passed", "error"]).results[-1])
    in_log.update(summary.results[-1])
    assert log.getvalue().splitlines() == [f'[2/4] terse {CROSS} square #2: FAIL (contains "9")',
                                           f"[3/4] terse {CROSS} square #3: ERR (it hung)"]
