"""The orchestration patterns: one module each, found and registered by their ``pattern`` value.

Every module of this package except ``base`` and ``shapes`` is a pattern; importing the
package imports them all (see :mod:`designer.core.registry`), so adding a module is all it
takes to add a pattern to core.
"""

from __future__ import annotations

from typing import Any

from ..registry import import_submodules
from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, register, registered

import_submodules(__name__, __path__)

#: Every ``pattern:`` value, in picker order.
PATTERNS: tuple[str, ...] = tuple(r.name for r in registered())
_BY_NAME = {r.name: r for r in registered()}


def rules_for(pattern: str | PatternSpec) -> PatternRules[Any]:
    """The rules of a pattern, by its name or its record; KeyError for an unknown name."""
    return _BY_NAME[pattern if isinstance(pattern, str) else pattern.pattern]


__all__ = ["PATTERNS", "Checks", "Connection", "PatternRules", "PatternSpec", "Wiring", "register", "registered", "rules_for"]
