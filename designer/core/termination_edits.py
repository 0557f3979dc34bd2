"""Edits of the run's ``termination:`` block that take more than setting a field: its nested blocks.

The team panel's termination editor shows the nested blocks as one list combined one way,
``any`` (one is enough) or ``all`` (every one must have held); each gesture is one of these.
"""

from __future__ import annotations

from typing import Literal

from .edit_result import Edited
from .errors import EditError
from .spec import TeamSpec, TerminationSpec

Mode = Literal["any", "all"]
_FIELD: dict[Mode, str] = {"any": "any_of", "all": "all_of"}


def block_mode(term: TerminationSpec) -> Mode | None:
    """How the nested blocks combine: 'any' or 'all'; None when the file uses both lists."""
    if term.any_of and term.all_of:
        return None
    return "all" if term.all_of else "any"


def _blocks(term: TerminationSpec, mode: Mode) -> list[TerminationSpec]:
    return list(term.all_of if mode == "all" else term.any_of)


def _checked(block: TerminationSpec) -> TerminationSpec:
    if block.max_turns is not None:
        raise EditError("max_turns is the team's turn cap: set it on the run's termination, not in a block")
    if not block.describe():
        raise EditError("a block needs at least one condition")
    return block


def _with_blocks(spec: TeamSpec, mode: Mode, blocks: list[TerminationSpec]) -> TeamSpec:
    term = spec.termination.model_copy(update={_FIELD[mode]: blocks})
    return spec.model_copy(update={"termination": term})


def add_block(spec: TeamSpec, mode: Mode, block: TerminationSpec) -> Edited[int]:
    """Append ``block`` to the ``mode`` list; the extra result is its index."""
    blocks = _blocks(spec.termination, mode) + [_checked(block)]
    return Edited(_with_blocks(spec, mode, blocks), len(blocks) - 1)


def replace_block(spec: TeamSpec, mode: Mode, index: int, block: TerminationSpec) -> TeamSpec:
    blocks = _blocks(spec.termination, mode)
    if not 0 <= index < len(blocks):
        raise EditError(f"there is no block {index + 1} in '{mode}'")
    blocks[index] = _checked(block)
    return _with_blocks(spec, mode, blocks)


def remove_block(spec: TeamSpec, mode: Mode, index: int) -> TeamSpec:
    blocks = _blocks(spec.termination, mode)
    if not 0 <= index < len(blocks):
        raise EditError(f"there is no block {index + 1} in '{mode}'")
    del blocks[index]
    return _with_blocks(spec, mode, blocks)


def set_block_mode(spec: TeamSpec, mode: Mode) -> TeamSpec:
    """Combine the nested blocks the other way: all of them move to the ``mode`` list."""
    term = spec.termination
    other: Mode = "any" if mode == "all" else "all"
    moved = _blocks(term, other)
    if not moved:
        return spec
    spec = _with_blocks(spec, mode, _blocks(term, mode) + moved)
    return _with_blocks(spec, other, [])
