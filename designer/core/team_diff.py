"""What changed between two team snapshots: a list of changes, and one line for the history list.

Snapshots are compared as the plain data the safe loader gives, never as TeamSpec: an old run's
snapshot may no longer validate (a format change, a pattern renamed), and it must still diff.
Long texts (system messages, descriptions, prompts) carry a word diff, so a user sees exactly
which words a prompt edit changed. The canvas layout is not a change to the team.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from .yamlio import TeamFileError, read_data

ChangeKind = Literal["added", "removed", "changed"]
#: A word diff: (op, text) with op "=" (kept), "-" (only in the old text), "+" (only in the new).
Words = list[tuple[str, str]]

#: Fields whose value is prose: always word-diffed, and summarised as "edited".
TEXT_FIELDS = frozenset({"system_message", "description", "task", "selector_prompt"})
#: A string longer than this (or with a newline) is prose too.
LONG_TEXT = 60
#: Sections in the order a user thinks about a team; the rest follow in file order.
_SECTIONS = ("agents", "models", "tools", "orchestration", "termination")
#: Top-level keys that are not the team's behaviour.
_IGNORED = frozenset({"layout"})
#: Where a whole value given as compact text is cut (an added agent's every field).
_COMPACT_CHARS = 160
#: Where the one-line summary shows a value instead of saying "edited".
_SHORT_VALUE = 24
#: Path of the change that says a snapshot could not be read.
UNREADABLE = "snapshot"


@dataclass(frozen=True)
class TeamChange:
    path: str  # dotted and human: "agents.researcher.system_message", "models.fast.options.temperature"
    kind: ChangeKind
    old: str | None  # compact text of the old value; None when added
    new: str | None  # compact text of the new value; None when removed
    words: Words | None = None  # a word diff for long text fields that changed

    @property
    def short(self) -> str:
        """The path as the history line says it: no 'agents.' prefix, an option by its name."""
        parts = self.path.split(".")
        if "options" in parts[:-1]:
            return parts[-1]
        if parts[0] == "agents" and len(parts) > 1:
            parts = parts[1:]
        return ".".join(parts)

    def summary(self) -> str:
        """'researcher.system_message edited', 'temperature 0.2 → 0.7', 'writer added'."""
        if self.path == UNREADABLE:
            return self.new or "a snapshot could not be read"
        if self.kind == "removed":
            return f"{self.short} removed"
        if self.kind == "added":
            value = self.new or ""
            if _is_leaf_text(value) and "." in self.path.removeprefix("agents.").removeprefix("models."):
                return f"{self.short} set to {value}"
            return f"{self.short} added"
        if self.words is not None or not (_is_leaf_text(self.old or "") and _is_leaf_text(self.new or "")):
            return f"{self.short} edited"
        return f"{self.short} {self.old} → {self.new}"


def _is_leaf_text(text: str) -> bool:
    return len(text) <= _SHORT_VALUE and "\n" not in text and not text.startswith(("{", "["))


def compact(value: Any) -> str:
    """A value as short flow-style text: 0.2, true, [a, b], {temperature: 0.2, seed: 42}."""
    text = _compact(value)
    return text if len(text) <= _COMPACT_CHARS or isinstance(value, str) else text[: _COMPACT_CHARS - 1] + "…"


def _compact(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    return json.dumps(value)  # true / false / null / numbers as YAML writes them


_TOKENS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Words:
    """(op, text) runs from a word-level comparison; whitespace is kept, so joining the "=" and
    "-" runs gives the old text back and the "=" and "+" runs the new one."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    # Changed spans as (i1, i2, j1, j2). A kept run of bare whitespace between two changes joins
    # them: 'quick brown' -> 'slow red' reads as one replacement, not two around a kept space.
    spans: list[list[int]] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        bare = tag == "equal" and not "".join(a[i1:i2]).strip() and 0 < n < len(opcodes) - 1
        if tag != "equal" or (bare and spans and spans[-1][1] == i1):
            if spans and spans[-1][1] == i1 and spans[-1][3] == j1:
                spans[-1][1], spans[-1][3] = i2, j2
            else:
                spans.append([i1, i2, j1, j2])
    out: Words = []
    i = 0
    for i1, i2, j1, j2 in spans:
        if i < i1:
            out.append(("=", "".join(a[i:i1])))
        if i1 < i2:
            out.append(("-", "".join(a[i1:i2])))
        if j1 < j2:
            out.append(("+", "".join(b[j1:j2])))
        i = i2
    if i < len(a):
        out.append(("=", "".join(a[i:])))
    return out


def _is_prose(key: str, old: Any, new: Any) -> bool:
    if not (isinstance(old, str) and isinstance(new, str)):
        return False
    return key in TEXT_FIELDS or any(len(v) > LONG_TEXT or "\n" in v for v in (old, new))


def _diff(old: Any, new: Any, path: list[str], out: list[TeamChange]) -> None:
    name = ".".join(path)
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            if not path and key in _IGNORED:
                continue
            if key not in new:
                out.append(TeamChange(".".join(path + [key]), "removed", compact(old[key]), None))
            elif key not in old:
                out.append(TeamChange(".".join(path + [key]), "added", None, compact(new[key])))
            else:
                _diff(old[key], new[key], path + [key], out)
        return
    if isinstance(old, list) and isinstance(new, list) and not _all_short(old + new):
        _diff_items(old, new, name, out)
        return
    if old == new and (type(old) is type(new) or _numbers(old, new)):
        return  # 10 and 10.0 are one price: a file and the same team written out again differ so
    words = word_diff(old, new) if _is_prose(path[-1] if path else "", old, new) else None
    out.append(TeamChange(name, "changed", compact(old), compact(new), words))


def _numbers(*values: Any) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


def _all_short(items: list[Any]) -> bool:
    """Participant names, tool lists: read best as one value, '[a, b] → [a, b, c]'."""
    return not any(isinstance(v, (dict, list)) or (isinstance(v, str) and (len(v) > LONG_TEXT or "\n" in v))
                   for v in items)


def _diff_items(old: list[Any], new: list[Any], name: str, out: list[TeamChange]) -> None:
    """A list of mappings or texts (graph edges, scripted replies) by item: an inserted edge is
    one addition, not every later edge changed."""
    a, b = [compact(v) for v in old], [compact(v) for v in new]
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            before, after = old[i1 + k], new[j1 + k]
            words = word_diff(before, after) if _is_prose("", before, after) else None
            out.append(TeamChange(f"{name}[{i1 + k}]", "changed", a[i1 + k], b[j1 + k], words))
        for i in range(i1 + pairs, i2):
            out.append(TeamChange(f"{name}[{i}]", "removed", a[i], None))
        for j in range(j1 + pairs, j2):
            out.append(TeamChange(f"{name}[{j}]", "added", None, b[j]))


@functools.lru_cache(maxsize=64)
def _read(text: str) -> tuple[dict[str, Any] | None, str]:
    """Plain data of a snapshot, or None and why not. Cached: the history list asks for the
    change line of each shown run, and consecutive runs share their snapshots."""
    try:
        data, _ = read_data(text)
    except TeamFileError as exc:
        return None, exc.problem.message
    if not isinstance(data, dict):
        return None, "it is not a mapping of keys"
    return data, ""


def _section(change: TeamChange) -> int:
    top = change.path.split(".", 1)[0].split("[", 1)[0]
    return _SECTIONS.index(top) if top in _SECTIONS else len(_SECTIONS)


def team_changes(old_yaml: str, new_yaml: str) -> list[TeamChange]:
    """Every change from the old snapshot to the new one: agents first, then models, tools,
    orchestration, termination and the rest, each in file order. Layout is ignored."""
    old, old_why = _read(old_yaml)
    new, new_why = _read(new_yaml)
    if old is None or new is None:
        which = "earlier" if old is None else "later"
        why = old_why if old is None else new_why
        return [TeamChange(UNREADABLE, "changed", None, f"the {which} team snapshot could not be read: {why}")]
    out: list[TeamChange] = []
    _diff(old, new, [], out)
    return sorted(out, key=_section)  # sorted() is stable: file order within each section


def change_summary(old_yaml: str, new_yaml: str, limit: int = 3) -> str:
    """'researcher.system_message edited; temperature 0.2 → 0.7; writer added (+2 more)'; '' when
    nothing changed."""
    changes = team_changes(old_yaml, new_yaml)
    line = "; ".join(c.summary() for c in changes[:limit])
    more = len(changes) - limit
    return line + (f" (+{more} more)" if more > 0 else "")
