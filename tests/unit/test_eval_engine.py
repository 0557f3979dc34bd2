"""The evaluation engine on real AgentChat teams (scripted models), in real worker processes:
results and checks, the history, strict replay offline, a crashing and a hanging worker, Stop,
per-model concurrency caps, a team that asks a human."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from designer.core.eval_file import load_eval
from designer.core.eval_store import EvalStore
from designer.core.run_store import RunStore
from designer.core.trust import TrustAll
from designer.runtime import eval_pool
from designer.runtime.eval_engine import EvalOptions, Evaluation, EvalSetupError
from tests.model_fixtures import chat_chunks, fake_model_server, server_team  # noqa: F401 - fixture

TEAM = """\
schema: team-designer/v1
name: Scripted rect
task: "Area of {length} x {width}?"
inputs:
  length: {default: '2'}
  width: {default: '3'}
default_model: fake
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{name: area, arguments: {length: 2, width: 3}}]
      - "The area is 6 square units."
    %DELAY%
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  solver:
    tools: [area]
    reflect_on_tool_use: true
orchestration: {pattern: sequential, order: [solver]}
termination: {max_messages: 6, timeout: 60}
"""

EVAL = """\
schema: team-designer-eval/v1
team: team.yaml
variants:
  brief:
    system_messages: {solver: "Be brief."}
tasks:
  - name: six
    checks: [{type: contains, value: "6"}, {type: tool-called, value: area, arguments: {length: 2}}]
  - name: seven
    inputs: {length: '7'}
    checks: [{type: contains, value: "7"}]
defaults: {repeats: 2}
"""


def write(folder: Path, team: str = TEAM, evaluation: str = EVAL, delay: float | None = None) -> Path:
    (folder / "team.yaml").write_text(team.replace("%DELAY%", f"delay: {delay}" if delay else ""))
    path = folder / "ev.eval.yaml"
    path.write_text(textwrap.dedent(evaluation))
    return path


def evaluate(path: Path, store: RunStore | None = None, **options: Any) -> Evaluation:
    loaded = load_eval(path)
    assert loaded.ok, [p.format() for p in loaded.problems]
    evaluation = Evaluation(loaded, EvalOptions(**{"workers": 2, **options}), store=store, trust=TrustAll())
    list(evaluation.results())
    return evaluation


def cells(evaluation: Evaluation) -> dict[tuple[str, str], tuple[int, bool]]:
    return {key: (cell.passes, cell.passed) for key, cell in evaluation.summary.cells.items()}


def test_an_evaluation_checks_every_run_and_keeps_it_in_the_history(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    evaluation = evaluate(write(tmp_path), store)
    summary = evaluation.summary
    assert cells(evaluation) == {("base", "six"): (2, True), ("base", "seven"): (0, False),
                                 ("brief", "six"): (2, True), ("brief", "seven"): (0, False)}
    assert not summary.passed and summary.done_runs == summary.total_runs == 8
    failure = summary.cells[("base", "seven")].runs[0].checks[0]
    assert not failure.passed and '"7"' in failure.detail and "The area is 6" in failure.detail
    # Every run is a run of the history, marked as an evaluation's, with its team file.
    runs = [store.load(r.run_id) for r in summary.results]
    assert {r.origin for r in runs} == {"eval"} and {r.team_path for r in runs} == {str(tmp_path / "team.yaml")}
    assert any("Be brief." in r.snapshot for r in runs) and any("Be brief." not in r.snapshot for r in runs)
    assert store.calls(runs[0].id), "the run's model calls are recorded"
    recorded = EvalStore(store).recorded_runs(summary.file)
    assert len(recorded) == 8 and recorded[("brief", "seven", 1)] in {r.id for r in runs}
    # Evaluations' runs do not push a team's own runs out of the history.
    store.set_setting("keep_runs", "2")
    assert store.apply_retention(str(tmp_path / "team.yaml")) == 0
    store.close()


def test_a_recorded_evaluation_replays_strictly_offline_with_identical_results(
        tmp_path: Path, fake_model_server: Any) -> None:  # noqa: F811 - fixture
    fake_model_server.routes["POST /v1/chat/completions"] = (200, chat_chunks("The answer is 42."))
    (tmp_path / "team.yaml").write_text(server_team(fake_model_server.base()))
    path = tmp_path / "ev.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: team.yaml\ntasks:\n"
                    "  - {name: q, task: 'What is six times seven?', checks: [{type: contains, value: '42'}]}\n"
                    "  - {name: r, task: 'Say hi', checks: [{type: icontains, value: 'HI'}]}\n")
    store = RunStore(tmp_path / "runs.sqlite")
    live = evaluate(path, store)
    asked = len(fake_model_server.requests)
    assert asked == 2, [r.error for r in live.summary.results]
    assert cells(live) == {("base", "q"): (1, True), ("base", "r"): (0, False)}
    # From here the server answers nothing: a request that reached it would fail the run, and be counted.
    fake_model_server.routes.clear()
    replayed = evaluate(path, store, replay="strict")
    assert cells(replayed) == cells(live)
    assert [(r.answer, [c.passed for c in r.checks], r.tokens) for r in replayed.summary.results] == \
        [(r.answer, [c.passed for c in r.checks], r.tokens) for r in live.summary.results]
    assert all(r.replayed_calls == 1 and r.live_calls == 0 for r in replayed.summary.results)
    assert len(fake_model_server.requests) == asked
    assert {store.load(r.run_id).parent for r in replayed.summary.results} == {r.run_id for r in live.summary.results}
    store.close()


def test_strict_replay_needs_a_recording_and_fails_the_cells_it_lacks(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    with pytest.raises(EvalSetupError, match=r"no recorded evaluation of ev\.eval\.yaml"):
        evaluate(write(tmp_path), store, replay="strict")
    with pytest.raises(EvalSetupError, match="run history"):
        evaluate(write(tmp_path), None, replay="strict")
    evaluate(write(tmp_path), store)  # recorded; then a task is added that the recording lacks
    path = write(tmp_path, evaluation=EVAL.replace("tasks:\n", "tasks:\n  - {name: new, checks: [{type: contains, value: '6'}]}\n"))
    replayed = evaluate(path, store, replay="strict")
    new = replayed.summary.cells[("base", "new")].runs
    assert {r.status for r in new} == {"error"} and "no recorded run for this cell" in new[0].error
    assert all(r.status != "error" for r in replayed.summary.cells[("base", "six")].runs)
    store.close()


CRASH_TOOLS = '''\
import os
import time


def crash(code: int) -> str:
    """Ends the worker process at once, as a native crash would."""
    os._exit(code)


async def block(seconds: float) -> str:
    """Blocks the worker's event loop: the run cannot even be stopped."""
    time.sleep(seconds)
    return "done"
'''

TOOL_TEAM = """\
schema: team-designer/v1
name: Tools
task: "Use the tool {which}"
inputs: {which: {default: 'crash'}}
default_model: fake
models:
  fake:
    provider: scripted
    responses:
      - tool_calls: [{name: %TOOL%, arguments: %ARGS%}]
      - "done"
tools:
  crash: {function: "crashtools:crash"}
  block: {function: "crashtools:block"}
agents:
  worker: {tools: [crash, block]}
orchestration: {pattern: sequential, order: [worker]}
termination: {max_messages: 4}
"""


def tool_eval(folder: Path, tool: str, args: str, extra: str = "") -> Path:
    (folder / "tools").mkdir(exist_ok=True)
    (folder / "tools" / "crashtools.py").write_text(CRASH_TOOLS)
    (folder / "team.yaml").write_text(TOOL_TEAM.replace("%TOOL%", tool).replace("%ARGS%", args))
    (folder / "plain.yaml").write_text(TEAM.replace("%DELAY%", ""))
    path = folder / "ev.eval.yaml"
    path.write_text(f"schema: team-designer-eval/v1\nteam: team.yaml\n{extra}variants:\n  plain: {{team: plain.yaml}}\n"
                    "tasks:\n  - {name: t, checks: [{type: max-messages, value: 10}]}\n")
    return path


def test_a_worker_that_crashes_fails_its_cell_only(tmp_path: Path) -> None:
    evaluation = evaluate(tool_eval(tmp_path, "crash", "{code: 3}"), workers=1)
    by_cell = {r.variant: r for r in evaluation.summary.results}
    assert by_cell["base"].status == "error" and "ended unexpectedly (exit code 3)" in by_cell["base"].error
    assert by_cell["plain"].status == "passed", "the next run gets a new worker"


def test_a_run_that_hangs_fails_its_cell_and_its_worker_is_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(eval_pool, "KILL_MARGIN_S", 1.0)
    path = tool_eval(tmp_path, "block", "{seconds: 600}", extra="timeout: 1\n")
    evaluation = evaluate(path, workers=1)
    by_cell = {r.variant: r for r in evaluation.summary.results}
    assert by_cell["base"].status == "error" and "the run hung" in by_cell["base"].error
    assert by_cell["plain"].status == "passed"


def test_stop_ends_the_evaluation_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, delay=0.2, evaluation=EVAL.replace("repeats: 2", "repeats: 10"))
    loaded = load_eval(path)
    evaluation = Evaluation(loaded, EvalOptions(workers=2), trust=TrustAll())
    seen = []
    ended = threading.Event()
    stopped_at: list[float] = []
    for result in evaluation.results():
        seen.append(result)
        if len(seen) == 1:
            stopped_at.append(time.monotonic())
            evaluation.stop()
    ended.set()
    elapsed = time.monotonic() - stopped_at[0]
    assert evaluation.summary.stopped and len(seen) < len(evaluation.jobs)
    assert elapsed < 10, f"the evaluation took {elapsed:.1f} s to stop (a safety limit; the target is 1 s)"


def test_a_per_model_cap_keeps_runs_on_that_model_one_at_a_time(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    path = write(tmp_path, delay=0.05, evaluation=EVAL + "concurrency: {fake: 1}\n")
    evaluation = evaluate(path, store, workers=2)
    spans = sorted((run.started_at, run.started_at + run.duration)
                   for run in (store.load(r.run_id) for r in evaluation.summary.results))
    assert len(spans) == 8
    assert all(end <= start_next + 0.05 for (_, end), (start_next, _) in zip(spans, spans[1:], strict=False)), spans
    store.close()


def test_a_team_that_asks_a_human_fails_its_cell_with_the_reason(tmp_path: Path) -> None:
    team = TEAM.replace("%DELAY%", "").replace("order: [solver]", "order: [solver, person]").replace(
        "agents:\n", "agents:\n  person: {kind: user_proxy}\n")
    evaluation = evaluate(write(tmp_path, team=team), workers=1)
    result = evaluation.summary.results[0]
    assert result.status == "error" and "asked a human" in result.error


def test_a_variant_that_changes_a_prompt_changes_what_the_model_answers(
        tmp_path: Path, fake_model_server: Any) -> None:  # noqa: F811 - fixture
    # The model at the fake server answers by its system message, as a real one would.
    def answer(request: dict[str, Any]) -> Any:
        return chat_chunks("Bonjour tout le monde" if "in French" in request["body"] else "Hello world")

    fake_model_server.routes["POST /v1/chat/completions"] = (200, answer)
    (tmp_path / "team.yaml").write_text(server_team(fake_model_server.base()))
    path = tmp_path / "ev.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: team.yaml\n"
                    "variants: {french: {system_messages: {a: 'Always answer in French.'}}}\n"
                    "tasks: [{name: greet, task: 'Greet the world', checks: [{type: icontains, value: hello}]}]\n")
    evaluation = evaluate(path)
    assert cells(evaluation) == {("base", "greet"): (1, True), ("french", "greet"): (0, False)}
    french = evaluation.summary.cells[("french", "greet")].runs[0]
    assert french.answer == "Bonjour tout le monde" and "hello" in french.checks[0].detail


def test_a_replay_keeps_the_live_verdicts_of_budgets_and_never_replaces_its_recording(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.sqlite")
    team = TEAM.replace("%DELAY%", "prices: {input: 1000, output: 1000}")
    path = write(tmp_path, team=team, evaluation="schema: team-designer-eval/v1\nteam: team.yaml\ntasks:\n"
                 "  - {name: six, checks: [{type: contains, value: '6'}, {type: max-tokens, value: 5}, "
                 "{type: max-cost, value: 0.000001}]}\n")
    live = evaluate(path, store, workers=1)
    verdicts = [(c.label, c.passed) for c in live.summary.results[0].checks]
    assert verdicts[0][1] and not verdicts[1][1] and not verdicts[2][1], verdicts
    replayed = evaluate(path, store, replay="strict", workers=1)
    assert [(c.label, c.passed) for c in replayed.summary.results[0].checks] == verdicts
    assert replayed.summary.results[0].tokens == live.summary.results[0].tokens
    # A replay of a changed team fails (its requests differ) ...
    (tmp_path / "team.yaml").write_text(team.replace("reflect_on_tool_use: true", "reflect_on_tool_use: true\n"
                                                     "    system_message: Changed."))
    changed = evaluate(path, store, replay="strict", workers=1)
    assert changed.summary.results[0].status == "error"
    # ... and the recording it failed against is still the one a later replay answers from.
    (tmp_path / "team.yaml").write_text(team)
    again = evaluate(path, store, replay="strict", workers=1)
    assert [(c.label, c.passed) for c in again.summary.results[0].checks] == verdicts
    assert again.summary.results[0].replayed_calls == 2
    store.close()


def test_a_judge_whose_server_echoes_its_key_never_puts_the_key_in_a_result(
        tmp_path: Path, fake_model_server: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811 - fixture
    key = "sk-judge-" + "k3y" * 10
    monkeypatch.setenv("JUDGE_KEY", key)  # set after the fork server started: the job carries it
    fake_model_server.routes["POST /v1/chat/completions"] = (401, {"error": {"message": f"Incorrect API key: {key}"}})
    store = RunStore(tmp_path / "runs.sqlite")
    path = write(tmp_path, evaluation=f"""\
        schema: team-designer-eval/v1
        team: team.yaml
        models:
          judge:
            provider: openai_compatible
            model: judge-model
            base_url: {fake_model_server.base()}
            api_key: env:JUDGE_KEY
            model_info: {{function_calling: false, json_output: false, vision: false, family: unknown}}
        judge: judge
        tasks: [{{name: t, checks: [{{type: llm-rubric, value: It gives an area.}}]}}]
        """)
    evaluation = evaluate(path, store, workers=1)
    result = evaluation.summary.results[0]
    assert fake_model_server.requests, "the judge was asked"
    assert not result.checks[0].passed and "the judge (judge) failed" in result.checks[0].detail
    assert key not in repr(result) and key[-8:] not in result.checks[0].detail
    from designer.core.eval_report import html_report, json_report, junit_xml

    assert all(key not in text for text in (json_report(evaluation.summary), junit_xml(evaluation.summary),
                                            html_report(evaluation.summary)))
    assert key not in (tmp_path / "runs.sqlite").read_bytes().decode("latin-1")
    store.close()


def test_runs_of_a_team_named_through_dot_dot_are_that_teams_runs_in_the_history(tmp_path: Path) -> None:
    (tmp_path / "evals").mkdir()
    write(tmp_path)
    path = tmp_path / "evals" / "ev.eval.yaml"
    path.write_text("schema: team-designer-eval/v1\nteam: ../team.yaml\ntasks: [{name: t}]\n")
    store = RunStore(tmp_path / "runs.sqlite")
    evaluate(path, store, workers=1)
    assert [r.origin for r in store.list_runs(str((tmp_path / "team.yaml").resolve()))] == ["eval"]
    store.close()
