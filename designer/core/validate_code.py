"""Checks of a code_executor agent's ``code:`` options (runtime/code_agents.py runs them).

Called once from :func:`designer.core.validate.validate_spec`; every problem is located at the key
it is about (``agents.<id>.code.work_dir``). Decisions:

* ``work_dir`` relative to the team file stays inside the team's folder (``..`` that climbs out is
  an error: a shared file must not write beside itself unasked); an absolute folder is allowed,
  with a warning (the file then works only where that folder exists).
* ``retries`` need the agent's model to answer AgentChat's structured retry question.
* ``docker: always`` warns when the ``docker`` package is missing here; whether the daemon answers
  cannot be known offline, so the run says so at its start (and ``auto`` falls back, saying so).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Protocol

from .agent_parts import CodeSpec
from .problems import Path
from .providers import effective_model_info
from .spec import AgentSpec, TeamSpec
from .validate_tools import docker_problem


class Reports(Protocol):
    """What these checks need of validate.py's checker."""

    spec: TeamSpec

    def error(self, message: str, path: Path, hint: str = "") -> None: ...

    def warn(self, message: str, path: Path, hint: str = "") -> None: ...


def check_code(c: Reports) -> None:
    for agent_id, agent in c.spec.agents.items():
        writes = agent.model is not None or (agent.code is not None and agent.code.retries > 0)
        if agent.kind == "code_executor" and agent.context is not None and not writes:
            # Without a model it only runs the code it is sent (runtime/code_agents.writes_code).
            c.warn("'context' has no effect: this code_executor has no model (it runs the code it receives)",
                   ("agents", agent_id, "context"), "give it a model, or remove 'context'")
        if agent.code is None:
            continue
        path: Path = ("agents", agent_id, "code")
        if agent.kind != "code_executor":
            c.error(f"'code' options are for code_executor agents, and this one is of kind {agent.kind!r}", path,
                    "remove 'code', or set kind: code_executor")
            continue
        _check_work_dir(c, agent.code, path + ("work_dir",))
        _check_retries(c, agent_id, agent, path + ("retries",))
        _check_docker(c, agent.code, path)
        if not agent.code.approval and agent_id not in c.spec.running_agents():
            c.warn("approval: false has no effect: this agent takes no part in a run", path + ("approval",))


def _check_work_dir(c: Reports, code: CodeSpec, path: Path) -> None:
    if code.work_dir is None:
        return
    folder = PurePath(code.work_dir)
    if folder.is_absolute() or code.work_dir.startswith("~"):
        c.warn(f"code runs in the absolute folder {code.work_dir!r}: the team works only where it exists", path,
               "a folder relative to the team file travels with it")
        return
    depth = 0
    for part in folder.parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            c.error(f"work_dir {code.work_dir!r} leaves the team file's folder", path,
                    "write a folder inside it (e.g. work), or an absolute path")
            return


def _check_retries(c: Reports, agent_id: str, agent: AgentSpec, path: Path) -> None:
    if agent.code is None or agent.code.retries == 0:
        return
    # With retries the agent writes its code with its model, and asks it whether to try again
    # (AgentChat's RetryDecision: a structured reply). The embedded model answers with a grammar.
    model_id = c.spec.model_id_for(agent_id)
    model = c.spec.model_for(model_id)
    if model is None:
        return  # an unknown model is reported by the agent checks
    info = effective_model_info(model)
    if model.provider != "embedded" and (info is None or not info.structured_output):
        c.error(f"retries ask the model for a structured answer, and model {model_id!r} cannot give one", path,
                f"set models.{model_id}.model_info.structured_output: true if it can, or retries: 0")


def _check_docker(c: Reports, code: CodeSpec, path: Path) -> None:
    if code.docker == "never" and "image" in code.model_fields_set:
        c.warn("image is used only with docker: auto or always", path + ("image",), "remove it, or set docker")
    if code.docker == "always":
        problem = docker_problem()
        if problem:
            c.warn(f"docker: always, but {problem}: the run will fail here", path + ("docker",),
                   "install Docker and the docker package, or use docker: auto")
