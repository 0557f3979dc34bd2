"""MCP servers as tool sources, through autogen-ext's ``McpWorkbench``: a program started over
stdio, or a server at a URL over SSE or streamable HTTP (``transport: sse | http``).

One :class:`McpToolSource` per MCP tool of the team file, started (or, at a URL, connected to)
when the run starts, after the user trusted it, and stopped when it ends. It wraps the workbench to
add what the team file promises: only the listed tools (``mcp.tools``), the tool's
timeout on every call, and errors as error results rather than exceptions.

Cancellation (autogen-ext 0.7.5): the workbench's session actor answers each request with
an un-awaited coroutine, and ``McpWorkbench.call_tool`` links the run's cancellation token
to that coroutine, so a Stop raised ``AttributeError: 'coroutine' object has no attribute
'cancel'`` inside ``CancellationToken.cancel`` and cancelled nothing. Here the workbench
never sees the run's token: each call runs in a task of ours that the token cancels, and
the actor's hand-off is shielded (a hand-off cancelled half-way crashes the actor).

The server's environment is the MCP SDK's short list of safe variables (``HOME``,
``PATH``, ``USER`` ...; the SDK adds them itself) plus the ``env:`` block of the team file,
through :func:`designer.core.child_env.child_environment`: never the designer's keys. A URL
server's ``headers`` are resolved the same way (:func:`server_headers`), and each resolved secret
is registered for masking before the first request, so a server that echoes it shows ***.
"""

from __future__ import annotations

import logging
import asyncio
import atexit
import inspect
import os
import shutil
import tempfile
from typing import TYPE_CHECKING, Any, Awaitable, Callable, List, Mapping

from autogen_core import CancellationToken
from autogen_core.tools import ImageResultContent, TextResultContent, ToolResult, ToolSchema, Workbench

from ..core.child_env import child_environment
from ..core.mcp_headers import header_reference
from ..core.mcp_remote import describe_server
from ..core.spec import McpServerSpec, TeamSpec
from ..core.tool_introspect import ToolLocations
from ..core.trust import mcp_cwd, mcp_program
from .neterrors import remember_secret
from .loader import ToolSetupError

if TYPE_CHECKING:
    from .recording import CallSession

log = logging.getLogger(__name__)

#: Stopping an idle server may not hold up the end of a run longer than this (then its task is
#: cancelled, which kills the process). A server busy with a call, or one whose call was
#: abandoned (stopped, timed out), is killed at once: it would not read its closed input.
STOP_TIMEOUT_S = 0.5
#: How long a server may take to start and list its tools. Separate from the tool's time limit,
#: which bounds each call: ``npx``/``uvx`` may download a server on its first start, and a busy
#: machine starts Python slowly. Stop interrupts a start at any time.
START_TIMEOUT_S = 60.0


def server_environment(tool_id: str, server: McpServerSpec) -> dict[str, str]:
    """The server's ``env:`` block with references resolved (secret values never come from the file)."""
    return {name: _resolve(tool_id, value) if value.startswith(("env:", "keyring:")) else value
            for name, value in server.env.items()}


def _resolve(tool_id: str, ref: str) -> str:
    """The value of one secret reference (env:NAME, keyring:NAME); ToolSetupError when it has none."""
    if ref.startswith("env:"):
        resolved = os.environ.get(ref[4:])
        if resolved is None:
            raise ToolSetupError(f"MCP server {tool_id!r}: the environment variable {ref[4:]} is not set")
        remember_secret(resolved)  # so error texts and echoes that hold it are redacted like model keys
        return resolved
    from .models import resolve_secret

    try:
        return resolve_secret(ref, f"MCP server {tool_id!r}") or ""
    except Exception as exc:  # noqa: BLE001 - a missing secret is the user's to fix
        raise ToolSetupError(str(exc)) from None


def server_headers(tool_id: str, server: McpServerSpec) -> dict[str, str]:
    """A URL server's headers with references resolved ('Bearer env:T' -> 'Bearer <T's value>')."""
    headers: dict[str, str] = {}
    for name, value in server.headers.items():
        ref = header_reference(value)
        headers[name] = value if ref is None else ref[0] + _resolve(tool_id, ref[1])
    return headers


#: What a server's tool list is recorded under (after its id and a dot; no tool is called this).
TOOL_LIST = "tools/list"


def _parts(recorded: list[Any]) -> list[TextResultContent | ImageResultContent]:
    """A recorded result's parts, text and images, as the server gave them."""
    from autogen_core import Image

    out: list[TextResultContent | ImageResultContent] = []
    for part in recorded:
        if isinstance(part, dict) and isinstance(part.get("image"), str):
            out.append(ImageResultContent(content=Image.from_base64(part["image"])))
        elif isinstance(part, dict):
            out.append(TextResultContent(content=str(part.get("text", ""))))
    return out


def _error(name: str, text: str) -> ToolResult:
    return ToolResult(name=name, result=[TextResultContent(content=text)], is_error=True)


def _discard(handoff: asyncio.Future[Any]) -> None:
    """Settle a hand-off nobody waits for any more: close the request coroutine it carries."""
    if handoff.cancelled() or handoff.exception() is not None:
        return  # the exception is retrieved: asyncio logs nothing
    request = handoff.result()
    if inspect.iscoroutine(request):
        request.close()  # never awaited, on purpose: no "was never awaited" warning


def _workbench(params: Any) -> Any:
    """An ``McpWorkbench`` whose session actor survives a cancelled request (see the module doc)."""
    from autogen_ext.tools.mcp import McpWorkbench
    from autogen_ext.tools.mcp._actor import McpSessionActor

    class ShieldedActor(McpSessionActor):
        async def call(self, type: str, args: Any = None) -> Any:  # noqa: A002 - the parent's name
            # The actor answers into the future the caller awaits; a cancelled future makes that
            # answer raise inside the actor and end it. Shielded, a cancel leaves it intact.
            handoff = asyncio.ensure_future(super().call(type, args))
            try:
                return await asyncio.shield(handoff)
            except asyncio.CancelledError:
                handoff.add_done_callback(_discard)
                raise

    class Shielded(McpWorkbench):
        async def start(self) -> None:
            if self._actor is None:
                self._actor = ShieldedActor(self._server_params, model_client=self._model_client)
                await self._actor.initialize()
                self._actor_loop = asyncio.get_running_loop()

    return Shielded(params)


class McpToolSource(Workbench):
    """The tools of one MCP server, filtered and time-limited, for the agents that reference it."""

    def __init__(
        self, tool_id: str, server: McpServerSpec, locations: ToolLocations, timeout: float, team: TeamSpec | None = None
    ) -> None:
        """``team`` is the team file the server belongs to: the keys it refers to stay out of
        the server's environment (see :mod:`designer.core.child_env`)."""
        self.tool_id = tool_id
        self.server = server
        self.locations = locations
        self.timeout = timeout
        self.team = team
        self._inner: Any = None
        #: The run's recording, when there is one (set by RunTools).
        self.recording: Callable[[], CallSession | None] | None = None
        self._tools: list[ToolSchema] | None = None
        self._pending = 0  # requests on their way (the server may be busy)
        self._abandoned = False  # a request was stopped or timed out: the server may still work on it
        self._pycache: str | None = None  # the server's bytecode folder, for this run only

    def _params(self) -> Any:
        if self.server.transport != "stdio":
            return self._url_params()
        from autogen_ext.tools.mcp import StdioServerParams
        from mcp.client.stdio import get_default_environment

        cwd = mcp_cwd(self.server, self.locations)
        program = mcp_program(self.server, cwd)
        if program is None:
            raise ToolSetupError(f"MCP server {self.tool_id!r}: the command {self.server.command!r} is not found")
        env = child_environment(self.team, get_default_environment(), server_environment(self.tool_id, self.server))
        if "PYTHONPYCACHEPREFIX" not in env:
            # Trust hashes the server's source files, but Python would run a cached .pyc beside them
            # that only matches the source's size and time: bytecode goes to a folder of this run's.
            self._pycache = tempfile.mkdtemp(prefix="td-mcp-pycache-")
            env["PYTHONPYCACHEPREFIX"] = self._pycache
        return StdioServerParams(
            command=program,
            args=list(self.server.args),
            env=env,
            cwd=str(cwd) if cwd else None,
            # The session's own limit on every request, starts included: only a backstop behind
            # the start limit and each call's time limit, which give the clearer messages.
            read_timeout_seconds=max(self.timeout, START_TIMEOUT_S) + 10,
        )

    def _url_params(self) -> Any:
        """SSE or streamable HTTP: the URL and the resolved headers; nothing starts on this computer."""
        from autogen_ext.tools.mcp import SseServerParams, StreamableHttpServerParams

        make = SseServerParams if self.server.transport == "sse" else StreamableHttpServerParams
        # timeout: each HTTP request (connecting included); sse_read_timeout: the longest wait for
        # an answer on the stream, only a backstop behind each call's time limit (idle streams are
        # kept alive by the server's pings).
        return make(url=self.server.url or "", headers=server_headers(self.tool_id, self.server) or None,
                    timeout=30.0, sse_read_timeout=max(300.0, self.timeout + 10))

    async def _request(self, make: Callable[[], Awaitable[Any]]) -> Any:
        """Await one request to the server, remembering whether it was left unanswered.

        Takes a factory, not a coroutine: a task cancelled before it began would otherwise
        leave a coroutine that was never awaited (and a warning about it)."""
        self._pending += 1
        try:
            return await make()
        except asyncio.CancelledError:
            self._abandoned = True
            raise
        finally:
            self._pending -= 1

    async def start(self) -> None:
        """Start the server and list its tools; in a replay, its recorded tool list instead (the
        server starts later only if a call must go live: a replay needs no server)."""
        if self._inner is not None or self._tools is not None:
            return
        recording = self.recording() if self.recording is not None else None
        listing = f"{self.tool_id}.{TOOL_LIST}"
        recorded = recording.tool_answer(listing, {}, strict=False) if recording is not None else None
        if recorded is not None and isinstance(recorded.get("tools"), list):
            self._tools = list(recorded["tools"])
            return
        await self._start_server()
        if recording is not None:
            recording.tool_done(listing, {}, {"tools": self._tools})

    async def _start_server(self) -> None:
        self._inner = _workbench(self._params())
        self._abandoned = False
        local = self.server.transport == "stdio"
        what = f"MCP server {self.tool_id!r} ({describe_server(self.server)})" if local else \
            f"MCP server {self.tool_id!r} at {describe_server(self.server)}"
        failed = "did not start" if local else "did not answer"
        try:
            await self._inner.start()
            listed = await asyncio.wait_for(self._request(self._inner.list_tools), START_TIMEOUT_S)
        except asyncio.TimeoutError:
            await self.stop()
            raise ToolSetupError(f"{what} {failed} and list its tools within {START_TIMEOUT_S:g} s") from None
        except asyncio.CancelledError:
            await self.stop()  # Stop during the start: the process ends with it
            raise
        except Exception as exc:  # any start failure is reported in words
            log.info("MCP server %r did not start", self.tool_id, exc_info=True)
            await self.stop()
            cause = _cause(exc)
            if not local and cause.startswith("ConnectError"):
                cause += " (is a server listening at that URL?)"
            raise ToolSetupError(f"{what} {failed}: {cause}") from None
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
        """End the server: a graceful close when it is idle, else (or when that lags) a kill."""
        try:
            await self._stop_server()
        finally:
            if self._pycache is not None:
                shutil.rmtree(self._pycache, ignore_errors=True)
                self._pycache = None

    async def _stop_server(self) -> None:
        inner, self._inner = self._inner, None
        actor = getattr(inner, "_actor", None)
        if actor is None:
            return
        atexit.unregister(actor._sync_shutdown)  # the actor registers one per server: no pile-up
        task: asyncio.Task[Any] | None = getattr(actor, "_actor_task", None)
        closing: asyncio.Future[Any] | None = None
        if task is not None and not task.done() and self._pending == 0 and not self._abandoned:
            closing = asyncio.ensure_future(inner.stop())
            await asyncio.wait({closing}, timeout=STOP_TIMEOUT_S)
        # The session's cleanup swallows one cancel (it closes the server's input, then waits for
        # the process), so cancel until it kills the process; SIGKILL ends it within milliseconds.
        for _ in range(40):
            if task is None or task.done():
                break
            task.cancel()
            await asyncio.wait({task}, timeout=0.05)
        inner._actor = None  # so the workbench's __del__ does not try to stop it again
        if closing is not None:
            closing.cancel()
            await asyncio.wait({closing}, timeout=0.2)
            if closing.done() and not closing.cancelled():
                log.debug("MCP server %r: closing failed", self.tool_id, exc_info=closing.exception())

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
        """A call of one of the server's tools; recorded, and in a replay answered from the recording."""
        recording = self.recording() if self.recording is not None else None
        key = f"{self.tool_id}.{name}"
        if recording is not None:
            answer = recording.tool_answer(key, arguments or {})
            if answer is not None:  # an MCP tool may do anything: never re-run in a replay
                return ToolResult(name=name, result=_parts(answer.get("parts", [])), is_error=bool(answer.get("is_error")))
        if self._inner is None and self._tools is not None:
            await self._start_server()  # a replay's first call the recording does not hold
        result = await self._call_live(name, arguments, cancellation_token, call_id)
        if recording is not None:
            parts = [{"text": p.content} if isinstance(p, TextResultContent) else {"image": p.content.to_base64()}
                     for p in result.result]
            recording.tool_done(key, arguments or {}, {"parts": parts, "is_error": result.is_error})
        return result

    async def _call_live(
        self, name: str, arguments: Mapping[str, Any] | None, cancellation_token: CancellationToken | None,
        call_id: str | None,
    ) -> ToolResult:
        if self._tools is None or self._inner is None:
            return _error(name, f"the MCP server {self.tool_id!r} is not running")
        if not any(t["name"] == name for t in self._tools):
            return _error(name, f"the MCP server {self.tool_id!r} offers no tool {name!r} to this team")
        # The run's token cancels our task, never the workbench's coroutine (see the module doc).
        inner = self._inner
        call = asyncio.ensure_future(self._request(lambda: inner.call_tool(name, arguments, None, call_id)))
        if cancellation_token is not None:
            cancellation_token.link_future(call)
        try:
            return await asyncio.wait_for(call, self.timeout)
        except asyncio.TimeoutError:
            return _error(name, f"the tool {name!r} took longer than {self.timeout:g} s and was stopped")
        except Exception as exc:  # returned to the model as an error result
            log.info("MCP server %r: the tool %r failed", self.tool_id, name, exc_info=True)
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
