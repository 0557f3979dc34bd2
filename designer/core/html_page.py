"""The parts the exported run pages share: one stylesheet, escaping, speakers, word diffs, turns.

A page must stand alone (mailed, attached to a ticket, opened years later): the CSS is inline,
there are no scripts and no external URLs, and every text from a run goes through
:func:`html.escape`, because a model's reply or a tool's result can hold any markup.
"""

from __future__ import annotations

import html
import zlib

from .run_compare import Turn
from .run_data import clock
from .team_diff import Words

#: Light first; the dark palette follows the reader's system setting, with no script.
CSS = """
:root { color-scheme: light dark;
  --bg: #f6f6f3; --panel: #ffffff; --text: #1f2328; --muted: #656d76; --border: #e1e2de;
  --soft: #f0f0ec; --code: #f3f3f0; --accent: #3a5ccc; --l: 36%;
  --del: #9f1d14; --del-bg: #ffe1dc; --ins: #145c2e; --ins-bg: #d6f5df;
  --better: #1a7f37; --worse: #b35900; --changed: #c4820e; --only: #8b949e; }
@media (prefers-color-scheme: dark) { :root {
  --bg: #15171a; --panel: #1d2024; --text: #e4e6e9; --muted: #9aa3ad; --border: #30343a;
  --soft: #23272c; --code: #24282e; --accent: #8aa4ff; --l: 72%;
  --del: #ffb3a8; --del-bg: #5a1f1b; --ins: #a6ecbb; --ins-bg: #173d26;
  --better: #56d364; --worse: #f0a35e; --changed: #e3b341; --only: #6e7681; } }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--text);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 36px 28px 72px; }
main.narrow { max-width: 860px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 17px; margin: 36px 0 12px; }
.sub { color: var(--muted); margin: 0 0 4px; }
.sub b { color: var(--text); font-weight: 600; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 13px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.card { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 16px 20px; }
table.figures { border-collapse: collapse; min-width: min(100%, 720px); background: var(--panel);
  border: 1px solid var(--border); border-radius: 10px; overflow: hidden; }
.figures th, .figures td { padding: 9px 16px; text-align: left; border-bottom: 1px solid var(--border); }
.figures tr:last-child td { border-bottom: 0; }
.figures thead th { color: var(--muted); font-weight: 500; font-size: 13px; background: var(--soft); }
.figures th { white-space: nowrap; }
.figures td.num { font-variant-numeric: tabular-nums; }
.delta { font-variant-numeric: tabular-nums; font-weight: 600; white-space: nowrap; }
.delta.better { color: var(--better); } .delta.worse { color: var(--worse); }
.delta.unknown, .muted { color: var(--muted); font-weight: 400; }
ul.changes { list-style: none; margin: 0; padding: 0; background: var(--panel);
  border: 1px solid var(--border); border-radius: 10px; }
ul.changes li { padding: 12px 18px; border-bottom: 1px solid var(--border); }
ul.changes li:last-child { border-bottom: 0; }
.path { font-weight: 600; }
.kind { display: inline-block; font-size: 12px; padding: 0 8px; border-radius: 10px; margin-left: 8px;
  background: var(--soft); color: var(--muted); }
.kind.added { background: var(--ins-bg); color: var(--ins); }
.kind.removed { background: var(--del-bg); color: var(--del); }
.prose { margin-top: 6px; max-width: 80ch; white-space: pre-wrap; overflow-wrap: anywhere; }
del { color: var(--del); background: var(--del-bg); text-decoration: line-through; border-radius: 3px; padding: 0 1px; }
ins { color: var(--ins); background: var(--ins-bg); text-decoration: none; border-radius: 3px; padding: 0 1px; }
del + ins { margin-left: 3px; }
.empty { color: var(--muted); font-style: italic; }
details > summary { cursor: pointer; color: var(--muted); }
details.team pre { margin-top: 10px; padding: 12px 14px; background: var(--code); border-radius: 8px; }
.turn { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 12px 16px; }
.turn + .turn { margin-top: 10px; }
.turn.nested { margin-left: 28px; border-left: 3px solid var(--border); }
.turn.error { border-color: var(--del); }
.head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; margin-bottom: 4px; }
.speaker { font-weight: 650; color: hsl(var(--hue) 60% var(--l)); }
.speaker.task { color: var(--muted); }
.clock { color: var(--muted); font-size: 12px; margin-left: auto; font-variant-numeric: tabular-nums; }
.tag { font-size: 12px; color: var(--muted); border: 1px solid var(--border); border-radius: 10px; padding: 0 7px; }
.tag.replayed { color: var(--accent); border-color: var(--accent); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 80ch; }
.tool { margin: 6px 0; padding: 6px 10px; background: var(--code); border-radius: 8px; }
.tool summary { color: var(--text); overflow-wrap: anywhere; }
.tool summary .res { color: var(--muted); }
.tool .flag { color: var(--changed); font-size: 12px; margin-left: 6px; }
.tool pre { margin-top: 6px; max-height: 18em; overflow: auto; }
.tool .err { color: var(--del); }
.why { margin-top: 6px; font-size: 13px; }
.why dt { color: var(--muted); margin-top: 6px; } .why dd { margin: 2px 0 0; }
.sxs-head { position: sticky; top: 0; z-index: 2; display: grid; grid-template-columns: 1fr 32px 1fr;
  gap: 0 8px; padding: 10px 0; background: var(--bg); border-bottom: 1px solid var(--border); }
.sxs-head div { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sxs-head .id { color: var(--muted); font-weight: 400; }
.pair { display: grid; grid-template-columns: 1fr 32px 1fr; gap: 0 8px; margin-top: 10px; }
.pair .mark { text-align: center; padding-top: 12px; color: var(--muted); font-weight: 700; }
.pair.changed .mark { color: var(--changed); } .pair.left .mark, .pair.right .mark { color: var(--only); }
.pair.changed .turn { border-color: color-mix(in srgb, var(--changed) 45%, var(--border)); }
.pair.same .turn { opacity: 0.82; }
.pair .turn + .turn { margin-top: 0; }
.gap { border: 1px dashed var(--border); border-radius: 10px; padding: 12px 16px; color: var(--muted);
  font-style: italic; font-size: 13px; }
.legend { color: var(--muted); font-size: 13px; margin: -4px 0 8px; }
"""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def page(title: str, body: str, *, narrow: bool = False) -> str:
    """One self-contained HTML document."""
    opening = '<main class="narrow">' if narrow else "<main>"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        f"{opening}\n{body}\n</main>\n</body>\n</html>\n"
    )


def hue(name: str) -> int:
    """A speaker's colour, the same in every export and in both columns: hashed from the name."""
    return zlib.crc32(name.encode("utf-8")) % 360


def speaker(name: str, *, task: bool = False) -> str:
    if task:  # the run's input, not an agent: no agent colour
        return f'<span class="speaker task">{esc(name)}</span>'
    return f'<span class="speaker" style="--hue: {hue(name)}">{esc(name)}</span>'


def words_html(words: Words, keep: str = "-+") -> str:
    """A word diff inline: deletions struck through in red, insertions in green; ``keep`` picks
    which sides show ('-' for the old text, '+' for the new, both for the change itself)."""
    out = []
    for op, text in words:
        if op == "=":
            out.append(esc(text))
        elif op == "-" and "-" in keep:
            out.append(f"<del>{esc(text)}</del>")
        elif op == "+" and "+" in keep:
            out.append(f"<ins>{esc(text)}</ins>")
    return "".join(out)


_KIND_TAGS = {"thought": "thought", "tool_summary": "tool result", "stop": "ended the run", "cut": "cut short"}


def turn_html(turn: Turn, started_at: float, *, text: str | None = None, flags: dict[int, str] | None = None) -> str:
    """One turn as a card. ``text`` replaces the escaped text (a word diff already rendered);
    ``flags`` marks tool calls by index ("arguments changed")."""
    classes = ["turn"] + (["nested"] if turn.parent else []) + (["error"] if turn.kind == "error" else [])
    head = [speaker(turn.speaker, task=turn.kind == "task")]
    if turn.kind == "handoff":
        head.append(f'<span class="tag">hands off to {esc(turn.target)}</span>')
    elif turn.kind == "error":
        head.append('<span class="tag">error</span>')
    elif turn.kind in _KIND_TAGS:
        head.append(f'<span class="tag">{_KIND_TAGS[turn.kind]}</span>')
    if turn.parent:
        head.append(f'<span class="tag">for {esc(turn.parent)}</span>')
    if turn.origin == "replayed":
        head.append('<span class="tag replayed" title="answered from the recording">↺ replayed</span>')
    head.append(f'<span class="clock">{clock(started_at, turn.t)}</span>')
    parts = [f'<div class="{" ".join(classes)}">', f'<div class="head">{"".join(head)}</div>']
    parts += [_tool_html(step.name, step.arguments, step.result, step.is_error, (flags or {}).get(i, ""))
              for i, step in enumerate(turn.tools)]
    body = esc(turn.text) if text is None else text
    if body:
        parts.append(f'<div class="text">{body}</div>')
    if turn.choice is not None and (turn.choice.prompt or turn.choice.answer or turn.choice.fallback):
        parts.append(_why_html(turn))
    parts.append("</div>")
    return "".join(parts)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tool_html(name: str, arguments: str, result: str | None, is_error: bool, flag: str) -> str:
    """A tool call folded to one line (the call and the start of its answer); open, it shows both whole."""
    mark = f'<span class="flag">{esc(flag)}</span>' if flag else ""
    if result is None:
        brief, answer = "no result", '<div class="empty">no result: the run ended first</div>'
    else:
        brief = ("error: " if is_error else "→ ") + _short(result, 60)
        answer = f'<pre class="{"err" if is_error else "out"}">{"Error: " if is_error else "→ "}{esc(result)}</pre>'
    return (f'<details class="tool"><summary>⚙ <code>{esc(name)}({esc(_short(arguments))})</code> '
            f'<span class="res">{esc(brief)}</span>{mark}</summary><pre>{esc(arguments)}</pre>{answer}</details>')


def _why_html(turn: Turn) -> str:
    choice = turn.choice
    assert choice is not None
    rows = [("The selector was asked", choice.prompt), ("It answered", choice.answer), ("Fallback", choice.fallback)]
    items = "".join(f"<dt>{label}</dt><dd><pre>{esc(value)}</pre></dd>" for label, value in rows if value)
    return f'<details class="why"><summary>why this agent spoke ({esc(choice.by)})</summary><dl>{items}</dl></details>'
