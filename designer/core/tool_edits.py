"""Edits of the team's tool library for the Tools dock: pure functions, one per user gesture.

Each returns a new spec (the controller wraps it as one undoable step) or raises EditError
with words for the user. References follow: removing a tool unchecks it for every agent in
the same edit, so one undo brings back the tool and every agent's use of it.
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from pydantic import ValidationError

from .builtins import BUILTIN_TOOLS, option_problems
from .edit_result import Edited
from .edits import set_agent_field, set_team_field, unique_id
from .errors import EditError
from .references import map_tool_refs
from .spec import McpServerSpec, TeamSpec, ToolSpec, is_identifier
from .tool_library import OptionInfo, base_id, option_infos, tool_for_key
from .validate_tools import tool_problems

#: The fields of the options editor besides a built-in's own options.
TIMEOUT_FIELD, DESCRIPTION_FIELD = "timeout", "description"
MAX_TOOL_TIMEOUT_S = 3600.0


def _checked(tool: ToolSpec) -> ToolSpec:
    # model_copy does not validate: re-check, so a value the file would refuse never gets in.
    data = {k: v for k, v in tool.model_dump(by_alias=True, exclude_unset=True).items() if v is not None}
    try:
        return ToolSpec.model_validate(data)
    except ValidationError as exc:
        raise EditError(exc.errors()[0]["msg"]) from None


def _tool(spec: TeamSpec, tool_id: str) -> ToolSpec:
    if tool_id not in spec.tools:
        raise EditError(f"there is no tool {tool_id!r}")
    return spec.tools[tool_id]


def _with_tool(spec: TeamSpec, tool_id: str, tool: ToolSpec) -> TeamSpec:
    return set_team_field(spec, "tools", {**spec.tools, tool_id: tool})


def add_tool(spec: TeamSpec, tool: ToolSpec, tool_id: str | None = None) -> Edited[str]:
    """Add a library entry under a new id (http_get, http_get_2 ...); the extra result is the id."""
    new_id = (tool_id or "").strip() or unique_id(spec.tools, base_id(tool))
    if not is_identifier(new_id):
        raise EditError(f"{new_id!r} is not a valid tool id: use letters, digits and '_', starting with a letter or '_'")
    if new_id in spec.tools:
        raise EditError(f"a tool named {new_id!r} already exists")
    return Edited(_with_tool(spec, new_id, _checked(tool)), new_id)


def add_from_key(spec: TeamSpec, key: str) -> Edited[str]:
    """Add what a palette entry ("builtin:http_get", "function:weather:forecast") stands for."""
    return add_tool(spec, tool_for_key(key))


def add_mcp_server(
    spec: TeamSpec,
    command: str,
    args: Sequence[str] = (),
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    tool_id: str | None = None,
) -> Edited[str]:
    """An MCP server started by ``command args`` as a new library entry. Secret-looking
    variables of ``env`` must be references (env:NAME, keyring:NAME): the file never holds a key."""
    command = command.strip()
    if not command:
        raise EditError("enter the command that starts the server, e.g. npx or uvx")
    try:
        server = McpServerSpec(command=command, args=list(args), env=dict(env or {}), cwd=(cwd or "").strip() or None)
        tool = ToolSpec(mcp=server)
    except ValidationError as exc:
        raise EditError(f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}: {exc.errors()[0]['msg']}") from None
    return _refuse_errors(add_tool(spec, tool, tool_id))


def _refuse_errors(added: Edited[str]) -> Edited[str]:
    """The file's own rules for the new entry (a secret-looking value holds a reference), before it gets in."""
    problems = [p for p in tool_problems(added.spec, None) if p.is_error and p.path[:2] == ("tools", added.extra)]
    if problems:
        raise EditError(problems[0].message + (f" ({problems[0].hint})" if problems[0].hint else ""))
    return added


def add_mcp_url_server(
    spec: TeamSpec, transport: str, url: str, headers: Mapping[str, str] | None = None, *, tool_id: str | None = None
) -> Edited[str]:
    """An MCP server reached at ``url`` over ``transport`` ('http': streamable HTTP, or 'sse') as a
    new library entry. Secret-looking header values must be references (``Bearer env:NAME``), as
    an stdio server's environment: the file never holds a key."""
    url = url.strip()
    if transport not in ("http", "sse"):
        raise EditError(f"a server at a URL is reached over 'http' or 'sse', not {transport!r}")
    if not url:
        raise EditError("enter the server's URL, e.g. http://127.0.0.1:8000/mcp")
    if not re.fullmatch(r"https?://\S+", url):
        raise EditError(f"the URL must start with http:// or https:// and hold no spaces (not {url!r})")
    try:
        tool = ToolSpec(mcp=McpServerSpec(transport=transport, url=url, headers=dict(headers or {})))  # type: ignore[arg-type]
    except ValidationError as exc:
        raise EditError(f"{'.'.join(str(p) for p in exc.errors()[0]['loc'])}: {exc.errors()[0]['msg']}") from None
    return _refuse_errors(add_tool(spec, tool, tool_id))


# --- options ------------------------------------------------------------------------------


def parse_option(tool_id: str, builtin_id: str, option: OptionInfo, text: str) -> object | None:
    """The value typed for one option (None: not set, the default applies); EditError in plain words."""
    text = text.strip()
    if not text:
        return None
    builtin = BUILTIN_TOOLS[builtin_id]
    value: Any
    if option.kind == "hosts":
        value = [h for h in re.split(r"[\s,]+", text) if h]
        for host in value:
            if option_problems(builtin, {option.name: [host]}):
                raise EditError(f"{host!r} is not a host name: write names like example.com, *.wikipedia.org or 127.0.0.1")
    elif option.kind == "bytes":
        try:
            value = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise EditError(f"{option.name} must be a whole number of bytes, e.g. 1000000") from None
    else:
        value = text
    for _, message, hint in option_problems(builtin, {option.name: value}):
        raise EditError(message + (f" ({hint})" if hint else ""))
    return value


def parse_timeout(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("s").strip())
    except ValueError:
        raise EditError("the time limit is a number of seconds, e.g. 30") from None
    if not 0 < value <= MAX_TOOL_TIMEOUT_S:
        raise EditError(f"the time limit is more than 0 and at most {MAX_TOOL_TIMEOUT_S:g} seconds")
    return value


def settings_problems(spec: TeamSpec, tool_id: str, texts: Mapping[str, str]) -> dict[str, str]:
    """{field: message} for each field of the options editor that cannot be saved as typed."""
    tool = _tool(spec, tool_id)
    out: dict[str, str] = {}
    options = {o.name: o for o in option_infos(BUILTIN_TOOLS[tool.builtin])} if tool.builtin in BUILTIN_TOOLS else {}
    for name, text in texts.items():
        try:
            if name == TIMEOUT_FIELD:
                parse_timeout(text)
            elif name in options:
                parse_option(tool_id, str(tool.builtin), options[name], text)
            elif name != DESCRIPTION_FIELD:
                out[name] = f"{tool_id} has no option {name!r}"
        except EditError as exc:
            out[name] = str(exc)
    return out


def set_tool_settings(spec: TeamSpec, tool_id: str, texts: Mapping[str, str]) -> TeamSpec:
    """Options, time limit and description as typed in the options editor, all in one edit.
    An option left empty is removed (its default applies); an empty description uses the tool's own."""
    problems = settings_problems(spec, tool_id, texts)
    if problems:
        raise EditError(next(iter(problems.values())))
    tool = _tool(spec, tool_id)
    update: dict[str, Any] = {}
    if tool.builtin in BUILTIN_TOOLS:
        options = dict(tool.options)
        for option in option_infos(BUILTIN_TOOLS[str(tool.builtin)]):
            if option.name in texts:
                value = parse_option(tool_id, str(tool.builtin), option, texts[option.name])
                if value is None:
                    options.pop(option.name, None)
                else:
                    options[option.name] = value
        if options != tool.options:
            update["options"] = options
    if TIMEOUT_FIELD in texts and parse_timeout(texts[TIMEOUT_FIELD]) != tool.timeout:
        update["timeout"] = parse_timeout(texts[TIMEOUT_FIELD])
    if DESCRIPTION_FIELD in texts and (texts[DESCRIPTION_FIELD].strip() or None) != tool.description:
        update["description"] = texts[DESCRIPTION_FIELD].strip() or None
    if not update:
        return spec
    return _with_tool(spec, tool_id, _checked(tool.model_copy(update=update)))


def set_tool_options(spec: TeamSpec, tool_id: str, options: Mapping[str, object]) -> TeamSpec:
    """A built-in's options as values (the CLI's and the tests' way); checked like the file is."""
    tool = _tool(spec, tool_id)
    builtin = BUILTIN_TOOLS.get(tool.builtin or "")
    if builtin is None:
        raise EditError(f"{tool_id} is not a built-in tool: only built-ins have options")
    for _, message, hint in option_problems(builtin, options):
        raise EditError(message + (f" ({hint})" if hint else ""))
    return _with_tool(spec, tool_id, _checked(tool.model_copy(update={"options": dict(options)})))


# --- agents ------------------------------------------------------------------------------


def wire_tool(spec: TeamSpec, agent_id: str, tool_id: str, wired: bool = True) -> TeamSpec:
    """Let an agent call a tool of the library (``wired``), or not any more."""
    agent = spec.agents.get(agent_id)
    if agent is None:
        raise EditError(f"there is no agent {agent_id!r}")
    if wired:
        _tool(spec, tool_id)
        if agent.kind != "assistant":
            raise EditError(f"{agent_id} is a {agent.kind.replace('_', ' ')}: only assistants call tools")
        if tool_id in agent.tools:
            return spec
        tools = [*agent.tools, tool_id]
    else:
        tools = [t for t in agent.tools if t != tool_id]
    return set_agent_field(spec, agent_id, "tools", tools)


def add_and_wire(spec: TeamSpec, key: str, agent_id: str) -> Edited[str]:
    """A palette entry dropped on an agent: added to the library if it is not there yet, and
    wired to the agent. "team:ID" is a tool of the library already; a built-in or function the
    library holds under another id is reused rather than added twice. The extra result is the id."""
    kind, _, ref = key.partition(":")
    if kind == "team":
        tool_id = ref
    else:
        tool = tool_for_key(key)
        same = [tid for tid, t in spec.tools.items() if (t.builtin, t.function) == (tool.builtin, tool.function)]
        tool_id = same[0] if same else unique_id(spec.tools, base_id(tool))
        if not same:
            spec = add_tool(spec, tool, tool_id).spec
    return Edited(wire_tool(spec, agent_id, tool_id), tool_id)


def remove_tool(spec: TeamSpec, tool_id: str) -> Edited[list[str]]:
    """Remove a library entry and every agent's use of it; the extra result names those agents."""
    _tool(spec, tool_id)
    users = [a for a, agent in spec.agents.items() if tool_id in agent.tools]
    for agent_id in users:
        spec = set_agent_field(spec, agent_id, "tools", [t for t in spec.agents[agent_id].tools if t != tool_id])
    spec = map_tool_refs(spec, {tool_id: None})  # a 'tool_called' condition naming it goes too
    return Edited(set_team_field(spec, "tools", {k: v for k, v in spec.tools.items() if k != tool_id}), users)
