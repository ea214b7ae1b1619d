"""Score retrieval on a gold set: hit@1/3/5/10, MRR and nDCG@10 for dense-only, BM25-only and hybrid.

    python -m eval.retrieval --qa eval/data/hengyang-2022-12-15.jsonl [--corpus corpus/] [--data-dir DIR]

Relevance is judged per article (see `eval.gold.GoldItem.is_relevant`); neighbour chunks added
after ranking are not counted. Follow-up questions need condensing and are left to the answer eval.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

from eval.gold import GoldItem, load_gold
from eval.metrics import hit_at, ndcg_at, reciprocal_rank
from ingest.pipeline import ingest_paths
from rag.index import NewsIndex
from rag.retrieve import HybridRetriever, Mode
from rag.settings import Settings
from rag.types import Hit

MODES: tuple[Mode, ...] = ("dense", "bm25", "hybrid")
DEPTH = 10


def relevance(index: NewsIndex, retriever: HybridRetriever, item: GoldItem) -> list[bool]:
    """For each ranked (non-neighbour) hit: does its article answer the item?"""
    hits = [h for h in retriever.search(item.question, k=DEPTH) if h.neighbour_of is None]
    return judge_articles(index, item, ranked_articles(hits))


def ranked_articles(hits: Sequence[Hit]) -> list[tuple[str, str, str]]:
    """(source, article_id, title) of each hit, in rank order: what `judge_articles` judges."""
    return [(h.chunk.source, h.chunk.article_id, h.chunk.title) for h in hits]


def judge_articles(index: NewsIndex, item: GoldItem, ranked: Sequence[tuple[str, str, str]]) -> list[bool]:
    """For each ranked (source, article_id, title): does that article answer the item?"""
    texts: dict[tuple[str, str], str] = {}
    flags = []
    for source, article_id, title in ranked:
        key = (source, article_id)
        if key not in texts:
            texts[key] = title + "\n" + index.catalog.article_text(*key)
        flags.append(item.is_relevant(article_id, texts[key]))
    return flags


def score(index: NewsIndex, items: list[GoldItem], mode: Mode) -> dict[str, float]:
    retriever = HybridRetriever(index=index, k=DEPTH, mode=mode, neighbours=False)
    return ranking_metrics([relevance(index, retriever, item) for item in items])


def ranking_metrics(rows: Sequence[Sequence[bool]]) -> dict[str, float]:
    """hit@1/3/5/10, MRR and nDCG@10 averaged over relevance rows (0.0 for none)."""
    n = len(rows) or 1
    result = {f"hit@{k}": sum(hit_at(r, k) for r in rows) / n for k in (1, 3, 5, 10)}
    result["MRR"] = sum(reciprocal_rank(r) for r in rows) / n
    result["nDCG@10"] = sum(ndcg_at(r, 10, max(1, sum(r))) for r in rows) / n
    return result


def table(results: dict[str, dict[str, float]]) -> str:
    columns = list(next(iter(results.values())))
    lines = ["| system | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for name, row in results.items():
        lines.append(f"| {name} | " + " | ".join(f"{row[c]:.3f}" for c in columns) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--qa", type=Path, default=Path("eval/data/hengyang-2022-12-15.jsonl"))
    parser.add_argument("--corpus", type=Path, nargs="*", default=[Path("corpus")])
    parser.add_argument("--data-dir", type=Path, default=Path("eval/out/index-page"))
    args = parser.parse_args(argv)

    index = NewsIndex(Settings(data_dir=args.data_dir))
    started = time.perf_counter()
    report = ingest_paths(index, args.corpus, show_progress=False)
    ingest_s = time.perf_counter() - started
    items = [i for i in load_gold(args.qa) if i.answerable and i.type != "followup"]
    print(f"ingest: {report.summary()} in {ingest_s:.2f} s (model load included)")
    print(f"questions: {len(items)} answerable single-turn ({sum(i.type == 'reworded' for i in items)} reworded)\n")
    results = {mode: score(index, items, mode) for mode in MODES}
    reworded = [i for i in items if i.type == "reworded"]
    if reworded:
        results.update({f"{mode} (reworded only)": score(index, reworded, mode) for mode in MODES})
    print(table(results))

    retriever = HybridRetriever(index=index, k=5)
    latencies = []
    for item in (items * 2)[:20]:
        started = time.perf_counter()
        retriever.search(item.question)
        latencies.append((time.perf_counter() - started) * 1000)
    print(f"\nwarm hybrid search latency: median {statistics.median(latencies):.1f} ms over {len(latencies)} queries")


if __name__ == "__main__":
    main()
