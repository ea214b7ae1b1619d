"""Fit the rule-based answerer's two refusal thresholds on gold sets, and show how they hold on a set left out.

    python -m eval.fit_refusal --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/page-data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc-data --set crud=…/qa-dev.jsonl:/tmp/crud-data [--cache DIR]

The default answerer (`rag.answer.extractive`) refuses a question (part) when no grounded sentence covers
`MIN_COVERAGE` of the question's weighted words, or when the best one's article holds less than
`MIN_ARTICLE_COVERAGE` of them. Every question is asked once through the real chain (its sources and
standalone form); each part's grounded candidates are then ranked with both thresholds at 0 and kept with
their coverage and article share (cached per set with `--cache`). For each pair on a grid the decision
is replayed — a part keeps the candidates over both thresholds and answers with its best ones; a question
is refused when no part keeps any — and scored: answerable accuracy (every gold group in the answer) and,
on sets with unanswerable questions, refusal F1. A pair is chosen by the mean over the sets it is fit on
of (accuracy + refusal F1) / 2 (accuracy alone on a set without unanswerable questions): once on all sets,
and once leaving each set out (with the sets that share its questions: the part of the name before "-"),
whose score at the pair it did not choose is reported. The replay leaves
out one refinement of the answerer (a part whose best sentence another part took adds another), so the
numbers approximate `newsqa eval`'s; run it with the chosen pair to confirm.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from eval.gold import load_gold
from eval.scoring import correctness
from rag.answer.extractive import STRICT_TYPES, Part, pick_sentences, rank_sentences
from rag.chain import Assistant
from rag.index import NewsIndex
from rag.settings import Settings
from rag.types import Source

COVERAGE_GRID = [0.0, 0.04, 0.08, 0.12, 0.16, 0.2, 0.25, 0.3, 0.35]
ARTICLE_GRID = [0.5, 0.55, 0.6, 0.67, 0.7, 0.75, 0.8, 0.85, 0.9]


@dataclass
class Scored:
    accuracy: float
    refusal_f1: float | None

    @property
    def objective(self) -> float:
        return self.accuracy if self.refusal_f1 is None else (self.accuracy + self.refusal_f1) / 2


def collect(qa: Path, data_dir: Path) -> list[dict]:
    """One row per question: its gold groups and, per part, the grounded candidates at zero thresholds."""
    index = NewsIndex(Settings(data_dir=data_dir))
    assistant = Assistant(index.settings, index)

    def article_text(source: Source) -> str:
        return index.catalog.article_text(source.source, source.article_id) or source.text

    rows = []
    for item in tqdm(load_gold(qa), desc=qa.stem, unit="question", file=sys.stderr):
        answer = assistant.ask(item.question, history=item.history)
        ranked_parts = []
        standalone, has_term = answer.standalone_question, index.lexical.has_term
        for part in Part.each(item.question, standalone, answer.sources, article_text, has_term, STRICT_TYPES):
            ranked = rank_sentences(part, min_coverage=0.0, min_article=0.0)
            ranked_parts.append(
                [
                    {
                        "text": c.text,
                        "key": list(c.key),
                        "score": c.score,
                        "coverage": c.coverage,
                        "article": c.features.get("article", 0.0),
                    }
                    for c in ranked
                ]
            )
        rows.append({"id": item.id, "groups": item.answer_groups, "parts": ranked_parts})
    return rows


def replay(rows: list[dict], min_coverage: float, min_article: float) -> Scored:
    """The answerer's decisions at these thresholds, scored."""
    correct, answerable, refused_right, refused, unanswerable = 0, 0, 0, 0, 0
    for row in rows:
        texts = []
        for part in row["parts"]:
            kept = [c for c in part if c["coverage"] >= min_coverage and c["article"] >= min_article]
            texts += [c.text for c in pick_sentences([_Candidate(c) for c in kept])]
        is_refused = not texts
        ok, _ = correctness(row["groups"], "".join(texts), is_refused)
        if row["groups"]:
            answerable += 1
            correct += bool(ok)
        else:
            unanswerable += 1
            refused_right += is_refused
        refused += is_refused
    accuracy = correct / (answerable or 1)
    if not unanswerable:
        return Scored(accuracy, None)
    precision = refused_right / refused if refused else 0.0
    recall = refused_right / unanswerable
    f1 = 2 * precision * recall / (precision + recall) if refused_right else 0.0
    return Scored(accuracy, f1)


class _Candidate:
    """A cached candidate as `pick_sentences` reads it."""

    def __init__(self, row: dict) -> None:
        self.text, self.score, self.key = row["text"], row["score"], tuple(row["key"])


def choose(results: dict[str, dict[tuple[float, float], Scored]], names: list[str]) -> tuple[float, float]:
    """The grid pair with the best mean objective over the named sets (the first of ties)."""
    return max(results[names[0]], key=lambda pair: sum(results[n][pair].objective for n in names) / len(names))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=QA.jsonl:DATA_DIR (repeatable)")
    parser.add_argument("--cache", type=Path, help="folder for each set's candidates (reused when present)")
    args = parser.parse_args(argv)

    results: dict[str, dict[tuple[float, float], Scored]] = {}
    for spec in args.set:
        name, _, paths = spec.partition("=")
        qa, _, data_dir = paths.rpartition(":")
        cached = args.cache / f"{name}.json" if args.cache else None
        if cached and cached.exists():
            rows = json.loads(cached.read_text())
        else:
            rows = collect(Path(qa), Path(data_dir))
            if cached:
                cached.parent.mkdir(parents=True, exist_ok=True)
                cached.write_text(json.dumps(rows, ensure_ascii=False))
        results[name] = {(a, b): replay(rows, a, b) for a in COVERAGE_GRID for b in ARTICLE_GRID}

    names = list(results)
    chosen = choose(results, names)
    header = "| in-set: pair: acc / F1 | fit on the others: pair: acc / F1 |"
    print(f"| set | fit on all {chosen}: accuracy / refusal F1 {header}")
    print("|---|---|---|---|")
    for name in names:
        own = choose(results, [name])
        group = name.split("-")[0]  # crud-unanswerable shares crud's questions: both are left out together
        others = choose(results, [n for n in names if n.split("-")[0] != group] or [name])
        print(
            f"| {name} | {_cell(results[name][chosen])} | {own}: {_cell(results[name][own])} | "
            f"{others}: {_cell(results[name][others])} |"
        )
    print(f"\nthresholds fit on all sets: MIN_COVERAGE = {chosen[0]}, MIN_ARTICLE_COVERAGE = {chosen[1]}")


def _cell(scored: Scored) -> str:
    f1 = "–" if scored.refusal_f1 is None else f"{scored.refusal_f1:.3f}"
    return f"{scored.accuracy:.3f} / {f1}"


if __name__ == "__main__":
    main()
