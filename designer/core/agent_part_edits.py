"""Edits of an agent's optional parts (context, sees, memory, output schema, code, inner team) and
of the team's shared memories: pure functions (spec -> spec), one per gesture of the window.

Each refuses bad input with an EditError in the user's words, and references follow: renaming a
memory renames it in every agent's ``memory`` list, removing it removes it there too.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from .agent_parts import CodeSpec, ContextSpec, MemorySpec, SourceFilter
from .edit_result import Edited
from .errors import EditError
from .spec import AgentSpec, TeamSpec, is_identifier
from .yamlio import TeamFileError, read_data

#: Sources a filter can name besides the team's agents: the task's sender.
USER_SOURCE = "user"


def _agent(spec: TeamSpec, agent_id: str) -> AgentSpec:
    agent = spec.agents.get(agent_id)
    if agent is None:
        raise EditError(f"there is no agent {agent_id!r}")
    return agent


def _set_agent(spec: TeamSpec, agent_id: str, **changes: Any) -> TeamSpec:
    # model_copy marks the fields as set; the file writer drops the ones left empty at their default.
    agent = _agent(spec, agent_id).model_copy(update=changes)
    return spec.model_copy(update={"agents": {**spec.agents, agent_id: agent}})


def _known(ids: Iterable[str], allowed: Iterable[str], kept: Iterable[str], what: str) -> list[str]:
    """``ids`` without duplicates; an id neither ``allowed`` nor already there (``kept``) is refused.
    A dangling id that was already in the list may stay: the user unchecks it to remove it."""
    allowed, kept = set(allowed), set(kept)
    out: list[str] = []
    for item in ids:
        if item not in allowed and item not in kept:
            raise EditError(f"there is no {what} {item!r}")
        if item not in out:
            out.append(item)
    return out


# --- an agent's parts ----------------------------------------------------------------------------


def set_context(spec: TeamSpec, agent_id: str, context: ContextSpec | None) -> TeamSpec:
    """How much of the conversation the agent's model sees (None: all of it)."""
    agent = _agent(spec, agent_id)
    if context is not None and agent.kind == "user_proxy":
        raise EditError("a person answers for a user proxy: it has no model context to limit")
    return _set_agent(spec, agent_id, context=context)


def set_sees(spec: TeamSpec, agent_id: str, filters: Sequence[SourceFilter]) -> TeamSpec:
    """The agent's message filter: of each listed source only the first or last N messages."""
    agent = _agent(spec, agent_id)
    if filters and agent.kind == "user_proxy":
        raise EditError("a user proxy shows the person the whole conversation: it takes no message filter")
    sources = [f.source for f in filters]
    _known(sources, [*spec.agents, USER_SOURCE], [f.source for f in agent.sees], "agent")
    if len(set(sources)) != len(sources):
        twice = next(s for s in sources if sources.count(s) > 1)
        raise EditError(f"{twice!r} is filtered twice: one row per source")
    return _set_agent(spec, agent_id, sees=list(filters))


def set_agent_memory(spec: TeamSpec, agent_id: str, ids: Sequence[str]) -> TeamSpec:
    """The team memories the agent reads, in the order given."""
    agent = _agent(spec, agent_id)
    if ids and agent.kind != "assistant":
        raise EditError("only an assistant reads memories (AgentChat gives memory to AssistantAgent only)")
    return _set_agent(spec, agent_id, memory=_known(ids, spec.memories, agent.memory, "memory"))


def parse_schema(text: str) -> dict[str, object] | None:
    """A JSON Schema typed as JSON or YAML (read with the team file's safe loader); empty: None.
    A schema is an object (``{type: object, properties: ...}``); anything else is refused."""
    if not text.strip():
        return None
    try:
        data, _ = read_data(text)
    except TeamFileError as exc:
        problem = exc.problem
        where = f"line {problem.line}, column {problem.column}: " if problem.line else ""
        raise EditError(f"the schema is not valid JSON or YAML: {where}{problem.message}") from None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a text" if isinstance(data, str) else "a single value"
        raise EditError(f"a schema is an object such as {{\"type\": \"object\", \"properties\": {{...}}}}, not {kind}")
    return data


def set_output_schema(spec: TeamSpec, agent_id: str, schema_text: str) -> TeamSpec:
    """The JSON Schema the agent's replies follow, from the text typed (empty: free text replies)."""
    agent = _agent(spec, agent_id)
    schema = parse_schema(schema_text)
    if schema is not None and agent.kind != "assistant":
        raise EditError("only an assistant's replies can follow a schema")
    return _set_agent(spec, agent_id, output_schema=schema)


def set_code(spec: TeamSpec, agent_id: str, code: CodeSpec | None) -> TeamSpec:
    """How a code_executor agent runs code (None: the defaults: python, here, approval asked)."""
    if code is not None and _agent(spec, agent_id).kind != "code_executor":
        raise EditError("only a code executor runs code: change its kind first")
    return _set_agent(spec, agent_id, code=code)


def set_code_field(spec: TeamSpec, agent_id: str, field: str, value: Any) -> TeamSpec:
    """One field of the agent's code options (the window edits them one at a time); None sets it
    back to its default. Options all at their defaults are no ``code:`` block at all."""
    if field not in CodeSpec.model_fields:
        raise EditError(f"code options have no field {field!r}")
    current = _agent(spec, agent_id).code
    data = current.model_dump(exclude_unset=True) if current is not None else {}
    if value is None:
        data.pop(field, None)
    else:
        data[field] = value
    try:
        code = CodeSpec.model_validate(data) if data else None
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise EditError(_first_error(exc)) from None
    return set_code(spec, agent_id, code)


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"{where}: {first['msg']}" if where else str(first["msg"]).removeprefix("Value error, ")
    return str(exc)


def set_agent_team(spec: TeamSpec, agent_id: str, team_id: str | None) -> TeamSpec:
    """Which inner team (an id of the file's ``teams``) an agent of kind 'team' runs."""
    agent = _agent(spec, agent_id)
    if agent.kind != "team":
        raise EditError("only an agent of kind 'team' runs an inner team: change its kind first")
    if team_id is not None and team_id not in spec.teams and team_id != agent.team:
        raise EditError(f"there is no inner team {team_id!r}")
    return _set_agent(spec, agent_id, team=team_id)


# --- the team's memories -------------------------------------------------------------------------


def _memory(spec: TeamSpec, memory_id: str) -> MemorySpec:
    memory = spec.memories.get(memory_id)
    if memory is None:
        raise EditError(f"there is no memory {memory_id!r}")
    return memory


def _set_memory(spec: TeamSpec, memory_id: str, **changes: Any) -> TeamSpec:
    memory = _memory(spec, memory_id).model_copy(update=changes)
    return spec.model_copy(update={"memories": {**spec.memories, memory_id: memory}})


def _check_memory_id(spec: TeamSpec, memory_id: str) -> None:
    if not is_identifier(memory_id):
        raise EditError("a memory id uses letters, digits and '_', and starts with a letter or '_' (at most 64)")
    if memory_id in spec.memories:
        raise EditError(f"a memory named {memory_id!r} already exists")


def add_memory(spec: TeamSpec, memory_id: str | None = None) -> Edited[str]:
    """A new, empty memory (named 'notes', 'notes_2', ... unless given); the extra is its id."""
    if memory_id is None:
        memory_id, n = "notes", 2
        while memory_id in spec.memories:
            memory_id, n = f"notes_{n}", n + 1
    memory_id = memory_id.strip()
    _check_memory_id(spec, memory_id)
    return Edited(spec.model_copy(update={"memories": {**spec.memories, memory_id: MemorySpec()}}), memory_id)


def _map_memory_refs(spec: TeamSpec, old: str, new: str | None) -> dict[str, AgentSpec]:
    """Every agent, its ``memory`` list with ``old`` renamed to ``new`` (None: removed)."""
    def mapped(ids: list[str]) -> list[str]:
        return [m for m in ids if m != old] if new is None else [new if m == old else m for m in ids]

    return {a_id: (a.model_copy(update={"memory": mapped(a.memory)}) if old in a.memory else a)
            for a_id, a in spec.agents.items()}


def rename_memory(spec: TeamSpec, old: str, new: str) -> TeamSpec:
    """Rename a memory in place (its place in the file kept); every agent reading it follows."""
    new = new.strip()
    _memory(spec, old)
    if new == old:
        return spec
    _check_memory_id(spec, new)
    memories = {(new if k == old else k): v for k, v in spec.memories.items()}
    return spec.model_copy(update={"memories": memories, "agents": _map_memory_refs(spec, old, new)})


def remove_memory(spec: TeamSpec, memory_id: str) -> TeamSpec:
    """Remove a memory and every agent's reference to it."""
    _memory(spec, memory_id)
    memories = {k: v for k, v in spec.memories.items() if k != memory_id}
    return spec.model_copy(update={"memories": memories, "agents": _map_memory_refs(spec, memory_id, None)})


def set_memory_description(spec: TeamSpec, memory_id: str, description: str) -> TeamSpec:
    return _set_memory(spec, memory_id, description=description)


def set_memory_entries(spec: TeamSpec, memory_id: str, entries: Sequence[str]) -> TeamSpec:
    """What the memory holds when a run starts; blank entries are dropped (the editor has one a line)."""
    return _set_memory(spec, memory_id, entries=[e.strip() for e in entries if e.strip()])


def entries_from_text(text: str) -> list[str]:
    """The entries typed one a line."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def set_memory_writers(spec: TeamSpec, memory_id: str, writers: Sequence[str]) -> TeamSpec:
    """The agents that get a tool to add an entry during a run."""
    memory = _memory(spec, memory_id)
    return _set_memory(spec, memory_id, writers=_known(writers, spec.agents, memory.writers, "agent"))
