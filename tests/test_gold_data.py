"""Checks the gold QA set for the bundled 衡阳日报 2022-12-15 page against the page itself."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
GOLD_PATH = REPO_ROOT / "eval" / "data" / "hengyang-2022-12-15.jsonl"
PAGE_PATH = REPO_ROOT / "corpus" / "hengyang-daily-2022-12-15.txt"

# Allowed evidence titles, in page order, each with the text that opens its
# section on the page. The 人大 column opens with its 编者按, above its headline.
SECTION_STARTS: dict[str, str] = {
    "新华社北京12月14日电": "新华社北京12月14日电",
    "刘越高率队赴省直相关部门对接工作": "刘越高率队赴省直相关部门对接工作",
    "朱健就《政府工作报告》征求市人大常委会机关干部的意见和建议": (
        "朱健就《政府工作报告》征求市人大常委会机关干部的意见和建议"
    ),
    "十三届市政协召开第十二次主席会议": "十三届市政协召开第十二次主席会议",
    "866个民生实事项目“人大代表说了算”": "编者按",
}
TITLES = tuple(SECTION_STARTS)

BASIC_TYPES = ("factoid", "list", "number", "who", "when")
ALLOWED_TYPES = frozenset((*BASIC_TYPES, "reworded", "unanswerable", "followup"))
REQUIRED_FIELDS = (
    "id",
    "question",
    "answer_groups",
    "evidence_title",
    "evidence_text",
    "type",
)

MIN_ANSWERABLE = 60  # answerable, not counting follow-up turns
MIN_REWORDED = 12
MIN_UNANSWERABLE = 12
MIN_FOLLOWUPS = 6

Record = dict[str, Any]


def squash(text: str) -> str:
    """Remove all whitespace (line breaks, spaces) so hard-wrapped text compares equal."""
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def lines() -> list[str]:
    return GOLD_PATH.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def records(lines: list[str]) -> list[Record]:
    return [json.loads(line) for line in lines]


@pytest.fixture(scope="module")
def page() -> str:
    return squash(PAGE_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sections(page: str) -> dict[str, str]:
    starts: list[tuple[int, str]] = []
    for title, marker in SECTION_STARTS.items():
        marker = squash(marker)
        assert page.count(marker) == 1, f"section marker not unique on page: {marker}"
        starts.append((page.index(marker), title))
    starts.sort()
    ends = [pos for pos, _ in starts[1:]] + [len(page)]
    return {title: page[pos:end] for (pos, title), end in zip(starts, ends, strict=False)}


def answerable(records: list[Record]) -> list[Record]:
    return [r for r in records if r["type"] != "unanswerable"]


def test_every_line_parses(lines: list[str]) -> None:
    assert lines, "gold file is empty"
    for n, line in enumerate(lines, 1):
        assert line.strip(), f"blank line {n}"
        assert isinstance(json.loads(line), dict), f"line {n} is not a JSON object"


def test_ids_unique_and_well_formed(records: list[Record]) -> None:
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), [i for i, c in Counter(ids).items() if c > 1]
    for rid in ids:
        assert re.fullmatch(r"hy-\d{3}", rid), rid


def test_questions_unique(records: list[Record]) -> None:
    questions = [r["question"] for r in records]
    assert len(questions) == len(set(questions))


def test_required_fields_and_types(records: list[Record]) -> None:
    for r in records:
        for field in REQUIRED_FIELDS:
            assert field in r, f"{r.get('id')}: missing {field}"
        assert r["type"] in ALLOWED_TYPES, f"{r['id']}: bad type {r['type']}"
        assert isinstance(r["question"], str) and r["question"].strip(), r["id"]
        groups = r["answer_groups"]
        assert isinstance(groups, list), r["id"]
        for group in groups:
            assert isinstance(group, list) and group, f"{r['id']}: empty or non-list group"
            for member in group:
                assert isinstance(member, str) and member.strip(), f"{r['id']}: bad member"


def test_answerable_items_have_evidence(records: list[Record]) -> None:
    for r in answerable(records):
        assert r["answer_groups"], f"{r['id']}: answerable item without answer groups"
        assert r["evidence_title"] in TITLES, f"{r['id']}: unknown title {r['evidence_title']}"
        assert isinstance(r["evidence_text"], str) and r["evidence_text"].strip(), r["id"]


def test_evidence_text_is_on_page(records: list[Record], page: str) -> None:
    for r in answerable(records):
        assert squash(r["evidence_text"]) in page, f"{r['id']}: evidence not on page"


def test_evidence_is_in_titled_article(records: list[Record], sections: dict[str, str]) -> None:
    for r in answerable(records):
        section = sections[r["evidence_title"]]
        assert squash(r["evidence_text"]) in section, f"{r['id']}: evidence not under its title"


def test_every_group_matches_evidence(records: list[Record]) -> None:
    for r in answerable(records):
        evidence = squash(r["evidence_text"])
        for group in r["answer_groups"]:
            assert any(squash(m) in evidence for m in group), f"{r['id']}: {group} not in evidence"


def test_unanswerable_items(records: list[Record]) -> None:
    for r in records:
        if r["type"] == "unanswerable":
            assert r["answer_groups"] == [], r["id"]
            assert r["evidence_title"] is None, r["id"]
            assert r["evidence_text"] is None, r["id"]
            assert "history" not in r, r["id"]


def test_followups_have_history(records: list[Record]) -> None:
    questions = {r["question"] for r in records if r["type"] != "followup"}
    for r in records:
        if r["type"] != "followup":
            assert "history" not in r, f"{r['id']}: history on a non-followup item"
            continue
        history = r.get("history")
        assert isinstance(history, list) and history, f"{r['id']}: empty history"
        for turn in history:
            assert turn.get("role") in ("user", "assistant"), r["id"]
            assert isinstance(turn.get("content"), str) and turn["content"].strip(), r["id"]
        assert history[0]["role"] == "user", r["id"]
        assert history[0]["content"] in questions, f"{r['id']}: first turn is not in the set"


def test_counts_meet_minimums(records: list[Record]) -> None:
    types = Counter(r["type"] for r in records)
    assert len(answerable(records)) - types["followup"] >= MIN_ANSWERABLE
    assert types["reworded"] >= MIN_REWORDED
    assert types["unanswerable"] >= MIN_UNANSWERABLE
    assert types["followup"] >= MIN_FOLLOWUPS
    for basic in BASIC_TYPES:
        assert types[basic] > 0, f"no {basic} questions"


def test_all_articles_covered(records: list[Record]) -> None:
    covered = Counter(r["evidence_title"] for r in answerable(records))
    for title in TITLES:
        assert covered[title] > 0, f"no questions on {title}"
