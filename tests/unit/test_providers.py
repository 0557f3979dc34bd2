"""Provider presets (base URLs and capability flags) and a client for every provider, offline."""

from __future__ import annotations

import sys

import pytest

from designer.core import model_edits
from designer.core.edits import new_team
from designer.core.errors import EditError
from designer.core.providers import PRESETS, effective_base_url, effective_model_info, guess_preset
from designer.core.spec import ModelSpec
from designer.core.teamfile import dump_team
from designer.runtime.models import ModelSetupError, build_client


@pytest.mark.parametrize("key, url", [
    ("ollama", "http://127.0.0.1:11434/v1"),
    ("lmstudio", "http://127.0.0.1:1234/v1"),
    ("llamacpp", "http://127.0.0.1:8080/v1"),
    ("vllm", "http://127.0.0.1:8000/v1"),
    ("gemini", "https://generativelanguage.googleapis.com/v1beta/openai/"),
])
def test_presets_fill_the_base_url_users_get_wrong(key: str, url: str):
    model = PRESETS[key].apply(ModelSpec())
    assert model.base_url == url
    assert model.model_info is not None and model.model_info.function_calling
    assert guess_preset(model).key == key


def test_a_preset_fills_every_capability_flag_and_the_key_reference():
    model = PRESETS["openai"].apply(ModelSpec(provider="ollama", model="llama3.2", base_url="http://x/v1"))
    assert model.provider == "openai" and model.model == "gpt-4o-mini" and model.base_url is None
    assert model.model_info.model_dump() == {"vision": True, "function_calling": True, "json_output": True,
                                             "structured_output": True, "family": "unknown"}
    assert model.api_key == "env:OPENAI_API_KEY"
    azure = PRESETS["azure_openai"].apply(model)
    assert azure.api_version and azure.api_key == "env:AZURE_OPENAI_API_KEY"
    kept = PRESETS["ollama"].apply(ModelSpec(provider="ollama", model="qwen2.5"))
    assert kept.model == "qwen2.5", "a name the user typed stays when the provider stays"


def test_preset_and_capability_edits_are_saved_without_nulls():
    spec, model_id = model_edits.add_model_from_preset(new_team(), "ollama")
    spec = model_edits.set_model_text(spec, model_id, "base_url", "")
    spec = model_edits.set_capability(spec, model_id, "vision", True)
    spec = model_edits.set_capability(spec, model_id, "family", "llama")
    text = dump_team(spec)
    assert "null" not in text and "base_url" not in text
    assert effective_base_url(spec.models[model_id]) == "http://127.0.0.1:11434/v1"
    info = effective_model_info(spec.models[model_id])
    assert info.vision and info.function_calling and info.family == "llama"
    with pytest.raises(EditError, match="never the key itself"):
        model_edits.set_model_text(spec, model_id, "api_key", "sk-live-1234567890")
    with pytest.raises(EditError, match="starts with http"):
        model_edits.set_model_text(spec, model_id, "base_url", "127.0.0.1:11434")


def test_gemini_is_a_provider_of_the_team_file(make_spec):
    spec = make_spec("""\
        schema: team-designer/v1
        name: G
        models:
          g: {provider: gemini, model: gemini-2.0-flash, api_key: "env:GEMINI_API_KEY"}
        agents:
          a: {model: g}
        orchestration: {pattern: sequential, order: [a]}
        """)
    assert spec.models["g"].provider == "gemini"


def client_of(spec: ModelSpec) -> object:
    return build_client(spec, "m")


def test_every_provider_builds_its_autogen_client_offline(monkeypatch):
    from autogen_ext.models.anthropic import AnthropicChatCompletionClient
    from autogen_ext.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient

    from designer.runtime.embedded import EmbeddedChatCompletionClient

    monkeypatch.setenv("GEMINI_API_KEY", "gm-fake")
    monkeypatch.setenv("AZURE_OPENAI_API_KEY", "az-fake")
    assert isinstance(client_of(ModelSpec()), EmbeddedChatCompletionClient)
    assert isinstance(client_of(ModelSpec(provider="openai", model="gpt-4o-mini")), OpenAIChatCompletionClient)
    gemini = client_of(PRESETS["gemini"].apply(ModelSpec()))
    assert isinstance(gemini, OpenAIChatCompletionClient)
    assert str(gemini._client.base_url).startswith("https://generativelanguage.googleapis.com/v1beta/openai")
    ollama = client_of(ModelSpec(provider="ollama", model="llama3.2"))
    assert str(ollama._client.base_url).rstrip("/") == "http://127.0.0.1:11434/v1"
    azure = client_of(PRESETS["azure_openai"].apply(ModelSpec()).model_copy(update={"deployment": "d"}))
    assert isinstance(azure, AzureOpenAIChatCompletionClient)
    claude = client_of(ModelSpec(provider="anthropic", model="claude-3-5-haiku-latest"))
    assert isinstance(claude, AnthropicChatCompletionClient)
    assert claude.model_info["function_calling"], "the preset's flags reach the client"


def test_without_the_anthropic_package_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "autogen_ext.models.anthropic", None)  # import fails
    with pytest.raises(ModelSetupError, match=r"pip install 'autogen-ext\[anthropic\]'"):
        client_of(ModelSpec(provider="anthropic", model="claude-3-5-haiku-latest"))


def test_a_missing_key_names_the_variable_to_set(monkeypatch):
    monkeypatch.delenv("GEMINI_API_KEY", raising=False)
    with pytest.raises(ModelSetupError, match="the environment variable GEMINI_API_KEY is not set"):
        client_of(ModelSpec(provider="gemini", model="gemini-2.0-flash"))
