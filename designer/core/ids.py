"""Names people write ("Research Lead", "GPT-4o mini", "Café bot") as the ids a team file uses.

An id is what AgentChat and the file accept (:data:`ID_PATTERN`: a letter or '_' first, then
letters, digits and '_', at most 64). Everything that turns a free-text name into an id goes
through :func:`to_identifier`, so an import (an ``OAI_CONFIG_LIST``'s model names, another
tool's agent names) and the window's name field map the same name to the same id.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Collection

from .records import RESERVED_AGENT_IDS
from .records_base import is_identifier

#: The longest id the file accepts (ID_PATTERN).
MAX_ID_LEN = 64


def _slug(name: str) -> str:
    """'Research & Report' -> 'research_and_report': '&' read as 'and', accents dropped to their
    letter (NFKD), lowercase ASCII letters and digits, runs of anything else one '_'."""
    ascii_name = unicodedata.normalize("NFKD", name.replace("&", " and ")).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")


def to_identifier(
    name: str, taken: Collection[str] = (), *, fallback: str = "agent", reserved: Collection[str] = RESERVED_AGENT_IDS
) -> str:
    """A valid id for ``name`` that is not in ``taken`` nor ``reserved``.

    A name that already is a valid id is kept as written (only a collision changes it); any
    other is slugged: "Research Lead" -> "research_lead", "2nd opinion" -> "agent_2nd_opinion"
    (``fallback`` first: an id cannot start with a digit), "日本" -> "agent" (nothing ASCII left).
    A taken or reserved id gets the first free ``_2``, ``_3`` ...; the result is at most 64
    characters, suffix included.
    """
    text = name.strip()
    base = text if is_identifier(text) else _slug(text)
    if not base:
        base = fallback
    elif base[0].isdigit():
        base = f"{fallback}_{base}"
    base = base[:MAX_ID_LEN].rstrip("_") or fallback
    blocked = set(taken) | set(reserved)
    if base not in blocked:
        return base
    stem = re.sub(r"_\d+$", "", base) or fallback
    n = 2
    while True:
        suffix = f"_{n}"
        candidate = stem[: MAX_ID_LEN - len(suffix)].rstrip("_") + suffix
        if candidate not in blocked:
            return candidate
        n += 1
