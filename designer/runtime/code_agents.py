"""The ``code_executor`` kind: AgentChat's CodeExecutorAgent, built from the agent's ``code:`` options.

* Where code runs: ``work_dir`` (relative to the team file's folder), else the run's workspace;
  ``docker: never`` on this computer (code_exec.LocalExecutor: scrubbed environment, its own
  process group), ``always`` in Docker or the run fails at its start with the reason, ``auto`` in
  Docker when the package imports and the daemon answers, else locally with a line saying so.
* Who writes the code: without a model the agent runs the code blocks of the messages it gets
  (AgentChat's terminal mode, as before). With one (``model:`` set on the agent, or ``retries`` above
  0, which needs a model to fix the code) it writes the code itself, retries failed code up to
  ``retries`` times, and sums up the result.
* Approval: every block waits for the run's :class:`~.code_approval.CodeApprovals` (the person, or
  the run's mode) unless ``approval: false`` — honoured only for an agent of the team's own
  orchestration, whose code execution the user trusted (by content) before the run started.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List

from autogen_agentchat.agents import BaseChatAgent, CodeExecutorAgent
from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock, CodeExecutor, CodeResult
from autogen_ext.code_executors._common import CommandLineCodeResult

from ..core.agent_parts import CodeSpec
from ..core.spec import AgentSpec
from .agent_parts import model_context
from .code_approval import CodeApprovals
from .code_exec import CODE_EXECUTION, docker_code_executor, docker_unavailable
from .loader import ToolSetupError

if TYPE_CHECKING:
    from .recording import CallSession

#: The run's TeamBuilder (typed Any: naming its class would import the builder, which imports this
#: module to build the kind: an import cycle; see agent_kinds.py).
TeamBuilder = Any


def code_agent(b: TeamBuilder, agent_id: str, spec: AgentSpec) -> BaseChatAgent:
    code = spec.code or CodeSpec()
    executor = _executor(b, agent_id, code)
    # Terminal mode (no model) is what a code_executor agent has always been; a model is opt-in.
    client = b.model_client(agent_id, b.spec.model_id_for(agent_id), stream=spec.streaming) if writes_code(spec) else None
    approvals = b.run_tools.approvals or CodeApprovals("deny", lambda event: None, lambda: b.session)
    skip_asking = not code.approval and agent_id in b.run_tools.spec.running_agents()  # trusted with the team
    with warnings.catch_warnings():
        # "No approval function set": approval: false on a team the user trusted (by content).
        warnings.filterwarnings("ignore", message=".*approval function.*")
        return CodeExecutorAgent(
            agent_id, code_executor=executor, model_client=client, max_retries_on_error=code.retries,
            supported_languages=list(code.languages), description=b.describe(agent_id),
            approval_func=None if skip_asking else approvals.func_for(agent_id),
            # context: bounds what its model sees when it writes code (no model: nothing to bound).
            model_context=model_context(client, spec) if client is not None else None,
            # A model writes the code with the agent's own instructions when it has some.
            system_message=spec.system_message or CodeExecutorAgent.DEFAULT_SYSTEM_MESSAGE,
        )


def writes_code(spec: AgentSpec) -> bool:
    """Whether the agent gets a model (and writes its own code): a model of its own, or retries."""
    return spec.model is not None or (spec.code is not None and spec.code.retries > 0)


def work_folder(b: TeamBuilder, code: CodeSpec) -> Path | None:
    """The agent's ``work_dir`` as a folder that exists; None: the run's workspace."""
    if code.work_dir is None:
        return None
    path = Path(code.work_dir).expanduser()
    if not path.is_absolute():
        path = (b.run_tools.locations.base_dir or Path.cwd()) / path
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolSetupError(f"the code work folder {str(path)!r} cannot be made: {exc.strerror or exc}") from None
    return path.resolve()


def _executor(b: TeamBuilder, agent_id: str, code: CodeSpec) -> CodeExecutor:
    folder = work_folder(b, code)
    if code.docker != "never":
        # Asked now, at compile time, so 'always' fails the run before any turn; the daemon answers
        # at once (or refuses at once when it is not there).
        problem = docker_unavailable()
        if not problem:
            docker = docker_code_executor(folder or b.run_tools.workspace, code.timeout, code.image)
            executor = _InDocker(docker, lambda: b.run_tools.session)
            b.run_tools.keep(executor)
            return executor
        if code.docker == "always":
            raise ToolSetupError(f"{agent_id} is set to run code in Docker (docker: always), but {problem}; "
                                 "use docker: auto to run it on this computer when Docker is not there")
        if b.run_tools.approvals is not None:
            b.run_tools.approvals.inform(agent_id, f"{problem}: its code runs on this computer instead (docker: auto)")
    executor = b.run_tools.code_executor(timeout=code.timeout, work_dir=folder)
    assert isinstance(executor, CodeExecutor)
    return executor


class _InDocker(CodeExecutor):
    """AgentChat's Docker executor, its container started at the first block (a team is compiled
    without awaiting), and its runs recorded like the local executor's (never run again in a replay)."""

    def __init__(self, inner: CodeExecutor, session: Callable[[], CallSession | None]) -> None:
        self.inner = inner
        self._session = session
        self._started = False
        self._lock = asyncio.Lock()

    async def execute_code_blocks(self, code_blocks: List[CodeBlock], cancellation_token: CancellationToken) -> CodeResult:
        recording = self._session()
        blocks = {"blocks": [[block.language, block.code] for block in code_blocks]}
        answer = recording.tool_answer(CODE_EXECUTION, blocks) if recording is not None else None
        if answer is not None:
            return CommandLineCodeResult(exit_code=int(answer.get("exit_code", 0)), output=str(answer.get("output", "")),
                                         code_file=None)
        await self.start()
        result = await self.inner.execute_code_blocks(code_blocks, cancellation_token)
        if recording is not None:
            recording.tool_done(CODE_EXECUTION, blocks, {"exit_code": result.exit_code, "output": result.output})
        return result

    async def start(self) -> None:
        async with self._lock:
            if not self._started:
                await self.inner.start()
                self._started = True

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await self.inner.stop()

    async def restart(self) -> None:
        await self.inner.restart()
