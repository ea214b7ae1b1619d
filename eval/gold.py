"""Gold QA sets: loading them, and deciding whether a retrieved article answers a question."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from eval.metrics import squash


@dataclass
class GoldItem:
    """One gold question: `{id, question, answer_groups?, evidence_doc_ids?, evidence_text?, type?, history?}`."""

    id: str
    question: str
    answer_groups: list[list[str]] | None = None
    evidence_doc_ids: list[str] = field(default_factory=list)
    evidence_text: str | None = None
    type: str = ""
    history: list[dict] = field(default_factory=list)

    @property
    def answerable(self) -> bool:
        return self.answer_groups is None or bool(self.answer_groups)

    def is_relevant(self, article_id: str, article_text: str) -> bool:
        """The article is an evidence article, holds the evidence passage, or (with evidence ids,
        where other articles may hold the same facts) contains every expected answer."""
        if not self.answerable:
            return False
        if article_id in self.evidence_doc_ids:
            return True
        text = squash(article_text)
        if self.evidence_text and squash(self.evidence_text) in text:
            return True
        if self.evidence_doc_ids and self.answer_groups:
            return all(any(squash(m) in text for m in group) for group in self.answer_groups)
        return False


def load_gold(path: Path) -> list[GoldItem]:
    """Read a gold JSONL file."""
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            items.append(
                GoldItem(
                    id=str(record["id"]),
                    question=record["question"],
                    answer_groups=record.get("answer_groups"),
                    evidence_doc_ids=[str(x) for x in record.get("evidence_doc_ids") or []],
                    evidence_text=record.get("evidence_text"),
                    type=record.get("type") or "",
                    history=record.get("history") or [],
                )
            )
    return items
