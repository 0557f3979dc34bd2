"""Each orchestration pattern as AgentChat constructor code (designer/runtime/patterns/*.py),
for the run's team and for inner teams alike."""

from __future__ import annotations

from typing import Any, Sequence

from ..patterns.graph import activations, group_of
from ..patterns.swarm import HANDOFF_USER
from ..spec import TerminationSpec
from .agents import agent, describe
from .terminations import condition
from .writer import Script, py

_TEAMS = "autogen_agentchat.teams"

KEEP_COUNTING = '''
class KeepCounting(TerminationCondition):
    """The run's own conditions, kept counting across the pauses of a hand-off to the user:
    AgentChat resets a team's whole condition when the hand-off ends a run_stream; only a part
    that fired itself is reset here, so the bounds hold for the whole run."""

    def __init__(self, inner: TerminationCondition) -> None:
        self.inner = inner
        self.fired = False

    @property
    def terminated(self) -> bool:
        return self.inner.terminated

    async def __call__(self, messages: Sequence[BaseAgentEvent | BaseChatMessage]) -> StopMessage | None:
        stop = await self.inner(messages)
        if stop is not None:
            self.fired = True
        return stop

    async def reset(self) -> None:
        if self.inner.terminated:
            await self.inner.reset()
'''

TRANSITIONS = '''
def allowed_next(participants: list[str], transitions: dict[str, list[str]],
                 allow_repeated_speaker: bool) -> Callable[[Sequence[BaseAgentEvent | BaseChatMessage]], list[str]]:
    """SelectorGroupChat's candidate_func for a transition table: who may speak after the last speaker."""

    def candidates(thread: Sequence[BaseAgentEvent | BaseChatMessage]) -> list[str]:
        last = next((m.source for m in reversed(thread) if isinstance(m, BaseChatMessage)), None)
        if last not in participants:
            return list(participants)
        allowed = transitions.get(last)
        pool = list(participants) if allowed is None else [p for p in participants if p in allowed]
        if not allow_repeated_speaker:
            pool = [p for p in pool if p != last] or pool
        return pool or list(participants)

    return candidates


class TransitionsManager(SelectorGroupChatManager):
    """Holds the selector model's answer to this turn's candidates: AgentChat narrows the prompt
    to them but accepts any participant the model names, and falls back to the previous speaker."""

    _candidates: list[str] | None = None

    async def _select_speaker(self, roles: str, participants: list[str], max_attempts: int) -> str:
        self._candidates = participants
        try:
            name = await super()._select_speaker(roles, participants, max_attempts)
        finally:
            self._candidates = None
        return name if name in participants else participants[0]

    def _mentioned_agents(self, message_content: str, agent_names: list[str]) -> dict[str, int]:
        pool = self._candidates
        return super()._mentioned_agents(message_content, [n for n in agent_names if pool is None or n in pool])


class TransitionsGroupChat(SelectorGroupChat):
    """SelectorGroupChat whose manager keeps to the allowed transitions (AgentChat 0.7.5's arguments)."""

    def _create_group_chat_manager_factory(self, name: str, group_topic_type: str, output_topic_type: str,
                                           participant_topic_types: list[str], participant_names: list[str],
                                           participant_descriptions: list[str], output_message_queue: Any,
                                           termination_condition: TerminationCondition | None, max_turns: int | None,
                                           message_factory: Any) -> Callable[[], TransitionsManager]:
        return lambda: TransitionsManager(
            name, group_topic_type, output_topic_type, participant_topic_types, participant_names,
            participant_descriptions, output_message_queue, termination_condition, max_turns, message_factory,
            self._model_client, self._selector_prompt, self._allow_repeated_speaker, self._selector_func,
            self._max_selector_attempts, self._candidate_func, self._emit_team_events, self._model_context,
            self._model_client_streaming,
        )
'''

SELECTOR_PROMPT = '''
def fill_selector_prompt(prompt: str, values: Mapping[str, str]) -> str:
    """The selector prompt with the team's inputs filled, AgentChat's {roles}, {participants} and
    {history} kept for it to fill, and every other brace literal."""
    out: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(prompt):
        out.append(literal.replace("{", "{{").replace("}", "}}"))
        if name is not None:
            keep = name in ("roles", "participants", "history") or name not in values
            out.append("{" + name + "}" if keep else str(values[name]).replace("{", "{{").replace("}", "}}"))
    return "".join(out)
'''

MAGENTIC = '''
class RoundsOrchestrator(MagenticOneOrchestrator):
    """AgentChat's orchestrator with max_turns as the number of rounds (AgentChat runs one more)
    and {task} filled into a final-answer prompt of the team's own (AgentChat sends it as written)."""

    async def _orchestrate_step(self, cancellation_token: CancellationToken) -> None:
        if self._max_turns is not None and self._n_rounds >= self._max_turns:
            await self._prepare_final_answer("Max rounds reached.", cancellation_token)
            return
        await super()._orchestrate_step(cancellation_token)

    def _get_final_answer_prompt(self, task: str) -> str:
        try:
            return self._final_answer_prompt.format(task=task)
        except (ValueError, KeyError, IndexError, AttributeError):
            return self._final_answer_prompt


class MagenticOne(MagenticOneGroupChat):
    """MagenticOneGroupChat with the orchestrator above (AgentChat 0.7.5's arguments, in order)."""

    def _create_group_chat_manager_factory(self, name: str, group_topic_type: str, output_topic_type: str,
                                           participant_topic_types: list[str], participant_names: list[str],
                                           participant_descriptions: list[str], output_message_queue: Any,
                                           termination_condition: TerminationCondition | None, max_turns: int | None,
                                           message_factory: Any) -> Callable[[], MagenticOneOrchestrator]:
        return lambda: RoundsOrchestrator(
            name, group_topic_type, output_topic_type, participant_topic_types, participant_names,
            participant_descriptions, max_turns, message_factory, self._model_client, self._max_stalls,
            self._final_answer_prompt, output_message_queue, termination_condition, self._emit_team_events,
        )
'''


def outer_team(s: Script) -> str:
    """Emit the run's team; the variable holding it."""
    spec = s.spec
    cond = condition(s, spec.termination, list(spec.agents), own_timeout=False, where="the run")
    return _pattern(s, spec.orchestration, cond, spec.termination)


def inner_team(s: Script, team_id: str) -> str:
    inner = s.spec.teams[team_id]
    cond = condition(s, inner.termination, inner.members(), own_timeout=True, where=f"inner team '{team_id}'")
    return _pattern(s, inner.orchestration, cond, inner.termination, name=f"{team_id}_team")


def _kwargs(cond: str | None, term: TerminationSpec) -> list[str]:
    if cond is not None and len(cond) > 80:  # one condition a line
        cond = "(\n            " + cond.replace(" | ", "\n            | ") + "\n        )"
    out = [f"termination_condition={cond}"] if cond is not None else []
    if term.max_turns is not None:
        out.append(f"max_turns={term.max_turns}")
    return out


def _emit_team(s: Script, var: str, cls: str, first: str, args: list[str]) -> str:
    s.emit(f"{var} = {cls}(\n        " + ",\n        ".join([first, *args]) + ",\n    )")
    return var


def _pattern(s: Script, orch: Any, cond: str | None, term: TerminationSpec, name: str = "team") -> str:
    var = s.var(name)
    pattern = orch.pattern
    if pattern == "round_robin":
        s.need(_TEAMS, "RoundRobinGroupChat")
        members = [agent(s, a) for a in orch.participants]
        return _emit_team(s, var, "RoundRobinGroupChat", _list(members), _kwargs(cond, term))
    if pattern in ("sequential", "graph"):
        return _graph(s, var, orch, cond, term)
    if pattern == "swarm":
        return _swarm(s, var, orch, cond, term)
    if pattern == "selector":
        return _selector(s, var, orch, cond, term)
    if pattern == "hierarchical":
        return _hierarchical(s, var, orch, cond, term)
    if pattern == "magentic_one":
        return _magentic(s, var, orch, cond, term)
    raise ValueError(f"the pattern {pattern!r} cannot be exported to Python")


def _list(names: Sequence[str]) -> str:
    return "[" + ", ".join(names) + "]"


def _graph(s: Script, var: str, orch: Any, cond: str | None, term: TerminationSpec) -> str:
    s.need(_TEAMS, "DiGraphBuilder", "GraphFlow")
    builder = s.var("builder")
    s.emit(f"{builder} = DiGraphBuilder()")
    if orch.pattern == "sequential":
        order = list(dict.fromkeys(orch.order))
        agents = {a: agent(s, a) for a in order}
        for a in order:
            s.emit(f"{builder}.add_node({agents[a]})")
        for before, after in zip(order, order[1:], strict=False):
            s.emit(f"{builder}.add_edge({agents[before]}, {agents[after]})")
        entry = order[0]
    else:
        agents = {a: agent(s, a) for a in orch.nodes()}
        for a, v in agents.items():
            s.emit(f"{builder}.add_node({v}, activation={py('all' if a in orch.wait_for_all else 'any')})")
        for edge, join in zip(orch.edges, activations(orch), strict=True):
            args = [agents[edge.source], agents[edge.target]]
            if edge.when is not None:
                s.need("autogen_agentchat.messages", "BaseChatMessage")
                s.need("typing", "Callable")
                s.helper("edge_conditions", EDGE_CONDITIONS)
                if edge.when.contains is not None:
                    args.append(f"condition=mentions({py(edge.when.contains)})")
                else:
                    args.append(f"condition=lacks({py(edge.when.not_contains)})")
            args += [f"activation_group={py(group_of(edge))}", f"activation_condition={py(join)}"]
            s.emit(f"{builder}.add_edge({', '.join(args)})")
        entry = orch.entry
    s.emit(f"{builder}.set_entry_point({agents[entry]})")
    return _emit_team(s, var, "GraphFlow", _list(list(agents.values())),
                      [f"graph={builder}.build()", *_kwargs(cond, term)])


EDGE_CONDITIONS = '''
def mentions(text: str) -> Callable[[BaseChatMessage], bool]:
    """An edge taken when the message's text contains ``text``."""
    return lambda message: text in message.to_model_text()


def lacks(text: str) -> Callable[[BaseChatMessage], bool]:
    """An edge taken when the message's text does not contain ``text``."""
    return lambda message: text not in message.to_model_text()
'''


def _swarm(s: Script, var: str, orch: Any, cond: str | None, term: TerminationSpec) -> str:
    s.need(_TEAMS, "Swarm")
    members = [orch.entry] + [p for p in orch.participants if p != orch.entry]
    agents = [agent(s, a, handoffs=True) for a in members]
    if any(HANDOFF_USER in s.spec.agents[a].handoffs for a in members):
        # A hand-off to the person pauses the run; run_stream asks and resumes the same team.
        s.need("autogen_agentchat.conditions", "HandoffTermination")
        pause = f"HandoffTermination(target={py(HANDOFF_USER)})"
        if cond is not None:
            for module, names in (("autogen_agentchat.base", ("TerminationCondition",)),
                                  ("autogen_agentchat.messages", ("BaseAgentEvent", "BaseChatMessage", "StopMessage")),
                                  ("typing", ("Sequence",))):
                s.need(module, *names)
            s.helper("keep_counting", KEEP_COUNTING)
            cond = f"KeepCounting({cond}) | {pause}"
        else:
            cond = pause
    return _emit_team(s, var, "Swarm", _list(agents), _kwargs(cond, term))


def _selector(s: Script, var: str, orch: Any, cond: str | None, term: TerminationSpec) -> str:
    s.need(_TEAMS, "SelectorGroupChat")
    model_id = orch.selector_model or s.spec.model_id_for(orch.participants[0])
    agents = [agent(s, a) for a in orch.participants]
    args = [f"model_client={s.model(model_id)}"]
    args += _kwargs(cond, term)
    args += [f"allow_repeated_speaker={orch.allow_repeated_speaker}", f"max_selector_attempts={orch.max_selector_attempts}",
             "emit_team_events=True"]
    if orch.selector_prompt:
        if s.spec.inputs:
            s.need("string")
            s.need("typing", "Mapping")
            s.helper("selector_prompt", SELECTOR_PROMPT)
            args.append(f"selector_prompt=fill_selector_prompt({py(orch.selector_prompt, 8)}, values)")
        else:
            args.append(f"selector_prompt={py(orch.selector_prompt, 8)}")
    cls = "SelectorGroupChat"
    if orch.allowed_transitions:
        cls = "TransitionsGroupChat"
        for module, names in (("autogen_agentchat.teams._group_chat._selector_group_chat", ("SelectorGroupChatManager",)),
                              ("autogen_agentchat.base", ("TerminationCondition",)),
                              ("autogen_agentchat.messages", ("BaseAgentEvent", "BaseChatMessage")),
                              ("typing", ("Any", "Callable", "Sequence"))):
            s.need(module, *names)
        s.helper("transitions", TRANSITIONS)
        table = {k: list(v) for k, v in orch.allowed_transitions.items()}
        args.append(f"candidate_func=allowed_next({py(list(orch.participants))}, {py(table, 8)}, "
                    f"{orch.allow_repeated_speaker})")
    return _emit_team(s, var, cls, _list(agents), args)


def _hierarchical(s: Script, var: str, orch: Any, cond: str | None, term: TerminationSpec) -> str:
    s.need(_TEAMS, "RoundRobinGroupChat")
    s.need("autogen_agentchat.conditions", "SourceMatchTermination")
    tools: list[str] = []
    for worker in orch.workers:
        spec = s.spec.agents[worker]
        if spec.kind == "team" and spec.team is not None:
            s.need("autogen_agentchat.tools", "TeamTool")
            inner = inner_team(s, spec.team)
            tools.append(f"TeamTool({inner}, {py(worker)}, {py(describe(s, worker))}, return_value_as_last_message=True)")
        else:
            s.need("autogen_agentchat.tools", "AgentTool")
            tools.append(f"AgentTool({agent(s, worker)}, return_value_as_last_message=True)")
    lead = agent(s, orch.coordinator, tools)
    answered = f"SourceMatchTermination([{py(orch.coordinator)}])"
    full = answered if cond is None else f"{cond} | {answered}"
    return _emit_team(s, var, "RoundRobinGroupChat", f"[{lead}]", _kwargs(full, term))


def _magentic(s: Script, var: str, orch: Any, cond: str | None, term: TerminationSpec) -> str:
    for module, names in ((_TEAMS, ("MagenticOneGroupChat",)),
                          ("autogen_agentchat.teams._group_chat._magentic_one._magentic_one_orchestrator",
                           ("MagenticOneOrchestrator",)),
                          ("autogen_agentchat.base", ("TerminationCondition",)), ("autogen_core", ("CancellationToken",)),
                          ("typing", ("Any", "Callable"))):
        s.need(module, *names)
    s.helper("magentic", MAGENTIC)
    model_id = orch.orchestrator_model or s.spec.model_id_for(orch.participants[0])
    agents = [agent(s, a) for a in orch.participants]
    args = [f"model_client={s.model(model_id)}"] + _kwargs(cond, term) + [f"max_stalls={orch.max_stalls}"]
    if orch.final_answer_prompt is not None:
        args.append(f"final_answer_prompt={py(orch.final_answer_prompt, 8)}")
    s.note("changed", "magentic_one: the orchestrator's messages are not marked plan / instruction / final answer "
                      "and the embedded model writes its ledger without the product's grammar")
    return _emit_team(s, var, "MagenticOne", _list(agents), args)
