"""A comparison of two runs as a page (the view that decides whether a prompt change helped) and
as terminal text (``team-designer runs diff A B``).

Both read the same :class:`Comparison` in the same order: the totals with their deltas, the
team changes, then the turns aligned by speaker. The terminal marks words like ``git diff
--word-diff``: ``[-old-]{+new+}``.
"""

from __future__ import annotations


from .html_page import esc, page, turn_html, words_html
from .run_compare import Comparison, TotalRow, Turn, TurnPair
from .run_data import StoredRun
from .team_diff import TeamChange, Words

#: Words of the turn marks, for the legend of both renderings.
MARKS = {"=": "the same", "~": "changed", "<": "only in A", ">": "only in B"}
_PAIR_CLASS = {"=": "same", "~": "changed", "<": "left", ">": "right"}
#: A kept stretch of text longer than this is shortened in the terminal (context around a change).
_CONTEXT = 40


def _heading(run: StoredRun) -> str:
    return f"{run.short_id} · {run.when}"


# --- HTML -------------------------------------------------------------------------------------


def _totals_html(rows: list[TotalRow], a: StoredRun, b: StoredRun) -> str:
    body = []
    for row in rows:
        tone = row.tone or ("unknown" if row.delta == "unknown" else "")
        delta = f"delta {tone}" if tone else "delta"
        body.append(f"<tr><th>{esc(row.label)}</th><td class=\"num\">{esc(row.left)}</td>"
                    f"<td class=\"num\">{esc(row.right)}</td><td class=\"{delta}\">{esc(row.delta)}</td></tr>")
    head = (f"<thead><tr><th></th><th>A · {esc(a.short_id)}</th><th>B · {esc(b.short_id)}</th>"
            "<th>Change</th></tr></thead>")
    return f'<table class="figures">{head}<tbody>{"".join(body)}</tbody></table>'


def _change_html(change: TeamChange) -> str:
    head = f'<span class="path mono">{esc(change.path)}</span><span class="kind {change.kind}">{change.kind}</span>'
    if change.words is not None:
        return f'<li>{head}<div class="prose">{words_html(change.words)}</div></li>'
    if change.kind == "added":
        detail = f"<ins>{esc(change.new)}</ins>"
    elif change.kind == "removed":
        detail = f"<del>{esc(change.old)}</del>"
    elif change.old is None:  # a snapshot that could not be read: its explanation
        detail = esc(change.new)
    else:
        detail = f"<del>{esc(change.old)}</del> → <ins>{esc(change.new)}</ins>"
    return f'<li>{head}<div class="prose mono">{detail}</div></li>'


def _flags(pair: TurnPair, side: str) -> dict[int, str]:
    """'arguments changed' / 'result changed' per tool call, by its index in that side's turn."""
    turn = pair.left if side == "left" else pair.right
    if turn is None or pair.left is None or pair.right is None:
        return {}
    out: dict[int, str] = {}
    for tool in pair.tools:
        step = tool.left if side == "left" else tool.right
        if step is None:
            continue
        index = next(i for i, s in enumerate(turn.tools) if s is step)
        if tool.left is None or tool.right is None:
            out[index] = f"only in {'A' if side == 'left' else 'B'}"
        else:
            what = [w for w, changed in (("arguments", tool.args_changed), ("result", tool.result_changed)) if changed]
            if what:
                out[index] = " and ".join(what) + " changed"
    return out


def _cell(pair: TurnPair, side: str, run: StoredRun) -> str:
    turn = pair.left if side == "left" else pair.right
    if turn is None:
        return f'<div class="gap">no turn in {"A" if side == "left" else "B"}</div>'
    text = None if pair.words is None else words_html(pair.words, "-" if side == "left" else "+")
    return turn_html(turn, run.started_at, text=text, flags=_flags(pair, side))


def comparison_html(c: Comparison, a: StoredRun, b: StoredRun) -> str:
    """The comparison as one self-contained page: totals, team changes, transcripts side by side."""
    if c.changes:
        changes = f'<ul class="changes">{"".join(_change_html(ch) for ch in c.changes)}</ul>'
    else:
        changes = '<p class="empty">The team is the same in both runs.</p>'
    counts = ", ".join(f"{c.count(m)} {MARKS[m]}" for m in MARKS if c.count(m))
    rows = []
    for pair in c.pairs:
        rows.append(f'<div class="pair {_PAIR_CLASS[pair.mark]}">{_cell(pair, "left", a)}'
                    f'<div class="mark" title="{MARKS[pair.mark]}">{esc(pair.mark)}</div>{_cell(pair, "right", b)}</div>')
    agents = ""
    if c.agents:
        agents = "<h2>Tokens per agent</h2>" + _totals_html(c.agents, a, b)
    same_team = a.team == b.team
    title = f"{a.team}: {a.label} vs {b.label}" if same_team else f"{a.team} vs {b.team}"
    body = [
        "<h1>Compare runs</h1>",
        f'<p class="sub"><b>A</b> {esc(a.label)} <span class="muted">· {esc(a.team)} · {esc(_heading(a))}</span></p>',
        f'<p class="sub"><b>B</b> {esc(b.label)} <span class="muted">· {esc(b.team)} · {esc(_heading(b))}</span></p>',
        f'<p class="sub">{esc(c.summary)}</p>' if c.summary else "",
        "<h2>Totals</h2>", _totals_html(c.totals, a, b), agents,
        f"<h2>Team changes <span class=\"muted\">({len(c.changes)})</span></h2>", changes,
        "<h2>Transcripts</h2>", f'<p class="legend">{esc(counts)}</p>' if counts else "",
        ('<div class="sxs-head">'
         f'<div>A · {esc(a.label)} <span class="id">{esc(a.short_id)}</span></div><div></div>'
         f'<div>B · {esc(b.label)} <span class="id">{esc(b.short_id)}</span></div></div>'),
        "".join(rows) or '<p class="empty">Neither run has any messages.</p>',
    ]
    return page(f"Compare — {title}", "\n".join(part for part in body if part))


# --- terminal ---------------------------------------------------------------------------------


class _Ink:
    """ANSI colours when asked for (a terminal), plain text otherwise."""

    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.colour and text else text


def _shorten(text: str, where: str) -> str:
    """Keep the context next to a change: the tail before it, the head after it, both between."""
    if len(text) <= 2 * _CONTEXT + 5:
        return text
    if where == "first":
        return "…" + text[-_CONTEXT:]
    if where == "last":
        return text[:_CONTEXT] + "…"
    return text[:_CONTEXT] + " … " + text[-_CONTEXT:]


def words_text(words: Words, ink: _Ink | None = None, *, shorten: bool = True) -> str:
    """'List [-3-]{+5+} short facts': a word diff for a terminal."""
    ink = ink or _Ink(False)
    out = []
    for i, (op, text) in enumerate(words):
        if op == "=":
            where = "first" if i == 0 else "last" if i == len(words) - 1 else "middle"
            out.append(_shorten(text, where) if shorten else text)
        elif op == "-":
            out.append(ink("31", f"[-{text}-]"))
        else:
            out.append(ink("32", f"{{+{text}+}}"))
    return "".join(out)


def _table(rows: list[TotalRow], ink: _Ink) -> list[str]:
    cells = [("", "A", "B", "change")] + [(r.label, r.left, r.right, r.delta) for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(3)]
    out = []
    for n, row in enumerate(cells):
        line = "  ".join(v.ljust(widths[i]) for i, v in enumerate(row[:3])) + "  "
        delta = row[3]
        if n == 0:
            delta = ink("2", delta)
        elif rows[n - 1].tone:
            delta = ink("32" if rows[n - 1].tone == "better" else "33", delta)
        out.append("  " + (ink("2", line) if n == 0 else line) + delta)
    return out


def _one_line(turn: Turn, limit: int = 100) -> str:
    text = " ".join(turn.text.split())
    if turn.kind == "handoff":
        text = f"hands off to {turn.target}" + (f": {text}" if text else "")
    if turn.tools:
        text = " ".join(f"⚙ {s.name}()" for s in turn.tools) + (" " + text if text else "")
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    replayed = " ↺" if turn.origin == "replayed" else ""
    return f"{turn.speaker}{replayed}: {text}"


def _pair_text(pair: TurnPair, ink: _Ink) -> list[str]:
    mark = pair.mark
    turn = pair.left or pair.right
    assert turn is not None
    colour = {"=": "2", "~": "33", "<": "31", ">": "32"}[mark]
    if mark != "~":
        return [ink(colour, mark) + " " + _one_line(turn)]
    if pair.words is None:  # the same text; its tool calls differ
        lines = [ink(colour, mark) + " " + _one_line(turn)]
    else:
        replayed = " ↺" if any(t and t.origin == "replayed" for t in (pair.left, pair.right)) else ""
        lines = [f"{ink(colour, mark)} {turn.speaker}{replayed}:"]
        lines += ["    " + line for line in words_text(pair.words, ink).splitlines()]
    for tool in pair.tools:
        if tool.left is None or tool.right is None:
            lines.append(f"    ⚙ {tool.name}: only in {'B' if tool.left is None else 'A'}")
        elif tool.args_changed or tool.result_changed:
            if tool.args_changed:
                lines.append(f"    ⚙ {tool.name} arguments: {ink('31', tool.left.arguments)} → {ink('32', tool.right.arguments)}")
            if tool.result_changed:
                lines.append(f"    ⚙ {tool.name} result: {ink('31', str(tool.left.result))} → {ink('32', str(tool.right.result))}")
    return lines


def comparison_text(c: Comparison, a: StoredRun, b: StoredRun, *, colour: bool = False) -> str:
    """The comparison for a terminal: totals, team changes with marked words, then the turns
    marked '=' (the same), '~' (changed), '<' (only in A) and '>' (only in B)."""
    ink = _Ink(colour)
    lines = [ink("1", "Compare runs"), f"  A  {a.label}  ({a.team} · {_heading(a)})",
             f"  B  {b.label}  ({b.team} · {_heading(b)})", ""]
    lines += _table(c.totals, ink) + [""]
    lines.append(ink("1", f"Team changes ({len(c.changes)})") if c.changes else "The team is the same in both runs.")
    for change in c.changes:
        if change.words is not None:
            lines.append(f"  {change.path} edited")
            lines += ["      " + line for line in words_text(change.words, ink).splitlines()]
        elif change.kind == "changed" and change.old is not None:
            lines.append(f"  {change.path}: {ink('31', f'[-{change.old}-]')} {ink('32', f'{{+{change.new}+}}')}")
        elif change.kind == "changed":
            lines.append(f"  {change.new}")
        else:
            value = change.new if change.kind == "added" else change.old
            lines.append(f"  {change.path} {change.kind}: {value}")
    legend = ", ".join(f"{m} {w}" for m, w in MARKS.items())
    lines += ["", ink("1", "Turns") + ink("2", f"  ({legend})")]
    lines += [line for pair in c.pairs for line in _pair_text(pair, ink)]
    return "\n".join(lines) + "\n"
