"""One team component -> a team file's data (:class:`ImportedTeam`), as data only.

docs/agentchat-mapping.md read backwards: each AgentChat team class becomes a pattern, its
participants agents (:mod:`.importer_agents`), its clients models (:mod:`.importer_models`),
its tools tools and tool modules (:mod:`.importer_tools`), its condition a ``termination:``
block (:mod:`.importer_terms`). What has no equivalent is left out and reported (a ``dropped``
note); what is kept but not exactly gets a ``changed`` note. The result validates as a
``TeamSpec`` before it is returned: a file import writes is one the product can open.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from ..ids import to_identifier
from ..problems import Problem
from ..spec import SCHEMA_ID, TeamSpec
from ..validate import validate_spec
from . import ImportedTeam, InteropError, Note, TeamEntry
from .components import is_component, is_team, short_name
from .importer_agents import Agents, team_name
from .importer_models import ModelTable
from .importer_terms import Conditions, bounded
from .importer_tools import ToolTable

M1_DEFAULT_FINAL_ANSWER = (
    "We are working on the following task:\n{task}\n\nWe have completed the task.\n\nThe above messages contain the "
    "conversation that took place to complete the task.\n\nBased on the information gathered, provide the final "
    "answer to the original request.\nThe answer should be phrased as if you were speaking to the user.")
_GROUP_CHATS = ("RoundRobinGroupChat", "SelectorGroupChat", "Swarm", "GraphFlow", "MagenticOneGroupChat")
#: Fields whose imported value validation may refuse: left out (and reported) rather than failing the import.
_DROPPABLE = ("output_schema", "selector_prompt", "final_answer_prompt")


def import_team(entry: TeamEntry) -> ImportedTeam:
    """Map one team; InteropError when nothing the format can hold is left, or the result would
    not validate (the message names the field, never a value)."""
    return _Importer(entry).run()


class _Importer:
    def __init__(self, entry: TeamEntry) -> None:
        self.entry = entry
        self.notes: list[Note] = []
        self.models = ModelTable(self.notes)
        self.tools = ToolTable(self.notes)
        self.agents = Agents(self.notes, self.models, self.tools, self.inner_team)
        #: Why a team had nothing to import, by its ``where``, when no dropped part says it.
        self.empty: dict[str, str] = {}
        #: Names of the agents kept, as the file wrote them (a dropped agent's namesake is no loss).
        self.kept: set[str] = set()

    def run(self) -> ImportedTeam:
        component = self.entry.component
        if not is_team(component):
            raise InteropError(f"'{self.entry.label}' is not a team component")
        where = f"team '{self.entry.label}'"
        mapped = self.team(component, where)
        if mapped is None:
            raise InteropError(f"nothing of the team '{self.entry.label}' can be imported: "
                               + (self.empty.get(where) or "; ".join(n.text for n in self.notes if n.level == "dropped")[:600]))
        orchestration, termination = mapped
        data: dict[str, Any] = {"schema": SCHEMA_ID, "name": self.entry.label or "Imported team"}
        if self.entry.description:  # AgentChat's descriptions are docstrings, indented after the first line
            data["description"] = inspect.cleandoc(self.entry.description)
        default = self.models.most_used()
        self.models.fallback_notes(default, self.agents.agents)
        if default is not None:
            data["default_model"] = default
            for agent in self.agents.agents.values():
                if agent.get("model") == default:
                    del agent["model"]  # the default model needs no line per agent
        for key, value in (("models", self.models.models), ("tools", self.tools.tools), ("agents", self.agents.agents),
                           ("teams", self.agents.teams), ("memories", self.agents.memories)):
            if value:
                data[key] = value
        data["orchestration"] = orchestration
        data["termination"] = termination
        self._validated(data)
        self._still_named(data)
        return ImportedTeam(label=data["name"], data=data, tool_modules=dict(self.tools.modules),
                            keys=list(self.models.keys), notes=self.notes)

    def _still_named(self, data: dict[str, Any]) -> None:
        """A dropped agent's name left in the prompts that are kept: the user edits them (a rewrite
        of someone's prompt is not the import's to make)."""
        for name, where in self.agents.dropped:
            if name in self.kept:
                continue
            paths = _mentions(data, re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), [])
            if paths:
                self.notes.append(Note("changed", f"'{name}' was left out of {where} but is still named in "
                                                  f"{', '.join(paths)}: edit those texts"))

    def _validated(self, data: dict[str, Any]) -> None:
        """Check the data as a team file; a refused value of a droppable field is dropped and reported."""
        for _ in range(len(_DROPPABLE) * 50):  # each pass removes one field; bounded, never a loop
            try:
                spec = TeamSpec.model_validate(data)
            except ValueError as exc:
                raise InteropError(f"the imported team '{data['name']}' is not a valid team file: {_first_error(exc)}") from None
            errors = [p for p in validate_spec(spec) if p.is_error]
            if not errors:
                return
            fixable = next((p for p in errors if _droppable(p)), None)
            if fixable is None:
                where = ".".join(str(p) for p in errors[0].path)
                raise InteropError(f"the imported team '{data['name']}' does not validate: {where}: {errors[0].message}")
            field = _droppable(fixable)
            at = fixable.path[: fixable.path.index(field) + 1]
            target: Any = data
            for part in at[:-1]:
                target = target[part]
            target.pop(field, None)
            self.notes.append(Note("dropped", f"{'.'.join(map(str, at))} — {fixable.message} (left out)"))
        raise InteropError(f"the imported team '{data['name']}' does not validate")

    # --- teams ------------------------------------------------------------------------------

    def inner_team(self, component: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        return self.team(component, where) if is_team(component) else None

    def team(self, component: dict[str, Any], where: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """(orchestration, termination) of a team component; None when no participant is left."""
        kind = short_name(component["provider"])
        config = component.get("config") or {}
        if kind not in _GROUP_CHATS:
            self.notes.append(Note("dropped", f"{kind} '{component.get('label') or kind}' — no equivalent team"))
            return None
        participants = config.get("participants")
        if not isinstance(participants, list) or not participants:
            self.empty[where] = "it has no participants" if participants in (None, [], {}) else \
                "its participants are not a list of agents"
            self.notes.append(Note("dropped", f"{where} — {self.empty[where]}"))
            return None
        names: dict[str, str] = {}
        for number, participant in enumerate(participants, 1):
            if not is_component(participant):
                self.notes.append(Note("dropped", f"participant {number} of {where} — not an agent component"))
                continue
            added = self.agents.add(participant, where)
            if added is None:
                continue
            if added[0] in names:  # AgentChat refuses such a team; the agent is kept, apart
                self.notes.append(Note("changed", f"a second agent named '{added[0]}' in {where} is agent "
                                                  f"'{added[1]}' of the file, not a participant (AgentChat refuses "
                                                  "two participants of one name): add it to the team if you want it"))
                continue
            names[added[0]] = added[1]
        self.kept.update(names)
        members = list(names.values())
        if not members:
            return None
        orchestration = self._hierarchical(members, config, where) if kind == "RoundRobinGroupChat" else None
        if orchestration is None:
            orchestration = self._pattern(kind, config, names, where)
        for agent_id in members:  # agent tools outside a hierarchy have no equivalent
            for tool in self.agents.agent_tools.pop(agent_id, []):
                self.notes.append(Note("dropped", f"{short_name(tool['provider'])} of agent '{agent_id}' in {where} — "
                                                  "an agent as a tool exists only as a hierarchical team's worker"))
        self.agents.resolve(names, members, where)
        block = Conditions(self.notes, names, self.tools.tool_id, where).block(config.get("termination_condition"))
        if orchestration["pattern"] == "hierarchical" and block and block.get("spoke") == [orchestration["coordinator"]]:
            del block["spoke"]  # the pattern's own end: the coordinator has answered
        return orchestration, bounded(block, config.get("max_turns"), self.notes, where)

    def _pattern(self, kind: str, config: dict[str, Any], names: dict[str, str], where: str) -> dict[str, Any]:
        members = list(names.values())
        if kind == "SelectorGroupChat":
            orch: dict[str, Any] = {"pattern": "selector", "participants": members}
            if isinstance(config.get("selector_prompt"), str) and config["selector_prompt"].strip():
                orch["selector_prompt"] = config["selector_prompt"]
            model_id = self._team_model(config, f"the selector of {where}", members[0])
            if model_id is not None:
                orch["selector_model"] = model_id
            if isinstance(config.get("allow_repeated_speaker"), bool):
                orch["allow_repeated_speaker"] = config["allow_repeated_speaker"]
            attempts = config.get("max_selector_attempts")
            if isinstance(attempts, int) and not isinstance(attempts, bool) and 1 <= attempts <= 20 and attempts != 3:
                orch["max_selector_attempts"] = attempts
            for field in ("selector_func", "candidate_func"):
                if config.get(field):
                    self.notes.append(Note("dropped", f"{field} of {where} — speaker choice in code has no equivalent"))
            context = config.get("model_context")
            if is_component(context) and short_name(context["provider"]) != "UnboundedChatCompletionContext":
                self.notes.append(Note("dropped", f"the selector's model context of {where} — no equivalent"))
            return orch
        if kind == "Swarm":
            return {"pattern": "swarm", "entry": members[0], "participants": members}
        if kind == "MagenticOneGroupChat":
            orch = {"pattern": "magentic_one", "participants": members}
            model_id = self._team_model(config, f"the orchestrator of {where}", members[0])
            if model_id is not None:
                orch["orchestrator_model"] = model_id
            stalls = config.get("max_stalls")
            if isinstance(stalls, int) and not isinstance(stalls, bool) and 1 <= stalls <= 100 and stalls != 3:
                orch["max_stalls"] = stalls
            prompt = config.get("final_answer_prompt")
            if isinstance(prompt, str) and prompt.strip() and prompt.strip() != M1_DEFAULT_FINAL_ANSWER:
                orch["final_answer_prompt"] = prompt
            return orch
        if kind == "GraphFlow":
            from .importer_graph import graph_orchestration

            return graph_orchestration(config.get("graph"), names, self.notes, where)
        return {"pattern": "round_robin", "participants": members}

    def _team_model(self, config: dict[str, Any], where: str, first: str) -> str | None:
        """A selector's or orchestrator's model; without one it runs on the first participant's."""
        if not is_component(config.get("model_client")):
            self.models.missing(where, runs_on=first)
        return self.models.add(config.get("model_client"), where, runs_on=first)

    def _hierarchical(self, members: list[str], config: dict[str, Any], where: str) -> dict[str, Any] | None:
        """A round robin of one assistant whose tools are agents (AgentTool / TeamTool): a hierarchy."""
        if len(members) != 1 or self.agents.agents[members[0]].get("kind", "assistant") != "assistant":
            return None
        coordinator = members[0]
        workers: list[str] = []
        for tool in self.agents.agent_tools.get(coordinator, []):
            options = tool.get("config") or {}
            if options.get("return_value_as_last_message") is False:
                self.notes.append(Note("changed", f"{short_name(tool['provider'])} of '{coordinator}': the worker's last "
                                                  "message is its answer (AgentChat returned the whole transcript)"))
            if short_name(tool["provider"]) == "AgentTool":
                added = self.agents.add(options.get("agent"), f"the workers of {where}")
                if added is not None:
                    workers.append(added[1])
                continue
            worker = self._team_worker(options, where)
            if worker is not None:
                workers.append(worker)
        if not workers:
            return None
        self.agents.agent_tools.pop(coordinator, None)
        return {"pattern": "hierarchical", "coordinator": coordinator, "workers": workers}

    def _team_worker(self, options: dict[str, Any], where: str) -> str | None:
        """A TeamTool as a worker of kind team, running its team as an inner team."""
        name = str(options.get("name") or "team")
        inner = self.inner_team(options["team"], f"the team tool '{name}'") if isinstance(options.get("team"), dict) else None
        if inner is None:
            self.notes.append(Note("dropped", f"TeamTool '{name}' of {where} — its team has nothing the format can hold"))
            return None
        agent_id = to_identifier(name, self.agents.agents)
        team_id = self.agents.add_team(team_name(options["team"], agent_id), inner,
                                       description=(options["team"].get("config") or {}).get("description"))
        agent: dict[str, Any] = {"kind": "team", "team": team_id}
        if isinstance(options.get("description"), str) and options["description"].strip():
            agent["description"] = options["description"].strip()
        self.agents.agents[agent_id] = agent
        return agent_id


#: The texts a team file keeps as written, where an agent may be named.
_TEXTS = frozenset({"system_message", "selector_prompt", "final_answer_prompt", "instruction", "summary_prompt",
                    "description"})


def _mentions(value: object, name: re.Pattern[str], path: list[str]) -> list[str]:
    """Paths (``agents.a.system_message``) of the texts under ``value`` that match ``name``."""
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _mentions(item, name, [*path, str(key)])]
    if isinstance(value, str) and path and path[-1] in _TEXTS and name.search(value):
        return [".".join(path)]
    return []


def _droppable(problem: Problem) -> str:
    return next((p for p in problem.path if isinstance(p, str) and p in _DROPPABLE), "")


def _first_error(exc: Exception) -> str:
    """Field and reason of a validation error, never the value (it may be a key)."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return type(exc).__name__
