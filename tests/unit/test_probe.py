"""Test connection and the model picker against a fake server on 127.0.0.1: plain-words errors,
no key in any report, remembered results, and the validator's warning about failed models."""

from __future__ import annotations

import json
import os
import time

import pytest

from designer.core.probe_cache import ProbeCache, ProbeRecord, probe_key
from designer.core.spec import ModelInfoSpec, ModelSpec
from designer.core.validate import validate_spec
from designer.runtime.discovery import ModelListError, list_models
from designer.runtime.probe import run_probe
from tests.model_fixtures import chat_chunks, closed_port

LOCAL_INFO = ModelInfoSpec(function_calling=True, json_output=True)


def served(fake, **extra) -> ModelSpec:
    return ModelSpec(provider="openai_compatible", model="m1", base_url=fake.base(), model_info=LOCAL_INFO, **extra)


def chat_route(text: str = "Hello there.", tool_call: tuple[str, str] | None = ("add", '{"a": 2, "b": 3}')):
    """Text for the plain prompt; for the prompt that offers tools, a tool call (or text when None)."""
    def answer(request: dict) -> object:
        wants_tools = "tools" in json.loads(request["body"])
        return chat_chunks(tool_call=tool_call) if wants_tools and tool_call else chat_chunks(text)

    return (200, answer)


def test_a_model_that_answers_and_calls_the_tool_passes(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = chat_route()
    report = run_probe(served(fake_model_server), "local", timeout=10)
    assert report.ok and report.answered and report.called_tool and report.valid_arguments and report.correct_arguments
    assert report.latency_s is not None and report.chunks == 2
    text = report.text()
    assert "Answer:    yes, in" in text and "'Hello there.'" in text
    assert 'Tool call: yes, add({"a": 2, "b": 3}) — valid arguments' in text
    assert text.endswith("Result:    passed — the model answers and calls tools")
    sent = [json.loads(r["body"]) for r in fake_model_server.requests]
    assert [bool(b.get("stream")) for b in sent] == [True, True], "the test streams, as runs do"
    assert sent[1]["tools"][0]["function"]["name"] == "add"


def test_a_model_that_answers_in_text_instead_of_calling_fails_for_tool_users(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = chat_route(tool_call=None)
    report = run_probe(served(fake_model_server), "local", timeout=10)
    assert report.answered and not report.called_tool and not report.ok
    assert "Tool call: no — the model answered in text instead of calling the add tool" in report.text()
    assert "FAILED — fine for agents without tools, not for tool users" in report.text()


def test_invalid_tool_arguments_are_reported(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = chat_route(tool_call=("add", '{"a": "two"}'))
    report = run_probe(served(fake_model_server), "local", timeout=10)
    assert report.called_tool and not report.valid_arguments and not report.ok
    assert "INVALID arguments" in report.text()


def test_a_401_says_the_key_was_refused_and_never_repeats_the_key(fake_model_server, probe_cache):
    """The fake server echoes the Authorization header, as some servers do in their error."""
    echo = {"error": {"message": "Incorrect API key provided: {auth}", "code": "invalid_api_key"}}
    fake_model_server.routes["POST /v1/chat/completions"] = (
        401, lambda r: json.loads(json.dumps(echo).replace("{auth}", r["headers"].get("authorization", ""))))
    model = served(fake_model_server, api_key="env:OPENAI_API_KEY")
    report = run_probe(model, "cloud", timeout=10)
    key = os.environ["OPENAI_API_KEY"]
    assert fake_model_server.requests[0]["headers"]["authorization"] == f"Bearer {key}"  # the key was sent...
    assert report.error_kind == "unauthorized" and not report.ok
    assert "the server refused the API key (401 Unauthorized)" in report.text()
    probe_cache.put(model, report.to_record())  # ...and appears in no report or cache file
    assert key not in report.text() and key[-16:] not in report.text()
    assert key not in probe_cache.path.read_text() and key[-16:] not in probe_cache.path.read_text()


def test_error_details_quoted_from_a_server_are_redacted(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = (
        500, lambda r: {"error": {"message": f"upstream rejected {r['headers'].get('authorization', '')}"}})
    report = run_probe(served(fake_model_server, api_key="env:OPENAI_API_KEY"), "cloud", timeout=10)
    key = os.environ["OPENAI_API_KEY"]
    assert report.error_kind == "http" and "answered HTTP 500" in report.error
    assert "upstream rejected Bearer ***" in report.error and key[:8] not in report.error and key[-8:] not in report.error


def test_unknown_model_and_wrong_url_are_told_apart(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = (
        404, {"error": {"message": 'model "m1" not found, try pulling it first'}})
    report = run_probe(served(fake_model_server), "local", timeout=10)
    assert report.error_kind == "unknown_model"
    assert "unknown model 'm1' (404)" in report.error and "pick one with Load models" in report.error

    wrong = served(fake_model_server).model_copy(update={"base_url": fake_model_server.url})  # no /v1
    report = run_probe(wrong, "local", timeout=10)
    assert report.error_kind == "wrong_url"
    assert report.error.startswith(f"wrong URL: {fake_model_server.url} answered 404 Not Found")
    assert "usually end in /v1" in report.error


def test_connection_refused_is_said_in_plain_words():
    port = closed_port()
    model = ModelSpec(provider="ollama", model="llama3.2", base_url=f"http://127.0.0.1:{port}/v1")
    report = run_probe(model, "local", timeout=10)
    assert report.error_kind == "refused"
    assert report.error == f"connection refused: nothing is listening at http://127.0.0.1:{port}/v1 — is the server running?"
    assert "Tool call: not tried" in report.text() and "Result:    FAILED" in report.text()
    assert "model_info.function_calling is off" in report.text()


def test_a_silent_server_times_out(fake_model_server):
    fake_model_server.routes["POST /v1/chat/completions"] = chat_route()
    fake_model_server.delay = 3
    report = run_probe(served(fake_model_server), "local", timeout=0.5)
    assert report.error_kind == "timeout"
    assert report.error.startswith(f"timed out: no answer from {fake_model_server.base()} within 0.5 s")


def test_a_missing_key_is_a_setup_error_before_any_request(fake_model_server):
    report = run_probe(served(fake_model_server, api_key="env:TD_TEST_UNSET_KEY"), "cloud", timeout=5)
    assert report.error_kind == "setup" and "the environment variable TD_TEST_UNSET_KEY is not set" in report.error
    assert fake_model_server.requests == []


def test_scripted_models_are_skipped_not_failed():
    report = run_probe(ModelSpec(provider="scripted", responses=["hi"]), "s")
    assert report.ok and report.skipped and "Skipped:" in report.text()


# --- the model-name picker's source -----------------------------------------------------------


def test_ollama_models_come_from_api_tags_beside_v1(fake_model_server):
    fake_model_server.routes["GET /api/tags"] = (200, {"models": [{"name": "llama3.2:latest"}, {"name": "qwen2.5:7b"}]})
    model = ModelSpec(provider="ollama", model="", base_url=fake_model_server.base())
    assert list_models(model) == ["llama3.2:latest", "qwen2.5:7b"]
    assert fake_model_server.requests[-1]["path"] == "/api/tags"


def test_openai_style_servers_list_v1_models_with_the_key(fake_model_server):
    fake_model_server.routes["GET /v1/models"] = (200, {"object": "list", "data": [{"id": "b-model"}, {"id": "A-model"}]})
    model = ModelSpec(provider="openai_compatible", model="", base_url=fake_model_server.base(), api_key="env:OPENAI_API_KEY")
    assert list_models(model) == ["A-model", "b-model"]
    assert fake_model_server.requests[-1]["headers"]["authorization"] == f"Bearer {os.environ['OPENAI_API_KEY']}"


def test_model_list_errors_are_plain_words(fake_model_server):
    fake_model_server.routes["GET /v1/models"] = (401, {"error": "bad key"})
    model = ModelSpec(provider="openai_compatible", model="", base_url=fake_model_server.base())
    with pytest.raises(ModelListError, match=r"the server refused the API key \(401 Unauthorized\)"):
        list_models(model)
    fake_model_server.routes["GET /v1/models"] = (200, {"unexpected": True})
    with pytest.raises(ModelListError, match="did not answer with a model list"):
        list_models(model)
    port = closed_port()
    with pytest.raises(ModelListError, match=f"connection refused: nothing is listening at http://127.0.0.1:{port}/api/tags"):
        list_models(ModelSpec(provider="ollama", model="", base_url=f"http://127.0.0.1:{port}/v1"))
    with pytest.raises(ModelListError, match="Azure OpenAI does not list deployments"):
        list_models(ModelSpec(provider="azure_openai", model="gpt-4o"))


# --- remembered results and the validator ------------------------------------------------------

TOOL_TEAM = """\
schema: team-designer/v1
name: T
models:
  local: {provider: openai_compatible, model: m1, base_url: "http://127.0.0.1:1/v1", model_info: {function_calling: true}}
tools:
  area: {builtin: calculate_rectangle_area}
agents:
  worker: {model: local, tools: [area]}
  talker: {model: local}
orchestration: {pattern: sequential, order: [worker, talker]}
"""


def record(ok: bool, error: str = "") -> ProbeRecord:
    return ProbeRecord(ok=ok, answered=ok, called_tool=ok, valid_arguments=ok, latency_s=None, error=error,
                       checked_at=time.time())


def test_the_cache_round_trips_and_keys_by_server_model_not_by_id(tmp_path):
    cache = ProbeCache(tmp_path / "sub" / "probes.json")
    a = ModelSpec(provider="ollama", model="llama3.2", base_url="http://127.0.0.1:11434/v1")
    cache.put(a, record(False, "connection refused: ..."))
    again = ProbeCache(cache.path)
    assert again.for_model(a.model_copy()) == cache.for_model(a)
    assert again.for_model(a.model_copy(update={"model": "other"})) is None
    assert probe_key(ModelSpec(provider="ollama", model="llama3.2")) == probe_key(a), "the default URL counts"
    cache.path.write_text("{broken", encoding="utf-8")
    assert len(ProbeCache(cache.path)) == 0, "a damaged cache only costs a re-test"


def test_the_validator_warns_about_tool_users_on_a_failed_model(make_spec):
    spec = make_spec(TOOL_TEAM)
    assert validate_spec(spec) == validate_spec(spec, probe_results=None), "no results: behaviour unchanged"
    failed = {probe_key(spec.models["local"]): record(False, "connection refused: nothing is listening")}
    warnings = [p for p in validate_spec(spec, probe_results=failed) if "connection test" in p.message]
    assert [(p.severity, p.dotted_path) for p in warnings] == [("warning", "agents.worker.model")]
    assert "model 'local' failed its connection test" in warnings[0].message
    assert warnings[0].message.endswith("connection refused: nothing is listening")
    passed = {probe_key(spec.models["local"]): record(True)}
    assert not [p for p in validate_spec(spec, probe_results=passed) if "connection test" in p.message]


def test_a_run_record_never_holds_a_key_a_server_echoed(fake_model_server, make_spec, tmp_path):
    from tests.conftest import collect_events

    fake_model_server.routes["POST /v1/chat/completions"] = (
        500, lambda r: {"error": {"message": f"upstream rejected {r['headers'].get('authorization', '')}"}})
    spec = make_spec(f"""\
        schema: team-designer/v1
        name: Echo
        default_model: srv
        models:
          srv: {{provider: openai_compatible, model: m1, base_url: "{fake_model_server.base()}",
                api_key: "env:OPENAI_API_KEY", model_info: {{function_calling: true}}}}
        agents:
          a: {{}}
        orchestration: {{pattern: sequential, order: [a]}}
        """)
    events = collect_events(spec, "hi")
    record = "\n".join(e.to_json() for e in events)
    (tmp_path / "run.jsonl").write_text(record)  # the session's leak scan reads it too
    key = os.environ["OPENAI_API_KEY"]
    assert any(e.type == "error" and "upstream rejected Bearer ***" in e.message for e in events), record
    assert key not in record and key[-16:] not in record


def test_a_failing_server_is_asked_once_not_retried_with_back_off():
    """Counted, not timed: a server that hangs up on every connection sees exactly one attempt."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[int] = []

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(1)
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    port = listener.getsockname()[1]
    model = ModelSpec(provider="ollama", model="llama3.2", base_url=f"http://127.0.0.1:{port}/v1")
    try:
        report = run_probe(model, "local", timeout=10)
    finally:
        listener.close()
    assert not report.answered and report.error
    assert len(accepted) == 1, f"{len(accepted)} connections: the probe retried"
