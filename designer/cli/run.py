"""``python -m designer run``: a team run in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import math
import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any, Sequence

from ..core import events as ev
from ..core.problems import has_errors
from ..core.spec import EMBEDDED_MODEL_ID, MAX_RUN_TIMEOUT_S as MAX_TIMEOUT_S
from ..core.task import TaskError, task_for
from ..core.validate import validate_file

if TYPE_CHECKING:
    from ..core.trust_items import CodeItem
    from ..runtime.code_approval import ApprovalMode

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
#: The largest time bound a team file may set: the command line may not go past it either.


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("team", metavar="TEAM.yaml", help="the team file to run")
    parser.add_argument("--task", help="the task (default: the file's task)")
    parser.add_argument("--model", metavar="ID", help="run every agent on this model id ('embedded' for the built-in model)")
    parser.add_argument("--input", metavar="KEY=VALUE", action="append", default=[], help="fill a {placeholder} of the task")
    parser.add_argument("--max-messages", type=int, metavar="N", help="override the message bound")
    parser.add_argument("--timeout", type=float, metavar="S", help="override the time bound, in seconds")
    parser.add_argument("--reply-tokens", type=int, metavar="N",
                        help="cap every model reply at N tokens (a quick, cheap try of a team)")
    parser.add_argument("--jsonl", action="store_true", help="print one JSON event per line instead of a transcript")
    parser.add_argument("--tools", metavar="DIR", action="append", default=[],
                        help="another folder of tool modules (after tools/ beside the team file); repeatable")
    parser.add_argument("--trust", action="store_true",
                        help="trust the tool modules, MCP servers and local code execution this run needs, and remember it")
    parser.add_argument("--workspace", metavar="DIR",
                        help="the folder tools read and write (kept); default: a temporary folder removed after the run")
    parser.add_argument("--no-record", action="store_true", help="do not keep this run in the run history ('runs list')")
    parser.add_argument("--approve-code", action="store_true",
                        help="approve every code block code_executor agents run in this run (without it: asked on a "
                             "terminal, refused otherwise)")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_INVALID


def _check_trust(args: argparse.Namespace, spec: Any) -> tuple[int, Any]:
    """(exit code or -1 to go on, the trust store). Untrusted code stops the run unless --trust."""
    from ..core.tool_introspect import ToolLocations
    from ..core.trust import code_manifest

    items = code_manifest(spec, ToolLocations.for_file(args.team, args.tools), args.team, workspace=args.workspace)
    return confirm_trust(items, args.trust)


def confirm_trust(items: Sequence[CodeItem], trust: bool, what: str = "this run") -> tuple[int, Any]:
    """``_check_trust`` for a list of CodeItems (``eval`` passes the union over its variants)."""
    from ..core.trust import TrustStore, default_trust_path, describe_items

    store = TrustStore(default_trust_path())
    untrusted = store.untrusted(items)
    if not untrusted:
        return -1, store
    unchecked = [item for item in untrusted if item.unchecked]
    if trust and unchecked:  # what cannot be checked cannot be trusted, even when asked to
        print(f"error: {what} would execute code that cannot be checked, so it cannot be trusted:", file=sys.stderr)
        print(describe_items(unchecked), file=sys.stderr)
        return EXIT_INVALID, store
    if not trust:
        print(f"error: {what} would execute code you have not trusted yet:", file=sys.stderr)
        print(describe_items(untrusted), file=sys.stderr)
        print("Review it, then run again with --trust to run it (the answer is remembered until what it lists changes).",
              file=sys.stderr)
        return EXIT_INVALID, store
    store.trust(untrusted)
    print(f"trusted and remembered in {store.path}:\n{describe_items(untrusted)}", file=sys.stderr)
    return -1, store


def bounds_problem(args: argparse.Namespace, spec: Any) -> str:
    """What is wrong with --model, --max-messages, --timeout or --reply-tokens ("" when nothing)."""
    if args.model and args.model != EMBEDDED_MODEL_ID and args.model not in spec.models:
        return f"unknown model {args.model!r} (the file defines: {', '.join(spec.models) or 'none'}; or use 'embedded')"
    if args.max_messages is not None and args.max_messages < 1:
        return "--max-messages must be at least 1"
    if args.timeout is not None and not (math.isfinite(args.timeout) and 0 < args.timeout <= MAX_TIMEOUT_S):
        return f"--timeout must be a number of seconds above 0 and at most {MAX_TIMEOUT_S:g}"
    if args.reply_tokens is not None and args.reply_tokens < 1:
        return "--reply-tokens must be at least 1"
    return ""


def run_command(args: argparse.Namespace) -> int:
    gc.disable()  # until the imports below are done and frozen: see designer/__main__.py
    try:
        return _run_command(args)
    finally:
        gc.enable()


def _run_command(args: argparse.Namespace) -> int:
    result = validate_file(args.team, tool_folders=args.tools)
    for problem in result.problems:
        print(problem.format(), file=sys.stderr)
    if result.spec is None or has_errors(result.problems):
        return EXIT_INVALID
    spec = result.spec
    overrides: dict[str, str] = {}
    for item in args.input:
        key, sep, value = item.partition("=")
        if not sep or not key:
            return _fail(f"--input expects KEY=VALUE, got {item!r}")
        overrides[key] = value
    try:
        task = task_for(spec, args.task, overrides)
    except TaskError as exc:
        return _fail(str(exc))
    wrong = bounds_problem(args, spec)
    if wrong:
        return _fail(wrong)
    code, trust = _check_trust(args, spec)
    if code >= 0:
        return code
    from ..runtime.runner import TeamRun  # noqa: F401 - import before the freeze below
    from .history import history_store

    # Everything imported so far lives as long as the process: keep the garbage collector
    # from scanning it again and again during the run.
    gc.freeze()
    gc.enable()
    with history_store(args.no_record) as store:  # None when not recording
        return asyncio.run(_run(spec, task, args, trust, store=store, inputs=overrides, snapshot_text=result.text))


def code_approval(args: argparse.Namespace) -> ApprovalMode:
    """Who approves code_executor agents' code: --approve-code, else the person on a terminal;
    without one nobody can be asked, so every block is refused (runtime/code_approval.py)."""
    if getattr(args, "approve_code", False):
        return "approve"
    return "ask" if sys.stdin.isatty() else "deny"


class _StdinReader:
    """Reads answers for human-input requests in a daemon thread, so Ctrl-C never waits on it."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def read(self) -> asyncio.Future[str | None]:
        future: asyncio.Future[str | None] = self.loop.create_future()

        def work() -> None:
            line = sys.stdin.readline()
            value = line.rstrip("\n") if line else None  # None: end of input

            def settle() -> None:
                if not future.done():
                    future.set_result(value)

            try:
                self.loop.call_soon_threadsafe(settle)
            except RuntimeError:  # the run ended (and its loop closed) while this line was read
                log.debug("an answer arrived after the run's loop closed")

        threading.Thread(target=work, name="stdin", daemon=True).start()
        return future


async def _run(spec: Any, task: str, args: argparse.Namespace, trust: Any, **history: Any) -> int:
    """``history``: TeamRun's store=, replay= and inputs= (the run history and a replay's plan)."""
    from .render import JsonlRenderer, TerminalRenderer
    from .history import after_run
    from ..runtime.runner import TeamRun

    renderer = JsonlRenderer() if args.jsonl else TerminalRenderer()
    run = TeamRun(spec, task, model_override=args.model, max_messages=args.max_messages, timeout=args.timeout,
                  team_file=args.team, tool_folders=args.tools, trust=trust, workspace=args.workspace,
                  reply_tokens=args.reply_tokens, code_approval=code_approval(args), **history)
    loop = asyncio.get_running_loop()
    interrupted = False
    stdin = _StdinReader(loop)

    def on_interrupt() -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl-C: the user insists
            os._exit(EXIT_INTERRUPTED)
        interrupted = True
        print("\nstopping… (Ctrl-C again to quit at once)", file=sys.stderr, flush=True)
        run.stop("interrupted by the user (Ctrl-C)")

    try:
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
    except (NotImplementedError, RuntimeError):  # pragma: no cover - platforms without signal support in loops
        pass

    async def answer(request: ev.InputRequested) -> None:
        text = await stdin.read()
        if not args.jsonl and not sys.stdin.isatty():
            print(flush=True)  # piped answers do not echo: end the prompt line ourselves
        if text is None:
            run.stop("no human input: standard input is closed")
        else:
            run.provide_input(text, request.request_id)

    async def approve(request: ev.ApprovalRequested) -> None:
        text = await stdin.read()
        yes = text is not None and text.strip().lower() in ("y", "yes")
        run.approve(request.request_id, yes, "" if text is not None else "no answer: standard input is closed")

    finished: ev.Finished | None = None
    output_closed = False
    answering: set[asyncio.Task[None]] = set()  # the loop keeps only weak references to tasks
    async for event in run.events():
        if isinstance(event, ev.Finished):
            finished = event
        if output_closed:
            continue
        try:
            renderer.render(event)
            if isinstance(event, ev.ApprovalRequested) or (isinstance(event, ev.InputRequested) and not event.origin):
                if isinstance(event, ev.InputRequested):
                    renderer.ask(event)
                elif not args.jsonl:  # the code was just shown (render.py)
                    print("Run this code? [y/N] ", end="", flush=True)
                asking = loop.create_task(answer(event) if isinstance(event, ev.InputRequested) else approve(event))
                answering.add(asking)
                asking.add_done_callback(answering.discard)
        except BrokenPipeError:
            log.info("standard output closed; stopping the run")
            # The reader went away (e.g. `| head`): stop the run and exit quietly.
            output_closed = True
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            run.stop("output closed")
    loop.remove_signal_handler(signal.SIGINT)
    if finished is not None and not output_closed:
        after_run(run.recorded_id, finished, jsonl=args.jsonl, replay=history.get("replay") is not None)
    if interrupted:
        return EXIT_INTERRUPTED
    if finished is None or finished.reason == "error":
        return EXIT_FAILED
    return EXIT_OK
