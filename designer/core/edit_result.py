"""The typed result of an edit that has more to say than the new spec."""

from __future__ import annotations

from typing import Generic, NamedTuple, TypeVar

from .spec import TeamSpec

T = TypeVar("T")


class Edited(NamedTuple, Generic[T]):
    """The spec after the edit, and what the caller needs to know about it: the new agent's or
    model's id, or what a pattern switch could not carry over. A named tuple, so
    ``spec, new_id = add_agent(...)`` reads as before; the window's controller recognises it by
    type, not by "any tuple"."""

    spec: TeamSpec
    extra: T
