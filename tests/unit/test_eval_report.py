"""An evaluation's reports from EvalSummary objects: the terminal matrix, JUnit XML (parsed back
as a CI tool reads it), JSON and the self-contained HTML page."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from designer.core.eval_report import CROSS, html_report, json_report, junit_xml, matrix_text, write_report
from designer.core.eval_types import CellSummary, CheckResult, EvalSummary, JobResult, Status
from tests.unit.test_run_render import HOSTILE, assert_self_contained

CONTAINS = 'contains "10"'
WHY = 'the answer does not contain "10"'


def result(index: int, variant: str, task: str, repeat: int, status: Status, *, tokens: int = 120,
           cost: float | None = 0.0015, seconds: float = 1.5, answer: str = "The area is 10.") -> JobResult:
    checks = [CheckResult(CONTAINS, "contains", status == "passed", "" if status == "passed" else WHY),
              CheckResult("spoke geometry", "spoke", True)]
    return JobResult(index, variant, task, repeat, status, checks if status != "error" else [],
                     error="the run hung: no end after 60 s" if status == "error" else "",
                     run_id=f"{index:04d}" + "f" * 28, answer=answer, reason="completed", messages=2, tokens=tokens,
                     cost=cost, currency="USD", seconds=seconds)


def summary(plan: dict[tuple[str, str], list[Status]], *, repeats: int = 2, stopped: bool = False,
            threshold: float = 1.0, name: str = "Rectangle areas") -> EvalSummary:
    """A summary whose cells hold runs of the given statuses (fewer than ``repeats``: not all run)."""
    variants = list(dict.fromkeys(v for v, _ in plan))
    tasks = list(dict.fromkeys(t for _, t in plan))
    cells: dict[tuple[str, str], CellSummary] = {}
    index = 0
    for (variant, task), statuses in plan.items():
        cell = CellSummary(variant, task, threshold, expected=repeats)
        for repeat, status in enumerate(statuses):
            cell.runs.append(result(index, variant, task, repeat, status))
            index += 1
        cells[(variant, task)] = cell
    return EvalSummary(name, "/evals/rects.eval.yaml", "e" * 32, variants, tasks, cells, started_at=1_780_000_000.0,
                       duration=9.25, workers=2, stopped=stopped)


MIXED = {
    ("base", "square"): ["passed", "passed"],
    ("base", "length=2, width=5"): ["passed", "failed"],
    ("terse", "square"): ["error", "error"],
    ("terse", "length=2, width=5"): ["passed", "passed"],
}


def test_the_matrix_has_a_cell_per_variant_and_task_the_totals_and_one_line_per_failure():
    text = matrix_text(summary(MIXED))
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines)
    head = next(line for line in lines if line.startswith("task"))
    assert head.split() == ["task", "base", "terse"]
    base_at, terse_at = head.index("base"), head.index("terse")
    square = next(i for i, line in enumerate(lines) if line.startswith("square"))
    assert lines[square][base_at:].startswith("PASS 2/2") and lines[square][terse_at:].startswith("ERR")
    # The second line of a cell: its runs' tokens, cost and seconds added up.
    assert lines[square + 1][base_at:].startswith("240 tok, $0.0030, 3.0s")
    rect = next(i for i, line in enumerate(lines) if line.startswith("length=2, width=5"))
    assert lines[rect][base_at:].startswith("FAIL 1/2") and lines[rect][terse_at:].startswith("PASS 2/2")
    totals = next(line for line in lines if "cells passed" in line)
    assert totals == "2/4 cells passed · 8/8 runs (1 failed, 2 errors) · 960 tokens · $0.0120 · 9.2s"
    after = lines[lines.index(totals) + 1:]
    assert after == [f"base {CROSS} length=2, width=5 #2: {CONTAINS}: {WHY}",
                     f"terse {CROSS} square #1: error: the run hung: no end after 60 s",
                     f"terse {CROSS} square #2: error: the run hung: no end after 60 s"]


def test_a_wide_matrix_fits_100_columns_by_shortening_labels_and_splitting_the_columns():
    variants = [f"variant_{n}_with_a_rather_long_name" for n in range(6)]
    task = "a task whose name is far too long for the first column of any terminal"
    plan: dict[tuple[str, str], list[Status]] = {(v, task): ["passed", "passed"] for v in variants}
    text = matrix_text(summary(plan))
    lines = text.splitlines()
    assert all(len(line) <= 100 for line in lines), max(lines, key=len)
    heads = [line for line in lines if line.startswith("task")]
    assert len(heads) > 1  # the columns go on in a second block
    shown = [word for line in heads for word in line.split()[1:]]
    assert len(shown) == 6 and all(w.endswith("…") and w[:-1] in v for w, v in zip(shown, variants, strict=True))
    assert any(line.startswith("a task whose name") and "…" in line.split("  ")[0] for line in lines)
    assert matrix_text(summary(plan), width=300).count("\ntask ") == 1  # a wide terminal: one block


def test_a_stopped_evaluation_shows_the_cells_not_run_and_reports_them_skipped():
    plan: dict[tuple[str, str], list[Status]] = {("base", "square"): ["passed"], ("base", "rect"): []}
    stopped = summary(plan, stopped=True)
    assert not stopped.passed
    text = matrix_text(stopped)
    rect = next(line for line in text.splitlines() if line.startswith("rect"))
    assert rect.split()[1] == "—"
    assert "1/4 runs" in text and text.splitlines()[-1].endswith("· stopped")
    root = ET.fromstring(junit_xml(stopped))
    assert (root.get("tests"), root.get("skipped"), root.get("failures"), root.get("errors")) == ("4", "3", "0", "0")
    skipped = [case.get("name") for case in root.iter("testcase") if case.find("skipped") is not None]
    assert skipped == ["square #2", "rect #1", "rect #2"]
    assert all(s.get("message") == "not run: the evaluation was stopped" for s in root.iter("skipped"))


def test_the_junit_file_parses_back_with_the_counts_names_and_failure_messages_ci_tools_read():
    root = ET.fromstring(junit_xml(summary(MIXED)))
    assert root.tag == "testsuites" and root.get("name") == "Rectangle areas"
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("8", "1", "2", "0")
    assert float(root.get("time", "")) == pytest.approx(9.25)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["base", "terse"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))
        assert float(suite.get("time", "")) == pytest.approx(sum(float(c.get("time", "")) for c in cases))
    base = suites[0].findall("testcase")
    assert [c.get("name") for c in base] == ["square #1", "square #2", "length=2, width=5 #1", "length=2, width=5 #2"]
    assert {c.get("classname") for c in base} == {"Rectangle areas.base"}
    [failed] = [c for c in base if c.find("failure") is not None]
    assert failed.get("name") == "length=2, width=5 #2"
    failure = failed.find("failure")
    assert failure is not None and failure.get("message") == f"{CONTAINS}: {WHY}"
    props = {p.get("name"): p.get("value") for p in failed.iter("property")}
    assert props["run_id"] == "0003" + "f" * 28 and props["tokens"] == "120" and props["cost"] == "$0.0015"
    assert failed.findtext("system-out") == "The area is 10."
    errors = [c.find("error") for c in suites[1].findall("testcase")]
    assert [e.get("message") if e is not None else None for e in errors] == \
        ["the run hung: no end after 60 s"] * 2 + [None, None]


def test_the_json_report_has_the_summary_cells_and_every_result():
    made = summary(MIXED)
    data = json.loads(json_report(made))
    assert data["passed"] is False and data["name"] == "Rectangle areas" and data["eval_id"] == "e" * 32
    assert data["totals"] == {"cells": 4, "passed_cells": 2, "runs": 8, "done": 8, "passed": 5, "failed": 1, "errors": 2,
                              "tokens": 960, "cost": pytest.approx(0.012), "currency": "USD"}
    cells = {(c["variant"], c["task"]): c for c in data["cells"]}
    assert cells[("base", "length=2, width=5")]["status"] == "FAIL 1/2"
    assert cells[("base", "length=2, width=5")]["run_ids"] == ["0002" + "f" * 28, "0003" + "f" * 28]
    assert data["results"] == [json.loads(json.dumps(r.to_dict())) for r in made.results]
    assert data["results"][3]["checks"][0] == {"label": CONTAINS, "type": "contains", "passed": False, "detail": WHY,
                                               "score": None}


def test_the_html_page_stands_alone_with_green_and_red_cells_and_every_failure_escaped(tmp_path: Path):
    plan = dict(MIXED)
    made = summary(plan, name=f"Areas {HOSTILE}")
    made.cells[("base", "length=2, width=5")].runs[1].checks[0].detail = HOSTILE
    page = html_report(made)
    assert_self_contained(page)
    assert HOSTILE not in page and "&lt;script&gt;" in page
    green, red = 'style="background: var(--ins-bg)', 'style="background: var(--del-bg)'
    assert page.count(green) == 2 and page.count(red) == 2
    assert "Failures (3)" in page and f"terse {CROSS} square #1" in page and "the run hung" in page
    write_report(tmp_path / "out.html", page)
    assert (tmp_path / "out.html").read_text(encoding="utf-8") == page
    with pytest.raises(OSError):
        write_report(tmp_path, page)  # a folder: a plain error, never half a file


def test_the_junit_file_parses_when_answers_hold_characters_xml_forbids():
    report = summary({("base", "square"): ["passed", "failed"]})
    for run in report.cells[("base", "square")].runs:
        run.answer = "\x1b[1mThe area is 12\x1b[0m square units.\x07"
        run.checks[0].detail = "it was: \x1b[1m…\x00"
    suites = ET.fromstring(junit_xml(report).split("\n", 1)[1])  # parses: no forbidden character is left
    outs = [e.text for e in suites.iter("system-out")]
    assert outs == ["\ufffd[1mThe area is 12\ufffd[0m square units.\ufffd"] * 2
    assert "\ufffd" in next(suites.iter("failure")).get("message")
