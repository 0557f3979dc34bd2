"""scripts/start works or explains itself: with no display it says so in one line and runs the
example team in the terminal; missing Qt system libraries are named with the apt command."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from designer.ui import preflight
from tests.conftest import ROOT

#: What ldd prints for Qt's xcb plugin on a fresh Debian/Ubuntu desktop (libxcb-cursor0 absent).
FAKE_LDD = """\
\tlinux-vdso.so.1 (0x00007ffc5b5f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f2b6c000000)
\tlibxcb-cursor.so.0 => not found
\tlibxkbcommon-x11.so.0 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f2b6bf00000)
\tlibxcb-cursor.so.0 => not found
\tlibfrobnicate.so.3 => not found
"""


def headless_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}


def test_start_without_a_display_says_so_and_runs_the_example_in_the_terminal(tmp_path):
    """The real scripts/start, in a copy of the checkout whose bootstrap is already done (a stub:
    the real one would reinstall the shared .venv), on a machine with no display."""
    (tmp_path / "scripts").mkdir()
    shutil.copy2(ROOT / "scripts" / "start", tmp_path / "scripts" / "start")
    (tmp_path / "scripts" / "bootstrap").write_text("#!/usr/bin/env sh\nexit 0\n")
    (tmp_path / "scripts" / "bootstrap").chmod(0o755)
    (tmp_path / ".venv").symlink_to(ROOT / ".venv")
    (tmp_path / "teams").symlink_to(ROOT / "teams")
    env = {**headless_env(), "PYTHONPATH": str(ROOT)}

    # Bounded by work: rectangle_area is sequential with one agent (one tool call, one reply).
    done = subprocess.run([str(tmp_path / "scripts" / "start")], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600, check=False)

    assert done.returncode == 0, done.stderr
    notice = [line for line in done.stderr.splitlines() if "display" in line.lower()]
    assert len(notice) == 1 and "No display" in notice[0] and "teams/rectangle_area.yaml" in notice[0]
    assert "could not load the Qt platform plugin" not in done.stderr and "Traceback" not in done.stderr
    assert "calculate_rectangle_area" in done.stdout and "finished" in done.stdout  # the run happened


def test_check_only_reports_no_display_and_runs_nothing():
    done = subprocess.run([sys.executable, "-m", "designer.ui.preflight", "--check-only"], capture_output=True,
                          text=True, env=headless_env(), cwd=ROOT, timeout=120, check=False)
    assert done.returncode == preflight.EXIT_NO_DISPLAY
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("No display") and done.stdout == ""
    assert "running" not in done.stderr  # it runs nothing, so it does not say it would


def test_missing_libraries_are_named_with_the_apt_command_that_installs_them():
    if not preflight.platform_plugins({"DISPLAY": ":0"}):
        pytest.skip("this PySide6 has no xcb platform plugin to check")
    probed: list[object] = []
    result = preflight.check({"DISPLAY": ":0"}, platform="linux", ldd=lambda plugin: FAKE_LDD,
                             probe=lambda env: probed.append(env) or (True, ""))
    assert result.verdict == "missing_libraries" and result.exit_code == preflight.EXIT_CANNOT_START
    assert result.missing == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libfrobnicate.so.3"]
    assert "sudo apt install libxcb-cursor0 libxkbcommon-x11-0" in result.message
    assert "apt-file search libfrobnicate.so.3" in result.message  # unknown: how to find its package
    assert probed == []  # no child process tries Qt when the answer is already known


def test_ldd_output_parsing_and_package_names():
    assert preflight.missing_libraries(FAKE_LDD) == ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0", "libfrobnicate.so.3"]
    assert preflight.missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []
    assert preflight.install_command(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]) == \
        "sudo apt install libxcb-icccm4 libxcb-keysyms1"


def test_an_unreachable_display_counts_as_none():
    qt_says = ("qt.qpa.xcb: could not connect to display :99\n"
               "qt.qpa.plugin: From 6.5.0, xcb-cursor0 or libxcb-cursor0 is needed to load the Qt xcb platform plugin.\n"
               "This application failed to start because no Qt platform plugin could be initialized.\n")
    result = preflight.check({"DISPLAY": ":99"}, platform="linux", ldd=lambda plugin: "", probe=lambda env: (False, qt_says))
    assert result.verdict == "no_display" and ":99" in result.message and "\n" not in result.message
    assert preflight.command_for(result, []) == ["run", preflight.TERMINAL_TEAM]


def test_another_qt_failure_is_explained_not_run():
    result = preflight.check({"DISPLAY": ":0"}, platform="linux", ldd=lambda plugin: "",
                             probe=lambda env: (False, "qt.qpa.plugin: Could not load the Qt platform plugin \"xcb\"\n"))
    assert result.verdict == "cannot_start" and 'platform plugin "xcb"' in result.message
    assert preflight.command_for(result, ["teams/x.yaml"]) is None


def test_the_window_opens_the_file_given_or_the_example():
    ok = preflight.check({"DISPLAY": ":0"}, platform="linux", ldd=lambda plugin: "", probe=lambda env: (True, ""))
    assert ok.verdict == "ok"
    assert preflight.command_for(ok, []) == [preflight.WINDOW_TEAM]
    assert preflight.command_for(ok, ["mine.yaml"]) == ["mine.yaml"]
    none = preflight.check({}, platform="linux")
    assert preflight.command_for(none, ["mine.yaml"]) == ["run", "mine.yaml"]
    assert preflight.check({}, platform="darwin").verdict == "ok"
    assert Path(ROOT / preflight.WINDOW_TEAM).exists() and Path(ROOT / preflight.TERMINAL_TEAM).exists()


def test_a_headless_subcommand_runs_as_asked_without_a_display():
    done = subprocess.run([sys.executable, "-m", "designer.ui.preflight", "validate", "teams/rectangle_area.yaml"],
                          capture_output=True, text=True, env=headless_env(), cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "teams/rectangle_area.yaml: ok" in done.stdout and "display" not in done.stderr.lower()
