"""A stored run as a file: Markdown to paste, JSON lines for programs, one HTML page to share.

The Markdown has the shape of the window's transcript export (ui/run/transcript_model.py
to_markdown): a heading per message, tool calls in fenced JSON, notices in italics. Comparisons
render in compare_render.py; their functions are re-exported here so callers import one module.
"""

from __future__ import annotations

import json
import re

from .compare_render import comparison_html, comparison_text
from .finish import plural
from .html_page import esc, page, turn_html
from .run_compare import Turn, turns
from .run_data import StoredRun, cost_text, reason_text

__all__ = ["comparison_html", "comparison_text", "figures", "run_html", "run_jsonl", "run_markdown"]

#: How a replayed turn is marked in every export.
REPLAYED = "↺ replayed"
_ORIGINS = {"replay": "replay of", "rerun": "re-run from"}


def figures(run: StoredRun) -> str:
    """'1.2 s, 3 messages, 120 tokens, cost $0.0012 (saved 80 tokens, $0.0009 by replay)'."""
    text = f"{run.duration:.1f} s, {plural(run.messages, 'message')}, {plural(run.tokens, 'token')}, " \
           f"cost {cost_text(run.cost, run.currency)}"
    if run.saved_tokens:
        saved = plural(run.saved_tokens, "token")
        if run.saved_cost is not None:
            saved += f", {cost_text(run.saved_cost, run.currency)}"
        text += f" (saved {saved} by replay)"
    return text


def _about(run: StoredRun) -> str:
    """'run 3f2a9c1 · 2026-12-01 16:20 · replay of 8d0e4b2'."""
    parts = [f"run {run.short_id}", run.when]
    if run.origin in _ORIGINS and run.parent:
        parts.append(f"{_ORIGINS[run.origin]} {run.parent[:7]}")
    return " · ".join(parts)


def _started(run: StoredRun) -> dict[str, object]:
    return next((e for e in run.events if e.get("type") == "started"), {})


def _fence(text: str, lang: str = "") -> list[str]:
    """A fenced block longer than any run of backticks inside, so no text can close it early."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [ticks + lang, *text.splitlines(), ticks]


def _turn_markdown(run: StoredRun, turn: Turn) -> list[str]:
    indent = "> " if turn.parent else ""
    replayed = f" · {REPLAYED}" if turn.origin == "replayed" else ""
    lines: list[str] = []
    for step in turn.tools:
        lines += [f"**{turn.speaker}** called `{step.name}` · {run.clock(turn.t)}{replayed}", ""]
        lines += _fence(step.arguments, "json")
        if step.result is not None:
            lines.append(f"{'Error' if step.is_error else 'Result'}: {step.result}")
        lines.append("")
    if turn.kind == "handoff":
        lines.append(f"*{turn.speaker} hands off to {turn.target}* · {run.clock(turn.t)}{replayed}")
    elif turn.kind == "error":
        lines.append(f"*Error from {turn.speaker}: {turn.text}* · {run.clock(turn.t)}")
    elif turn.kind != "tools":
        note = {"thought": " (thought)", "cut": " (cut short)"}.get(turn.kind, "")
        lines += [f"### {turn.speaker}{note} · {run.clock(turn.t)}{replayed}", ""]
        lines += turn.text.splitlines()
    lines.append("")
    return [indent + line if line or indent else line for line in lines]


def run_markdown(run: StoredRun) -> str:
    """The run as Markdown: a header with the team, task, finish and figures, then the transcript."""
    started = _started(run)
    lines = [f"# {run.team}", "", _about(run), ""]
    if run.title:
        lines[2:2] = [f"**{run.title}**", ""]
    if started.get("pattern"):
        lines += [f"Pattern: {started.get('pattern')} · bound: {started.get('bound', '')}", ""]
    lines += [f"**Task:** {run.task.splitlines()[0] if run.task else ''}", "",
              f"**{reason_text(run.reason, run.detail)}** — {figures(run)}", ""]
    if run.changes:
        lines += [f"Changed since the previous run: {run.changes}", ""]
    for turn in turns(run.events):
        lines += _turn_markdown(run, turn)
    return "\n".join(lines).rstrip() + "\n"


def run_jsonl(run: StoredRun) -> str:
    """Every stored event as one JSON object per line, in order."""
    return "".join(json.dumps(event, ensure_ascii=False) + "\n" for event in run.events)


def _agent_costs(run: StoredRun) -> str:
    names = list(run.tokens_by_agent) + [n for n in run.cost_by_agent if n not in run.tokens_by_agent]
    if not names:
        return ""
    rows = []
    for name in names:
        split = run.tokens_by_agent.get(name, {})
        cost = cost_text(run.cost_by_agent.get(name), run.currency)
        rows.append(f"<tr><td>{esc(name)}</td><td class=\"num\">{esc(str(split.get('prompt', 0)))}</td>"
                    f"<td class=\"num\">{esc(str(split.get('completion', 0)))}</td><td class=\"num\">{esc(cost)}</td></tr>")
    head = "<thead><tr><th>Agent</th><th>Prompt tokens</th><th>Completion tokens</th><th>Cost</th></tr></thead>"
    return f'<h2>Per agent</h2><table class="figures">{head}<tbody>{"".join(rows)}</tbody></table>'


def run_html(run: StoredRun) -> str:
    """One self-contained page: the run's header and figures, the team as it ran, the transcript."""
    facts = [("Finish", reason_text(run.reason, run.detail)), ("Messages", str(run.messages)),
             ("Tokens", f"{run.tokens} ({run.prompt_tokens} prompt, {run.completion_tokens} completion)"),
             ("Cost", cost_text(run.cost, run.currency)), ("Duration", f"{run.duration:.1f} s")]
    if run.saved_tokens:
        facts.append(("Saved by replay", f"{run.saved_tokens} tokens, {cost_text(run.saved_cost, run.currency)}"))
    if run.changes:
        facts.append(("Changed since the previous run", run.changes))
    rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in facts)
    transcript = "".join(turn_html(turn, run.started_at) for turn in turns(run.events))
    body = [
        f"<h1>{esc(run.title or run.team)}</h1>",
        f'<p class="sub"><b>{esc(run.team)}</b> · {esc(_about(run))}</p>',
        f'<p class="sub">{esc(run.team_path or "unsaved design")}</p>',
        f'<h2>Task</h2><div class="card text">{esc(run.task)}</div>',
        f'<h2>Figures</h2><table class="figures"><tbody>{rows}</tbody></table>',
        _agent_costs(run),
        ('<h2>Team</h2><details class="team card"><summary>The team file as it ran</summary>'
         f"<pre>{esc(run.snapshot)}</pre></details>"),
        f"<h2>Transcript</h2>{transcript or '<p class=empty>No messages.</p>'}",
    ]
    return page(f"{run.team} — {run.label}", "\n".join(part for part in body if part), narrow=True)
