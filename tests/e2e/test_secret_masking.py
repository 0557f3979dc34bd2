"""A key the run knows never reaches a screen or a file: not through a model reply, a tool's
arguments or its result — in ``run``, ``run --jsonl``, the transcript pane or its exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from designer.core.masking import StreamMasker, remember_secret
from tests.conftest import FIXTURES, ROOT

KEY = "sk-mask-test-0123456789abcdefXYZ"
TEAM = f"""\
schema: team-designer/v1
name: Leaky
task: go
default_model: s
models:
  s:
    provider: scripted
    responses:
    - tool_calls: [{{name: echo, arguments: {{text: "my key is {KEY}"}}}}]
    - "Here it is: {KEY} (and its head {KEY[:8]})"
  # Never used by an agent, but the run knows the key it refers to.
  cloud: {{provider: openai, model: gpt-4o-mini, api_key: env:TD_MASK_TEST_KEY}}
tools:
  echo: {{function: "echotools:echo"}}
agents:
  a: {{tools: [echo], reflect_on_tool_use: true, streaming: true}}
orchestration: {{pattern: round_robin, participants: [a]}}
termination: {{max_messages: 2}}
"""


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TD_MASK_TEST_KEY": KEY, "XDG_DATA_HOME": str(tmp_path / "data")}
    return subprocess.run(
        [sys.executable, "-m", "designer", "run", *args, "--trust", "--tools", str(FIXTURES)],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )


def _team(tmp_path: Path) -> str:
    path = tmp_path / "leaky.yaml"
    path.write_text(TEAM, encoding="utf-8")
    return str(path)


def test_run_masks_the_key_in_messages_tool_calls_and_results(tmp_path: Path):
    done = _cli(tmp_path, _team(tmp_path))
    assert done.returncode == 0, done.stderr
    assert KEY not in done.stdout + done.stderr and KEY[:8] not in done.stdout
    assert "calls echo" in done.stdout and "you said: my key is ***" in done.stdout
    assert "Here it is: ***" in done.stdout and "(and its head ***)" in done.stdout


def test_run_jsonl_masks_every_event(tmp_path: Path):
    done = _cli(tmp_path, _team(tmp_path), "--jsonl")
    assert done.returncode == 0, done.stderr
    assert KEY not in done.stdout and KEY[:8] not in done.stdout
    events = [json.loads(line) for line in done.stdout.splitlines()]
    call = next(e for e in events if e["type"] == "tool_call")
    result = next(e for e in events if e["type"] == "tool_result")
    assert "***" in call["arguments"] and result["content"] == "you said: my key is ***"
    assert events[-1]["type"] == "finished"


def test_the_transcript_pane_and_its_exports_never_show_the_key(make_main_window, qtbot, tmp_path, monkeypatch):
    from designer.core.trust import TrustStore

    monkeypatch.setenv("TD_MASK_TEST_KEY", KEY)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "echotools.py").write_text((FIXTURES / "echotools.py").read_text(), encoding="utf-8")
    w = make_main_window(_team(tmp_path))
    w.preparation.trust = TrustStore(tmp_path / "trust.json")
    w.preparation.ask = lambda items: True
    qtbot.waitUntil(lambda: w.window_actions["run"].isEnabled())
    w.start_run("go")
    qtbot.waitUntil(lambda: not w.runs.running, timeout=30000)
    shown = "\n".join(f"{e.text}\n{e.arguments}\n{e.result}" for e in w.transcript.model.entries)
    assert "Here it is: ***" in shown and KEY not in shown and KEY[:8] not in shown
    w.choose_export_path = lambda title, suffix: str(tmp_path / f"out{suffix}")
    w.window_actions["export_markdown"].trigger()
    w.window_actions["export_jsonl"].trigger()
    for name in ("out.md", "out.jsonl"):
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert "***" in text and KEY not in text and KEY[:8] not in text, name


def test_a_key_split_across_streamed_chunks_is_still_masked():
    """Per-chunk masking would miss a key cut in two; the masker holds back a possible start."""
    secret = "sk-stream-split-key-987654"
    remember_secret(secret)
    masker = StreamMasker()
    pieces = ["The key is sk-str", "eam-split-k", "ey-987654 and more", " text"]
    shown = [masker.feed(p) for p in pieces] + [masker.flush()]
    assert "".join(shown) == "The key is *** and more text"
    assert all(secret[:8] not in s for s in shown)
    # Text that cannot be the start of a secret is never held back; a possible start waits.
    assert masker.feed("plain words.") == "plain words."
    assert masker.feed("ends in s") == "ends in " and masker.feed("o on") == "so on"


def test_any_split_of_a_text_with_keys_shows_exactly_the_masked_text():
    """However a reply is cut into chunks, what is shown is the text with every key masked."""
    import random

    from designer.core.masking import redact

    keys = ["sk-split-one-0123456789abcdef", "tok-two-fedcba9876543210zz"]
    for key in keys:
        remember_secret(key)
    text = f"a {keys[0]} b {keys[1][:10]} c {keys[1]}{keys[0]} s sk- t {keys[0][-8:]} end"
    rng = random.Random(7)
    for _ in range(300):
        cuts = sorted(rng.sample(range(1, len(text)), rng.randint(1, 12)))
        pieces = [text[i:j] for i, j in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        masker = StreamMasker()
        shown = [masker.feed(p) for p in pieces] + [masker.flush()]
        assert "".join(shown) == redact(text), pieces
        assert not any(key[:8] in s or key[-8:] in s for s in shown for key in keys), pieces


def test_a_path_in_a_secret_looking_variable_does_not_garble_other_paths(tmp_path: Path):
    """GOOGLE_APPLICATION_CREDENTIALS holds a path, not a key: other paths that share its head
    are shown as they are (masking the head of a path would garble every path in the transcript)."""
    from designer.core.masking import redact

    creds = str(tmp_path / "keys" / "gcp-service-account.json")
    remember_secret(creds)  # even registered explicitly, only the whole value is masked
    other = str(tmp_path / "keys" / "notes.txt")
    assert redact(f"see {other}") == f"see {other}"
    team = tmp_path / "paths.yaml"
    team.write_text(TEAM.replace("Here it is:", f"Your file {other} and").replace("api_key: env:TD_MASK_TEST_KEY", ""),
                    encoding="utf-8")
    env = {**os.environ, "GOOGLE_APPLICATION_CREDENTIALS": creds, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "designer", "run", str(team), "--trust", "--tools", str(FIXTURES)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"Your file {other} and" in done.stdout
