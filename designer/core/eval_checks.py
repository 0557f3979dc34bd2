"""The checks of an evaluation, applied to one finished run.

Checks on the answer keep promptfoo's meaning for the names promptfoo has (``contains`` is
case-sensitive, ``icontains`` is not, ``regex`` searches anywhere, ``not-`` inverts); checks on
the run read its events. ``llm-rubric`` needs a model, so it is split in two: the prompt the
engine sends to the judge, and the reading of the judge's reply. Every failing check says why
in one line a user can act on, quoting (a shortened) answer.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from .eval_spec import RUBRIC, THRESHOLD_VALUED, CheckSpec, base_type, schema_error, shorten
from .eval_types import CheckResult

#: How much of the answer a failing check quotes.
SHOWN_CHARS = 80
#: How much of the answer the judge reads: the embedded judge has a small context window.
JUDGED_CHARS = 1500
#: The message kinds that are an agent speaking (a thought or a stop notice is not).
SPOKEN_KINDS = ("text", "tool_summary")
UNKNOWN_COST = "the cost is unknown (the model entry has no prices)"

_FENCED_JSON = re.compile(r"```[ \t]*(?:json)?[ \t]*\r?\n(.*?)```", re.DOTALL | re.IGNORECASE)
_VERDICT = re.compile(r"\b(pass|fail)\b", re.IGNORECASE)


@dataclass
class Outcome:
    """What the checks read of one finished run."""

    answer: str  # the final answer ("" when the team gave none)
    events: list[dict[str, Any]]  # RunEvent.to_dict() dicts, in order, the "finished" one included
    reason: str  # the finish reason ("" when the run has no "finished" event)
    messages: int
    tokens: int
    seconds: float
    cost: float | None
    currency: str | None = None


def outcome_of(events: list[dict[str, Any]]) -> Outcome:
    """The answer and totals of a run from its events. The answer is the last top-level message
    an agent spoke: a worker's reply inside a delegation (``parent`` set) is not the team's answer,
    and a tool result handed back as the answer (``tool_summary``) is one."""
    answer = ""
    for event in events:
        if (event.get("type") == "message" and event.get("kind", "text") in SPOKEN_KINDS
                and event.get("parent") is None and event.get("agent") != "user"):
            answer = str(event.get("content", ""))
    finished = next((e for e in reversed(events) if e.get("type") == "finished"), None)
    if finished is None:
        return Outcome(answer, events, "", _count_messages(events), 0, 0.0, None)
    cost = finished.get("cost")
    return Outcome(
        answer=answer, events=events, reason=str(finished.get("reason", "")),
        messages=int(_number(finished.get("messages"))),
        tokens=int(_number(finished.get("prompt_tokens")) + _number(finished.get("completion_tokens"))),
        seconds=_number(finished.get("duration")),
        cost=float(cost) if _is_number(cost) else None,
        currency=finished.get("currency") if isinstance(finished.get("currency"), str) else None,
    )


def _number(value: Any) -> float:
    # A stored run may come from another version's bundle: a missing or odd count reads as 0.
    return float(value) if _is_number(value) else 0.0


def _count_messages(events: list[dict[str, Any]]) -> int:
    """The team's messages of a run that never finished (the "finished" event counts them otherwise)."""
    return sum(e.get("type") == "handoff" or (e.get("type") == "message" and e.get("kind", "text") in (*SPOKEN_KINDS, "stop"))
               for e in events)


def _quoted(text: str) -> str:
    return json.dumps(shorten(text, SHOWN_CHARS), ensure_ascii=False)


# ---- checks on the answer -------------------------------------------------------------------
# Each returns (holds, what is true, what is false): the wording for both outcomes, so that a
# negated check ("not-contains") can say what it found as well as a plain one says what it missed.


def _text_check(kind: str, value: Any, answer: str) -> tuple[bool, str, str]:
    if kind == "equals":
        return answer.strip() == str(value).strip(), f"equals {_quoted(value)}", f"is not {_quoted(value)}"
    if kind in ("contains", "icontains"):
        fold = kind == "icontains"
        found = _find(answer, value, fold)
        return found, f"contains {_quoted(value)}", f"does not contain {_quoted(value)}"
    if kind in ("contains-any", "icontains-any"):
        hits = [v for v in value if _find(answer, v, kind.startswith("i"))]
        listed = ", ".join(_quoted(v) for v in value)
        return bool(hits), f"contains {_quoted(hits[0]) if hits else ''}", f"contains none of {listed}"
    if kind in ("contains-all", "icontains-all"):
        missing = [v for v in value if not _find(answer, v, kind.startswith("i"))]
        listed = ", ".join(_quoted(v) for v in value)
        return not missing, f"contains all of {listed}", "does not contain " + ", ".join(_quoted(v) for v in missing)
    if kind == "regex":
        match = re.search(value, answer)
        shown = f"/{shorten(value, 40)}/"
        return (match is not None, f"matches {shown} (at {_quoted(match.group(0)) if match else ''})",
                f"does not match {shown}")
    if kind == "starts-with":
        # Leading blank lines are how a model's reply often starts: they are not part of the answer.
        return answer.lstrip().startswith(value), f"starts with {_quoted(value)}", f"does not start with {_quoted(value)}"
    if kind == "is-json":
        _, problem = parse_json_answer(answer)
        return problem is None, "is JSON", f"is not JSON ({problem})"
    if kind == "json-schema":
        data, problem = parse_json_answer(answer)
        if problem is not None:
            return False, "fits the schema", f"is not JSON ({problem})"
        misfit = schema_problem(data, value)
        return misfit is None, "fits the schema", f"does not fit the schema: {misfit}"
    raise ValueError(f"not a check on the answer: {kind}")


def _find(answer: str, value: str, fold: bool) -> bool:
    return value.casefold() in answer.casefold() if fold else value in answer


def parse_json_answer(answer: str) -> tuple[Any, str | None]:
    """The answer as JSON: all of it, or else the first ```json fenced block; (None, why) when neither parses."""
    text = answer.strip()
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        problem = f"{exc.msg} at line {exc.lineno} column {exc.colno}" if text else "there is nothing to parse"
    block = _FENCED_JSON.search(answer)
    if block is not None:
        try:
            return json.loads(block.group(1)), None
        except json.JSONDecodeError as exc:
            problem = f"the fenced block: {exc.msg} at line {exc.lineno} column {exc.colno}"
    return None, problem


def schema_problem(data: Any, schema: dict[str, Any]) -> str | None:
    """Why ``data`` does not fit a (valid) JSON Schema, where; None when it fits."""
    import jsonschema

    validator = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return None
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    return shorten(error.message, SHOWN_CHARS) + (f" (at {where})" if where else "")


# ---- checks on the run ----------------------------------------------------------------------


def _spoken(outcome: Outcome) -> dict[str, int]:
    counts: dict[str, int] = {}
    for event in outcome.events:
        if event.get("type") == "message" and event.get("kind", "text") in SPOKEN_KINDS and event.get("agent") != "user":
            agent = str(event.get("agent", ""))
            counts[agent] = counts.get(agent, 0) + 1
    return counts


def _calls(outcome: Outcome, name: str | None = None) -> list[tuple[str, Any]]:
    """(tool name, arguments as JSON, or the raw text when they are not JSON) of every tool call."""
    out = []
    for event in outcome.events:
        if event.get("type") == "tool_call" and (name is None or event.get("name") == name):
            raw = event.get("arguments", "")
            try:
                arguments = json.loads(raw) if isinstance(raw, str) and raw.strip() else raw or {}
            except json.JSONDecodeError:
                arguments = raw
            out.append((str(event.get("name", "")), arguments))
    return out


def subset_match(expected: Any, actual: Any) -> bool:
    """Whether ``actual`` has everything ``expected`` has: mappings may hold more keys, lists must
    match item by item, and numbers compare as numbers (3 == 3.0; True is not 1)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and subset_match(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(actual) == len(expected)
                and all(subset_match(e, a) for e, a in zip(expected, actual, strict=True)))
    if _is_number(expected) and _is_number(actual):
        return math.isclose(float(expected), float(actual), rel_tol=1e-9, abs_tol=1e-12)
    return type(expected) is type(actual) and bool(expected == actual)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _names(items: list[str] | set[str]) -> str:
    return ", ".join(sorted(items))


def _run_check(check: CheckSpec, outcome: Outcome) -> tuple[bool, str]:
    kind, value = check.type, check.value
    if kind in ("spoke", "not-spoke"):
        spoken = _spoken(outcome)
        if kind == "spoke":
            return value in spoken, f"{value} did not speak " + (f"(who spoke: {_names(set(spoken))})" if spoken
                                                                  else "(no agent spoke)")
        count = spoken.get(value, 0)
        return not count, f"{value} spoke ({count} message{'s' if count != 1 else ''})"
    if kind in ("tool-called", "not-tool-called"):
        calls = _calls(outcome, value)
        if kind == "not-tool-called":
            return not calls, f"the tool {value} was called {len(calls)} time{'s' if len(calls) != 1 else ''}"
        if not calls:
            called = {n for n, _ in _calls(outcome)}
            return False, f"the tool {value} was not called " + (f"(tools called: {_names(called)})" if called
                                                                  else "(no tool was called)")
        wanted = check.arguments
        if wanted is None or any(subset_match(wanted, arguments) for _, arguments in calls):
            return True, ""
        seen = "; ".join(shorten(json.dumps(a, ensure_ascii=False) if not isinstance(a, str) else a, 60)
                         for _, a in calls[:3])
        return False, (f"{value} was called, but never with {shorten(json.dumps(wanted, ensure_ascii=False), 60)} "
                       f"(its calls: {seen})")
    if kind == "handoff":
        made = [(str(e.get("agent", "")), str(e.get("target", ""))) for e in outcome.events if e.get("type") == "handoff"]
        if any((value is None or t == value) and (check.source is None or s == check.source) for s, t in made):
            return True, ""
        target = "hand-off" + (f" to {value}" if value else "") + (f" from {check.source}" if check.source else "")
        return False, f"no {target} " + (f"(hand-offs: {', '.join(f'{s} → {t}' for s, t in made)})" if made
                                               else "(there were no hand-offs)")
    if kind == "finish-reason":
        reasons = value if isinstance(value, list) else [value]
        if outcome.reason in reasons:
            return True, ""
        got = f"ended with {outcome.reason!r}" if outcome.reason else "has no finish (it did not end)"
        return False, f"the run {got}; wanted: {' or '.join(reasons)}"
    # promptfoo writes latency's and cost's bound as 'threshold'; 'value' is accepted too.
    limit = float(check.threshold if kind in THRESHOLD_VALUED and check.threshold is not None else value)
    if kind == "max-messages":
        return outcome.messages <= limit, f"the run took {outcome.messages} messages (at most {limit:g} allowed)"
    if kind == "max-tokens":
        return outcome.tokens <= limit, f"the run used {outcome.tokens:,} tokens (at most {limit:,g} allowed)"
    if kind == "max-seconds":
        return outcome.seconds <= limit, f"the run took {outcome.seconds:.1f} s (at most {limit:g} s allowed)"
    if kind == "latency":
        ms = outcome.seconds * 1000
        return ms <= limit, f"the run took {ms:,.0f} ms (at most {limit:,g} ms allowed)"
    if kind in ("max-cost", "cost"):
        if outcome.cost is None:
            return False, UNKNOWN_COST
        money = f" {outcome.currency}" if outcome.currency else ""
        return outcome.cost <= limit, f"the run cost {outcome.cost:.6g}{money} (at most {limit:g}{money} allowed)"
    raise ValueError(f"not a check on the run: {kind}")


def check_run(check: CheckSpec, outcome: Outcome) -> CheckResult:
    """One check (any type but llm-rubric, which needs the judge: see rubric_prompt) of one run."""
    kind, negated = base_type(check.type)
    if kind == RUBRIC:
        raise ValueError("llm-rubric is judged by a model: use rubric_prompt() and rubric_result()")
    if kind in _ANSWER_KINDS:
        broken = schema_error(check.value) if kind == "json-schema" else None
        if broken is not None:
            return CheckResult(check.label(), check.type, False, broken)
        holds, true_text, false_text = _text_check(kind, check.value, outcome.answer)
        passed = holds != negated
        said = true_text if negated else false_text
        shown = f"it was: {_quoted(outcome.answer)}" if outcome.answer.strip() else "the run gave no answer"
        return CheckResult(check.label(), check.type, passed, "" if passed else f"the answer {said} ({shown})")
    passed, detail = _run_check(check, outcome)
    return CheckResult(check.label(), check.type, passed, "" if passed else detail)


_ANSWER_KINDS = frozenset({
    "equals", "contains", "icontains", "contains-any", "icontains-any", "contains-all", "icontains-all", "regex",
    "starts-with", "is-json", "json-schema",
})


# ---- llm-rubric -----------------------------------------------------------------------------
# The default judge is a 135M-parameter model: it cannot be trusted to write JSON, so the
# verdict is a word on the first line, and the prompt is short enough for its context.

_JUDGE_SYSTEM = ("You grade an answer against a rubric. Reply with PASS or FAIL on the first line, "
                 "then one sentence saying why.")


def rubric_prompt(check: CheckSpec, outcome: Outcome) -> tuple[str, str]:
    """(system message, user message) asking the judge whether the answer meets the rubric."""
    answer = outcome.answer.strip()
    if len(answer) > JUDGED_CHARS:
        answer = answer[:JUDGED_CHARS] + " […]"
    user = (f"Rubric: {str(check.value).strip()}\n\n"
            f"Answer:\n{answer or '(no answer)'}\n\n"
            "Does the answer meet the rubric? First line: PASS or FAIL.")
    return _JUDGE_SYSTEM, user


def rubric_result(check: CheckSpec, reply: str) -> CheckResult:
    """The judge's verdict: the first word PASS or FAIL (any case) decides; the rest is its reason."""
    label = check.label()
    match = _VERDICT.search(reply)
    if match is None:
        return CheckResult(label, check.type, False, f"the judge's reply names neither PASS nor FAIL: {_quoted(reply)}")
    line_end = reply.find("\n", match.end())
    line = reply[match.start():line_end if line_end >= 0 else len(reply)]
    if len({m.group(1).lower() for m in _VERDICT.finditer(line)}) > 1:
        # "PASS or FAIL": a small model repeating the question is no verdict.
        return CheckResult(label, check.type, False, f"the judge's reply names both PASS and FAIL: {_quoted(reply)}")
    score = 1.0 if match.group(1).lower() == "pass" else 0.0
    passed = score >= check.threshold if check.threshold is not None else score == 1.0
    reason = shorten(reply[match.end():].strip(" \t\r\n:.-—"), 120)
    verdict = "the judge said " + match.group(1).upper()
    detail = f"{verdict}: {reason}" if reason else verdict
    return CheckResult(label, check.type, passed, "" if passed and not reason else detail, score)
