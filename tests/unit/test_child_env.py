"""The environment of a run's child processes: the designer's, minus its keys, plus what the file passes on.

The runs themselves are tested in test_run_tools.py (run_python, code_executor agents),
test_mcp_tools.py (MCP servers); here is the rule, on its own.
"""

from __future__ import annotations

from designer.core.child_env import child_environment, looks_secret, referenced_variables

TEAM = """
schema: team-designer/v1
name: t
default_model: cloud
models:
  cloud: {provider: openai, model: gpt-4o-mini, api_key: "env:WORK_LLM"}
  other: {provider: anthropic, model: claude, api_key: "keyring:anthropic"}
tools:
  gh: {mcp: {command: npx, args: [server-github], env: {GITHUB_PERSONAL_ACCESS_TOKEN: "env:GH_PAT", MODE: fast}}}
agents:
  a: {tools: [gh]}
orchestration: {pattern: round_robin, participants: [a]}
"""

BASE = {
    "PATH": "/usr/bin", "HOME": "/home/ada", "LANG": "en_GB.UTF-8", "VIRTUAL_ENV": "/venv", "HTTPS_PROXY": "http://proxy:3128",
    "WORK_LLM": "sk-work", "GH_PAT": "ghp-x",  # referenced by the file: keys, whatever their names
    "OPENAI_API_KEY": "sk-1", "GEMINI_API_KEY": "g", "HF_TOKEN": "hf", "AWS_SECRET_ACCESS_KEY": "aws", "OAI_CONFIG_LIST": "[]",
    "MISTRAL_APIKEY": "m", "SLACK_BOT_TOKEN": "xoxb", "PGPASSWORD": "pg", "CLIENT_SECRET": "c", "my_app_password_file": "p",
    "KEYBOARD_LAYOUT": "uk", "SSH_AUTH_SOCK": "/run/ssh", "TOKENIZERS_PARALLELISM": "false",
}
KEPT = {"PATH", "HOME", "LANG", "VIRTUAL_ENV", "HTTPS_PROXY", "KEYBOARD_LAYOUT", "SSH_AUTH_SOCK", "TOKENIZERS_PARALLELISM"}


def test_keys_are_dropped_and_everything_else_is_kept(make_spec):
    spec = make_spec(TEAM)
    env = child_environment(spec, BASE)
    assert set(env) == KEPT
    assert all(env[name] == BASE[name] for name in KEPT)


def test_variables_the_file_reads_keys_from_are_dropped_whatever_their_names(make_spec):
    spec = make_spec(TEAM)
    assert referenced_variables(spec) == {"WORK_LLM", "GH_PAT"}  # keyring references are no variables
    assert not looks_secret("WORK_LLM") and not looks_secret("GH_PAT")
    assert "WORK_LLM" in child_environment(None, BASE)  # without the file, only the names give keys away
    assert "WORK_LLM" not in child_environment(spec, BASE)


def test_what_the_file_passes_on_wins(make_spec):
    spec = make_spec(TEAM)
    env = child_environment(spec, BASE, {"GITHUB_PERSONAL_ACCESS_TOKEN": "ghp-x", "MODE": "fast", "LANG": "C"})
    assert env["GITHUB_PERSONAL_ACCESS_TOKEN"] == "ghp-x" and env["MODE"] == "fast" and env["LANG"] == "C"
    assert "GH_PAT" not in env and "OPENAI_API_KEY" not in env


def test_the_callers_environment_is_never_changed(make_spec):
    base = dict(BASE)
    child_environment(make_spec(TEAM), base, {"MODE": "x"})
    assert base == BASE
