"""The base of every record of a team file, and the id rule (shared by records.py and termination.py)."""

from __future__ import annotations

import re
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

# `$` is what JSON Schema and pydantic (Rust regex) read as "end of text"; Python's `re` lets it
# match before a final newline too, so Python code must use fullmatch (see is_identifier).
ID_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
_ID_RE = re.compile(ID_PATTERN)


def is_identifier(text: str) -> bool:
    """True for a valid agent/model/tool/input id — exactly what the run accepts ('a\\n' is not)."""
    return _ID_RE.fullmatch(text) is not None


Identifier = Annotated[str, Field(pattern=ID_PATTERN)]

#: The largest time bound of a run, in seconds: the file's termination.timeout and the CLI's --timeout.
MAX_RUN_TIMEOUT_S: Final = 86_400


class Record(BaseModel):
    """Base: unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
