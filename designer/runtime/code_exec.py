"""``run_python``: Python code through AgentChat's code executors, in the run's workspace.

``executor: local`` (default) runs ``python`` on this computer with the workspace as its
current folder; ``executor: docker`` runs it in a container when Docker is available, and
says plainly why not when it is not (it never falls back to local execution: whoever
chose Docker wanted the isolation). ``code_executor`` agents use the same local executor.

The local executor is AgentChat's ``LocalCommandLineCodeExecutor`` with its one code-running
method replaced (autogen-ext 0.7.5 has no hook for it), for three reasons:

* the code gets the scrubbed environment of :func:`designer.core.child_env.child_environment`,
  not a copy of ``os.environ`` with every API key in it;
* it runs in a process group of its own, killed as a whole on time-out or cancel, so a
  program that started children leaves none behind;
* a cancel (Stop) propagates as ``CancelledError``: upstream turns it into an exit code 125
  "result", which surfaced as ``RuntimeError: the code was cancelled`` in a task nobody awaited.
"""

from __future__ import annotations

import logging
import asyncio
import math
import os
import signal
import sys
import warnings
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, List, Mapping

from autogen_core import CancellationToken
from autogen_core.code_executor import CodeBlock, CodeExecutor
from autogen_ext.code_executors._common import (
    PYTHON_VARIANTS,
    CommandLineCodeResult,
    get_file_name_from_content,
    lang_to_cmd,
    silence_pip,
)
from autogen_ext.code_executors.local import LocalCommandLineCodeExecutor

from .loader import ToolSetupError

if TYPE_CHECKING:
    from .recording import CallSession

#: The name a code_executor agent's runs are recorded under.
CODE_EXECUTION = "code_execution"

log = logging.getLogger(__name__)

DEFAULT_IMAGE = "python:3-slim"
#: Output beyond this is cut: a runaway print loop must not flood the model's context.
MAX_OUTPUT_CHARS = 20_000
#: The exit code of a program stopped at its time limit (as upstream and GNU timeout use it).
TIMEOUT_EXIT_CODE = 124
_EXTENSIONS = {"python": "py", "pwsh": "ps1", "powershell": "ps1", "ps1": "ps1"}


class LocalExecutor(LocalCommandLineCodeExecutor):
    """Runs code blocks on this computer with a given environment (see the module docstring)."""

    def __init__(self, work_dir: Path, timeout: int, env: Mapping[str, str]) -> None:
        with warnings.catch_warnings():
            # AgentChat warns that local execution is unsafe; the user trusted it before the run.
            warnings.simplefilter("ignore")
            super().__init__(timeout=timeout, work_dir=work_dir)
        self._env = dict(env)
        #: The run's recording (set by RunTools): code run is recorded, and never run again in a replay.
        self.recording: Callable[[], CallSession | None] | None = None

    async def execute_code_blocks(
        self, code_blocks: List[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        recording = self.recording() if self.recording is not None else None
        if recording is None:
            return await super().execute_code_blocks(code_blocks, cancellation_token)
        blocks = {"blocks": [[b.language, b.code] for b in code_blocks]}
        answer = recording.tool_answer(CODE_EXECUTION, blocks)
        if answer is not None:
            return CommandLineCodeResult(exit_code=int(answer.get("exit_code", 0)), output=str(answer.get("output", "")),
                                         code_file=None)
        result = await super().execute_code_blocks(code_blocks, cancellation_token)
        recording.tool_done(CODE_EXECUTION, blocks, {"exit_code": result.exit_code, "output": result.output})
        return result

    async def _execute_code_dont_check_setup(
        self, code_blocks: List[CodeBlock], cancellation_token: CancellationToken
    ) -> CommandLineCodeResult:
        outputs: list[str] = []
        files: list[Path] = []
        exit_code = 0
        try:
            for block in code_blocks:
                lang = block.language.lower()
                code = silence_pip(block.code, lang)
                lang = "python" if lang in PYTHON_VARIANTS else lang
                if lang not in self.SUPPORTED_LANGUAGES:
                    exit_code = 1
                    outputs.append(f"unknown language {lang}")
                    break
                try:
                    name = get_file_name_from_content(code, self.work_dir)
                except ValueError:
                    return CommandLineCodeResult(exit_code=1, output="Filename is not in the workspace", code_file=None)
                name = name or f"tmp_code_{sha256(code.encode()).hexdigest()}.{_EXTENSIONS.get(lang, lang)}"
                path = (self.work_dir / name).resolve()
                path.write_text(code, encoding="utf-8")
                files.append(path)
                exit_code, output = await self._run(lang, path, cancellation_token)
                outputs.append(output)
                if exit_code != 0:
                    break
        finally:
            if self._cleanup_temp_files:
                for path in files:
                    path.unlink(missing_ok=True)
        return CommandLineCodeResult(exit_code=exit_code, output="".join(outputs), code_file=str(files[0]) if files else None)

    async def _run(self, lang: str, path: Path, token: CancellationToken) -> tuple[int, str]:
        if lang == "python":
            program, args = sys.executable, [str(path)]
        else:
            program = lang_to_cmd(lang)
            args = ["-NoProfile", "-ExecutionPolicy", "Bypass", "-File", str(path)] if program == "pwsh" else [str(path)]
        proc = await asyncio.create_subprocess_exec(
            program, *args, cwd=self.work_dir, env=self._env, start_new_session=True,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
        talking = asyncio.ensure_future(proc.communicate())
        token.link_future(talking)  # a code_executor agent's run token; run_python's task is cancelled directly
        try:
            stdout, stderr = await asyncio.wait_for(talking, self._timeout)
        except asyncio.TimeoutError:
            await _kill(proc)
            return TIMEOUT_EXIT_CODE, timed_out(self._timeout)
        except BaseException:
            await _kill(proc)
            raise
        return proc.returncode or 0, stderr.decode(errors="replace") + stdout.decode(errors="replace")


def timed_out(seconds: float) -> str:
    """What the code's result says when its time limit stopped it."""
    return f"the code ran longer than {seconds:g} s and was stopped"


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill the program and everything it started (its process group), then reap it."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)  # its own group: start_new_session=True
        else:  # pragma: no cover - Windows has no process groups to kill
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass  # already gone
    # SIGKILL ends it within milliseconds; bounded anyway, and a second cancel may cut it short.
    await asyncio.wait({asyncio.ensure_future(proc.wait())}, timeout=2.0)


def local_executor(workspace: Path, timeout: float, env: Mapping[str, str] | None = None) -> LocalExecutor:
    """A local executor in ``workspace``; ``env`` is the code's whole environment (default:
    this process's, as AgentChat would do — callers in a run pass the scrubbed one)."""
    return LocalExecutor(workspace, max(1, math.ceil(timeout)), os.environ if env is None else env)


def docker_unavailable() -> str:
    """Why Docker cannot run code here ("" when it can): the package is missing, or the daemon does
    not answer. Asks the daemon, so only when a run starts (validation cannot know)."""
    try:
        import docker  # here, to say clearly when it is missing
        import autogen_ext.code_executors.docker  # noqa: F401 - needs the package too
    except ImportError:
        return "the 'docker' Python package is not installed (pip install docker)"
    try:
        docker.from_env(timeout=5).ping()
    except Exception as exc:  # any failure means: no usable Docker
        log.info("Docker is not usable", exc_info=True)
        return f"Docker is not available: {exc}"
    return ""


def docker_code_executor(workspace: Path, timeout: float, image: str) -> CodeExecutor:
    """AgentChat's Docker executor (not started: ``await start()`` runs its container)."""
    from autogen_ext.code_executors.docker import DockerCommandLineCodeExecutor

    return DockerCommandLineCodeExecutor(image=image, work_dir=workspace, timeout=max(1, math.ceil(timeout)))


async def docker_executor(workspace: Path, timeout: float, image: str) -> CodeExecutor:
    problem = docker_unavailable()
    if problem.startswith("the 'docker' Python package"):
        raise ToolSetupError(
            f"run_python is set to run code in Docker, but {problem}, so it cannot run; "
            "use executor: local to run code on this computer"
        )
    if problem:
        raise ToolSetupError(f"run_python is set to run code in Docker, but {problem}")
    executor = docker_code_executor(workspace, timeout, image)
    await executor.start()
    return executor


class PythonRunner:
    """The implementation behind one ``run_python`` tool of a run."""

    def __init__(
        self, workspace: Path, options: Mapping[str, object], timeout: float, env: Mapping[str, str] | None = None
    ) -> None:
        """``env`` is the environment of the code for ``executor: local`` (see :func:`local_executor`)."""
        self.workspace = workspace
        self.env = env
        self.kind = str(options.get("executor", "local"))
        self.image = str(options.get("image") or DEFAULT_IMAGE)
        self.timeout = timeout
        self._executor: CodeExecutor | None = None

    async def start(self) -> None:
        if self._executor is None:
            if self.kind == "docker":
                self._executor = await docker_executor(self.workspace, self.timeout, self.image)
            else:
                self._executor = local_executor(self.workspace, self.timeout, self.env)
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
        if result.exit_code == TIMEOUT_EXIT_CODE and output.startswith("the code ran longer than"):
            raise RuntimeError(output)  # the local executor's own words (its limit is in whole seconds)
        if self.kind == "docker" and result.exit_code == TIMEOUT_EXIT_CODE:
            raise RuntimeError(f"{timed_out(self.timeout)}\n{output}".rstrip())
        if self.kind == "docker" and result.exit_code == 125:
            # The Docker executor turns our cancellation into exit code 125; hand it back as
            # what it is, so it ends the call quietly instead of as an error nobody reads.
            raise asyncio.CancelledError()
        if result.exit_code != 0:
            raise RuntimeError(f"the code failed (exit code {result.exit_code}):\n{output}".rstrip())
        return output or "(the code printed nothing)"
