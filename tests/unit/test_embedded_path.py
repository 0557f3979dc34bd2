"""Any local GGUF file as the embedded model (``path:``), its chat template from the file, the
repetition penalty, and replies cleaned of the prompt's own markers.

The real-model tests use the shipped SmolLM2 file copied to another path, and are bounded by
work: a handful of tokens, one or two messages.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from autogen_core.models import SystemMessage, UserMessage

from designer.core.gguf import GgufError, model_file, path_for_file, read_info
from designer.core.spec import ModelSpec
from designer.core.validate import validate_file
from designer.runtime import embedded, embedded_model
from designer.runtime.embedded import EmbeddedChatCompletionClient, gguf_path
from designer.runtime.embedded_prompt import ReplyCleaner, render_chatml, strip_markers
from designer.runtime.models import ModelSetupError, build_client
from tests.conftest import ROOT

TEAM = """\
schema: team-designer/v1
name: Other file
task: Say hello.
default_model: local
models:
  local:
    provider: embedded
    path: {path}
    options: {{max_tokens: 8, temperature: 0, seed: 1, repeat_penalty: 1.2}}
agents:
  writer: {{system_message: You write one short line.}}
orchestration: {{pattern: sequential, order: [writer]}}
termination: {{max_messages: 2, timeout: 120}}
"""


@pytest.fixture(scope="module")
def other_gguf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped SmolLM2 file under another name, as a user's downloaded model would be."""
    target = tmp_path_factory.mktemp("models") / "other.gguf"
    shutil.copyfile(gguf_path(), target)
    return target


def run_cli(team: Path, *extra: str, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **({"HOME": str(home)} if home else {})}
    return subprocess.run([sys.executable, "-m", "designer", "run", "--jsonl", str(team), *extra],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_a_team_runs_on_a_gguf_file_given_by_a_relative_path(tmp_path: Path, other_gguf: Path) -> None:
    """``path:`` relative to the team file: a real run through the CLI replies, on the copy."""
    folder = tmp_path / "team"
    folder.mkdir()
    shutil.copyfile(other_gguf, tmp_path / "other.gguf")
    team = folder / "team.yaml"
    team.write_text(TEAM.format(path="../other.gguf"), encoding="utf-8")
    out = run_cli(team)
    assert out.returncode == 0, out.stderr
    events = [json.loads(line) for line in out.stdout.splitlines()]
    replies = [e for e in events if e["type"] == "message" and e["agent"] == "writer"]
    assert replies and replies[0]["content"].strip(), events
    finished = events[-1]
    assert finished["type"] == "finished" and 0 < finished["completion_tokens"] <= 8 + 2, finished


def test_a_home_relative_path_is_expanded(tmp_path: Path, other_gguf: Path) -> None:
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    shutil.copyfile(other_gguf, home / "models" / "mine.gguf")
    team = tmp_path / "team.yaml"
    team.write_text(TEAM.format(path="~/models/mine.gguf"), encoding="utf-8")
    os_home = os.environ.get("HOME")
    try:
        os.environ["HOME"] = str(home)
        assert model_file("~/models/mine.gguf", None) == home / "models" / "mine.gguf"
        assert not [p for p in validate_file(team).problems if p.severity == "error"]
        assert path_for_file(home / "models" / "mine.gguf", tmp_path / "elsewhere") == "~/models/mine.gguf"
    finally:
        if os_home is None:
            del os.environ["HOME"]
        else:
            os.environ["HOME"] = os_home


def test_a_missing_model_file_is_a_located_error_and_exit_code_2(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(TEAM.format(path="models/missing.gguf"), encoding="utf-8")
    out = run_cli(team)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr and out.stdout == ""
    missing = tmp_path / "models" / "missing.gguf"
    line = out.stderr.strip().splitlines()[0]
    assert line.startswith(f"{team}:8:") and f"model file not found: {missing}" in line, line
    # A caller that skips validation still gets words, not a crash deep in llama.cpp.
    with pytest.raises(ModelSetupError, match="model file not found"):
        build_client(ModelSpec(provider="embedded", path="models/missing.gguf"), "local", base_dir=tmp_path)


def test_a_file_that_is_not_gguf_is_refused_in_words(tmp_path: Path) -> None:
    fake = tmp_path / "notes.gguf"
    fake.write_text("hello", encoding="utf-8")
    team = tmp_path / "team.yaml"
    team.write_text(TEAM.format(path="notes.gguf"), encoding="utf-8")
    errors = [p for p in validate_file(team).problems if p.severity == "error"]
    assert [p.message for p in errors] == [f"not a GGUF model file: {fake}"]
    with pytest.raises(GgufError, match="not a GGUF file"):
        read_info(fake)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_a_path_naming_a_fifo_or_device_is_refused_without_blocking(tmp_path: Path) -> None:
    """A received team file is validated on open: ``path: some_fifo`` (or /dev/zero) must be a
    located error at once, never a read that waits for a writer forever."""
    os.mkfifo(tmp_path / "pipe.gguf")
    for path, kind in (("pipe.gguf", "a named pipe (FIFO)"), ("/dev/zero", "a device")):
        team = tmp_path / "team.yaml"
        team.write_text(TEAM.format(path=path), encoding="utf-8")
        # In a child process with a time limit: a regression hangs that process, not the suite.
        done = subprocess.run([sys.executable, "-m", "designer", "validate", str(team)], capture_output=True,
                              text=True, cwd=ROOT, timeout=60)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"it is {kind}, not a regular file" in done.stderr and "[models.local.path]" in done.stderr
        with pytest.raises(GgufError, match=re.escape(f"it is {kind}")):
            read_info(path if path.startswith("/") else tmp_path / path)


def test_a_header_of_deeply_nested_arrays_is_refused_in_words(tmp_path: Path) -> None:
    """A crafted file (thousands of arrays in arrays, a few KB) is a GgufError, not a RecursionError
    escaping the Models dialog."""
    import struct

    key = b"x"
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", len(key)) + key + struct.pack("<I", 9)
    nested = tmp_path / "nested.gguf"
    nested.write_bytes(header + struct.pack("<IQ", 9, 1) * 5000 + struct.pack("<IQ", 4, 0))
    with pytest.raises(GgufError, match="nests arrays too deeply"):
        read_info(nested)


def test_the_chat_template_comes_from_the_file(other_gguf: Path) -> None:
    """The header is read without loading the model, and the loaded model's prompts use it."""
    info = read_info(other_gguf)
    assert info.architecture == "llama" and info.context_length == 8192
    assert info.chat_template is not None and "<|im_start|>" in info.chat_template
    template = embedded_model.chat_template(other_gguf)
    assert template.uses_file_template and template.template == info.chat_template
    # SmolLM2's own template adds its default system turn when a conversation has none; the
    # hand-written ChatML does not: only the file's template can have written this.
    prompt = template.render([UserMessage(content="Hi", source="user")], [])
    assert prompt.startswith("<|im_start|>system\nYou are a helpful AI assistant named SmolLM")
    assert prompt.endswith("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")
    with_system = [SystemMessage(content="Be brief."), UserMessage(content="Hi", source="user")]
    assert template.render(with_system, []) == render_chatml(with_system, [])
    # Loaded once, by path, next to (not instead of) the built-in model.
    assert embedded_model.shared_llama(other_gguf) is embedded_model.shared_llama(other_gguf)
    assert str(other_gguf.resolve()) in embedded_model._models


def test_repeat_penalty_and_max_tokens_reach_llama_cpp(other_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = embedded_model.shared_llama(other_gguf)
    calls: list[dict[str, Any]] = []

    class Recording:
        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

        def create_completion(self, prompt: str, **kwargs: Any) -> Any:
            calls.append(kwargs)
            return real.create_completion(prompt, **kwargs)

    monkeypatch.setattr(embedded, "shared_llama", lambda path=None: Recording())
    spec = ModelSpec(provider="embedded", path=str(other_gguf), options={"repeat_penalty": 1.3, "max_tokens": 5, "seed": 3})
    client = build_client(spec, "local")
    result = asyncio.run(client.create([UserMessage(content="Count to ten.", source="user")]))
    assert calls and calls[-1]["repeat_penalty"] == 1.3 and calls[-1]["max_tokens"] == 5 and calls[-1]["seed"] == 3
    assert 0 < result.usage.completion_tokens <= 6
    # Other providers never see it (their HTTP clients would reject the argument).
    openai = build_client(ModelSpec(provider="ollama", model="x", options={"repeat_penalty": 1.3}), "o")
    assert "repeat_penalty" not in getattr(openai, "_create_args", {})


def test_the_client_defaults_to_the_built_in_model() -> None:
    client = EmbeddedChatCompletionClient(max_tokens=4, temperature=0, seed=1)
    asyncio.run(client.create([UserMessage(content="Hi", source="user")]))
    assert str(gguf_path().resolve()) in embedded_model._models


# --- the "functions.analyst:" leak ---------------------------------------------------------


@pytest.mark.parametrize(("reply", "clean"), [
    ("functions.analyst:\nThe bakery should sell online.", "The bakery should sell online."),
    ("functions.analyst: The bakery should sell online.", "The bakery should sell online."),
    ("message:\nfunctions.researcher:\nYes.", "Yes."),
    ("  message: Yes.", "Yes."),
    ("Functional bread is good.", "Functional bread is good."),
    ("The analyst (functions.analyst:) said yes.", "The analyst (functions.analyst:) said yes."),
])
def test_markers_at_the_start_of_a_reply_are_stripped(reply: str, clean: str) -> None:
    assert strip_markers(reply) == clean


@pytest.mark.parametrize("pieces", [
    ["func", "tions.ana", "lyst", ":\n", "The ", "answer."],
    ["functions.analyst:\nThe answer."],
    ["mess", "age:", "\n", "The ", "answer."],
    ["The ", "answer."],
])
def test_a_streamed_reply_never_shows_the_markers(pieces: list[str]) -> None:
    cleaner = ReplyCleaner()
    shown = [cleaner.feed(p) for p in pieces] + [cleaner.finish()]
    assert "".join(shown) == "The answer."
    assert not any("functions" in s or "message" in s for s in shown)


def test_a_reply_that_is_only_a_marker_is_empty_not_the_marker() -> None:
    cleaner = ReplyCleaner()
    assert cleaner.feed("functions.analyst:") == "" and cleaner.finish() == ""


def test_models_test_finds_a_relative_path_from_the_team_file(tmp_path: Path, other_gguf: Path) -> None:
    """The connection test runs the entry alone, from another folder: the path still starts at the team file."""
    (tmp_path / "team").mkdir()
    shutil.copyfile(other_gguf, tmp_path / "other.gguf")
    team = tmp_path / "team" / "team.yaml"
    team.write_text(TEAM.format(path="../other.gguf"), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run([sys.executable, "-m", "designer", "models", "test", str(team), "local"],
                         capture_output=True, text=True, cwd=elsewhere, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "model file not found" not in out.stdout + out.stderr
    assert "Answer:    yes" in out.stdout, out.stdout + out.stderr
