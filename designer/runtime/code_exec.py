"""``run_python``: Python code through AgentChat's code executors, in the run's workspace.

``executor: local`` (default) runs ``python`` on this computer with the workspace as its
current folder; ``executor: docker`` runs it in a container when Docker is available, and
says plainly why not when it is not (it never falls back to local execution: whoever
chose Docker wanted the isolation).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any, Mapping

from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock, CodeExecutor

from .loader import ToolSetupError

DEFAULT_IMAGE = "python:3-slim"
#: Output beyond this is cut: a runaway print loop must not flood the model's context.
MAX_OUTPUT_CHARS = 20_000


def local_executor(workspace: Path, timeout: float) -> CodeExecutor:
    from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor

    with warnings.catch_warnings():
        # AgentChat warns that local execution is unsafe; the user trusted it before the run.
        warnings.simplefilter("ignore")
        return LocalCommandLineCodeExecutor(work_dir=workspace, timeout=max(1, math.ceil(timeout)))


async def docker_executor(workspace: Path, timeout: float, image: str) -> CodeExecutor:
    try:
        import docker  # noqa: F401 - only to say clearly when it is missing
        from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor
    except ImportError:
        raise ToolSetupError(
            "run_python is set to run code in Docker, but the 'docker' Python package is not installed "
            "(pip install docker), so it cannot run; use executor: local to run code on this computer"
        ) from None
    try:
        docker.from_env().ping()
    except Exception as exc:  # noqa: BLE001 - any failure means: no usable Docker
        raise ToolSetupError(f"run_python is set to run code in Docker, but Docker is not available: {exc}") from None
    executor = DockerCommandLineCodeExecutor(image=image, work_dir=workspace, timeout=max(1, math.ceil(timeout)))
    await executor.start()
    return executor


class PythonRunner:
    """The implementation behind one ``run_python`` tool of a run."""

    def __init__(self, workspace: Path, options: Mapping[str, object], timeout: float) -> None:
        self.workspace = workspace
        self.kind = str(options.get("executor", "local"))
        self.image = str(options.get("image") or DEFAULT_IMAGE)
        self.timeout = timeout
        self._executor: CodeExecutor | None = None

    async def start(self) -> None:
        if self._executor is None:
            if self.kind == "docker":
                self._executor = await docker_executor(self.workspace, self.timeout, self.image)
            else:
                self._executor = local_executor(self.workspace, self.timeout)
                await self._executor.start()

    async def stop(self) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await executor.stop()

    async def __call__(self, code: str) -> str:
        await self.start()
        assert self._executor is not None
        result: Any = await self._executor.execute_code_blocks([CodeBlock(code=code, language="python")], CancellationToken())
        output = str(result.output)
        if len(output) > MAX_OUTPUT_CHARS:
            output = output[:MAX_OUTPUT_CHARS] + f"\n[output cut after {MAX_OUTPUT_CHARS} characters]"
        if result.exit_code == 124:
            raise RuntimeError(f"the code ran longer than {self.timeout:g} s and was stopped\n{output}".rstrip())
        if result.exit_code == 125:
            raise RuntimeError("the code was cancelled")
        if result.exit_code != 0:
            raise RuntimeError(f"the code failed (exit code {result.exit_code}):\n{output}".rstrip())
        return output or "(the code printed nothing)"
