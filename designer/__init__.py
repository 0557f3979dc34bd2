"""Team Designer: design, run and share multi-agent LLM teams on Microsoft AutoGen AgentChat."""

import os
import sys

__version__ = "0.1.0"


def _forget_the_start_folder() -> None:
    """Under ``python -m designer``, drop the folder the user started in from ``sys.path``.

    ``-m`` puts that folder first on ``sys.path``, so a ``yaml.py`` (or any file named like a
    dependency) in it would be imported instead of the real package — running whatever is
    in the folder the user happened to be in, for example one holding a shared team. The
    ``team-designer`` script puts its own ``bin`` folder there instead, which is safe.

    This runs while ``designer`` itself is imported, before any other import: until then
    Python has imported only ``runpy`` (frozen into the interpreter) and what ``site`` loaded
    before the folder was added. ``sys.argv[0]`` is ``"-m"`` exactly while ``-m`` looks for
    the module, so importing ``designer`` as a library leaves its caller's path alone.
    A ``designer`` folder in the start folder still wins, as for any ``-m`` command.
    """
    if sys.argv[:1] != ["-m"] or sys.flags.safe_path or not sys.path:
        return  # not `python -m`, or -P / PYTHONSAFEPATH / -I already left the folder out
    try:
        first = os.path.realpath(sys.path[0] or os.curdir)
        here = os.path.realpath(os.getcwd())
    except OSError:  # the start folder was deleted: nothing to import from it either
        return
    if first == here:
        del sys.path[0]


_forget_the_start_folder()

# pydantic scans every installed distribution for plugins the first time a model is built
# (~25 ms of start-up); Team Designer uses none. An explicit setting by the user still wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
