"""A team as a self-contained Python script on plain AutoGen AgentChat (issue 13, export).

:func:`export_python` writes the text; nothing here imports autogen (the script does). The
script's shape is a contract (tests and users rely on the names): a docstring saying what to
install, set and run; ``TASK`` and ``INPUTS``; ``make_models()``; ``build_team(models, *, inputs,
input_func, approve_code)``; ``async run_stream(team, task, input_func)``; ``main(argv)``.

The parts, each writing into one :class:`~.writer.Script`:

* :mod:`.models`: ``make_models`` (and the inline scripted and embedded clients);
* :mod:`.tools`: built-ins inlined, function tools by module, MCP workbenches, memory tools;
* :mod:`.agents`: one AgentChat agent per agent record;
* :mod:`.teams`: each pattern's team, inner teams included; :mod:`.terminations`: conditions;
* :mod:`.script`: run_stream, main and the assembly.

What the script cannot do as the product does is said twice: as a ``changed`` / ``dropped`` note
of the export's report and in the script's docstring.
"""

from __future__ import annotations

from pathlib import Path

from ..interop import Exported, InteropError
from ..spec import TeamSpec
from .models import write_models
from .script import assemble
from .teams import inner_team, outer_team
from .writer import Script, py

__all__ = ["export_python"]


def export_python(spec: TeamSpec, team_file: Path | None, *, out: Path | None = None) -> Exported:
    """``spec`` as a Python script; ``team_file`` (where the team was read from, if anywhere)
    locates its ``tools/`` folder and relative paths; ``out`` (where the script will be written,
    if known) makes the script find the tools relative to itself and name itself in its docstring.
    InteropError when the team cannot be written."""
    s = Script(spec, team_file, out)
    s.build_inner = lambda team_id: inner_team(s, team_id)
    if spec.memories:
        s.need("autogen_core.memory", "ListMemory", "MemoryContent", "MemoryMimeType")
        listed = ", ".join(
            f"{py(mid)}: ListMemory(name={py(mid)}, memory_contents=["
            + ", ".join(f"MemoryContent(content={py(e)}, mime_type=MemoryMimeType.TEXT)" for e in m.entries) + "])"
            for mid, m in spec.memories.items()
        )
        s.emit(f"memories = {{{listed}}}  # one instance each, shared by every agent using it")
    try:
        result = outer_team(s)
    except (KeyError, ValueError) as exc:  # a team validation would have refused
        raise InteropError(f"the team cannot be exported to Python: {exc}") from None
    entries = write_models(s)  # after the team: its code names the models it uses
    if spec.termination.timeout is None:
        s.note("info", "the team file sets no run timeout: the script stops after 600 s")
    text = assemble(s, entries, s.body, result)
    return Exported(text, list(s.notes))
