"""One editor per orchestration pattern, found by module and registered by ``pattern`` value.

Importing the package imports every module in it; each pattern's module registers its
editor with :func:`~.base.editor_for`, so adding a module is all it takes to give a pattern
its editor in the pattern panel.
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import EditorFactory, PatternEditorWidget, editor_factories, editor_for

for _info in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["EditorFactory", "PatternEditorWidget", "editor_factories", "editor_for"]
