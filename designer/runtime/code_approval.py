"""Approval before a code_executor agent runs code: the person decides, block by block.

AgentChat's CodeExecutorAgent calls an ``approval_func(ApprovalRequest(code, context))`` before
it executes anything, and runs nothing when the answer is ``ApprovalResponse(approved=False,
reason=...)`` (the agent then reads "Code execution was not approved. Reason: ..."). Each run has
one :class:`CodeApprovals`, which answers in one of three ways, chosen by who started the run:

* ``ask``: emit an :class:`~designer.core.events.ApprovalRequested` event and wait for
  ``TeamRun.approve`` (the window's approval bar, the CLI's "Run this code? [y/N]" on a terminal);
* ``approve``: every block of this run (the CLI's ``--approve-code``);
* ``deny``: no block (the default: whoever cannot ask a person refuses — a CLI without a
  terminal, an evaluation).

Every decision is shown (a Notice event) and recorded with the run's calls, so a replay repeats it
instead of asking again; a recording without one (made before approvals existed) falls back to
the run's own mode. Stop while a question waits cancels the agent's task, and the wait with it.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Awaitable, Callable, Literal

from autogen_agentchat.agents import ApprovalRequest, ApprovalResponse

from ..core import events as ev
from .recording import CallSession

__all__ = ["APPROVAL_CALL", "NO_APPROVAL", "ApprovalMode", "CodeApprovals"]

ApprovalMode = Literal["ask", "approve", "deny"]
#: The reason a block is refused when no person can be asked (the agent and the transcript read it).
NO_APPROVAL = "denied: no approval (run with --approve-code to allow)"
#: What the person's "Don't run" tells the agent.
DENIED_BY_USER = "denied by the person running the team"
#: The name decisions are recorded under among the run's calls.
APPROVAL_CALL = "code_approval"

ApprovalFunc = Callable[[ApprovalRequest], Awaitable[ApprovalResponse]]


class CodeApprovals:
    """The approvals of one run (see the module docstring)."""

    def __init__(self, mode: ApprovalMode, emit: Callable[[ev.RunEvent], None],
                 session: Callable[[], CallSession | None], *, deny_reason: str = NO_APPROVAL) -> None:
        if mode not in ("ask", "approve", "deny"):
            raise ValueError(f"unknown code approval mode {mode!r}")
        self.mode: ApprovalMode = mode
        self._emit = emit
        self._session = session
        self._deny_reason = deny_reason
        self._pending: dict[str, asyncio.Future[tuple[bool, str]]] = {}

    def func_for(self, agent: str) -> ApprovalFunc:
        """The approval_func of the code_executor agent ``agent``."""

        async def approval_func(request: ApprovalRequest) -> ApprovalResponse:
            approved, reason = await self.decide(agent, request.code)
            return ApprovalResponse(approved=approved, reason=reason)

        return approval_func

    def inform(self, agent: str, text: str) -> None:
        """A line about ``agent``'s code in the transcript (e.g. Docker was not available)."""
        self._emit(ev.Notice(agent, text=text))

    async def decide(self, agent: str, code: str) -> tuple[bool, str]:
        """(approved, reason) for ``agent`` running ``code``: recorded, by mode, or the person's."""
        session = self._session()
        key = {"agent": agent, "code": code}
        recorded = session.tool_answer(APPROVAL_CALL, key, strict=False) if session is not None else None
        if recorded is not None:  # a replay: the decision as it was made, said as it was said then
            approved, reason = bool(recorded.get("approved")), str(recorded.get("reason", ""))
            self.inform(agent, _decided(approved, reason))
            return approved, reason
        if self.mode == "approve":
            approved, reason = True, "approved for this run (--approve-code)"
        elif self.mode == "deny":
            approved, reason = False, self._deny_reason
        else:
            approved, reason = await self._ask(agent, code)
        if session is not None:
            session.tool_done(APPROVAL_CALL, key, {"approved": approved, "reason": reason})
        self.inform(agent, _decided(approved, reason))
        return approved, reason

    async def _ask(self, agent: str, code: str) -> tuple[bool, str]:
        request_id = uuid.uuid4().hex[:12]
        future: asyncio.Future[tuple[bool, str]] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        self._emit(ev.ApprovalRequested(agent, request_id=request_id, code=code))
        try:
            return await future
        finally:
            self._pending.pop(request_id, None)

    def approve(self, request_id: str | None, approved: bool, reason: str = "") -> bool:
        """Answer a waiting question (the given one, or the only one); False when none waits."""
        pending = [rid for rid, fut in self._pending.items() if not fut.done()]
        target = request_id if request_id in pending else (pending[0] if pending and request_id is None else None)
        if target is None:
            return False
        words = reason or ("approved by the person running the team" if approved else DENIED_BY_USER)
        self._pending[target].set_result((approved, words))
        return True


def _decided(approved: bool, reason: str) -> str:
    return f"code approved: {reason}" if approved else f"code not run: {reason}"
