"""Validation problems: values a user can act on, never exceptions that reach them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal, Sequence

Severity = Literal["error", "warning"]
PathPart = str | int
Path = tuple[PathPart, ...]
#: Where each node of a loaded file starts: path -> (line, column), both 1-based.
Positions = dict[Path, tuple[int, int]]


def dotted(path: Sequence[PathPart]) -> str:
    """('agents', 'researcher', 'tools', 1) -> 'agents.researcher.tools[1]'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass(frozen=True)
class Problem:
    message: str
    path: Path = ()
    hint: str = ""
    severity: Severity = "error"
    file: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def dotted_path(self) -> str:
        return dotted(self.path)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def located(self, positions: Positions | None, file: str | None) -> Problem:
        """This problem with file/line/column filled from the nearest known ancestor path."""
        line = col = None
        if positions:
            for cut in range(len(self.path), -1, -1):
                found = positions.get(self.path[:cut])
                if found:
                    line, col = found
                    break
        return replace(self, file=file if file is not None else self.file, line=line or self.line, column=col or self.column)

    def format(self) -> str:
        """``FILE:LINE:COL: severity: message [path] (hint: ...)`` — the CLI's one-line form."""
        where = self.file or "<team>"
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{where}: {self.severity}: {self.message}"
        if self.path:
            text += f" [{self.dotted_path}]"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.is_error for p in problems)
