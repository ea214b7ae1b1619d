"""Fit the hybrid retriever's learned fusion on gold sets, and show how it holds on sets it was not fit on.

    python -m eval.fit_fusion --set page=eval/data/hengyang-2022-12-15.jsonl:/tmp/eval-page \\
        --set crud=/work/shared/datasets/crud-news/qa-dev.jsonl:/tmp/crud/data \\
        --set cmrc=/tmp/cmrc/qa.jsonl:/tmp/cmrc/data --set crud10k=…qa-dev.jsonl:/tmp/crud10k/data \\
        --together crud,crud10k [--out rag/fusion.json]

Each `--set NAME=QA.jsonl:DATA_DIR` names a gold set and an index already built from its corpus (`newsqa
eval` builds one). For every answerable single-turn question both retrievers' top `max(DEPTHS)` are
fetched once and every chunk met is judged (does its article answer the question?). For each candidate
depth, a logistic regression over the fusion features (`rag.retrieve.fusion_features`: each retriever's
min-max normalised score and reciprocal rank) is fit on the chunks of the sets, each set counting the
same, and scored by article-level MRR@10. The depth with the best mean MRR is chosen with its weights.
Each set is also scored by a fit on the others (sets named together in `--together`, such as two
indexes of the same questions, are left out together), beside BM25 alone, dense alone, reciprocal-rank
fusion and the convex combination at `Settings.dense_weight`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from eval.gold import GoldItem, load_gold
from eval.logistic import fit_logistic
from eval.metrics import reciprocal_rank
from eval.retrieval import DEPTH, judge_articles
from rag.index import NewsIndex
from rag.retrieve import Fused, Ranking, fuse_convex, fuse_rrf, fuse_weighted, fusion_features
from rag.settings import Settings

DEPTHS = (30, 50, 100)  # candidates from each retriever
FEATURES = ("dense_score", "dense_rank", "bm25_score", "bm25_rank")
L2 = 1e-5  # four features over some 100,000 judged chunks: next to no ridge is needed


@dataclass
class Question:
    """One gold question with both retrievers' candidates and the judged relevance of every chunk met."""

    rankings: dict[str, Ranking]
    relevant: dict[str, bool]  # chunk id → does its article answer the question

    def at(self, depth: int) -> dict[str, Ranking]:
        return {name: ranking[:depth] for name, ranking in self.rankings.items()}

    def mrr(self, fused: Fused) -> float:
        return reciprocal_rank([self.relevant.get(cid, False) for cid, _, _ in fused[:DEPTH]])


def collect(index: NewsIndex, items: list[GoldItem], wanted: int) -> list[Question]:
    """Both retrievers' candidates for every question, each chunk judged once. Each question is embedded
    alone, as the chain embeds it: the int8 model quantizes activations per batch, so a vector depends
    on the batch it was computed in."""
    questions = []
    for item in items:
        vector = index.embeddings.encode([item.question])[0]
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


def fit(sets: dict[str, list[Question]], depth: int) -> dict[str, float]:
    """Fusion weights fit on every chunk of the sets' questions at `depth`, each set counting the same."""
    rows, labels, weights = [], [], []
    for questions in sets.values():
        chunks = [(q, cid, found) for q in questions for cid, found in fusion_features(q.at(depth)).items()]
        for q, cid, found in chunks:
            rows.append([found.get(f, 0.0) for f in FEATURES])
            labels.append(float(q.relevant.get(cid, False)))
            weights.append(1.0 / len(chunks))
    w, _ = fit_logistic(np.array(rows), np.array(labels), np.array(weights), L2)
    return {f: round(float(v), 4) for f, v in zip(FEATURES, w, strict=True)}


def mean_mrr(questions: list[Question], fuse: Callable[[Question], Fused]) -> float:
    return sum(q.mrr(fuse(q)) for q in questions) / (len(questions) or 1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", required=True, help="NAME=QA.jsonl:DATA_DIR (repeatable)")
    parser.add_argument("--together", action="append", default=[], help="NAME,NAME: sets left out together")
    parser.add_argument("--out", type=Path, help="write the weights fit on all sets here (rag/fusion.json)")
    args = parser.parse_args(argv)

    sets: dict[str, list[Question]] = {}
    for spec in args.set:
        name, _, paths = spec.partition("=")
        qa, _, data_dir = paths.rpartition(":")
        items = [i for i in load_gold(Path(qa)) if i.answerable and not i.history]
        sets[name] = collect(NewsIndex(Settings(data_dir=Path(data_dir))), items, max(DEPTHS))
        print(f"{name}: {len(sets[name])} questions", flush=True)
    groups = [set(g.split(",")) for g in args.together]

    def score(weights: dict[str, float], depth: int, name: str) -> float:
        return mean_mrr(sets[name], lambda q: fuse_weighted(q.at(depth), weights))

    fits = {depth: fit(sets, depth) for depth in DEPTHS}
    means = {depth: np.mean([score(fits[depth], depth, n) for n in sets]) for depth in DEPTHS}
    depth = max(DEPTHS, key=lambda d: (means[d], -d))
    chosen = fits[depth]
    print("mean MRR by depth, fit on all sets: " + ", ".join(f"{d}: {m:.4f}" for d, m in means.items()))
    dense_weight = Settings().dense_weight
    print(
        f"\n| set | BM25 only | dense only | RRF | convex {dense_weight} | learned, in-set | "
        f"learned, fit on the others | learned, fit on all (depth {depth}) |\n" + "|---" * 8 + "|"
    )
    rows = {}
    for name, questions in sets.items():
        apart = set().union(*(g for g in groups if name in g)) | {name}
        others = {n: q for n, q in sets.items() if n not in apart}
        row = {
            "bm25": mean_mrr(questions, lambda q: fuse_weighted(q.at(depth), {"bm25_score": 1.0})),
            "dense": mean_mrr(questions, lambda q: fuse_weighted(q.at(depth), {"dense_score": 1.0})),
            "rrf": mean_mrr(questions, lambda q: fuse_rrf(q.at(depth))),
            "convex": mean_mrr(
                questions, lambda q: fuse_convex(q.at(depth), {"dense": dense_weight, "bm25": 1 - dense_weight})
            ),
            "in_set": score(fit({name: questions}, depth), depth, name),
            "left_out": score(fit(others, depth), depth, name) if others else None,
            "all": score(chosen, depth, name),
        }
        rows[name] = row
        print(f"| {name} | " + " | ".join("–" if v is None else f"{v:.3f}" for v in row.values()) + " |", flush=True)
    print(f"\nfit on all sets: depth {depth}, weights {chosen}")
    if args.out:
        mrr = {n: {k: None if v is None else round(v, 4) for k, v in row.items()} for n, row in rows.items()}
        fitted = {"depth": depth, "sets": sorted(sets), "questions": sum(len(q) for q in sets.values()), "mrr": mrr}
        args.out.write_text(json.dumps({"weights": chosen, "fit": fitted}, indent=1) + "\n")


if __name__ == "__main__":
    main()
