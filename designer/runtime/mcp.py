"""MCP servers (stdio) as tool sources, through autogen-ext's ``McpWorkbench``.

One :class:`McpToolSource` per MCP tool of the team file, started when the run starts
(after the user trusted the command) and stopped when it ends. It wraps the workbench to
add what the team file promises: only the listed tools (``mcp.tools``), the tool's
timeout on every call, and errors as error results rather than exceptions.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, List, Mapping

from autogen_core import CancellationToken
from autogen_core.tools import TextResultContent, ToolResult, ToolSchema, Workbench

from ..core.spec import McpServerSpec
from ..core.tool_introspect import ToolLocations
from ..core.trust import mcp_cwd, mcp_program
from .neterrors import remember_secret
from .loader import ToolSetupError

#: Stopping a server may not hold up the end of a run longer than this (then its task is cancelled,
#: which kills the process): a server busy in a slow tool would otherwise delay every Stop.
STOP_TIMEOUT_S = 0.5


def server_environment(tool_id: str, server: McpServerSpec) -> dict[str, str]:
    """The server's extra environment with references resolved (values never come from the file)."""
    env: dict[str, str] = {}
    for name, value in server.env.items():
        if value.startswith("env:"):
            resolved = os.environ.get(value[4:])
            if resolved is None:
                raise ToolSetupError(f"MCP server {tool_id!r}: the environment variable {value[4:]} is not set")
            remember_secret(resolved)  # so error texts that echo it are redacted like model keys
            env[name] = resolved
        elif value.startswith("keyring:"):
            from .models import resolve_secret

            try:
                env[name] = resolve_secret(value, f"MCP server {tool_id!r}") or ""
            except Exception as exc:  # noqa: BLE001 - a missing secret is the user's to fix
                raise ToolSetupError(str(exc)) from None
        else:
            env[name] = value
    return env


def _error(name: str, text: str) -> ToolResult:
    return ToolResult(name=name, result=[TextResultContent(content=text)], is_error=True)


class McpToolSource(Workbench):
    """The tools of one MCP server, filtered and time-limited, for the agents that reference it."""

    def __init__(self, tool_id: str, server: McpServerSpec, locations: ToolLocations, timeout: float) -> None:
        self.tool_id = tool_id
        self.server = server
        self.locations = locations
        self.timeout = timeout
        self._inner: Any = None
        self._tools: list[ToolSchema] | None = None

    def _params(self) -> Any:
        from autogen_ext.tools.mcp import StdioServerParams

        cwd = mcp_cwd(self.server, self.locations)
        program = mcp_program(self.server, cwd)
        if program is None:
            raise ToolSetupError(f"MCP server {self.tool_id!r}: the command {self.server.command!r} is not found")
        return StdioServerParams(
            command=program,
            args=list(self.server.args),
            env=server_environment(self.tool_id, self.server) or None,
            cwd=str(cwd) if cwd else None,
            read_timeout_seconds=self.timeout,
        )

    async def start(self) -> None:
        if self._inner is not None:
            return
        from autogen_ext.tools.mcp import McpWorkbench

        self._inner = McpWorkbench(self._params())
        what = f"MCP server {self.tool_id!r} ({self.server.command} {' '.join(self.server.args)})".rstrip()
        try:
            await asyncio.wait_for(self._inner.start(), self.timeout)
            listed = await asyncio.wait_for(self._inner.list_tools(), self.timeout)
        except asyncio.TimeoutError:
            await self.stop()
            raise ToolSetupError(f"{what} did not answer within {self.timeout:g} s") from None
        except Exception as exc:  # noqa: BLE001 - any start failure is reported in words
            await self.stop()
            raise ToolSetupError(f"{what} did not start: {_cause(exc)}") from None
        wanted = self.server.tools
        if wanted is not None:
            offered = {t["name"] for t in listed}
            missing = [name for name in wanted if name not in offered]
            if missing:
                await self.stop()
                raise ToolSetupError(
                    f"{what} has no tool {', '.join(repr(m) for m in missing)}; it offers: {', '.join(sorted(offered)) or 'none'}"
                )
            listed = [t for t in listed if t["name"] in wanted]
        self._tools = list(listed)

    async def stop(self) -> None:
        inner, self._inner = self._inner, None
        if inner is None:
            return
        actor = getattr(inner, "_actor", None)
        task: asyncio.Task[Any] | None = getattr(actor, "_actor_task", None)
        if task is not None and task.done():
            return  # the server already ended; closing would wait for an answer forever
        closing = asyncio.ensure_future(inner.stop())
        done, _ = await asyncio.wait({closing}, timeout=STOP_TIMEOUT_S)
        if done:
            if not closing.cancelled():
                closing.exception()  # retrieved: a failed close is not worth a log line
            return
        # A server stuck in a blocking tool ignores its closed input. The session's cleanup
        # swallows a single cancel while it waits for the process, so cancel until it kills it.
        for _ in range(10):
            if task is None or task.done():
                break
            task.cancel()
            await asyncio.wait({task}, timeout=0.1)
        closing.cancel()
        await asyncio.wait({closing}, timeout=0.2)

    async def list_tools(self) -> List[ToolSchema]:
        if self._tools is None:
            await self.start()
        return list(self._tools or [])

    async def call_tool(
        self,
        name: str,
        arguments: Mapping[str, Any] | None = None,
        cancellation_token: CancellationToken | None = None,
        call_id: str | None = None,
    ) -> ToolResult:
        if self._tools is None or self._inner is None:
            return _error(name, f"the MCP server {self.tool_id!r} is not running")
        if not any(t["name"] == name for t in self._tools):
            return _error(name, f"the MCP server {self.tool_id!r} offers no tool {name!r} to this team")
        try:
            return await asyncio.wait_for(  # type: ignore[no-any-return]
                self._inner.call_tool(name, arguments, cancellation_token, call_id), self.timeout
            )
        except asyncio.TimeoutError:
            return _error(name, f"the tool {name!r} took longer than {self.timeout:g} s and was stopped")
        except Exception as exc:  # noqa: BLE001 - returned to the model as an error result
            return _error(name, f"the MCP server {self.tool_id!r} failed: {_cause(exc)}")

    async def reset(self) -> None:
        return None

    async def save_state(self) -> Mapping[str, Any]:
        return {}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        return None


def _cause(exc: BaseException) -> str:
    """The innermost useful message (anyio wraps start failures in exception groups)."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    if exc.args and isinstance(exc.args[-1], BaseException):
        return _cause(exc.args[-1])
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
