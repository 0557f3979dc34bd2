"""The error an edit raises when it cannot be made (kept apart so every edit module can use it)."""

from __future__ import annotations


class EditError(ValueError):
    """An edit that cannot be made; the message says why, in the user's terms."""
