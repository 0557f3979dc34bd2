"""The run history's store: what it keeps, what it refuses, and what it never lets in."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from designer.core.run_bundle import BundleError, read_bundle, write_bundle
from designer.core.run_store import SCHEMA_VERSION, RunStore, StoreError
from tests.conftest import ROOT, collect_events

PAIR = """
schema: team-designer/v1
name: Pair
default_model: s
models:
  s: {provider: scripted, responses: ["first", "second", "third"], prices: {input: 2.0, output: 10.0}}
agents:
  a: {system_message: You start.}
  b: {system_message: You answer.}
orchestration: {pattern: round_robin, participants: [a, b]}
termination: {max_messages: 3}
"""


def test_a_run_is_kept_whole_snapshot_events_usage_cost(make_spec, tmp_path):
    spec = make_spec(PAIR)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        events = collect_events(spec, "begin", store=store, team_file=tmp_path / "pair.yaml", inputs={"topic": "x"})
        run = store.load(events[0].run_id)
    end = events[-1]
    assert run.team == "Pair" and run.team_path == str((tmp_path / "pair.yaml").resolve())
    assert "You answer." in run.snapshot and "provider: scripted" in run.snapshot
    assert (run.task, run.reason, run.messages) == ("begin", end.reason, end.messages)
    assert run.tokens_by_agent == end.tokens_by_agent and run.tokens == end.prompt_tokens + end.completion_tokens
    expected = sum(t["prompt"] * 2.0 + t["completion"] * 10.0 for t in end.tokens_by_agent.values()) / 1e6
    assert run.cost == pytest.approx(expected) and run.currency == "USD" and run.cost > 0
    assert [e["type"] for e in run.events][0] == "started" and run.events[-1]["type"] == "finished"
    assert [e["content"] for e in run.events if e["type"] == "message"] == ["begin", "first", "second"]


def test_unknown_prices_stay_unknown(make_spec, tmp_path):
    spec = make_spec(PAIR.replace("provider: scripted,", "provider: scripted, model: m,").replace(
        ', prices: {input: 2.0, output: 10.0}', ''))
    spec = spec.model_copy(update={"models": {"s": spec.models["s"].model_copy(update={"provider": "scripted"})}})
    from designer.core.cost import price_of, run_cost

    openai = spec.models["s"].model_copy(update={"provider": "openai", "responses": None})
    assert price_of(openai, 100, 100) == (None, None)
    cloud = spec.model_copy(update={"models": {"s": openai}})
    assert run_cost(cloud, {"a": {"prompt": 5, "completion": 5}}).total is None


def test_run_ids_resolve_from_unambiguous_prefixes(make_spec, tmp_path):
    spec = make_spec(PAIR)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        ids = [collect_events(spec, "go", store=store)[0].run_id for _ in range(3)]
        for run_id in ids:
            assert store.resolve(run_id[:6]) == run_id
        with pytest.raises(StoreError, match="no run"):
            store.resolve("fffffffffff0")
        with pytest.raises(StoreError, match="not a run id"):
            store.resolve("zz")
        store._db.execute("UPDATE runs SET id = ? WHERE id = ?", ("abc" + ids[0][3:], ids[0]))
        store._db.execute("UPDATE runs SET id = ? WHERE id = ?", ("abd" + ids[1][3:], ids[1]))
        with pytest.raises(StoreError, match="ambiguous"):
            store.resolve("ab")


def test_a_damaged_store_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "runs.sqlite3"
    path.write_bytes(b"this is not a database, just some bytes " * 100)
    with pytest.raises(StoreError, match="damaged"):
        RunStore(path)
    assert path.read_bytes().startswith(b"this is not a database"), "the damaged file was changed"


def test_a_store_from_a_newer_version_is_refused_not_misread(tmp_path):
    path = tmp_path / "runs.sqlite3"
    RunStore(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StoreError, match="newer Team Designer"):
        RunStore(path)


def test_a_full_disk_stops_the_recording_not_the_run(make_spec, tmp_path):
    spec = make_spec(PAIR.replace('["first", "second", "third"]', '["' + "x" * 30000 + '", "second", "third"]'))
    with RunStore(tmp_path / "runs.sqlite3") as store:
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count={pages + 2}")  # sqlite then answers SQLITE_FULL
        events = collect_events(spec, "go", store=store)
    end = events[-1]
    assert end.reason == "termination" and end.messages == 2, "the run did not go on"
    assert "disk is full" in end.record_problem or "cannot record" in end.record_problem


def test_a_run_killed_midway_is_marked_interrupted(tmp_path):
    team = tmp_path / "slow.yaml"
    team.write_text(PAIR.replace("s: {provider: scripted,", "s: {provider: scripted, delay: 30,"), encoding="utf-8")
    data = tmp_path / "data"
    env = {**os.environ, "TEAM_DESIGNER_DATA_DIR": str(data)}
    child = subprocess.Popen([sys.executable, "-m", "designer", "run", str(team), "--task", "go"], cwd=ROOT, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120  # a safety limit only: the loop ends as soon as the row exists
        while time.monotonic() < deadline:
            if (data / "runs.sqlite3").exists():
                with RunStore(data / "runs.sqlite3") as store:
                    if store.count():
                        assert store.list_runs()[0].reason == "running"
                        break
            assert child.poll() is None, "the run ended by itself"
            time.sleep(0.1)
        else:
            pytest.fail("the run never appeared in the history")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(60)
    with RunStore(data / "runs.sqlite3") as store:
        run = store.list_runs()[0]
    assert run.reason == "interrupted" and "ended before the run did" in run.detail


def test_retention_keeps_the_last_runs_per_team_and_spares_starred_ones(make_spec, tmp_path):
    spec = make_spec(PAIR)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.set_setting("keep_runs", "2")
        first = collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")[0].run_id
        store.star(first)
        other = collect_events(spec, "go", store=store, team_file=tmp_path / "other.yaml")[0].run_id
        later = [collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")[0].run_id for _ in range(3)]
        kept = {r.id for r in store.list_runs(str((tmp_path / "t.yaml").resolve()))}
        assert kept == {first, *later[-2:]}, "two newest plus the starred one"
        assert store.list_runs(str((tmp_path / "other.yaml").resolve()))[0].id == other


def test_recording_off_keeps_nothing(make_spec, tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.set_setting("record", "off")
        events = collect_events(make_spec(PAIR), "go", store=store)
        assert events[0].run_id == "" and store.count() == 0


def test_the_change_line_says_what_changed_since_the_previous_run(make_spec, tmp_path):
    spec = make_spec(PAIR)
    edited = make_spec(PAIR.replace("You answer.", "You answer briefly."))
    with RunStore(tmp_path / "runs.sqlite3") as store:
        collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")
        second = collect_events(edited, "go", store=store, team_file=tmp_path / "t.yaml")[0].run_id
        assert "b.system_message" in store.load(second).changes


def test_a_bundle_carries_a_run_and_a_bad_one_is_refused(make_spec, tmp_path):
    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = collect_events(make_spec(PAIR), "go", store=store)[0].run_id
        run, calls = store.load(run_id), store.calls(run_id)
    write_bundle(tmp_path / "r.tdrun", run, calls)
    again, recorded = read_bundle(tmp_path / "r.tdrun")
    assert (again.id, again.snapshot, again.events, len(recorded)) == (run.id, run.snapshot, run.events, len(calls))
    with RunStore(tmp_path / "other.sqlite3") as other:
        other.import_run(again, recorded)
        assert other.load(run_id[:5]).events == run.events and len(other.calls(run_id)) == len(calls)
    for text, words in [("{not json", "not a run bundle"), ('{"format": "x"}', "not a Team Designer run bundle"),
                        ('{"format": "team-designer-run", "version": 9}', "newer"),
                        ('{"format": "team-designer-run", "version": 1, "run": {"id": "x"}}', "damaged")]:
        (tmp_path / "bad.tdrun").write_text(text, encoding="utf-8")
        with pytest.raises(BundleError, match=words):
            read_bundle(tmp_path / "bad.tdrun")


def test_no_secret_reaches_the_store(tmp_path: Path, fake_model_server: Any, make_spec: Any, monkeypatch: Any):
    """A key the server echoes in its reply, and the same key in a tool's result: masked everywhere."""
    from tests.model_fixtures import chat_chunks, server_team

    key = "sk-store-leak-0123456789abcdefXYZ"
    monkeypatch.setenv("TD_STORE_TEST_KEY", key)
    fake_model_server.routes["POST /v1/chat/completions"] = (200, chat_chunks(f"your key is {key} ok"))
    spec = make_spec(server_team(fake_model_server.base(), name="Leaky", key_ref="env:TD_STORE_TEST_KEY"))
    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        events = collect_events(spec, f"repeat {key}", store=store)
        assert events[-1].reason != "error", events[-1]
        assert store.calls(events[0].run_id), "nothing was recorded"
    written = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("runs.sqlite3"))
    assert b"TD_STORE_TEST_KEY" in written  # the reference is kept, so a replay knows which key
    for fragment in (key, key[:8], key[-8:]):
        assert fragment.encode() not in written, f"{fragment!r} is in the store"


def test_a_run_of_an_unsaved_design_prunes_only_unsaved_runs(make_spec, tmp_path):
    spec = make_spec(PAIR)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.set_setting("keep_runs", "2")
        for name in ("one.yaml", "two.yaml"):
            for _ in range(2):
                collect_events(spec, "go", store=store, team_file=tmp_path / name)
        for _ in range(3):
            collect_events(spec, "go", store=store)  # no team file
        per_file = {name: store.count(str((tmp_path / name).resolve())) for name in ("one.yaml", "two.yaml")}
        assert per_file == {"one.yaml": 2, "two.yaml": 2} and store.count() == 6
        store.set_setting("keep_runs", "1")
        assert store.apply_retention(every_team=True) == 3
        assert store.count(str((tmp_path / "one.yaml").resolve())) == 1 and store.count() == 3


def test_a_write_that_cannot_get_the_lock_leaves_the_store_usable(make_spec, tmp_path):
    import threading

    path = tmp_path / "runs.sqlite3"
    with RunStore(path) as store:
        store._db.execute("PRAGMA busy_timeout=100")
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program writing, for longer than we wait
        failed: list[str] = []
        worker = threading.Thread(target=lambda: _try(lambda: store.set_setting("record", "on"), failed))
        worker.start()
        worker.join(60)
        other.execute("ROLLBACK")
        other.close()
        assert len(failed) == 1 and "locked" in failed[0], failed
        # The worker is gone; had it kept the store's lock, these would wait for ever.
        for action in (store.list_runs, lambda: store.set_setting("keep_runs", "5")):
            thread = threading.Thread(target=action)
            thread.start()
            thread.join(30)
            assert not thread.is_alive(), "a failed write left the store's lock taken"
        assert store.setting("keep_runs") == "5"


def _try(action: Any, errors: list[str]) -> None:
    try:
        action()
    except StoreError as exc:
        errors.append(str(exc))


def test_a_page_damaged_after_the_open_gives_a_store_error_not_a_traceback(make_spec, tmp_path):
    path = tmp_path / "runs.sqlite3"
    spec = make_spec(PAIR.replace('["first", "second", "third"]', '["' + "y" * 5000 + '", "second", "third"]'))
    with RunStore(path) as store:
        for _ in range(10):
            collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    page = 4096
    data[3 * page:6 * page] = b"\x13" * (3 * page)
    path.write_bytes(bytes(data))
    try:
        store = RunStore(path)
    except StoreError:
        return  # refused at the open: fine too
    with store:
        events = collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")
        assert events[-1].reason == "termination", "the run itself must go on"
        with pytest.raises(StoreError):
            for run in store.list_runs(limit=100):
                store.load(run.id)


def test_a_whole_id_wins_and_an_import_never_replaces_a_kept_run(make_spec, tmp_path):
    import dataclasses

    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = collect_events(make_spec(PAIR), "go", store=store)[0].run_id
        run, calls = store.load(run_id), store.calls(run_id)
        store.import_run(dataclasses.replace(run, id=run_id[:6] + "0" * 6), calls)
        store.import_run(dataclasses.replace(run, id=run_id[:6] + "0" * 5 + "1"), calls)
        assert store.resolve(run_id) == run_id and store.resolve(run_id[:6] + "0" * 6) == run_id[:6] + "0" * 6
        store.star(run_id)
        with pytest.raises(StoreError, match="already in the history"):
            store.import_run(dataclasses.replace(run, title="crafted"), [])
        assert store.load(run_id).starred and len(store.calls(run_id)) == len(calls)


@pytest.mark.parametrize("field, value", [
    ("cost_by_agent", "free"), ("cost", "cheap"), ("duration", None), ("started_at", "yesterday"),
    ("messages", "many"), ("tokens_by_agent", ["a"]), ("title", 5), ("starred", "yes"),
    ("tokens_by_agent", {"a": {"prompt": "<img src=x onerror=alert(1)>"}}), ("id", "384d"),
])
def test_a_bundle_with_a_field_of_the_wrong_type_is_refused(make_spec, tmp_path, field, value):
    import json as _json

    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = collect_events(make_spec(PAIR), "go", store=store)[0].run_id
        write_bundle(tmp_path / "good.tdrun", store.load(run_id), store.calls(run_id))
    data = _json.loads((tmp_path / "good.tdrun").read_text(encoding="utf-8"))
    data["run"][field] = value
    (tmp_path / "bad.tdrun").write_text(_json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleError, match="damaged run bundle"):
        read_bundle(tmp_path / "bad.tdrun")


def test_events_of_the_wrong_shape_in_a_bundle_read_as_defaults(make_spec, tmp_path):
    import json as _json

    with RunStore(tmp_path / "runs.sqlite3") as store:
        run_id = collect_events(make_spec(PAIR), "go", store=store)[0].run_id
        write_bundle(tmp_path / "good.tdrun", store.load(run_id), store.calls(run_id))
    data = _json.loads((tmp_path / "good.tdrun").read_text(encoding="utf-8"))
    message = next(e for e in data["events"] if e["type"] == "message" and e["agent"] == "a")
    message["content"], message["parent"] = 42, ["x"]
    data["events"][-1]["tokens_by_agent"] = {"a": "lots"}
    data["events"].append({"type": "from_the_future", "agent": "a"})
    (tmp_path / "odd.tdrun").write_text(_json.dumps(data), encoding="utf-8")
    run, _ = read_bundle(tmp_path / "odd.tdrun")
    odd = next(e for e in run.events if e["type"] == "message" and e["agent"] == "a")
    assert (odd["content"], odd["parent"]) == ("", None)
    assert run.events[-1]["type"] == "finished" and run.events[-1]["tokens_by_agent"] == {}
    from designer.core.run_render import run_html, run_markdown

    assert "<script" not in run_html(run) and run_markdown(run)


def test_retention_spares_a_renamed_run_and_a_bundle_call_without_a_field_is_named(make_spec, tmp_path):
    import json as _json

    spec = make_spec(PAIR)
    with RunStore(tmp_path / "runs.sqlite3") as store:
        store.set_setting("keep_runs", "1")
        named = collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")[0].run_id
        store.rename(named, "Be brief variant")
        for _ in range(2):
            collect_events(spec, "go", store=store, team_file=tmp_path / "t.yaml")
        assert named in {r.id for r in store.list_runs()} and store.count() == 2
        write_bundle(tmp_path / "good.tdrun", store.load(named), store.calls(named))
    data = _json.loads((tmp_path / "good.tdrun").read_text(encoding="utf-8"))
    data["calls"] = [{"x": 1}]
    (tmp_path / "calls.tdrun").write_text(_json.dumps(data), encoding="utf-8")
    with pytest.raises(BundleError, match="a recorded call has no n, agent, kind, key, request, response"):
        read_bundle(tmp_path / "calls.tdrun")
