"""Keys go to the keyring (or nowhere, with an env var to set), OAI_CONFIG_LIST imports move
keys out of the file, and the leak scanner really finds a planted key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.core.edits import new_team
from designer.core.oai_config import OaiConfigError, import_oai_config, parse_oai_config, read_oai_config
from designer.core.secrets import KEYRING_SERVICE, env_var_name, is_reference, keyring_status, store_key
from designer.core.teamfile import dump_team, save_team
from designer.runtime.models import resolve_secret
from tests import leakcheck


def test_a_key_goes_into_the_keyring_and_the_spec_gets_a_reference(memory_keyring):
    key = leakcheck.typed_key("store")
    stored = store_key("my model", key)
    assert stored.in_keyring and stored.ref == "keyring:my_model" and stored.env_var is None
    assert memory_keyring.entries[(KEYRING_SERVICE, "my_model")] == key
    assert key not in stored.message
    assert resolve_secret(stored.ref, "m") == key, "a run finds it again"


def test_without_a_keyring_the_key_is_dropped_and_an_env_var_is_named(no_keyring):
    status = keyring_status()
    assert not status.usable and "no system keyring is available" in status.reason
    key = leakcheck.typed_key("nokeyring")
    stored = store_key("openai", key, env_var="OPENAI_API_KEY")
    assert not stored.in_keyring and stored.ref == "env:OPENAI_API_KEY" and stored.env_var == "OPENAI_API_KEY"
    assert "set it before running (for example: export OPENAI_API_KEY=...)" in stored.message
    assert "The key itself was not saved anywhere." in stored.message and key not in stored.message
    assert env_var_name("work-gpt.4") == "WORK_GPT_4"


def test_references_are_recognised_and_keys_are_not():
    assert is_reference("env:OPENAI_API_KEY") and is_reference("keyring:team/openai")
    assert not is_reference("sk-abc123") and not is_reference("env:") and not is_reference("env:A B")


def oai_entries() -> tuple[list[dict], str, str]:
    key, azure_key = leakcheck.typed_key("oai"), leakcheck.typed_key("oai-azure")
    entries = [
        {"model": "gpt-4o-mini", "api_key": key},
        {"model": "gpt-4o", "api_key": key, "tags": ["big"]},
        {"model": "my-deployment", "api_key": azure_key, "base_url": "https://res.openai.azure.com/", "api_type": "azure",
         "api_version": "2024-10-21"},
        {"model": "llama3.2", "base_url": "http://127.0.0.1:11434", "api_type": "ollama"},
        {"model": "claude-3-5-haiku-latest", "api_type": "anthropic", "api_key": "env:ANTHROPIC_API_KEY"},
        {"model": "gemini-2.0-flash", "api_type": "google"},
        {"model": "local", "base_url": "http://127.0.0.1:8080/v1", "api_key": "NotRequired"},
        {"model": "x", "api_type": "bedrock"},
    ]
    return entries, key, azure_key


def test_oai_config_list_becomes_model_entries_with_keys_in_the_keyring(memory_keyring):
    entries, key, azure_key = oai_entries()
    report = import_oai_config(new_team(), entries)
    models = report.spec.models
    assert report.added == ["gpt_4o_mini", "gpt_4o", "my_deployment", "llama3_2", "claude_3_5_haiku_latest",
                            "gemini_2_0_flash", "local"]
    assert models["gpt_4o_mini"].api_key == models["gpt_4o"].api_key == "keyring:gpt_4o_mini", "one entry per key"
    assert memory_keyring.entries[(KEYRING_SERVICE, "gpt_4o_mini")] == key
    assert memory_keyring.entries[(KEYRING_SERVICE, "my_deployment")] == azure_key
    azure = models["my_deployment"]
    assert (azure.provider, azure.deployment, azure.api_version) == ("azure_openai", "my-deployment", "2024-10-21")
    assert (models["llama3_2"].provider, models["llama3_2"].base_url) == ("ollama", "http://127.0.0.1:11434/v1")
    assert models["claude_3_5_haiku_latest"].api_key == "env:ANTHROPIC_API_KEY"
    assert models["gemini_2_0_flash"].provider == "gemini" and models["gemini_2_0_flash"].api_key == "env:GEMINI_API_KEY"
    assert models["local"].provider == "openai_compatible"
    assert "Skipped entry 8 (x): api_type 'bedrock' is not supported." in report.text()
    text = dump_team(report.spec) + report.text()
    assert key not in text and azure_key not in text and "NotRequired" not in dump_team(report.spec)


def test_without_a_keyring_an_import_names_the_env_vars_and_keeps_no_key(no_keyring, tmp_path: Path):
    entries, key, _azure_key = oai_entries()
    report = import_oai_config(new_team(), entries)
    assert report.spec.models["gpt_4o_mini"].api_key == "env:OPENAI_API_KEY"
    assert report.spec.models["my_deployment"].api_key == "env:AZURE_OPENAI_API_KEY"
    assert report.env_vars[:2] == ["OPENAI_API_KEY", "AZURE_OPENAI_API_KEY"]
    assert "set it before running" in report.text()
    save_team(report.spec, tmp_path / "team.yaml")  # the session's leak scan reads this file too
    assert key not in (tmp_path / "team.yaml").read_text()


def test_bad_oai_config_files_say_what_is_wrong_without_quoting_them(tmp_path: Path):
    key = leakcheck.typed_key("badjson")
    with pytest.raises(OaiConfigError, match=r"not valid JSON \(line 1, column") as info:
        parse_oai_config('[{"model": "m", "api_key": "' + key + '",}]')
    assert key not in str(info.value)
    with pytest.raises(OaiConfigError, match="entry 1 has no 'model' name"):
        parse_oai_config(json.dumps([{"api_key": "x"}]))
    with pytest.raises(OaiConfigError, match="cannot read"):
        read_oai_config(tmp_path / "missing.json")


def test_the_leak_scanner_finds_a_planted_key(tmp_path: Path):
    """The end-of-session scan is only as good as this: it must see a key wherever it lands."""
    key = f"sk-planted-scanner-{'0123456789abcdef' * 2}"
    (tmp_path / "clean.yaml").write_text("api_key: env:OPENAI_API_KEY\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    (nested / "export.jsonl").write_text(json.dumps({"type": "message", "content": f"key is {key}"}) + "\n")
    (tmp_path / "partial.log").write_text(f"Incorrect API key provided: sk-****{key[-16:]}\n")
    hits = leakcheck.scan_for_secrets([tmp_path], [key])
    assert sorted(p.name for p, _ in hits) == ["export.jsonl", "partial.log"]
    assert all(what.endswith("…") and key not in what for _, what in hits)
    assert leakcheck.scan_for_secrets([tmp_path], [key], since=4102444800.0) == [], "older files are skipped"
    for path, _ in hits:  # this deliberate leak must not fail the session's own scan
        path.unlink()


def test_a_session_that_writes_a_planted_key_fails(tmp_path: Path):
    """The session-level guard end to end: a nested pytest run whose test logs the key fails."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(
        "from tests.conftest import *  # noqa\nfrom tests.conftest import _isolated_qt_settings, _secret_leak_guard  # noqa\n")
    (suite / "test_leak.py").write_text(
        "import os\n\ndef test_logs_the_key(tmp_path):\n"
        "    (tmp_path / 'run.log').write_text('calling with ' + os.environ['OPENAI_API_KEY'])\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'inner'}", f"--rootdir={suite}"],
                          capture_output=True, text=True, cwd=suite, env=env, timeout=120)
    assert done.returncode != 0, done.stdout
    assert "a planted API key was written to 1 file(s)" in done.stdout and "run.log" in done.stdout
    assert "1 passed, 1 error" in done.stdout


def test_a_local_servers_placeholder_key_is_no_key(memory_keyring):
    # Ollama's and LM Studio's docs put "ollama" / "lm-studio" where a key goes: nothing to store or set.
    entries = [{"model": "llama3", "base_url": "http://127.0.0.1:11434/v1", "api_type": "ollama", "api_key": "ollama"},
               {"model": "qwen", "base_url": "http://127.0.0.1:1234/v1", "api_key": "lm-studio"},
               {"model": "gpt-4o-mini", "api_key": "ollama"}]  # a cloud model's key is a key, whatever it says
    report = import_oai_config(new_team(), entries)
    models = report.spec.models
    assert models["llama3"].api_key is None and models["qwen"].api_key is None
    assert report.env_vars == [] and models["gpt_4o_mini"].api_key == "keyring:gpt_4o_mini"
    assert [m for m in report.messages if "keyring" in m] == [m for m in report.messages if "gpt_4o_mini" in m]


def test_a_file_nested_past_the_parsers_stack_is_refused_in_plain_words():
    with pytest.raises(OaiConfigError, match="nested far too deeply"):
        parse_oai_config("[" * 100_000)
