"""Compiling each orchestration pattern into an AgentChat team: one module per ``pattern`` value.

Every module of this package except ``base`` is a pattern's compile module; importing the
package imports them all, so adding a module is all it takes to make a pattern runnable.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import PatternTeam, compiled_patterns, compiler_for, compiles

for _info in pkgutil.iter_modules(__path__):
    if _info.name != "base":
        importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["PatternTeam", "compiled_patterns", "compiler_for", "compiles"]
