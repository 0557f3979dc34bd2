"""Every evaluation check passes on a run that meets it and fails, saying why, on one that does not.

Runs are built from the real event classes (as a run emits them), turned into the dicts the
run history keeps; no model runs here.
"""

from __future__ import annotations

from typing import Any

import pytest

from designer.core import events as ev
from designer.core.eval_checks import UNKNOWN_COST, Outcome, check_run, outcome_of, rubric_prompt, rubric_result
from designer.core.eval_spec import CHECK_TYPES, RUBRIC, CheckSpec

ANSWER = "The area of the rectangle is 12 square units."


def run_events(answer: str = ANSWER, *, reason: ev.FinishReason = "completed", cost: float | None = 0.002,
               arguments: str = '{"length": 3, "width": 4.0}', duration: float = 2.5) -> list[dict[str, Any]]:
    """A run of a small team: the task, a tool call, a hand-off, a worker's nested reply, the answer."""
    made: list[ev.RunEvent] = [
        ev.RunStarted("team", team="t", pattern="swarm", task="What is the area?"),
        ev.Message("user", content="What is the area of a rectangle with length 3 and width 4?", kind="task"),
        ev.Message("planner", content="I will ask the geometry assistant.", kind="text"),
        ev.Handoff("planner", target="geometry_assistant", content="over to you"),
        ev.Message("geometry_assistant", content="thinking about it", kind="thought"),
        ev.ToolCall("geometry_assistant", call_id="c1", name="calculate_rectangle_area", arguments=arguments),
        ev.ToolResult("geometry_assistant", call_id="c1", name="calculate_rectangle_area", content="12.0"),
        ev.Message("helper", content="a worker's reply is not the answer", kind="text", parent="geometry_assistant"),
        ev.Message("geometry_assistant", content=answer, kind="text"),
        ev.Finished("team", reason=reason, messages=4, prompt_tokens=300, completion_tokens=45, duration=duration,
                    cost=cost, currency="USD" if cost is not None else None),
    ]
    return [event.to_dict() for event in made]


def check(**fields: Any) -> CheckSpec:
    return CheckSpec.model_validate(fields)


def outcome(**kwargs: Any) -> Outcome:
    return outcome_of(run_events(**kwargs))


def test_the_outcome_is_the_last_top_level_answer_and_the_finished_totals():
    got = outcome()
    assert got.answer == ANSWER
    assert (got.reason, got.messages, got.tokens, got.seconds, got.cost, got.currency) == (
        "completed", 4, 345, 2.5, 0.002, "USD")
    assert got.events[-1]["type"] == "finished"


def test_a_tool_result_given_as_the_answer_is_the_answer():
    events = run_events()[:-2] + [ev.Message("geometry_assistant", content="12.0", kind="tool_summary").to_dict(),
                                  run_events()[-1]]
    assert outcome_of(events).answer == "12.0"


def test_a_run_without_an_answer_or_an_end():
    got = outcome_of([ev.Message("user", content="task", kind="task").to_dict()])
    assert (got.answer, got.reason, got.cost) == ("", "", None)
    result = check_run(check(type="contains", value="12"), got)
    assert not result.passed and result.detail == 'the answer does not contain "12" (the run gave no answer)'
    result = check_run(check(type="finish-reason", value="completed"), got)
    assert not result.passed and "did not end" in result.detail
    cut = outcome_of(run_events()[:-1])  # a run that crashed before its end: the messages are counted
    assert (cut.answer, cut.messages, cut.reason) == (ANSWER, 4, "")


# (check, a passing run's options, a failing run's options, words the failure's detail must hold)
CASES: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]] = [
    ({"type": "equals", "value": "12"}, {"answer": "  12\n"}, {"answer": "12 units"}, 'is not "12"'),
    ({"type": "contains", "value": "12"}, {}, {"answer": "The area is 13 square units."}, 'does not contain "12"'),
    ({"type": "icontains", "value": "AREA"}, {}, {"answer": "twelve"}, 'does not contain "AREA"'),
    ({"type": "contains-any", "value": ["11", "12"]}, {}, {"answer": "13"}, 'contains none of "11", "12"'),
    ({"type": "icontains-any", "value": ["SQUARE", "x"]}, {}, {"answer": "13"}, 'contains none of "SQUARE", "x"'),
    ({"type": "contains-all", "value": ["12", "square"]}, {}, {"answer": "12 units"}, 'does not contain "square"'),
    ({"type": "icontains-all", "value": ["AREA", "12"]}, {}, {"answer": "the area is 13"}, 'does not contain "12"'),
    ({"type": "regex", "value": r"\b12(\.0)?\b"}, {}, {"answer": "123"}, r'does not match /\b12(\.0)?\b/'),
    ({"type": "starts-with", "value": "The area"}, {"answer": "\n The area is 12"}, {"answer": "Area: 12"},
     'does not start with "The area"'),
    ({"type": "is-json"}, {"answer": 'Here it is:\n```json\n{"area": 12}\n```'}, {"answer": "{area: 12}"}, "is not JSON"),
    ({"type": "json-schema", "value": {"type": "object", "required": ["area"],
                                       "properties": {"area": {"type": "number"}}}},
     {"answer": '{"area": 12}'}, {"answer": '{"area": "twelve"}'}, "does not fit the schema: 'twelve' is not of type"),
    ({"type": "not-contains", "value": "error"}, {}, {"answer": "an error happened"}, 'the answer contains "error"'),
    ({"type": "not-icontains", "value": "ERROR"}, {}, {"answer": "an error happened"}, 'the answer contains "ERROR"'),
    ({"type": "not-regex", "value": r"\d{3}"}, {}, {"answer": "area 144"}, "the answer matches /\\d{3}/ (at \"144\")"),
    ({"type": "not-equals", "value": "no"}, {}, {"answer": "no"}, 'the answer equals "no"'),
    ({"type": "not-contains-any", "value": ["sorry", "cannot"]}, {}, {"answer": "I cannot"}, 'contains "cannot"'),
    ({"type": "not-is-json"}, {}, {"answer": "[1, 2]"}, "the answer is JSON"),
    ({"type": "spoke", "value": "geometry_assistant"}, {}, "no_speaker", "geometry_assistant did not speak (who spoke: helper, planner)"),
    ({"type": "not-spoke", "value": "helper"}, "no_helper", {}, "helper spoke (1 message)"),
    ({"type": "tool-called", "value": "calculate_rectangle_area"}, {}, "no_tool", "was not called (no tool was called)"),
    ({"type": "tool-called", "value": "calculate_rectangle_area", "arguments": {"length": 3.0, "width": 4}}, {},
     {"arguments": '{"length": 3, "width": 5}'}, 'never with {"length": 3.0, "width": 4}'),
    ({"type": "not-tool-called", "value": "calculate_rectangle_area"}, "no_tool", {},
     "the tool calculate_rectangle_area was called 1 time"),
    ({"type": "handoff", "value": "geometry_assistant", "source": "planner"}, {}, "no_handoff",
     "no hand-off to geometry_assistant from planner (there were no hand-offs)"),
    ({"type": "handoff"}, {}, "no_handoff", "no hand-off (there were no hand-offs)"),
    ({"type": "finish-reason", "value": ["completed", "termination"]}, {}, {"reason": "error"},
     "the run ended with 'error'; wanted: completed or termination"),
    ({"type": "max-messages", "value": 4}, {}, "more_messages", "the run took 9 messages (at most 4 allowed)"),
    ({"type": "max-tokens", "value": 345}, {}, "more_tokens", "the run used 1,345 tokens (at most 345 allowed)"),
    ({"type": "max-seconds", "value": 3}, {}, {"duration": 3.5}, "the run took 3.5 s (at most 3 s allowed)"),
    ({"type": "latency", "threshold": 2500}, {}, {"duration": 4.25}, "the run took 4,250 ms (at most 2,500 ms allowed)"),
    ({"type": "max-cost", "value": 0.01}, {}, {"cost": 0.5}, "the run cost 0.5 USD (at most 0.01 USD allowed)"),
    ({"type": "cost", "threshold": 0.002}, {}, {"cost": 0.003}, "the run cost 0.003 USD (at most 0.002 USD allowed)"),
]


def _changed(events: list[dict[str, Any]], how: str) -> list[dict[str, Any]]:
    """A run that lacks what a run check looks for."""
    if how == "no_speaker":
        return [e for e in events if e.get("agent") != "geometry_assistant" or e["type"] != "message"]
    if how == "no_helper":
        return [e for e in events if e.get("agent") != "helper"]
    if how == "no_tool":
        return [e for e in events if e["type"] not in ("tool_call", "tool_result")]
    if how == "no_handoff":
        return [e for e in events if e["type"] != "handoff"]
    finished = dict(events[-1])
    if how == "more_messages":
        finished["messages"] = 9
    elif how == "more_tokens":
        finished["prompt_tokens"] += 1000
    return [*events[:-1], finished]


def _outcome(how: dict[str, Any] | str) -> Outcome:
    return outcome_of(run_events(**how) if isinstance(how, dict) else _changed(run_events(), how))


@pytest.mark.parametrize(("fields", "good", "bad", "said"), CASES, ids=[
    f"{c[0]['type']}{'-args' if 'arguments' in c[0] else ''}{'-any' if c[0] == {'type': 'handoff'} else ''}" for c in CASES])
def test_each_check_passes_and_fails_with_a_reason(fields: dict[str, Any], good: Any, bad: Any, said: str):
    spec = check(**fields)
    passed = check_run(spec, _outcome(good))
    assert passed.passed, passed.detail
    assert (passed.detail, passed.type, passed.label) == ("", spec.type, spec.label())
    failed = check_run(spec, _outcome(bad))
    assert not failed.passed
    assert said in failed.detail
    assert "\n" not in failed.detail and len(failed.detail) < 220


def test_every_check_type_but_the_rubric_is_covered():
    covered = {fields["type"] for fields, *_ in CASES}
    negated = {t for t in CHECK_TYPES if t.startswith("not-") and t not in ("not-spoke", "not-tool-called")}
    assert set(CHECK_TYPES) - covered - negated == {RUBRIC}


@pytest.mark.parametrize("kind", [t for t in CHECK_TYPES if t.startswith("not-") and t not in ("not-spoke", "not-tool-called")])
def test_the_not_prefix_inverts_each_answer_check(kind: str):
    plain = kind[4:]
    value = {"contains-any": ["12"], "icontains-any": ["12"], "contains-all": ["12"], "icontains-all": ["12"],
             "is-json": None, "json-schema": {"type": "number"}, "equals": "12"}.get(plain, "12")
    for answer in ("12", "thirteen"):
        got = outcome(answer=answer)
        assert check_run(check(type=kind, value=value), got).passed != check_run(check(type=plain, value=value), got).passed


def test_a_failing_answer_check_quotes_a_shortened_answer():
    long_answer = "The area is 13 " + "and more words " * 20
    result = check_run(check(type="contains", value="12"), outcome(answer=long_answer))
    quoted = result.detail.split("(it was: ", 1)[1]
    assert quoted.startswith('"The area is 13 and more') and quoted.endswith('…")')
    assert len(quoted) < 90


def test_contains_is_case_sensitive_and_icontains_is_not():
    got = outcome(answer="The AREA is 12")
    assert not check_run(check(type="contains", value="area"), got).passed
    assert check_run(check(type="icontains", value="area"), got).passed


def test_an_unknown_cost_fails_a_cost_check():
    for fields in ({"type": "cost", "threshold": 1.0}, {"type": "max-cost", "value": 1.0}):
        result = check_run(check(**fields), outcome(cost=None))
        assert not result.passed and result.detail == UNKNOWN_COST


def test_tool_arguments_that_are_not_json_do_not_match():
    spec = check(type="tool-called", value="calculate_rectangle_area", arguments={"length": 3})
    result = check_run(spec, outcome(arguments="length=3"))
    assert not result.passed and "its calls: length=3" in result.detail
    assert check_run(check(type="tool-called", value="calculate_rectangle_area"), outcome(arguments="length=3")).passed


def test_tool_arguments_match_nested_values_and_not_true_for_one():
    args = '{"box": {"sides": [3, 4], "unit": "cm", "extra": 1}, "exact": true}'
    assert check_run(check(type="tool-called", value="calculate_rectangle_area",
                           arguments={"box": {"sides": [3.0, 4]}}), outcome(arguments=args)).passed
    assert not check_run(check(type="tool-called", value="calculate_rectangle_area",
                               arguments={"box": {"sides": [3]}}), outcome(arguments=args)).passed
    assert not check_run(check(type="tool-called", value="calculate_rectangle_area",
                               arguments={"exact": 1}), outcome(arguments=args)).passed


def test_an_invalid_json_schema_is_refused_when_the_file_is_read():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="the check's JSON Schema is not valid"):
        check(type="json-schema", value={"type": "no-such-type"})
    with pytest.raises(ValidationError, match="the check's JSON Schema is not valid"):
        check(type="not-json-schema", value={"type": 12})


def test_the_rubric_prompt_holds_the_rubric_and_a_bounded_answer():
    spec = check(type="llm-rubric", value="The answer states the area as a number.")
    system, user = rubric_prompt(spec, outcome())
    assert "PASS" in system and "FAIL" in system
    assert "The answer states the area as a number." in user and ANSWER in user
    _, long_user = rubric_prompt(spec, outcome(answer="word " * 2000))
    assert len(long_user) < 1800 and "[…]" in long_user
    with pytest.raises(ValueError, match="judged by a model"):
        check_run(spec, outcome())


@pytest.mark.parametrize(("reply", "passed", "score"), [
    ("PASS\nThe answer gives the area as 12.", True, 1.0),
    ("pass - it names the number", True, 1.0),
    ("Verdict: FAIL. The answer gives no number.", False, 0.0),
    ("Fail\nIt would pass if it had a number.", False, 0.0),  # the first of the two words decides
    ("PASSED", False, None),  # not the word itself
])
def test_the_judges_first_verdict_word_decides(reply: str, passed: bool, score: float | None):
    result = rubric_result(check(type="llm-rubric", value="states the area"), reply)
    assert (result.passed, result.score) == (passed, score)
    if score is None:
        assert result.detail == 'the judge\'s reply names neither PASS nor FAIL: "PASSED"'
    else:
        assert result.detail.startswith(f"the judge said {'PASS' if score else 'FAIL'}: ")


def test_a_rubric_threshold_sets_the_least_score():
    lenient = check(type="llm-rubric", value="states the area", threshold=0.0)
    assert rubric_result(lenient, "FAIL\nno number").passed
    strict = check(type="llm-rubric", value="states the area", threshold=1.0)
    assert not rubric_result(strict, "FAIL\nno number").passed
    assert rubric_result(strict, "PASS").passed


def test_a_judge_that_names_both_words_on_its_verdict_line_gives_no_verdict():
    check = CheckSpec(type=RUBRIC, value="on topic")
    both = rubric_result(check, "PASS or FAIL, but the text is long")
    assert not both.passed and "names both PASS and FAIL" in both.detail
    later = rubric_result(check, "PASS\nIt would FAIL only if it were off topic.")
    assert later.passed and later.score == 1.0
