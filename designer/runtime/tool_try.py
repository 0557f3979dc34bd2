"""Calling one tool outside a run, for the window's "try it" dialog.

The call goes through the same pieces a run uses (RunTools: workspace, timeout, MCP
workbench), so what the dialog shows is what an agent would get. It needs the same trust
as a run: the caller passes its policy, and untrusted code is refused before any import.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from autogen_core import CancellationToken

from ..core.spec import TeamSpec
from ..core.tool_introspect import ToolLocations
from ..core.trust import TrustPolicy, approved_files, code_manifest, describe_items, refused_items
from .tools import RunTools, ToolSetupError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TryResult:
    text: str
    is_error: bool
    seconds: float


async def try_tool(
    spec: TeamSpec,
    tool_id: str,
    arguments: Mapping[str, Any],
    *,
    locations: ToolLocations,
    trust: TrustPolicy | None,
    team_file: str | Path | None = None,
    mcp_tool: str | None = None,
) -> TryResult:
    """Run ``tool_id`` once with ``arguments``; errors come back as ``is_error`` results, like in a run.

    For an MCP tool, ``mcp_tool`` names the server's tool to call; without it the result lists
    the server's tools and their parameters.
    """
    started = time.monotonic()
    tools = RunTools(spec, locations)

    def done(text: str, is_error: bool) -> TryResult:
        return TryResult(text, is_error, round(time.monotonic() - started, 3))

    try:
        items = code_manifest(spec, locations, team_file, tool_ids=[tool_id])
        refused = refused_items(items, trust)
        if refused:
            return done("not trusted yet, so not run:\n" + describe_items(refused), True)
        tools.approved_files = approved_files(items)  # as in a run: only the files just trusted
        tool_spec = spec.tools[tool_id]
        if tool_spec.mcp is not None:
            source = tools.workbench(tool_id)
            await source.start()
            if mcp_tool is None:
                listed = await source.list_tools()
                return done("\n".join(f"{t['name']}: {t.get('description', '')}" for t in listed) or "no tools", False)
            result = await source.call_tool(mcp_tool, dict(arguments), CancellationToken(), "try")
            return done(result.to_text(), result.is_error)
        tool = tools.tool(tool_id)
        await tools.start()
        try:
            value = await tool.run_json(dict(arguments), CancellationToken(), call_id="try")
        except Exception as exc:  # shown as the error result an agent would see
            log.info("trying tool %r: it raised", tool_id, exc_info=True)  # the traceback helps the tool's author
            return done(f"{type(exc).__name__}: {exc}" if not isinstance(exc, (TimeoutError, ToolSetupError)) else str(exc), True)
        return done(tool.return_value_as_string(value), False)
    except ToolSetupError as exc:
        return done(str(exc), True)
    except asyncio.TimeoutError:
        return done(f"no answer within {spec.tools[tool_id].timeout:g} s", True)
    finally:
        await tools.stop()
        tools.cleanup()


async def list_mcp_tools(
    spec: TeamSpec, tool_id: str, *, locations: ToolLocations, trust: TrustPolicy | None, team_file: str | Path | None = None
) -> list[dict[str, Any]]:
    """The tools an MCP server offers this team (name, description, parameters); starts and stops it."""
    items = code_manifest(spec, locations, team_file, tool_ids=[tool_id])
    refused = refused_items(items, trust)
    if refused:
        raise ToolSetupError("not trusted yet, so not started:\n" + describe_items(refused))
    tools = RunTools(spec, locations)
    try:
        return [dict(t) for t in await tools.workbench(tool_id).list_tools()]
    finally:
        await tools.stop()
        tools.cleanup()


def try_tool_blocking(spec: TeamSpec, tool_id: str, arguments: Mapping[str, Any], **kwargs: Any) -> TryResult:
    """:func:`try_tool` in a fresh event loop (call from a worker thread, never the GUI thread)."""
    return asyncio.run(try_tool(spec, tool_id, arguments, **kwargs))
