"""How the end of a run is worded: one wording for the transcript, the status bar and the terminal.

A run that met its termination condition and one whose team simply stopped talking both
"finished": the user asked for neither to be told apart, and the detail says which bound
ended it. Stopped means somebody (or a missing answer) ended it early; failed means an error.
"""

from __future__ import annotations

from .events import FinishReason

_WORDS: dict[FinishReason, str] = {
    "completed": "Finished",
    "termination": "Finished",
    "stopped": "Stopped",
    "error": "Failed",
}
#: A glance-able mark for narrow places (the status bar): done, halted, broken.
_MARKS: dict[FinishReason, str] = {"completed": "✓", "termination": "✓", "stopped": "■", "error": "✖"}


def finish_word(reason: FinishReason) -> str:
    """'Finished', 'Stopped' or 'Failed'."""
    return _WORDS[reason]


def finish_mark(reason: FinishReason) -> str:
    """'✓', '■' or '✖'."""
    return _MARKS[reason]


def finish_text(reason: FinishReason, detail: str = "", *, capital: bool = True) -> str:
    """'Finished: Text 'DONE' mentioned' (or 'finished: …' inside a sentence); no detail, no colon."""
    word = _WORDS[reason] if capital else _WORDS[reason].lower()
    return word + (f": {detail}" if detail else "")
