"""What every orchestration pattern tells the rest of the program, and the registry of patterns.

A pattern is one module in this package: its record (the ``orchestration:`` block of a team
file) and a :class:`PatternRules` subclass saying who takes part, how references follow a
rename, what a drag between two nodes means, what the canvas draws and what validation checks.
The edits, the diagram and the validator ask the registry instead of testing types, so a new
pattern is a new module here plus its compile module in ``designer/runtime/patterns`` and its
editor in ``designer/ui/panels/patterns``.

Nothing here imports :mod:`designer.core.spec` (which builds its orchestration union from this
registry); the team is seen through the agents mapping and the :class:`Checks` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import string
from typing import Any, ClassVar, Generic, Mapping, Protocol, Sequence, TypeVar

from ..errors import EditError
from ..problems import Path
from ..records import AgentSpec, Record
from ..registry import Registry
from .shapes import Positions, row

class PatternSpec(Record):
    """Base of every orchestration record: the ``pattern`` value is the union's discriminator."""

    pattern: str


S = TypeVar("S", bound=PatternSpec)
R = TypeVar("R", bound=Record)


@dataclass(frozen=True)
class Connection:
    """One line the canvas draws between two agents."""

    source: str
    target: str
    #: "sequence", "delegation", "turn", "graph", "handoff": how the line is drawn.
    kind: str
    label: str = ""
    #: The graph edge's index for kind "graph" (what the condition editor edits).
    index: int | None = None


@dataclass(frozen=True)
class Wiring:
    """The result of a drag (or its removal) on the canvas: the new orchestration record, and
    the hand-off lists of agents that change with it (a swarm keeps hand-offs on its agents)."""

    orchestration: PatternSpec
    handoffs: dict[str, list[str]] = field(default_factory=dict)


class Checks(Protocol):
    """What a pattern's validation sees of the team and how it reports (see core/validate.py)."""

    @property
    def agents(self) -> Mapping[str, AgentSpec]: ...

    def members(self) -> list[str]: ...

    def error(self, message: str, path: Path, hint: str = "") -> None: ...

    def warn(self, message: str, path: Path, hint: str = "") -> None: ...

    def agent_ref(self, agent_id: str, path: Path, role: str = "agent") -> bool:
        """Report a missing or unknown agent; True when ``agent_id`` names an agent."""
        ...

    def agent_list(self, ids: list[str], path: Path, role: str = "agent") -> None: ...

    def model_ref(self, model_id: str, path: Path) -> bool:
        """Report ``model_id`` when no model of the team (or the embedded one) has it; True if one does."""
        ...

    def input_names(self) -> list[str]:
        """The team's ``inputs`` (the {placeholders} a run fills in), in file order."""
        ...


def replace_ids(ids: list[str], mapping: Mapping[str, str | None]) -> list[str]:
    """``ids`` with renames applied and removed ids (None) dropped, without repeats."""
    out: list[str] = []
    for agent_id in ids:
        new = mapping.get(agent_id, agent_id)
        if new is not None and new not in out:
            out.append(new)
    return out


def mapped(agent_id: str, mapping: Mapping[str, str | None]) -> str:
    """One reference after a rename; a removed agent leaves the reference empty."""
    return mapping.get(agent_id, agent_id) or ""


def check_template(prompt: str, allowed: Sequence[str], where: Path, what: str, checks: Checks,
                   *, fields_of: str | None = None) -> None:
    """A format string AgentChat fills (a selector or final-answer prompt): only plain fields named
    in ``allowed``, so a prompt can neither break the run nor read objects through
    '{history.__class__...}'-style attribute access. ``what`` names it in messages ("the selector
    prompt"); ``fields_of`` says whose fields are allowed (default: ``what``'s)."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in string.Formatter().parse(prompt) if name is not None]
    except ValueError as exc:
        checks.error(f"{what} is not a valid template: {exc}", where, "write literal braces as {{ and }}")
        return
    hint = f"use only {', '.join('{' + f + '}' for f in allowed)}; write literal braces as {{{{ and }}}}"
    for name, format_spec, conversion in fields:
        if name not in allowed or format_spec or conversion:
            checks.error(
                f"{{{name}}} is not a field of {fields_of or what}" if name not in allowed
                else f"{{{name}}} cannot have a format or conversion here",
                where, hint,
            )


def with_(record: R, /, **changes: Any) -> R:
    """A copy with fields replaced; the fields count as set, so they are saved."""
    return record.model_copy(update=changes)


class PatternRules(Generic[S]):
    """The behaviour of one pattern. Subclasses set the class attributes and override what
    differs; the defaults describe a pattern whose members all take part in a row."""

    #: The ``pattern:`` value in a team file.
    name: ClassVar[str]
    #: How the window names it, and one sentence saying how the agents take turns.
    label: ClassVar[str]
    summary: ClassVar[str]
    #: The record of its ``orchestration:`` block.
    spec_type: ClassVar[type[PatternSpec]]
    #: Position in the pattern picker and in the file format's union (keeps the schema stable).
    order: ClassVar[int]
    #: Agents' ``handoffs`` lists mean something only where this is True.
    uses_handoffs: ClassVar[bool] = False

    # --- members -----------------------------------------------------------------------

    def members(self, orch: S) -> list[str]:
        """Agent ids taking part, in pattern order, without repeats (may name unknown agents)."""
        raise NotImplementedError

    def from_members(self, members: list[str]) -> S:
        """This pattern's record when the user switches to it with these agents taking part;
        it should be a valid design at once where that is possible."""
        raise NotImplementedError

    def lost_on_switch(self, orch: S) -> list[str]:
        """What switching away from this pattern cannot carry over, in the user's words."""
        return []

    def lead(self, orch: S) -> str | None:
        """The agent that delegates to others as tools (a hierarchical coordinator), if any."""
        return None

    # --- edits -------------------------------------------------------------------------

    def map_agents(self, orch: S, mapping: Mapping[str, str | None]) -> S:
        """Follow renames (str) and removals (None) of agents in the record."""
        raise NotImplementedError

    def map_model(self, orch: S, old: str, new: str | None) -> S:
        """Follow a model's rename (or removal: None) where the record names a model."""
        return orch

    def with_new_agent(self, orch: S, agent_id: str) -> S:
        """A new agent was added: take it in where that is unambiguous."""
        return orch

    def connect(self, orch: S, agents: Mapping[str, AgentSpec], source: str, target: str) -> Wiring:
        """What dragging from ``source`` to ``target`` means; EditError when it means nothing."""
        raise EditError(f"in a {self.label.lower()} chat everyone takes part; edit the speaking order in the pattern editor")

    def disconnect(self, orch: S, agents: Mapping[str, AgentSpec], source: str, target: str, index: int | None) -> Wiring:
        """Remove the line ``source`` → ``target`` (the graph edge at ``index`` when given)."""
        raise EditError(f"in a {self.label.lower()} chat, remove the participant in the pattern editor")

    # --- canvas ------------------------------------------------------------------------

    def connections(self, orch: S, agents: Mapping[str, AgentSpec]) -> list[Connection]:
        """The lines the canvas draws between known agents."""
        return []

    def layout(self, orch: S, members: list[str], links: Mapping[str, list[str]]) -> Positions:
        """Positions of the (known) members that show the pattern's shape; ``links`` are the
        drawn connections by source. Default: one row."""
        return row(members)

    # --- validation --------------------------------------------------------------------

    def check(self, orch: S, checks: Checks) -> None:
        """Report what would make a run of this pattern fail or never end."""


_RULES: Registry[PatternRules[Any]] = Registry("rule set")


def register(rules: type[PatternRules[Any]]) -> type[PatternRules[Any]]:
    """Class decorator: make a pattern known by its ``name``."""
    _RULES.add(rules.name, rules())
    return rules


def registered() -> list[PatternRules[Any]]:
    """Every known pattern, in picker order."""
    return sorted(_RULES.items().values(), key=lambda r: r.order)
