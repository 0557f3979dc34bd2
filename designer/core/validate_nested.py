"""Checks of inner teams (``teams:``) and the agents of kind ``team`` that run them.

A team agent runs one inner team: as a participant of a group chat (AgentChat's
SocietyOfMindAgent, which summarises the inner conversation with its model) or as a
hierarchical worker (a TeamTool). The inner team's members are agents of the file that take no
part in the outer orchestration, and its own pattern is checked with the pattern's own rules,
with paths under ``teams.<id>.orchestration``.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Protocol

from .patterns import Checks, rules_for
from .problems import Path
from .providers import effective_model_info
from .records import AgentSpec
from .spec import TeamSpec


class _Checker(Checks, Protocol):
    """What these checks use of validate.py's checker (named here: importing it would be a cycle)."""

    @property
    def spec(self) -> TeamSpec: ...

    def _suggest(self, name: str, choices: Iterable[str]) -> str: ...

__all__ = ["check_nested", "handoffs_take_effect", "member_path"]


class _InnerChecks:
    """What an inner team's pattern checks see: its own members, and paths moved under its entry."""

    def __init__(self, checker: _Checker, team_id: str, members: list[str]) -> None:
        self._checker = checker
        self._prefix: Path = ("teams", team_id)
        self._members = members

    @property
    def agents(self) -> Mapping[str, AgentSpec]:
        return self._checker.agents

    def members(self) -> list[str]:
        return list(self._members)

    def input_names(self) -> list[str]:
        return self._checker.input_names()

    def _moved(self, path: Path) -> Path:
        # A pattern reports at ("orchestration", ...); the inner team's block is teams.<id>.orchestration.
        return self._prefix + path if path[:1] == ("orchestration",) else path

    def error(self, message: str, path: Path, hint: str = "") -> None:
        self._checker.error(message, self._moved(path), hint)

    def warn(self, message: str, path: Path, hint: str = "") -> None:
        self._checker.warn(message, self._moved(path), hint)

    def agent_ref(self, agent_id: str, path: Path, role: str = "agent") -> bool:
        return self._checker.agent_ref(agent_id, self._moved(path), role)

    def agent_list(self, ids: list[str], path: Path, role: str = "agent") -> None:
        self._checker.agent_list(ids, self._moved(path), role)

    def model_ref(self, model_id: str, path: Path) -> bool:
        return self._checker.model_ref(model_id, self._moved(path))


def member_path(checker: _Checker, team_id: str, member: str) -> Path:
    """Where the inner team ``team_id`` names ``member`` (its first mention), for a located problem."""
    orch = checker.spec.teams[team_id].orchestration
    base: Path = ("teams", team_id, "orchestration")
    found = _find(orch.model_dump(by_alias=True), member)
    return base + found if found is not None else base


def _find(node: object, value: str) -> Path | None:
    if node == value:
        return ()
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        below = _find(child, value)
        if below is not None:
            return (key, *below)
    return None


def handoffs_take_effect(checker: _Checker, agent_id: str) -> bool:
    """Whether the pattern ``agent_id`` takes part in (the outer one, or its inner team's) uses hand-offs."""
    spec = checker.spec
    team_id = spec.team_of(agent_id)
    orch = spec.teams[team_id].orchestration if team_id in spec.teams else spec.orchestration
    return rules_for(orch).uses_handoffs


def _members_of_container(checker: _Checker, agent_id: str) -> list[str]:
    """The members of the pattern ``agent_id`` belongs to (the outer one, or its inner team's)."""
    spec = checker.spec
    team_id = spec.team_of(agent_id)
    return spec.teams[team_id].members() if team_id in spec.teams else spec.participants()


def check_nested(checker: _Checker) -> None:
    """Every problem of the file's inner teams and team agents."""
    spec = checker.spec
    runners: dict[str, str] = {}  # inner team -> the team agent that runs it
    for agent_id, agent in spec.agents.items():
        path: Path = ("agents", agent_id)
        if agent.kind != "team":
            if agent.team is not None:
                checker.error(f"'team' is only for agents of kind 'team' (this one is kind {agent.kind!r})", path + ("team",),
                              "remove it, or set kind: team")
            continue
        _check_team_agent(checker, agent_id, agent, runners)
    outer = set(spec.participants())
    belongs: dict[str, str] = {}  # agent -> the inner team it is a member of
    for team_id, inner in spec.teams.items():
        tpath: Path = ("teams", team_id)
        if team_id not in runners:
            checker.warn(f"inner team {team_id!r} is not run by any agent", tpath,
                         f"add an agent with kind: team and team: {team_id}")
        members = inner.members()
        rules_for(inner.orchestration).check(inner.orchestration, _InnerChecks(checker, team_id, members))
        if not inner.termination.has_bound():
            checker.error(f"inner team {team_id!r} has no bound: it could go on forever", tpath + ("termination",),
                          "add max_messages, max_turns, timeout or a token budget")
        for member in members:
            if member not in spec.agents:
                continue  # the pattern's own check reported it
            if member in outer:
                checker.error(f"{member!r} takes part in the outer orchestration too; an inner team's members take "
                              "part only in it", member_path(checker, team_id, member),
                              f"take {member} out of one of them")
            elif member in belongs:
                checker.error(f"{member!r} is a member of inner team {belongs[member]!r} already",
                              member_path(checker, team_id, member), "an agent belongs to one inner team")
            else:
                belongs[member] = team_id
            if member == runners.get(team_id):
                checker.error(f"{member!r} runs inner team {team_id!r}, so it cannot be one of its members",
                              member_path(checker, team_id, member))
        _check_inner_coordinator(checker, team_id)
    _check_cycles(checker, runners)


def _check_team_agent(checker: _Checker, agent_id: str, agent: AgentSpec, runners: dict[str, str]) -> None:
    spec = checker.spec
    path: Path = ("agents", agent_id)
    if not agent.team:
        checker.error("an agent of kind 'team' needs 'team': the inner team it runs", path,
                      checker._suggest("", spec.teams) if not spec.teams else f"one of: {', '.join(sorted(spec.teams))}")
    elif agent.team not in spec.teams:
        checker.error(f"unknown inner team {agent.team!r}", path + ("team",), checker._suggest(agent.team, spec.teams))
    elif agent.team in runners:
        checker.error(f"inner team {agent.team!r} is run by {runners[agent.team]!r} already", path + ("team",),
                      "give each team agent an inner team of its own")
    else:
        runners[agent.team] = agent_id
    for key in ("tools", "handoffs"):
        if getattr(agent, key):
            checker.error(f"an agent of kind 'team' cannot have {key}: its inner team's members can", path + (key,))
    if agent.code is not None:
        checker.error("'code' is for agents of kind 'code_executor'", path + ("code",))
    if agent.system_message:
        checker.warn("an agent of kind 'team' does not use a system message: its summary follows the inner "
                     "team's instruction and summary_prompt", path + ("system_message",),
                     f"move it to teams.{agent.team}.instruction, or to a member's system_message")
    if handoffs_take_effect(checker, agent_id) and agent_id in _members_of_container(checker, agent_id):
        checker.warn("an agent of kind 'team' cannot hand off, so in a swarm it keeps the turn once it has it",
                     path, "make it a member of another pattern, or give the swarm's turn to it last")


def _check_inner_coordinator(checker: _Checker, team_id: str) -> None:
    """An inner hierarchical coordinator delegates through function calls, as the outer one does."""
    spec = checker.spec
    orch = spec.teams[team_id].orchestration
    lead = rules_for(orch).lead(orch)
    if lead is None or lead not in spec.agents or spec.agents[lead].tools:
        return  # unknown: reported; with tools: check_agents checks its model already
    model_id = spec.model_id_for(lead)
    model = spec.model_for(model_id)
    info = effective_model_info(model) if model is not None else None
    if model is not None and (info is None or not info.function_calling):
        checker.error(f"delegation to workers needs a model that can call functions, and model {model_id!r} cannot",
                      ("agents", lead, "model") if spec.agents[lead].model else ("agents", lead),
                      f"choose another model or set models.{model_id}.model_info.function_calling: true")


def _check_cycles(checker: _Checker, runners: Mapping[str, str]) -> None:
    """A team agent may not be inside its own inner team, directly or through another inner team."""
    spec = checker.spec
    below: dict[str, list[str]] = {  # team agent -> the team agents among its inner team's members
        agent_id: [m for m in spec.teams[team_id].members() if m in spec.agents and spec.agents[m].kind == "team"]
        for team_id, agent_id in runners.items()
    }
    reported: set[str] = set()
    for start in below:
        stack: list[list[str]] = [[start]]
        seen: set[str] = set()
        while stack:
            trail = stack.pop()
            for nxt in below.get(trail[-1], []):
                if nxt == start:
                    # A team agent among its own members is reported where the members are checked.
                    if len(trail) > 1 and start not in reported:
                        reported.update(trail)
                        checker.error("inner teams run inside each other in a circle: " + " → ".join([*trail, start]),
                                      ("agents", start, "team"), "take one team agent out of the inner team that holds it")
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append([*trail, nxt])
