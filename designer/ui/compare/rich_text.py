"""A comparison of two runs as the rich text a QTextBrowser shows, in the window's colours.

The exported page (core/compare_render.py) uses CSS grid and custom properties, which Qt's
rich-text subset does not read; this builds the same reading order (totals, team changes,
then the turns side by side) from tables, spans and colours picked from the palette, so it
reads in the light and the dark theme alike. Every text from a run is escaped: a reply or a
tool result can hold any markup.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from ...core.run_compare import Comparison, ToolPair, TotalRow, Turn, TurnPair
from ...core.run_data import StoredRun
from ...core.team_diff import TeamChange, Words
from ..theme import colors, readable

#: What each turn mark means (the column between A and B).
MARKS = {"=": "the same", "~": "changed", "<": "only in A", ">": "only in B"}
_KIND_TAGS = {"thought": "thought", "tool_summary": "tool result", "stop": "ended the run", "cut": "cut short",
              "tools": "calls only", "error": "error"}


@dataclass(frozen=True)
class Ink:
    """The colours of one palette, as the hex strings rich text takes."""

    palette: QPalette
    text: str
    muted: str
    panel: str
    soft: str
    border: str
    ins: str
    ins_bg: str
    removed: str
    removed_bg: str
    better: str
    worse: str
    changed: str
    accent: str

    def speaker(self, name: str) -> str:
        return colors(self.palette).speaker(name).name()


def ink_for(palette: QPalette) -> Ink:
    theme = colors(palette)
    base = theme.text_background
    soft = palette.color(QPalette.ColorRole.AlternateBase)
    dark = theme.dark

    def on(colour: str, background: QColor = base) -> str:
        return readable(QColor(colour), background).name()

    return Ink(
        palette=palette, text=theme.text.name(), muted=theme.muted_text.name(), panel=base.name(), soft=soft.name(),
        border=theme.node_border.name(),
        ins=on("#a6ecbb" if dark else "#145c2e", theme.diff_added), ins_bg=theme.diff_added.name(),
        removed=on("#ffb3a8" if dark else "#9f1d14", theme.diff_removed), removed_bg=theme.diff_removed.name(),
        better=on("#56d364" if dark else "#1a7f37"), worse=on("#f0a35e" if dark else "#b35900"),
        changed=on("#e3b341" if dark else "#9a6700"), accent=theme.edge_turn.name(),
    )


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _pre(text: str) -> str:
    """Escaped text whose line breaks survive (rich text folds newlines otherwise)."""
    return esc(text).replace("\n", "<br/>")


def words_rich(words: Words, ink: Ink, keep: str = "-+") -> str:
    """A word diff: deletions struck through in red, insertions in green; ``keep`` picks the sides."""
    out = []
    for op, text in words:
        if op == "=":
            out.append(_pre(text))
        elif op == "-" and "-" in keep:
            out.append(f'<span style="color:{ink.removed}; background-color:{ink.removed_bg}; '
                       f'text-decoration: line-through;">{_pre(text)}</span>')
        elif op == "+" and "+" in keep:
            out.append(f'<span style="color:{ink.ins}; background-color:{ink.ins_bg};">{_pre(text)}</span>')
    return "".join(out)


def _totals(rows: list[TotalRow], a: StoredRun, b: StoredRun, ink: Ink) -> str:
    head = "".join(f'<th align="left" bgcolor="{ink.soft}" style="color:{ink.muted}; font-weight: normal;">{esc(h)}</th>'
                   for h in ("", f"A · {a.short_id}", f"B · {b.short_id}", "Change"))
    body = []
    for row in rows:
        tone = {"better": ink.better, "worse": ink.worse}.get(row.tone, ink.muted if row.delta == "unknown" else ink.text)
        body.append(f'<tr><td><b>{esc(row.label)}</b></td><td>{esc(row.left)}</td><td>{esc(row.right)}</td>'
                    f'<td style="color:{tone}; font-weight: 600;">{esc(row.delta)}</td></tr>')
    return (f'<table cellspacing="0" cellpadding="6" border="1" style="border-collapse: collapse; '
            f'border-color:{ink.border}; border-style: solid;" bgcolor="{ink.panel}"><tr>{head}</tr>{"".join(body)}</table>')


def _change(change: TeamChange, ink: Ink) -> str:
    kind = {"added": ink.ins, "removed": ink.removed}.get(change.kind, ink.muted)
    head = (f'<b style="font-family: monospace;">{esc(change.path)}</b> '
            f'<span style="color:{kind};">{esc(change.kind)}</span>')
    if change.words is not None:
        detail = words_rich(change.words, ink)
    elif change.kind == "added":
        detail = words_rich([("+", change.new or "")], ink)
    elif change.kind == "removed":
        detail = words_rich([("-", change.old or "")], ink)
    elif change.old is None:  # a snapshot that could not be read: its explanation
        detail = esc(change.new)
    else:
        detail = words_rich([("-", change.old), ("=", " → "), ("+", change.new or "")], ink)
    return f'<tr><td>{head}<br/>{detail}</td></tr>'


def _tool(pair: ToolPair, side: str, ink: Ink) -> str:
    step = pair.left if side == "left" else pair.right
    if step is None:
        return ""
    flags = []
    if pair.left is None or pair.right is None:
        flags.append(f"only in {'A' if side == 'left' else 'B'}")
    else:
        flags += [f"{what} changed" for what, changed in (("arguments", pair.args_changed), ("result", pair.result_changed))
                  if changed]
    flag = f' <span style="color:{ink.changed};">{esc(", ".join(flags))}</span>' if flags else ""
    result = ("no result: the run ended first" if step.result is None
              else ("error: " if step.is_error else "→ ") + step.result)
    colour = ink.removed if step.is_error else ink.muted
    return (f'<p style="font-family: monospace; margin: 2px 0;">⚙ {esc(step.name)}({esc(step.arguments)}){flag}'
            f'<br/><span style="color:{colour};">{_pre(result[:600])}</span></p>')


def _cell(pair: TurnPair, side: str, run: StoredRun, ink: Ink) -> str:
    turn: Turn | None = pair.left if side == "left" else pair.right
    if turn is None:
        return f'<td width="48%" style="color:{ink.muted};"><i>no turn in {"A" if side == "left" else "B"}</i></td>'
    name_colour = ink.muted if turn.kind == "task" else ink.speaker(turn.speaker)
    head = [f'<b style="color:{name_colour};">{esc(turn.speaker)}</b>']
    if turn.kind == "handoff":
        head.append(f'<span style="color:{ink.muted};">hands off to {esc(turn.target)}</span>')
    elif turn.kind in _KIND_TAGS:
        head.append(f'<span style="color:{ink.removed if turn.kind == "error" else ink.muted};">'
                    f'{_KIND_TAGS[turn.kind]}</span>')
    if turn.parent:
        head.append(f'<span style="color:{ink.muted};">for {esc(turn.parent)}</span>')
    if turn.origin == "replayed":
        head.append(f'<span style="color:{ink.accent};">↺ replayed</span>')
    head.append(f'<span style="color:{ink.muted};">· {run.clock(turn.t)}</span>')
    keep = "-" if side == "left" else "+"
    text = _pre(turn.text) if pair.words is None else words_rich(pair.words, ink, keep)
    tools = "".join(_tool(p, side, ink) for p in pair.tools)
    body = f'<p style="margin-top: 4px;">{text}</p>' if turn.text else ""
    return f'<td width="48%">{"&nbsp; ".join(head)}{tools}{body}</td>'


def _pairs(c: Comparison, a: StoredRun, b: StoredRun, ink: Ink) -> str:
    rows = [(f'<tr><th width="48%" align="left" bgcolor="{ink.soft}">A · {esc(a.label)} '
             f'<span style="color:{ink.muted}; font-weight: normal;">{esc(a.short_id)}</span></th>'
             f'<th width="4%" bgcolor="{ink.soft}"></th>'
             f'<th width="48%" align="left" bgcolor="{ink.soft}">B · {esc(b.label)} '
             f'<span style="color:{ink.muted}; font-weight: normal;">{esc(b.short_id)}</span></th></tr>')]
    for pair in c.pairs:
        mark = pair.mark
        colour = {"~": ink.changed, "=": ink.muted}.get(mark, ink.muted)
        background = ink.panel if mark == "=" else ink.soft
        rows.append(f'<tr bgcolor="{background}">{_cell(pair, "left", a, ink)}'
                    f'<td width="4%" align="center" title="{MARKS[mark]}" style="color:{colour}; font-weight: bold;">'
                    f'{esc(mark)}</td>{_cell(pair, "right", b, ink)}</tr>')
    return (f'<table width="100%" cellspacing="0" cellpadding="8" border="1" style="border-collapse: collapse; '
            f'border-color:{ink.border}; border-style: solid;">{"".join(rows)}</table>')


def comparison_rich_text(c: Comparison, a: StoredRun, b: StoredRun, palette: QPalette) -> str:
    """Totals with deltas, the team changes word-diffed, then the turns aligned by speaker."""
    ink = ink_for(palette)
    muted = f'style="color:{ink.muted};"'
    parts = [
        "<h2>Compare runs</h2>",
        (f'<p><b>A</b> {esc(a.label)} <span {muted}>· {esc(a.team)} · {esc(a.short_id)} · {a.when}</span><br/>'
         f'<b>B</b> {esc(b.label)} <span {muted}>· {esc(b.team)} · {esc(b.short_id)} · {b.when}</span></p>'),
        f'<p {muted}>{esc(c.summary)}</p>' if c.summary else "",
        "<h3>Totals</h3>", _totals(c.totals, a, b, ink),
    ]
    if c.agents:
        parts += ["<h3>Tokens per agent</h3>", _totals(c.agents, a, b, ink)]
    parts.append(f'<h3>Team changes <span {muted}>({len(c.changes)})</span></h3>')
    if c.changes:
        parts.append(f'<table width="100%" cellspacing="0" cellpadding="8" border="1" style="border-collapse: collapse; '
                     f'border-color:{ink.border}; border-style: solid;" bgcolor="{ink.panel}">'
                     f'{"".join(_change(ch, ink) for ch in c.changes)}</table>')
    else:
        parts.append(f"<p {muted}><i>The team is the same in both runs.</i></p>")
    counts = ", ".join(f"{c.count(m)} {MARKS[m]}" for m in MARKS if c.count(m))
    parts.append(f'<h3>Transcripts <span {muted}>{esc(counts)}</span></h3>')
    parts.append(_pairs(c, a, b, ink) if c.pairs else f"<p {muted}><i>Neither run has any messages.</i></p>")
    return f'<div style="color:{ink.text};">{"".join(p for p in parts if p)}</div>'
