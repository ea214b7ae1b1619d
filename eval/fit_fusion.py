"""Fit the hybrid retriever's fusion weight on gold sets, and show how it holds on a set it was not fit on.

    python -m eval.fit_fusion --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/eval-page \\
        --set crud=/work/shared/datasets/crud-news/qa-dev.jsonl:/tmp/crud/data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc/data

Each `--set NAME=QA.jsonl:DATA_DIR` names a gold set and an index already built from its corpus (`newsqa
eval` builds one). For every answerable single-turn question the dense and BM25 candidates are fetched
once; each dense weight on a grid (0 = BM25 only, 1 = dense only) is then scored by article-level MRR@10,
and reciprocal-rank fusion for comparison. The weight is chosen by the mean MRR over the sets it is fit
on: once on all sets (the value for `Settings.dense_weight`), and once leaving each set out, to report
the left-out set's MRR at a weight it did not choose.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from eval.gold import GoldItem, load_gold
from eval.metrics import reciprocal_rank
from eval.retrieval import DEPTH, judge_articles
from rag.index import NewsIndex
from rag.retrieve import Ranking, fuse_convex, fuse_rrf
from rag.settings import Settings

GRID = [round(i * 0.05, 2) for i in range(21)]


@dataclass
class Question:
    """One gold question with both retrievers' candidates and the judged relevance of every article met."""

    rankings: dict[str, Ranking]
    relevant: dict[str, bool]  # chunk id → does its article answer the question


def collect(index: NewsIndex, items: list[GoldItem]) -> list[Question]:
    """Both retrievers' candidates for every question (embedded in one batch), each chunk judged once."""
    wanted = index.settings.candidates
    vectors = index.embeddings.encode([item.question for item in items])
    questions = []
    for item, vector in zip(items, vectors, strict=True):
        rankings = {
            "dense": index.store.search(vector, wanted, None),
            "bm25": index.lexical.search(item.question, wanted, None),
        }
        ids = list(dict.fromkeys(cid for ranking in rankings.values() for cid, _ in ranking))
        chunks = index.catalog.chunks(ids)
        found = [cid for cid in ids if cid in chunks]
        flags = judge_articles(index, item, [(chunks[c].source, chunks[c].article_id, chunks[c].title) for c in found])
        questions.append(Question(rankings, dict(zip(found, flags, strict=True))))
    return questions


def mrr(questions: list[Question], dense_weight: float | None) -> float:
    """Article-level MRR@10 of convex fusion at `dense_weight`, or of reciprocal-rank fusion for None."""
    total = 0.0
    for q in questions:
        if dense_weight is None:
            fused = fuse_rrf(q.rankings)
        else:
            fused = fuse_convex(q.rankings, {"dense": dense_weight, "bm25": 1.0 - dense_weight})
        total += reciprocal_rank([q.relevant.get(cid, False) for cid, _, _ in fused[:DEPTH]])
    return total / (len(questions) or 1)


def best_weight(curves: dict[str, dict[float, float]], names: list[str]) -> float:
    """The grid weight with the highest mean MRR over the named sets (the middle one of ties)."""
    means = {w: sum(curves[n][w] for n in names) / len(names) for w in GRID}
    top = max(means.values())
    tied = [w for w in GRID if means[w] >= top - 1e-9]
    return tied[len(tied) // 2]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=QA.jsonl:DATA_DIR (repeatable)")
    parser.add_argument("--json", type=Path, help="also write the curves and choices here")
    args = parser.parse_args(argv)

    curves: dict[str, dict[float, float]] = {}
    rrf: dict[str, float] = {}
    for spec in args.set:
        name, _, paths = spec.partition("=")
        qa, _, data_dir = paths.rpartition(":")
        items = [i for i in load_gold(Path(qa)) if i.answerable and not i.history]
        index = NewsIndex(Settings(data_dir=Path(data_dir)))
        questions = collect(index, items)
        curves[name] = {w: mrr(questions, w) for w in GRID}
        rrf[name] = mrr(questions, None)
        print(f"{name}: {len(questions)} questions", flush=True)

    names = list(curves)
    chosen = best_weight(curves, names)
    header = "| set | BM25 only | dense only | RRF | in-set: weight (MRR) | fit on the others: weight (MRR) |"
    print(f"\n{header} fit on all: {chosen} |\n" + "|---" * 7 + "|")
    rows = {}
    for name in names:
        own = best_weight(curves, [name])
        others = [n for n in names if n != name] or [name]
        left_out = best_weight(curves, others)
        c = curves[name]
        rows[name] = {
            "bm25": c[0.0],
            "dense": c[1.0],
            "rrf": rrf[name],
            "in_set": [own, c[own]],
            "left_out": [left_out, c[left_out]],
            "all": c[chosen],
        }
        print(
            f"| {name} | {c[0.0]:.3f} | {c[1.0]:.3f} | {rrf[name]:.3f} | {own} ({c[own]:.3f}) | "
            f"{left_out} ({c[left_out]:.3f}) | {c[chosen]:.3f} |"
        )
    print(f"\ndense weight fit on all sets: {chosen}")
    if args.json:
        curves_out = {n: {str(w): v for w, v in c.items()} for n, c in curves.items()}
        args.json.write_text(json.dumps({"chosen": chosen, "sets": rows, "curves": curves_out}, indent=1))


if __name__ == "__main__":
    main()
