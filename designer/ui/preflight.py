"""Before the window: can Qt open one here? ``scripts/start`` runs this instead of the window.

Qt aborts with a raw "could not load the Qt platform plugin" when there is no display or
when a system library its platform plugin needs is missing (``libxcb-cursor0`` on a fresh
Debian/Ubuntu desktop). This module finds out first, without loading Qt's GUI in this
process: it asks ``ldd`` which libraries the platform plugins lack, then lets a child process
try to connect. Missing libraries are named with the command that installs them; with no
display it says so in one line and runs an example team in the terminal instead.

``python -m designer.ui.preflight [--check-only] [ARGS...]``: ARGS go to ``team-designer``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

#: What the window opens when no file is given, and what runs in the terminal without a display
#: (sequential, one agent: it ends after one reply, a few seconds on the embedded model).
WINDOW_TEAM = "teams/research_report.yaml"
TERMINAL_TEAM = "teams/rectangle_area.yaml"
EXIT_NO_DISPLAY, EXIT_CANNOT_START = 3, 4
#: team-designer's subcommands that open no window (screenshot and diagram draw offscreen):
#: ``scripts/start validate x.yaml`` runs them as they are, with or without a display.
HEADLESS = ("run", "validate", "schema", "screenshot", "diagram", "models", "-h", "--help", "--version")

#: Libraries Qt's xcb and wayland plugins (and Qt GUI under them) load, by Debian/Ubuntu package.
DEBIAN_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0", "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0", "libxcb-xkb.so.1": "libxcb-xkb1", "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1", "libX11.so.6": "libx11-6", "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libSM.so.6": "libsm6", "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1", "libGL.so.1": "libgl1", "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1", "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0", "libdbus-1.so.3": "libdbus-1-3",
    "libwayland-client.so.0": "libwayland-client0", "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)
#: Qt's own words when the display named by DISPLAY/WAYLAND_DISPLAY cannot be reached.
_NO_CONNECTION = ("could not connect to display", "failed to create wl_display", "cannot open display")

Verdict = Literal["ok", "no_display", "missing_libraries", "cannot_start"]


@dataclass
class Check:
    verdict: Verdict
    message: str = ""
    missing: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return {"ok": 0, "no_display": EXIT_NO_DISPLAY}.get(self.verdict, EXIT_CANNOT_START)


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as ``not found``, each once, in its order."""
    return list(dict.fromkeys(_NOT_FOUND.findall(ldd_output)))


def install_command(sonames: Sequence[str]) -> str:
    """The apt command for the known libraries; unknown ones are named for apt-file to find."""
    packages = list(dict.fromkeys(DEBIAN_PACKAGES[s] for s in sonames if s in DEBIAN_PACKAGES))
    unknown = [s for s in sonames if s not in DEBIAN_PACKAGES]
    parts = [f"sudo apt install {' '.join(packages)}"] if packages else []
    parts += [f"apt-file search {s}" for s in unknown]
    return "; ".join(parts)


def platform_plugins(env: Mapping[str, str]) -> list[Path]:
    """The platform plugins Qt would try for this session: wayland first when it is one, then xcb."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "Qt" / "plugins" / "platforms"
    names = (["libqwayland.so"] if env.get("WAYLAND_DISPLAY") else []) + (["libqxcb.so"] if env.get("DISPLAY") else [])
    return [folder / n for n in names if (folder / n).exists()]


def run_ldd(path: Path) -> str:
    try:
        return subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return ""  # no ldd (or it hung): the child process's try below still tells


def try_qt(env: Mapping[str, str]) -> tuple[bool, str]:
    """Let a child process connect to the display as the window would; (worked, Qt's output)."""
    code = "import sys; from PySide6.QtGui import QGuiApplication; QGuiApplication(sys.argv[:1])"
    try:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                              env=dict(env), check=False)
    except subprocess.TimeoutExpired:
        return False, "connecting to the display did not finish within 60 s"
    return done.returncode == 0, done.stderr


def check(env: Mapping[str, str] | None = None, *, platform: str = sys.platform,
          ldd: Callable[[Path], str] = run_ldd, probe: Callable[[Mapping[str, str]], tuple[bool, str]] = try_qt) -> Check:
    env = os.environ if env is None else env
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM"):
        return Check("ok")  # other systems always have a display; a chosen platform is the user's call
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return Check("no_display", "No display here (DISPLAY and WAYLAND_DISPLAY are unset): "
                                   f"running {TERMINAL_TEAM} in the terminal instead of opening the window.")
    plugins = platform_plugins(env)
    lacking = [missing_libraries(ldd(p)) for p in plugins]
    if plugins and all(lacking):  # a session with a usable plugin starts on that one
        names = list(dict.fromkeys(s for group in lacking for s in group))
        return Check("missing_libraries",
                     f"The window cannot start: Qt needs system libraries that are missing: {', '.join(names)}.\n"
                     f"Install them (Debian/Ubuntu): {install_command(names)}", names)
    worked, output = probe(env)
    if worked:
        return Check("ok")
    if any(words in output.lower() for words in _NO_CONNECTION):
        where = env.get("WAYLAND_DISPLAY") or env.get("DISPLAY")
        return Check("no_display", f"Cannot reach the display {where}: running {TERMINAL_TEAM} in the terminal "
                                   "instead of opening the window.")
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    detail = next((line for line in lines if "plugin" in line.lower()), lines[-1] if lines else "no message")
    return Check("cannot_start", f"The window cannot start: {detail}\n"
                                 "Run with QT_DEBUG_PLUGINS=1 to see what Qt tried.")


def command_for(result: Check, args: Sequence[str]) -> list[str] | None:
    """The team-designer arguments to run after the check (None: nothing runs)."""
    if result.verdict == "ok":
        return list(args) or [WINDOW_TEAM]
    if result.verdict == "no_display":
        files = [a for a in args if a.endswith((".yaml", ".yml"))]
        return ["run", files[0] if files else TERMINAL_TEAM]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check_only = "--check-only" in args
    args = [a for a in args if a != "--check-only"]
    result = Check("ok") if args and args[0] in HEADLESS else check()
    message = result.message
    if check_only and result.verdict == "no_display":  # nothing runs instead: say only what was found
        message = message.split(": running ")[0] + "."
    if message:
        print(message, file=sys.stderr)
    command = command_for(result, args)
    if check_only or command is None:
        return result.exit_code
    sys.stderr.flush()
    # Replace this process: Ctrl-C, exit codes and the terminal belong to team-designer itself.
    os.execv(sys.executable, [sys.executable, "-m", "designer", *command])


if __name__ == "__main__":
    sys.exit(main())
