"""Semantic validation: the checks a run depends on, shared by the CLI and the window.

"Validate passes, run fails" is the failure this module exists to prevent: every
reference resolves, tool users sit on models that can call tools, every pattern can
start and end, and every run is bounded.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path as FsPath
from typing import Iterable, Iterator, Mapping

from .builtins import BUILTIN_TOOLS
from .probe_cache import ProbeRecord, probe_key
from .problems import Path, Positions, Problem
from .providers import effective_model_info
from .spec import (
    EMBEDDED_MODEL_ID,
    MAX_AGENTS,
    RESERVED_AGENT_IDS,
    GraphSpec,
    HierarchicalSpec,
    ModelSpec,
    RoundRobinSpec,
    SelectorSpec,
    SequentialSpec,
    SwarmSpec,
    TeamSpec,
)
from .task import TaskError, template_fields
from .tool_introspect import ToolLocations
from .validate_tools import prompt_problems, tool_problems
from .yamlio import LoadResult, load_team, parse_team


class _Checker:
    def __init__(self, spec: TeamSpec, probe_results: Mapping[str, ProbeRecord] | None = None) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.probe_results = probe_results

    def error(self, message: str, path: Path, hint: str = "") -> None:
        self.problems.append(Problem(message, path, hint))

    def warn(self, message: str, path: Path, hint: str = "") -> None:
        self.problems.append(Problem(message, path, hint, severity="warning"))

    # --- references ------------------------------------------------------------------

    def known_model(self, model_id: str) -> bool:
        return model_id in self.spec.models or model_id == EMBEDDED_MODEL_ID

    def agent_ref(self, agent_id: str, path: Path, role: str = "agent") -> bool:
        if not agent_id:
            self.error(f"no {role} chosen", path)
            return False
        if agent_id not in self.spec.agents:
            self.error(f"unknown {role} {agent_id!r}", path, self._suggest(agent_id, self.spec.agents))
            return False
        return True

    def agent_list(self, ids: list[str], path: Path, role: str = "agent") -> None:
        seen: set[str] = set()
        for i, agent_id in enumerate(ids):
            if agent_id in seen:
                self.error(f"{agent_id!r} is listed twice", path + (i,))
            seen.add(agent_id)
            self.agent_ref(agent_id, path + (i,), role)

    @staticmethod
    def _suggest(name: str, choices: Iterable[str]) -> str:
        options = sorted(choices)
        if not options:
            return "none are defined yet"
        close = [c for c in options if c.lower().startswith(name[:3].lower())] if name else []
        return f"did you mean {close[0]!r}?" if close else f"defined: {', '.join(options[:8])}"

    # --- sections --------------------------------------------------------------------

    def check_models(self) -> None:
        spec = self.spec
        if spec.default_model is not None and not self.known_model(spec.default_model):
            self.error(
                f"unknown model {spec.default_model!r}",
                ("default_model",),
                self._suggest(spec.default_model, [*spec.models, EMBEDDED_MODEL_ID]),
            )
        for model_id, model in spec.models.items():
            path: Path = ("models", model_id)
            if model.provider not in ("embedded", "scripted") and not model.model:
                self.error("no model name", path + ("model",), "the name the provider knows, e.g. gpt-4o-mini or llama3.2")
            if model.provider == "openai_compatible" and not model.base_url:
                self.error("an openai_compatible model needs base_url", path + ("base_url",), "e.g. http://127.0.0.1:8080/v1")
            if model.provider == "azure_openai":
                for key in ("base_url", "deployment", "api_version"):
                    if getattr(model, key) is None:
                        self.error(f"an azure_openai model needs {key}", path + (key,))
            if model.provider in ("ollama", "openai_compatible") and model.model_info is None:
                self.warn(
                    "capabilities unknown: tools and hand-offs stay off until model_info says the model can call functions",
                    path,
                    "add model_info: {function_calling: true, ...} if the model supports tool calls",
                )

    def check_agents(self) -> None:
        spec = self.spec
        if not spec.agents:
            self.error("the team has no agents", ("agents",), "add at least one agent")
        if len(spec.agents) > MAX_AGENTS:
            self.error(f"the team has {len(spec.agents)} agents; a team can have at most {MAX_AGENTS}", ("agents",),
                       "split the work into smaller teams")
        for agent_id, agent in spec.agents.items():
            path: Path = ("agents", agent_id)
            if agent_id in RESERVED_AGENT_IDS:
                self.error(f"{agent_id!r} is a reserved name", path, "pick another id")
            if agent.kind == "user_proxy":
                for key in ("tools", "handoffs"):
                    if getattr(agent, key):
                        self.error(f"a user_proxy agent (a human) cannot have {key}", path + (key,))
                continue
            model_id = spec.model_id_for(agent_id)
            model_known = self.known_model(model_id)
            if not model_known:
                where = path + ("model",) if agent.model else ("default_model",)
                self.error(f"unknown model {model_id!r}", where, self._suggest(model_id, [*spec.models, EMBEDDED_MODEL_ID]))
            for i, tool_id in enumerate(agent.tools):
                if tool_id not in spec.tools:
                    self.error(f"unknown tool {tool_id!r}", path + ("tools", i), self._suggest(tool_id, spec.tools))
            if agent.handoffs and spec.orchestration.pattern != "swarm":
                self.warn("hand-offs only take effect in a swarm", path + ("handoffs",))
            for i, target in enumerate(agent.handoffs):
                if target == agent_id:
                    self.error("an agent cannot hand off to itself", path + ("handoffs", i))
                else:
                    self.agent_ref(target, path + ("handoffs", i), "hand-off target")
            if model_known and (agent.tools or agent.handoffs or self._is_coordinator(agent_id)):
                model = spec.model_for(model_id)
                info = effective_model_info(model) if model else None
                if info is None or not info.function_calling:
                    what = "tools" if agent.tools else "hand-offs" if agent.handoffs else "delegation to workers"
                    self.error(
                        f"{what} need a model that can call functions, and model {model_id!r} cannot",
                        path + ("model",) if agent.model else path,
                        f"choose another model or set models.{model_id}.model_info.function_calling: true",
                    )
                elif model is not None:
                    self._check_probe(model_id, model, path + ("model",) if agent.model else path)

    def _check_probe(self, model_id: str, model: ModelSpec, path: Path) -> None:
        """A tool user on a model whose last connection test failed is a run that will fail."""
        if self.probe_results is None:
            return
        record = self.probe_results.get(probe_key(model))
        if record is not None and not record.ok:
            self.warn(
                f"model {model_id!r} failed its connection test ({record.when()}): {record.problem()}",
                path,
                "fix the model entry, then test it again: Models… ▸ Test connection, or python -m designer models test",
            )

    def _is_coordinator(self, agent_id: str) -> bool:
        orch = self.spec.orchestration
        return isinstance(orch, HierarchicalSpec) and orch.coordinator == agent_id

    def check_tools(self) -> None:
        for tool_id, tool in self.spec.tools.items():
            if tool.builtin is not None and tool.builtin not in BUILTIN_TOOLS:
                self.error(
                    f"unknown built-in tool {tool.builtin!r}",
                    ("tools", tool_id, "builtin"),
                    f"built-ins: {', '.join(BUILTIN_TOOLS)}",
                )

    def check_orchestration(self) -> None:
        orch = self.spec.orchestration
        path: Path = ("orchestration",)
        if isinstance(orch, SequentialSpec):
            if not orch.order:
                self.error("the sequential order is empty", path + ("order",), "list the agents in the order they speak")
            self.agent_list(orch.order, path + ("order",))
        elif isinstance(orch, HierarchicalSpec):
            if self.agent_ref(orch.coordinator, path + ("coordinator",), "coordinator"):
                if self.spec.agents[orch.coordinator].kind != "assistant":
                    self.error("the coordinator must be an assistant agent", path + ("coordinator",))
            if not orch.workers:
                self.error("a hierarchical team needs at least one worker", path + ("workers",))
            if orch.coordinator in orch.workers:
                self.error("the coordinator cannot also be a worker", path + ("workers", orch.workers.index(orch.coordinator)))
            self.agent_list(orch.workers, path + ("workers",), "worker")
        elif isinstance(orch, (RoundRobinSpec, SelectorSpec)):
            minimum = 2 if isinstance(orch, SelectorSpec) else 1
            if len(orch.participants) < minimum:
                self.error(f"needs at least {minimum} participant{'s' if minimum > 1 else ''}", path + ("participants",))
            self.agent_list(orch.participants, path + ("participants",), "participant")
            if isinstance(orch, SelectorSpec) and orch.selector_model and not self.known_model(orch.selector_model):
                self.error(
                    f"unknown model {orch.selector_model!r}",
                    path + ("selector_model",),
                    self._suggest(orch.selector_model, [*self.spec.models, EMBEDDED_MODEL_ID]),
                )
        elif isinstance(orch, GraphSpec):
            self.check_graph(orch, path)
        elif isinstance(orch, SwarmSpec):
            self.check_swarm(orch, path)
        used = set(self.spec.participants())
        for agent_id in self.spec.agents:
            if agent_id not in used:
                self.warn(f"agent {agent_id!r} takes no part in the {orch.pattern} pattern", ("agents", agent_id))

    def check_graph(self, graph: GraphSpec, path: Path) -> None:
        if self.agent_ref(graph.entry, path + ("entry",), "entry node"):
            pass
        outgoing: dict[str, list[int]] = {}
        for i, edge in enumerate(graph.edges):
            self.agent_ref(edge.source, path + ("edges", i, "from"), "node")
            self.agent_ref(edge.target, path + ("edges", i, "to"), "node")
            outgoing.setdefault(edge.source, []).append(i)
        for node, indexes in outgoing.items():
            conditional = [i for i in indexes if graph.edges[i].when is not None]
            if conditional and len(conditional) != len(indexes):
                first_plain = next(i for i in indexes if graph.edges[i].when is None)
                self.error(
                    f"node {node!r} mixes conditional and unconditional outgoing edges",
                    path + ("edges", first_plain),
                    "give every edge leaving this node a 'when' condition, or none of them",
                )
        nodes = graph.nodes()
        node_set = set(nodes)
        for i, node in enumerate(graph.wait_for_all):
            if node not in node_set:
                self.error(f"{node!r} is not a node of the graph", path + ("wait_for_all", i))
        if not graph.entry or graph.entry not in self.spec.agents:
            return
        reachable = {graph.entry}
        queue = deque([graph.entry])
        while queue:
            node = queue.popleft()
            for i in outgoing.get(node, []):
                target = graph.edges[i].target
                if target not in reachable:
                    reachable.add(target)
                    queue.append(target)
        first_edge: dict[str, int] = {}
        for i, e in enumerate(graph.edges):
            first_edge.setdefault(e.source, i)
            first_edge.setdefault(e.target, i)
        for node in nodes:
            if node not in reachable and node in self.spec.agents:
                index = first_edge[node]
                self.error(f"node {node!r} cannot be reached from the entry {graph.entry!r}", path + ("edges", index))
        can_end = any(
            node not in outgoing or all(graph.edges[i].when is not None for i in outgoing[node]) for node in reachable
        )
        if not can_end:
            self.error(
                "no path through the graph can end: every node always continues",
                path + ("edges",),
                "add a node with no outgoing edges, or conditions that let a loop exit",
            )
        self._check_cycles(graph, outgoing, path)

    def _check_cycles(self, graph: GraphSpec, outgoing: dict[str, list[int]], path: Path) -> None:
        """Every loop needs a conditional edge, or it would repeat until the bound.

        An explicit stack, not recursion: a chain of a few thousand nodes must give problems,
        not a RecursionError."""
        edges = graph.edges
        done: set[str] = set()
        for root in graph.nodes():
            if root in done:
                continue
            # frames[k] is a node on the current path with its remaining outgoing edges;
            # trail[k] is the edge from frames[k] to frames[k + 1].
            frames: list[tuple[str, Iterator[int]]] = [(root, iter(outgoing.get(root, ())))]
            on_path: dict[str, int] = {root: 0}
            trail: list[int] = []
            while frames:
                node, pending = frames[-1]
                i = next(pending, None)
                if i is None:
                    frames.pop()
                    del on_path[node]
                    done.add(node)
                    if trail:
                        trail.pop()
                    continue
                target = edges[i].target
                if target in on_path:
                    loop = trail[on_path[target]:] + [i]
                    if all(edges[idx].when is None for idx in loop):
                        names = _loop_names([edges[idx].source for idx in loop] + [target])
                        self.error(f"the loop {names} has no exit condition", path + ("edges", loop[-1]),
                                   "put a 'when' condition on an edge of the loop")
                elif target not in done:
                    on_path[target] = len(frames)
                    frames.append((target, iter(outgoing.get(target, ()))))
                    trail.append(i)

    def check_swarm(self, swarm: SwarmSpec, path: Path) -> None:
        self.agent_ref(swarm.entry, path + ("entry",), "entry agent")
        self.agent_list(swarm.participants, path + ("participants",), "participant")
        members = set(self.spec.participants())
        any_handoff = False
        for agent_id in members & set(self.spec.agents):
            for i, target in enumerate(self.spec.agents[agent_id].handoffs):
                any_handoff = True
                if target in self.spec.agents and target not in members:
                    self.error(
                        f"hand-off target {target!r} is not in the swarm",
                        ("agents", agent_id, "handoffs", i),
                        "add it to orchestration.participants",
                    )
        if not any_handoff:
            self.warn("no agent in the swarm can hand off, so the entry agent answers every turn", path,
                      "add handoffs to the agents")

    def check_termination(self) -> None:
        if not self.spec.termination.has_bound():
            self.error(
                "the run has no bound: it could go on forever",
                ("termination",),
                "add max_messages, timeout or max_tokens",
            )

    def check_task(self) -> None:
        try:
            fields = template_fields(self.spec.task)
        except TaskError as exc:
            self.error(str(exc), ("task",), "write {name} placeholders only, and literal braces as {{ and }}")
            return
        for name in fields:
            if name not in self.spec.inputs:
                self.error(f"placeholder {{{name}}} has no input", ("task",), f"add inputs.{name}")
        for name in self.spec.inputs:
            if name not in fields:
                self.warn(f"input {name!r} is not used by the task", ("inputs", name))


def _loop_names(names: list[str], shown: int = 8) -> str:
    """'a -> b -> a'; a long loop keeps its first and last steps, so the message stays one short line."""
    if len(names) <= shown + 2:
        return " -> ".join(names)
    return " -> ".join(names[:shown // 2] + [f"… ({len(names) - shown} more)"] + names[-shown // 2:])


def validate_spec(
    spec: TeamSpec,
    positions: Positions | None = None,
    file: str | None = None,
    probe_results: Mapping[str, ProbeRecord] | None = None,
    locations: ToolLocations | None = None,
) -> list[Problem]:
    """All semantic problems of a structurally valid spec, located in the file when positions are known.

    ``probe_results`` (connection tests keyed by :func:`probe_key`) adds a warning for each
    tool-using agent whose model failed its last test; None skips that check.
    ``locations`` (the team file's folder and extra tool folders) lets function tools be
    checked against their source; None skips the checks that need the file's folder.
    """
    checker = _Checker(spec, probe_results)
    checker.check_models()
    checker.check_tools()
    checker.check_agents()
    checker.check_orchestration()
    checker.check_termination()
    checker.check_task()
    checker.problems.extend(tool_problems(spec, locations))
    checker.problems.extend(prompt_problems(spec))
    return [p.located(positions, file) for p in checker.problems]


def check_result(
    result: LoadResult, probe_results: Mapping[str, ProbeRecord] | None = None, locations: ToolLocations | None = None
) -> LoadResult:
    """Add semantic problems to a load result (structural problems stop there)."""
    if result.spec is not None:
        result.problems.extend(validate_spec(result.spec, result.positions, result.file, probe_results, locations))
    return result


def validate_text(data: bytes | str, file: str | None = None, probe_results: Mapping[str, ProbeRecord] | None = None) -> LoadResult:
    return check_result(parse_team(data, file), probe_results)


def validate_file(
    path: str | FsPath, probe_results: Mapping[str, ProbeRecord] | None = None, tool_folders: Iterable[str | FsPath] = ()
) -> LoadResult:
    """Load and check a file; function tools are looked up in tools/ beside it, then ``tool_folders``."""
    result = load_team(path)
    if result.spec is None:  # e.g. a symlink loop: resolving the file's folder would raise
        return result
    return check_result(result, probe_results, ToolLocations.for_file(path, tool_folders))
