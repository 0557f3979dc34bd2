"""The exported script's pip line covers what it imports, and its keys are named, never written
(split from test_pyexport.py, which tests the script's shape and runs)."""

from __future__ import annotations

import ast
import os
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from designer.core.pyexport import export_python
from tests.conftest import example_files
from tests.unit.test_pyexport import export_file


_COMES_WITH_AGENTCHAT = {"autogen_agentchat", "autogen_core", "pydantic"}
_EXT_EXTRA = {"autogen_ext.models.openai": "openai", "autogen_ext.models.anthropic": "anthropic",
              "autogen_ext.models.llama_cpp": "llama-cpp", "autogen_ext.tools.mcp": "mcp",
              "autogen_ext.code_executors.docker": "docker"}
_BY_EXTRA = {"llama_cpp": "llama-cpp", "docker": "docker", "mcp": "mcp", "openai": "openai", "anthropic": "anthropic"}


def pip_packages(doc: str) -> dict[str, str]:
    """The first ``pip install`` line of the docstring as package name -> its spec (extras, pin)."""
    line = next(line for line in doc.splitlines() if "pip install" in line)
    out: dict[str, str] = {}
    for quoted in line.split("pip install", 1)[1].split():
        token = quoted.strip('"')
        out[token.split("[")[0].split("=")[0]] = token
    return out


def script_modules(tree: ast.Module) -> set[str]:
    """Every module the script imports (anywhere) or looks up with find_spec("...")."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            found.add(node.module)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "find_spec"
              and node.args and isinstance(node.args[0], ast.Constant)):
            found.add(str(node.args[0].value))
    return found


def assert_pip_line_covers_imports(text: str) -> None:
    tree = ast.parse(text)
    doc = ast.get_docstring(tree) or ""
    pip = pip_packages(doc)
    assert pip.get("autogen-agentchat") == "autogen-agentchat==0.7.5", pip
    ext = pip.get("autogen-ext", "")
    extras = set(ext.split("[", 1)[1].split("]")[0].split(",")) if "[" in ext else set()
    for module in script_modules(tree):
        top = module.split(".")[0]
        if top in sys.stdlib_module_names or top in _COMES_WITH_AGENTCHAT:
            continue
        if top == "autogen_ext":
            assert ext == ext.split("==")[0] + "==0.7.5", (module, pip)
            extra = next((e for prefix, e in _EXT_EXTRA.items() if module.startswith(prefix)), None)
            assert extra is None or extra in extras, (module, pip)
        elif top == "llama_cpp":
            assert "llama-cpp" in extras or "llama-cpp-python" in pip, pip
        elif top in _BY_EXTRA:
            assert _BY_EXTRA[top] in extras, (module, pip)
        elif top == "keyring":  # optional: read only when installed, and the docstring says so
            assert "pip install keyring" in doc
        else:
            assert top.replace("_", "-") in pip, (module, pip)
    if "AzureOpenAIChatCompletionClient" in text:
        assert "azure" in extras, pip


@pytest.mark.parametrize("example", example_files(), ids=lambda p: p.stem)
def test_the_pip_line_installs_what_each_example_script_imports(example: Path) -> None:
    assert_pip_line_covers_imports(export_file(example).text)


def test_the_pip_line_of_a_scripted_team_with_built_ins_names_autogen_ext(make_spec: Callable[[str], Any]) -> None:
    spec = make_spec("""\
        schema: team-designer/v1
        name: Scripted built-ins
        task: Measure.
        models:
          m: {provider: scripted, responses: [Done.]}
        tools:
          area: {builtin: calculate_rectangle_area}
          fetch: {builtin: http_get}
          python: {builtin: run_python}
        agents:
          a: {model: m, tools: [area, fetch, python]}
        orchestration: {pattern: sequential, order: [a]}
        termination: {max_messages: 2}
        """)
    text = export_python(spec, None).text
    assert_pip_line_covers_imports(text)
    pip = pip_packages(ast.get_docstring(ast.parse(text)) or "")
    assert pip["autogen-ext"] == "autogen-ext==0.7.5" and "httpx" in pip, pip  # replay and the local executor


KEYRING_TEAM = """\
    schema: team-designer/v1
    name: Keyring key
    task: Hello.
    models:
      gpt: {provider: openai, model: gpt-4o-mini, api_key: 'keyring:gpt'}
      mine: {provider: openai_compatible, model: m, base_url: 'http://127.0.0.1:9/v1', api_key: 'keyring:work-key'}
      plain: {provider: openai, model: gpt-4o, api_key: 'env:TD_PLAIN_KEY'}
    tools:
      search: {mcp: {command: uvx, args: [s], env: {TOKEN: 'keyring:search-token'}}}
    agents:
      a: {model: gpt, tools: [search]}
      b: {model: mine}
      c: {model: plain}
    orchestration: {pattern: round_robin, participants: [a, b, c]}
    termination: {max_messages: 2}
    """


def test_a_keyring_key_falls_back_to_the_providers_variable_and_is_reported(
    make_spec: Callable[[str], Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from designer.runtime.export_json import export_agentchat_json

    spec = make_spec(KEYRING_TEAM)
    exported = export_python(spec, None)
    text = exported.text
    assert "secret('keyring:gpt', 'OPENAI_API_KEY')" in text and "secret('env:TD_PLAIN_KEY')" in text
    assert "secret('keyring:work-key', 'WORK_KEY')" in text and "secret('keyring:search-token', 'SEARCH_TOKEN')" in text
    doc = ast.get_docstring(ast.parse(text)) or ""
    assert "Optional: pip install keyring" in doc
    listed = {line.split(":")[0].strip() for line in doc.split("Environment variables", 1)[1].split("Run:")[0].splitlines()[1:]
              if line.strip()}
    assert listed == {"OPENAI_API_KEY", "WORK_KEY", "TD_PLAIN_KEY", "SEARCH_TOKEN"}, listed
    # The report names the variable of every key (never a value), as the JSON export's does.
    keys = [n.text for n in exported.notes if n.level == "key"]
    assert len(keys) == 4, keys
    assert any(k.startswith("model 'gpt'") and "'gpt'" in k and "OPENAI_API_KEY" in k for k in keys), keys
    assert any(k.startswith("model 'plain'") and "TD_PLAIN_KEY" in k for k in keys), keys
    assert any(k.startswith("MCP server 'search'") and "SEARCH_TOKEN" in k for k in keys), keys
    json_keys = [n.text for n in export_agentchat_json(spec, None).notes if n.level == "key"]
    assert any(k.startswith("model 'gpt'") and "OPENAI_API_KEY" in k for k in json_keys), json_keys
    # The script's secret(): no keyring package -> the provider's variable, or a one-line ask for it.
    tree = ast.parse(text)
    source = next(ast.get_source_segment(text, n) for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "secret")
    namespace: dict[str, Any] = {"os": os}
    exec(source or "", namespace)
    monkeypatch.setitem(sys.modules, "keyring", None)  # `import keyring` raises ImportError
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fallback")
    monkeypatch.delenv("gpt", raising=False)
    assert namespace["secret"]("keyring:gpt", "OPENAI_API_KEY") == "sk-test-fallback"
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(RuntimeError, match="set the environment variable OPENAI_API_KEY "):
        namespace["secret"]("keyring:gpt", "OPENAI_API_KEY")

    class NoBackend:  # keyring installed, but no usable backend (its get_password raises)
        @staticmethod
        def get_password(service: str, name: str) -> str:
            raise RuntimeError("no backend")

    monkeypatch.setitem(sys.modules, "keyring", NoBackend)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-fallback")
    assert namespace["secret"]("keyring:gpt", "OPENAI_API_KEY") == "sk-test-fallback"
