"""Semantic validation: the checks a run depends on, shared by the CLI and the window.

"Validate passes, run fails" is the failure this module exists to prevent: every
reference resolves, tool users sit on models that can call tools, every pattern can
start and end, and every run is bounded.
"""

from __future__ import annotations

from pathlib import Path as FsPath
from typing import Iterable, Mapping

from .builtins import BUILTIN_TOOLS
from .gguf import file_problem, model_file
from .probe_cache import ProbeRecord, probe_key
from .problems import Path, Positions, Problem
from .providers import effective_model_info
from .patterns import rules_for
from .patterns.swarm import HANDOFF_USER
from .spec import (
    EMBEDDED_MODEL_ID,
    MAX_AGENTS,
    RESERVED_AGENT_IDS,
    AgentSpec,
    ModelSpec,
    TeamSpec,
)
from .task import TaskError, system_fields, template_fields
from .tool_introspect import ToolLocations
from .validate_termination import check_terminations
from .validate_nested import check_nested, handoffs_take_effect
from .validate_code import check_code
from .validate_parts import check_parts
from .validate_tools import tool_problems
from .yamlio import LoadResult, load_team, parse_team


class _Checker:
    """Collects problems; a pattern's checks see the team through it (the patterns' Checks protocol)."""

    def __init__(self, spec: TeamSpec, probe_results: Mapping[str, ProbeRecord] | None = None) -> None:
        self.spec = spec
        self.problems: list[Problem] = []
        self.probe_results = probe_results

    def error(self, message: str, path: Path, hint: str = "") -> None:
        self.problems.append(Problem(message, path, hint))

    def warn(self, message: str, path: Path, hint: str = "") -> None:
        self.problems.append(Problem(message, path, hint, severity="warning"))

    @property
    def agents(self) -> Mapping[str, AgentSpec]:
        return self.spec.agents

    def members(self) -> list[str]:
        return self.spec.participants()

    def input_names(self) -> list[str]:
        return list(self.spec.inputs)

    # --- references ------------------------------------------------------------------

    def model_ref(self, model_id: str, path: Path) -> bool:
        """Report an unknown model; True when ``model_id`` names one (or the embedded model)."""
        if self.known_model(model_id):
            return True
        self.error(f"unknown model {model_id!r}", path, self._suggest(model_id, [*self.spec.models, EMBEDDED_MODEL_ID]))
        return False

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
        if spec.default_model is not None:
            self.model_ref(spec.default_model, ("default_model",))
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
            if model.options.repeat_penalty is not None and model.provider not in ("embedded", "scripted"):
                self.warn(f"repeat_penalty is used by the embedded (llama.cpp) model only; {model.provider} ignores it",
                          path + ("options", "repeat_penalty"), "remove it, or use the provider's own setting")
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
            model_known = self.model_ref(model_id, path + ("model",) if agent.model else ("default_model",))
            if agent.kind == "team":
                continue  # it needs only a model (for its summary); the rest: validate_nested.py
            for i, tool_id in enumerate(agent.tools):
                if tool_id not in spec.tools:
                    self.error(f"unknown tool {tool_id!r}", path + ("tools", i), self._suggest(tool_id, spec.tools))
            if agent.handoffs and not handoffs_take_effect(self, agent_id):
                self.warn("hand-offs only take effect in a swarm", path + ("handoffs",))
            for i, target in enumerate(agent.handoffs):
                if target == agent_id:
                    self.error("an agent cannot hand off to itself", path + ("handoffs", i))
                elif target == HANDOFF_USER:  # the person: only the team's own swarm can pause for them
                    if not (rules_for(spec.orchestration).uses_handoffs and agent_id in self.members()):
                        self.error("only an agent of the team's swarm can hand off to 'user' (the person running the team)",
                                   path + ("handoffs", i), "use the swarm pattern, or remove 'user' from its hand-offs")
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
        return rules_for(orch).lead(orch) == agent_id

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
        rules_for(orch).check(orch, self)
        used = set(self.spec.running_agents())  # inner teams' members are checked in validate_nested.py
        for agent_id in self.spec.agents:
            if agent_id not in used:
                self.warn(f"agent {agent_id!r} takes no part in the {orch.pattern} pattern", ("agents", agent_id))

    def check_termination(self) -> None:
        if not self.spec.termination.has_bound():
            self.error(
                "the run has no bound: it could go on forever",
                ("termination",),
                "add max_messages, timeout, max_tokens, max_prompt_tokens, max_completion_tokens or max_turns",
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
        in_system = {n for agent in self.spec.agents.values() for n in system_fields(agent.system_message)}
        # A selector prompt (the team's, or an inner team's) may use inputs too.
        orchestrations = [self.spec.orchestration, *(t.orchestration for t in self.spec.teams.values())]
        in_system |= {n for o in orchestrations for n in system_fields(getattr(o, "selector_prompt", None) or "")}
        for name in self.spec.inputs:
            if name not in fields and name not in in_system:
                self.warn(f"input {name!r} is not used by the task", ("inputs", name))


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
    check_nested(checker)
    checker.check_termination()
    check_terminations(checker, spec)
    checker.check_task()
    check_parts(checker)  # what agents see and remember, output schemas (validate_parts.py)
    check_code(checker)  # code_executor agents' code: options (validate_code.py)
    checker.problems.extend(tool_problems(spec, locations))
    checker.problems.extend(_model_file_problems(spec, locations))
    return [p.located(positions, file) for p in checker.problems]


def _model_file_problems(spec: TeamSpec, locations: ToolLocations | None) -> list[Problem]:
    """An embedded model's GGUF file must be there, or the run fails at its first reply."""
    base = locations.base_dir if locations is not None else None
    out = []
    for model_id, model in spec.models.items():
        if model.path is not None:
            problem = file_problem(model_file(model.path, base))
            if problem:
                out.append(Problem(problem, ("models", model_id, "path"),
                                   "download a GGUF model or correct the path (a relative path is relative to the team file)"))
    return out


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
