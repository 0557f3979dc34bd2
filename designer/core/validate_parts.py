"""Checks of an agent's optional parts (what it sees, its context, memories, output schema, the
inputs in its system message) and of model options only some providers take.

Called once from :func:`designer.core.validate.validate_spec`; every problem is located at the
key it is about (``agents.<id>.sees[0].source``, ``agents.<id>.output_schema.properties.x.type``).
"""

from __future__ import annotations

from typing import Protocol

from .json_model import schema_problem
from .problems import Path
from .providers import effective_model_info
from .spec import AgentSpec, TeamSpec
from .task import system_fields

#: The source a run's task has in AgentChat (its first message).
TASK_SOURCE = "user"
#: Providers whose clients take no ``parallel_tool_calls`` (AgentChat's Anthropic client drops it).
_NO_PARALLEL_OPTION = ("embedded", "scripted", "anthropic")


class Reports(Protocol):
    """What these checks need of validate.py's checker."""

    spec: TeamSpec

    def error(self, message: str, path: Path, hint: str = "") -> None: ...

    def warn(self, message: str, path: Path, hint: str = "") -> None: ...


def remember_tool_name(memory_id: str) -> str:
    """The tool a memory's writers get (runtime/agent_parts.py builds it under this name)."""
    return f"remember_{memory_id}"


def check_parts(c: Reports) -> None:
    spec = c.spec
    for agent_id, agent in spec.agents.items():
        path: Path = ("agents", agent_id)
        if agent.kind == "user_proxy":
            for key in ("context", "sees", "memory", "output_schema"):
                if getattr(agent, key):
                    c.error(f"a user_proxy agent (a human) cannot have {key}", path + (key,),
                            "what a person sees is the whole conversation")
        else:
            _check_sees(c, agent_id, agent)
            _check_memory(c, agent_id, agent)
            _check_output(c, agent_id, agent)
        _check_system_message(c, agent_id, agent)
    _check_memories(c)
    for model_id, model in spec.models.items():
        if model.options.parallel_tool_calls is not None and model.provider in _NO_PARALLEL_OPTION:
            c.warn(f"parallel_tool_calls is for OpenAI-style providers; {model.provider} ignores it",
                   ("models", model_id, "options", "parallel_tool_calls"), "remove it")


def _check_sees(c: Reports, agent_id: str, agent: AgentSpec) -> None:
    seen: set[str] = set()
    for i, item in enumerate(agent.sees):
        where: Path = ("agents", agent_id, "sees", i, "source")
        if item.source == agent_id:
            c.warn("an agent's own messages never reach its filter (its context keeps them)", where,
                   "use context: {last_messages: N} to limit what it keeps of its own turns")
        elif item.source != TASK_SOURCE and item.source not in c.spec.agents:
            known = ", ".join([TASK_SOURCE, *sorted(a for a in c.spec.agents if a != agent_id)][:8])
            c.error(f"unknown source {item.source!r}: a filter's source is an agent of the team or 'user' (the task)",
                    where, f"sources: {known}")
        if item.source in seen:
            c.warn(f"{item.source!r} is filtered twice: the agent would see its messages twice", where)
        seen.add(item.source)


def _check_memory(c: Reports, agent_id: str, agent: AgentSpec) -> None:
    path: Path = ("agents", agent_id, "memory")
    if agent.memory and agent.kind != "assistant":
        c.error(f"memory is for assistant agents; a {agent.kind} agent cannot read one", path)
        return
    seen: set[str] = set()
    for i, memory_id in enumerate(agent.memory):
        if memory_id in seen:
            c.error(f"{memory_id!r} is listed twice", path + (i,))
        elif memory_id not in c.spec.memories:
            known = ", ".join(c.spec.memories) or "none are defined yet"
            c.error(f"unknown memory {memory_id!r}", path + (i,), f"memories: {known} (declare it under 'memories:')")
        seen.add(memory_id)


def _check_output(c: Reports, agent_id: str, agent: AgentSpec) -> None:
    if agent.output_schema is None:
        return
    path: Path = ("agents", agent_id, "output_schema")
    if agent.kind != "assistant":
        c.error(f"output_schema is for assistant agents, not a {agent.kind} agent", path)
        return
    problem = schema_problem(agent.output_schema)
    if problem is not None:
        c.error(f"output_schema: {problem}", path + problem.path,
                "a small JSON Schema: type object, properties of string/integer/number/boolean/array/object")
    model_id = c.spec.model_id_for(agent_id)
    model = c.spec.model_for(model_id)
    info = effective_model_info(model) if model is not None else None
    # The embedded model constrains its reply with a grammar built from the schema, whatever
    # its capability flags say; every other client refuses a schema unless the model has them.
    if model is not None and model.provider != "embedded" and (info is None or not info.structured_output):
        why = "AgentChat's Anthropic client has no structured output" if model.provider == "anthropic" else \
            f"set models.{model_id}.model_info.structured_output: true if it has"
        c.error(f"structured output needs a model that supports it, and model {model_id!r} does not", path, why)
    writes = any(agent_id in m.writers for m in c.spec.memories.values())
    if (agent.tools or writes) and not agent.reflect_on_tool_use:
        c.warn("after a tool call this agent's reply is the tool's result, not a structured one",
               ("agents", agent_id, "reflect_on_tool_use") if "reflect_on_tool_use" in agent.model_fields_set else path,
               "set reflect_on_tool_use: true so the model answers in the schema after its tools")


def _check_memories(c: Reports) -> None:
    spec = c.spec
    readers = {m for agent in spec.agents.values() for m in agent.memory}
    for memory_id, memory in spec.memories.items():
        path: Path = ("memories", memory_id)
        if memory_id not in readers and not memory.writers:
            c.warn(f"memory {memory_id!r} is not used: no agent reads or writes it", path,
                   f"add it to an agent's memory list: memory: [{memory_id}]")
        seen: set[str] = set()
        for i, writer in enumerate(memory.writers):
            where: Path = path + ("writers", i)
            if writer in seen:
                c.error(f"{writer!r} is listed twice", where)
                continue
            seen.add(writer)
            agent = spec.agents.get(writer)
            if agent is None:
                c.error(f"unknown writer {writer!r}", where, f"agents: {', '.join(sorted(spec.agents)[:8]) or 'none'}")
                continue
            if agent.kind != "assistant":
                c.error(f"a writer gets a tool, so it must be an assistant agent ({writer!r} is a {agent.kind})", where)
                continue
            model = spec.model_for(spec.model_id_for(writer))
            info = effective_model_info(model) if model is not None else None
            if model is not None and (info is None or not info.function_calling):
                c.error(f"a writer calls the tool {remember_tool_name(memory_id)}, and model "
                        f"{spec.model_id_for(writer)!r} cannot call functions", where,
                        "choose a model that can, or set its model_info.function_calling: true")
            if remember_tool_name(memory_id) in agent.tools:
                c.error(f"{writer!r} already has a tool named {remember_tool_name(memory_id)!r}", where,
                        "rename the tool or the memory")


def _check_system_message(c: Reports, agent_id: str, agent: AgentSpec) -> None:
    unknown = [name for name in system_fields(agent.system_message) if name not in c.spec.inputs]
    if unknown:
        name = unknown[0]
        # A warning, not an error: a v1 file's braces may be meant for the model, and are sent as written.
        c.warn(f"{{{name}}} is not one of the team's inputs, so it is sent as written", ("agents", agent_id, "system_message"),
               f"add inputs.{name} to fill it in from the run's inputs")
