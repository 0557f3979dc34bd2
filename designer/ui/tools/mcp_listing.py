"""What the Tools dock knows about its MCP servers' tools: known only once a server has run.

Listing starts the server (or, for one at a URL, connects to it) in a worker thread, through
the runtime and after the trust question, and stops it again; the answer, or why it failed in plain words, is kept per server until the
server's entry changes.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable

from ...core.finish import plural
from ...core.spec import McpServerSpec, TeamSpec
from ...core.tool_introspect import ToolLocations
from ...core.trust import TrustPolicy

log = logging.getLogger(__name__)

#: (name, description) of each tool a server offered, or why listing failed.
Listed = list[tuple[str, str]] | str


def plain_error(error: BaseException) -> str:
    """One line for the user: the innermost message of an exception group, else the exception's own."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return text or f"the server stopped unexpectedly ({type(error).__name__})"


class McpListing:
    def __init__(self) -> None:
        self._known: dict[str, tuple[McpServerSpec, Listed]] = {}

    def listed(self, tool_id: str, server: McpServerSpec) -> Listed | None:
        known = self._known.get(tool_id)
        return known[1] if known is not None and known[0] == server else None

    @staticmethod
    def lister(spec: TeamSpec, tool_id: str, locations: ToolLocations, trust: TrustPolicy,
               team_file: Path | None) -> Callable[[], list[dict[str, Any]]]:
        """The blocking work for a worker thread: start the server, list its tools, stop it."""

        def work() -> list[dict[str, Any]]:
            import asyncio

            from ...runtime.tool_try import list_mcp_tools  # on first use: AgentChat is slow to import

            return asyncio.run(list_mcp_tools(spec, tool_id, locations=locations, trust=trust, team_file=team_file))

        return work

    def callback(self, tool_id: str, server: McpServerSpec,
                 done: Callable[[str, str], None]) -> Callable[[Any, BaseException | None], None]:
        """Remembers the outcome and tells ``done(tool_id, message)`` on the GUI thread."""

        def finished(value: Any, error: BaseException | None) -> None:
            if error is not None:
                log.info("listing the tools of MCP server %r failed", tool_id, exc_info=error)
                reason = plain_error(error)
                how = "start" if server.transport == "stdio" else "reach"  # a URL server starts nothing here
                self._known[tool_id] = (server, f"could not {how} or list: {reason}")
                done(tool_id, f"Could not list the tools of {tool_id}: {reason}")
                return
            tools = [(str(t.get("name", "")), str(t.get("description") or "").strip().splitlines()[0]
                      if str(t.get("description") or "").strip() else "") for t in value]
            self._known[tool_id] = (server, tools)
            done(tool_id, f"{tool_id} offers {plural(len(tools), 'tool')}: "
                          + ", ".join(name for name, _ in tools))

        return finished
