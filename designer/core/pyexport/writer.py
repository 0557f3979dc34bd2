"""The state of one export while its script is written: imports, helper blocks, notes, needs.

Every part of :mod:`designer.core.pyexport` writes into one :class:`Script`: the lines of
``build_team``, the imports those lines use, the inline helpers they call (each written once)
and which environment variables the script reads. What must be pip-installed is read from the
finished code (:mod:`.requirements`). Nothing here imports autogen: the script is text.
"""

from __future__ import annotations

import keyword
import pprint
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..interop import Note
from ..spec import TeamSpec

#: Names build_team's own code uses: an agent with one of these ids gets a suffixed variable.
_TAKEN = frozenset({
    "models", "values", "inputs", "input_func", "approve_code", "memories", "tools", "termination",
    "builder", "secret", "fill", "Path", "os", "sys", "json", "asyncio", "argparse", "input", "print", "list",
    "dict", "str", "type", "id", "any", "all", "max", "min", "next", "len", "open", "format", "filter",
})


def py(value: Any, indent: int = 0) -> str:
    """``value`` as a Python literal, wrapped at 100 columns and indented for its place."""
    text = pprint.pformat(value, width=max(40, 100 - indent), sort_dicts=False)
    return text.replace("\n", "\n" + " " * indent)


@dataclass
class Script:
    """One script being written (see the module's note)."""

    spec: TeamSpec
    team_file: Path | None
    #: Where the script will be written, when known: its tool paths are written relative to it.
    out: Path | None = None
    notes: list[Note] = field(default_factory=list)
    #: module -> names imported from it (``import module`` when the set holds "").
    imports: dict[str, set[str]] = field(default_factory=dict)
    #: Helper blocks in the order first needed: key -> source text.
    helpers: dict[str, str] = field(default_factory=dict)
    #: Environment variable -> what it is for (the docstring lists them; never a value).
    env: dict[str, str] = field(default_factory=dict)
    #: Model ids build_team uses, in first-use order; and those a coordinator needs sequential.
    models: list[str] = field(default_factory=list)
    sequential: set[str] = field(default_factory=set)
    #: build_team's body, one statement per entry (indented 4 when written).
    body: list[str] = field(default_factory=list)
    #: Tool id -> the variable holding it (one instance per run, shared by its agents, as the product's).
    tool_vars: dict[str, str] = field(default_factory=dict)
    #: Emits an inner team and gives its variable (set by export_python to teams.inner_team: the
    #: agents' code reaches the pattern code through it, the pattern code imports the agents').
    build_inner: Callable[[str], str] | None = None
    #: The tool modules the script imports ('module' of 'module:function'), in first-use order.
    tool_modules: list[str] = field(default_factory=list)
    #: The tools' folders as the script names them (relative to the script when it can be).
    tool_folders: list[str] = field(default_factory=list)
    _vars: set[str] = field(default_factory=set)

    def need(self, module: str, *names: str) -> None:
        self.imports.setdefault(module, set()).update(names or ("",))

    def helper(self, key: str, text: str) -> None:
        self.helpers.setdefault(key, text.strip("\n"))

    def note(self, level: str, text: str) -> None:
        note = Note(level, text)  # type: ignore[arg-type]
        if note not in self.notes:
            self.notes.append(note)

    def emit(self, line: str) -> None:
        self.body.append(line)

    def var(self, base: str) -> str:
        """A fresh variable name for ``base`` (an id): itself when free, else with a suffix."""
        name = base if base.isidentifier() else "v_" + "".join(c if c.isalnum() else "_" for c in base)
        if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in _TAKEN:
            name = f"{name}_"
        candidate, n = name, 2
        while candidate in self._vars:
            candidate, n = f"{name}_{n}", n + 1
        self._vars.add(candidate)
        return candidate

    def model(self, model_id: str, *, sequential: bool = False) -> str:
        """The expression of model ``model_id``'s client inside build_team."""
        if model_id not in self.models:
            self.models.append(model_id)
        if sequential:
            self.sequential.add(model_id)
            return f"models.get({py(model_id + ':sequential')}, models[{py(model_id)}])"
        return f"models[{py(model_id)}]"

    def import_lines(self) -> list[str]:
        plain = sorted(m for m, names in self.imports.items() if "" in names)
        lines = [f"import {m}" for m in plain if not m.startswith(("autogen", "pydantic"))]
        std_from = sorted(m for m in self.imports if not m.startswith(("autogen", "pydantic")) and self.imports[m] - {""})
        lines += [f"from {m} import {', '.join(sorted(self.imports[m] - {''}))}" for m in std_from]
        third = sorted(m for m in self.imports if m.startswith(("autogen", "pydantic")) and self.imports[m] - {""})
        if third:
            lines.append("")
            lines += [_from_line(m, sorted(self.imports[m] - {""})) for m in third]
        return lines


def _from_line(module: str, names: list[str]) -> str:
    line = f"from {module} import {', '.join(names)}"
    if len(line) <= 100:
        return line
    inner = "".join(f"    {n},\n" for n in names)
    return f"from {module} import (\n{inner})"
