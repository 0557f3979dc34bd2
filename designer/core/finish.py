"""How the end of a run is worded: one wording for the transcript, the status bar and the terminal.

A run that met its termination condition and one whose team simply stopped talking both
"finished": the user asked for neither to be told apart, and the detail says which bound
ended it. Stopped means somebody (or a missing answer) ended it early; failed means an error.
"""

from __future__ import annotations

import re

from .events import Finished, FinishReason

_WORDS: dict[FinishReason, str] = {
    "completed": "Finished",
    "termination": "Finished",
    "stopped": "Stopped",
    "error": "Failed",
}
#: A glance-able mark for narrow places (the status bar): done, halted, broken.
_MARKS: dict[FinishReason, str] = {"completed": "✓", "termination": "✓", "stopped": "■", "error": "✖"}


def finish_word(reason: FinishReason) -> str:
    """'Finished', 'Stopped' or 'Failed'."""
    return _WORDS[reason]


def finish_mark(reason: FinishReason) -> str:
    """'✓', '■' or '✖'."""
    return _MARKS[reason]


def finish_text(reason: FinishReason, detail: str = "", *, capital: bool = True) -> str:
    """'Finished: Text 'DONE' mentioned' (or 'finished: …' inside a sentence); no detail, no colon."""
    word = _WORDS[reason] if capital else _WORDS[reason].lower()
    return word + (f": {detail}" if detail else "")


#: The detail of a graph run that reached its end (AgentChat says "Digraph execution is complete").
GRAPH_DONE = "the graph reached its end"
#: The same for a sequential run, which AgentChat runs as a chain-shaped graph.
SEQUENCE_DONE = "the last agent in the order has spoken"
#: How a Stop reads; after Finish turn too, when the turn had not ended yet.
STOPPED_BY_USER = "stopped by the user"
#: How Finish turn reads when the turn did end.
FINISHED_TURN = "finished by the user after the current turn"


#: AgentChat's stop texts, in plain words. Its message count includes the task, so "20 messages
#: reached" came with "19 messages" in the summary; the limit is named, with what counts.
_PLAIN = (
    (re.compile(r"Maximum number of messages (\d+) reached, current message count: \d+"),
     r"the limit of \1 messages was reached (the task counts as one)"),
    (re.compile(r"Timeout of ([\d.]+) seconds reached"), r"the time limit of \1 s was reached"),
    (re.compile(r"Token usage limit reached, total token count: (\d+), prompt token count: \d+, completion token count: \d+\.?"),
     r"the token budget was used up (\1 tokens)"),
    # The conditions of issue 12 (runtime/termination.py; the two token caps are its own texts).
    (re.compile(r"Prompt token limit (\d+) reached, prompt token count: \d+"), r"the prompt-token budget of \1 was used up"),
    (re.compile(r"Completion token limit (\d+) reached, completion token count: \d+"),
     r"the completion-token budget of \1 was used up"),
    (re.compile(r"Maximum number of turns (\d+) reached\."), r"turn cap of \1 reached"),
    (re.compile(r"Function '([^']*)' was executed\."), r"tool \1 was called"),
    (re.compile(r"Text message received from '([^']*)'"), r"\1 sent a text message"),
    (re.compile(r"Handoff to (\S+) from (\S+) detected\."), r"\2 handed off to \1"),
    # A 'spoke' condition (the hierarchical pattern's "'lead' answered" reads as it is).
    (re.compile(r"'([^']*)' spoke"), r"\1 spoke"),
)


def plain_reason(reason: str) -> str:
    """AgentChat's stop reason (several joined with ', ') with its bounds said in plain words."""
    for pattern, words in _PLAIN:
        reason = pattern.sub(words, reason)
    return reason


def graph_done(pattern: str) -> str:
    """The detail of a graph-shaped run that reached its end, in the words of its pattern."""
    return SEQUENCE_DONE if pattern == "sequential" else GRAPH_DONE


#: How every Magentic-One ending by final answer begins (run_support tells completion from a cap by it).
MAGENTIC_ANSWER = "the orchestrator gave the final answer"


def magentic_answered(reason: str, rounds: int | None = None) -> str:
    """How a Magentic-One run ends: its orchestrator's final answer, after its round cap
    (``rounds``) or when its ledger found the request satisfied (``reason``, the model's words)."""
    if rounds is not None:
        return f"{MAGENTIC_ANSWER} after its cap of {plural(rounds, 'round')}"
    why = " ".join(reason.split())
    why = why if len(why) <= 200 else why[:199] + "…"
    return MAGENTIC_ANSWER + (f" (request satisfied: {why})" if why else "")


def plural(n: int, noun: str) -> str:
    """'1 message', '2 messages', '0 messages'."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def figures_text(event: Finished) -> str:
    """'1.2 s, 1 message, 12 tokens': what a run cost, in the transcript, status bar and terminal.

    A reply cut short by a stop still counts as a message, and its tokens (never reported by
    the model, which was interrupted) as an estimate that says so: a stopped run that streamed
    text must not read '0 messages, 0 tokens'."""
    partial = cut_short(event)
    messages = plural(event.messages, "message") + (f" ({partial} cut short)" if partial else "")
    return f"{event.duration:.1f} s, {messages}, {tokens_text(event.prompt_tokens + event.completion_tokens, estimated(event))}"


def tokens_text(total: int, estimated: int = 0, *, say_why: bool = True) -> str:
    """'12 tokens'; '≈3 tokens (estimated)' when all were estimated, '≈15 tokens (3 estimated)' when
    some; without ``say_why`` only '≈15 tokens' (a narrow place that explains in its tooltip)."""
    text = plural(total, "token")
    if not estimated:
        return text
    if not say_why:
        return f"≈{text}"
    return f"≈{text} (estimated)" if estimated >= total else f"≈{text} ({estimated} estimated)"


def estimated(event: Finished) -> int:
    """The tokens of replies cut short: counted from the streamed chunks, not reported by a model."""
    return sum(t.get("estimated", 0) for t in event.tokens_by_agent.values())


def cut_short(event: Finished) -> int:
    """How many replies the run's end cut short: the agents with estimated tokens (the runner
    puts a cut-short reply's streamed chunks, one token each, in ``tokens_by_agent[agent]['estimated']``;
    an agent speaks one reply at a time, so one agent is one reply)."""
    return sum(1 for t in event.tokens_by_agent.values() if t.get("estimated", 0))
