"""Files that are not what they seem, and saves that cannot happen, through the command line.

A FIFO, a symlink loop, a folder or a device named as the team file gives one line and
exit 2, at once (a FIFO used to block validate forever). Saving into a read-only folder
is a one-line error, not an OSError traceback. A save leaves no temporary file behind,
and removes those that killed saves left, but never a live save's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: T
default_model: s
models:
  s: {provider: scripted, responses: [done]}
agents:
  a: {}
orchestration: {pattern: sequential, order: [a]}
termination: {max_messages: 5}
"""
#: An OAI_CONFIG_LIST whose import changes the team file (a key reference, so no keyring is needed).
CONFIG = '[{"model": "gpt-4o-mini", "api_key": "env:OPENAI_API_KEY"}]'
TIMEOUT = 60  # generous: each of these finishes in about a second, unless it hangs


def cli(tmp_path: Path, *args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring", "QT_QPA_PLATFORM": "offscreen"}
    # subprocess.run kills the child and raises TimeoutExpired if it hangs: the test fails, never waits forever.
    return subprocess.run([*prefix, sys.executable, "-m", "designer", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=TIMEOUT)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def make_fifo(path: Path) -> Path:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(path)
    return path


def special(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "team.yaml"
    if kind == "fifo":
        make_fifo(path)
    elif kind == "symlink loop":
        path.symlink_to(tmp_path / "team.yaml")
    elif kind == "folder":
        path.mkdir()
    elif kind == "device":
        path.symlink_to(os.devnull)
    return path


REASONS = {"fifo": "it is a named pipe (FIFO), not a regular file", "symlink loop": "Too many levels of symbolic links",
           "folder": "it is a folder, not a regular file", "device": "it is a device, not a regular file"}


@pytest.mark.parametrize("kind", sorted(REASONS))
@pytest.mark.parametrize("command", ["validate", "run"])
def test_a_team_file_that_is_not_a_regular_file_is_one_line(tmp_path: Path, kind: str, command: str):
    path = special(tmp_path, kind)
    assert one_line(cli(tmp_path, command, str(path))) == f"{path}: error: cannot read the file: {REASONS[kind]}"


@pytest.mark.parametrize("which", ["team", "config"])
def test_models_import_from_or_into_a_fifo_is_one_line(tmp_path: Path, which: str):
    team, config = tmp_path / "team.yaml", tmp_path / "OAI_CONFIG_LIST"
    if which == "team":
        make_fifo(team)
        config.write_text(CONFIG)
    else:
        team.write_text(TEAM)
        make_fifo(config)
    line = one_line(cli(tmp_path, "models", "import", str(config), str(team)))
    assert line.startswith(f"{team if which == 'team' else config}: error: cannot read")
    assert "named pipe (FIFO)" in line


def test_the_workspace_file_tools_refuse_a_fifo_at_once(tmp_path: Path):
    """read_text_file used to block on a FIFO for the whole tool timeout; writing would too."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    make_fifo(workspace / "pipe")
    script = textwrap.dedent(f"""\
        from designer.core.builtin_tools.workspace import WorkspaceError, WorkspaceFiles
        files = WorkspaceFiles({str(workspace)!r})
        for call in (lambda: files.read_text_file("pipe"), lambda: files.write_text_file("pipe", "x")):
            try:
                call()
            except WorkspaceError as exc:
                print(exc)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "cannot read 'pipe': it is a named pipe (FIFO), not a regular file",
        "cannot write 'pipe': it is a named pipe (FIFO), not a regular file",
    ]


def readonly_prefix(folder: Path) -> tuple[str, ...]:
    """How to run a command that finds ``folder`` read-only. Permission bits stop ordinary users;
    root ignores them, so for root the folder is bind-mounted read-only in a private mount
    namespace (nothing outside the command sees it)."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return ()
    unshare = shutil.which("unshare")
    probe = subprocess.run([unshare or "unshare", "-m", "true"], capture_output=True) if unshare else None
    if probe is None or probe.returncode != 0:
        pytest.skip("running as root without mount namespaces: cannot make a folder read-only")
    script = f'mount --bind "{folder}" "{folder}" && mount -o remount,bind,ro "{folder}" && exec "$@"'
    return (unshare, "-m", "sh", "-c", script, "sh")


def test_models_import_into_a_read_only_folder_is_one_line_and_changes_nothing(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    team = folder / "team.yaml"
    team.write_text(TEAM)
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(CONFIG)
    try:
        done = cli(tmp_path, "models", "import", str(config), str(team), prefix=readonly_prefix(folder))
    finally:
        folder.chmod(0o755)
    line = one_line(done)
    assert line in (f"{team}: error: cannot save the team file: Permission denied",
                    f"{team}: error: cannot save the team file: Read-only file system")
    assert team.read_text() == TEAM and sorted(p.name for p in folder.iterdir()) == ["team.yaml"]


def test_a_team_file_with_a_250_byte_name_can_be_saved(tmp_path: Path):
    """The temporary file of a save is short, so it fits beside a name near NAME_MAX (255)."""
    team = tmp_path / ("t" * 245 + ".yaml")
    team.write_text(TEAM)
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(CONFIG)
    done = cli(tmp_path, "models", "import", str(config), str(team))
    assert done.returncode == 0, done.stderr
    assert "  gpt_4o_mini:\n    provider: openai\n    model: gpt-4o-mini\n" in team.read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["OAI_CONFIG_LIST", team.name, "data"])


WRITER = """\
import os, sys, threading
import designer.core.teamfile as teamfile

target = sys.argv[1]

def stuck_replace(src, dst):
    # The temporary file is written and synced: say where it is, then wait to be killed.
    print(src, flush=True)
    threading.Event().wait()

os.replace = stuck_replace
teamfile.atomic_write(target, "half-saved\\n" * 1000)
"""


def start_stuck_save(target: Path) -> tuple[subprocess.Popen[str], Path]:
    """A real process in the middle of saving ``target``, and its temporary file."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    line = writer.stdout.readline().strip() if writer.stdout else ""  # blocks until the temp file is written
    assert line, "the writer did not start its save"
    return writer, Path(line)


def test_a_save_leaves_a_live_saves_temporary_file_alone_and_removes_a_killed_ones(tmp_path: Path):
    team = tmp_path / "team.yaml"
    team.write_text(TEAM)
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(CONFIG)
    writer, temp = start_stuck_save(team)
    try:
        assert temp.parent == tmp_path and temp.exists() and len(temp.name) < 40
        assert cli(tmp_path, "models", "import", str(config), str(team)).returncode == 0
        assert temp.exists(), "a live save's temporary file was removed"
        assert team.read_text().startswith(TEAM.splitlines()[0])
    finally:
        writer.kill()  # SIGKILL: what a crash or an impatient user does mid-save
        writer.wait(timeout=TIMEOUT)
    # The next save (here: a second import, which adds nothing, so save with another model).
    config.write_text('[{"model": "o3-mini", "api_key": "env:OPENAI_API_KEY"}]')
    assert cli(tmp_path, "models", "import", str(config), str(team)).returncode == 0
    assert not temp.exists(), "the killed save's temporary file was left behind"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["OAI_CONFIG_LIST", "data", "team.yaml"]


def test_a_tool_folder_that_is_a_symlink_loop_is_no_folder_not_a_traceback(tmp_path: Path):
    team = tmp_path / "team.yaml"
    team.write_text(TEAM, encoding="utf-8")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    done = cli(tmp_path, "validate", str(team), "--tools", str(tmp_path / "a"))
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout.strip() == f"{team}: ok"
