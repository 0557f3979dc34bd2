"""One editor per orchestration pattern, found by module and registered by ``pattern`` value.

Importing the package imports every module in it; each pattern's module registers its
editor with :func:`~.base.editor_for`, so adding a module is all it takes to give a pattern
its editor in the pattern panel.
"""

from __future__ import annotations

from ....core.registry import import_submodules
from .base import EditorFactory, PatternEditorWidget, editor_factories, editor_for

import_submodules(__name__, __path__)

__all__ = ["EditorFactory", "PatternEditorWidget", "editor_factories", "editor_for"]
