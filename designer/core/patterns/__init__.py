"""The orchestration patterns: one module each, found and registered by their ``pattern`` value.

Every module of this package except ``base`` and ``shapes`` is a pattern; importing the
package imports them all, so adding a module is all it takes to add a pattern to core.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from .base import Checks, Connection, PatternRules, PatternSpec, Wiring, register, registered

_SUPPORT = {"base", "shapes"}
for _info in pkgutil.iter_modules(__path__):
    if _info.name not in _SUPPORT:
        importlib.import_module(f"{__name__}.{_info.name}")

#: Every ``pattern:`` value, in picker order.
PATTERNS: tuple[str, ...] = tuple(r.name for r in registered())
_BY_NAME = {r.name: r for r in registered()}


def rules_for(pattern: str | PatternSpec) -> PatternRules[Any]:
    """The rules of a pattern, by its name or its record; KeyError for an unknown name."""
    return _BY_NAME[pattern if isinstance(pattern, str) else pattern.pattern]


__all__ = ["PATTERNS", "Checks", "Connection", "PatternRules", "PatternSpec", "Wiring", "register", "registered", "rules_for"]
