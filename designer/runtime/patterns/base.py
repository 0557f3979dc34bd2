"""The compile registry: one function per ``pattern`` value turns its record into an AgentChat team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from autogen_agentchat.base import Team, TerminationCondition

from ...core.registry import Registry
from ..team_builder import TeamBuilder


@dataclass(frozen=True)
class PatternTeam:
    """A pattern's team, and who delegates to whom inside it (the runner marks workers' messages
    as nested under their coordinator)."""

    team: Team
    coordinator: str | None = None
    workers: frozenset[str] = frozenset()


#: (builder, the pattern's record, the run's termination condition) -> the team.
Compile = Callable[[TeamBuilder, Any, TerminationCondition], PatternTeam]
_COMPILERS: Registry[Compile] = Registry("compile function")


def compiles(pattern: str) -> Callable[[Compile], Compile]:
    """Decorator: ``fn`` compiles the ``pattern`` records."""
    return _COMPILERS.register(pattern)


def compiler_for(pattern: str) -> Compile:
    """The compile function of a pattern; KeyError when none is registered."""
    return _COMPILERS[pattern]


def compiled_patterns() -> frozenset[str]:
    return frozenset(_COMPILERS.items())
