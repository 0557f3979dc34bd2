"""The log file: where it is, what goes in (never a key), --verbose, and a folder that cannot be written.

The command line is driven as a subprocess with its own XDG_DATA_HOME (and without the
suite's TEAM_DESIGNER_DATA_DIR override), so the log lands where a user's would.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

from designer import __version__
from designer.core import logs
from designer.core.logs import close_logging, log_path, read_tail, setup_logging
from designer.core.masking import remember_secret
from tests import leakcheck
from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: Quiet
task: hi
default_model: s
models:
  s: {provider: scripted, responses: ["hello DONE"]}
agents:
  a: {streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {text: DONE, max_messages: 4}
"""

# A model whose server answers 401 and quotes the key it was sent, as real servers do.
ECHOED = """\
schema: team-designer/v1
name: Echoed key
task: hi
default_model: m
models:
  m:
    provider: openai_compatible
    model: fake
    base_url: BASE
    api_key: env:TD_LOG_TEST_KEY
    model_info: {function_calling: true, json_output: false, family: unknown}
agents:
  a: {streaming: false}
orchestration: {pattern: round_robin, participants: [a]}
termination: {max_messages: 2}
"""


@pytest.fixture(autouse=True)
def _no_handlers_left(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(logs.DEBUG_ENV, raising=False)  # setup_logging(verbose=True) sets it
    yield
    close_logging()


def cli(data_home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TEAM_DESIGNER_DATA_DIR"}
    env.update(XDG_DATA_HOME=str(data_home))
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True, cwd=ROOT,
                          env=env, timeout=120)


def cli_log(data_home: Path) -> str:
    return (data_home / "team-designer" / "logs" / "team-designer.log").read_text(encoding="utf-8")


def team(tmp_path: Path, text: str = TEAM) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(path)


# --- in the process --------------------------------------------------------------------------------


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG_DATA_HOME is the Linux data folder")
def test_the_log_lives_beside_the_trust_store_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from designer.core.trust import default_trust_path

    monkeypatch.delenv("TEAM_DESIGNER_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert log_path() == tmp_path / "team-designer" / "logs" / "team-designer.log"
    assert default_trust_path() == tmp_path / "team-designer" / "trust.json"


def test_a_key_is_masked_in_the_message_its_arguments_and_a_traceback(tmp_path: Path):
    key = leakcheck.typed_key("log-record")
    remember_secret(key)  # as the runtime does when it resolves env:NAME or keyring:NAME
    path = setup_logging(path=tmp_path / "logs" / "x.log")
    assert path == tmp_path / "logs" / "x.log"
    log = logging.getLogger("designer.test_logs")
    log.warning("as an argument: %s", key)
    log.info(f"in the message: {key}")
    try:
        raise ValueError(f"the server said: invalid key {key}")
    except ValueError:
        log.error("a call failed", exc_info=True)
    close_logging()
    text = path.read_text(encoding="utf-8")
    assert key not in text and key[-8:] not in text
    assert "as an argument: ***" in text and "in the message: ***" in text
    assert "ValueError: the server said: invalid key ***" in text  # the traceback is there, masked
    first = text.splitlines()[0]
    assert " WARNING designer.test_logs: " in first and first[:4].isdigit()  # time, level, logger name


def test_the_file_rotates_and_keeps_three_backups(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setattr(logs, "MAX_BYTES", 2_000)
    path = setup_logging(path=tmp_path / "rot.log")
    log = logging.getLogger("designer.test_logs")
    for n in range(200):
        log.info("line %03d %s", n, "x" * 80)
    close_logging()
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["rot.log", "rot.log.1", "rot.log.2", "rot.log.3"]
    assert all(p.stat().st_size <= 2_000 for p in tmp_path.iterdir())
    assert "line 199" in path.read_text()


def test_the_tail_starts_at_a_whole_line(tmp_path: Path):
    path = tmp_path / "big.log"
    path.write_text("".join(f"line {n:04d} {'y' * 40}\n" for n in range(1000)))
    tail = read_tail(path, max_bytes=500)
    assert tail.startswith("line ") and tail.endswith("line 0999 " + "y" * 40 + "\n")
    assert read_tail(tmp_path / "missing.log") == ""


# --- the command line ---------------------------------------------------------------------------


def test_a_command_leaves_its_start_and_end_in_the_log_file(tmp_path: Path):
    done = cli(tmp_path / "data", "run", team(tmp_path), "--task", "the secret plan")
    assert done.returncode == 0, done.stderr
    text = cli_log(tmp_path / "data")
    assert f"INFO designer.cli.main: team-designer {__version__}: run (Python" in text
    assert "run ended with exit code 0" in text
    assert "the secret plan" not in text  # the start line names the command, never its arguments
    assert "DEBUG" in text  # the file keeps debug lines even without --verbose
    assert "DEBUG" not in done.stderr


@pytest.mark.parametrize("where", ["before", "after", "nested"])
def test_verbose_anywhere_on_the_line_prints_debug_lines_on_stderr(tmp_path: Path, where: str):
    path = team(tmp_path)
    args = {"before": ["--verbose", "validate", path], "after": ["validate", path, "-v"],
            "nested": ["models", "list", path, "--verbose"]}[where]
    done = cli(tmp_path / "data", *args)
    assert done.returncode == 0, done.stderr
    assert " DEBUG designer.cli.main: log file: " in done.stderr
    assert " INFO designer.cli.main: team-designer " in done.stderr
    quiet = cli(tmp_path / "data", *[a for a in args if a not in ("-v", "--verbose")])
    assert quiet.returncode == 0 and "designer.cli.main" not in quiet.stderr


def test_a_data_folder_that_cannot_be_written_costs_only_the_log_file(tmp_path: Path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    done = cli(blocker, "validate", team(tmp_path))
    assert done.returncode == 0 and done.stdout.strip().endswith(": ok")
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("team-designer: no log file (") and str(blocker) in lines[0]


@pytest.mark.parametrize("verbose", [False, True])
def test_a_key_the_server_echoes_never_reaches_the_log_or_the_terminal(tmp_path: Path, fake_model_server, verbose: bool):
    key = leakcheck.typed_key("log-echo")
    fake_model_server.routes["POST /v1/chat/completions"] = (401, lambda request: {"error": {
        "message": f"Incorrect API key provided: {request['headers'].get('authorization')}",
        "type": "invalid_request_error", "code": "invalid_api_key"}})
    path = team(tmp_path, ECHOED.replace("BASE", fake_model_server.base()))
    env = {k: v for k, v in os.environ.items() if k != "TEAM_DESIGNER_DATA_DIR"}
    env.update(XDG_DATA_HOME=str(tmp_path / "data"), TD_LOG_TEST_KEY=key)
    flags = ["--verbose"] if verbose else []
    done = subprocess.run([sys.executable, "-m", "designer", *flags, "models", "test", path], capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert any(key in r["headers"].get("authorization", "") for r in fake_model_server.requests)  # it was sent
    text = cli_log(tmp_path / "data")
    # The server's words are in the log (with the traceback), so an unmasked key would be too.
    assert "Incorrect API key provided: Bearer ***" in text and "Traceback" in text
    for output in (text, done.stdout, done.stderr):
        assert key not in output and key[-8:] not in output
    if verbose:
        assert "Incorrect API key provided: Bearer ***" in done.stderr
