"""Agents of an imported team -> the team file's ``agents:`` (and ``teams:``, ``memories:``).

Names become ids with :func:`designer.core.ids.to_identifier` across the whole file (an inner
team's members are agents of the file too, so two agents named alike in different teams get
``_2``); references between agents (hand-offs, message filters) are resolved per team by
:meth:`Agents.resolve` once all of a team's participants are known.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from ..agent_parts import CODE_LANGUAGES
from ..ids import to_identifier
from . import Note
from .components import TEAM_DEFAULT_DESCRIPTIONS, as_dict, is_component, short_name
from .importer_models import ModelTable
from .importer_tools import ToolTable, is_agent_tool

#: Descriptions AgentChat gives agents nobody described: boilerplate, not worth a file's line.
DEFAULT_DESCRIPTIONS = frozenset({
    "An agent that provides assistance with ability to use tools.",
    "An agent that uses an inner team of agents to generate responses.",
    "An agent that can represent a human user through an input function.",
    "A human user",
    ("A computer terminal that performs no other action than running Python scripts (provided to it quoted in "
     "```python code blocks), or sh shell scripts (provided to it quoted in ```sh code blocks)."),
})
SOM_DEFAULT_INSTRUCTION = ("Earlier you were asked to fulfill a request. You and your team worked diligently to address "
                           "that request. Here is a transcript of that conversation:")
SOM_DEFAULT_RESPONSE = ("Output a standalone response to the original request, without mentioning any of the "
                        "intermediate discussion.")
_WORKBENCHES = ("StaticWorkbench", "StaticStreamWorkbench")

#: Maps an inner team's component to (orchestration, termination); None when nothing of it is left.
NestedTeam = Callable[[dict[str, Any], str], "tuple[dict[str, Any], dict[str, Any]] | None"]


def team_name(component: dict[str, Any], fallback: str) -> str:
    """An inner team's id: the name its config gives (AgentChat's default is the class's name, which
    says nothing), else the id of the agent running it."""
    name = (component.get("config") or {}).get("name")
    return name if isinstance(name, str) and name.strip() and name != short_name(component.get("provider")) else fallback


class Agents:
    def __init__(self, notes: list[Note], models: ModelTable, tools: ToolTable, nested: NestedTeam) -> None:
        self.notes, self.models, self.tools, self.nested = notes, models, tools, nested
        self.agents: dict[str, dict[str, Any]] = {}
        self.teams: dict[str, dict[str, Any]] = {}
        self.memories: dict[str, dict[str, Any]] = {}
        #: AgentTool / TeamTool components per agent id: a hierarchical coordinator's workers.
        self.agent_tools: dict[str, list[dict[str, Any]]] = {}
        #: Names as the file wrote them, resolved against the agent's team (see resolve).
        self._handoffs: dict[str, list[str]] = {}
        self._sees: dict[str, list[dict[str, Any]]] = {}
        #: (name, where) of the agents left out: the report says where their names still appear.
        self.dropped: list[tuple[str, str]] = []

    def add(self, component: object, where: str, name: str | None = None) -> tuple[str, str] | None:
        """(name in the file, id) of a participant; None when the format has no such agent."""
        if not is_component(component):
            return None
        assert isinstance(component, dict)
        kind = short_name(component["provider"])
        config = component.get("config") or {}
        name = name or str(config.get("name") or component.get("label") or kind)
        mappers = {"AssistantAgent": self._assistant, "UserProxyAgent": self._user_proxy,
                   "CodeExecutorAgent": self._code_executor, "SocietyOfMindAgent": self._society}
        if kind == "MessageFilterAgent":
            return self._filter(config, name, where)
        if kind not in mappers:
            self.notes.append(Note("dropped", f"{kind} '{name}' of {where} — no equivalent"))
            self.dropped.append((name, where))
            return None
        agent_id = to_identifier(name, self.agents)
        agent: dict[str, Any] = {}
        self.agents[agent_id] = agent  # taken at once: an inner team's members must not take the id
        if not mappers[kind](agent, agent_id, config, f"agent '{name}'"):
            del self.agents[agent_id]
            self.dropped.append((name, where))
            return None
        description = str(config.get("description") or "").strip()
        description = "" if description in DEFAULT_DESCRIPTIONS else description
        if agent_id != name:  # the name people knew stays readable
            description = f"{name}: {description}" if description else name
        if description:
            agent["description"] = description
        return name, agent_id

    def resolve(self, names: Mapping[str, str], members: list[str], where: str) -> None:
        """Hand-off targets and message-filter sources of a team's ``members``, as ids."""
        for agent_id in members:
            handoffs = []
            for target in self._handoffs.pop(agent_id, []):
                resolved = "user" if target == "user" else names.get(target)
                if resolved is None:
                    self.notes.append(Note("dropped", f"hand-off of '{agent_id}' to '{target}' in {where} — "
                                                      "no such agent in the team"))
                elif resolved not in handoffs:
                    handoffs.append(resolved)
            if handoffs:
                self.agents[agent_id]["handoffs"] = handoffs
            sees = []
            for item in self._sees.pop(agent_id, []):
                source = "user" if item["source"] == "user" else names.get(item["source"])
                if source is None:
                    self.notes.append(Note("dropped", f"message filter of '{agent_id}' on '{item['source']}' in {where} "
                                                      "— no such agent in the team"))
                else:
                    sees.append({**item, "source": source})
            if sees:
                self.agents[agent_id]["sees"] = sees

    # --- one mapper per AgentChat class: fill ``agent``, False when nothing of it can be kept ----

    def _assistant(self, agent: dict[str, Any], agent_id: str, config: dict[str, Any], where: str) -> bool:
        self._model(agent, config, where, required=True)
        self._system_message(agent, config, where)
        tools = self._tools(agent_id, config, where)
        if tools:
            agent["tools"] = tools
        handoffs = []
        for item in config.get("handoffs") or []:
            target = item.get("target") if isinstance(item, dict) else item
            if not isinstance(target, str) or not target:
                continue
            handoffs.append(target)
            default_message = f"Transferred to {target}, adopting the role of {target} immediately."
            if isinstance(item, dict) and (item.get("message") not in (None, default_message)
                                           or item.get("description") not in (None, f"Handoff to {target}.")):
                self.notes.append(Note("changed", f"hand-off of {where} to '{target}': its own description and "
                                                  "message are not kept (AgentChat's defaults are used)"))
        self._handoffs[agent_id] = handoffs
        if config.get("reflect_on_tool_use") is True:
            agent["reflect_on_tool_use"] = True
        iterations = config.get("max_tool_iterations")
        if isinstance(iterations, int) and not isinstance(iterations, bool) and iterations > 1:
            agent["max_tool_iterations"] = min(iterations, 50)
        self._context(agent, config.get("model_context"), where)
        memories = [m for m in (self._memory(c, where) for c in config.get("memory") or []) if m]
        if memories:
            agent["memory"] = memories
        factory = config.get("structured_message_factory")
        schema = (factory.get("config") or {}).get("json_schema") if is_component(factory) else None
        if isinstance(schema, dict):
            agent["output_schema"] = schema
        summary = config.get("tool_call_summary_format")
        if summary not in (None, "{result}") or config.get("metadata") or config.get("output_content_type_format"):
            self.notes.append(Note("changed", f"{where}: tool_call_summary_format, output_content_type_format and "
                                              "metadata are not kept"))
        return True

    def _user_proxy(self, agent: dict[str, Any], agent_id: str, config: dict[str, Any], where: str) -> bool:
        agent["kind"] = "user_proxy"
        return True

    def _code_executor(self, agent: dict[str, Any], agent_id: str, config: dict[str, Any], where: str) -> bool:
        agent["kind"] = "code_executor"
        code: dict[str, Any] = {}
        languages = [lang for lang in config.get("supported_languages") or [] if lang in CODE_LANGUAGES]
        if languages:
            code["languages"] = languages
        executor = config.get("code_executor")
        kind = short_name(executor.get("provider")) if is_component(executor) else ""
        options = (executor.get("config") or {}) if is_component(executor) else {}
        if kind == "DockerCommandLineCodeExecutor":
            code["docker"] = "always"
            if isinstance(options.get("image"), str) and options["image"]:
                code["image"] = options["image"]
        elif kind != "LocalCommandLineCodeExecutor":
            self.notes.append(Note("changed", f"{where}: its {kind or 'code executor'} became a local executor "
                                              "(every code block still waits for approval)"))
        timeout = options.get("timeout")
        if isinstance(timeout, (int, float)) and not isinstance(timeout, bool) and 0 < timeout <= 3600:
            code["timeout"] = timeout
        work_dir = options.get("work_dir")
        if isinstance(work_dir, str) and work_dir and not work_dir.startswith(("/", "~")) and ".." not in work_dir.split("/"):
            code["work_dir"] = work_dir
        if config.get("model_client"):
            self._model(agent, config, where)
            self._system_message(agent, config, where)
            retries = config.get("max_retries_on_error")
            if isinstance(retries, int) and not isinstance(retries, bool) and 0 < retries <= 10:
                code["retries"] = retries
        agent["code"] = code
        return True

    def _society(self, agent: dict[str, Any], agent_id: str, config: dict[str, Any], where: str) -> bool:
        team = as_dict(config.get("team"))
        inner = self.nested(team, f"the inner team of {where}") if team else None
        if inner is None:
            self.notes.append(Note("dropped", f"SocietyOfMindAgent {where.removeprefix('agent ')} — its inner team has "
                                              "nothing the format can hold"))
            return False
        agent["kind"] = "team"
        agent["team"] = self.add_team(team_name(team, agent_id), inner, config.get("instruction"), config.get("response_prompt"),
                                      as_dict(team.get("config")).get("description"))
        self._model(agent, config, where, required=True)
        self._context(agent, config.get("model_context"), where)
        return True

    def add_team(self, base: str, inner: tuple[dict[str, Any], dict[str, Any]], instruction: object = None,
                 response: object = None, description: object = None) -> str:
        team_id = to_identifier(base, self.teams, fallback="team", reserved=())
        entry: dict[str, Any] = {}
        if isinstance(description, str) and description.strip() and description.strip() not in TEAM_DEFAULT_DESCRIPTIONS:
            entry["description"] = description.strip()
        entry.update(orchestration=inner[0], termination=inner[1])
        if isinstance(instruction, str) and instruction.strip() and instruction != SOM_DEFAULT_INSTRUCTION:
            entry["instruction"] = instruction
        if isinstance(response, str) and response.strip() and response != SOM_DEFAULT_RESPONSE:
            entry["summary_prompt"] = response
        self.teams[team_id] = entry
        return team_id

    def _filter(self, config: dict[str, Any], name: str, where: str) -> tuple[str, str] | None:
        added = self.add(config.get("wrapped_agent"), where, name=name)
        if added is None:
            return None
        agent_id = added[1]
        if self.agents[agent_id].get("kind") == "user_proxy":
            self.notes.append(Note("dropped", f"MessageFilterAgent '{name}' of {where} — a user proxy cannot have a filter"))
            return added
        sees = []
        for item in (config.get("filter") or {}).get("per_source") or []:
            count = item.get("count") if isinstance(item, dict) else None
            position = item.get("position") if isinstance(item, dict) else None
            if isinstance(item.get("source"), str) and isinstance(count, int) and count >= 1:
                sees.append({"source": item["source"], "first" if position == "first" else "last": min(count, 10_000)})
        self._sees[agent_id] = sees
        return added

    # --- parts ----------------------------------------------------------------------------

    def _model(self, agent: dict[str, Any], config: dict[str, Any], where: str, required: bool = False) -> None:
        if required and not is_component(config.get("model_client")):
            self.models.missing(where)
        model_id = self.models.add(config.get("model_client"), where)
        if model_id is not None:
            agent["model"] = model_id

    def _system_message(self, agent: dict[str, Any], config: dict[str, Any], where: str) -> None:
        message = config.get("system_message")
        if isinstance(message, str) and message:
            agent["system_message"] = message
        elif message not in (None, ""):
            self.notes.append(Note("dropped", f"the system message of {where} — it is not text "
                                              f"({type(message).__name__}), so the file has none"))

    def _tools(self, agent_id: str, config: dict[str, Any], where: str) -> list[str]:
        found: list[dict[str, Any]] = [t for t in config.get("tools") or [] if is_component(t)]
        workbenches = config.get("workbench")
        for bench in workbenches if isinstance(workbenches, list) else [workbenches] if workbenches else []:
            if not is_component(bench):
                continue
            kind = short_name(bench["provider"])
            if kind in _WORKBENCHES:
                found += [t for t in (bench.get("config") or {}).get("tools") or [] if is_component(t)]
                if (bench.get("config") or {}).get("tool_overrides"):
                    self.notes.append(Note("changed", f"{where}: its workbench's tool overrides are not kept"))
            else:
                found.append(bench)  # an McpWorkbench is a tool of the file; the table drops others
        ids: list[str] = []
        for tool in found:
            if is_agent_tool(tool):
                self.agent_tools.setdefault(agent_id, []).append(tool)
                continue
            tool_id = self.tools.add(tool, where)
            if tool_id is not None and tool_id not in ids:
                ids.append(tool_id)
        return ids

    def _context(self, agent: dict[str, Any], context: object, where: str) -> None:
        if not is_component(context):
            return
        assert isinstance(context, dict)
        kind = short_name(context["provider"])
        options = context.get("config") or {}
        size, limit = options.get("buffer_size"), options.get("token_limit")
        if kind == "BufferedChatCompletionContext" and isinstance(size, int) and 1 <= size <= 10_000:
            agent["context"] = {"last_messages": size}
        elif kind == "TokenLimitedChatCompletionContext" and isinstance(limit, int) and 16 <= limit <= 10_000_000:
            agent["context"] = {"max_tokens": limit}
        elif kind != "UnboundedChatCompletionContext":
            self.notes.append(Note("dropped", f"{kind} of {where} — no equivalent; it sees the whole conversation"))

    def _memory(self, component: object, where: str) -> str | None:
        if not is_component(component) or short_name(component["provider"]) != "ListMemory":
            kind = short_name(component.get("provider")) if isinstance(component, dict) else "memory"
            self.notes.append(Note("dropped", f"{kind} of {where} — only ListMemory of text has an equivalent"))
            return None
        config = component.get("config") or {}
        entries, skipped = [], 0
        for item in config.get("memory_contents") or []:
            text = item.get("content") if isinstance(item, dict) else None
            if isinstance(text, str) and str(item.get("mime_type") or "text/plain").startswith("text/"):
                entries.append(text)
            else:
                skipped += 1
        if skipped:
            self.notes.append(Note("dropped", f"{skipped} memory entries of {where} that are not text"))
        name = str(config.get("name") or "memory")
        memory = {"entries": entries} if entries else {}
        for memory_id, existing in self.memories.items():  # readers of one memory share it
            if existing == memory and memory_id == to_identifier(name, fallback="memory", reserved=()):
                return memory_id
        memory_id = to_identifier(name, self.memories, fallback="memory", reserved=())
        self.memories[memory_id] = memory
        return memory_id
