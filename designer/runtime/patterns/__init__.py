"""Compiling each orchestration pattern into an AgentChat team: one module per ``pattern`` value.

Every module of this package except ``base`` is a pattern's compile module; importing the
package imports them all, so adding a module is all it takes to make a pattern runnable.
"""

from __future__ import annotations

from ...core.registry import import_submodules
from .base import PatternTeam, compiled_patterns, compiler_for, compiles

import_submodules(__name__, __path__)

__all__ = ["PatternTeam", "compiled_patterns", "compiler_for", "compiles"]
