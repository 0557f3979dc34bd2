"""A run's tools: built-ins, user functions (imported here, at run time only) and MCP servers.

:class:`RunTools` owns what a run's tools need for exactly as long as the run: its
workspace folder, the MCP server processes and the code executors. Every call has the
tool's timeout, and every failure becomes an error result the agent (and the transcript)
sees, never an exception that ends the run.

Workspace lifecycle: by default each run gets a fresh temporary folder
(``team-designer-run-*``), created when a tool first needs it and deleted when the run
ends. A caller may pass its own folder instead (``TeamRun(workspace=...)``, the CLI's
``--workspace``); that one is kept. A team file cannot choose the folder: a shared file
must not pick a place on your disk to write into.

Environment: code the run executes as a child process (``run_python`` with the local
executor, ``code_executor`` agents, MCP servers) gets this process's environment without
its keys (:func:`designer.core.child_env.child_environment`). User tool functions
(``module:function``) run in this process and see ``os.environ`` as it is: they are trusted
modules, and hiding keys from them would mean changing the whole application's
environment, which a run never does.
"""

from __future__ import annotations

import logging
import asyncio
import functools
import inspect
import os
import shutil
import tempfile
import typing
from pathlib import Path
from typing import Any, Callable

from autogen_core.tools import BaseTool, FunctionTool, Workbench

from ..core.builtins import BUILTIN_TOOLS, ToolContext
from ..core.child_env import child_environment
from ..core.spec import TeamSpec, ToolSpec
from ..core.tool_introspect import ToolLocations
from .code_approval import CodeApprovals
from .code_exec import PythonRunner, local_executor
from .loader import ToolSetupError, forget_tool_modules, load_function
from .mcp import McpToolSource
from .recorded import as_text
from .recording import CallSession
from .threads import run_in_thread

log = logging.getLogger(__name__)

__all__ = ["RunTools", "ToolSetupError", "guarded"]


def _resolved_signature(func: Callable[..., Any]) -> inspect.Signature:
    """The signature with string annotations evaluated in the function's own module."""
    signature = inspect.signature(func)
    try:
        hints = typing.get_type_hints(inspect.unwrap(func))
    except Exception:  # unresolvable hints: keep them as written
        log.debug("the type hints of %s cannot be resolved", getattr(func, "__qualname__", func), exc_info=True)
        return signature
    params = [p.replace(annotation=hints.get(p.name, p.annotation)) for p in signature.parameters.values()]
    return signature.replace(parameters=params, return_annotation=hints.get("return", signature.return_annotation))


def guarded(
    func: Callable[..., Any], name: str, timeout: float, session: Callable[[], CallSession | None] | None = None
) -> Callable[..., Any]:
    """An async wrapper with the same signature that enforces the tool's timeout. ``session``
    gives the run's recording: the result is recorded, and in a replay answered from it."""

    async def call(**kwargs: Any) -> Any:
        recording = session() if session is not None else None
        if recording is None:
            return await live(**kwargs)
        answer = recording.tool_answer(name, kwargs)
        if answer is not None:  # never re-run in a replay: the tool may write, send or spend
            if "error" in answer:
                raise RuntimeError(answer["error"])  # the workbench shows str(error), as it did
            return answer.get("content", "")
        try:
            result = await live(**kwargs)
        except Exception as exc:
            recording.tool_done(name, kwargs, {"error": str(exc)})
            raise
        recording.tool_done(name, kwargs, {"content": as_text(result)})
        return result

    async def live(**kwargs: Any) -> Any:
        if inspect.iscoroutinefunction(func):
            work = func(**kwargs)
        else:
            # Bound first: a tool may well have a parameter called 'name' itself.
            work = run_in_thread(functools.partial(func, **kwargs), name=f"tool-{name}")
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            return await asyncio.wait_for(work, timeout)
        except asyncio.TimeoutError:
            if loop.time() - started < timeout:
                raise  # the tool's own TimeoutError (the same class since Python 3.11), not our limit
            raise TimeoutError(f"the tool {name!r} took longer than {timeout:g} s and was stopped") from None

    functools.update_wrapper(call, func)
    call.__dict__.pop("__wrapped__", None)  # FunctionTool must see the coroutine wrapper, not the original
    signature = _resolved_signature(func)
    call.__signature__ = signature  # type: ignore[attr-defined]
    call.__annotations__ = {n: p.annotation for n, p in signature.parameters.items() if p.annotation is not p.empty}
    if signature.return_annotation is not signature.empty:
        call.__annotations__["return"] = signature.return_annotation
    return call


class RunTools:
    """Per-run tool resources. Build tools with :meth:`tool` / :meth:`workbench`, then
    ``await start()`` (MCP servers, executors); ``await stop()`` and :meth:`cleanup` at the end."""

    def __init__(self, spec: TeamSpec, locations: ToolLocations | None = None, workspace: str | Path | None = None) -> None:
        self.spec = spec
        self.locations = locations or ToolLocations()
        self._given_workspace = Path(workspace).resolve() if workspace is not None else None
        self._temp_workspace: Path | None = None
        self._tools: dict[str, BaseTool[Any, Any]] = {}
        self._sources: dict[str, McpToolSource] = {}
        self._runners: list[PythonRunner] = []
        self._executors: list[Any] = []
        self._fresh_imports = False
        #: The run's recording (set by the runner): tool results are recorded, and replayed.
        self.session: CallSession | None = None
        #: file path -> SHA-256 the user trusted (set by the runner); None: no trust check here.
        self.approved_files: dict[str, str] | None = None
        #: Who approves code_executor agents' code (set by the runner; see code_approval.py).
        self.approvals: CodeApprovals | None = None

    @property
    def workspace(self) -> Path:
        """The run's workspace folder, created on first use."""
        if self._given_workspace is not None:
            self._given_workspace.mkdir(parents=True, exist_ok=True)
            return self._given_workspace
        if self._temp_workspace is None:
            self._temp_workspace = Path(tempfile.mkdtemp(prefix="team-designer-run-")).resolve()
        return self._temp_workspace

    def is_mcp(self, tool_id: str) -> bool:
        return self.spec.tools[tool_id].mcp is not None

    def tool(self, tool_id: str) -> BaseTool[Any, Any]:
        if tool_id not in self._tools:
            self._tools[tool_id] = self._build(tool_id, self.spec.tools[tool_id])
        return self._tools[tool_id]

    def workbench(self, tool_id: str) -> Workbench:
        """The MCP server behind an ``mcp`` tool (one per run, shared by the agents using it)."""
        if tool_id not in self._sources:
            spec = self.spec.tools[tool_id]
            assert spec.mcp is not None
            self._sources[tool_id] = source = McpToolSource(tool_id, spec.mcp, self.locations, spec.timeout, self.spec)
            source.recording = lambda: self.session
        return self._sources[tool_id]

    def child_env(self) -> dict[str, str]:
        """The environment of code this run executes locally: this process's, keys removed."""
        return child_environment(self.spec, os.environ)

    def code_executor(self, timeout: float = 60.0, work_dir: Path | None = None) -> Any:
        """A local code executor in ``work_dir`` (default: the workspace), for code_executor agents."""
        executor = local_executor(work_dir or self.workspace, timeout, self.child_env())
        executor.recording = lambda: self.session
        self._executors.append(executor)
        return executor

    def keep(self, executor: Any) -> None:
        """Stop ``executor`` at the run's end with the others (a Docker one: its container)."""
        self._executors.append(executor)

    def _build(self, tool_id: str, spec: ToolSpec) -> BaseTool[Any, Any]:
        if spec.builtin is not None:
            builtin = BUILTIN_TOOLS.get(spec.builtin)
            if builtin is None:
                raise ToolSetupError(f"unknown built-in tool {spec.builtin!r}")
            description = spec.description or builtin.description
            if builtin.in_runtime:  # run_python
                runner = PythonRunner(self.workspace, spec.options, spec.timeout, self.child_env())
                self._runners.append(runner)
                impl: Callable[..., Any] = functools.update_wrapper(_async_call(runner), builtin.function)
            else:
                needs_workspace = builtin.id in ("read_text_file", "write_text_file")
                context = ToolContext(tool_id, self.workspace if needs_workspace else None, spec.options, spec.timeout)
                impl = builtin.implementation(context)
        elif spec.function is not None:
            if not self._fresh_imports:
                forget_tool_modules()  # once per run: this run imports the current files
                self._fresh_imports = True
            impl = load_function(spec.function, self.locations, self.approved_files)
            description = spec.description or inspect.getdoc(impl) or f"Calls {spec.function}"
        else:
            raise ToolSetupError(f"{tool_id!r} is an MCP server: use RunTools.workbench")
        # run_python's executor enforces the limit itself (and stops the process); the wrapper's
        # limit is a backstop a little later, so the model reads the executor's clearer message.
        limit = spec.timeout + 2.0 if spec.builtin == "run_python" else spec.timeout
        return FunctionTool(guarded(impl, tool_id, limit, lambda: self.session), description=description, name=tool_id)

    async def start(self) -> None:
        """Start MCP servers and executors now, so a broken one fails the run before any turn."""
        for source in self._sources.values():
            await source.start()
        for runner in self._runners:
            await runner.start()

    async def stop(self) -> None:
        for source in self._sources.values():
            await source.stop()
        for stoppable in [*self._runners, *self._executors]:
            try:
                await asyncio.wait_for(stoppable.stop(), 5.0)
            except BaseException:  # best effort at the end of a run
                log.debug("stopping %r at the end of a run failed", stoppable, exc_info=True)

    def cleanup(self) -> None:
        """Delete the temporary workspace (a workspace the caller gave is kept)."""
        if self._temp_workspace is not None:
            shutil.rmtree(self._temp_workspace, ignore_errors=True)
            self._temp_workspace = None


def _async_call(runner: PythonRunner) -> Callable[..., Any]:
    async def run_python(code: str) -> str:
        return await runner(code)

    return run_python
