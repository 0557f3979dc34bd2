"""A stored run and a comparison as files: Markdown, JSON lines, self-contained HTML, terminal text."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from typing import Any

from designer.core.run_compare import compare
from designer.core.run_render import comparison_html, comparison_text, run_html, run_jsonl, run_markdown
from tests.unit.run_samples import TOOL_TEAM, edit_yaml, example_yaml, scripted, stored_run

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def report(researcher_prompt: str | None = None, replies: tuple[str, str] = ("- Water helps.", "Summary: drink.")) -> str:
    def edit(d: dict[str, Any]) -> None:
        if researcher_prompt is not None:
            d["agents"]["researcher"]["system_message"] = researcher_prompt
    return scripted(edit_yaml(example_yaml("research_report.yaml"), edit), list(replies))


class Tags(HTMLParser):
    """The tags and attributes a browser would see in a page (escaped text is not a tag)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)
            self._in_style = False


def assert_self_contained(page: str) -> None:
    lowered = page.lower()
    assert lowered.startswith("<!doctype html>")
    assert "<script" not in lowered and "javascript:" not in lowered
    assert "http" not in lowered  # no external URL of any kind, not even an XML namespace
    parsed = Tags()
    parsed.feed(page)
    assert not parsed.tags & {"script", "img", "link", "iframe", "object", "embed", "a", "form", "base"}, parsed.tags
    assert not {a for a in parsed.attributes if a.startswith("on")} and not parsed.attributes & {"src", "href", "action"}
    [css] = parsed.styles
    assert "url(" not in css and "@import" not in css
    assert "@media (prefers-color-scheme: dark)" in css


def test_markdown_has_the_header_and_the_transcript_with_replayed_turns_marked():
    run = stored_run(TOOL_TEAM, run_id="3f2a9c1b0d4e", origin_of={1: "replayed"}, cost=None)
    text = run_markdown(run)
    lines = text.splitlines()
    assert lines[0] == "# Tools"
    assert "run 3f2a9c1 · " in lines[2]
    assert "**Task:** area please" in lines
    assert f"**Finished: {run.detail}** — {run.duration:.1f} s, 2 messages, {run.tokens} tokens, cost unknown" in lines
    headings = [line for line in lines if line.startswith("### ")]
    assert [h.split(" · ")[0] for h in headings] == ["### Task", "### a", "### b"]
    assert headings[1].endswith(" · ↺ replayed") and not headings[2].endswith("replayed")
    call = lines.index(next(line for line in lines if line.startswith("**a** called `area`")))
    assert lines[call + 2: call + 6] == ["```json", '{"length": 2, "width": 3}', "```", "Result: 6.0"]


def test_jsonl_gives_back_every_event():
    run = stored_run(TOOL_TEAM)
    lines = run_jsonl(run).splitlines()
    assert [json.loads(line) for line in lines] == run.events
    assert len(lines) == len(run.events) and lines[0].startswith('{"type": "started"')
    unicode = dataclasses.replace(run, events=[{"type": "message", "content": "café ↺"}])
    assert run_jsonl(unicode) == '{"type": "message", "content": "café ↺"}\n'  # ensure_ascii=False


def test_run_page_escapes_hostile_text_and_stands_alone():
    team = TOOL_TEAM.replace("name: Tools", 'name: "Tools <b>bold</b>"').replace("It is 6.", f"'{HOSTILE}'")
    run = stored_run(team, task=f"area </details>{HOSTILE}", title="try <i>")
    page = run_html(run)
    assert_self_contained(page)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert page.count("&lt;script&gt;") == 4  # the task (its card and its turn), the reply, the snapshot
    assert "<b>bold</b>" not in page and "Tools &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<h1>try &lt;i&gt;</h1>" in page
    # The team as it ran, folded away; the transcript after it.
    details = re.search(r'<details class="team card"><summary>[^<]*</summary><pre>(.*?)</pre></details>', page, re.S)
    assert details is not None and "provider: scripted" in details.group(1)
    assert page.index("class=\"team card\"") < page.index('<span class="speaker" style="--hue:')
    # A tool call folds to one line (call and answer) and opens to both in full.
    assert '<summary>⚙ <code>area({&quot;length&quot;: 2, &quot;width&quot;: 3})</code> <span class="res">→ 6.0</span>' in page
    assert '<pre class="out">→ 6.0</pre>' in page


def test_run_page_shows_cost_and_replay():
    run = stored_run(TOOL_TEAM, origin_of={1: "replayed"}, cost=0.0012, currency="EUR", saved_tokens=9, saved_cost=0.0004)
    page = run_html(run)
    assert "<tr><th>Cost</th><td>€0.0012</td></tr>" in page
    assert "<tr><th>Saved by replay</th><td>9 tokens, €0.0004</td></tr>" in page
    assert page.count("↺ replayed") == 1


def comparison() -> tuple[Any, Any, Any]:
    a_yaml = report(replies=("- Water helps.\n- Water cools.", "Summary: drink water."))
    b_yaml = report(
        'You are a researcher. List 3 surprising facts about the topic. Each fact on its own line, starting with "- ".',
        ("- Water helps.\n- Water calms.", f"Summary: drink water. {HOSTILE}"))
    b_yaml = edit_yaml(b_yaml, lambda d: d["models"]["smollm2"]["options"].update(temperature=0.7))
    a = stored_run(a_yaml, "Topic: water", run_id="a1b2c3d4e5f6", title="baseline", cost=0.0030, currency="USD")
    b = stored_run(b_yaml, "Topic: water", run_id="f6e5d4c3b2a1", origin_of={1: "replayed"}, cost=None, currency="USD")
    return compare(a, b), a, b


def test_comparison_page_totals_team_diff_and_aligned_transcripts():
    c, a, b = comparison()
    page = comparison_html(c, a, b)
    assert_self_contained(page)
    # Totals with deltas; an unknown cost stays unknown.
    assert '<tr><th>Cost</th><td class="num">$0.0030</td><td class="num">unknown</td><td class="delta unknown">unknown</td></tr>' in page
    assert '<td class="delta">±0</td>' in page  # the same number of messages
    # The system message as a word diff: only the changed word struck through and inserted.
    prose = re.search(r'agents\.researcher\.system_message</span>.*?<div class="prose">(.*?)</div>', page, re.S)
    assert prose is not None
    assert re.findall(r"<(del|ins)>(.*?)</\1>", prose.group(1)) == [("del", "short"), ("ins", "surprising")]
    assert "<del>0.2</del> → <ins>0.7</ins>" in page
    # Side by side: a sticky header, one row per pair, the changed words highlighted on each side.
    assert "position: sticky" in page and '<div class="sxs-head">' in page
    rows = re.findall(r'<div class="pair (\w+)">', page)
    assert rows == ["same", "changed", "changed"]
    assert "- Water <del>cools.</del>" in page and "- Water <ins>calms.</ins>" in page
    assert "&lt;script&gt;" in page
    assert page.count("↺ replayed") == 1


def test_comparison_text_for_the_terminal():
    c, a, b = comparison()
    text = comparison_text(c, a, b)
    assert "\x1b[" not in text
    lines = text.splitlines()
    cost = next(line for line in lines if line.strip().startswith("Cost"))
    assert cost.split() == ["Cost", "$0.0030", "unknown", "unknown"]
    edited = lines.index("  agents.researcher.system_message edited")
    assert lines[edited + 1] == (
        '      You are a researcher. List 3 [-short-]{+surprising+} facts about the topic. Each fact on its own line, starting with "- ".')
    assert "  models.smollm2.options.temperature: [-0.2-] {+0.7+}" in lines
    turns = [line for line in lines if line[:2] in ("= ", "~ ", "< ", "> ")]
    assert turns[0] == "= Task: Topic: water"
    assert turns[1] == "~ researcher ↺:" and turns[2].startswith("~ summarizer")
    assert "    - Water [-cools.-]{+calms.+}" in lines
    coloured = comparison_text(c, a, b, colour=True)
    assert "\x1b[31m[-short-]\x1b[0m" in coloured and "\x1b[32m{+surprising+}\x1b[0m" in coloured


def test_an_extra_turn_shows_as_a_gap_on_the_other_side():
    def team(order: list[str], replies: list[str]) -> str:
        def edit(d: dict[str, Any]) -> None:
            d["orchestration"]["participants"] = order
            d["termination"] = {"max_messages": len(order) + 1}
        return scripted(edit_yaml(example_yaml("campaign_group_chat.yaml"), edit), replies)

    a = stored_run(team(["strategist", "copywriter"], ["Goal.", "Slogan."]))
    b = stored_run(team(["strategist", "designer", "copywriter"], ["Goal.", "Poster.", "Slogan."]), run_id="bbbbbbbbbbbb")
    c = compare(a, b)
    page = comparison_html(c, a, b)
    assert re.findall(r'<div class="pair (\w+)">', page) == ["same", "same", "right", "same"]
    assert page.count('<div class="gap">no turn in A</div>') == 1
    text = comparison_text(c, a, b)
    assert "> designer: Poster." in text.splitlines()
    assert "  orchestration.participants: [-[strategist, copywriter]-] {+[strategist, designer, copywriter]+}" in text
