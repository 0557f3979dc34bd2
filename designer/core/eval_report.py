"""An evaluation's results as the terminal matrix, JUnit XML, JSON and a self-contained HTML page.

All four read the same :class:`EvalSummary` and name things alike: a cell is a variant on a
task ("terse" on "square"), a run is a cell's repeat ("#1"), a failure is a check's label and why
it failed. The JUnit file follows the conventions CI tools read (testsuites > testsuite >
testcase with failure / error / skipped, counts and times on both levels), so an evaluation
gates a build like any test suite.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import Any

from .eval_types import CellSummary, EvalSummary, JobResult
from .finish import plural
from .html_page import esc, page
from .eval_spec import shorten
from .run_data import cost_text
from .teamfile import atomic_write

#: The terminal's width when none is given: what a CI log or a default terminal shows.
DEFAULT_WIDTH = 100
#: Failure lines under the matrix, at most (the reports list them all).
MAX_FAILURE_LINES = 40
_GAP = "  "
#: Between a variant and a task ("terse" CROSS "square"), spelled out for ruff's look-alike check.
CROSS = "\N{MULTIPLICATION SIGN}"
JSON_FORMAT = "team-designer-eval-report/v1"


#: A label or line on one line, shortened with '…' to at most ``width`` characters.
fit = shorten


def run_name(result: JobResult) -> str:
    """'length=2, width=5 #1': a run as the matrix rows and JUnit test cases name it."""
    return f"{result.task_id} #{result.repeat + 1}"


def cell_status(cell: CellSummary) -> str:
    """'PASS 3/3', 'FAIL 1/3', 'ERR' (every run made crashed), 'STOP 2/3' (stopped before its
    runs were all made: no verdict) or '—' (no run made)."""
    if not cell.runs:
        return "—"
    if all(r.status == "error" for r in cell.runs):
        return "ERR"
    if not cell.complete:
        return f"STOP {cell.passes}/{cell.expected}"
    return f"{'PASS' if cell.passed else 'FAIL'} {cell.passes}/{cell.expected}"


def _tokens(n: int) -> str:
    return f"{n:,}" if n < 10_000 else f"{n / 1000:.1f}k" if n < 1_000_000 else f"{n / 1e6:.1f}M"


def _seconds(s: float) -> str:
    return f"{s:.1f}s" if s < 600 else f"{s / 60:.0f}m"


def cell_figures(cell: CellSummary, currency: str | None) -> str:
    """'1,234 tok, $0.0012, 3.4s': what a cell's runs took together ('' before any ran)."""
    if not cell.runs:
        return ""
    return f"{_tokens(cell.tokens)} tok, {cost_text(cell.cost, currency)}, {_seconds(cell.seconds)}"


def failure_lines(summary: EvalSummary) -> list[tuple[JobResult, str]]:
    """(run, 'label: why') for every failed check of a failed run, and every run's error."""
    out: list[tuple[JobResult, str]] = []
    for result in summary.results:
        if result.status == "error":
            out.append((result, f"error: {result.error or 'the run could not be checked'}"))
        elif result.status == "failed":
            failed = [c for c in result.checks if not c.passed]
            out += [(result, f"{c.label}: {c.detail}" if c.detail else c.label) for c in failed]
            if not failed:
                out.append((result, "failed"))
    return out


def _where(result: JobResult) -> str:
    return f"{result.variant} {CROSS} {run_name(result)}"


def totals_text(summary: EvalSummary) -> str:
    """'3/4 cells passed · 8/8 runs (1 failed, 0 errors) · 1,234 tokens · $0.0012 · 3.4s'."""
    cells = list(summary.cells.values())
    passed = sum(c.passed for c in cells)
    runs = f"{summary.done_runs}/{summary.total_runs} runs"
    runs += f" ({summary.count('failed')} failed, {plural(summary.count('error'), 'error')})"
    seconds = summary.duration or sum(c.seconds for c in cells)
    text = (f"{passed}/{len(cells)} cells passed · {runs} · {summary.tokens:,} tokens · "
            f"{cost_text(summary.cost, summary.currency)} · {_seconds(seconds)}")
    return text + (" · stopped" if summary.stopped else "")


def matrix_text(summary: EvalSummary, *, width: int | None = None) -> str:
    """The matrix (tasks as rows, variants as columns, two lines a cell), the totals and the
    failures. Columns that do not fit in ``width`` go on in a further block below, the task
    names repeated, so nothing is cut but labels."""
    width = max(width or DEFAULT_WIDTH, 40)
    currency = summary.currency
    label_w = min(max([len("task"), *(len(t) for t in summary.tasks)]), max(24, width // 4))
    cells = {key: (cell_status(c), cell_figures(c, currency)) for key, c in summary.cells.items()}

    def col_width(variant: str) -> int:
        # As wide as the cells' figures: a long variant name is shortened rather than widening its column.
        texts = [len(s) for t in summary.tasks for s in cells.get((variant, t), ("", ""))]
        return min(max([*texts, min(len(variant), 12), 4]), width - label_w - len(_GAP))

    blocks: list[list[tuple[str, int]]] = []
    used = label_w
    for variant in summary.variants:
        w = col_width(variant)
        if not blocks or used + len(_GAP) + w > width:
            blocks.append([])
            used = label_w
        blocks[-1].append((variant, w))
        used += len(_GAP) + w
    how = f"{summary.backend}, {plural(summary.workers, 'worker')}" + (f", replay {summary.replay}" if summary.replay else "")
    lines = [fit(f"{summary.name} · {plural(len(summary.variants), 'variant')} {CROSS} {plural(len(summary.tasks), 'task')}"
                 f" · {how}", width)]
    for block in blocks:
        lines.append("")
        lines.append(_GAP.join([fit("task", label_w).ljust(label_w)] + [fit(v, w).ljust(w) for v, w in block]).rstrip())
        for task in summary.tasks:
            first, second = [fit(task, label_w).ljust(label_w)], [" " * label_w]
            for variant, w in block:
                status, figures = cells.get((variant, task), ("", ""))
                first.append(fit(status, w).ljust(w))
                second.append(fit(figures, w).ljust(w))
            lines += [_GAP.join(first).rstrip(), _GAP.join(second).rstrip()]
    lines += ["", fit(totals_text(summary), width)]
    failures = failure_lines(summary)
    for result, text in failures[:MAX_FAILURE_LINES]:
        # Whole: the reason is what the line is for, and a terminal wraps it (a CI log keeps it).
        lines.append(f"{_where(result)}: {text}")
    if len(failures) > MAX_FAILURE_LINES:
        lines.append(f"… and {len(failures) - MAX_FAILURE_LINES} more failures (see the --json or --html report)")
    return "\n".join(lines) + "\n"


# --- JUnit ------------------------------------------------------------------------------------


def _time(seconds: float) -> str:
    return f"{seconds:.3f}"


def _missing(cell: CellSummary) -> list[int]:
    """The repeats of a cell that were not run (stopped before they started)."""
    made = {r.repeat for r in cell.runs}
    return [n for n in range(cell.expected) if n not in made]


def junit_xml(summary: EvalSummary) -> str:
    """One testsuite per variant, one testcase per run (task and repeat)."""
    root = ET.Element("testsuites", name=summary.name)
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    stamp = datetime.fromtimestamp(summary.started_at or 0, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    for variant in summary.variants:
        suite = ET.SubElement(root, "testsuite", name=variant, timestamp=stamp)
        counts = dict.fromkeys(totals, 0)
        seconds = 0.0
        props = ET.SubElement(suite, "properties")
        for key, text in (("file", summary.file), ("eval_id", summary.eval_id), ("backend", summary.backend),
                          ("replay", summary.replay or "live")):
            ET.SubElement(props, "property", name=key, value=text)
        for task in summary.tasks:
            cell = summary.cells.get((variant, task))
            if cell is None:
                continue
            for result in sorted(cell.runs, key=lambda r: r.repeat):
                _testcase(suite, summary, cell, result, counts)
                seconds += result.seconds
            for repeat in _missing(cell):
                case = ET.SubElement(suite, "testcase", name=f"{task} #{repeat + 1}",
                                     classname=f"{summary.name}.{variant}", time=_time(0))
                why = "not run: the evaluation was stopped" if summary.stopped else "not run"
                ET.SubElement(case, "skipped", message=why)
                counts["tests"] += 1
                counts["skipped"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", _time(seconds))
        total_time += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", _time(summary.duration or total_time))
    ET.indent(root)
    # ElementTree escapes markup but keeps characters XML forbids (an answer's ANSI colour codes,
    # a bell): a CI tool would refuse the whole file. They never occur in markup, only in text.
    text = _NOT_XML.sub("\ufffd", ET.tostring(root, encoding="unicode"))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


#: What XML 1.0 does not allow anywhere (C0 controls but tab, newline and return; surrogates; U+FFFE/F).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _testcase(suite: ET.Element, summary: EvalSummary, cell: CellSummary, result: JobResult,
              counts: dict[str, int]) -> None:
    case = ET.SubElement(suite, "testcase", name=run_name(result), classname=f"{summary.name}.{result.variant}",
                         time=_time(result.seconds))
    props = ET.SubElement(case, "properties")
    for key, value in (("tokens", str(result.tokens)), ("cost", cost_text(result.cost, result.currency)),
                       ("run_id", result.run_id), ("finish_reason", result.reason),
                       ("cell", "passed" if cell.passed else "failed")):
        ET.SubElement(props, "property", name=key, value=value)
    counts["tests"] += 1
    if result.status == "error":
        counts["errors"] += 1
        error = ET.SubElement(case, "error", message=fit(result.error or "the run could not be checked", 500))
        error.text = result.error
    elif result.status == "failed":
        counts["failures"] += 1
        failed = [c for c in result.checks if not c.passed]
        texts = [f"{c.label}: {c.detail}" if c.detail else c.label for c in failed] or ["failed"]
        failure = ET.SubElement(case, "failure", message=fit("; ".join(texts), 500), type="check")
        failure.text = "\n".join(texts)
    if result.answer:
        ET.SubElement(case, "system-out").text = result.answer


# --- JSON -------------------------------------------------------------------------------------


def report_data(summary: EvalSummary) -> dict[str, Any]:
    cells = list(summary.cells.values())
    return {
        "format": JSON_FORMAT, "name": summary.name, "file": summary.file, "eval_id": summary.eval_id,
        "started_at": summary.started_at, "duration": summary.duration, "backend": summary.backend,
        "workers": summary.workers, "replay": summary.replay, "stopped": summary.stopped, "passed": summary.passed,
        "totals": {"cells": len(cells), "passed_cells": sum(c.passed for c in cells), "runs": summary.total_runs,
                   "done": summary.done_runs, "passed": summary.count("passed"), "failed": summary.count("failed"),
                   "errors": summary.count("error"), "tokens": summary.tokens, "cost": summary.cost,
                   "currency": summary.currency},
        "variants": list(summary.variants), "tasks": list(summary.tasks),
        "cells": [{"variant": c.variant, "task": c.task_id, "threshold": c.threshold, "expected": c.expected,
                   "done": c.done, "passes": c.passes, "rate": c.rate, "passed": c.passed, "status": cell_status(c),
                   "tokens": c.tokens, "cost": c.cost, "seconds": c.seconds,
                   "run_ids": [r.run_id for r in sorted(c.runs, key=lambda r: r.repeat)]} for c in cells],
        "results": [r.to_dict() for r in summary.results],
    }


def json_report(summary: EvalSummary) -> str:
    return json.dumps(report_data(summary), indent=2, ensure_ascii=False) + "\n"


# --- HTML -------------------------------------------------------------------------------------

_TONES = {"pass": "background: var(--ins-bg); color: var(--ins)", "fail": "background: var(--del-bg); color: var(--del)",
          "none": "color: var(--muted)"}


def _cell_html(cell: CellSummary | None, currency: str | None) -> str:
    if cell is None:
        return '<td class="muted">—</td>'
    tone = "none" if not cell.runs else "pass" if cell.passed else "fail"
    ids = ", ".join(r.run_id[:7] for r in sorted(cell.runs, key=lambda r: r.repeat) if r.run_id)
    title = f' title="runs {esc(ids)}"' if ids else ""
    return (f'<td style="{_TONES[tone]}"{title}><b>{esc(cell_status(cell))}</b>'
            f'<div class="mono">{esc(cell_figures(cell, currency))}</div></td>')


def html_report(summary: EvalSummary) -> str:
    """The matrix as a table of green and red cells, the totals and every failure."""
    when = datetime.fromtimestamp(summary.started_at, timezone.utc).strftime("%Y-%m-%d %H:%M UTC") \
        if summary.started_at else ""
    how = f"{summary.backend}, {plural(summary.workers, 'worker')}" + (f", replay {summary.replay}" if summary.replay else "")
    verdict = "passed" if summary.passed else "stopped" if summary.stopped else "failed"
    parts = [f"<h1>{esc(summary.name)}</h1>",
             f'<p class="sub"><b>{esc(verdict)}</b> · {esc(totals_text(summary))}</p>',
             f'<p class="sub">{esc(os.path.basename(summary.file))} · {esc(how)}'
             + (f" · {esc(when)}" if when else "") + (f" · evaluation {esc(summary.eval_id[:7])}" if summary.eval_id else "")
             + "</p>", "<h2>Matrix</h2>"]
    head = "".join(f"<th>{esc(v)}</th>" for v in summary.variants)
    rows = []
    for task in summary.tasks:
        cells = "".join(_cell_html(summary.cells.get((v, task)), summary.currency) for v in summary.variants)
        rows.append(f"<tr><th>{esc(task)}</th>{cells}</tr>")
    parts.append(f'<table class="figures"><thead><tr><th>task</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>')
    failures = failure_lines(summary)
    parts.append(f"<h2>Failures ({len(failures)})</h2>")
    if failures:
        items = "".join(f'<li><span class="path">{esc(_where(r))}</span>'
                        + (f'<span class="kind">run {esc(r.run_id[:7])}</span>' if r.run_id else "")
                        + f'<div class="prose">{esc(text)}</div></li>' for r, text in failures)
        parts.append(f'<ul class="changes">{items}</ul>')
    else:
        parts.append('<p class="empty">none: every run passed its checks</p>')
    return page(f"{summary.name}: evaluation", "\n".join(parts))


def write_report(path: str | os.PathLike[str], text: str) -> None:
    """A report file, written atomically (a CI job never reads half of one). Raises OSError."""
    atomic_write(path, text)
