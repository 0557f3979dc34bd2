"""``python -m designer models list|test|import`` as a user runs it: output and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from tests import leakcheck
from tests.conftest import ROOT
from tests.model_fixtures import chat_chunks, closed_port


def cli(tmp_path: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # A private probe cache, and keyring's fail backend: a CLI test never touches a real keyring.
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data"),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    return subprocess.run([sys.executable, "-m", "designer", "models", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)


def team(tmp_path: Path, models: str) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(textwrap.dedent("""\
        schema: team-designer/v1
        name: T
        default_model: local
        models:
        {models}
        tools:
          area: {{builtin: calculate_rectangle_area}}
        agents:
          a: {{tools: [area]}}
        orchestration: {{pattern: sequential, order: [a]}}
        """).format(models=textwrap.indent(textwrap.dedent(models), "  ")), encoding="utf-8")
    return str(path)


def test_models_list_shows_ids_providers_and_capabilities(tmp_path: Path):
    path = team(tmp_path, """\
        local: {provider: ollama, model: llama3.2, model_info: {function_calling: true, family: llama}}
        cloud: {provider: openai, model: gpt-4o-mini, api_key: "env:OPENAI_API_KEY"}
        """)
    done = cli(tmp_path, "list", path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "local: ollama llama3.2 at http://127.0.0.1:11434/v1",
        "    capabilities: function_calling; family llama",
        "cloud: openai gpt-4o-mini",
        "    capabilities: vision, function_calling, json_output, structured_output; family unknown",
        "    api key: env:OPENAI_API_KEY",
    ]


def test_models_test_exits_1_with_the_plain_words_report_and_remembers_it(tmp_path: Path):
    port = closed_port()
    path = team(tmp_path, f'local: {{provider: openai_compatible, model: m, base_url: "http://127.0.0.1:{port}/v1", '
                          'model_info: {function_calling: true}}')
    done = cli(tmp_path, "test", path, "local", "--timeout", "5")
    assert done.returncode == 1, done.stderr
    assert f"connection refused: nothing is listening at http://127.0.0.1:{port}/v1 — is the server running?" in done.stdout
    assert done.stdout.rstrip().endswith("0 of 1 model passed")
    listed = cli(tmp_path, "list", path)
    assert "    last test (" in listed.stdout and "FAILED: connection refused" in listed.stdout
    validated = subprocess.run([sys.executable, "-m", "designer", "validate", path], capture_output=True, text=True,
                               cwd=ROOT, env={**os.environ, "TEAM_DESIGNER_DATA_DIR": str(tmp_path / "data")})
    assert validated.returncode == 0, "a failed test is a warning, not an error"
    assert "warning: model 'local' failed its connection test" in validated.stderr


def test_models_test_exits_0_when_every_model_answers_and_calls_the_tool(tmp_path: Path, fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = (
        200, lambda r: chat_chunks(tool_call=("add", '{"a": 2, "b": 3}')) if "tools" in json.loads(r["body"])
        else chat_chunks("Hello."))
    path = team(tmp_path, f'local: {{provider: openai_compatible, model: m, base_url: "{fake_model_server.base()}", '
                          'model_info: {function_calling: true}}')
    done = cli(tmp_path, "test", path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Result:    passed — the model answers and calls tools" in done.stdout
    assert done.stdout.rstrip().endswith("1 of 1 model passed")


def test_bad_files_and_arguments_exit_2(tmp_path: Path):
    path = team(tmp_path, "local: {provider: embedded}")
    assert cli(tmp_path, "test", path, "nope").returncode == 2
    assert "unknown model 'nope'" in cli(tmp_path, "test", path, "nope").stderr
    assert cli(tmp_path, "test", str(tmp_path / "missing.yaml")).returncode == 2
    assert cli(tmp_path, "test", path, "--timeout", "0").returncode == 2
    assert cli(tmp_path, "frobnicate").returncode == 2
    assert cli(tmp_path).returncode == 2


def test_models_import_moves_keys_out_and_names_the_env_vars(tmp_path: Path):
    path = team(tmp_path, "local: {provider: embedded}")
    key = leakcheck.typed_key("cli-import")
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o-mini", "api_key": key},
                                  {"model": "llama3.2", "api_type": "ollama", "base_url": "http://127.0.0.1:11434"}]))
    done = cli(tmp_path, "import", str(config), path)
    assert done.returncode == 0, done.stderr
    assert "Imported 2 models: gpt_4o_mini, llama3_2." in done.stdout
    assert "Before running, set: OPENAI_API_KEY" in done.stdout
    saved = Path(path).read_text(encoding="utf-8")
    assert "api_key: env:OPENAI_API_KEY" in saved and "base_url: http://127.0.0.1:11434/v1" in saved
    assert key not in saved and key not in done.stdout + done.stderr
    config.write_text("{not json")
    bad = cli(tmp_path, "import", str(config), path)
    assert bad.returncode == 2 and "not valid JSON" in bad.stderr


def test_models_import_of_entries_no_model_can_hold_is_one_line_or_a_skip(tmp_path: Path):
    path = team(tmp_path, "local: {provider: embedded}")
    before = Path(path).read_text(encoding="utf-8")
    config = tmp_path / "OAI_CONFIG_LIST"
    config.write_text(json.dumps([{"model": "gpt-4o", "api_type": "azure", "base_url": "https://x.openai.azure.com",
                                   "azure_deployment": 5, "api_key": "env:AZURE_KEY"}]))
    done = cli(tmp_path, "import", str(config), path)
    assert done.returncode == 0 and "Traceback" not in done.stderr and done.stderr == ""
    assert "Skipped entry 1 (gpt-4o): a value is not valid for a model entry (deployment)." in done.stdout
    assert Path(path).read_text(encoding="utf-8") == before
    # A base_url with a trailing newline is not a URL (Python's '$' would have let it through).
    config.write_text(json.dumps([{"model": "m", "base_url": "http://127.0.0.1:8080/v1\n"}]))
    done = cli(tmp_path, "import", str(config), path)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert "Skipped entry 1 (m): its base_url is not an http(s) URL." in done.stdout
    assert Path(path).read_text(encoding="utf-8") == before
